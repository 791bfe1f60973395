"""``tierkit segment``: grade every customer of a transaction file."""

from __future__ import annotations

import click

from tierkit.cli.language import headers_option, resolve_headers
from tierkit.cli.options import grade_from_options, model_options, read_summary, survey_options, transaction_options
from tierkit.output import check_output_not_input, check_table_path, write_table


@click.command()
@click.argument("transactions", type=click.Path(dir_okay=False))
@click.option("--as-of", required=True, help="Observation date (YYYY-MM-DD); later transactions are left out.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Output file: .csv, .parquet or .xlsx.")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of labels, strategies, headers, messages and the Excel sheets.")
@headers_option
@model_options
@survey_options
@transaction_options
def segment(transactions, as_of, out, time_unit, lang, headers, **kwargs):
    """Grade every customer in TRANSACTIONS and write one row per customer.

    Columns: the RFM features, RFM scores and classes, named segments, ABC tier, lifecycle
    stage, predicted CLV (expected purchases, p_alive, expected spend, clv), k-means cluster,
    value-potential quadrant and, with --satisfaction, the CS index and the CLV-CS class.

    With --lang zh the headers are Chinese (--headers keys keeps the stable column names). An
    .xlsx output has the sheet customers (客户) and a summary-and-strategy sheet per scheme.
    """
    check_table_path(out)
    check_output_not_input(out, [transactions, kwargs.get("satisfaction"), kwargs.get("rejects")])
    table, _, features, _, _ = grade_from_options(transactions, as_of, time_unit, kwargs, lang=lang)
    write_table(table, out, lang=lang, headers=resolve_headers(headers, lang))
    for line in read_summary(features.attrs.get("read_report"), lang):
        click.echo(line, err=True)
    from tierkit.tiers.vocabulary import term

    click.echo(term("summary_graded", lang, n=len(table), as_of=features.attrs["as_of"], out=out), err=True)
