"""Training on Spark: ``tierkit segment --engine spark`` and :func:`grade_file_spark`.

The transactions (a file, a folder or glob of parts, a URI, or a Spark DataFrame) are read under the
input contract by :class:`tierkit.data.spark_input.SparkInput` (the reader ``score --engine spark``
uses), and the features are the one feature query, spelled for Spark
(:func:`tierkit.features.engines.scoring_feature_sql`): they stay in Spark. The standards are
learned by the same estimators as on one machine, from what Spark computes
(:class:`tierkit.features.statistics.SparkStatistics`): the distinct values of a feature and the
distinct BTYD rows with their counts, a sample of customers chosen by a hash of their id, and exact
quantiles of what an earlier step graded on the executors (the predicted CLV the value-potential
matrix splits at its median). No per-customer row reaches the driver.

The customers are then graded by the executors with the fitted standards. Into a folder or URI
(no ``.csv`` / ``.parquet`` suffix) Spark writes the Parquet parts itself, sorted by customer, and
counts the tiers the alerts need. Into a ``.csv`` or ``.parquet`` file the graded chunks stream in
customer order to the writer ``tierkit segment`` uses on one machine
(:class:`tierkit.output_chunks.ScoreWriter`), with the same labels, headers and alerts: on the same
data the file is the same, byte for byte, whichever engine trained.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tierkit.data import ColumnMap, ReadOptions
from tierkit.data.columns import reading_record
from tierkit.data.files import require_source
from tierkit.errors import AlertWarning, DataError, Param, TierkitError, no_purchase_error
from tierkit.features.columns import FeatureColumns
from tierkit.features.definition import check_time_unit, finish_features, parse_date
from tierkit.features.engines import scoring_feature_sql
from tierkit.features.statistics import SparkStatistics, grading_partitions, run_on_spark
from tierkit.grading import CHUNK_SIZE, GradedFile, Ticker, grade_chunk, header_names
from tierkit.progress import timed
from tierkit.spark.session import default_spark_session, require_pyspark


def grade_file_spark(transactions, out, *, as_of, segmentation, spark=None, columns: ColumnMap | None = None,
                     options: ReadOptions | None = None, time_unit: str = "D", survey=None, lang: str | None = None,
                     headers: str = "keys", currency: str | None = None, alerts_lang: str | None = None,
                     chunk_size: int = CHUNK_SIZE) -> GradedFile:
    """:func:`tierkit.grading.grade_file` on Spark: features, counts and grading in Spark, the same standards.

    Parameters
    ----------
    transactions : str, Path or pyspark.sql.DataFrame
        A file, a folder or glob of Parquet or CSV parts, a URI Spark reads, or a DataFrame of
        transactions (typed columns, as a Parquet file has), checked by the same input contract.
    out : str or Path
        ``.csv`` or ``.parquet``: one file, one row per customer sorted by customer id, written
        atomically, the same bytes as :func:`tierkit.grading.grade_file`. A folder or URI
        without those suffixes (``tiers/``, ``s3a://bucket/tiers``): Parquet parts written by the
        executors, sorted by customer id; it must not exist yet.
    as_of, segmentation, columns, options, time_unit, survey, lang, headers, currency, alerts_lang, chunk_size
        As in :func:`tierkit.grading.grade_file` (``currency`` names the money columns of a CSV only).
    spark : pyspark.sql.SparkSession, optional
        Default :func:`tierkit.spark.session.default_spark_session`.

    Returns
    -------
    GradedFile

    Raises
    ------
    DataError
        A file that cannot be read under the contract, or with no purchase up to ``as_of``.

    Examples
    --------
    On a cluster (``spark-submit``), a DataFrame from the lake in, a Parquet folder out::

        done = grade_file_spark(spark.table("sales.transactions"), "s3a://crm/tiers/2024-12-31",
                                as_of="2024-12-31", segmentation=tk.Segmentation(clv=tk.CLVModel()))
        done.segmentation.standards()
    """
    from tierkit.evaluation.alerts import TierTally, grading_alerts
    from tierkit.output import check_table_path
    from tierkit.output_chunks import ScoreWriter

    require_pyspark()
    to_folder = is_folder_output(out)
    if not to_folder:
        out = check_table_path(out)
        if out.suffix.lower() not in (".csv", ".parquet"):
            raise TierkitError("spark_workbook", path=str(out), flag=Param("engine"), value="local")
    if chunk_size < 1:
        raise DataError("chunk_size", param=Param("chunk_size"), value=chunk_size)
    spark = _session(transactions, spark)
    if to_folder:
        check_folder_output(spark, out)
    with _utc(spark), tempfile.TemporaryDirectory(prefix="tierkit-train-") as tmp:
        fit = _fit(spark, Path(tmp), transactions, as_of=as_of, segmentation=segmentation, columns=columns,
                   options=options, time_unit=time_unit, survey=survey, chunk_size=chunk_size)
        features, example, as_features, n_customers = fit.features, fit.example, fit.as_features, fit.customers
        try:
            start = time.perf_counter()
            tally, ticker = TierTally(), Ticker(n_customers)
            parquet_out = to_folder or out.suffix.lower() == ".parquet"
            header = header_names(example, segmentation, lang, headers, None if parquet_out else currency)
            written_attrs = {**example.attrs, **({"currency": currency} if currency else {})}
            if to_folder:
                with timed(f"graded {n_customers:,} customers into {out} (Spark)"):
                    tally = _grade_on_executors(features, n_customers, as_features, segmentation, example, lang,
                                                header, out)
            else:
                with (timed(f"graded {n_customers:,} customers into {out.name}"),
                      ScoreWriter(out, None, names=header, date_format="%Y-%m-%d",
                                  attrs=written_attrs if parquet_out else None) as writer):
                    for chunk in _chunks(features, list(features.columns), chunk_size):
                        writer.write(grade_chunk(segmentation, as_features(chunk), lang, tally).reset_index())
                        ticker.tick(writer.rows)
            fit.seconds["grade"] = time.perf_counter() - start
        finally:
            features.unpersist()
    alerts = grading_alerts(segmentation, tally, alerts_lang or lang or "en")
    for alert in alerts:
        warnings.warn(AlertWarning(alert), stacklevel=2)
    return GradedFile(segmentation=segmentation, report=fit.report, customers=n_customers, alerts=alerts,
                      attrs=fit.attrs, example=example, out=out, seconds=fit.seconds)


def fit_segmentation_spark(transactions, *, as_of, segmentation, spark=None, columns: ColumnMap | None = None,
                           options: ReadOptions | None = None, time_unit: str = "D", survey=None,
                           chunk_size: int = CHUNK_SIZE) -> GradedFile:
    """Learn a segmentation's standards on Spark, grading nobody: what ``tierkit run`` with ``engine: spark`` fits.

    The reading, the features and every statistic are those of :func:`grade_file_spark`; the
    standards are those :func:`tierkit.grading.grade_file` learns from the same transactions.

    Parameters
    ----------
    transactions, as_of, segmentation, spark, columns, options, time_unit, survey, chunk_size
        As in :func:`grade_file_spark`.

    Returns
    -------
    GradedFile
        With the fitted ``segmentation``, the reading ``report``, the number of ``customers``
        and the first customers' features (``example``); no alerts and no ``out``.
    """
    require_pyspark()
    spark = _session(transactions, spark)
    with _utc(spark), tempfile.TemporaryDirectory(prefix="tierkit-train-") as tmp:
        fit = _fit(spark, Path(tmp), transactions, as_of=as_of, segmentation=segmentation, columns=columns,
                   options=options, time_unit=time_unit, survey=survey, chunk_size=chunk_size)
        fit.features.unpersist()
    return GradedFile(segmentation=segmentation, report=fit.report, customers=fit.customers, alerts=[],
                      attrs=fit.attrs, example=fit.example, out=None, seconds=fit.seconds)


def _session(transactions, spark):
    """The session to train with; a missing local file is refused before one starts."""
    from tierkit.data.spark_input import is_spark_frame

    if is_spark_frame(transactions):
        return spark or transactions.sparkSession
    require_source(transactions)
    return spark or default_spark_session()


@contextlib.contextmanager
def _utc(spark):
    """The session's time zone is UTC while the job runs, and restored afterwards."""
    old_tz = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    try:
        yield
    finally:
        spark.conf.set("spark.sql.session.timeZone", old_tz)


@dataclass
class _Fit:
    """What :func:`_fit` leaves: the persisted features (the caller unpersists them) and the fitted chain."""

    features: object
    customers: int
    report: object
    example: pd.DataFrame
    as_features: object
    attrs: dict
    seconds: dict


def _fit(spark, scratch: Path, transactions, *, as_of, segmentation, columns, options, time_unit, survey,
         chunk_size) -> _Fit:
    """Read under the contract, compute the features in Spark and fit ``segmentation`` from Spark's statistics."""
    from tierkit.data.spark_input import SPARK_FRAME, SparkInput, is_spark_frame

    as_of = parse_date(as_of, "as_of")
    days_per_unit = check_time_unit(time_unit)
    name = SPARK_FRAME if is_spark_frame(transactions) else Path(str(transactions)).name
    seconds, start = {}, time.perf_counter()
    reader = SparkInput(spark, scratch)
    with timed(f"read {name} (Spark)"):
        report = reader.load_file(transactions, columns, options, as_of=as_of)
    fields = reader.plan.columns.fields()
    query = scoring_feature_sql("tk_tx", as_of=as_of, days_per_unit=days_per_unit,
                                has_order_id="order_id" in fields, has_profit="profit" in fields, dialect="spark")
    with timed("built features (Spark)"):
        features = spark.sql(query).persist()
        n_customers = features.count()
    statistics = None
    try:
        if n_customers == 0:
            raise no_purchase_error(report.source, as_of)
        seconds["features"] = time.perf_counter() - start
        # a DataFrame taken as it is was read by nobody: no reading for ``score`` to repeat (as rfm_features(frame))
        plain_frame = is_spark_frame(transactions) and columns is None and options is None
        attrs = {"read_report": report.as_dict(), "reading": None if plain_frame else reading_record(columns, options)}
        frequency_of = "orders" if "order_id" in fields else "purchase_days"
        as_features = _Features(as_of=as_of, time_unit=time_unit, frequency_of=frequency_of, attrs=attrs,
                                survey=survey)
        start = time.perf_counter()
        example = as_features(pd.DataFrame.from_records(features.limit(50).collect(), columns=features.columns))
        statistics = SparkStatistics(features, attrs=example.attrs, n=n_customers, prepare=as_features)
        segmentation.fit_columns(_spark_columns(statistics, survey), chunk_size=chunk_size)
        seconds["fit"] = time.perf_counter() - start
    except BaseException:
        features.unpersist()
        raise
    finally:
        if statistics is not None:
            statistics.release()
    attrs = {**example.attrs, "as_of": str(as_of), "time_unit": time_unit, "frequency_of": frequency_of}
    return _Fit(features=features, customers=n_customers, report=report, example=example, as_features=as_features,
                attrs=attrs, seconds=seconds)


def is_folder_output(out) -> bool:
    """Whether ``out`` names Parquet parts the executors write: a URI, a path ending in ``/``, or one without a suffix.

    Examples
    --------
    >>> is_folder_output("tiers.csv"), is_folder_output("tiers"), is_folder_output("s3a://crm/tiers.v2")
    (False, True, True)
    """
    text = str(out)
    return "://" in text or text.endswith(("/", "\\")) or Path(text).suffix == ""


def check_folder_output(spark, out) -> None:
    """Refuse a folder output that exists: Spark's parts are never written over a previous run's."""
    text = str(out)
    if "://" in text:
        jvm = spark.sparkContext._jvm
        path = jvm.org.apache.hadoop.fs.Path(text)
        exists = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(path)
    else:
        exists = Path(text).exists()
    if exists:
        raise DataError("output_folder_exists", path=text)


@dataclass
class _Features:
    """A chunk of Spark feature rows as the estimators read it (on the driver and on the executors alike)."""

    as_of: object
    time_unit: str
    frequency_of: str
    attrs: dict
    survey: object = None

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame = finish_features(frame, as_of=self.as_of, time_unit=self.time_unit, frequency_of=self.frequency_of)
        frame.attrs.update(self.attrs)
        if self.survey is None:
            return frame
        from tierkit.data.surveys import with_satisfaction

        return with_satisfaction(frame, self.survey)


def _grade_on_executors(features, n: int, as_features, segmentation, example: pd.DataFrame, lang, header: dict,
                        out):
    """Grade every customer on the executors into Parquet parts at ``out``; the tiers counted by Spark."""
    from tierkit.evaluation.alerts import TierTally
    from tierkit.tiers.schemes import table_schemes

    graded_example = grade_chunk(segmentation, example, lang, TierTally()).reset_index()
    dtypes = {c: ("object" if isinstance(t, pd.CategoricalDtype) else t) for c, t in graded_example.dtypes.items()}
    schema = _spark_schema(graded_example.astype(dtypes).rename(columns=header))
    order = list(graded_example.columns)

    def grade(batches):
        from tierkit.errors import TierkitError, carried

        for batch in batches:
            if len(batch) == 0:
                continue
            try:
                table = grade_chunk(segmentation, as_features(batch), lang, TierTally()).reset_index()
            except TierkitError as exc:  # to the driver, as the error it is
                raise carried(exc) from None
            yield table[order].astype(dtypes).rename(columns=header)

    graded = grading_partitions(features, n).mapInPandas(grade, schema)
    run_on_spark(lambda: graded.write.mode("errorifexists").parquet(str(out)))
    # The alerts' counts, from the parts just written (only the tier columns are read back)
    written = features.sparkSession.read.parquet(str(out))
    tally = TierTally()
    tally.rows = n
    for key in [c for c in table_schemes(graded_example) if c in graded_example.columns]:
        column = header.get(key, key)
        counted = written.groupBy(column).count().toPandas().dropna(subset=[column])
        tally.counts[key] = pd.Series(counted["count"].to_numpy(dtype="int64"),
                                      index=counted[column].astype("object").to_numpy()).sort_index()
    if "cs_index" in graded_example.columns:
        column = header.get("cs_index", "cs_index")
        from pyspark.sql import functions as F

        tally.rated = int(written.where(F.col(column).isNotNull() & ~F.isnan(F.col(column))).count())
    return tally


def _spark_schema(frame: pd.DataFrame):
    """The Spark schema of a pandas table (a column of no values, as text)."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema

    fields = []
    for name in frame.columns:
        kind = pa.Array.from_pandas(frame[name]).type
        if pa.types.is_null(kind):
            kind = pa.string()
        elif pa.types.is_dictionary(kind):
            kind = kind.value_type
        fields.append(pa.field(str(name), kind))
    return from_arrow_schema(pa.schema(fields))


def _chunks(features, names: list, size: int):
    """The feature rows in customer order, ``size`` at a time, as pandas frames (partition by partition)."""
    rows = []
    for row in features.toLocalIterator(prefetchPartitions=True):
        rows.append(tuple(row))
        if len(rows) == size:
            yield pd.DataFrame.from_records(rows, columns=names)
            rows = []
    if rows:
        yield pd.DataFrame.from_records(rows, columns=names)


def _spark_columns(statistics: SparkStatistics, survey) -> FeatureColumns:
    """The Spark features as a :class:`FeatureColumns`: statistics from Spark; a column collected only when read.

    The features are sorted by customer and persisted: a narrow select keeps that order.
    """
    return FeatureColumns.of_columns(statistics.columns, rows=len(statistics), attrs=statistics.attrs, survey=survey,
                                     statistics=statistics, read_feature=statistics.column,
                                     read_ids=lambda: statistics.column("customer_id"))
