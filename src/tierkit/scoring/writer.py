"""Score tables written chunk by chunk, atomically, with the same bytes whichever engine made them.

Every chunk is brought to the model's output types before it is written; Parquet row groups
hold exactly :data:`ROW_GROUP_SIZE` rows (one contiguous chunk per column) whatever sizes the
chunks come in, so re-running a job with any chunk size, or on the other engine, writes the
same file.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd

from tierkit.errors import TierkitError
from tierkit.output import atomic_path

OUTPUT_SUFFIXES = (".csv", ".parquet")
#: Rows per Parquet row group of a score file.
ROW_GROUP_SIZE = 100_000


def check_score_path(path) -> Path:
    """A writable ``.csv`` or ``.parquet`` output path, else a one-line error."""
    path = Path(path)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise TierkitError(f"--out {path}: unsupported output type {path.suffix!r}; expected .csv or .parquet")
    if path.is_dir():
        raise TierkitError(f"--out {path}: is a folder, expected a file name")
    if not path.parent.exists():
        raise TierkitError(f"--out {path}: folder {str(path.parent)!r} does not exist")
    return path


class ScoreWriter:
    """Append score chunks to a CSV or Parquet file that appears only when :meth:`close` succeeds.

    Use as a context manager; leaving it by an exception removes the temporary file.
    """

    def __init__(self, path, dtypes: dict[str, str], row_group_size: int = ROW_GROUP_SIZE):
        self.path = check_score_path(path)
        self.dtypes = dtypes
        self.row_group_size = row_group_size

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
        missing = [c for c in self.dtypes if c not in chunk.columns]
        if missing:
            raise TierkitError(f"model output: missing column(s) {', '.join(missing)}")
        return chunk[list(self.dtypes)].astype(self.dtypes).reset_index(drop=True)

    def write(self, chunk: pd.DataFrame) -> None:
        """Add rows (any number) in order."""
        chunk = self._typed(chunk)
        self.rows += len(chunk)
        if self.path.suffix.lower() == ".csv":
            if self._csv is None:
                self._csv = self._stack.enter_context(open(self._tmp, "w", encoding="utf-8", newline=""))
                chunk.to_csv(self._csv, index=False, lineterminator="\n")
            else:
                chunk.to_csv(self._csv, index=False, header=False, lineterminator="\n")
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
        table = pa.Table.from_pandas(head, preserve_index=False).replace_schema_metadata(None).combine_chunks()
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._tmp, table.schema)
        self._parquet.write_table(table, row_group_size=n)
        self._pending = [rest.reset_index(drop=True)] if len(rest) else []
        self._pending_rows = len(rest)

    def _empty(self) -> pd.DataFrame:
        return self._typed(pd.DataFrame({c: pd.Series(dtype=d) for c, d in self.dtypes.items()}))

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None and self.path.suffix.lower() == ".parquet":
                if self._pending_rows:
                    self._flush(self._pending_rows)
                if self._parquet is None:
                    import pyarrow as pa
                    import pyarrow.parquet as pq

                    pq.write_table(pa.Table.from_pandas(self._empty(), preserve_index=False)
                                   .replace_schema_metadata(None), self._tmp)
            elif exc_type is None and self._csv is None:
                self._empty().to_csv(self._tmp, index=False, lineterminator="\n")
            if self._parquet is not None:
                self._parquet.close()
        finally:
            return self._stack.__exit__(exc_type, exc, tb)
