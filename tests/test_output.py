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
