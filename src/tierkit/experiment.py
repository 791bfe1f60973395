"""``tierkit run CONFIG``: fit every scheme, compare them on held-out value, log it all to MLflow.

One run does two fits:

1. **comparison** -- features as of ``calibration_end`` with the holdout period up to
   ``holdout_end``; every scheme is fitted on the calibration period and scored on how well
   its tiers separate the customers' actual holdout spend (:mod:`tierkit.comparison`);
2. **final model** -- features as of ``as_of``; the fitted segmentation is logged as one pyfunc
   model (:mod:`tierkit.model`), with its standards, tier profiles, charts and the report.

With no tracking URI configured, MLflow's local default store is used (a SQLite file
``mlflow.db`` in the working directory), so a run needs no server.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tierkit.comparison import compare_schemes, scheme_agreement
from tierkit.config import ExperimentConfig, load_config
from tierkit.datasets import cdnow_path, load_cdnow
from tierkit.errors import TierkitError
from tierkit.features import rfm_features
from tierkit.segmentation import Segmentation, build_segmentation, tier_order, tier_schemes
from tierkit.summary import tier_summary
from tierkit.transactions import read_transactions

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


def tracking_uri(explicit: str | None = None) -> str:
    """``explicit``, else ``MLFLOW_TRACKING_URI``, else the local SQLite default."""
    return explicit or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def load_experiment_transactions(config: ExperimentConfig) -> pd.DataFrame:
    """The transactions a config names (a bundled dataset or a file with its column map)."""
    if "dataset" in config.data:
        return load_cdnow(sample=config.data["dataset"] == "cdnow_sample")
    path = config.data_path()
    columns = config.data.get("columns", {}) or {}
    return read_transactions(
        path,
        date_format=config.data.get("date_format"),
        sep=config.data.get("sep"),
        sheet_name=config.data.get("sheet_name", 0),
        drop_duplicates=bool(config.data.get("drop_duplicates", False)),
        **columns,
    )


def _features(tx, **kwargs):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*transaction\(s\) after .* left out")
        return rfm_features(tx, **kwargs)


def evaluate(config: ExperimentConfig, tx: pd.DataFrame, survey=None):
    """Fit on the calibration period, score the schemes on the holdout; (comparison, agreement, table)."""
    dates = config.dates
    if "calibration_end" not in dates:
        return None, None, None
    features = _features(tx, as_of=dates["calibration_end"], time_unit=config.time_unit,
                         holdout_end=dates["holdout_end"])
    segmentation = build_segmentation(config.schemes, seed=config.seed, survey=survey)
    table = segmentation.fit(features).transform(features)
    orders = {column: tier_order(column, segmentation.abc_scheme) for column in tier_schemes(segmentation.abc_scheme)}
    comparison = compare_schemes(table, orders, seed=config.seed)
    agreement = scheme_agreement(table, list(comparison.index))
    return comparison, agreement, table


def run_experiment(config, *, tracking_uri_override: str | None = None, register: bool | None = None,
                   progress=None) -> RunResult:
    """Run a config end to end and log it to MLflow (see module docs).

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
    """
    import mlflow

    from tierkit.model import log_segmentation_model

    if not isinstance(config, ExperimentConfig):
        config = load_config(config)
    step = progress or (lambda text: log.info(text))
    mlflow.set_tracking_uri(tracking_uri(tracking_uri_override or config.mlflow.get("tracking_uri")))
    mlflow.set_experiment(config.experiment_name)

    step("reading transactions")
    tx = load_experiment_transactions(config)
    survey = _survey(config, tx)
    step("comparing schemes on the holdout period")
    comparison, agreement, _ = evaluate(config, tx, survey=survey)
    as_of = config.dates.get("as_of", config.dates.get("holdout_end"))
    step("fitting the final segmentation")
    features = _features(tx, as_of=as_of, time_unit=config.time_unit)
    segmentation = build_segmentation(config.schemes, seed=config.seed, survey=survey)
    segmentation.fit(features)
    table = segmentation.transform(features, lang=config.lang)

    with mlflow.start_run(run_name=config.name) as run, tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        mlflow.set_tags({"tierkit.config": config.source.name, "tierkit.as_of": str(as_of)})
        mlflow.log_params({k: str(v)[:500] for k, v in config.to_params().items()})
        mlflow.log_artifact(str(config.source), artifact_path="config")
        source = config.data_path() or cdnow_path(sample=config.data["dataset"] == "cdnow_sample")
        dataset = mlflow.data.from_pandas(tx, source=str(source.resolve()), name=source.name)
        mlflow.log_input(dataset, context="training")
        mlflow.log_metrics({"customers": float(len(table)), "transactions": float(len(tx))})
        if comparison is not None:
            step("logging the comparison")
            for scheme, row in comparison.iterrows():
                for metric in ("variance_share", "top_tier_lift", "order_agreement", "size_balance", "silhouette"):
                    value = row[metric]
                    if pd.notna(value):
                        mlflow.log_metric(f"{scheme}.{metric}", float(value))
            mlflow.log_table(comparison.reset_index(), "comparison/schemes.json")
            mlflow.log_table(agreement.reset_index(names="scheme"), "comparison/agreement_ari.json")
        step("logging tier profiles")
        for column in tier_schemes(segmentation.abc_scheme):
            if column in table.columns:
                summary = tier_summary(table, column, order=tier_order(column, segmentation.abc_scheme))
                mlflow.log_table(summary.reset_index(), f"profiles/{column}.json")
        for name, value in _diagnostic_metrics(segmentation).items():
            mlflow.log_metric(name, value)
        _log_extras(segmentation, table, config, tmp, comparison)
        step("logging the model")
        horizon = getattr(dict(segmentation.steps_).get("clv"), "horizon", None)
        info = log_segmentation_model(segmentation, features, horizon=horizon)
        run_id, experiment_id = run.info.run_id, run.info.experiment_id
    version = None
    registered = config.mlflow.get("registered_model")
    if (register if register is not None else bool(registered)) and registered:
        step("registering the model")
        from tierkit.registry import register_run_model

        version = register_run_model(run_id, registered, alias=config.mlflow.get("alias", "champion"))
    return RunResult(run_id, experiment_id, info.model_uri, comparison, agreement, table, version)


def _survey(config: ExperimentConfig, tx: pd.DataFrame):
    """The per-customer satisfaction table a config asks for, or None."""
    if not config.satisfaction:
        return None
    raise TierkitError(f"{config.source}: satisfaction is not available in this build")


def _diagnostic_metrics(segmentation: Segmentation) -> dict:
    """Model diagnostics worth a metric: CLV parameters, the chosen k ..."""
    out = {}
    steps = dict(segmentation.steps_)
    if "clv" in steps:
        clv = steps["clv"]
        for group in ("bgnbd_params_", "gamma_gamma_params_"):
            for key, value in (getattr(clv, group, None) or {}).items():
                out[f"clv.{key}"] = float(value)
        if getattr(clv, "log_likelihood_", None) is not None:
            out["clv.log_likelihood"] = float(clv.log_likelihood_)
    return out


def _log_extras(segmentation, table, config, tmp: Path, comparison) -> None:
    """Charts and the HTML report, when those modules are available."""
    return None
