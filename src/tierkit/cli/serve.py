"""``tierkit serve MODEL``: the model over REST, a request's size bounded (:mod:`tierkit.mlops.serve`)."""

from __future__ import annotations

import click

from tierkit.cli.memory import checked_memory_limit


@click.command()
@click.argument("model")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5001, show_default=True, help="Port to listen on.")
@click.option("--max-body", default="24MB", show_default=True, callback=checked_memory_limit,
              help="Largest request body; a larger one is answered 400 at once, unread.")
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help="Largest number of rows per request [default: the model's, 100,000].")
@click.option("--tracking-uri", default=None,
              help="MLflow tracking URI for models:/ and runs:/ (default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db).")
def serve(model, host, port, max_body, max_rows, tracking_uri):
    """Serve MODEL over REST as mlflow models serve does, a request's size bounded.

    MLflow's /invocations, /ping, /health and /version, with the answers of `mlflow models
    serve`; a body over --max-body, or more rows than --max-rows, is answered 400 before any
    work.
    """
    import mlflow
    import uvicorn

    from tierkit.mlops.experiment import tracking_uri as resolve
    from tierkit.mlops.serve import serving_app

    mlflow.set_tracking_uri(resolve(tracking_uri))
    app = serving_app(model, max_body=max_body, model_config={"max_rows": max_rows} if max_rows else None)
    click.echo(f"serving {model} on http://{host}:{port} (bodies up to {max_body})", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
