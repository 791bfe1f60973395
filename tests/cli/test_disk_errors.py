"""A full disk, a folder the user may not write in, a read-only file system: one line, nothing half-written.

The full disk is real: a tmpfs of 16 KiB mounted for the test (root only; the CI machine runs
the tests as root). The folder without write permission is real too: the command runs in a
child process that has given up root's capabilities (``capset``), so the kernel checks the
folder's permission bits as for anyone else (a plain ``chmod`` means nothing to root).
"""

import ctypes
import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.errors import TierkitError
from tierkit.mlops.export import save_segmentation_model
from tierkit.output import WriteError, atomic_folder, atomic_path, write_table

AS_OF = "1998-06-30"
FAST = ["--no-clv", "--no-clusters"]


def _mount_tmpfs(folder: Path, options: str) -> Path:
    """``folder`` as a fresh tmpfs with ``options``; the test is skipped where that cannot be done."""
    if os.geteuid() != 0:
        pytest.skip("a real full disk is a small tmpfs, and mounting one needs root (CI runs the tests as root)")
    if shutil.which("mount") is None:
        pytest.skip("no mount command to make a small tmpfs (a real full disk)")
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here, though root ({done.stderr.strip()}): no real full disk")
    return folder


def _unmount(folder: Path) -> None:
    if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path) -> None:
    """Fill the file system of ``folder`` to the last byte, with the file ``filler``."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
    finally:
        os.close(fd)


@pytest.fixture
def full_disk(tmp_path):
    """A folder on a file system of 64 KiB, to be filled by the test (:func:`fill`)."""
    folder = _mount_tmpfs(tmp_path / "full", "size=64k,mode=0755")
    yield folder
    _unmount(folder)


@pytest.fixture
def read_only(tmp_path):
    """A folder on a read-only file system."""
    folder = _mount_tmpfs(tmp_path / "ro", "size=16k,ro")
    yield folder
    _unmount(folder)


SMALL_AS_OF = "2021-04-01"


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory):
    """Five customers: grading them takes no time; any output of theirs overflows a full disk."""
    path = tmp_path_factory.mktemp("small") / "tx.csv"
    path.write_text("customer_id,date,amount\n001,2021-01-05,100\n001,2021-03-01,50\n002,2021-02-10,20\n"
                    "003,2021-03-28,5\n004,2020-06-01,300\n005,2021-03-15,80\n005,2021-03-20,40\n")
    return path


@pytest.fixture(scope="module")
def tx_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("tx") / "tx.csv"
    tk.load_cdnow(sample=True).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    features = tk.rfm_features(tk.load_cdnow(sample=True), as_of=AS_OF)
    return save_segmentation_model(tk.Segmentation().fit(features), features,
                                   tmp_path_factory.mktemp("model") / "model")


def error_lines(err: str) -> list[str]:
    assert "Traceback" not in err, err
    return [line for line in err.splitlines() if line.startswith("tierkit: error")]


# --- a full disk -----------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_a_full_disk_is_one_line_naming_the_file_and_keeps_the_previous_output(full_disk, small_csv, capsys,
                                                                               suffix):
    out = full_disk / f"customers{suffix}"
    out.write_bytes(b"previous run")
    fill(full_disk)
    assert main(["segment", str(small_csv), "--as-of", SMALL_AS_OF, "--out", str(out), *FAST]) == 2
    assert error_lines(capsys.readouterr().err) == [f"tierkit: error: no space left on device writing {out}"]
    assert out.read_bytes() == b"previous run"
    assert sorted(p.name for p in full_disk.iterdir()) == [out.name, "filler"]  # no temporary file left


@pytest.mark.slow
def test_a_report_on_a_full_disk_is_one_line(full_disk, small_csv, capsys):
    fill(full_disk)
    out = full_disk / "report.html"
    assert main(["report", str(small_csv), "--as-of", SMALL_AS_OF, "--out", str(out), *FAST]) == 2
    assert error_lines(capsys.readouterr().err) == [f"tierkit: error: no space left on device writing {out}"]
    assert [p.name for p in full_disk.iterdir()] == ["filler"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_scores_on_a_full_disk_are_one_line(full_disk, tx_csv, model_dir, capsys, suffix):
    fill(full_disk)
    out = full_disk / f"scores{suffix}"
    assert main(["score", str(tx_csv), "--model", str(model_dir), "--as-of", AS_OF, "--out", str(out),
                 "--no-progress"]) == 2
    assert error_lines(capsys.readouterr().err) == [f"tierkit: error: no space left on device writing {out}"]
    assert [p.name for p in full_disk.iterdir()] == ["filler"]


def test_saving_a_model_on_a_full_disk_leaves_no_folder_and_the_next_run_succeeds(full_disk, small_csv, tmp_path,
                                                                                  capsys):
    fill(full_disk)
    model = full_disk / "standards"
    command = ["segment", str(small_csv), "--as-of", SMALL_AS_OF, "--out", str(tmp_path / "customers.csv"), *FAST,
               "--save-model", str(model)]
    assert main(command) == 2
    assert error_lines(capsys.readouterr().err) == [f"tierkit: error: no space left on device writing {model}"]
    # no half-saved model (say, a 0-byte input_example.json) for the next run to refuse
    assert [p.name for p in full_disk.iterdir()] == ["filler"]
    (full_disk / "filler").unlink()  # room made: the same command now saves the model
    subprocess.run(["mount", "-o", "remount,size=64m", str(full_disk)], check=True)
    assert main(command) == 0
    assert (model / "MLmodel").is_file()
    assert [p.name for p in full_disk.iterdir()] == ["standards"]
    assert main(["segment", str(small_csv), "--as-of", SMALL_AS_OF, "--out", str(tmp_path / "again.csv"),
                 "--model", str(model)]) == 0


def test_the_library_raises_one_line_write_errors(full_disk):
    import pandas as pd

    fill(full_disk)
    with pytest.raises(WriteError, match=r"^no space left on device writing .*t\.csv$"):
        write_table(pd.DataFrame({"x": [1, 2]}), full_disk / "t.csv")
    with pytest.raises(WriteError, match="no space left on device writing"):
        with atomic_folder(full_disk / "folder") as build:
            build.mkdir()
            (build / "data").write_bytes(b"x")
    assert [p.name for p in full_disk.iterdir()] == ["filler"]
    assert issubclass(WriteError, TierkitError)


# --- a read-only file system -----------------------------------------------------------------

def test_a_read_only_file_system_is_one_line(read_only, small_csv, tmp_path, capsys):
    assert main(["segment", str(small_csv), "--as-of", SMALL_AS_OF, "--out", str(tmp_path / "c.csv"), *FAST,
                 "--save-model", str(read_only / "m")]) == 2
    # refused before the grading, by the folder check every output path goes through
    assert error_lines(capsys.readouterr().err) == [f"tierkit: error: --save-model {read_only / 'm'}: folder "
                                                    f"'{read_only}' is not writable"]
    with pytest.raises(WriteError, match=r"^read-only file system writing "):
        with atomic_path(read_only / "x.csv") as tmp:
            tmp.write_text("never")


# --- a folder without write permission ---------------------------------------------------------

# Run the command line without root's capabilities (uid 0 is then checked like any owner).
WITHOUT_ROOT_POWERS = """
import ctypes, sys

class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

class Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

libc = ctypes.CDLL(None, use_errno=True)
if libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()) != 0:
    sys.exit(f"capset failed: errno {ctypes.get_errno()}")
from tierkit.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def locked(tmp_path):
    """A folder the command may not write in, and a way to run the command as a user it binds."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder, [sys.executable, "-m", "tierkit"]
        folder.chmod(0o755)
        return
    if not hasattr(ctypes.CDLL(None), "capset"):
        pytest.skip("no capset() in the C library: cannot drop root's power to ignore permissions")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)  # owned by root; without its capabilities root cannot write here
    yield folder, [sys.executable, "-c", WITHOUT_ROOT_POWERS]
    folder.chmod(0o755)


@pytest.mark.slow
@pytest.mark.parametrize("what", ["out", "save-model", "report"])
def test_a_folder_without_write_permission_is_one_line(locked, small_csv, tmp_path, what):
    folder, run = locked
    grade = [str(small_csv), "--as-of", SMALL_AS_OF, *FAST]
    args = {"out": ["segment", *grade, "--out", str(folder / "c.csv")],
            "save-model": ["segment", *grade, "--out", str(tmp_path / "c.csv"), "--save-model", str(folder / "m")],
            "report": ["report", *grade, "--out", str(folder / "r.html")]}[what]
    done = subprocess.run(run + args, capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 2, done.stderr[-2000:]
    lines = error_lines(done.stderr)
    assert len(lines) == 1 and str(folder) in lines[0], done.stderr
    assert "not writable" in lines[0] or "permission denied writing" in lines[0]
    assert list(folder.iterdir()) == []


# --- --memory-limit ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, why", [("lots", "not a memory size"), ("0MB", "must be more than 0"),
                                        ("1", "not a memory size")])
def test_a_bad_memory_limit_is_one_line_naming_the_option(tx_csv, model_dir, tmp_path, capsys, value, why):
    out = tmp_path / "scores.csv"
    assert main(["score", str(tx_csv), "--model", str(model_dir), "--as-of", AS_OF, "--out", str(out),
                 "--no-progress", "--memory-limit", value]) == 2
    (line,) = error_lines(capsys.readouterr().err)
    # refused while the command line is parsed (a click callback), before the model or the file is read
    assert line.startswith("tierkit: error: ") and "'--memory-limit'" in line and f"'{value}'" in line
    assert why in line
    assert "'1GB', '500MB'" in line
    assert not out.exists()


def test_the_python_api_checks_the_memory_limit_before_reading_anything(tmp_path):
    from tierkit.scoring.local import score_transactions

    with pytest.raises(TierkitError, match=r"^memory_limit 'lots': not a memory size; expected a size such as"):
        score_transactions(str(tmp_path / "no-model"), tmp_path / "no-file.csv", as_of=AS_OF,
                           out=tmp_path / "s.csv", memory_limit="lots")
