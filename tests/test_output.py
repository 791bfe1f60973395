"""Atomic output: the file appears whole or not at all, with an ordinary file mode."""

import os
import stat

import pandas as pd
import pytest

from tierkit.output import atomic_path, write_table


def test_written_file_has_the_mode_open_would_give(tmp_path):
    umask = os.umask(0o022)
    try:
        out = write_table(pd.DataFrame({"a": [1]}, index=pd.Index(["x"], name="customer_id")), tmp_path / "t.csv")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o644


def test_failure_leaves_no_partial_file(tmp_path):
    target = tmp_path / "t.csv"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_csv_fast_path_writes_the_same_bytes_as_the_row_by_row_path():
    """Without a carriage return anywhere, to_csv writes straight through; the bytes must not change."""
    import io

    from tierkit.output import _RowEnds, neutralise_formulas, write_csv

    frame = pd.DataFrame({"id": ["a", "=b", "line\nbreak", 'q"uote'], "x": [1.5, float("nan"), -2.0, 1e-17],
                          "d": pd.to_datetime(["2021-01-02", None, "2021-03-04", "2021-05-06"]),
                          "flag": [True, False, True, False]})
    fast = io.StringIO()
    write_csv(frame, fast, date_format="%Y-%m-%d")
    slow = io.StringIO()
    neutralise_formulas(frame).to_csv(_RowEnds(slow), index=False, lineterminator="\r\n", date_format="%Y-%m-%d")
    assert fast.getvalue() == slow.getvalue()
    assert '"line\nbreak"' in fast.getvalue() and "\r" not in fast.getvalue()
