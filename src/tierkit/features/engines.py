"""The feature query of :func:`tierkit.features.definition.feature_sql`, for DuckDB and Spark.

Both engines run the same definition (``feature_sql``'s text, which training uses too):

* amounts are summed as ``DECIMAL(18, 6)`` (:data:`tierkit.features.definition.MONEY_TYPE`), so every sum is
  exact and independent of the order in which threads or executors add them; a double sum
  differs in its last bit from run to run and from engine to engine, and RFM edges are
  quantiles that sit exactly on customers' values, so one bit moves a customer across an edge;
* a mean is an exact decimal difference cast to DOUBLE, divided once: one correctly rounded
  division in both engines (their ``AVG`` of decimals round differently);
* the two spellings that differ (whole days between dates, and nothing else) come from
  :class:`tierkit.data.dialect.Dialect`; unit literals are written as doubles for both
  (Spark reads ``7.0`` as a decimal and would divide in decimals).

The result columns are cast to DOUBLE (money, times) and BIGINT (counts) at the end.
"""

from __future__ import annotations

from tierkit.data.dialect import DUCKDB, SPARK
from tierkit.errors import TierkitError
from tierkit.features.definition import FEATURE_COLUMNS, feature_sql

_INTEGER_COLUMNS = {"frequency"}
_DATE_COLUMNS = {"first_purchase", "last_purchase"}
DIALECTS = {"duckdb": DUCKDB, "spark": SPARK}


def scoring_feature_sql(relation: str, *, as_of, days_per_unit: int, has_order_id: bool, has_profit: bool,
                        dialect: str = "duckdb") -> str:
    """The feature query over ``relation`` for ``dialect`` ("duckdb" or "spark"), ordered by customer.

    The same :func:`tierkit.features.definition.feature_sql` training runs, spelled for the engine, with
    the result columns cast to DOUBLE (money, times) and BIGINT (counts).

    Examples
    --------
    >>> import datetime as dt
    >>> q = scoring_feature_sql("tx", as_of=dt.date(2021, 4, 1), days_per_unit=7,
    ...                         has_order_id=False, has_profit=False, dialect="spark")
    >>> "datediff(DATE '2021-04-01', c.last_day)" in q, "date_diff" in q
    (True, False)
    """
    if dialect not in DIALECTS:
        raise TierkitError(f"dialect: {dialect!r} is not supported; expected 'duckdb' or 'spark'")
    engine = DIALECTS[dialect]
    sql = feature_sql(relation, as_of=as_of, days_per_unit=days_per_unit, has_order_id=has_order_id,
                      has_profit=has_profit, dialect=engine)
    columns = ["customer_id"] + FEATURE_COLUMNS + (["profit"] if has_profit else [])
    casts = []
    for column in columns:
        quoted = engine.quote(column)
        if column == "customer_id" or column in _DATE_COLUMNS:
            casts.append(quoted)
        else:
            target = "BIGINT" if column in _INTEGER_COLUMNS else "DOUBLE"
            casts.append(f"CAST({quoted} AS {target}) AS {quoted}")
    return f"SELECT {', '.join(casts)} FROM ({sql}) features ORDER BY customer_id"
