"""Score a whole customer base from its transaction file on one machine, in bounded memory.

DuckDB reads the file as it aggregates (spilling to a temporary folder past
``memory_limit``), so memory does not grow with the number of transactions; the
per-customer feature table is then scored through the model in chunks of ``chunk_size``
customers and written chunk by chunk.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from tierkit.errors import DataError
from tierkit.features import check_time_unit, parse_date
from tierkit.scoring.model_spec import fetch_model, model_columns
from tierkit.scoring.sources import (
    check_columns, check_counts, checked_sql, count_sql, find_source, read_counts, valid_sql,
)
from tierkit.scoring.sql import scoring_feature_sql
from tierkit.scoring.summary import ScoringSummary
from tierkit.scoring.writer import ScoreWriter, check_score_path
from tierkit.transactions import ColumnMap

log = logging.getLogger(__name__)

#: Phases reported to ``progress(phase, done, total)``.
PHASES = ("checking", "aggregating", "scoring")


def _no_progress(phase, done, total):
    pass


def _duckdb_kind(type_name: str) -> str:
    """``temporal``, ``integer``, ``number`` or ``text``: how a source column is parsed."""
    name = type_name.upper()
    if name.startswith(("TIMESTAMP", "DATE")):
        return "temporal"
    if name.startswith(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                        "UINTEGER", "UBIGINT")):
        return "integer"
    if name.startswith(("FLOAT", "DOUBLE", "DECIMAL", "REAL")):
        return "number"
    return "text"


def _read_expr(source) -> str:
    files = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in source.files) + "]"
    if source.kind == "parquet":
        return f"read_parquet({files}, union_by_name = true)"
    sep = "" if source.sep is None else ", delim = '" + source.sep.replace("'", "''") + "'"
    return f"read_csv({files}, header = true, all_varchar = true{sep})"


def _run_with_progress(con, sql: str, phase: str, progress) -> None:
    """Run ``sql``, reporting DuckDB's own progress (percent) while it runs."""
    done = threading.Event()
    error = []

    def work():
        try:
            con.execute(sql)
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    while not done.wait(0.2):
        try:
            percent = con.query_progress()
        except duckdb.Error:
            percent = -1
        if percent is not None and percent >= 0:
            progress(phase, int(percent), 100)
    thread.join()
    if error:
        raise error[0]
    progress(phase, 100, 100)


def score_transactions(model: str, transactions, *, as_of, out, columns: ColumnMap | None = None,
                       date_format: str | None = None, sep: str | None = None, drop_duplicates: bool = False,
                       chunk_size: int = 100_000, memory_limit: str = "1GB", threads: int | None = None,
                       progress=None) -> ScoringSummary:
    """Compute features from a transaction file and score every customer with a model.

    Parameters
    ----------
    model : str
        ``models:/NAME@ALIAS``, ``models:/NAME/VERSION``, ``runs:/RUN_ID/model`` or a local
        model folder (a tierkit segmentation model, :mod:`tierkit.model`).
    transactions : str or Path
        A CSV file, a Parquet file or a folder of Parquet files.
    as_of : date-like
        Observation date; later transactions are left out (and counted).
    out : str or Path
        Output ``.csv`` or ``.parquet``: one row per customer, sorted by ``customer_id``, the
        model's output columns. Written atomically.
    columns : ColumnMap, optional
        Where each field is in the file (default: canonical names).
    date_format : str, optional
        ``strftime`` format of text dates; default ``YYYY-MM-DD[ HH:MM:SS]`` or ``YYYYMMDD``.
    sep : str, optional
        CSV field separator (default: detected).
    drop_duplicates : bool, default=False
        Drop exact duplicate transactions (this needs memory for the distinct rows).
    chunk_size : int, default=100_000
        Customers scored per model call (the output does not depend on it).
    memory_limit : str, default="1GB"
        DuckDB's memory limit; past it, aggregation spills to a temporary folder.
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
        Missing file or column, an empty input, or no usable row; each in one line.

    Examples
    --------
    >>> import os, tempfile, tierkit as tk
    >>> from tierkit.model_export import save_segmentation_model
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
    import mlflow.pyfunc

    start = time.perf_counter()
    progress = progress or _no_progress
    as_of = parse_date(as_of, "as_of")
    columns = columns or ColumnMap()
    out = check_score_path(out)
    if chunk_size < 1:
        raise DataError(f"chunk_size: {chunk_size} must be a positive number of customers")
    source = find_source(transactions, sep=sep)
    with tempfile.TemporaryDirectory(prefix="tierkit-score-") as tmp:
        spec = fetch_model(model, Path(tmp) / "model")
        days_per_unit = check_time_unit(spec.time_unit)
        with duckdb.connect(config={"memory_limit": memory_limit, "temp_directory": str(Path(tmp) / "spill"),
                                    "preserve_insertion_order": False,
                                    **({"threads": threads} if threads else {})}) as con:
            con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
            read = _read_expr(source)
            try:
                described = con.execute(f"DESCRIBE SELECT * FROM {read}").fetchall()
            except duckdb.Error as exc:
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise DataError(f"{source.path}: cannot be read as {source.kind}: {first}") from None
            kinds = {name: _duckdb_kind(type_name) for name, type_name, *_ in described}
            check_columns(source, list(kinds), columns)
            con.execute(f"CREATE VIEW checked AS {checked_sql(read, columns, kinds, dialect='duckdb', date_format=date_format)}")
            con.execute(f"CREATE VIEW tx AS {valid_sql('checked', columns, drop_duplicates=drop_duplicates)}")
            try:
                _run_with_progress(con, f"CREATE TEMP TABLE counts AS {count_sql('checked', as_of)}", "checking", progress)
            except duckdb.Error as exc:
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise DataError(f"{source.path}: cannot be read as {source.kind}: {first}") from None
            rows_read, rejected, after = read_counts(con.execute("SELECT * FROM counts").fetchone())
            check_counts(source, rows_read, rejected, after, as_of)
            fields = columns.fields()
            query = scoring_feature_sql("tx", as_of=as_of, days_per_unit=days_per_unit,
                                        has_order_id="order_id" in fields, has_profit="profit" in fields)
            _run_with_progress(con, f"CREATE TEMP TABLE features AS {query}", "aggregating", progress)
            n_customers = con.execute("SELECT COUNT(*) FROM features").fetchone()[0]
            available = [name for name, *_ in con.execute("DESCRIBE features").fetchall()]
            inputs = model_columns(spec, available, f"{source.path}")
            select = ", ".join(["customer_id"] + [f'CAST("{c}" AS DOUBLE) AS "{c}"' for c in inputs])
            loaded = mlflow.pyfunc.load_model(str(spec.path))
            progress("scoring", 0, n_customers)
            done = 0
            # Insertion order was free while aggregating (less memory); the output needs it kept.
            con.execute("SET preserve_insertion_order = true")
            reader = con.sql(f"SELECT {select} FROM features ORDER BY customer_id").to_arrow_reader(chunk_size)
            with ScoreWriter(out, spec.output_dtypes()) as writer:
                for batch in reader:
                    frame = batch.to_pandas()
                    frame["customer_id"] = frame["customer_id"].astype("str")
                    writer.write(loaded.predict(frame))
                    done += len(frame)
                    progress("scoring", done, n_customers)
    seconds = time.perf_counter() - start
    log.info("scored %d customers in %.1f s", done, seconds)
    return ScoringSummary(rows_read=rows_read, rejected=rejected, rows_after_as_of=after, customers_scored=done,
                          seconds=seconds, out=str(out), engine="local")
