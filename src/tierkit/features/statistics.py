"""What the rule-based schemes learn from: distinct feature values with their counts, from any engine.

Every standard a rule-based scheme learns (RFM quantile edges, the RFM classes' means, the ABC
contribution thresholds, the lifecycle gap and purchase percentiles) is a function of the
distinct values of one feature column (or of the ratio of two) and how many customers hold
each: :class:`Distinct` names such a statistic. A *source* answers it:

- :class:`tierkit.tiers._base.FrameStatistics` from a pandas feature table (what ``fit`` uses);
- :class:`ParquetStatistics` with DuckDB from the Parquet file of features
  :func:`tierkit.grading.grade_file` writes, out of core;
- :class:`SparkStatistics` with Spark from a Spark DataFrame of features, so only the distinct
  values reach the driver.

The estimators compute their standards from those counts with one function each (e.g.
:func:`quantiles_of_counts`), whichever engine counted: the standards are equal to the bit, since
counting distinct values is exact on every engine. A value of the ratio is an IEEE division,
correctly rounded on every engine alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Distinct:
    """A statistic: the distinct values of ``column`` (divided by ``over``) among customers with ``where > above``.

    Parameters
    ----------
    column : str
        The feature column.
    over : str, optional
        Divide each customer's value by this column (e.g. the mean gap ``recency_btyd / frequency_btyd``).
    where : str, optional
        Count only the customers whose ``where`` column is above ``above``.
    above : float, default=0.0

    Examples
    --------
    >>> Distinct("recency_btyd", over="frequency_btyd", where="frequency_btyd").columns
    ('recency_btyd', 'frequency_btyd')
    """

    column: str
    over: str | None = None
    where: str | None = None
    above: float = 0.0

    @property
    def columns(self) -> tuple:
        """The feature columns the statistic reads."""
        return tuple(dict.fromkeys(c for c in (self.column, self.over, self.where) if c is not None))


def counts_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a float array, ascending, and how many times each occurs.

    Examples
    --------
    >>> v, c = counts_of(np.array([3.0, 1.0, 3.0]))
    >>> v.tolist(), c.tolist()
    ([1.0, 3.0], [1, 2])
    """
    values, counts = np.unique(np.asarray(values, dtype="float64"), return_counts=True)
    return values, counts.astype("int64")


def quantiles_of_counts(values: np.ndarray, counts: np.ndarray, quantiles) -> np.ndarray:
    """The quantiles of the data whose distinct values are ``values`` (ascending), with ``counts``.

    The same numbers as ``numpy.quantile(data, quantiles)`` (its default, linear method), bit for
    bit: the two order statistics around each quantile's virtual index, interpolated as NumPy does.

    Parameters
    ----------
    values : ndarray of float
        Distinct values, ascending.
    counts : ndarray of int
        How many times each occurs.
    quantiles : array-like of float in [0, 1]

    Returns
    -------
    ndarray of float

    Examples
    --------
    >>> a = quantiles_of_counts(np.array([1.0, 2.0, 10.0]), np.array([2, 1, 1]), [0.5, 0.9])
    >>> a.round(6).tolist(), np.array_equal(a, np.quantile([1.0, 1.0, 2.0, 10.0], [0.5, 0.9]))
    ([1.5, 7.6], True)
    """
    q = np.asarray(quantiles, dtype="float64")
    n = int(np.sum(counts))
    if n == 0:
        raise ValueError("quantiles of no values")
    # NumPy's linear method (Hyndman & Fan 7), step by step as numpy.quantile computes it
    virtual = (n - 1) * q
    previous = np.floor(virtual)
    nxt = previous + 1
    last = virtual >= n - 1
    previous[last], nxt[last] = n - 1, n - 1
    first = virtual < 0
    previous[first], nxt[first] = 0, 0
    gamma = virtual - np.where(last, -1.0, previous)  # NumPy indexes the last value as -1
    ends = np.cumsum(counts)  # customers up to and including each distinct value
    a = values[np.searchsorted(ends, previous.astype("int64"), side="right")]
    b = values[np.searchsorted(ends, nxt.astype("int64"), side="right")]
    # numpy.lib._function_base_impl._lerp
    diff = b - a
    lerp = np.add(a, diff * gamma)
    np.subtract(b, diff * (1 - gamma), out=lerp, where=gamma >= 0.5)
    return lerp


def mean_of_counts(values: np.ndarray, counts: np.ndarray) -> float:
    """The mean of the data with distinct ``values`` and ``counts`` (an exactly rounded sum, any machine).

    Examples
    --------
    >>> mean_of_counts(np.array([1.0, 4.0]), np.array([3, 1]))
    1.75
    """
    n = int(np.sum(counts))
    return math.fsum((np.asarray(values, dtype="float64") * counts).tolist()) / n


def hash_keys(ids) -> np.ndarray:
    """Each id's sampling key: the first 16 hex digits of the MD5 of its UTF-8 text, as an unsigned integer.

    The key DuckDB (``substr(md5(id), 1, 16)``) and Spark (``substring(md5(id), 1, 16)``) order
    by too, so a sample of the customers with the smallest keys is the same on every engine.

    Examples
    --------
    >>> hash_keys(["a"]).tolist()  # md5("a") = 0cc175b9c0f1b6a831c399e269772661
    [919145239626757800]
    """
    import hashlib

    return np.array([int(hashlib.md5(str(i).encode("utf-8")).hexdigest()[:16], 16) for i in ids], dtype="uint64")


def hash_sample_positions(ids, size: int) -> np.ndarray:
    """Positions of the ``size`` ids with the smallest :func:`hash_keys` (ties by id), in id order.

    Examples
    --------
    >>> hash_sample_positions(["a", "b", "c", "d"], 2).tolist()
    [0, 2]
    """
    ids = np.asarray([str(i) for i in ids], dtype=str)
    chosen = np.lexsort((ids, hash_keys(ids)))[:size]
    return chosen[np.argsort(ids[chosen], kind="stable")]


def _sql_distinct(relation: str, request: Distinct, quote) -> str:
    value = f"CAST({quote(request.column)} AS DOUBLE)"
    if request.over is not None:
        value = f"{value} / CAST({quote(request.over)} AS DOUBLE)"
    where = (f" WHERE CAST({quote(request.where)} AS DOUBLE) > {float(request.above)!r}"
             if request.where is not None else "")
    return f"SELECT {value} AS v, COUNT(*) AS n FROM {relation}{where} GROUP BY v ORDER BY v"


def _sql_rows(relation: str, columns, positive, quote) -> str:
    names = [f"CAST({quote(c)} AS DOUBLE) AS c{i}" for i, c in enumerate(columns)]
    keys = ", ".join(f"c{i}" for i in range(len(columns)))
    where = " AND ".join(f"CAST({quote(c)} AS DOUBLE) > 0" for c in positive)
    return (f"SELECT {keys}, COUNT(*) AS n FROM (SELECT {', '.join(names)} FROM {relation}"
            f"{' WHERE ' + where if where else ''}) GROUP BY {keys} ORDER BY {keys}")


class ParquetStatistics:
    """The statistics of a Parquet file of features, counted by DuckDB out of core.

    Parameters
    ----------
    path : str or Path
        ``customer_id`` and the feature columns (:func:`tierkit.grading.write_feature_file`).
    attrs : dict
        The feature table's ``attrs``.
    columns : list of str, optional
        The feature columns (default: those of the file but ``customer_id``).
    memory_limit : str, default="1GB"
    threads : int, optional

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "f.parquet")
    >>> pd.DataFrame({"customer_id": list("abc"), "frequency": [1, 3, 3]}).to_parquet(path)
    >>> v, c = ParquetStatistics(path, attrs={}).distinct(Distinct("frequency"))
    >>> v.tolist(), c.tolist()
    ([1.0, 3.0], [1, 2])
    """

    def __init__(self, path, *, attrs: dict, columns=None, memory_limit: str = "1GB", threads: int | None = None):
        import pyarrow.parquet as pq

        self.path = str(path)
        meta = pq.ParquetFile(self.path)
        self.columns = list(columns) if columns is not None else [
            n for n in meta.schema_arrow.names if n != "customer_id"]
        self.attrs = dict(attrs)
        self._n = meta.metadata.num_rows
        self._memory_limit = memory_limit
        self._threads = threads

    def __len__(self) -> int:
        return self._n

    def time_unit(self) -> str | None:
        """The features' time unit, as their ``attrs`` declare it."""
        return self.attrs.get("time_unit")

    def _query(self, sql_of) -> dict:
        import duckdb

        from tierkit.threads import available_cores

        con = duckdb.connect(config={"memory_limit": self._memory_limit,
                                     "threads": self._threads or available_cores()})
        try:
            path = self.path.replace("'", "''")
            return con.execute(sql_of(f"read_parquet('{path}')", lambda c: '"' + c.replace('"', '""') + '"')
                               ).fetchnumpy()
        finally:
            con.close()

    def distinct(self, request: Distinct) -> tuple[np.ndarray, np.ndarray]:
        """``(values, counts)`` of ``request``, values ascending."""
        table = self._query(lambda relation, quote: _sql_distinct(relation, request, quote))
        return np.asarray(table["v"], dtype="float64"), np.asarray(table["n"], dtype="int64")

    def quantiles(self, column: str, quantiles) -> np.ndarray:
        """``numpy.quantile`` of a column, bit for bit, from its distinct values counted by DuckDB."""
        return quantiles_of_counts(*self.distinct(Distinct(column)), quantiles)

    def sample(self, columns, size: int | None) -> pd.DataFrame:
        """The ``columns`` of every customer, or of the ``size`` with the smallest :func:`hash_keys`, by id."""
        from tierkit.features.definition import typed_feature

        wanted = ", ".join('"' + c.replace('"', '""') + '"' for c in ["customer_id", *columns])

        def sql(relation, quote):
            if size is None or size >= self._n:
                return f"SELECT {wanted} FROM {relation} ORDER BY customer_id"
            # the ``size`` smallest (key, id): first the size-th smallest key, by min(key, n) (a heap of n
            # keys; an ORDER BY ... LIMIT of every customer's key and columns held ~1 GB at 10M customers),
            # then only the customers up to that key are sorted; the same rows, ties on the key included
            key = "substr(md5(customer_id), 1, 16)"
            return (f"SELECT * FROM (SELECT {wanted} FROM {relation} WHERE {key} <= "
                    f"(SELECT list_max(min({key}, {int(size)})) FROM {relation}) "
                    f"ORDER BY {key}, customer_id LIMIT {int(size)}) ORDER BY customer_id")

        table = self._query(sql)
        index = pd.Index(np.asarray(table["customer_id"]).astype(str), name="customer_id")
        frame = pd.DataFrame({c: typed_feature(c, pd.Series(np.asarray(table[c]))).to_numpy() for c in columns},
                             index=index)
        frame.attrs = dict(self.attrs)
        return frame

    def rows(self, columns, positive=()) -> tuple[np.ndarray, np.ndarray]:
        """The distinct rows of ``columns`` among customers whose ``positive`` columns are > 0, and their counts.

        Rows come sorted lexicographically, as :func:`tierkit.clv.bgnbd.distinct_rows` sorts them.
        """
        table = self._query(lambda relation, quote: _sql_rows(relation, columns, positive, quote))
        rows = np.ascontiguousarray(np.column_stack([np.asarray(table[f"c{i}"], dtype="float64")
                                                     for i in range(len(columns))])
                                    ) if len(table["n"]) else np.empty((0, len(columns)))
        return rows, np.asarray(table["n"], dtype="int64")


#: Customers per partition when the executors grade: a Parquet part of about this many rows.
CUSTOMERS_PER_PARTITION = 1_000_000


def grading_partitions(frame, n: int):
    """``frame`` (sorted by customer) in as few partitions as grading needs: one per core, or per 1M customers.

    A feature query sorted by customer has ``spark.sql.shuffle.partitions`` partitions (200 by
    default), each paying for a Python worker's task and written as one Parquet part. The
    customers are spread again by range of id and sorted within each partition, so the parts
    stay in customer order (``coalesce`` would merge partitions by where they are cached, out of
    order).
    """
    cores = frame.sparkSession.sparkContext.defaultParallelism
    wanted = max(cores, -(-n // CUSTOMERS_PER_PARTITION))
    if wanted >= frame.rdd.getNumPartitions():
        return frame
    return frame.repartitionByRange(wanted, "customer_id").sortWithinPartitions("customer_id")


def run_on_spark(action):
    """Run a Spark action; a tierkit error a Python worker raised is raised again here, as itself.

    Parameters
    ----------
    action : callable
        E.g. ``frame.count`` or ``writer.parquet`` with its arguments bound.
    """
    from tierkit.errors import uncarried

    try:
        return action()
    except Exception as exc:
        error = uncarried(exc)
        if error is None:
            raise
        raise error from None


class SparkStatistics:
    """The statistics of a Spark DataFrame of features: Spark counts, only distinct values reach the driver.

    Parameters
    ----------
    frame : pyspark.sql.DataFrame
        ``customer_id`` and the feature columns.
    attrs : dict
        The feature table's ``attrs``.
    n : int
        Its number of customers.
    """

    #: The relative rank error of Spark's ``approxQuantile`` when :meth:`quantiles` brackets an order statistic.
    BRACKET_ERROR = 1e-4

    def __init__(self, frame, *, attrs: dict, n: int, prepare=None, _persisted: list | None = None):
        self.frame = frame
        self.columns = [c for c in frame.columns if c != "customer_id"]
        self.attrs = dict(attrs)
        self._n = int(n)
        self._prepare = prepare
        self._persisted = [] if _persisted is None else _persisted  # shared with the derived statistics

    def __len__(self) -> int:
        return self._n

    def time_unit(self) -> str | None:
        """The features' time unit, as their ``attrs`` declare it."""
        return self.attrs.get("time_unit")

    def distinct(self, request: Distinct) -> tuple[np.ndarray, np.ndarray]:
        """``(values, counts)`` of ``request``, values ascending."""
        from pyspark.sql import functions as F

        value = F.col(request.column).cast("double")
        frame = self.frame
        if request.where is not None:
            frame = frame.where(F.col(request.where).cast("double") > float(request.above))
        if request.over is not None:
            value = value / F.col(request.over).cast("double")
        counted = frame.select(value.alias("v")).groupBy("v").count().orderBy("v").toPandas()
        return counted["v"].to_numpy(dtype="float64"), counted["count"].to_numpy(dtype="int64")

    def quantiles(self, column: str, quantiles) -> np.ndarray:
        """``numpy.quantile`` of a column, bit for bit, with only a few hundred values reaching the driver.

        NumPy interpolates between two order statistics. Each is bracketed by Spark's
        ``approxQuantile`` (rank error :data:`BRACKET_ERROR`); Spark then counts the customers
        below the bracket and the distinct values inside it, and :func:`quantiles_of_counts` reads
        the order statistics there. When a bracket misses (it cannot, by ``approxQuantile``'s
        guarantee), every distinct value is counted instead.
        """
        from pyspark.sql import functions as F

        q = np.asarray(quantiles, dtype="float64")
        value = F.col(column).cast("double")
        bad = self.frame.where(F.isnan(value) | value.isNull() | (F.abs(value) == float("inf"))).limit(1).collect()
        if bad:
            from tierkit.errors import DataError

            raise DataError("not_finite", where="Spark", column=repr(column),
                            customer=repr(str(bad[0]["customer_id"])), value=repr(bad[0][column]))
        n, eps = self._n, self.BRACKET_ERROR
        # the two order statistics NumPy interpolates between, for each quantile
        first = np.clip(np.floor((n - 1) * q), 0, n - 1).astype("int64")
        last = np.minimum(first + 1, n - 1)
        bounds = self.frame.approxQuantile(
            column, [p for lo, hi in zip(first, last, strict=True)
                     for p in (max(0.0, lo / n - 2 * eps), min(1.0, (hi + 1) / n + 2 * eps))], eps)
        lows, highs = bounds[0::2], bounds[1::2]
        inside = None
        for low, high in zip(lows, highs, strict=True):
            window = (value >= low) & (value <= high)
            inside = window if inside is None else inside | window
        row = self.frame.agg(*[F.sum(F.when(value < low, 1).otherwise(0)).alias(f"b{i}")
                               for i, low in enumerate(lows)]).collect()[0]
        below = [int(row[f"b{i}"] or 0) for i in range(len(lows))]
        counted = self.frame.where(inside).select(value.alias("v")).groupBy("v").count().orderBy("v").toPandas()
        window_values = counted["v"].to_numpy(dtype="float64")
        window_counts = counted["count"].to_numpy(dtype="int64")
        out = np.empty(len(q), dtype="float64")
        for i, quantile in enumerate(q):
            keep = (window_values >= lows[i]) & (window_values <= highs[i])
            values, counts = window_values[keep], window_counts[keep]
            if not (below[i] <= first[i] and last[i] < below[i] + counts.sum()):  # pragma: no cover
                values, counts = self.distinct(Distinct(column))  # approxQuantile's bound says it cannot happen
            else:  # the customers outside the bracket, held by its end values: never read
                above = n - below[i] - int(counts.sum())
                values = np.concatenate([values[:1], values, values[-1:]])
                counts = np.concatenate([[below[i]], counts, [above]])
            out[i] = quantiles_of_counts(values, counts, [quantile])[0]
        return out

    def column(self, name: str) -> pd.Series:
        """One column of every customer, in customer order, collected to the driver (a fit that needs it whole)."""
        return self.frame.select(name).toPandas()[name]

    def derive(self, step, names) -> SparkStatistics:
        """The statistics of the features with the columns ``names`` the fitted ``step`` adds, computed by Spark.

        Each partition of features is prepared as on the driver (``prepare``: the dtypes and
        ``attrs`` of :func:`tierkit.features.definition.finish_features`) and graded by ``step``
        on the executors; the result is kept (``persist``) until :meth:`release`.
        """
        from pyspark.sql import types as T

        prepare = self._prepare
        names = list(names)
        key_names = list(self.frame.columns)

        def add(batches):
            import warnings

            from tierkit.errors import TierkitError, carried

            for batch in batches:
                if len(batch) == 0:
                    continue
                try:
                    features = prepare(batch.copy())
                    with warnings.catch_warnings():  # a partition is not the base: the base was warned of at fit
                        warnings.simplefilter("ignore", UserWarning)
                        out = step.transform(features)
                except TierkitError as exc:  # to the driver, as the error it is
                    raise carried(exc) from None
                for name in names:
                    batch[name] = out[name].to_numpy(dtype="float64")
                yield batch[[*key_names, *names]]

        schema = T.StructType([*self.frame.schema.fields, *[T.StructField(n, T.DoubleType()) for n in names]])
        frame = self.frame.mapInPandas(add, schema).persist()  # narrow: the customers keep their order
        self._persisted.append(frame)
        run_on_spark(frame.count)  # graded now: a step that cannot grade a customer fails here, as on one machine
        return SparkStatistics(frame, attrs=self.attrs, n=self._n, prepare=prepare, _persisted=self._persisted)

    def release(self) -> None:
        """Unpersist what :meth:`derive` computed."""
        while self._persisted:
            self._persisted.pop().unpersist()

    def sample(self, columns, size: int | None) -> pd.DataFrame:
        """The ``columns`` of every customer, or of the ``size`` with the smallest :func:`hash_keys`, by id."""
        from pyspark.sql import functions as F

        from tierkit.features.definition import typed_feature

        chosen = self.frame.select("customer_id", *columns)
        if size is not None and size < self._n:
            chosen = chosen.orderBy(F.substring(F.md5(F.col("customer_id")), 1, 16), "customer_id").limit(int(size))
        table = chosen.orderBy("customer_id").toPandas()
        frame = pd.DataFrame({c: typed_feature(c, table[c]).to_numpy() for c in columns},
                             index=pd.Index(table["customer_id"].astype(str), name="customer_id"))
        frame.attrs = dict(self.attrs)
        return frame

    def rows(self, columns, positive=()) -> tuple[np.ndarray, np.ndarray]:
        """The distinct rows of ``columns`` among customers whose ``positive`` columns are > 0, and their counts."""
        from pyspark.sql import functions as F

        frame = self.frame
        for column in positive:
            frame = frame.where(F.col(column).cast("double") > 0)
        keys = [f"c{i}" for i in range(len(columns))]
        counted = (frame.select(*[F.col(c).cast("double").alias(k) for c, k in zip(columns, keys, strict=True)])
                   .groupBy(*keys).count().orderBy(*keys).toPandas())
        rows = np.ascontiguousarray(counted[keys].to_numpy(dtype="float64").reshape(-1, len(columns)))
        return rows, counted["count"].to_numpy(dtype="int64")
