"""``tierkit segment``: grade every customer of a transaction file."""

from __future__ import annotations

import click

from tierkit.cli.options import grade_from_options, model_options, read_summary, survey_options, transaction_options
from tierkit.output import check_output_not_input, check_table_path, write_table


@click.command()
@click.argument("transactions", type=click.Path(dir_okay=False))
@click.option("--as-of", required=True, help="Observation date (YYYY-MM-DD); later transactions are left out.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Output file: .csv, .parquet or .xlsx.")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of labels and strategies.")
@model_options
@survey_options
@transaction_options
def segment(transactions, as_of, out, time_unit, lang, **kwargs):
    """Grade every customer in TRANSACTIONS and write one row per customer.

    Columns: the RFM features, RFM scores and classes, named segments, ABC tier, lifecycle
    stage, predicted CLV (expected purchases, p_alive, expected spend, clv), k-means cluster,
    value-potential quadrant and, with --satisfaction, the CS index and the CLV-CS class.
    """
    check_table_path(out)
    check_output_not_input(out, [transactions, kwargs.get("satisfaction"), kwargs.get("rejects")])
    table, _, features, _, _ = grade_from_options(transactions, as_of, time_unit, kwargs, lang=lang)
    write_table(table, out)
    for line in read_summary(features.attrs.get("read_report")):
        click.echo(line, err=True)
    click.echo(f"{len(table)} customers graded as of {features.attrs['as_of']} -> {out}", err=True)
