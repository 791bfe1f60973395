"""Files and frames in, canonical transactions out: one reader, one policy, for training and scoring.

A transaction table in tierkit has one row per purchase line and these columns:

=============== ============== ==================================================
column          dtype          meaning
=============== ============== ==================================================
``customer_id`` string         customer key, text exactly as written
``date``        datetime64     purchase timestamp on its own clock (the day counts)
``amount``      float64        net revenue of the line; returns are negative
``order_id``    string         optional; purchase occasions are distinct orders
``quantity``    float64        optional
``profit``      float64        optional; ABC tiers use it when present
=============== ============== ==================================================

A source is a file, or a folder or glob pattern of Parquet or CSV parts read as one file
(:func:`tierkit.data.files.describe_file`), the same for training and scoring. The rules
(dates, ids, numbers, bad rows) are written once, as SQL, in
:mod:`tierkit.data.contract` and :mod:`tierkit.data.dates`; DuckDB runs them for training and
local scoring (:mod:`tierkit.data.duckdb_input`), Spark for cluster scoring
(:mod:`tierkit.data.spark_input`). Policy for awkward rows:

* **negative amounts** are returns: they reduce ``monetary`` but are not purchase occasions;
* **zero amounts** are purchase occasions worth nothing;
* **exact duplicate rows** are kept by default (two identical lines may be two purchases);
  ``drop_duplicates=True`` removes rows that repeat another in every source column;
* **rows without a customer id** (guest checkouts) are refused unless
  ``missing_customers="drop"``; **bad dates and numbers** are refused unless
  ``on_bad_rows="skip"``; either way the count is reported and ``rejects`` gets the rows;
* **transactions after the observation date** are left out by the feature step, with a warning.
"""

from __future__ import annotations

import pandas as pd

from tierkit.data.columns import OPTIONAL_COLUMNS, ColumnMap, ReadOptions, reading_record
from tierkit.data.duckdb_input import DuckDBInput
from tierkit.data.report import ReadReport
from tierkit.paths import path_name
from tierkit.progress import timed

__all__ = ["ColumnMap", "ReadOptions", "ReadReport", "read_transactions", "normalize_transactions",
           "OPTIONAL_COLUMNS"]


def read_transactions(
    path,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str | None = "amount",
    order_id: str | None = None,
    quantity: str | None = None,
    profit: str | None = None,
    price: str | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    sheet: str | int = 0,
    header: bool = True,
    missing_customers: str = "error",
    on_bad_rows: str = "error",
    rejects=None,
    drop_duplicates: bool = False,
    sheet_name: str | int | None = None,
) -> pd.DataFrame:
    r"""Read transactions from CSV (also ``.gz``), Parquet or Excel into tierkit's canonical table.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.tsv``, ``.txt`` (optionally ``.gz``), ``.parquet`` or ``.xlsx``; or a
        folder, or a glob pattern (``"parts/*.parquet"``, ``"data/2024-*.csv"``), of Parquet
        or CSV parts, read as the one file they make together: the sources ``tierkit score``
        takes, by the same rules (:func:`tierkit.data.files.describe_file`). A bad row of CSV
        parts is named by its part and line (``sales/part-2.csv line 14``), and ``rejects``
        then gets a first column ``file``.
    customer_id, date : str
        Source columns of the customer id and the purchase date; by position (``"1"``,
        ``"2"`` ...) when ``header=False``.
    amount : str or None, default="amount"
        Source column of the net amount. Give ``price`` and ``quantity`` instead to make
        amount = price x quantity.
    order_id, quantity, profit, price : str, optional
        Source columns of the optional fields.
    date_format : str, optional
        ``strftime`` format of text dates; by default decided from all values of the column
        (see :mod:`tierkit.data.dates`), and refused when they allow two readings.
    timezone : str, optional
        Convert time-zone-aware timestamps to this zone's clock first.
    sep, encoding, sheet, header
        File layout (:class:`ReadOptions`); ``sep`` is sniffed and UTF-8 assumed when None.
    missing_customers : {"error", "drop"}, default="error"
    on_bad_rows : {"error", "skip"}, default="error"
    rejects : str or Path, optional
        CSV file for the rows left out (line, reason, raw cells).
    drop_duplicates : bool, default=False
        Drop rows that repeat another row in every source column.
    sheet_name : str or int, optional
        Older name of ``sheet``.

    Returns
    -------
    pandas.DataFrame
        Canonical columns (module docs); ``attrs["read_report"]`` holds the counts.

    Raises
    ------
    DataError
        One line naming the file, column, line and value.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w").write("cust;day;value\n007;31/03/2021;10.5\nNA;01/04/2021;2\n")
    >>> t = read_transactions(p, customer_id="cust", date="day", amount="value")
    >>> t["customer_id"].tolist(), t["date"].dt.strftime("%Y-%m-%d").tolist(), t["amount"].tolist()
    (['007', 'NA'], ['2021-03-31', '2021-04-01'], [10.5, 2.0])

    A folder of monthly exports, or a glob of some of them, reads as one file:

    >>> folder = tempfile.mkdtemp()
    >>> for month, row in (("2021-03", "A,2021-03-31,10"), ("2021-04", "B,2021-04-01,2")):
    ...     _ = open(os.path.join(folder, f"{month}.csv"), "w").write("customer_id,date,amount\n" + row + "\n")
    >>> read_transactions(folder)["customer_id"].tolist(), len(read_transactions(os.path.join(folder, "*-04.csv")))
    (['A', 'B'], 1)
    """
    columns = ColumnMap(customer_id, date, amount, order_id, quantity, profit, price)
    options = ReadOptions(sep=sep, encoding=encoding, sheet=sheet if sheet_name is None else sheet_name,
                          header=header, date_format=date_format, timezone=timezone,
                          missing_customers=missing_customers, on_bad_rows=on_bad_rows, rejects=rejects,
                          drop_duplicates=drop_duplicates)
    return read_file(path, columns, options)


def read_file(path, columns: ColumnMap | None = None, options: ReadOptions | None = None) -> pd.DataFrame:
    """:func:`read_transactions` with the column map and options as objects (the CLI's entry).

    ``attrs["read_report"]`` holds the counts of rows read, kept and left out.
    """
    with DuckDBInput() as reader, timed(f"read {path_name(path)}"):
        report = reader.load_file(path, columns, options)
        frame = reader.transactions()
    frame.attrs["read_report"] = report.as_dict()
    frame.attrs["reading"] = reading_record(columns, options)
    return frame


def normalize_transactions(
    frame: pd.DataFrame,
    *,
    columns: ColumnMap | None = None,
    source: str = "transactions",
    date_format: str | None = None,
    timezone: str | None = None,
    missing_customers: str = "error",
    on_bad_rows: str = "error",
    drop_duplicates: bool = False,
) -> pd.DataFrame:
    """Check a transaction frame and bring it to the canonical columns, under the same rules as files.

    Parameters
    ----------
    frame : pandas.DataFrame
        The transactions, one row per purchase line.
    columns : ColumnMap, optional
        Columns of ``frame`` holding each field; default the canonical names.
    source : str, default="transactions"
        Name of the frame in messages.
    date_format, timezone, missing_customers, on_bad_rows, drop_duplicates
        As in :func:`read_transactions`.

    Returns
    -------
    pandas.DataFrame
        Canonical columns (module docs); ``attrs["read_report"]`` holds the counts.

    Examples
    --------
    >>> raw = pd.DataFrame({"customer_id": ["a"], "date": [20210301], "amount": ["3"]})
    >>> normalize_transactions(raw).dtypes.astype(str).tolist()
    ['str', 'datetime64[us]', 'float64']
    """
    options = ReadOptions(date_format=date_format, timezone=timezone, missing_customers=missing_customers,
                          on_bad_rows=on_bad_rows, drop_duplicates=drop_duplicates)
    with DuckDBInput() as reader:
        report = reader.load_frame(frame, columns, options, source=source)
        out = reader.transactions()
    out.attrs["read_report"] = report.as_dict()
    out.attrs["reading"] = reading_record(columns, options)
    return out
