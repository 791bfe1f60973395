"""``tierkit run CONFIG``: fit, compare and log an experiment to MLflow."""

from __future__ import annotations

import click
from rich.console import Console


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--tracking-uri", default=None, help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db).")
@click.option("--register/--no-register", default=None, help="Register the model (default: when the config names one).")
def run(config, tracking_uri, register):
    """Fit every scheme of CONFIG, compare them on the holdout and log the run to MLflow."""
    from tierkit.mlops.experiment import run_experiment

    console = Console(stderr=True)
    with console.status("starting") as status:
        result = run_experiment(config, tracking_uri_override=tracking_uri, register=register,
                                progress=lambda text: status.update(text))
    show_run(result)


def show_run(result) -> None:
    """Print a run's summary: the run id, the read report, the scheme comparison and the model."""
    out = Console()
    out.print(f"run {result.run_id} (experiment {result.experiment_id}): {len(result.table):,} customers")
    from tierkit.cli.options import read_summary

    for line in read_summary(result.read_report):
        out.print(line, soft_wrap=True)
    if result.comparison is not None:
        shown = result.comparison[["variance_share", "top_tier_lift", "order_agreement", "size_balance", "silhouette",
                                   "tiers"]]
        out.print("schemes ranked by held-out value separation:", soft_wrap=True)
        out.print(shown.to_string(float_format=lambda v: f"{v:.3f}"), soft_wrap=True)
        if getattr(result, "best_scheme", None):
            out.print(f"best scheme: {result.best_scheme} (tag best_scheme); one child run per scheme in MLflow",
                      soft_wrap=True)
    out.print(f"model: {result.model_uri}")
    if result.registered_version:
        out.print(f"registered version {result.registered_version}")
