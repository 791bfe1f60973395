"""``tierkit compare``: the scheme comparison across the runs of an experiment, from MLflow."""

from __future__ import annotations

import click
from rich.console import Console

from tierkit.evaluation.comparison import METRICS


@click.command()
@click.option("--experiment", default="tierkit-cdnow", show_default=True, help="MLflow experiment name.")
@click.option("--out", default="comparison.csv", show_default=True, type=click.Path(dir_okay=False),
              help="CSV file for the table.")
@click.option("--tracking-uri", default=None, help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db).")
def compare(experiment, out, tracking_uri):
    """Rank every scheme of every run by held-out value separation."""
    from tierkit.mlops.experiment import tracking_uri as resolve
    from tierkit.mlops.tracking import comparison_across_runs
    from tierkit.output import write_table

    table = comparison_across_runs(experiment, tracking_uri=resolve(tracking_uri))
    write_table(table, out)
    shown = table.assign(run=table["run_id"].str[:8])[["run", "run_name", "scheme", *METRICS]]
    console = Console()
    console.print(f"{experiment}: schemes ranked by held-out variance share", soft_wrap=True)
    console.print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"), soft_wrap=True)
    click.echo(f"{len(table)} rows -> {out}", err=True)
