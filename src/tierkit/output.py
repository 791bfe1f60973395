"""Writing result tables atomically: a temporary file beside the target, then a rename.

A failed or interrupted write never leaves a partial file at the target path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pandas as pd

from tierkit.errors import TierkitError

TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx")


def check_table_path(path) -> Path:
    """A writable output path with a supported extension, else a one-line error."""
    path = Path(path)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise TierkitError(f"{path}: unsupported output type {path.suffix!r}; expected .csv, .parquet or .xlsx")
    if path.is_dir():
        raise TierkitError(f"{path}: is a folder, expected a file name")
    if not path.parent.exists():
        raise TierkitError(f"{path}: folder {str(path.parent)!r} does not exist")
    return path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path in the target's folder; rename it onto ``path`` on success.

    Examples
    --------
    >>> import tempfile, os
    >>> target = os.path.join(tempfile.mkdtemp(), "x.txt")
    >>> with atomic_path(target) as tmp:
    ...     _ = open(tmp, "w").write("done")
    >>> open(target).read()
    'done'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp creates the file 0600; give the output the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_table(table: pd.DataFrame, path) -> Path:
    """Write ``table`` (index as a column) to CSV, Parquet or Excel by extension, atomically.

    CSV output is byte-for-byte deterministic: fixed column order, ``%.10g``-free full
    precision floats, ISO dates, ``\\n`` line ends.
    """
    path = check_table_path(path)
    frame = table.reset_index() if table.index.name is not None else table
    suffix = path.suffix.lower()
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False, lineterminator="\n", date_format="%Y-%m-%d")
        elif suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_excel(tmp, index=False, engine="openpyxl")
    return path
