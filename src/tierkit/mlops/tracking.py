"""Reading tierkit runs back from MLflow."""

from __future__ import annotations

import pandas as pd

from tierkit.errors import TierkitError
from tierkit.evaluation.comparison import METRICS


def comparison_across_runs(experiment: str, *, tracking_uri: str | None = None) -> pd.DataFrame:
    """One row per (run, scheme) with the held-out comparison metrics, best separation first.

    A run of :func:`tierkit.mlops.experiment.run_experiment` is a parent run with one child run
    per scheme (tag ``tierkit.scheme``) holding the metrics; ``run_id``, ``run_name`` and
    ``start_time`` are the parent's, ``scheme_run_id`` the child's. Runs logged before the child
    runs, with ``<scheme>.<metric>`` metrics on the run itself, are read too (``scheme_run_id``
    empty).

    Parameters
    ----------
    experiment : str
        MLflow experiment name.
    tracking_uri : str, optional
        Tracking URI; default the current one.

    Returns
    -------
    pandas.DataFrame
        Columns ``run_id``, ``run_name``, ``start_time``, ``scheme``, ``scheme_run_id`` and
        :data:`tierkit.evaluation.comparison.METRICS`.
    """
    import mlflow

    if tracking_uri:
        mlflow.set_tracking_uri(tracking_uri)
    found = mlflow.get_experiment_by_name(experiment)
    if found is None:
        raise TierkitError("no_experiment", experiment=repr(experiment), tracking=mlflow.get_tracking_uri())
    runs = mlflow.search_runs([found.experiment_id], output_format="pandas")
    rows = []
    if len(runs):
        rows = _scheme_run_rows(runs) + _old_style_rows(runs)
    if not rows:
        raise TierkitError("no_comparison_runs", experiment=repr(experiment))
    table = pd.DataFrame(rows)
    table["start_time"] = table["start_time"].astype("str")
    table = table.sort_values(["variance_share", "run_id"], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)


def _column(runs: pd.DataFrame, name: str) -> pd.Series:
    return runs[name] if name in runs.columns else pd.Series(None, index=runs.index, dtype="object")


def _scheme_run_rows(runs: pd.DataFrame) -> list:
    """Rows from the child runs (one per scheme) under their parent run."""
    parents = runs.set_index("run_id")
    names = _column(runs, "tags.mlflow.runName").set_axis(runs["run_id"])
    children = runs[_column(runs, "tags.tierkit.scheme").notna() & _column(runs, "tags.mlflow.parentRunId").notna()]
    rows = []
    for _, child in children.iterrows():
        parent = child["tags.mlflow.parentRunId"]
        row = {"run_id": parent, "run_name": names.get(parent),
               "start_time": parents["start_time"].get(parent, child["start_time"]),
               "scheme": child["tags.tierkit.scheme"], "scheme_run_id": child["run_id"]}
        for metric in METRICS:
            row[metric] = child.get(f"metrics.{metric}")
        rows.append(row)
    return rows


def _old_style_rows(runs: pd.DataFrame) -> list:
    """Rows from runs logged before the child runs: ``<scheme>.<metric>`` metrics on the run."""
    rows = []
    columns = [c for c in runs.columns if c.startswith("metrics.") and c[len("metrics."):].endswith(".variance_share")]
    for _, run in runs.iterrows():
        schemes = {c[len("metrics."):].rsplit(".", 1)[0] for c in columns if pd.notna(run[c])}
        for scheme in sorted(schemes):
            row = {"run_id": run["run_id"], "run_name": run.get("tags.mlflow.runName"), "start_time": run["start_time"],
                   "scheme": scheme, "scheme_run_id": None}
            for metric in METRICS:
                row[metric] = run.get(f"metrics.{scheme}.{metric}")
            rows.append(row)
    return rows
