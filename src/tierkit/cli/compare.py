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
    from tierkit.output import refuse_overwriting_inputs, write_table

    uri = resolve(tracking_uri)
    refuse_overwriting_inputs({"--out": out}, {"--tracking-uri": tracking_store_path(uri)})
    table = comparison_across_runs(experiment, tracking_uri=uri)
    write_table(table, out)
    shown = table.assign(run=table["run_id"].str[:8])[["run", "run_name", "scheme", *METRICS]]
    console = Console()
    console.print(f"{experiment}: schemes ranked by held-out variance share", soft_wrap=True)
    console.print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"), soft_wrap=True)
    click.echo(f"{len(table)} rows -> {out}", err=True)


def tracking_store_path(uri: str) -> str | None:
    """The local file or folder of an MLflow tracking store (None for a server).

    Examples
    --------
    >>> tracking_store_path("sqlite:///mlflow.db"), tracking_store_path("sqlite:////tmp/m.db")
    ('mlflow.db', '/tmp/m.db')
    >>> tracking_store_path("file:///tmp/mlruns"), tracking_store_path("mlruns"), tracking_store_path("http://h:5000")
    ('/tmp/mlruns', 'mlruns', None)
    """
    for scheme in ("sqlite:///", "file://"):
        if uri.startswith(scheme):
            return uri[len(scheme):]
    return None if "://" in uri else uri
