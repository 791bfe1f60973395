"""Grade a customer base straight from its transaction files, in memory bounded by the standards, not the base.

:func:`grade_file` is what ``tierkit segment`` runs. The transactions are read under the input
contract by :class:`tierkit.data.duckdb_input.DuckDBInput` (the reader of every command) and
aggregated by the one feature definition (:func:`tierkit.features.definition.feature_sql`)
into a Parquet file of features, sorted by customer, written out of core by DuckDB. The
segmentation learns its standards from those features; the customers are then graded in
chunks of ``chunk_size`` by the same estimators and written chunk by chunk through
:class:`tierkit.scoring.writer.ScoreWriter`, the writer of ``tierkit score``, so no table of
every customer with every tier column is ever held. The tier counts the alerts need are
tallied as the chunks pass (:class:`tierkit.evaluation.alerts.TierTally`).

The result is the table ``Segmentation().fit(f).transform(f)`` plus labels gives for the same
features ``f`` (a differential test pins it on CDNOW and on a million synthetic customers):
every step grades a customer from his own features and the fitted standards only.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tierkit.data import ColumnMap, ReadOptions
from tierkit.data.columns import reading_record
from tierkit.data.duckdb_input import DuckDBInput
from tierkit.data.memory import check_memory_limit
from tierkit.errors import DataError, no_purchase_error
from tierkit.features.columns import FeatureColumns
from tierkit.features.definition import check_time_unit, feature_sql, finish_features, parse_date, warn_about_span
from tierkit.features.engines import write_by_customer
from tierkit.progress import timed

log = logging.getLogger(__name__)

#: Customers graded per chunk.
CHUNK_SIZE = 100_000


@dataclass
class GradedFile:
    """What :func:`grade_file` did: the fitted segmentation, the reading and the customers graded.

    Attributes
    ----------
    segmentation : tierkit.Segmentation
        Fitted on every customer of the file.
    report : tierkit.data.ReadReport
        Rows read, kept and left out.
    customers : int
        Customers graded (rows written).
    alerts : list of str
        :func:`tierkit.evaluation.alerts.grading_alerts` in ``alerts_lang``.
    attrs : dict
        The feature table's ``attrs`` (``as_of``, ``time_unit``, ``frequency_of``, ``reading``,
        ``read_report``).
    example : pandas.DataFrame
        The first customers' features (with satisfaction), for a saved model's signature.
    out : pathlib.Path
        The written table.
    seconds : dict of str to float
        Seconds per stage: ``features``, ``fit``, ``grade``.
    """

    segmentation: object
    report: object
    customers: int
    alerts: list
    attrs: dict
    example: pd.DataFrame
    out: Path
    seconds: dict = field(default_factory=dict)


@dataclass
class Graded:
    """What :func:`grade` returns: the graded table, the segmentation that graded it, and the features.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per customer: the features, every tier column and, with ``lang``, the labels and
        strategies; ``attrs`` holds the features' ``attrs`` and ``alerts``.
    segmentation : tierkit.Segmentation
        Fitted (here, or before when a fitted one was given).
    features : pandas.DataFrame
        The features graded, with satisfaction joined when a survey was given.
    alerts : list of str
        :func:`tierkit.evaluation.alerts.grading_alerts` in ``alerts_lang``.
    """

    table: pd.DataFrame
    segmentation: object
    features: pd.DataFrame
    alerts: list

    @property
    def read_report(self) -> dict | None:
        """Rows read, kept and left out (``ReadReport.as_dict()``), when the features came from a file."""
        return self.features.attrs.get("read_report")


def grade(data, *, as_of=None, segmentation=None, survey=None, lang: str | None = None,
          alerts_lang: str | None = None, time_unit: str = "D", columns: ColumnMap | None = None,
          options: ReadOptions | None = None, stability: bool = False, warn: bool = True) -> Graded:
    """Grade every customer: features, every scheme's standards (learned here or given), labels and alerts.

    The library's one grading function: ``tierkit segment`` (through :func:`grade_file`, its
    bounded-memory form), ``report``, ``run`` and grading by saved standards all come here.

    Parameters
    ----------
    data : str, Path or pandas.DataFrame
        A transaction file (read by :func:`tierkit.features.definition.file_features`), a canonical
        transaction frame (:func:`tierkit.rfm_features`) or a feature table (a frame with a
        ``recency`` column, used as it is).
    as_of : date-like, optional
        Observation date; needed unless ``data`` is a feature table.
    segmentation : tierkit.Segmentation, optional
        Unfitted: its standards are learned on these customers. Fitted: these customers are
        graded by its standards (nothing is refitted). Default ``Segmentation()``.
    survey : pandas.DataFrame, optional
        Per-customer satisfaction (:func:`tierkit.customer_satisfaction`), joined by id.
    lang : {"en", "zh"}, optional
        Adds each tier's label and strategy in that language.
    alerts_lang : {"en", "zh"}, optional
        Language of the alerts, default ``lang``, else English. Each alert is also warned.
    time_unit : {"D", "W"}, default="D"
        Of the features made here.
    columns, options
        How to read a transaction file (:func:`tierkit.read_transactions`).
    stability : bool, default=False
        Measure the clusters' bootstrap stability after fitting (a diagnostic the report shows).
    warn : bool, default=True
        Warn each alert (``tierkit run`` logs them to MLflow instead).

    Returns
    -------
    Graded

    Examples
    --------
    >>> import warnings, tierkit as tk
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     graded = grade(tk.load_cdnow(sample=True), as_of="1998-06-30", lang="en")
    >>> graded.table[["rfm_class", "rfm_class_label"]].iloc[0].tolist()
    ['general_value', 'General value']
    >>> again = grade(graded.features, segmentation=graded.segmentation)  # by the learned standards
    >>> again.table["abc_tier"].equals(graded.table["abc_tier"])
    True
    """
    from tierkit.data.surveys import with_satisfaction
    from tierkit.evaluation.alerts import grading_alerts
    from tierkit.evaluation.stability import assess_stability
    from tierkit.segmentation.chain import Segmentation
    from tierkit.tiers.schemes import add_labels

    features = _features_of(data, as_of=as_of, time_unit=time_unit, columns=columns, options=options)
    if survey is not None:
        features = with_satisfaction(features, survey)
    segmentation = Segmentation() if segmentation is None else segmentation
    if not hasattr(segmentation, "steps_"):
        segmentation.fit(features)
    table = segmentation.transform(features)
    table.attrs = dict(features.attrs)
    if lang is not None:
        table = caveat_in_language(add_labels(table, lang), segmentation, lang)
    if stability and "clusters" in dict(segmentation.steps_):
        with timed("measured the clusters' bootstrap stability"):
            assess_stability(segmentation, features)
    alerts = grading_alerts(segmentation, table, alerts_lang or lang or "en")
    table.attrs["alerts"] = alerts
    from tierkit.errors import AlertWarning

    for alert in alerts if warn else ():
        warnings.warn(AlertWarning(alert), stacklevel=2)
    return Graded(table=table, segmentation=segmentation, features=features, alerts=alerts)


def _features_of(data, *, as_of, time_unit, columns, options) -> pd.DataFrame:
    """The feature table of ``data``: a feature table as it is, else features as of ``as_of``."""
    if isinstance(data, pd.DataFrame) and "recency" in data.columns:
        return data
    if as_of is None:
        from tierkit.errors import Param

        raise DataError("as_of_needed", param=Param("as_of"))
    if isinstance(data, pd.DataFrame):
        from tierkit.features.definition import rfm_features

        return rfm_features(data, as_of=as_of, time_unit=time_unit)
    from tierkit.features.definition import file_features

    features, report = file_features(data, as_of, columns=columns, options=options, time_unit=time_unit)
    if len(features) == 0:
        raise no_purchase_error(report.source, parse_date(as_of, "as_of"))
    return features


def write_feature_file(con, relation: str, path: Path, rows: int, *, as_of, days_per_unit: int,
                       has_order_id: bool, has_profit: bool, holdout_end=None) -> None:
    """Write the feature table of the canonical transactions in ``relation`` to Parquet ``path``.

    The rows are those of :func:`tierkit.features.definition.feature_sql` (one per customer,
    sorted by customer id), written by DuckDB out of core, one hash partition of the customers
    at a time past 20M transactions (:func:`tierkit.features.engines.write_by_customer`).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The connection holding ``relation``.
    relation : str
        A view or table of canonical transactions.
    path : pathlib.Path
        The Parquet file to write.
    rows : int
        Transactions in ``relation`` (decides the passes).
    as_of, days_per_unit, has_order_id, has_profit, holdout_end
        As in :func:`tierkit.features.definition.feature_sql`.

    Examples
    --------
    >>> import duckdb, datetime as dt, tempfile, os
    >>> import pyarrow.parquet as pq
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE VIEW tx AS SELECT * FROM (VALUES ('b', TIMESTAMP '2024-01-05', 10.0), "
    ...                 "('a', TIMESTAMP '2024-01-02', 5.0)) t(customer_id, date, amount)")
    >>> path = os.path.join(tempfile.mkdtemp(), "features.parquet")
    >>> write_feature_file(con, "tx", path, 2, as_of=dt.date(2024, 1, 31), days_per_unit=1,
    ...                    has_order_id=False, has_profit=False)
    >>> pq.read_table(path).column("customer_id").to_pylist()
    ['a', 'b']
    """
    def query(source: str) -> str:
        return feature_sql(source, as_of=as_of, days_per_unit=days_per_unit, has_order_id=has_order_id,
                           has_profit=has_profit, holdout_end=holdout_end)

    write_by_customer(con, relation, path, rows, query)


def grade_file(transactions, out, *, as_of, segmentation, columns: ColumnMap | None = None,
               options: ReadOptions | None = None, time_unit: str = "D", survey=None, lang: str | None = None,
               headers: str = "keys", currency: str | None = None, alerts_lang: str | None = None,
               memory_limit: str = "1GB", threads: int | None = None, chunk_size: int = CHUNK_SIZE) -> GradedFile:
    """Learn a segmentation's standards from a transaction file and grade every customer into ``out``.

    Parameters
    ----------
    transactions : str or Path
        A transaction file or a folder of Parquet files (:func:`tierkit.read_transactions`).
    out : str or Path
        ``.csv``, ``.parquet`` or ``.xlsx``; one row per customer, sorted by customer id: the
        features, every tier column and, with ``lang``, the labels and strategies. Written
        atomically (CSV and Parquet chunk by chunk; a workbook, at most about a million
        customers, at once).
    as_of : date-like
        Observation date.
    segmentation : tierkit.Segmentation
        Unfitted; fitted here (a clone is not made: it is returned fitted).
    columns : ColumnMap, optional
        Where each field is in the file; default the canonical names.
    options : ReadOptions, optional
        How to read the file; default :class:`tierkit.data.ReadOptions`.
    time_unit : {"D", "W"}, default="D"
        Unit of recency, tenure and the BTYD times.
    survey : pandas.DataFrame, optional
        Per-customer satisfaction (:func:`tierkit.customer_satisfaction`), joined by id.
    lang : {"en", "zh"}, optional
        Adds the tier labels and strategies in that language (:func:`tierkit.tiers.schemes.add_labels`).
    headers : {"keys", "labels"}, default="keys"
        Header style (:func:`tierkit.output.write_table`).
    currency : str, optional
        Currency of the money columns (:func:`tierkit.output.write_table`).
    alerts_lang : str, optional
        Language of the alerts (default ``lang``, else English); each is also warned.
    memory_limit : str, default="1GB"
        DuckDB's memory limit for reading and aggregating; past it, DuckDB spills to disk.
    threads : int, optional
        DuckDB threads (default: the cores this process may use).
    chunk_size : int, default=100_000
        Customers graded at a time (the output does not depend on it).

    Returns
    -------
    GradedFile

    Raises
    ------
    DataError
        A file that cannot be read under the contract, or with no purchase up to ``as_of``;
        the previous output is then left as it was.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> import pandas as pd, tierkit as tk
    >>> from tierkit.datasets import cdnow_path
    >>> out = os.path.join(tempfile.mkdtemp(), "tiers.csv")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the alerts of a base graded by default standards
    ...     done = grade_file(cdnow_path(), out, as_of="1998-06-30", segmentation=tk.Segmentation(),
    ...                       columns=tk.ColumnMap(amount="dollar_value"))
    >>> done.customers, pd.read_csv(out)["rfm_class"].iloc[0]
    (23570, 'general_winback')
    """
    import pyarrow.parquet as pq

    from tierkit.data.surveys import with_satisfaction
    from tierkit.evaluation.alerts import TierTally, grading_alerts
    from tierkit.evaluation.summary import summary_sheets
    from tierkit.output import check_table_path, write_table
    from tierkit.output_chunks import ScoreWriter

    as_of = parse_date(as_of, "as_of")
    days_per_unit = check_time_unit(time_unit)
    memory_limit = check_memory_limit(memory_limit, "memory_limit")
    out = check_table_path(out)
    if chunk_size < 1:
        from tierkit.errors import Param

        raise DataError("chunk_size", param=Param("chunk_size"), value=chunk_size)
    seconds = {}
    start = time.perf_counter()
    with DuckDBInput(memory_limit=memory_limit, threads=threads) as reader:
        with timed(f"read {Path(str(transactions)).name}"):
            report = reader.load_file(transactions, columns, options)
        fields = reader.plan.columns.fields()
        warn_about_span(reader.con, "tk_tx", as_of=as_of, end=None, stacklevel=2)
        features_file = reader.scratch / "features.parquet"
        with timed("built features"):
            write_feature_file(reader.con, "tk_tx", features_file, report.rows_kept, as_of=as_of,
                               days_per_unit=days_per_unit, has_order_id="order_id" in fields,
                               has_profit="profit" in fields)
        reader.con.close()  # DuckDB's memory goes back before the standards are learned
        seconds["features"] = time.perf_counter() - start
        attrs = {"read_report": report.as_dict(), "reading": reading_record(columns, options)}
        frequency_of = "orders" if "order_id" in fields else "purchase_days"

        def as_features(frame: pd.DataFrame) -> pd.DataFrame:
            frame = finish_features(frame, as_of=as_of, time_unit=time_unit, frequency_of=frequency_of)
            frame.attrs.update(attrs)
            return with_satisfaction(frame, survey) if survey is not None else frame

        parquet = pq.ParquetFile(features_file)
        n_customers = parquet.metadata.num_rows
        if n_customers == 0:
            raise no_purchase_error(report.source, as_of)
        start = time.perf_counter()
        example = as_features(next(parquet.iter_batches(batch_size=50)).to_pandas())
        source = FeatureColumns.of_parquet(features_file, attrs=example.attrs, survey=survey)
        segmentation.fit_columns(source, chunk_size=chunk_size)
        del source
        seconds["fit"] = time.perf_counter() - start

        start = time.perf_counter()
        tally = TierTally()
        ticker = Ticker(n_customers)
        chunks = []
        with timed(f"graded {n_customers:,} customers into {out.name}"):
            if out.suffix.lower() == ".xlsx":  # a workbook is laid out whole (and holds ~1M rows at most)
                for batch in parquet.iter_batches(batch_size=chunk_size):
                    chunks.append(grade_chunk(segmentation, as_features(batch.to_pandas()), lang, tally))
                    ticker.tick(tally.rows)
                table = pd.concat(chunks)
                table.attrs = {**example.attrs, **({"currency": currency} if currency else {})}
                write_table(table, out, lang=lang or "en", headers=headers, currency=currency,
                            sheets=summary_sheets(table, lang or "en"))
            else:
                parquet_out = out.suffix.lower() == ".parquet"
                names = header_names(example, segmentation, lang, headers, None if parquet_out else currency)
                written_attrs = {**example.attrs, **({"currency": currency} if currency else {})}
                with ScoreWriter(out, None, names=names, date_format="%Y-%m-%d",
                                 attrs=written_attrs if parquet_out else None) as writer:
                    for batch in parquet.iter_batches(batch_size=chunk_size):
                        writer.write(grade_chunk(segmentation, as_features(batch.to_pandas()), lang, tally)
                                     .reset_index())
                        ticker.tick(writer.rows)
        seconds["grade"] = time.perf_counter() - start
    alerts = grading_alerts(segmentation, tally, alerts_lang or lang or "en")
    from tierkit.errors import AlertWarning

    for alert in alerts:
        warnings.warn(AlertWarning(alert), stacklevel=2)
    attrs = {**example.attrs, "as_of": str(as_of), "time_unit": time_unit, "frequency_of": frequency_of}
    return GradedFile(segmentation=segmentation, report=report, customers=n_customers, alerts=alerts, attrs=attrs,
                      example=example, out=out, seconds=seconds)


def grade_chunk(segmentation, features: pd.DataFrame, lang: str | None, tally) -> pd.DataFrame:
    """One chunk of customers graded (and labelled in ``lang``), its tiers counted into ``tally``.

    The step :func:`grade_file` and the Spark engine (:mod:`tierkit.spark.training`)
    repeat per chunk of the base. A chunk is not the base: the warnings said of a whole base are
    left to the caller, said once after the last chunk.

    Parameters
    ----------
    segmentation : Segmentation
        The fitted segmentation.
    features : pandas.DataFrame
        The chunk's feature table.
    lang : {"en", "zh"} or None
        Language of the tier labels added (:func:`tierkit.tiers.schemes.add_labels`); None adds none.
    tally : tierkit.evaluation.alerts.TierTally
        Counts of the tiers over the chunks, for the alerts of the whole base.

    Returns
    -------
    pandas.DataFrame
        The chunk's customers with every tier column.
    """
    from tierkit.progress import quiet
    from tierkit.tiers.schemes import add_labels

    with warnings.catch_warnings(), quiet():  # the chunks are one step, timed (and its progress said) by the caller
        # a chunk is not the base: what is said of the whole base is said once, after the last chunk
        warnings.simplefilter("ignore", UserWarning)
        table = segmentation.transform(features)
    tally.add(table)
    return caveat_in_language(add_labels(table, lang), segmentation, lang) if lang is not None else table


def caveat_in_language(table: pd.DataFrame, segmentation, lang: str) -> pd.DataFrame:
    """``table`` with its ``clv_caveat`` (the CLV model's reason not to trust it) in ``lang``.

    The column holds the reason's English text; the CLV model keeps it as a keyed
    :class:`~tierkit.messages.Message`, rendered here from its key, as labels are.

    Parameters
    ----------
    table : pandas.DataFrame
        A graded table.
    segmentation : Segmentation
        The fitted segmentation that graded it.
    lang : {"en", "zh"}

    Returns
    -------
    pandas.DataFrame
        ``table``, its ``clv_caveat`` rendered in ``lang`` (unchanged without one).
    """
    from tierkit.messages import Message

    clv = dict(getattr(segmentation, "steps_", ())).get("clv")
    reason = (getattr(clv, "trust_", None) or {}).get("reason")
    column = table.get("clv_caveat")
    if not isinstance(reason, Message) or column is None or not isinstance(column.dtype, pd.CategoricalDtype):
        return table
    if str(reason) in column.cat.categories:
        table["clv_caveat"] = column.cat.rename_categories({str(reason): reason.render(lang)})
    return table


def header_names(example: pd.DataFrame, segmentation, lang, headers: str, currency) -> dict:
    """The written header of each column of a graded table, as :func:`tierkit.output.write_table` names them.

    For the writers of a table graded chunk by chunk (:func:`grade_file`, the Spark engine),
    which cannot ask ``write_table`` to name a table they never hold whole.

    Parameters
    ----------
    example : pandas.DataFrame
        A few customers' features: their graded columns are the table's.
    segmentation : Segmentation
        The fitted segmentation.
    lang : {"en", "zh"} or None
        Language of the labels (with ``headers="labels"``) and of the tier label columns.
    headers : {"keys", "labels"}
        As in :func:`tierkit.output.write_table`.
    currency : str or None
        Given for CSV only: Parquet keeps the keys.

    Returns
    -------
    dict
        Column key -> written header (keys written as they are are left out).
    """
    from tierkit.errors import TierkitError
    from tierkit.output import check_currency, money_headers
    from tierkit.tiers.schemes import add_labels
    from tierkit.words import HEADER_STYLES, check_lang, header_labels

    check_lang(lang or "en")
    if headers not in HEADER_STYLES:
        from tierkit.errors import Param

        raise TierkitError("not_supported", param=Param("headers"), value=repr(headers),
                           choices=", ".join(HEADER_STYLES))
    from tierkit.progress import quiet

    with warnings.catch_warnings(), quiet():
        warnings.simplefilter("ignore", UserWarning)
        table = segmentation.transform(example)
    columns = (add_labels(table, lang) if lang is not None else table).reset_index().columns
    names = header_labels(columns, lang or "en") if headers == "labels" else {}
    return {**names, **money_headers(columns, check_currency(currency), names)}


class Ticker:
    """Logs ``graded X of N customers`` on ``tierkit.progress`` at most every ``HEARTBEAT_SECONDS``.

    Parameters
    ----------
    total : int
        The customers of the base.
    """

    def __init__(self, total: int):
        self.total = total
        self.last = time.perf_counter()

    def tick(self, done: int) -> None:
        """Log progress when a heartbeat has passed since the last line, and customers remain."""
        from tierkit.progress import HEARTBEAT_SECONDS
        from tierkit.progress import log as progress_log

        now = time.perf_counter()
        if now - self.last >= HEARTBEAT_SECONDS and done < self.total:
            self.last = now
            progress_log.info("graded %s of %s customers", f"{done:,}", f"{self.total:,}")
