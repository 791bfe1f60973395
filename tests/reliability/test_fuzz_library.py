"""Generated bad files and frames through the library: a one-line refusal, or the oracle's rows and features.

``tk.read_transactions`` + ``tk.rfm_features`` read 150 generated files (100 CSV in every
separator, encoding, header and line ending, 25 workbooks with several sheets, 25 Parquet files
with text or typed columns); ``tk.normalize_transactions`` + ``tk.rfm_features`` read 70
generated frames under odd indexes. For each, the oracle (``fuzz_cases.oracle``, pandas and
``decimal`` on the generated values) says refused or read; a read must give its customers and
features exactly, the counts of rows read, kept and left out by reason, the note on float ids,
and ``rejects`` row for row (line and reason); a refusal must be one line naming the first bad
row where there is one.
"""

from __future__ import annotations

import pytest
from fuzz_cases import frame_of, write_case
from fuzz_paths import check_answer, read_file, read_frame
from fuzz_plan import expectation, params


@pytest.mark.parametrize("case", params("file"))
def test_a_generated_file_is_read_as_the_oracle_says(case, tmp_path):
    path, _ = write_case(case, tmp_path / "in")
    expected, _ = expectation(case)
    rejects = tmp_path / "rejects.csv" if case.rejects else None
    check_answer(case, read_file(case, path, rejects), expected, case.name, rejects)


@pytest.mark.parametrize("case", params("frame"))
def test_a_generated_frame_is_read_as_the_oracle_says(case):
    expected, _ = expectation(case)
    frame = frame_of(case)
    before = frame.copy()
    check_answer(case, read_frame(case, frame), expected, case.name)
    # the caller's frame is left as it was
    assert frame.index.equals(before.index) and list(frame.columns) == list(before.columns)
