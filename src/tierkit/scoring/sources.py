"""Transactions on disk as a checked, canonical relation: the column map applied, bad rows counted.

A source is a CSV file, a Parquet file or a folder of Parquet files. It is never loaded into
memory: the engine (DuckDB or Spark) reads it as it aggregates. Each row gets a rejection
``reason`` (``None`` for a good row), the first that applies of:

==================== ====================================================================
reason               the row
==================== ====================================================================
``empty customer``   has no customer id (missing, or blank after trimming)
``bad date``         has a date that is missing or not a date (``YYYY-MM-DD[ HH:MM:SS]``,
                     ``YYYYMMDD``, or ``date_format`` when given)
``bad amount``       has an amount that is missing, not a number, or infinite
``bad profit``       has a profit (when mapped) that is missing or not a number
==================== ====================================================================

Rejected rows are counted by reason and left out; good rows carry ``customer_id`` (text),
``date`` (timestamp), ``amount`` (and ``profit``) as exact ``DECIMAL(18, 6)`` and ``order_id``
(text). The same SQL expressions serve both engines, so they reject the same rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tierkit.errors import DataError, TierkitError
from tierkit.scoring.sql import MONEY_TYPE
from tierkit.transactions import ColumnMap

#: Rejection reasons, in the order they are tested.
REASONS = ("empty customer", "bad date", "bad amount", "bad profit")

_STRFTIME_TO_SPARK = {
    "%Y": "yyyy", "%y": "yy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss",
    "%b": "MMM", "%B": "MMMM", "%f": "SSSSSS", "%%": "%",
}


@dataclass(frozen=True)
class TransactionSource:
    """Where the transactions are and how to read them.

    Parameters
    ----------
    path : pathlib.Path
        A ``.csv``/``.tsv`` file, a ``.parquet`` file or a folder of ``.parquet`` files.
    kind : {"csv", "parquet"}
    files : tuple of str
        The files read (one, or every Parquet file of the folder, sorted).
    sep : str or None
        Field separator of a text file (``None``: detected).
    remote : bool
        A URI only Spark can read (``hdfs://``, ``s3a://`` ...), not checked locally.
    """

    path: Path
    kind: str
    files: tuple
    sep: str | None = None
    remote: bool = False


def find_source(path, *, sep: str | None = None) -> TransactionSource:
    """Check that ``path`` is a readable transaction file or folder; one-line error otherwise.

    Examples
    --------
    >>> find_source("no/such.csv")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: no/such.csv: no such file or folder
    """
    if "://" in str(path):
        # A cluster URI (hdfs://, s3a://, ...): only Spark can look; the suffix says the format.
        text = str(path).rstrip("/")
        kind = "csv" if text.lower().endswith((".csv", ".tsv")) else "parquet"
        tab = "\t" if text.lower().endswith(".tsv") else None
        return TransactionSource(Path(text), kind, (str(path),), sep=sep or tab, remote=True)
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    if path.is_dir():
        files = sorted(str(p) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".parquet", ".pq"))
        if not files:
            raise DataError(f"{path}: folder holds no .parquet files; expected a CSV or Parquet file, or a folder of Parquet files")
        return TransactionSource(path, "parquet", tuple(files))
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return TransactionSource(path, "parquet", (str(path),))
    if suffix in (".csv", ".tsv"):
        if path.stat().st_size == 0:
            raise DataError(f"{path}: file is empty, expected a header and transactions")
        return TransactionSource(path, "csv", (str(path),), sep=sep or ("\t" if suffix == ".tsv" else None))
    raise DataError(f"{path}: unsupported file type {suffix!r}; expected .csv, .tsv, .parquet or a folder of Parquet files")


def check_columns(source: TransactionSource, present: list[str], columns: ColumnMap) -> None:
    """One-line error naming the mapped columns the source lacks, and those it has."""
    missing = [name for name in columns.fields().values() if name not in present]
    if missing:
        raise DataError(
            f"{source.path}: missing column {', '.join(repr(m) for m in missing)}; "
            f"columns present: {', '.join(present) or 'none'}"
        )


def spark_date_format(date_format: str) -> str:
    """A ``strftime`` format as a Spark datetime pattern.

    Examples
    --------
    >>> spark_date_format("%d/%m/%Y %H:%M")
    'dd/MM/yyyy HH:mm'
    """
    out, pos = [], 0
    for match in re.finditer(r"%.", date_format):
        literal = date_format[pos:match.start()]
        if literal:
            out.append(re.sub(r"([A-Za-z]+)", r"'\1'", literal))
        token = match.group()
        if token not in _STRFTIME_TO_SPARK:
            raise TierkitError(f"date_format: {token!r} in {date_format!r} is not supported by the Spark engine; "
                               f"use {', '.join(sorted(_STRFTIME_TO_SPARK))}")
        out.append(_STRFTIME_TO_SPARK[token])
        pos = match.end()
    tail = date_format[pos:]
    if tail:
        out.append(re.sub(r"([A-Za-z]+)", r"'\1'", tail))
    return "".join(out)


def _quote(name: str, dialect: str) -> str:
    if dialect == "spark":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def _text(expr: str) -> str:
    return f"NULLIF(trim(CAST({expr} AS STRING)), '')"


def _number(expr: str, kind: str, dialect: str) -> str:
    """Finite double, or NULL."""
    if kind in ("number", "integer"):
        value = f"CAST({expr} AS DOUBLE)"
    else:
        value = f"TRY_CAST({_text(expr)} AS DOUBLE)"
    if dialect == "spark":
        finite = f"NOT isnan({value}) AND abs({value}) != CAST('Infinity' AS DOUBLE)"
    else:
        finite = f"isfinite({value})"
    return f"CASE WHEN {finite} THEN {value} END"


def _date(expr: str, kind: str, dialect: str, date_format: str | None) -> str:
    """Timestamp, or NULL. Text and integers of 8 digits are YYYYMMDD (19970101 is a day, not nanoseconds)."""
    if kind == "temporal":
        return f"CAST({expr} AS TIMESTAMP)"
    text = _text(expr)
    if dialect == "spark":
        def parse(fmt):
            return f"try_to_timestamp({text}, '{spark_date_format(fmt)}')"
        guess = f"TRY_CAST({text} AS TIMESTAMP)"
        digits = f"{text} RLIKE '^[0-9]{{8}}$'"
    else:
        def parse(fmt):
            return f"try_strptime({text}, '{fmt}')"
        guess = f"TRY_CAST({text} AS TIMESTAMP)"
        digits = f"regexp_full_match({text}, '[0-9]{{8}}')"
    if date_format:
        return parse(date_format)
    return f"CASE WHEN {digits} THEN {parse('%Y%m%d')} ELSE {guess} END"


def checked_sql(relation: str, columns: ColumnMap, kinds: dict[str, str], *, dialect: str,
                date_format: str | None = None) -> str:
    """A query over ``relation`` giving the canonical columns and a ``reason`` per row.

    ``kinds`` maps each source column to ``"text"``, ``"integer"``, ``"number"`` or
    ``"temporal"`` (its type in the file: a CSV is all text). Integer dates are read as text.
    """
    fields = columns.fields()

    def src(field):
        return _quote(fields[field], dialect)

    exprs = {
        "customer_id": _text(src("customer_id")),
        "date": _date(src("date"), kinds[fields["date"]], dialect, date_format),
        "amount": _number(src("amount"), kinds[fields["amount"]], dialect),
    }
    if "order_id" in fields:
        exprs["order_id"] = _text(src("order_id"))
    if "profit" in fields:
        exprs["profit"] = _number(src("profit"), kinds[fields["profit"]], dialect)
    reason = [
        "WHEN customer_id IS NULL THEN 'empty customer'",
        "WHEN date IS NULL THEN 'bad date'",
        "WHEN amount IS NULL THEN 'bad amount'",
    ]
    if "profit" in exprs:
        reason.append("WHEN profit IS NULL THEN 'bad profit'")
    names = ", ".join(exprs)
    inner = ", ".join(f"{expr} AS {name}" for name, expr in exprs.items())
    return (f"SELECT {names}, CASE {' '.join(reason)} END AS reason "
            f"FROM (SELECT {inner} FROM {relation}) parsed")


def valid_sql(checked: str, columns: ColumnMap, *, drop_duplicates: bool = False) -> str:
    """The good rows of a checked relation, money as exact decimals."""
    fields = columns.fields()
    cols = ["customer_id", "date", f"CAST(amount AS {MONEY_TYPE}) AS amount"]
    if "order_id" in fields:
        cols.append("order_id")
    if "profit" in fields:
        cols.append(f"CAST(profit AS {MONEY_TYPE}) AS profit")
    distinct = "DISTINCT " if drop_duplicates else ""
    return f"SELECT {distinct}{', '.join(cols)} FROM {checked} WHERE reason IS NULL"


def count_sql(checked: str, as_of) -> str:
    """Rows, rejected rows by reason and good rows after ``as_of``, as one row."""
    parts = ["COUNT(*) AS rows_read"]
    parts += [f"SUM(CASE WHEN reason = '{r}' THEN 1 ELSE 0 END) AS reason_{i}" for i, r in enumerate(REASONS)]
    parts.append(f"SUM(CASE WHEN reason IS NULL AND CAST(date AS DATE) > DATE '{as_of}' THEN 1 ELSE 0 END) AS after_as_of")
    return f"SELECT {', '.join(parts)} FROM {checked}"


def read_counts(row) -> tuple[int, dict[str, int], int]:
    """``(rows_read, rejected by reason, rows after as_of)`` from the :func:`count_sql` row."""
    rows_read = int(row[0] or 0)
    rejected = {r: int(row[1 + i] or 0) for i, r in enumerate(REASONS) if int(row[1 + i] or 0)}
    return rows_read, rejected, int(row[1 + len(REASONS)] or 0)


def check_counts(source: TransactionSource, rows_read: int, rejected: dict[str, int], after: int, as_of) -> None:
    """One-line errors for an input with nothing to score."""
    if rows_read == 0:
        raise DataError(f"{source.path}: no transactions (the input has a header but no rows)")
    total = sum(rejected.values())
    if total == rows_read:
        why = ", ".join(f"{n} {r}" for r, n in rejected.items())
        raise DataError(f"{source.path}: all {rows_read} rows rejected ({why}); check the column map and --date-format")
    if total + after == rows_read:
        raise DataError(f"{source.path}: no valid transaction on or before as_of {as_of}")
