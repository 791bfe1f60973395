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
from tierkit.errors import Param, TierkitError
from tierkit.features.definition import FEATURE_COLUMNS, feature_sql
from tierkit.messages import Message

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
        raise TierkitError("not_supported_either", param=Param("dialect"), value=repr(dialect),
                           choices=Message("either_or", first="'duckdb'", last="'spark'"))
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


#: Transactions aggregated in one DuckDB pass. DuckDB spills most of a large aggregation to disk,
#: but not all of it: past some 25 million (customer, day) groups 1 GB ran out. Larger inputs are
#: aggregated one hash partition of the customers at a time, so memory stays flat.
ROWS_PER_PASS = 20_000_000


def write_by_customer(con, relation: str, path, rows: int, query_of) -> None:
    """Write ``query_of(relation)`` (one row per customer) to Parquet ``path``, sorted by ``customer_id``.

    The table grows with the customers, so DuckDB writes it out of core. Past
    :data:`ROWS_PER_PASS` transactions, the rows of ``relation`` are read (and checked) once
    into Parquet files partitioned by a hash of the customer, each partition is aggregated
    alone (a customer's row depends on his transactions only), and the parts are merged in
    customer order. The file is the same either way.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The connection holding ``relation``.
    relation : str
        Canonical transactions (a view or table with ``customer_id``).
    path : str or Path
        The Parquet file to write; partitions and parts go beside it and are removed.
    rows : int
        Transactions in ``relation`` (decides the partitions).
    query_of : callable
        ``query_of(relation)`` -> the SQL of one row per customer of ``relation``, sorted by
        ``customer_id``.

    Examples
    --------
    >>> import duckdb, tempfile, os
    >>> import pyarrow.parquet as pq
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE VIEW tx AS SELECT * FROM (VALUES ('b', 1), ('a', 2), ('b', 3)) t(customer_id, n)")
    >>> path = os.path.join(tempfile.mkdtemp(), "per_customer.parquet")
    >>> query = lambda r: f"SELECT customer_id, SUM(n) AS n FROM {r} GROUP BY customer_id ORDER BY customer_id"
    >>> write_by_customer(con, "tx", path, 3, query)
    >>> pq.read_table(path).to_pydict()
    {'customer_id': ['a', 'b'], 'n': [2.0, 4.0]}
    """
    import shutil
    from pathlib import Path

    path = Path(path)
    passes = max(1, -(-rows // ROWS_PER_PASS))
    if passes == 1:
        con.execute("SET preserve_insertion_order = true")  # the query's customer order is kept
        con.sql(query_of(relation)).write_parquet(str(path))
        return
    con.execute("SET preserve_insertion_order = false")
    buckets = path.with_name(f"{path.stem}-buckets")
    con.execute(f"COPY (SELECT *, hash(customer_id) % {passes} AS tk_bucket FROM {relation}) "
                f"TO '{buckets}' (FORMAT PARQUET, PARTITION_BY (tk_bucket))")
    parts = []
    for i in range(passes):
        files = sorted(str(f) for f in (buckets / f"tk_bucket={i}").glob("*.parquet"))
        if not files:
            continue
        con.read_parquet(files).create_view("tk_part", replace=True)  # the bucket is in the folder name only
        parts.append(path.with_name(f"{path.stem}-{i}.parquet"))
        con.sql(query_of("tk_part")).write_parquet(str(parts[-1]))
    con.execute("SET preserve_insertion_order = true")
    con.read_parquet([str(p) for p in parts]).order("customer_id").write_parquet(str(path))
    for part in parts:
        part.unlink()
    shutil.rmtree(buckets, ignore_errors=True)
