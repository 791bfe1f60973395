"""Reading tierkit runs back from MLflow."""

from __future__ import annotations

import pandas as pd

from tierkit.errors import TierkitError
from tierkit.evaluation.comparison import METRICS


def comparison_across_runs(experiment: str, *, tracking_uri: str | None = None) -> pd.DataFrame:
    """One row per (run, scheme) with the held-out comparison metrics, best separation first.

    Metrics are those logged by :func:`tierkit.mlops.experiment.run_experiment` as
    ``<scheme>.<metric>``.
    """
    import mlflow

    if tracking_uri:
        mlflow.set_tracking_uri(tracking_uri)
    found = mlflow.get_experiment_by_name(experiment)
    if found is None:
        raise TierkitError(
            f"experiment {experiment!r}: not found in the tracking store {mlflow.get_tracking_uri()}; "
            "run `tierkit run CONFIG` first"
        )
    runs = mlflow.search_runs([found.experiment_id], output_format="pandas")
    rows = []
    for _, run in runs.iterrows():
        schemes = {c[len("metrics."):].rsplit(".", 1)[0] for c in runs.columns
                   if c.startswith("metrics.") and c.endswith(".variance_share") and pd.notna(run[c])}
        for scheme in sorted(schemes):
            row = {"run_id": run["run_id"], "run_name": run.get("tags.mlflow.runName"), "start_time": run["start_time"],
                   "scheme": scheme}
            for metric in METRICS:
                row[metric] = run.get(f"metrics.{scheme}.{metric}")
            rows.append(row)
    if not rows:
        raise TierkitError(f"experiment {experiment!r}: no run has comparison metrics "
                           "(configs need calibration_end and holdout_end)")
    table = pd.DataFrame(rows)
    table["start_time"] = table["start_time"].astype("str")
    table = table.sort_values(["variance_share", "run_id"], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)
