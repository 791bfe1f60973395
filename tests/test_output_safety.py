"""Output that cannot hurt: no formulas in tables, no output over an input, no write to a
folder that cannot take it, no half-written file after a failure or an interrupt."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tierkit.cli.main import main
from tierkit.errors import TierkitError
from tierkit.output import check_output_not_input, check_table_path, neutralise_formulas, write_table
from tierkit.output_chunks import ScoreWriter, check_score_path

# Text a spreadsheet would run, and what it must be written as.
DANGEROUS = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "@SUM(1)": "'@SUM(1)",
    "-2+3": "'-2+3",
    "\tx": "'\tx",
    "\rx": "'\rx",
}
# Text that must come out exactly as it went in.
ORDINARY = ["00001", "NA", "null", "#N/A", "a=b", "'quoted", "", "x-1"]
IDS = list(DANGEROUS) + ORDINARY
SAFE_IDS = list(DANGEROUS.values()) + ORDINARY


def customers() -> pd.DataFrame:
    n = len(IDS)
    return pd.DataFrame({
        "customer_id": IDS,
        "amount": [-3.5 - i for i in range(n)],
        "orders": np.arange(-3, n - 3, dtype="int64"),
    })


# --- 1. formula neutralising --------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["object", "str", "category"])
def test_text_that_starts_a_formula_gets_a_quote_and_other_text_is_untouched(dtype):
    table = customers().astype({"customer_id": dtype})
    safe = neutralise_formulas(table)
    assert safe["customer_id"].astype(object).tolist() == SAFE_IDS
    assert str(safe["customer_id"].dtype) == str(table["customer_id"].dtype)
    pd.testing.assert_frame_equal(safe[["amount", "orders"]], table[["amount", "orders"]])
    # pure: the caller's table is as it was
    assert table["customer_id"].astype(object).tolist() == IDS


def test_numbers_stay_numbers_even_in_a_text_column():
    table = pd.DataFrame({"mixed": [-3.5, "=1+1", None, -7, "-x"], "neg": [-3.5, -1.0, -2.0, -0.5, -9.0]})
    safe = neutralise_formulas(table)
    assert safe["mixed"].tolist()[:1] == [-3.5] and isinstance(safe["mixed"][0], float)
    assert safe["mixed"][1] == "'=1+1" and safe["mixed"][2] is None and safe["mixed"][3] == -7
    assert safe["mixed"][4] == "'-x"
    assert safe["neg"].dtype == "float64" and safe["neg"].tolist() == table["neg"].tolist()


def test_column_names_are_neutralised_too():
    table = pd.DataFrame({"=cmd()": [1], "-1": [2], "ok": [3], 7: [4]})
    assert list(neutralise_formulas(table).columns) == ["'=cmd()", "'-1", "ok", 7]
    assert list(table.columns) == ["=cmd()", "-1", "ok", 7]
    nested = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("=a", "x"), ("b", "@y")]))
    assert list(neutralise_formulas(nested).columns) == [("'=a", "x"), ("b", "'@y")]


def test_csv_table_is_written_neutralised_and_reads_back_with_numbers(tmp_path):
    out = write_table(customers().set_index("customer_id"), tmp_path / "t.csv")
    text = out.read_bytes().decode("utf-8")
    assert '\'=HYPERLINK(""http://x"",""y"")",' in text  # CSV-quoted, with the quote inside
    assert "\n00001,-" in text and "\nNA,-" in text and "\nnull,-" in text
    back = pd.read_csv(out, dtype={"customer_id": str}, keep_default_na=False)
    assert back["customer_id"].tolist() == SAFE_IDS
    assert back["amount"].tolist() == customers()["amount"].tolist() and back["amount"].dtype == "float64"
    assert back["orders"].tolist() == customers()["orders"].tolist()


def test_xlsx_cells_are_values_never_formulas(tmp_path):
    table = customers().set_index("customer_id")
    table.insert(0, "=header", "x")
    out = write_table(table, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(out).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {c.data_type for c in cells if isinstance(c.value, str)} == {"s"}  # "#N/A" is not an error code
    assert [c.value for c in sheet[1]] == ["customer_id", "'=header", "amount", "orders"]
    assert sheet["C2"].data_type == "n" and sheet["C2"].value == -3.5


def test_xlsx_reads_back_as_the_neutralised_text_and_numbers(tmp_path):
    out = write_table(customers(), tmp_path / "t.xlsx")
    back = pd.read_excel(out, dtype=object, keep_default_na=False)
    # XML reads a bare carriage return as a line feed: "\r" comes back as "\n" in any .xlsx.
    assert back["customer_id"].tolist() == [v.replace("\r", "\n") for v in SAFE_IDS]
    assert back["amount"].tolist() == customers()["amount"].tolist()
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in back["amount"])
    assert all(isinstance(v, int) for v in back["orders"]) and back["orders"].tolist()[0] == -3


@pytest.mark.parametrize("writer", ["table", "scores"])
def test_a_line_break_inside_text_is_quoted_so_it_cannot_start_a_new_row(tmp_path, writer):
    # Unquoted, "a\r=cmd()" is read as a row ending in "a" and one starting with the formula.
    frame = pd.DataFrame({"customer_id": ["a\r=cmd()", "b\n=cmd()", "c\r\n@cmd()", "d"],
                          "score": [1.0, -2.0, 3.0, 4.0]})
    out = tmp_path / "t.csv"
    if writer == "table":
        write_table(frame, out)
    else:
        with ScoreWriter(out, {"customer_id": "str", "score": "float64"}) as scores:
            scores.write(frame)
    assert out.read_bytes() == (b'customer_id,score\n"a\r=cmd()",1.0\n"b\n=cmd()",-2.0\n"c\r\n@cmd()",3.0\n'
                                b"d,4.0\n")
    assert pd.read_csv(out)["customer_id"].tolist() == frame["customer_id"].tolist()


def test_parquet_keeps_text_as_it_is(tmp_path):
    out = write_table(customers(), tmp_path / "t.parquet")
    assert pd.read_parquet(out)["customer_id"].tolist() == IDS


def test_score_csv_is_neutralised_whatever_the_chunks(tmp_path):
    dtypes = {"customer_id": "str", "score": "float64", "-rank": "int64"}
    frame = pd.DataFrame({"customer_id": IDS, "score": [-3.5] * len(IDS), "-rank": range(len(IDS))})
    with ScoreWriter(tmp_path / "a.csv", dtypes) as writer:
        writer.write(frame.iloc[:2])
        writer.write(frame.iloc[2:])
    back = pd.read_csv(tmp_path / "a.csv", dtype={"customer_id": str}, keep_default_na=False)
    assert list(back.columns) == ["customer_id", "score", "'-rank"]
    assert back["customer_id"].tolist() == SAFE_IDS
    assert back["score"].dtype == "float64" and set(back["score"]) == {-3.5}
    with ScoreWriter(tmp_path / "empty.csv", dtypes):
        pass
    assert (tmp_path / "empty.csv").read_text() == "customer_id,score,'-rank\n"


# --- 2. output over an input --------------------------------------------------------------

def test_output_that_is_an_input_is_refused_however_it_is_spelt(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    tx = tmp_path / "tx.csv"
    tx.write_text("customer_id,date,amount\n")
    (tmp_path / "link.csv").symlink_to(tx)
    os.link(tx, tmp_path / "hard.csv")
    for out in ["tx.csv", str(tx), "sub/../tx.csv", "link.csv", "hard.csv", "./tx.csv"]:
        with pytest.raises(TierkitError) as info:
            check_output_not_input(out, [None, "other.csv", "tx.csv"])
        assert str(info.value) == f"{out}: is also an input file (tx.csv); choose another output path"
    # neither exists yet: still the same path
    with pytest.raises(TierkitError, match="is also an input file"):
        check_output_not_input("sub/../new.parquet", [tmp_path / "new.parquet"])


def test_output_that_is_not_an_input_passes(tmp_path):
    tx = tmp_path / "tx.csv"
    tx.write_text("x\n")
    (tmp_path / "scores.csv").write_text("old\n")
    assert check_output_not_input(tmp_path / "scores.csv", [tx, None]) == tmp_path / "scores.csv"
    assert check_output_not_input(tmp_path / "new.csv", [tx]) == tmp_path / "new.csv"
    assert check_output_not_input(tmp_path / "new.csv", []) == tmp_path / "new.csv"


# --- 3. a folder that cannot take the output ----------------------------------------------

CHECKS = [(check_table_path, ""), (check_score_path, "")]


@pytest.mark.parametrize("check, label", CHECKS)
def test_parent_that_is_a_file_is_refused(tmp_path, check, label):
    (tmp_path / "some_file.txt").write_text("x")
    out = tmp_path / "some_file.txt" / "out.csv"
    with pytest.raises(TierkitError) as info:
        check(out)
    assert str(info.value) == f"{label}{out}: folder '{tmp_path / 'some_file.txt'}' is not a folder"


@pytest.mark.parametrize("check, label", CHECKS)
def test_missing_folder_and_folder_target_keep_their_messages(tmp_path, check, label):
    with pytest.raises(TierkitError, match=f"^{label}.*: folder '.*nope' does not exist$"):
        check(tmp_path / "nope" / "out.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(TierkitError, match=f"^{label}.*dir.csv: is a folder, expected a file name$"):
        check(tmp_path / "dir.csv")


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
@pytest.mark.parametrize("check, label", CHECKS)
def test_folder_where_no_file_can_be_created_is_refused_even_for_root(check, label):
    # Root passes os.access on /proc, but no file can be created there: the probe sees it.
    with pytest.raises(TierkitError) as info:
        check("/proc/out.csv")
    assert str(info.value).startswith(f"{label}/proc/out.csv: folder '/proc' is not writable (")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("check, label", CHECKS)
def test_writable_folder_passes_and_the_probe_leaves_nothing(tmp_path, check, label):
    assert check(tmp_path / "out.csv") == tmp_path / "out.csv"
    assert list(tmp_path.iterdir()) == []


def test_folder_without_write_permission_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    code = textwrap.dedent(f"""
        from tierkit.errors import TierkitError
        from tierkit.output import check_table_path
        from tierkit.output_chunks import check_score_path
        for check in (check_table_path, check_score_path):
            try:
                check({str(locked)!r} + "/out.csv")
            except TierkitError as exc:
                print(exc)
        """)
    command = [sys.executable, "-c", code]
    if os.geteuid() == 0:
        # Root may write anywhere; run the check as root without that privilege.
        if shutil.which("setpriv") is None:
            pytest.skip("as root, needs setpriv to drop the permission bypass")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        locked.chmod(0o755)
    if run.returncode != 0 and run.stderr.startswith("setpriv"):
        pytest.skip(f"cannot drop root's permission bypass: {run.stderr.strip()}")
    assert run.stderr == ""
    assert run.stdout.splitlines() == [f"{locked}/out.csv: folder '{locked}' is not writable"] * 2
    assert list(locked.iterdir()) == []


def test_unwritable_output_is_refused_before_the_input_is_read(tmp_path, capsys):
    (tmp_path / "some_file.txt").write_text("x")
    out = tmp_path / "some_file.txt" / "out.csv"
    assert main(["segment", str(tmp_path / "no-such-input.csv"), "--as-of", "2021-04-01", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"tierkit: error: {out}: folder '{tmp_path / 'some_file.txt'}' is not a folder\n"
    with pytest.raises(TierkitError, match="is not a folder"):
        ScoreWriter(out, {"customer_id": "str"})


# --- 4. a failure while the score file is finished ----------------------------------------

def finish_fails_mismatch(writer):
    # First row group (written here): text ids; the last, written on leaving the block:
    # integer ids, which do not match the file's schema.
    writer.write(pd.DataFrame({"customer_id": ["a", "b"], "score": [1.0, 2.0]}))
    writer.write(pd.DataFrame({"customer_id": [3], "score": [3.0]}))
    assert writer._parquet is not None and writer._pending_rows == 1


def finish_fails_mixed(writer):
    # Fewer rows than a row group: the only flush, on leaving the block, meets an object
    # column pyarrow cannot convert.
    writer.write(pd.DataFrame({"customer_id": [1], "score": [1.0]}))
    writer.write(pd.DataFrame({"customer_id": ["a"], "score": [2.0]}))
    assert writer._parquet is None and writer._pending_rows == 2


@pytest.mark.parametrize("body, row_group_size", [(finish_fails_mismatch, 2), (finish_fails_mixed, 3)])
def test_failure_in_the_last_flush_propagates_and_keeps_the_old_file(tmp_path, body, row_group_size):
    target = tmp_path / "scores.parquet"
    write_table(pd.DataFrame({"customer_id": ["old"], "score": [9.0]}), target)
    before = target.read_bytes()
    with pytest.raises(ValueError):
        dtypes = {"customer_id": "object", "score": "float64"}
        with ScoreWriter(target, dtypes, row_group_size=row_group_size) as writer:
            body(writer)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["scores.parquet"]
    assert pd.read_parquet(target)["customer_id"].tolist() == ["old"]


def test_failure_in_the_body_still_removes_the_temporary_file(tmp_path):
    target = tmp_path / "scores.parquet"
    with pytest.raises(RuntimeError, match="boom"):
        with ScoreWriter(target, {"customer_id": "object"}, row_group_size=1) as writer:
            writer.write(pd.DataFrame({"customer_id": ["a", "b"]}))
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_a_good_finish_still_writes_every_row(tmp_path):
    target = tmp_path / "scores.parquet"
    with ScoreWriter(target, {"customer_id": "object", "score": "float64"}, row_group_size=2) as writer:
        writer.write(pd.DataFrame({"customer_id": ["a", "b", "c"], "score": [1.0, 2.0, -3.0]}))
    assert pq.ParquetFile(target).metadata.num_rows == 3
    assert [p.name for p in tmp_path.iterdir()] == ["scores.parquet"]


# --- 5. Ctrl-C and SIGTERM ----------------------------------------------------------------

SLOW_COMMAND = """
import signal, sys, time
import click
from tierkit.cli.main import cli, main
from tierkit.output import atomic_path

# Python ignores Ctrl-C when started with SIGINT ignored (e.g. a background job); not here.
signal.signal(signal.SIGINT, signal.default_int_handler)


@cli.command("slow")
@click.argument("out")
def slow(out):
    with atomic_path(out) as tmp:
        tmp.write_text("new, half written")
        print("ready", flush=True)
        time.sleep(60)


sys.exit(main(["slow", sys.argv[1]]))
"""


@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_interrupt_removes_the_temporary_file_keeps_the_old_output_and_says_one_line(tmp_path, signum, status):
    target = tmp_path / "customers.csv"
    target.write_text("old\n")
    proc = subprocess.Popen([sys.executable, "-c", SLOW_COMMAND, str(target)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert proc.stdout.readline() == "ready\n"
        assert len(list(tmp_path.iterdir())) == 2  # the temporary file is there
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == status
    # click closes the terminal's "^C" echo with an empty line; ours is the only text.
    assert [line for line in err.splitlines() if line] == ["tierkit: interrupted"], err
    assert [p.name for p in tmp_path.iterdir()] == ["customers.csv"]
    assert target.read_text() == "old\n"


def test_main_puts_the_previous_sigterm_handler_back(tmp_path, capsys):
    def mine(signum, frame):
        pass

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        assert main(["segment", str(tmp_path / "no.csv"), "--as-of", "2021-04-01", "--out", "x.csv"]) == 2
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- 6. SIGKILL: the temporary file a killed writer leaves is removed by the next write ----------

BIG_WRITE = """
import sys
import numpy as np
import pandas as pd
from tierkit.output import write_table

n = 3_000_000
write_table(pd.DataFrame({"a": np.arange(n), "b": np.linspace(0, 1, n), "c": np.arange(n) * 0.5}), sys.argv[1])
"""


def _temporaries(folder, name):
    return sorted(p.name for p in folder.glob(f".{name}.*.tmp"))


@pytest.mark.slow
def test_a_sigkilled_write_leaves_a_temporary_file_that_the_next_write_of_that_output_removes(tmp_path):
    import time

    target = tmp_path / "big.csv"
    target.write_text("old\n")
    proc = subprocess.Popen([sys.executable, "-c", BIG_WRITE, str(target)], cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        written = []
        while not written and proc.poll() is None and time.monotonic() < deadline:
            written = [p for p in tmp_path.glob(".big.csv.*.tmp") if p.exists() and p.stat().st_size > 0]
            time.sleep(0.005)
        assert written and proc.poll() is None, "the writer ended before it could be killed mid-write"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    left = _temporaries(tmp_path, "big.csv")
    assert left == [written[0].name]  # what a SIGKILL leaves: nothing can clean up
    assert target.read_text() == "old\n"
    other = tmp_path / "other.csv"  # another output's next write leaves it alone
    write_table(pd.DataFrame({"a": [2]}), other)
    assert _temporaries(tmp_path, "big.csv") == left
    write_table(pd.DataFrame({"a": [1]}), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "other.csv"]
    assert target.read_text() == "a\n1\n"
