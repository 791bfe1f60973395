"""``tierkit segment``: grade every customer of a transaction file."""

from __future__ import annotations

import click

from tierkit.cli.main import cli
from tierkit.cli.options import (
    model_options,
    pop_model_options,
    pop_survey_options,
    pop_transaction_options,
    read_from_options,
    fit_segmentation,
    segmentation_from_options,
    survey_from_options,
    survey_options,
    transaction_options,
)
from tierkit.features import rfm_features
from tierkit.output import check_table_path, write_table


@cli.command()
@click.argument("transactions", type=click.Path(dir_okay=False))
@click.option("--as-of", required=True, help="Observation date (YYYY-MM-DD); later transactions are left out.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Output file: .csv, .parquet or .xlsx.")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of labels and strategies.")
@model_options
@survey_options
@transaction_options
def segment(transactions, as_of, out, time_unit, lang, **kwargs):
    """Grade every customer in TRANSACTIONS and write one row per customer.

    Columns: the RFM features, RFM scores and classes, named segments, ABC tier, lifecycle
    stage, predicted CLV (expected purchases, p_alive, expected spend, clv), k-means cluster,
    value-potential quadrant and, with --satisfaction, the CS index and the CLV-CS class.
    """
    tx_opts = pop_transaction_options(kwargs)
    survey_opts = pop_survey_options(kwargs)
    model_opts = pop_model_options(kwargs)
    check_table_path(out)
    survey = survey_from_options(survey_opts, as_of)
    tx = read_from_options(transactions, tx_opts)
    features = rfm_features(tx, as_of=as_of, time_unit=time_unit)
    segmentation = segmentation_from_options(model_opts, survey, time_unit, survey_opts["cs_threshold"])
    table = fit_segmentation(segmentation, features, survey).transform(features, lang=lang, survey=survey)
    write_table(table, out)
    click.echo(f"{len(table)} customers graded as of {features.attrs['as_of']} -> {out}", err=True)
