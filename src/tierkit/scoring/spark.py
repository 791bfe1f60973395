"""The same scoring job on Spark: Spark SQL aggregates, ``mlflow.pyfunc.spark_udf`` scores.

The feature query and the input contract are the very SQL the local engine runs (see
:mod:`tierkit.features.engines` and :mod:`tierkit.data.contract`), so both engines give the
same output, byte for byte, when the output is a ``.csv`` or ``.parquet`` file: Spark
computes and scores in parallel, and the sorted scores stream to the driver partition by
partition into the same writer the local engine uses. An output without a file suffix (a
folder, ``hdfs://...``, ``s3a://...``) is written by the executors as a Parquet folder, for
bases too big for one machine.

On a cluster, run this module with ``spark-submit`` (see docs/guide/scoring.md); it takes the options
of ``tierkit score``.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

from tierkit.data import ColumnMap, ReadOptions
from tierkit.errors import DataError, Param, no_purchase_error
from tierkit.features.definition import check_time_unit, parse_date
from tierkit.features.engines import scoring_feature_sql
from tierkit.output_chunks import OUTPUT_SUFFIXES, ScoreWriter, check_score_path
from tierkit.scoring.model_spec import fetch_model, model_columns, model_reading, shaped_as_trained
from tierkit.scoring.summary import ScoringSummary
from tierkit.spark.session import default_spark_session, local_spark_session, require_pyspark

__all__ = ["default_spark_session", "local_spark_session", "score_transactions_spark"]

log = logging.getLogger(__name__)


def score_transactions_spark(model: str, transactions, *, as_of, out, spark=None, columns: ColumnMap | None = None,
                             options: ReadOptions | None = None, chunk_size: int = 100_000,
                             progress=None) -> ScoringSummary:
    """Compute features with Spark SQL and score every customer with ``mlflow.pyfunc.spark_udf``.

    Parameters are those of :func:`tierkit.scoring.score_transactions`, plus:

    spark : pyspark.sql.SparkSession, optional
        The session to use (default: :func:`default_spark_session`).
    out : str or Path
        A ``.csv`` or ``.parquet`` file (same bytes as the local engine), or a folder / URI
        without suffix, written by the executors as Parquet part files.

    The file is read under the same input contract as training and the local engine
    (:class:`tierkit.data.spark_input.SparkInput`). The session's time zone is set to UTC
    while the job runs and restored afterwards.
    """
    require_pyspark()
    import mlflow.pyfunc
    from pyspark.sql import functions as F

    from tierkit.data.spark_input import SparkInput

    start = time.perf_counter()
    progress = progress or (lambda phase, done, total: None)
    as_of = parse_date(as_of, "as_of")
    to_file = Path(str(out)).suffix.lower() in OUTPUT_SUFFIXES and "://" not in str(out)
    if to_file:
        out = check_score_path(out)
    if chunk_size < 1:
        raise DataError("chunk_size", param=Param("chunk_size"), value=chunk_size)
    spark = spark or default_spark_session()
    old_tz = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    try:
        with tempfile.TemporaryDirectory(prefix="tierkit-score-") as tmp:
            spec = fetch_model(model, Path(tmp) / "model")
            days_per_unit = check_time_unit(spec.time_unit)
            reader = SparkInput(spark, Path(tmp))
            progress("checking", 0, 100)
            columns, options = model_reading(spec, columns, options)
            with shaped_as_trained(spec):
                report = reader.load_file(transactions, columns, options, as_of=as_of)
            progress("checking", 100, 100)
            if report.rows_kept == report.after_as_of:
                raise DataError("no_transaction_before", source=report.source, option=Param("as_of"), as_of=as_of)
            fields = reader.plan.columns.fields()
            query = scoring_feature_sql("tk_tx", as_of=as_of, days_per_unit=days_per_unit,
                                        has_order_id="order_id" in fields, has_profit="profit" in fields,
                                        dialect="spark")
            progress("aggregating", 0, 100)
            features = spark.sql(query)
            inputs = model_columns(spec, features.columns, report.source)
            features = features.select("customer_id", *[F.col(c).cast("double").alias(c) for c in inputs]).persist()
            n_customers = features.count()
            if n_customers == 0:
                # returns only: refused as segment refuses it, and the previous output kept
                features.unpersist()
                raise no_purchase_error(report.source, as_of)
            progress("aggregating", 100, 100)
            udf = mlflow.pyfunc.spark_udf(spark, str(spec.path), result_type=spec.spark_schema(), env_manager="local")
            # One struct column: the model sees its columns by name, not by position in the signature.
            scored = (features.select(udf(F.struct(*[F.col(c) for c in ["customer_id", *inputs]])).alias("score"))
                      .select("score.*").orderBy("customer_id"))
            progress("scoring", 0, n_customers)
            if to_file:
                done = _collect(scored, out, spec, chunk_size, n_customers, progress)
            else:
                scored.write.mode("errorifexists").parquet(str(out))
                done = n_customers
                progress("scoring", done, n_customers)
            features.unpersist()
    finally:
        spark.conf.set("spark.sql.session.timeZone", old_tz)
    seconds = time.perf_counter() - start
    return ScoringSummary(rows_read=report.rows_read, rejected=report.rejected, rows_after_as_of=report.after_as_of,
                          customers_scored=done, seconds=seconds, out=str(out), engine="spark",
                          rejects_path=report.rejects_path)


def _collect(scored, out, spec, chunk_size: int, total: int, progress) -> int:
    """Stream the sorted scores to the driver, partition by partition, into the shared writer."""
    import pandas as pd

    names = list(spec.output_columns)
    done = 0
    rows = []
    with ScoreWriter(out, spec.output_dtypes()) as writer:
        for row in scored.toLocalIterator(prefetchPartitions=True):
            rows.append(tuple(row))
            if len(rows) == chunk_size:
                writer.write(pd.DataFrame.from_records(rows, columns=names))
                done += len(rows)
                rows = []
                progress("scoring", done, total)
        if rows:
            writer.write(pd.DataFrame.from_records(rows, columns=names))
            done += len(rows)
            progress("scoring", done, total)
    return done
