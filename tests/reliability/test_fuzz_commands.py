"""Generated bad files through the commands, in this process: exit 2 with one error line and nothing written, or
the oracle's customers and features.

``tierkit segment`` (70 files: CSV, workbooks, Parquet) must write exactly the oracle's
customers and RFM features (and ``--rejects`` row for row) or refuse with exit 2, one
``tierkit: error:`` line after any warnings, no traceback and no file left behind; a base in
which no customer bought on or before ``--as-of`` is refused too (README: a file of returns
only). ``clusters``, ``validate`` and ``report`` (a few files each: they fit models) must
refuse every file the oracle refuses, in one line with nothing written, and otherwise either
succeed or refuse in one line.
"""

from __future__ import annotations

import json
import random

import pytest
from fuzz_cases import assert_features_equal, write_case
from fuzz_paths import check_refused_by_command, check_rejects, check_success, read_output, run_command
from fuzz_plan import expectation, params


@pytest.mark.slow
@pytest.mark.parametrize("case", params("segment"))
def test_segment_writes_the_oracles_features_or_refuses_in_one_line(case, tmp_path):
    path, _ = write_case(case, tmp_path / "in")
    expected, _ = expectation(case)
    out = tmp_path / ("out.csv" if random.Random(case.name).random() < 0.3 else "out.parquet")
    rejects = tmp_path / "rejects.csv"
    args = ["segment", path, "--as-of", case.as_of, "--out", out, "--no-clv", "--no-clusters", "--time-unit",
            case.time_unit, *case.cli_args(), *(["--rejects", rejects] if case.rejects else [])]
    run = run_command(args, tmp_path)
    if not expected.graded:
        check_refused_by_command(case, run, expected, case.name)
        return
    check_success(run, case.name)
    written = {out.name} | ({rejects.name} if case.rejects and expected.rejects else set())
    assert set(run.new_files) == written, run.new_files
    assert_features_equal(read_output(out), expected.features, case.name)
    if case.rejects:
        check_rejects(case, rejects, expected, case.name)


def _invariant(case, run, expected, what: str, output=None) -> None:
    """A file the oracle refuses is refused in one line; any other answer is a success or a one-line refusal."""
    if expected.refused is not None or run.status != 0:
        check_refused_by_command(case, run, expected, what)
        return
    check_success(run, what)
    if output is not None:
        assert output.exists(), f"{what}: exit 0 without its output"


@pytest.mark.slow
@pytest.mark.parametrize("case", params("clusters"))
def test_clusters_refuses_in_one_line_or_clusters(case, tmp_path):
    path, _ = write_case(case, tmp_path / "in")
    expected, _ = expectation(case)
    run = run_command(["clusters", path, "--as-of", case.as_of, "--k", "2", "--json", *case.cli_args()], tmp_path)
    _invariant(case, run, expected, case.name)
    if run.status == 0:
        json.loads(run.stdout)  # the document is whole


@pytest.mark.slow
@pytest.mark.parametrize("case", params("validate"))
def test_validate_refuses_in_one_line_or_validates(case, tmp_path):
    path, _ = write_case(case, tmp_path / "in")
    expected, _ = expectation(case)
    import datetime as dt

    calibration_end = str(dt.date.fromisoformat(case.as_of) - dt.timedelta(days=120))
    run = run_command(["validate", path, "--calibration-end", calibration_end, "--holdout-end", case.as_of, "--json",
                       *case.cli_args()], tmp_path)
    _invariant(case, run, expected, case.name)
    if run.status == 0:
        json.loads(run.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("case", params("report"))
def test_report_refuses_in_one_line_or_writes_the_report(case, tmp_path):
    path, _ = write_case(case, tmp_path / "in")
    expected, _ = expectation(case)
    out = tmp_path / "report.html"
    run = run_command(["report", path, "--as-of", case.as_of, "--out", out, "--no-clv", "--no-clusters",
                       *case.cli_args()], tmp_path)
    _invariant(case, run, expected, case.name, out)
    if run.status == 0:
        assert not expected.refused and expected.graded
