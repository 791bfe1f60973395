"""``tierkit report``: grade the customers of a transaction file and write the HTML report."""

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
from tierkit.experiment import segmentation_diagnostics
from tierkit.features import rfm_features
from tierkit.report import write_report


@cli.command()
@click.argument("transactions", type=click.Path(dir_okay=False))
@click.option("--as-of", required=True, help="Observation date (YYYY-MM-DD); later transactions are left out.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Report file (.html).")
@click.option("--title", default=None, help="Report title.")
@click.option("--note", "notes", multiple=True, help="A note shown at the top of the report (repeatable).")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@model_options
@survey_options
@transaction_options
def report(transactions, as_of, out, title, notes, time_unit, lang, **kwargs):
    """Grade every customer in TRANSACTIONS and write the tier management report (HTML)."""
    tx_opts = pop_transaction_options(kwargs)
    survey_opts = pop_survey_options(kwargs)
    model_opts = pop_model_options(kwargs)
    if not str(out).lower().endswith((".html", ".htm")):
        raise click.BadParameter(f"{out}: the report is HTML; give a file name ending in .html", param_hint="--out")
    survey = survey_from_options(survey_opts, as_of)
    tx = read_from_options(transactions, tx_opts)
    features = rfm_features(tx, as_of=as_of, time_unit=time_unit)
    segmentation = segmentation_from_options(model_opts, survey, time_unit, survey_opts["cs_threshold"])
    table = fit_segmentation(segmentation, features, survey).transform(features, survey=survey)
    diagnostics = segmentation_diagnostics(segmentation)
    if survey is not None:
        diagnostics["survey"] = {"file": str(survey_opts["satisfaction"]), "scale": str(survey.attrs["scale"]),
                                 "how": survey_opts["survey_how"], "window_days": survey_opts["survey_window"],
                                 "respondents": len(survey)}
    write_report(table, out, diagnostics, lang=lang, title=title, notes=notes)
    click.echo(f"report on {len(table):,} customers as of {features.attrs['as_of']} -> {out}", err=True)
