"""``tierkit run CONFIG``: fit every scheme, compare them on held-out value, log it all to MLflow.

One run does two fits:

1. **comparison** -- features as of ``calibration_end`` with the holdout period up to
   ``holdout_end``; every scheme is fitted on the calibration period and scored on how well
   its tiers separate the customers' actual holdout spend (:mod:`tierkit.evaluation.comparison`);
2. **final model** -- features as of ``as_of``; the fitted segmentation is logged as one pyfunc
   model (:mod:`tierkit.mlops.pyfunc`), with its standards, tier profiles, charts and the report.

The experiment is one MLflow *parent* run (the final model, report, charts, the comparison table,
the tags ``best_scheme`` and ``tierkit.k``, a description) with one nested *child* run per
compared scheme, named after it, logging the same metrics and its scheme's standards
(:mod:`tierkit.mlops.runs`), so MLflow's compare view ranks the schemes.

With no tracking URI configured, MLflow's local default store is used (a SQLite file
``mlflow.db`` in the working directory), so a run needs no server.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tierkit.data import read_transactions
from tierkit.data.surveys import customer_satisfaction, read_survey, with_satisfaction
from tierkit.datasets import (
    SYNTHETIC_SURVEY_NOTE,
    cdnow_path,
    load_cdnow,
    synthetic_survey,
)
from tierkit.evaluation.alerts import grading_alerts
from tierkit.evaluation.comparison import best_scheme, compare_schemes, scheme_agreement
from tierkit.evaluation.stability import assess_stability
from tierkit.evaluation.summary import tier_summary
from tierkit.features.definition import rfm_features
from tierkit.grading import grade
from tierkit.mlops.config import ExperimentConfig, load_config
from tierkit.mlops.runs import log_scheme_runs, run_description
from tierkit.mlops.store import open_tracking_store
from tierkit.progress import timed
from tierkit.segmentation.chain import Segmentation, build_segmentation
from tierkit.segmentation.standards import plain_values
from tierkit.tiers.schemes import tier_order, tier_schemes
from tierkit.words import LANGS

log = logging.getLogger(__name__)

DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"


@dataclass
class RunResult:
    """What a run produced: its MLflow ids and the main tables."""

    run_id: str
    experiment_id: str
    model_uri: str
    comparison: pd.DataFrame
    agreement: pd.DataFrame
    table: pd.DataFrame
    registered_version: str | None = None
    notes: tuple = ()
    diagnostics: dict | None = None
    read_report: dict | None = None
    #: Grading alerts by language (``"en"``, ``"zh"``): lists of sentences, empty when none.
    alerts: dict | None = None
    #: The child run of each compared scheme (``{scheme: run id}``); empty without a holdout.
    scheme_run_ids: dict | None = None
    #: The top scheme of the comparison ranking (None without a holdout).
    best_scheme: str | None = None
    #: The CLV models checked on the holdout (:class:`tierkit.clv.validation.CLVValidation`), or None:
    #: every report of the run (each language) shows the same section.
    validation: object | None = None


def tracking_uri(explicit: str | None = None) -> str:
    """``explicit``, else ``MLFLOW_TRACKING_URI``, else the local SQLite default."""
    return explicit or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def load_experiment_transactions(config: ExperimentConfig) -> pd.DataFrame:
    """The transactions a config names: a bundled dataset, or ``data.path`` read by :func:`tierkit.read_transactions`.

    The other keys of ``data`` are the reader's keyword arguments, as given.
    """
    if "dataset" in config.data:
        return load_cdnow(sample=config.data["dataset"] == "cdnow_sample")
    return read_transactions(config.data_path(), **config.data.read_arguments())


def _fitted_on_spark(config: ExperimentConfig, tx: pd.DataFrame, as_of, segmentation: Segmentation,
                     survey) -> Segmentation:
    """``segmentation`` fitted by Spark (``engine: spark``): features and statistics computed in Spark.

    A ``data.path`` is read by Spark under the same reading options; a bundled dataset is given
    to Spark as a DataFrame. The standards are those the local engine learns
    (:func:`tierkit.spark.training.fit_segmentation_spark`), so the run grades alike.
    """
    from dataclasses import fields

    from tierkit.data import ColumnMap, ReadOptions
    from tierkit.spark.session import default_spark_session
    from tierkit.spark.training import fit_segmentation_spark

    spark = default_spark_session()
    if "dataset" in config.data:
        dates = tx["date"]
        midnight = bool((dates == dates.dt.normalize()).all())
        frame = tx[["customer_id", "date", "amount"]].assign(
            date=dates.dt.date if midnight else dates.dt.strftime("%Y-%m-%d %H:%M:%S"))
        source, columns, options = spark.createDataFrame(frame), None, None
    else:
        arguments = config.data.read_arguments()
        arguments.pop("rejects", None)  # written once, by the local read of the same file
        named = {f.name for f in fields(ColumnMap)}
        source = config.data_path()
        columns = ColumnMap(**{k: v for k, v in arguments.items() if k in named})
        options = ReadOptions(**{k: v for k, v in arguments.items() if k not in named})
    return fit_segmentation_spark(source, as_of=as_of, segmentation=segmentation, spark=spark, columns=columns,
                                  options=options, time_unit=config.time_unit, survey=survey).segmentation


def _features(tx, **kwargs):
    with warnings.catch_warnings():
        from tierkit.errors import LaterTransactionsWarning

        warnings.filterwarnings("ignore", category=LaterTransactionsWarning)
        return rfm_features(tx, **kwargs)


def evaluate(config: ExperimentConfig, tx: pd.DataFrame, answers=None):
    """Fit on the calibration period, score the schemes on the holdout; (comparison, agreement, table).

    ``answers``: the survey answers; only those up to the calibration end count here.
    """
    return _evaluate(config, tx, answers)[:3]


def _evaluate(config: ExperimentConfig, tx: pd.DataFrame, answers=None):
    """:func:`evaluate` plus the segmentation fitted on the calibration period (whose tiers were scored)."""
    dates = config.dates
    if "calibration_end" not in dates:
        return None, None, None, None
    features = _features(tx, as_of=dates["calibration_end"], time_unit=config.time_unit,
                         holdout_end=dates["holdout_end"])
    survey = _satisfaction(config, answers, dates["calibration_end"])
    segmentation = build_segmentation(_schemes(config), seed=config.seed)
    if survey is not None:
        features = with_satisfaction(features, survey)
    table = segmentation.fit_transform(features)
    orders = {column: tier_order(column, segmentation.abc_scheme) for column in tier_schemes(segmentation.abc_scheme)}
    if "cluster" in table.columns:
        orders["cluster"] = [str(c) for c in sorted(table["cluster"].unique())]  # 0 = most valuable
    with timed("compared the schemes on the holdout"):
        comparison = compare_schemes(table, orders, seed=config.seed)
        agreement = scheme_agreement(table, list(comparison.index))
    return comparison, agreement, table, segmentation


def config_inputs(config: ExperimentConfig) -> dict:
    """The files a config reads: the config itself, ``data.path`` and ``satisfaction.path``."""
    return {"config": config.source, "data.path": config.data_path(), "satisfaction.path": config.survey_path()}


def refuse_overwriting_config_inputs(config: ExperimentConfig) -> None:
    """Refuse a config whose output paths (``data.rejects``) name one of the files it reads.

    ``data.rejects`` is written where :func:`tierkit.read_transactions` writes it: as given,
    relative to the working folder.
    """
    from tierkit.output import refuse_overwriting_inputs

    refuse_overwriting_inputs({"data.rejects": config.data.get("rejects")}, config_inputs(config))


@dataclass
class ExperimentFit:
    """What :func:`fit_experiment` learned, before anything is logged.

    Attributes
    ----------
    config : ExperimentConfig
        The checked config.
    transactions : pandas.DataFrame
        The transactions read (with the read report in ``attrs``).
    as_of : date-like
        The final model's observation date.
    graded : tierkit.grading.Graded
        The final segmentation, its graded table and features.
    comparison, agreement, calibration_table : pandas.DataFrame or None
        The schemes compared on the holdout (None without a holdout).
    calibrated : Segmentation or None
        The segmentation fitted on the calibration period.
    validation : CLVValidation or None
        The CLV models checked on the holdout.
    alerts : dict
        Grading alerts by language.
    notes : tuple of str
        Notes on the satisfaction data.
    best : str or None
        The top scheme of the comparison.
    """

    config: ExperimentConfig
    transactions: pd.DataFrame
    as_of: object
    graded: object
    comparison: pd.DataFrame | None
    agreement: pd.DataFrame | None
    calibration_table: pd.DataFrame | None
    calibrated: Segmentation | None
    validation: object | None
    alerts: dict
    notes: tuple
    best: str | None

    @property
    def segmentation(self) -> Segmentation:
        """The final fitted segmentation."""
        return self.graded.segmentation

    @property
    def table(self) -> pd.DataFrame:
        """The final graded table (features and tiers by customer)."""
        return self.graded.table


def run_experiment(config, *, tracking_uri_override: str | None = None, register: bool | None = None,
                   progress=None, out_dir=None) -> RunResult:
    """Run a config end to end and log it to MLflow (see module docs).

    :func:`fit_experiment` learns everything, then :func:`log_experiment` logs it; the config
    is checked and the tracking store opened before the fit, so a wrong key or an unreachable
    store costs no fitting time.

    Parameters
    ----------
    config : ExperimentConfig or path
    tracking_uri_override : str, optional
        MLflow tracking URI; default ``MLFLOW_TRACKING_URI`` or ``sqlite:///mlflow.db``.
    register : bool, optional
        Register the model under ``mlflow.registered_model`` with ``mlflow.alias``; default: when
        the config names a registered model.
    progress : callable, optional
        Called with a short text before each step (the CLI shows it).
    out_dir : path, optional
        Also keep the charts and the report there (they are always logged to the run).
    """
    import mlflow

    # The whole config is checked before anything is logged: a wrong key, date, file, scheme
    # parameter or registry name is one TierkitError line, and no MLflow run is created.
    config = config.checked() if isinstance(config, ExperimentConfig) else load_config(config)
    refuse_overwriting_config_inputs(config)
    with timed("opened the MLflow tracking store"):
        open_tracking_store(tracking_uri(tracking_uri_override or config.mlflow.get("tracking_uri")))
        mlflow.set_experiment(config.experiment_name)
    fitted = fit_experiment(config, progress=progress)
    return log_experiment(fitted, register=register, progress=progress, out_dir=out_dir)


def fit_experiment(config, *, progress=None) -> ExperimentFit:
    """Everything a run learns, with no MLflow: the scheme comparison, the final model, its diagnostics.

    Parameters
    ----------
    config : ExperimentConfig or path
    progress : callable, optional
        Called with a short text before each step.

    Returns
    -------
    ExperimentFit
    """
    config = config.checked() if isinstance(config, ExperimentConfig) else load_config(config)
    step = progress or (lambda text: log.info(text))
    step("reading transactions")
    tx = load_experiment_transactions(config)
    as_of = config.dates.get("as_of", config.dates.get("holdout_end"))
    answers, notes = _survey_answers(config, tx, as_of)
    step("comparing schemes on the holdout period")
    comparison, agreement, calibration_table, calibrated = _evaluate(config, tx, answers)
    step("fitting the final segmentation")
    features = _features(tx, as_of=as_of, time_unit=config.time_unit)
    survey = _satisfaction(config, answers, as_of)
    segmentation = build_segmentation(_schemes(config), seed=config.seed)
    if config.engine == "spark":
        step("learning the standards on Spark")
        segmentation = _fitted_on_spark(config, tx, as_of, segmentation, survey)
    graded = grade(features, segmentation=segmentation, survey=survey, lang=config.lang, warn=False)
    table, segmentation = graded.table, graded.segmentation
    if config.currency is not None:  # the money figures' currency, in every output of the run
        table.attrs["currency"] = config.currency
    clusters = dict(segmentation.steps_).get("clusters")
    if clusters is not None and clusters.stability_ is None:  # a diagnostic, not part of fit
        step("measuring the clusters' bootstrap stability")
        with timed("measured the clusters' bootstrap stability"):
            assess_stability(segmentation, graded.features)
    validation = None
    if comparison is not None and "clv" in dict(segmentation.steps_):
        step("diagnosing the CLV models on the holdout")
        from tierkit.clv.diagnostics import clv_diagnostics

        with timed("diagnosed the CLV models on the holdout"):
            validation = clv_diagnostics(tx, calibration_end=config.dates["calibration_end"],
                                         holdout_end=config.dates["holdout_end"], time_unit=config.time_unit)
    alerts = {lang: graded.alerts if lang == config.lang else grading_alerts(segmentation, table, lang)
              for lang in LANGS}
    best = best_scheme(comparison) if comparison is not None else None
    return ExperimentFit(config, tx, as_of, graded, comparison, agreement, calibration_table, calibrated,
                         validation, alerts, tuple(notes), best)


def log_experiment(fitted: ExperimentFit, *, register: bool | None = None, progress=None,
                   out_dir=None) -> RunResult:
    """Log what :func:`fit_experiment` learned as one MLflow run (and its child runs), and register the model.

    The tracking store and experiment are those currently set (:func:`run_experiment` sets them).

    Parameters
    ----------
    fitted : ExperimentFit
    register : bool, optional
        Register the model under ``mlflow.registered_model``; default: when the config names one.
    progress : callable, optional
        Called with a short text before each step.
    out_dir : path, optional
        Also keep the charts and the report there.

    Returns
    -------
    RunResult
    """
    import mlflow

    from tierkit.mlops.pyfunc import log_segmentation_model

    config, tx, as_of, alerts = fitted.config, fitted.transactions, fitted.as_of, fitted.alerts
    table, segmentation, features = fitted.table, fitted.segmentation, fitted.graded.features
    comparison, agreement, best, validation = fitted.comparison, fitted.agreement, fitted.best, fitted.validation
    step = progress or (lambda text: log.info(text))
    k = chosen_k(segmentation)
    description = run_description(config, as_of=as_of, customers=len(table), segmentation=segmentation,
                                  comparison=comparison, best=best, alerts=len(alerts["en"]), k=k)
    scheme_run_ids = {}
    with (mlflow.start_run(run_name=config.name, description=description) as run,
          tempfile.TemporaryDirectory() as tmp):
        tmp = Path(tmp) if out_dir is None else Path(out_dir)
        tmp.mkdir(parents=True, exist_ok=True)
        mlflow.set_tags({"tierkit.config": config.source.name, "tierkit.as_of": str(as_of),
                         "tierkit.engine": config.engine})
        mlflow.set_tags(clv_model_tags(segmentation))
        if best is not None:
            mlflow.set_tag("best_scheme", best)
        if k is not None:
            mlflow.set_tag("tierkit.k", str(k))
        mlflow.log_metric("alerts", float(len(alerts["en"])))
        # English tag, stable for searching; the Chinese one for reading; the report in config.lang
        if alerts["en"]:
            mlflow.set_tags({"tierkit.alerts": " | ".join(alerts["en"])[:5000],
                             "tierkit.alerts_zh": " | ".join(alerts["zh"])[:5000]})
        if segmentation.skipped_steps_:  # optional steps the data could not support
            skipped = "; ".join(f"{name}: {why}" for name, why in segmentation.skipped_steps_.items())
            mlflow.set_tag("tierkit.skipped_steps", skipped[:5000])
        with timed("logged the config and the data set to MLflow"):
            mlflow.log_params({k: str(v)[:500] for k, v in config.to_params().items()})
            mlflow.log_artifact(str(config.source), artifact_path="config")
            source = config.data_path() or cdnow_path(sample=config.data["dataset"] == "cdnow_sample")
            dataset = mlflow.data.from_pandas(tx, source=str(source.resolve()), name=source.name)
            mlflow.log_input(dataset, context="training")
        mlflow.log_metrics({"customers": float(len(table)), "transactions": float(len(tx))})
        read = tx.attrs.get("read_report")
        if read:
            # rows left out by the reading policy (guests dropped, bad rows skipped) stay visible
            mlflow.log_metrics({"rows_read": float(read["rows_read"]),
                                "rows_left_out": float(read["rows_read"] - read["rows_kept"])})
            if read["rejected"]:
                mlflow.set_tag("tierkit.rows_left_out", ", ".join(f"{n} {r}" for r, n in read["rejected"].items()))
        if comparison is not None:
            step("logging the comparison")
            with timed("logged the comparison to MLflow"):
                scheme_run_ids = log_scheme_runs(
                    comparison, fitted.calibrated, calibration_end=config.dates["calibration_end"],
                    holdout_end=config.dates["holdout_end"], customers=len(fitted.calibration_table),
                    tags={"tierkit.config": config.source.name})
                mlflow.log_table(comparison.reset_index(), "comparison/schemes.json")
                mlflow.log_table(agreement.reset_index(names="scheme"), "comparison/agreement_ari.json")
        step("logging tier profiles")
        with timed("logged the tier profiles to MLflow"):
            for column in [*tier_schemes(segmentation.abc_scheme), "cluster"]:
                if column in table.columns:
                    order = (sorted(table[column].unique()) if column == "cluster"
                             else tier_order(column, segmentation.abc_scheme))
                    summary = tier_summary(table, column, order=order)
                    mlflow.log_table(summary.reset_index(), f"profiles/{column}.json")
            for name, value in _diagnostic_metrics(segmentation).items():
                mlflow.log_metric(name, value)
        if validation is not None:  # the FHL 2005 diagnostics of every purchase model on the holdout
            for name, model in validation.models.items():
                mlflow.log_metrics({f"clv_holdout.{name}.{metric}": float(getattr(model, metric))
                                    for metric in ("tracking_error", "pearson_corr", "mae", "log_likelihood", "bic")})
            mlflow.log_table(validation.comparison.reset_index(), "comparison/clv_models.json")
        step("drawing charts and the report")
        diagnostics = _log_extras(segmentation, table, config, tmp, comparison, fitted.notes, alerts[config.lang],
                                  validation)
        step("logging the model")
        horizon = getattr(dict(segmentation.steps_).get("clv"), "horizon", None)
        with timed("logged the model to MLflow"):
            info = log_segmentation_model(segmentation, features, horizon=horizon)
        run_id, experiment_id = run.info.run_id, run.info.experiment_id
    version = None
    registered = config.mlflow.get("registered_model")
    if (register if register is not None else bool(registered)) and registered:
        step("registering the model")
        from tierkit.mlops.registry import register_run_model

        with timed(f"registered the model as {registered}"):
            version = register_run_model(run_id, registered, alias=config.mlflow.get("alias", "champion"))
    return RunResult(run_id, experiment_id, info.model_uri, comparison, agreement, table, version, fitted.notes,
                     diagnostics, tx.attrs.get("read_report"), alerts, scheme_run_ids, best, validation)


def _schemes(config: ExperimentConfig) -> dict:
    """The config's schemes, with the satisfaction threshold passed to the CLV-CS grid."""
    schemes = {k: (dict(v) if isinstance(v, dict) else v) for k, v in config.schemes.items()}
    threshold = (config.satisfaction or {}).get("high_threshold")
    if threshold is not None and schemes.get("clv_cs", False) is not False:
        schemes["clv_cs"] = {**(schemes["clv_cs"] if isinstance(schemes["clv_cs"], dict) else {}),
                             "cs_threshold": float(threshold)}
    return schemes


def _survey_answers(config: ExperimentConfig, tx: pd.DataFrame, as_of):
    """The survey answers a config asks for (or None) and the notes a report must show."""
    sat = config.satisfaction
    if not sat:
        return None, []
    scale = sat.get("scale", "nps")
    if sat.get("synthetic"):
        customers = sorted(tx["customer_id"].unique())
        answers = synthetic_survey(customers, seed=int(sat.get("seed", config.seed)), scale=scale, as_of=as_of)
        return answers, [SYNTHETIC_SURVEY_NOTE[config.lang]]
    path = Path(sat["path"])
    path = path if path.is_absolute() else config.source.parent / path
    return read_survey(path, scale=scale, **(sat.get("columns") or {})), []


def _satisfaction(config: ExperimentConfig, answers, as_of):
    """Per-customer satisfaction as of ``as_of`` from the answers (None without a survey)."""
    if answers is None:
        return None
    sat = config.satisfaction or {}
    return customer_satisfaction(answers, how=sat.get("aggregate", "latest"), window=sat.get("window"), as_of=as_of)


def clv_model_tags(segmentation: Segmentation) -> dict:
    """``tierkit.clv_model`` and ``tierkit.clv_model_choice`` (why that purchase model) of a fitted CLV step.

    Parameters
    ----------
    segmentation : Segmentation
        Fitted.

    Returns
    -------
    dict
        Empty without a CLV step.

    Examples
    --------
    >>> clv_model_tags(Segmentation(clv=False).fit(pd.DataFrame({"recency": [1, 9], "frequency": [1, 2],
    ...     "monetary": [5.0, 9.0], "frequency_btyd": [0, 1], "recency_btyd": [0, 4]})))
    {}
    """
    clv = dict(segmentation.steps_).get("clv")
    if clv is None or not hasattr(clv, "model_"):
        return {}
    standards = clv.standards()
    params = {standards["model"]: standards[standards["model"]], "gamma_gamma": standards["gamma_gamma"]}
    return {"tierkit.clv_model": clv.model_, "tierkit.clv_model_choice": clv.model_choice_[:5000],
            "tierkit.clv_params": json.dumps(plain_values(params))}


def chosen_k(segmentation: Segmentation) -> int | None:
    """The number of clusters of a fitted segmentation's clusters step (None without one).

    Examples
    --------
    >>> chosen_k(Segmentation(lifecycle=False).fit(pd.DataFrame({"recency": [1, 9], "frequency": [1, 2],
    ...     "monetary": [5.0, 9.0]}))) is None
    True
    """
    clusters = dict(segmentation.steps_).get("clusters")
    return int(clusters.k_) if clusters is not None else None


def _diagnostic_metrics(segmentation: Segmentation) -> dict:
    """Model diagnostics worth a metric: CLV parameters, the chosen k ..."""
    out = {}
    steps = dict(segmentation.steps_)
    if chosen_k(segmentation) is not None:
        out["k"] = float(chosen_k(segmentation))
    if "clv" in steps:
        clv = steps["clv"]
        for group in ("params_", "gamma_gamma_params_"):
            for key, value in (getattr(clv, group, None) or {}).items():
                out[f"clv.{key}"] = float(value)
        if getattr(clv, "log_likelihood_", None) is not None:
            out["clv.log_likelihood"] = float(clv.log_likelihood_)
    return out


def _log_extras(segmentation, table, config, tmp: Path, comparison, notes, alerts=(), validation=None) -> dict:
    """Every chart (PNG) and the HTML report, as artifacts of the active run; returns the diagnostics."""
    import mlflow

    from tierkit.reporting.charts import figure_png
    from tierkit.reporting.report import write_report
    from tierkit.reporting.report.render import report_sections, scheme_charts

    charts = tmp / "charts"
    charts.mkdir(exist_ok=True)
    with timed("drew the charts"):
        for column in report_sections(table):
            for name, ax in scheme_charts(table, column, lang=config.lang):
                (charts / f"{column}.{name}.png").write_bytes(figure_png(ax.figure, lang=config.lang))
        for name, ax in _model_charts(segmentation, config.lang):
            (charts / f"{name}.png").write_bytes(figure_png(ax.figure, lang=config.lang))
    with timed("logged the charts to MLflow"):
        mlflow.log_artifacts(str(charts), artifact_path="charts")
    diagnostics = segmentation_diagnostics(segmentation)
    if comparison is not None:
        diagnostics["comparison (holdout)"] = comparison
    report = tmp / "report.html"
    with timed("wrote the report"):
        write_report(table, report, diagnostics, lang=config.lang, title=f"{config.name}: customer tiers",
                     notes=notes, alerts=alerts, validation=validation, currency=config.currency)
    with timed("logged the report to MLflow"):
        mlflow.log_artifact(str(report))
    return diagnostics


def _model_charts(segmentation, lang: str):
    """(name, Axes) of the fitted models' own charts: k selection, snake plot ..."""
    from tierkit.reporting.charts.clusters import cluster_charts

    out = []
    steps = dict(segmentation.steps_)
    if "clusters" in steps:
        out.extend(cluster_charts(steps["clusters"], lang=lang))
    return out


def segmentation_diagnostics(segmentation) -> dict:
    """Per step, the standards and model figures a report shows."""
    out = {}
    for name, step in segmentation.steps_:
        if hasattr(step, "diagnostics"):
            out[name] = step.diagnostics()
        elif hasattr(step, "standards"):
            out[name] = step.standards()
        elif hasattr(step, "thresholds_"):
            out[name] = dict(step.thresholds_)
    return out
