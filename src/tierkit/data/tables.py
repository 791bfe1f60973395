"""Small tables read whole with pandas: survey answers and scored snapshots.

Transactions go through the SQL input contract (:mod:`tierkit.data.duckdb_input`); these tables
are per-customer and small, so pandas reads them, with the same one-line errors for a missing
file, a folder, an unsupported type, an empty file or an unreadable one.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tierkit.errors import DataError

SEPARATORS = {".csv": ",", ".tsv": "\t", ".txt": r"\s+"}
PARQUET = {".parquet", ".pq"}
EXCEL = {".xlsx", ".xlsm"}


def read_table(path, what: str, *, text_columns=(), sheet_name=0) -> pd.DataFrame:
    r"""Read a .csv / .tsv / .txt, .parquet or .xlsx table; ``text_columns`` stay text as written.

    Parameters
    ----------
    path : str or os.PathLike
    what : str
        What the table is, for messages (``"a survey file"``, ``"a scored snapshot"``).
    text_columns : sequence of str
        Columns read as text in CSV and Excel (ids keep their leading zeros).
    sheet_name : str or int, default=0
        The Excel sheet.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "s.csv")
    >>> _ = open(p, "w").write("customer_id,score\n007,9\n")
    >>> read_table(p, "a survey file", text_columns=["customer_id"])["customer_id"].tolist()
    ['007']
    >>> read_table(p + ".json", "a survey file")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: ...s.csv.json: no such file
    """
    path = Path(path)
    if not path.exists():
        raise DataError("no_file", path=path)
    if path.is_dir():
        raise DataError("table_folder", path=path, what=what)
    suffix = path.suffix.lower()
    text = {c: str for c in text_columns}
    try:
        if suffix in SEPARATORS:
            return pd.read_csv(path, sep=SEPARATORS[suffix], dtype=text)
        if suffix in PARQUET:
            return pd.read_parquet(path)
        if suffix in EXCEL:
            return pd.read_excel(path, sheet_name=sheet_name, dtype=text)
    except pd.errors.EmptyDataError:
        raise DataError("empty_table", path=path, what=what) from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError("unreadable_as", path=path, kind=suffix[1:], reason=first) from None
    raise DataError("table_type", path=path, suffix=repr(suffix))
