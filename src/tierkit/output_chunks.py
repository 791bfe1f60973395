"""Score tables written chunk by chunk, atomically, with the same bytes whichever engine made them.

Every chunk is brought to the model's output types before it is written; Parquet row groups
hold exactly :data:`ROW_GROUP_SIZE` rows (one contiguous chunk per column) whatever sizes the
chunks come in, so re-running a job with any chunk size, or on the other engine, writes the
same file. A CSV score file gets the same formula neutralising as every tierkit table
(:func:`tierkit.output.write_csv`).

Both scoring engines (:mod:`tierkit.scoring`) and the grading of a base in chunks
(:func:`tierkit.grading.grade_file`) write through it, so it sits below both, beside
:mod:`tierkit.output`.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import pandas as pd

from tierkit.errors import TierkitError
from tierkit.output import atomic_path, check_folder_writable, write_csv

OUTPUT_SUFFIXES = (".csv", ".parquet")
#: Rows per Parquet row group of a score file.
ROW_GROUP_SIZE = 100_000


def check_score_path(path) -> Path:
    """A writable ``.csv`` or ``.parquet`` output path, else a one-line error.

    Parameters
    ----------
    path : str or os.PathLike
        The ``--out`` file of a scoring run.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    TierkitError
        ``<path>: ...`` for another extension, a folder at ``path``, or a folder that is
        missing, is not a folder, or cannot take a new file
        (:func:`tierkit.output.check_folder_writable`).
    """
    path = Path(path)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise TierkitError("output_type_chunks", path=path, suffix=repr(path.suffix))
    if path.is_dir():
        raise TierkitError("output_folder", path=path)
    return check_folder_writable(path)


class ScoreWriter:
    """Append score chunks to a CSV or Parquet file that appears only when the ``with`` block ends well.

    Use as a context manager. Leaving it by an exception, or a failure while the last rows
    are written and the file is closed, removes the temporary file, keeps whatever was at
    the path before, and lets the exception through.

    Parameters
    ----------
    path : str or os.PathLike
        ``.csv`` or ``.parquet`` output (see :func:`check_score_path`).
    dtypes : dict of str to str or None
        Output column -> pandas dtype; every chunk is brought to these, in this order. None:
        the first chunk's columns and dtypes.
    row_group_size : int, default :data:`ROW_GROUP_SIZE`
        Rows per Parquet row group.
    names : dict of str to str, optional
        Written header of a column (default its name), as :func:`tierkit.output.write_table`
        names columns.
    date_format : str, optional
        ``strftime`` format of dates in CSV.
    attrs : dict, optional
        Kept in a Parquet file as pandas keeps ``DataFrame.attrs`` (with pandas' own schema
        metadata, so :func:`pandas.read_parquet` restores the dtypes and ``attrs``). Without
        it a Parquet file carries no schema metadata: the same bytes whichever engine wrote it.

    Examples
    --------
    >>> import tempfile, os
    >>> import pandas as pd
    >>> out = os.path.join(tempfile.mkdtemp(), "scores.csv")
    >>> with ScoreWriter(out, {"customer_id": "str", "score": "float64"}) as writer:
    ...     writer.write(pd.DataFrame({"customer_id": ["a", "=b"], "score": [-1.5, 2.0]}))
    >>> print(open(out).read(), end="")
    customer_id,score
    a,-1.5
    '=b,2.0
    """

    def __init__(self, path, dtypes: dict[str, str] | None, row_group_size: int = ROW_GROUP_SIZE, *,
                 names: dict | None = None, date_format: str | None = None, attrs: dict | None = None):
        self.path = check_score_path(path)
        self.dtypes = dtypes
        self.row_group_size = row_group_size
        self.names = dict(names or {})
        self.date_format = date_format
        self.attrs = attrs

    def __enter__(self):
        self._stack = contextlib.ExitStack()
        self._tmp = self._stack.enter_context(atomic_path(self.path))
        self._pending: list[pd.DataFrame] = []
        self._pending_rows = 0
        self._parquet = None
        self._csv = None
        self.rows = 0
        return self

    def _typed(self, chunk: pd.DataFrame) -> pd.DataFrame:
        if self.dtypes is None:
            self.dtypes = {str(c): chunk[c].dtype for c in chunk.columns}
        missing = [c for c in self.dtypes if c not in chunk.columns]
        if missing:
            raise TierkitError("missing_columns_only", where="model output", missing=tuple(missing))
        typed = chunk[list(self.dtypes)].astype(self.dtypes).reset_index(drop=True)
        return typed.rename(columns=self.names) if self.names else typed

    def write(self, chunk: pd.DataFrame) -> None:
        """Add rows (any number) in order."""
        chunk = self._typed(chunk)
        self.rows += len(chunk)
        if self.path.suffix.lower() == ".csv":
            first = self._csv is None
            if first:
                self._csv = self._stack.enter_context(open(self._tmp, "w", encoding="utf-8", newline=""))
            write_csv(chunk, self._csv, header=first, date_format=self.date_format)
            return
        self._pending.append(chunk)
        self._pending_rows += len(chunk)
        while self._pending_rows >= self.row_group_size:
            self._flush(self.row_group_size)

    def _flush(self, n: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = pd.concat(self._pending, ignore_index=True) if len(self._pending) > 1 else self._pending[0]
        head, rest = frame.iloc[:n], frame.iloc[n:]
        # One contiguous chunk per column: the page layout must not depend on how rows arrived.
        table = pa.Table.from_pandas(head, preserve_index=False)
        table = table.replace_schema_metadata(self._metadata(table)).combine_chunks()
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._tmp, table.schema)
            # Closed before the temporary file is renamed or removed (the stack unwinds in reverse).
            self._stack.push(self._close_parquet)
        self._parquet.write_table(table, row_group_size=n)
        self._pending = [rest.reset_index(drop=True)] if len(rest) else []
        self._pending_rows = len(rest)

    def _metadata(self, table) -> dict | None:
        """The schema metadata written: none, or pandas' own plus ``attrs`` as pandas writes them."""
        if self.attrs is None:
            return None
        import json

        return {**(table.schema.metadata or {}), b"PANDAS_ATTRS": json.dumps(self.attrs, default=str).encode()}

    def _close_parquet(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self._parquet.close()
        else:
            # The file is being thrown away; the first error is the one to report.
            with contextlib.suppress(Exception):
                self._parquet.close()
        return False

    def _empty(self) -> pd.DataFrame:
        return self._typed(pd.DataFrame({c: pd.Series(dtype=d) for c, d in self.dtypes.items()}))

    def _finish(self) -> None:
        """Write what is still pending, or the header-only file when no rows came."""
        if self.path.suffix.lower() == ".parquet":
            if self._pending_rows:
                self._flush(self._pending_rows)
            if self._parquet is None:
                import pyarrow as pa
                import pyarrow.parquet as pq

                table = pa.Table.from_pandas(self._empty(), preserve_index=False)
                pq.write_table(table.replace_schema_metadata(self._metadata(table)), self._tmp)
        elif self._csv is None:
            with open(self._tmp, "w", encoding="utf-8", newline="") as handle:
                write_csv(self._empty(), handle, date_format=self.date_format)

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self._finish()
            except BaseException:
                # Unwind as a failure: close, remove the temporary file, keep the old output.
                self._stack.__exit__(*sys.exc_info())
                raise
        return self._stack.__exit__(exc_type, exc, tb)
