"""RFM features as of an observation date, aggregated with DuckDB.

One SQL query turns a canonical transaction table (see :mod:`tierkit.data`) into one
row per customer. DuckDB runs it on an in-memory frame or straight on CSV/Parquet files with
bounded memory, so the same definitions serve notebooks and month-end batch scoring.

Definitions (``unit`` is 1 day for ``time_unit="D"`` and 7 days for ``"W"``; only the day of
a timestamp counts; transactions after ``as_of`` are left out):

* a **purchase day** is a day with at least one line of non-negative amount (returns alone do
  not make a purchase occasion; a zero amount does);
* ``recency`` = (as_of - last purchase day) / unit; ``tenure`` = (as_of - first purchase day)
  / unit;
* ``frequency`` = purchase occasions: distinct orders with a non-negative line when an order
  id is given, else purchase days;
* ``monetary`` = total net spend (returns subtract);
* ``frequency_btyd`` = purchase days - 1 (repeat purchases); ``recency_btyd`` = (last - first
  purchase day) / unit; ``T`` = tenure; ``monetary_btyd`` = mean net spend of the repeat
  purchase days (the first purchase day excluded), 0 when there is none. These equal
  ``lifetimes.utils.summary_data_from_transaction_data(freq="D")``, divided by 7 for weeks;
* ``profit`` (when the transactions have it) = total profit;
* with ``holdout_end``: ``holdout_purchases`` (purchase days in ``(as_of, holdout_end]``),
  ``holdout_spend`` (net spend there) and ``holdout_duration`` (its length in units).
"""

from __future__ import annotations

import datetime as dt
import warnings

import duckdb
import pandas as pd

# the type money is summed in is the canonical transactions' contract (amounts must fit it), and
# date parameters follow the date rules of the reader: both live in data/, used here
from tierkit.data.columns import ColumnMap, ReadOptions, reading_record
from tierkit.data.contract import MONEY_TYPE as MONEY_TYPE
from tierkit.data.dates import parse_date
from tierkit.data.duckdb_input import DuckDBInput
from tierkit.errors import DataError, Message, TierkitError
from tierkit.paths import path_name
from tierkit.progress import timed
from tierkit.threads import available_cores

TIME_UNITS = {"D": 1, "W": 7}

FEATURE_COLUMNS = [
    "recency",
    "frequency",
    "monetary",
    "tenure",
    "first_purchase",
    "last_purchase",
    "frequency_btyd",
    "recency_btyd",
    "T",
    "monetary_btyd",
]

HOLDOUT_COLUMNS = ["holdout_purchases", "holdout_spend", "holdout_duration"]


def check_time_unit(time_unit: str) -> int:
    """Days in one ``time_unit``; a one-line error for anything but ``"D"`` or ``"W"``."""
    if time_unit not in TIME_UNITS:
        from tierkit.errors import Param

        raise TierkitError("time_unit_choice", param=Param("time_unit"), value=repr(time_unit))
    return TIME_UNITS[time_unit]


def feature_sql(
    relation: str,
    *,
    as_of: dt.date,
    days_per_unit: int,
    has_order_id: bool,
    has_profit: bool,
    holdout_end: dt.date | None = None,
    dialect=None,
) -> str:
    """The DuckDB query that aggregates ``relation`` into the feature table.

    ``relation`` is any DuckDB relation with canonical transaction columns (a registered
    frame, ``read_parquet('folder/*.parquet')`` ...). Rows are ordered by ``customer_id``.

    ``dialect`` (:data:`tierkit.data.dialect.DUCKDB` by default, or ``SPARK``) spells the two
    things the engines write differently (day differences, casts); the query is otherwise one
    text for both.

    Parameters
    ----------
    relation : str
        The relation to aggregate (SQL).
    as_of : datetime.date
        Observation date; later transactions are left out.
    days_per_unit : int
        Days per time unit of ``recency``, ``tenure`` and the BTYD columns.
    has_order_id, has_profit : bool
        Whether ``relation`` has the optional ``order_id`` and ``profit`` columns.
    holdout_end : datetime.date, optional
        End of a holdout period after ``as_of``; adds the holdout columns.
    dialect : Dialect, optional
        The engine's spelling; default DuckDB's.

    Returns
    -------
    str
        The query.
    """
    from tierkit.data.dialect import DUCKDB

    dialect = dialect or DUCKDB
    days = dialect.days_between
    # a double literal in both engines (Spark reads 7.0 as a decimal and would divide in decimals)
    unit = f"CAST({float(days_per_unit)!r} AS DOUBLE)"
    end = holdout_end or as_of
    # as_of and holdout_end are datetime.date values (parse_date), never user text
    profit_line = f", CAST(profit AS {MONEY_TYPE}) AS profit" if has_profit else ""
    profit_day = ", SUM(profit) AS profit" if has_profit else ""
    profit_agg = ", SUM(profit) AS profit" if has_profit else ""
    profit_col = ", CAST(c.profit AS DOUBLE) AS profit" if has_profit else ""
    order_line = ", order_id" if has_order_id else ""
    orders_cte = ""
    orders_join = ""
    frequency = "c.purchase_days"
    if has_order_id:
        # purchase occasions are distinct orders with a non-negative line
        orders_cte = f""",
orders AS (
    SELECT customer_id, COUNT(DISTINCT order_id) AS occasions
    FROM lines WHERE amount >= 0 AND day <= DATE '{as_of}'
    GROUP BY customer_id
)"""
        orders_join = "LEFT JOIN orders o USING (customer_id)"
        frequency = "COALESCE(o.occasions, 0)"
    holdout_cte = holdout_cols = holdout_join = ""
    if holdout_end is not None:
        holdout_cte = f""",
holdout AS (
    SELECT customer_id,
           COUNT(*) FILTER (WHERE is_purchase) AS holdout_purchases,
           SUM(spend) AS holdout_spend
    FROM days WHERE day > DATE '{as_of}'
    GROUP BY customer_id
)"""
        holdout_cols = f"""
      , CAST(COALESCE(h.holdout_purchases, 0) AS BIGINT) AS holdout_purchases
      , CAST(COALESCE(h.holdout_spend, 0) AS DOUBLE) AS holdout_spend
      , {days(f"DATE '{as_of}'", f"DATE '{holdout_end}'")} / {unit} AS holdout_duration"""
        holdout_join = "LEFT JOIN holdout h USING (customer_id)"
    return f"""
WITH lines AS (
    SELECT customer_id, CAST(date AS DATE) AS day, CAST(amount AS {MONEY_TYPE}) AS amount
         {order_line}{profit_line}
    FROM {relation}
    WHERE CAST(date AS DATE) <= DATE '{end}'
),
days AS (
    SELECT customer_id, day, SUM(amount) AS spend, bool_or(amount >= 0) AS is_purchase{profit_day}
    FROM lines GROUP BY customer_id, day
),
calibration AS (
    SELECT customer_id,
           MIN(day) FILTER (WHERE is_purchase) AS first_day,
           MAX(day) FILTER (WHERE is_purchase) AS last_day,
           COUNT(*) FILTER (WHERE is_purchase) AS purchase_days,
           SUM(spend) AS monetary,
           SUM(spend) FILTER (WHERE is_purchase) AS purchase_spend,
           min_by(spend, day) FILTER (WHERE is_purchase) AS first_day_spend
           {profit_agg}
    FROM days WHERE day <= DATE '{as_of}'
    GROUP BY customer_id
){orders_cte}{holdout_cte}
SELECT c.customer_id
     , {days('c.last_day', f"DATE '{as_of}'")} / {unit} AS recency
     , CAST({frequency} AS BIGINT) AS frequency
     , CAST(c.monetary AS DOUBLE) AS monetary
     , {days('c.first_day', f"DATE '{as_of}'")} / {unit} AS tenure
     , c.first_day AS first_purchase
     , c.last_day AS last_purchase
     , CAST(c.purchase_days - 1 AS DOUBLE) AS frequency_btyd
     , {days('c.first_day', 'c.last_day')} / {unit} AS recency_btyd
     , {days('c.first_day', f"DATE '{as_of}'")} / {unit} AS T
     , CASE WHEN c.purchase_days > 1
            THEN CAST(c.purchase_spend - c.first_day_spend AS DOUBLE) / (c.purchase_days - 1)
            ELSE 0.0 END AS monetary_btyd
     {profit_col}{holdout_cols}
FROM calibration c
{orders_join}
{holdout_join}
WHERE c.first_day IS NOT NULL
ORDER BY c.customer_id
"""


def rfm_features(
    transactions: pd.DataFrame,
    as_of=None,
    *,
    time_unit: str = "D",
    calibration_end=None,
    holdout_end=None,
) -> pd.DataFrame:
    """One row of RFM and buy-till-you-die features per customer, as of a date.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (:func:`tierkit.read_transactions`).
    as_of : date-like
        The observation date ("today"); its transactions count, later ones do not.
    time_unit : {"D", "W"}, default="D"
        Unit of ``recency``, ``tenure``, ``recency_btyd`` and ``T``: days, or fractional
        weeks (days / 7, as in the published CDNOW data).
    calibration_end : date-like, optional
        Same as ``as_of`` (the name used for validation); give one of the two.
    holdout_end : date-like, optional
        Adds ``holdout_purchases``, ``holdout_spend`` and ``holdout_duration`` for the
        period after ``as_of`` up to this date.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (sorted), columns as in the module docs. ``attrs`` holds
        ``as_of``, ``time_unit``, ``holdout_end``, ``frequency_of`` (``"orders"`` or
        ``"purchase_days"``) and, for transactions read by :func:`tierkit.read_transactions`,
        ``reading`` (how they were read).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "date": pd.to_datetime(["2021-03-01", "2021-03-11", "2021-03-25"]),
    ...     "amount": [10.0, 30.0, 5.0]})
    >>> f = rfm_features(tx, as_of="2021-04-01")
    >>> f[["recency", "frequency", "monetary", "frequency_btyd", "monetary_btyd"]]
                 recency  frequency  monetary  frequency_btyd  monetary_btyd
    customer_id
    a               21.0          2      40.0             1.0           30.0
    b                7.0          1       5.0             0.0            0.0
    """
    if as_of is None and calibration_end is None:
        from tierkit.errors import Param

        raise TierkitError("as_of_required", param=Param("as_of"))
    if as_of is not None and calibration_end is not None and parse_date(as_of, "as_of") != parse_date(
        calibration_end, "calibration_end"
    ):
        from tierkit.errors import Param

        raise TierkitError("as_of_and_calibration", param=Param("as_of"), other=Param("calibration_end"))
    as_of = parse_date(as_of if as_of is not None else calibration_end, "as_of")
    check_time_unit(time_unit)
    end = None if holdout_end is None else parse_date(holdout_end, "holdout_end")
    missing = [c for c in ("customer_id", "date", "amount") if c not in transactions.columns]
    if missing:
        from tierkit.errors import Param

        raise TierkitError("transactions_columns", param=Param("transactions"), missing=", ".join(map(repr, missing)))
    wanted = ["customer_id", "date", "amount"] + [c for c in ("order_id", "profit") if c in transactions.columns]
    with duckdb.connect(config={"threads": available_cores()}) as con:
        con.register("tx", transactions[wanted])
        features = features_from_view(con, "tx", as_of=as_of, time_unit=time_unit, holdout_end=end,
                                      has_order_id="order_id" in transactions.columns,
                                      has_profit="profit" in transactions.columns, stacklevel=3)
    if "reading" in transactions.attrs:  # how the transactions were read travels to a saved model
        features.attrs["reading"] = transactions.attrs["reading"]
    return features


#: What ``frequency`` counts (``attrs["frequency_of"]``), as messages say it.
FREQUENCY_OF = {"orders": Message("frequency_of_orders"), "purchase_days": Message("frequency_of_purchase_days")}
#: How to compute features that count frequency as the standards did.
FREQUENCY_REMEDY = {"orders": Message("frequency_remedy_orders"),
                    "purchase_days": Message("frequency_remedy_purchase_days")}

def file_features(path, as_of, *, columns: ColumnMap | None = None, options: ReadOptions | None = None,
                  time_unit: str = "D", holdout_end=None, memory_limit: str | None = None):
    """RFM features straight from a transaction file, in one DuckDB session: ``(features, report)``.

    The same as ``rfm_features(read_transactions(path, ...), as_of, ...)`` (a test pins it),
    without bringing the transactions into Python; the command line uses it. The file is read
    by the one reader of :mod:`tierkit.data`.

    Parameters
    ----------
    path : str or Path
        A transaction file, or a folder or glob of parts, as for :func:`tierkit.read_transactions`.
    as_of : date-like
        Observation date.
    columns : ColumnMap, optional
        Source columns of each field; default the canonical names.
    options : ReadOptions, optional
        File layout and the bad-row policy; default :class:`tierkit.ReadOptions`.
    time_unit, holdout_end
        As in :func:`tierkit.rfm_features`.
    memory_limit : str, optional
        DuckDB's memory limit (``"2GB"`` ...); default DuckDB's.

    Returns
    -------
    features : pandas.DataFrame
        The feature table of :func:`tierkit.rfm_features`; ``attrs["read_report"]`` holds the
        counts.
    report : ReadReport
        Rows read, kept and left out.

    Examples
    --------
    >>> from tierkit.datasets import cdnow_path
    >>> f, report = file_features(cdnow_path(), "1998-06-30", columns=ColumnMap(amount="dollar_value"))
    >>> len(f), report.rows_read
    (23570, 69659)
    """
    with DuckDBInput(memory_limit=memory_limit) as reader:
        with timed(f"read {path_name(path)}"):
            report = reader.load_file(path, columns, options)
        features = features_from_view(reader.con, "tk_tx", as_of=as_of, time_unit=time_unit,
                                      holdout_end=holdout_end, has_order_id=reader.plan.columns.order_id is not None,
                                      has_profit=reader.plan.columns.profit is not None, stacklevel=3)
    features.attrs["read_report"] = report.as_dict()
    features.attrs["reading"] = reading_record(columns, options)
    return features, report


def check_frequency_of(frequency_of: str | None, order_column: str | None, who: str) -> None:
    """One-line error when reading with (or without) ``order_column`` would count ``frequency`` another way.

    Parameters
    ----------
    frequency_of : {"orders", "purchase_days"} or None
        What the standards' ``frequency`` counted (None: not recorded, nothing to check).
    order_column : str or None
        The order column the transactions would be read with.
    who : str
        The model, as messages name it.

    Examples
    --------
    >>> check_frequency_of("orders", "InvoiceNo", "the model 'm'")
    >>> check_frequency_of("purchase_days", "InvoiceNo", "the model 'm'")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: order column 'InvoiceNo': the model 'm' counts frequency as purchase days (no \
order column); leave the order column out (--order-col; order_id)
    """
    if frequency_of == "purchase_days" and order_column is not None:
        raise DataError("order_column_unwanted", column=repr(order_column), who=who)
    if frequency_of == "orders" and order_column is None:
        raise DataError("order_column_needed", who=who)


#: An observation date this many days or more after the last transaction is warned about.
STALE_AS_OF_DAYS = 365


def features_from_view(con, relation: str, *, as_of, time_unit: str = "D", holdout_end=None,
                       has_order_id: bool = False, has_profit: bool = False, stacklevel: int = 2) -> pd.DataFrame:
    """The feature table of the canonical transactions in the DuckDB relation ``relation``.

    The one place features are computed for training: :func:`rfm_features` (a frame) and
    :func:`file_features` (a file) both come here. Warns with the count of
    transactions after the end date, which are left out.
    """
    as_of = parse_date(as_of, "as_of")
    days_per_unit = check_time_unit(time_unit)
    end = None if holdout_end is None else parse_date(holdout_end, "holdout_end")
    if end is not None and end <= as_of:
        from tierkit.errors import Param

        raise TierkitError("holdout_after", param=Param("holdout_end"), end=end, as_of=as_of)
    with timed("built features"):
        features = _features_from_view(con, relation, as_of=as_of, days_per_unit=days_per_unit, end=end,
                                       has_order_id=has_order_id, has_profit=has_profit, stacklevel=stacklevel + 1)
        return finish_features(features, as_of=as_of, time_unit=time_unit, holdout_end=end,
                               frequency_of="orders" if has_order_id else "purchase_days")


def _features_from_view(con, relation, *, as_of, days_per_unit, end, has_order_id, has_profit, stacklevel):
    warn_about_span(con, relation, as_of=as_of, end=end, stacklevel=stacklevel + 1)
    query = feature_sql(relation, as_of=as_of, days_per_unit=days_per_unit, has_order_id=has_order_id,
                        has_profit=has_profit, holdout_end=end)
    return con.sql(query).to_arrow_table().to_pandas()  # faster than .df() for text


def warn_about_span(con, relation: str, *, as_of, end=None, stacklevel: int = 2) -> None:
    """Warn of transactions after the end date (left out), and of an ``as_of`` outside the data's span.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The connection holding ``relation``.
    relation : str
        Canonical transactions.
    as_of : datetime.date
        Observation date (calibration end).
    end : datetime.date, optional
        Holdout end; the last day read.
    stacklevel : int, default=2
        Of the warnings.

    Examples
    --------
    >>> import duckdb, datetime as dt, warnings
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE VIEW tx AS SELECT TIMESTAMP '2024-03-01' AS date")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_about_span(con, "tx", as_of=dt.date(2024, 2, 1))
    >>> [str(w.message) for w in caught]
    ['1 transaction(s) after 2024-02-01 left out', 'as_of 2024-02-01 is before the first transaction: \
the transactions run from 2024-03-01 to 2024-03-01']
    """
    last = end or as_of
    later, first_day, last_day = con.execute(
        f"SELECT COUNT(*) FILTER (WHERE CAST(date AS DATE) > DATE '{last}'), MIN(CAST(date AS DATE)), "
        f"MAX(CAST(date AS DATE)) FROM {relation}").fetchall()[0]
    from tierkit.errors import DataWarning, LaterTransactionsWarning, Param

    if later:
        warnings.warn(LaterTransactionsWarning("warn_after_as_of", count=later, date=last), stacklevel=stacklevel)
    if first_day is not None:
        if as_of < first_day:
            warnings.warn(DataWarning("warn_as_of_early", param=Param("as_of"), as_of=as_of, first=first_day,
                                      last=last_day), stacklevel=stacklevel)
        elif (as_of - last_day).days > STALE_AS_OF_DAYS:
            warnings.warn(DataWarning("warn_as_of_late", param=Param("as_of"), as_of=as_of,
                                      days=(as_of - last_day).days, first=first_day, last=last_day),
                          stacklevel=stacklevel)


def finish_features(features: pd.DataFrame, *, as_of, time_unit, holdout_end=None,
                    frequency_of: str | None = None) -> pd.DataFrame:
    """Index, dtypes and ``attrs`` of a feature table fresh from SQL.

    ``frequency_of`` says what ``frequency`` counts: ``"orders"`` (distinct orders, with an
    order column) or ``"purchase_days"``; the standards learned on one are refused on the other.
    """
    features["customer_id"] = features["customer_id"].astype("str")
    features = features.set_index("customer_id")
    for col in ("first_purchase", "last_purchase", "frequency"):
        features[col] = typed_feature(col, features[col])
    features.attrs.update(
        as_of=str(as_of), time_unit=time_unit, holdout_end=None if holdout_end is None else str(holdout_end)
    )
    if frequency_of is not None:
        features.attrs["frequency_of"] = frequency_of
    return features


def typed_feature(name: str, values: pd.Series) -> pd.Series:
    """A feature column fresh from SQL (or Parquet) in the dtype of the feature table.

    Dates become ``datetime64``, ``frequency`` ``int64``; the other columns are as they come.

    Examples
    --------
    >>> typed_feature("frequency", pd.Series([2.0])).dtype
    dtype('int64')
    """
    if name in ("first_purchase", "last_purchase"):
        return pd.to_datetime(values)
    if name == "frequency":
        return values.astype("int64")
    return values


def time_unit_from_dates(features: pd.DataFrame) -> str | None:
    """The time unit the feature table itself proves: ``"D"``, ``"W"`` or ``None`` (no proof).

    ``recency_btyd`` is ``(last_purchase - first_purchase) / unit``, so every customer who
    bought on two different days gives the unit exactly. ``None`` when the table has no
    ``first_purchase`` / ``last_purchase`` dates (e.g. a model's input of numbers only), no such
    customer, or days per unit that are neither 1 nor 7 for every one of them.

    Parameters
    ----------
    features : pandas.DataFrame
        A feature table (:func:`rfm_features`), with or without ``attrs``.

    Returns
    -------
    str or None

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a"], "amount": [1.0, 2.0],
    ...     "date": pd.to_datetime(["2021-03-01", "2021-03-11"])})
    >>> f = rfm_features(tx, as_of="2021-04-01", time_unit="W")
    >>> f.attrs.clear()
    >>> time_unit_from_dates(f)
    'W'
    """
    needed = ("first_purchase", "last_purchase", "recency_btyd")
    if not isinstance(features, pd.DataFrame) or any(c not in features.columns for c in needed):
        return None
    try:
        first = pd.to_datetime(features["first_purchase"])
        last = pd.to_datetime(features["last_purchase"])
        span = pd.to_numeric(features["recency_btyd"]).to_numpy(dtype="float64")
    except (TypeError, ValueError):
        return None
    days = ((last - first) / pd.Timedelta(days=1)).to_numpy(dtype="float64")
    known = (span > 0) & (days > 0)
    if not known.any():
        return None
    ratio = days[known] / span[known]
    for unit, per in TIME_UNITS.items():
        if abs(ratio - per).max() <= 1e-6 * per:
            return unit
    return None


def features_time_unit(features: pd.DataFrame) -> str | None:
    """The features' time unit: ``attrs["time_unit"]``, else what their dates prove, else ``None``.

    Parameters
    ----------
    features : pandas.DataFrame
        A feature table.

    Returns
    -------
    str or None

    Examples
    --------
    >>> features_time_unit(pd.DataFrame({"T": [3.0]}))  # nothing says
    """
    declared = features.attrs.get("time_unit") if isinstance(features, pd.DataFrame) else None
    return declared if declared is not None else time_unit_from_dates(features)
