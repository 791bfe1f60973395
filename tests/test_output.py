"""Atomic output: the file appears whole or not at all, with an ordinary file mode."""

import errno
import os
import stat
import subprocess
import sys

import pandas as pd
import pytest

from tierkit import output
from tierkit.errors import TierkitError
from tierkit.output import WriteError, atomic_folder, atomic_path, remove_stale_temporaries, write_table


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


@pytest.fixture
def ended_pid():
    """The id of a process that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


@pytest.fixture
def running_pid():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def test_the_temporary_file_is_named_after_its_output_process_and_machine(tmp_path):
    with atomic_path(tmp_path / "t.csv") as tmp:
        assert tmp.parent == tmp_path
        assert tmp.name.startswith(f".t.csv.{os.getpid()}@{output._host_tag()}.")
        assert tmp.name.endswith(".csv.tmp")
        tmp.write_text("x")


def test_only_temporaries_of_ended_writers_of_the_same_output_on_this_machine_are_removed(tmp_path, ended_pid,
                                                                                          running_pid):
    host = output._host_tag()
    stale = f".t.csv.{ended_pid}@{host}.abcd1234.csv.tmp"
    kept = [f".t.csv.{running_pid}@{host}.abcd1234.csv.tmp",  # still being written
            f".t.csv.{ended_pid}@elsewhere.abcd1234.csv.tmp",  # another machine's (a shared folder)
            f".u.csv.{ended_pid}@{host}.abcd1234.csv.tmp",  # another output's
            ".t.csv.abcd1234.csv.tmp", "t.csv.bak", ".t.csv.123.tmp"]
    for name in [stale, *kept]:
        (tmp_path / name).write_text("half")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, "t.csv"])


def test_a_stale_temporary_model_folder_is_removed_by_the_next_save(tmp_path, ended_pid):
    stale = tmp_path / f".model.{ended_pid}@{output._host_tag()}.abcd1234.tmp"
    (stale / "model" / "artifacts").mkdir(parents=True)
    (stale / "model" / "input_example.json").write_bytes(b"")
    assert remove_stale_temporaries(tmp_path / "other", output.TEMP_SUFFIX) == []
    with atomic_folder(tmp_path / "model") as build:
        build.mkdir()
        (build / "MLmodel").write_text("ok")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert (tmp_path / "model" / "MLmodel").read_text() == "ok"


def test_a_failed_folder_leaves_nothing_and_an_existing_folder_is_refused(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_folder(tmp_path / "model") as build:
            build.mkdir()
            (build / "MLmodel").write_text("half")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "model").mkdir()
    with pytest.raises(TierkitError, match="already exists"):
        with atomic_folder(tmp_path / "model"):
            pass


def test_an_os_error_while_writing_becomes_one_line_naming_the_output(tmp_path):
    with pytest.raises(WriteError) as caught:
        with atomic_path(tmp_path / "t.csv") as tmp:
            tmp.write_text("half")
            raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))
    assert str(caught.value) == f"disk quota exceeded writing {tmp_path / 't.csv'}"
    assert list(tmp_path.iterdir()) == []
    # a library's error raised from one (MLflow wraps shutil's) is the same line
    with pytest.raises(WriteError, match=r"^no space left on device writing "):
        with atomic_path(tmp_path / "t.csv"):
            try:
                raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")
            except OSError as exc:
                raise RuntimeError("could not write") from exc
    # other errors go through as they are
    with pytest.raises(KeyError):
        with atomic_path(tmp_path / "t.csv"):
            raise KeyError("x")
    assert list(tmp_path.iterdir()) == []


def test_an_xlsx_holds_the_sheets_its_caller_gives(tmp_path):
    # the tier summaries are an evaluation (evaluation.summary.summary_sheets): the grading workflow and
    # `tierkit segment` pass them; the writer, a stage below, lays them out and computes none
    import openpyxl

    from tierkit.evaluation.summary import summary_sheets

    graded = pd.DataFrame({"recency": [1, 90, 200], "frequency": [5, 1, 1], "monetary": [500.0, 20.0, 5.0],
                           "abc_tier": ["A", "B", "C"]}, index=pd.Index(["a", "b", "c"], name="customer_id"))
    alone = write_table(graded, tmp_path / "alone.xlsx")
    assert openpyxl.load_workbook(alone).sheetnames == ["customers"]
    zh = write_table(graded, tmp_path / "zh.xlsx", lang="zh", sheets=summary_sheets(graded.reset_index(), "zh"))
    book = openpyxl.load_workbook(zh)
    assert book.sheetnames == ["客户", "ABC等级"] and book["ABC等级"].freeze_panes == "A2"
    odd = write_table(graded, tmp_path / "odd.xlsx", sheets={"a/b:" + "x" * 40: graded})
    assert openpyxl.load_workbook(odd).sheetnames == ["customers", "a_b_" + "x" * 27]
    csv = write_table(graded, tmp_path / "t.csv", sheets=summary_sheets(graded.reset_index(), "en"))
    assert csv.read_text().splitlines()[0] == "customer_id,recency,frequency,monetary,abc_tier"
