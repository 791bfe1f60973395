"""``tierkit score``: score a whole customer base from its transactions with a logged model."""

from __future__ import annotations

import click

from tierkit.cli.memory import checked_memory_limit
from tierkit.cli.options import AS_OF_OPTION, pop_transaction_options, transaction_options
from tierkit.messages import Message

_PHASE_LABELS = {"checking": "checking rows", "aggregating": "aggregating", "scoring": "scoring customers"}


@click.command()
@click.pass_context
@click.argument("transactions", required=False)
@click.option("--model", "model", required=True,
              help="models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID/model or a local model folder.")
@click.option("--transactions", "transactions_option", default=None,
              help="Older spelling of the TRANSACTIONS argument.")
@AS_OF_OPTION
@click.option("--out", "out", required=True,
              help="Output .csv or .parquet (written atomically); with --engine spark also a folder/URI.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="local: DuckDB on this machine; spark: Spark SQL + mlflow spark_udf.")
@click.option("--tracking-uri", default=None,
              help="MLflow tracking URI for models:/ and runs:/ "
                   "(default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db).")
@click.option("--chunk-size", type=int, default=100_000, show_default=True, help="Customers per model call.")
@click.option("--memory-limit", default="1GB", show_default=True, callback=checked_memory_limit,
              help="Local engine: DuckDB memory limit before spilling to disk.")
@click.option("--spark-master", default=None,
              help="Spark engine: master URL of a local session (default local[*]; under spark-submit its own "
                   "master).")
@click.option("--no-progress", is_flag=True, help="Do not show the progress bar.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the summary and messages (the scores keep their column keys).")
@transaction_options
def score(ctx, transactions, model, transactions_option, as_of, out, engine, tracking_uri, chunk_size, memory_limit,
          spark_master, no_progress, lang, **kwargs):
    """Compute features from TRANSACTIONS and score every customer with MODEL.

    TRANSACTIONS is a CSV (also .gz), Parquet or .xlsx file, or a folder or glob ('parts/*.csv')
    of Parquet or CSV parts (a URI with --engine spark), the forms training takes too, read by
    the same rules as training and, by default, with the options training read its file with
    (columns, price x quantity, order column, date format, separator, policies): give only what
    differs in this file.
    """
    from tierkit.output import refuse_overwriting_inputs

    refuse_overwriting_inputs({"--out": out, "--rejects": kwargs.get("rejects")},
                              {"TRANSACTIONS" if transactions_option is None else "--transactions":
                               transactions if transactions_option is None else transactions_option,
                               "--model": model})
    if transactions is None or transactions_option is not None:
        if transactions is not None:
            raise click.UsageError(Message("transactions_twice", argument="TRANSACTIONS", option="--transactions"))
        if transactions_option is None:
            raise click.UsageError(Message("missing_argument", argument="TRANSACTIONS"))
        transactions = transactions_option
    import mlflow
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tierkit.cli.saved import reading_changes
    from tierkit.mlops.experiment import tracking_uri as resolve

    # the model's training reading, changed only by the options given here (model_reading)
    columns, options = reading_changes(ctx, pop_transaction_options(kwargs))
    mlflow.set_tracking_uri(resolve(tracking_uri))
    common = dict(as_of=as_of, out=out, columns=columns, options=options, chunk_size=chunk_size)
    console = Console(stderr=True)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, disable=no_progress, transient=False)
    tasks = {}

    def progress(phase, done, total):
        if phase not in tasks:
            tasks[phase] = bar.add_task(_PHASE_LABELS.get(phase, phase), total=total)
        bar.update(tasks[phase], completed=done, total=total)

    with bar:
        if engine == "local":
            from tierkit.scoring import score_transactions

            summary = score_transactions(model, transactions, memory_limit=memory_limit, progress=progress, **common)
        else:
            from tierkit.scoring.spark import default_spark_session, score_transactions_spark

            spark = default_spark_session(master=spark_master)
            summary = score_transactions_spark(model, transactions, spark=spark, progress=progress, **common)
    for line in summary.lines(lang):
        click.echo(line, err=True)
