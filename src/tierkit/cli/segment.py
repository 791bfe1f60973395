"""``tierkit segment``: grade every customer of a transaction file."""

from __future__ import annotations

import click

from tierkit.cli.main import cli
from tierkit.cli.options import pop_transaction_options, read_from_options, transaction_options
from tierkit.features import rfm_features
from tierkit.output import check_table_path, write_table
from tierkit.segmentation import Segmentation


@cli.command()
@click.argument("transactions", type=click.Path(dir_okay=False))
@click.option("--as-of", required=True, help="Observation date (YYYY-MM-DD); later transactions are left out.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Output file: .csv, .parquet or .xlsx.")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of labels and strategies.")
@transaction_options
def segment(transactions, as_of, out, time_unit, lang, **kwargs):
    """Grade every customer in TRANSACTIONS and write one row per customer."""
    opts = pop_transaction_options(kwargs)
    check_table_path(out)
    tx = read_from_options(transactions, opts)
    features = rfm_features(tx, as_of=as_of, time_unit=time_unit)
    table = Segmentation().fit(features).transform(features, lang=lang)
    write_table(table, out)
    click.echo(f"{len(table)} customers graded as of {features.attrs['as_of']} -> {out}", err=True)
