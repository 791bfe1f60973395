"""Score a whole customer base from its transaction file on one machine, in bounded memory.

The file is read under the input contract by :class:`tierkit.data.duckdb_input.DuckDBInput`,
the very reader training uses, so a file is graded by the same rules in both; DuckDB reads it
as it aggregates (spilling to a temporary folder past ``memory_limit``), and the per-customer
feature table is scored through the model in chunks of ``chunk_size`` customers, written
chunk by chunk.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from tierkit.data import ColumnMap, ReadOptions
from tierkit.data.duckdb_input import DuckDBInput
from tierkit.data.memory import check_memory_limit
from tierkit.errors import DataError, Param, no_purchase_error
from tierkit.features.definition import check_time_unit, parse_date
from tierkit.features.engines import scoring_feature_sql, write_by_customer
from tierkit.output_chunks import ScoreWriter, check_score_path
from tierkit.scoring.model_spec import fetch_model, model_columns, model_reading, shaped_as_trained
from tierkit.scoring.summary import ScoringSummary

log = logging.getLogger(__name__)

#: Phases reported to ``progress(phase, done, total)``.
PHASES = ("checking", "aggregating", "scoring")


def _no_progress(phase, done, total):
    pass


def write_features(con, scratch: Path, path: Path, rows: int, *, as_of, days_per_unit: int, has_order_id: bool,
                   has_profit: bool, spec, source: str) -> None:
    """Write the model's input features of every customer in ``tk_tx`` to ``path``, sorted by customer.

    The feature table grows with the customers, so it never sits in memory as a whole: DuckDB
    writes it out of core, one hash partition of the customers at a time past 20M transactions
    (:func:`tierkit.features.engines.write_by_customer`, as training does).
    """
    query = scoring_feature_sql("tk_tx", as_of=as_of, days_per_unit=days_per_unit, has_order_id=has_order_id,
                                has_profit=has_profit)
    inputs = model_columns(spec, con.sql(query).columns, source)
    select = ", ".join(["customer_id"] + [f'CAST("{c}" AS DOUBLE) AS "{c}"' for c in inputs])

    def query_of(relation: str) -> str:
        features = scoring_feature_sql(relation, as_of=as_of, days_per_unit=days_per_unit,
                                       has_order_id=has_order_id, has_profit=has_profit)
        return f"SELECT {select} FROM ({features}) ORDER BY customer_id"

    write_by_customer(con, "tk_tx", path, rows, query_of)


def score_transactions(model: str, transactions, *, as_of, out, columns: ColumnMap | None = None,
                       options: ReadOptions | None = None, chunk_size: int = 100_000, memory_limit: str = "1GB",
                       threads: int | None = None, progress=None) -> ScoringSummary:
    """Compute features from a transaction file and score every customer with a model.

    Parameters
    ----------
    model : str
        ``models:/NAME@ALIAS``, ``models:/NAME/VERSION``, ``runs:/RUN_ID/model`` or a local
        model folder (a tierkit segmentation model, :mod:`tierkit.mlops.pyfunc`).
    transactions : str or Path
        A CSV (also .gz), Parquet or .xlsx file, or a folder of Parquet files.
    as_of : date-like
        Observation date; later transactions are left out (and counted).
    out : str or Path
        Output ``.csv`` or ``.parquet``: one row per customer, sorted by ``customer_id``, the
        model's output columns. Written atomically.
    columns : ColumnMap or dict, optional
        Where each field is in the file. Default: as the model's training file was read
        (:func:`tierkit.scoring.model_spec.model_reading`; the canonical names for a model
        that did not record it); a dict changes only the fields it names. An order column
        for a model trained on purchase days (or none for one trained on orders) is refused.
    options : ReadOptions or dict, optional
        How to read the file (separator, encoding, dates, bad-row policy ...). Default: the
        options training read with; a dict changes only those it names.
    chunk_size : int, default=100_000
        Customers scored per model call (the output does not depend on it).
    memory_limit : str, default="1GB"
        DuckDB's memory limit; past it, aggregation spills to a temporary folder. A number and
        a unit: ``"500MB"``, ``"2GB"``, ``"1GiB"`` (:func:`tierkit.data.memory.check_memory_limit`).
    threads : int, optional
        DuckDB threads (default: all cores).
    progress : callable, optional
        ``progress(phase, done, total)`` with ``phase`` in ``("checking", "aggregating",
        "scoring")``.

    Returns
    -------
    ScoringSummary

    Raises
    ------
    DataError
        Missing file or column, an empty input, a bad row (unless ``on_bad_rows="skip"``), no
        usable row; each in one line. The previous output is then left as it was.
    TierkitError
        ``memory_limit`` is not a memory size (checked before anything is read).

    Examples
    --------
    >>> import os, tempfile, tierkit as tk
    >>> from tierkit.mlops.export import save_segmentation_model
    >>> tmp = tempfile.mkdtemp()
    >>> tx = tk.load_cdnow(sample=True)
    >>> tx.to_csv(os.path.join(tmp, "tx.csv"), index=False)
    >>> f = tk.rfm_features(tx, as_of="1998-06-30")
    >>> model = save_segmentation_model(tk.Segmentation().fit(f), f, os.path.join(tmp, "model"))
    >>> summary = score_transactions(str(model), os.path.join(tmp, "tx.csv"), as_of="1998-06-30",
    ...                              out=os.path.join(tmp, "scores.parquet"))
    >>> summary.rows_read, summary.rejected, summary.customers_scored
    (6919, {}, 2357)
    """
    start = time.perf_counter()
    progress = progress or _no_progress
    as_of = parse_date(as_of, "as_of")
    out = check_score_path(out)
    memory_limit = check_memory_limit(memory_limit, "memory_limit")
    if chunk_size < 1:
        raise DataError("chunk_size", param=Param("chunk_size"), value=chunk_size)
    try:
        return _score(model, transactions, as_of=as_of, out=out, columns=columns, options=options,
                      chunk_size=chunk_size, memory_limit=memory_limit, threads=threads, progress=progress,
                      start=start)
    except duckdb.OutOfMemoryException:
        raise DataError("needs_memory", path=transactions, option=Param("memory_limit"), limit=memory_limit) from None


def _score(model, transactions, *, as_of, out, columns, options, chunk_size, memory_limit, threads, progress,
           start) -> ScoringSummary:
    import mlflow.pyfunc

    with DuckDBInput(memory_limit=memory_limit, threads=threads, progress=progress) as reader:
        spec = fetch_model(model, reader.scratch / "model")
        days_per_unit = check_time_unit(spec.time_unit)
        con = reader.con
        columns, options = model_reading(spec, columns, options)
        with shaped_as_trained(spec):
            report = reader.load_file(transactions, columns, options, as_of=as_of)
        if report.rows_kept == report.after_as_of:
            raise DataError("no_transaction_before", source=report.source, option=Param("as_of"), as_of=as_of)
        fields = reader.plan.columns.fields()
        log.info("aggregating %s customers' features", report.source)
        features_file = reader.scratch / "features.parquet"
        reader.run(lambda: write_features(con, reader.scratch, features_file, report.rows_kept, as_of=as_of,
                                          days_per_unit=days_per_unit, has_order_id="order_id" in fields,
                                          has_profit="profit" in fields, spec=spec, source=report.source),
                   "aggregating")
        features = pq.ParquetFile(features_file)
        n_customers = features.metadata.num_rows
        if n_customers == 0:
            # returns only: refused as segment refuses it, and the previous output kept
            raise no_purchase_error(report.source, as_of)
        # a chunk is one model call: the served model's row limit is raised to the chunk size
        loaded = mlflow.pyfunc.load_model(str(spec.path), model_config={"max_rows": chunk_size})
        progress("scoring", 0, n_customers)
        done = 0
        with ScoreWriter(out, spec.output_dtypes()) as writer:
            for batch in features.iter_batches(batch_size=chunk_size):
                frame = batch.to_pandas()
                frame["customer_id"] = frame["customer_id"].astype("str")
                writer.write(loaded.predict(frame))
                done += len(frame)
                progress("scoring", done, n_customers)
    seconds = time.perf_counter() - start
    log.info("scored %d customers in %.1f s", done, seconds)
    return ScoringSummary(rows_read=report.rows_read, rejected=report.rejected, rows_after_as_of=report.after_as_of,
                          customers_scored=done, seconds=seconds, out=str(out), engine="local",
                          rejects_path=report.rejects_path)
