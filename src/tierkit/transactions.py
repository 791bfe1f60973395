"""Reading and checking raw transactions.

A transaction table in tierkit has one row per purchase line and these columns:

=============== ============== ==================================================
column          dtype          meaning
=============== ============== ==================================================
``customer_id`` string         customer key; kept as text (``"00001"`` keeps its zeros)
``date``        datetime64     purchase timestamp (only the day is used for RFM)
``amount``      float64        net revenue of the line; returns are negative
``order_id``    string         optional; purchase occasions are distinct orders
``quantity``    float64        optional
``profit``      float64        optional; ABC tiers use it when present
=============== ============== ==================================================

Policy for awkward rows (documented in the README and pinned by tests):

* **negative amounts** are returns: they reduce ``monetary`` but are not purchase occasions;
* **zero amounts** are purchase occasions worth nothing (free items, full discounts);
* **exact duplicate rows** are kept by default: without a line id, two identical lines are
  indistinguishable from two genuine purchases (CDNOW has 255 of them).
  ``drop_duplicates=True`` removes them;
* **transactions after the observation date** are left out by :func:`tierkit.rfm_features`,
  which warns with their count.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tierkit.errors import DataError

log = logging.getLogger(__name__)

OPTIONAL_COLUMNS = ("order_id", "quantity", "profit")


@dataclass(frozen=True)
class ColumnMap:
    """Names of the source columns that hold each transaction field.

    ``None`` for an optional field means the source has no such column.

    Examples
    --------
    >>> ColumnMap(customer_id="Customer ID", date="InvoiceDate", amount="Revenue").amount
    'Revenue'
    """

    customer_id: str = "customer_id"
    date: str = "date"
    amount: str = "amount"
    order_id: str | None = None
    quantity: str | None = None
    profit: str | None = None

    def fields(self) -> dict[str, str]:
        """Canonical name -> source name, for the fields that are mapped."""
        pairs = {
            "customer_id": self.customer_id,
            "date": self.date,
            "amount": self.amount,
            "order_id": self.order_id,
            "quantity": self.quantity,
            "profit": self.profit,
        }
        return {k: v for k, v in pairs.items() if v is not None}


def read_transactions(
    path,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    order_id: str | None = None,
    quantity: str | None = None,
    profit: str | None = None,
    date_format: str | None = None,
    sep: str | None = None,
    sheet_name: str | int = 0,
    drop_duplicates: bool = False,
) -> pd.DataFrame:
    """Read transactions from CSV, Parquet or Excel into tierkit's canonical table.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.tsv``, ``.txt`` (whitespace separated), ``.parquet`` or ``.xlsx``.
    customer_id, date, amount : str
        Names of the source columns for the required fields.
    order_id, quantity, profit : str, optional
        Names of the source columns for the optional fields.
    date_format : str, optional
        ``strftime`` format of the dates. Integer dates of 8 digits (``19970101``) are read
        as ``%Y%m%d``; other text dates are parsed by pandas' inference.
    sep : str, optional
        Field separator for text files; by default from the extension.
    sheet_name : str or int, default=0
        Sheet of an Excel workbook.
    drop_duplicates : bool, default=False
        Drop rows that repeat another row in every column.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id``, ``date``, ``amount`` and the mapped optional fields.

    Raises
    ------
    DataError
        One line naming the file, column, row and value: missing column, unparseable date,
        non-numeric amount, empty file, empty id.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w").write("cust,day,value\\n007,2021-03-01,10.5\\n")
    >>> t = read_transactions(p, customer_id="cust", date="day", amount="value")
    >>> t["customer_id"].iloc[0], str(t["date"].iloc[0].date()), float(t["amount"].iloc[0])
    ('007', '2021-03-01', 10.5)
    """
    path = Path(path)
    columns = ColumnMap(customer_id, date, amount, order_id, quantity, profit)
    raw = _read_raw(path, columns, sep=sep, sheet_name=sheet_name)
    return normalize_transactions(
        raw,
        columns=columns,
        source=str(path),
        date_format=date_format,
        drop_duplicates=drop_duplicates,
        first_row=_first_data_line(path),
    )


def _first_data_line(path: Path) -> int | None:
    """Line number of the first data row in a text file (after the header), else None."""
    return 2 if path.suffix.lower() in {".csv", ".tsv", ".txt"} else None


def _read_raw(path: Path, columns: ColumnMap, *, sep, sheet_name) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, expected a CSV, Parquet or .xlsx file")
    suffix = path.suffix.lower()
    text_ids = {c: str for c in (columns.customer_id, columns.order_id) if c}
    try:
        if suffix in {".csv", ".tsv", ".txt"}:
            if sep is None:
                sep = {".csv": ",", ".tsv": "\t", ".txt": r"\s+"}[suffix]
            return pd.read_csv(path, sep=sep, dtype=text_ids, keep_default_na=True)
        if suffix in {".parquet", ".pq"}:
            return pd.read_parquet(path)
        if suffix in {".xlsx", ".xlsm"}:
            return pd.read_excel(path, sheet_name=sheet_name, dtype=text_ids)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: file is empty, expected a header and transactions") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: cannot be read as {suffix[1:]}: {first}") from None
    raise DataError(
        f"{path}: unsupported file type {suffix!r}, expected .csv, .tsv, .txt, .parquet or .xlsx"
    )


def normalize_transactions(
    frame: pd.DataFrame,
    *,
    columns: ColumnMap | None = None,
    source: str = "transactions",
    date_format: str | None = None,
    drop_duplicates: bool = False,
    first_row: int | None = None,
) -> pd.DataFrame:
    """Check a transaction frame and bring it to the canonical columns and dtypes.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw transactions.
    columns : ColumnMap, optional
        Where each field is; by default the canonical names.
    source : str, default="transactions"
        Name used in error messages (the file path when read from a file).
    date_format : str, optional
        ``strftime`` format of text dates.
    drop_duplicates : bool, default=False
        Drop exact duplicate rows.
    first_row : int, optional
        File line of the first data row; errors then name the line. Without it, errors name
        the 1-based data row.

    Examples
    --------
    >>> raw = pd.DataFrame({"customer_id": ["a"], "date": [20210301], "amount": ["3"]})
    >>> normalize_transactions(raw).dtypes.astype(str).tolist()
    ['str', 'datetime64[us]', 'float64']
    """
    columns = columns or ColumnMap()
    fields = columns.fields()
    missing = [src for src in fields.values() if src not in frame.columns]
    if missing:
        present = ", ".join(map(str, frame.columns)) or "none"
        raise DataError(
            f"{source}: missing column {', '.join(repr(m) for m in missing)}; "
            f"columns present: {present}"
        )
    if len(frame) == 0:
        raise DataError(f"{source}: no transactions (the file has a header but no rows)")

    def where(pos: int) -> str:
        return f"line {first_row + pos}" if first_row is not None else f"row {pos + 1}"

    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    ids = frame[fields["customer_id"]]
    ids_text = ids.astype("str").str.strip()
    bad = ids.isna().to_numpy() | (ids_text == "").to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{source}: column {fields['customer_id']!r}, {where(pos)}: empty customer id "
            f"({int(bad.sum())} row(s) in all); every transaction needs a customer"
        )
    out["customer_id"] = ids_text.to_numpy()
    out["date"] = _parse_dates(frame[fields["date"]], fields["date"], source, date_format, where)
    out["amount"] = _parse_numbers(frame[fields["amount"]], fields["amount"], source, where)
    if "order_id" in fields:
        order = frame[fields["order_id"]]
        out["order_id"] = order.astype("str").str.strip().where(order.notna()).to_numpy()
    for name in ("quantity", "profit"):
        if name in fields:
            out[name] = _parse_numbers(frame[fields[name]], fields[name], source, where)
    out["customer_id"] = out["customer_id"].astype("str")
    if drop_duplicates:
        before = len(out)
        out = out.drop_duplicates(ignore_index=True)
        log.info("%s: dropped %d exact duplicate rows", source, before - len(out))
    return out


def _parse_numbers(values: pd.Series, column: str, source: str, where) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values):
        raise DataError(f"{source}: column {column!r} holds true/false, expected numbers")
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.astype("float64")
    else:
        text = values.astype("str").str.strip()
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = ~np.isfinite(numbers.to_numpy(na_value=np.nan))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        shown = "empty" if pd.isna(values.iloc[pos]) else repr(str(values.iloc[pos]))
        raise DataError(
            f"{source}: column {column!r}, {where(pos)}: value {shown} is not a number"
            f" ({int(bad.sum())} bad row(s) in all)"
        )
    return numbers.to_numpy()


def _parse_dates(values: pd.Series, column: str, source: str, date_format, where):
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
        if getattr(values.dt, "tz", None) is not None:
            parsed = values.dt.tz_localize(None)
    elif pd.api.types.is_integer_dtype(values) or (
        pd.api.types.is_float_dtype(values) and date_format is None
    ):
        # 19970101 read as a number would become nanoseconds since 1970 and every recency
        # would be zero: integers must be 8-digit YYYYMMDD (or come with a format).
        fmt = date_format or "%Y%m%d"
        text = values.astype("Int64").astype("str")
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    else:
        text = values.astype("str").str.strip()
        if date_format is not None:
            parsed = pd.to_datetime(text, format=date_format, errors="coerce")
        else:
            parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    bad = parsed.isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        shown = "empty" if pd.isna(values.iloc[pos]) else repr(str(values.iloc[pos]))
        expected = f"format {date_format!r}" if date_format else "a date such as 2021-04-01"
        raise DataError(
            f"{source}: column {column!r}, {where(pos)}: value {shown} is not a date; "
            f"expected {expected} ({int(bad.sum())} bad row(s) in all)"
        )
    return parsed.to_numpy()
