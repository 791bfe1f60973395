"""``tierkit register RUN_ID --name NAME --alias champion``."""

from __future__ import annotations

import click


@click.command()
@click.argument("run_id")
@click.option("--name", required=True, help="Registered model name.")
@click.option("--alias", default="champion", show_default=True, help="Alias to point at the new version.")
@click.option("--tracking-uri", default=None, help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db).")
def register(run_id, name, alias, tracking_uri):
    """Register the segmentation model of RUN_ID and give it an alias."""
    import mlflow

    from tierkit.mlops.experiment import tracking_uri as resolve
    from tierkit.mlops.registry import register_run_model

    mlflow.set_tracking_uri(resolve(tracking_uri))
    version = register_run_model(run_id, name, alias=alias)
    click.echo(f"models:/{name}/{version} registered; alias {alias!r} -> version {version}")
    click.echo(f"load it with mlflow.pyfunc.load_model('models:/{name}@{alias}')")
