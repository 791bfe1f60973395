"""``tierkit segment``: grade every customer of a transaction file."""

from __future__ import annotations

import click

from tierkit.cli.language import headers_option, resolve_headers
from tierkit.cli.memory import checked_memory_limit
from tierkit.cli.options import (
    AS_OF_OPTION,
    CURRENCY_OPTION,
    grade_file_from_options,
    model_options,
    read_summary,
    survey_options,
    transaction_options,
)
from tierkit.cli.saved import grade_from_model, saved_model_options
from tierkit.messages import Message
from tierkit.output import check_table_path, refuse_overwriting_inputs, write_table


@click.command()
@click.argument("transactions")
@AS_OF_OPTION
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Output file: .csv, .parquet or .xlsx; with --engine spark also a new folder or URI "
                   "(no suffix), into which the executors write Parquet parts.")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of labels, strategies, headers, messages and the Excel sheets.")
@headers_option
@CURRENCY_OPTION
@click.option("--save-model", default=None, type=click.Path(file_okay=False), metavar="FOLDER",
              help="Also save the fitted standards as a model folder (new), to grade later periods with --model.")
@click.option("--memory-limit", default="1GB", show_default=True, callback=checked_memory_limit,
              help="DuckDB memory limit for reading and aggregating the transactions; past it DuckDB spills to "
                   "disk. Training holds the features of every customer once, then grades them in chunks.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="Where the features are computed and counted: DuckDB on this machine, or Spark (a local session, "
                   "or spark-submit's). Both learn the same standards and write the same file.")
@click.option("--spark-master", default=None,
              help="Spark engine: master URL of a local session (default local[*]; under spark-submit its own "
                   "master).")
@saved_model_options
@model_options
@survey_options
@transaction_options
@click.pass_context
def segment(ctx, transactions, as_of, out, time_unit, lang, headers, currency, save_model, memory_limit, engine,
            spark_master, **kwargs):
    """Grade every customer in TRANSACTIONS and write one row per customer.

    Columns: the RFM features, RFM scores and classes, named segments, ABC tier, lifecycle
    stage, predicted CLV (expected purchases, p_alive, expected spend, clv), k-means cluster,
    value-potential quadrant and, with --satisfaction, the CS index and the CLV-CS class.

    Every standard (bin edges, means, cut-offs, centres) is fitted on this base, unless
    --model gives saved ones: then nothing is refitted, and this month's base is graded by the
    standards of the month the model was saved (see also --save-model).

    With --lang zh the headers are Chinese (--headers keys keeps the stable column names). An
    .xlsx output has the sheet customers (客户) and a summary-and-strategy sheet per scheme.
    With --currency the money columns of CSV and .xlsx carry it in their header (monetary (USD)).
    """
    refuse_overwriting_inputs({"--out": out, "--rejects": kwargs.get("rejects"), "--save-model": save_model},
                              {"TRANSACTIONS": transactions, "--satisfaction": kwargs.get("satisfaction"),
                               "--model": kwargs.get("model")})
    if not (engine == "spark" and _is_folder_output(out)):
        check_table_path(out)
    if engine == "spark" and kwargs["model"] is not None:
        raise click.BadParameter(Message("saved_on_spark", command="tierkit score --engine spark"),
                                 param_hint="--engine")
    if engine == "spark" and str(out).lower().endswith(".xlsx"):
        raise click.BadParameter(Message("spark_no_workbook", path=out), param_hint="--out")
    if kwargs["model"] is not None:
        table, _, features, *_ = grade_from_model(ctx, transactions, as_of, kwargs, lang=lang)
        if currency is not None:
            table.attrs["currency"] = currency
        from tierkit.evaluation.summary import summary_sheets

        sheets = summary_sheets(table, lang) if str(out).lower().endswith(".xlsx") else None
        write_table(table, out, lang=lang, headers=resolve_headers(headers, lang), sheets=sheets)
        graded, read_report, graded_as_of = len(table), features.attrs.get("read_report"), features.attrs["as_of"]
    else:
        if save_model is not None:
            check_new_folder(save_model)
        kwargs.pop("model"), kwargs.pop("tracking_uri")
        done = grade_file_from_options(transactions, out, as_of, time_unit, kwargs, lang=lang,
                                       headers=resolve_headers(headers, lang), currency=currency,
                                       memory_limit=memory_limit, engine=engine, spark_master=spark_master)
        if save_model is not None:
            save_standards(done.segmentation, done.example, None, save_model)
        graded, read_report, graded_as_of = done.customers, done.attrs["read_report"], done.attrs["as_of"]
    for line in read_summary(read_report, lang):
        click.echo(line, err=True)
    from tierkit.words import term

    click.echo(term("summary_graded", lang, n=graded, as_of=graded_as_of, out=out), err=True)
    if save_model is not None:
        click.echo(term("summary_saved_model", lang, path=save_model), err=True)


def _is_folder_output(out) -> bool:
    from tierkit.spark.training import is_folder_output

    return is_folder_output(out)


def check_new_folder(path) -> None:
    """Refuse, before any work, a ``--save-model`` folder that exists or cannot be created."""
    from pathlib import Path

    folder = Path(path)
    if folder.exists():
        raise click.BadParameter(Message("model_folder_exists", path=path), param_hint="--save-model")
    if not folder.absolute().parent.is_dir():
        raise click.BadParameter(Message("folder_missing", path=path, folder=repr(str(folder.absolute().parent))),
                                 param_hint="--save-model")
    from tierkit.output import check_folder_writable

    check_folder_writable(folder, "--save-model ")  # an unwritable folder is refused before the grading


def save_standards(segmentation, features, survey, path) -> None:
    """Save the fitted segmentation as an MLflow model folder, with its CLV horizon as the default."""
    from tierkit.data.surveys import with_satisfaction
    from tierkit.mlops.export import save_segmentation_model

    horizon = getattr(dict(segmentation.steps_).get("clv"), "horizon", None)
    fitted_on = with_satisfaction(features, survey) if survey is not None else features
    save_segmentation_model(segmentation, fitted_on, path, horizon=horizon)
