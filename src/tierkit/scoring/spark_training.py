"""Training on Spark: ``tierkit segment --engine spark`` and :func:`grade_file_spark`.

The transactions are read under the input contract by :class:`tierkit.data.spark_input.SparkInput`
(the reader ``score --engine spark`` uses), and the features are the one feature query,
spelled for Spark (:func:`tierkit.features.engines.scoring_feature_sql`): they stay in Spark.
The standards are learned by the same estimators as on one machine, from what Spark counts
(:class:`tierkit.features.statistics.SparkStatistics`): the distinct values of a feature and
the distinct BTYD rows, with their counts. So the rule-based schemes and the CLV model are
learned without a per-customer row reaching the driver. The k-means step still learns from its
feature columns, which are then collected to the driver (a sample chosen by a hash of the
customer id is the next step).

The customers are then graded in chunks, streamed in customer order from Spark into the writer
``tierkit segment`` uses on one machine (:class:`tierkit.output_chunks.ScoreWriter`), with the same
labels, headers and alerts: on the same data the file is the same, byte for byte, whichever
engine trained.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from tierkit.data import ColumnMap, ReadOptions
from tierkit.data.columns import reading_record
from tierkit.data.files import require_source
from tierkit.errors import AlertWarning, DataError, Param, TierkitError, no_purchase_error
from tierkit.features.columns import FeatureColumns
from tierkit.features.definition import check_time_unit, finish_features, parse_date, typed_feature
from tierkit.features.engines import scoring_feature_sql
from tierkit.features.statistics import SparkStatistics
from tierkit.grading import CHUNK_SIZE, GradedFile, Ticker, grade_chunk, header_names
from tierkit.progress import timed
from tierkit.scoring.spark import _require_pyspark, default_spark_session


def grade_file_spark(transactions, out, *, as_of, segmentation, spark=None, columns: ColumnMap | None = None,
                     options: ReadOptions | None = None, time_unit: str = "D", survey=None, lang: str | None = None,
                     headers: str = "keys", currency: str | None = None, alerts_lang: str | None = None,
                     chunk_size: int = CHUNK_SIZE) -> GradedFile:
    """:func:`tierkit.grading.grade_file` on Spark: features and counts in Spark, the same standards and output.

    Parameters
    ----------
    transactions : str or Path
        A file, a folder or glob of Parquet or CSV parts, or a URI Spark reads.
    out : str or Path
        ``.csv`` or ``.parquet``: one row per customer, sorted by customer id, written atomically.
    as_of, segmentation, columns, options, time_unit, survey, lang, headers, currency, alerts_lang, chunk_size
        As in :func:`tierkit.grading.grade_file`.
    spark : pyspark.sql.SparkSession, optional
        Default :func:`tierkit.scoring.spark.default_spark_session`.

    Returns
    -------
    GradedFile

    Raises
    ------
    DataError
        A file that cannot be read under the contract, or with no purchase up to ``as_of``.
    """
    _require_pyspark()
    from tierkit.data.spark_input import SparkInput
    from tierkit.data.surveys import with_satisfaction
    from tierkit.evaluation.alerts import TierTally, grading_alerts
    from tierkit.output import check_table_path
    from tierkit.output_chunks import ScoreWriter

    as_of = parse_date(as_of, "as_of")
    days_per_unit = check_time_unit(time_unit)
    out = check_table_path(out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise TierkitError("spark_workbook", path=str(out), flag=Param("engine"), value="local")
    if chunk_size < 1:
        raise DataError("chunk_size", param=Param("chunk_size"), value=chunk_size)
    require_source(transactions)  # a missing file is refused before a Spark session starts
    spark = spark or default_spark_session()
    old_tz = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    seconds, start = {}, time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="tierkit-train-") as tmp:
            reader = SparkInput(spark, Path(tmp))
            with timed(f"read {Path(str(transactions)).name} (Spark)"):
                report = reader.load_file(transactions, columns, options, as_of=as_of)
            fields = reader.plan.columns.fields()
            query = scoring_feature_sql("tk_tx", as_of=as_of, days_per_unit=days_per_unit,
                                        has_order_id="order_id" in fields, has_profit="profit" in fields,
                                        dialect="spark")
            with timed("built features (Spark)"):
                features = spark.sql(query).persist()
                n_customers = features.count()
            if n_customers == 0:
                features.unpersist()
                raise no_purchase_error(report.source, as_of)
            seconds["features"] = time.perf_counter() - start
            attrs = {"read_report": report.as_dict(), "reading": reading_record(columns, options)}
            frequency_of = "orders" if "order_id" in fields else "purchase_days"
            names = list(features.columns)

            def as_features(frame: pd.DataFrame) -> pd.DataFrame:
                frame = finish_features(frame, as_of=as_of, time_unit=time_unit, frequency_of=frequency_of)
                frame.attrs.update(attrs)
                return with_satisfaction(frame, survey) if survey is not None else frame

            start = time.perf_counter()
            example = as_features(pd.DataFrame.from_records(features.limit(50).collect(), columns=names))
            source = _spark_columns(features, n_customers, example.attrs, survey)
            segmentation.fit_columns(source, chunk_size=chunk_size)
            del source
            seconds["fit"] = time.perf_counter() - start

            start = time.perf_counter()
            tally, ticker = TierTally(), Ticker(n_customers)
            parquet_out = out.suffix.lower() == ".parquet"
            header = header_names(example, segmentation, lang, headers, None if parquet_out else currency)
            written_attrs = {**example.attrs, **({"currency": currency} if currency else {})}
            with (timed(f"graded {n_customers:,} customers into {out.name}"),
                  ScoreWriter(out, None, names=header, date_format="%Y-%m-%d",
                              attrs=written_attrs if parquet_out else None) as writer):
                for chunk in _chunks(features, names, chunk_size):
                    writer.write(grade_chunk(segmentation, as_features(chunk), lang, tally).reset_index())
                    ticker.tick(writer.rows)
            features.unpersist()
            seconds["grade"] = time.perf_counter() - start
    finally:
        spark.conf.set("spark.sql.session.timeZone", old_tz)
    alerts = grading_alerts(segmentation, tally, alerts_lang or lang or "en")
    for alert in alerts:
        warnings.warn(AlertWarning(alert), stacklevel=2)
    attrs = {**example.attrs, "as_of": str(as_of), "time_unit": time_unit, "frequency_of": frequency_of}
    return GradedFile(segmentation=segmentation, report=report, customers=n_customers, alerts=alerts, attrs=attrs,
                      example=example, out=out, seconds=seconds)


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


def _spark_columns(features, n_customers: int, attrs: dict, survey) -> FeatureColumns:
    """The Spark features as a :class:`FeatureColumns`: counts from Spark; a column collected only when read."""
    statistics = SparkStatistics(features, attrs=attrs, n=n_customers)
    names = list(statistics.columns)
    joined = {}

    def customers() -> pd.Index:
        if survey is None:  # positions do: a step fitted on columns never needs to know who is who
            return pd.RangeIndex(n_customers, name="customer_id")
        ids = features.select("customer_id").toPandas()["customer_id"].astype("str")
        return pd.Index(ids, name="customer_id")

    extra = []
    if survey is not None:
        from tierkit.data.surveys import with_satisfaction

        extra = list(with_satisfaction(pd.DataFrame(index=pd.Index([], name="customer_id")), survey).columns)

    def read(name: str) -> pd.Series:
        if name in extra:
            if not joined:
                joined.update(with_satisfaction(pd.DataFrame(index=source.index), survey).items())
            return joined[name]
        # the features are sorted by customer and persisted: a narrow select keeps that order
        values = features.select(name).toPandas()[name]
        return typed_feature(name, values).set_axis(source.index)

    source = FeatureColumns(customers, names + extra, attrs, read, rows=n_customers, statistics=statistics)
    return source
