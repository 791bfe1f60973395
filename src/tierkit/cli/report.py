"""``tierkit report``: grade the customers of a transaction file and write the HTML report."""

from __future__ import annotations

import click

from tierkit.cli.options import grade_from_options, model_options, read_summary, survey_options, transaction_options
from tierkit.mlops.experiment import segmentation_diagnostics
from tierkit.reporting.report import SCHEMES, write_report


@click.command()
@click.argument("transactions", type=click.Path(dir_okay=False))
@click.option("--as-of", required=True, help="Observation date (YYYY-MM-DD); later transactions are left out.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Report file (.html).")
@click.option("--title", default=None, help="Report title.")
@click.option("--note", "notes", multiple=True, help="A note shown at the top of the report (repeatable).")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--headline", type=click.Choice(list(SCHEMES)), default=None,
              help="Tier scheme the report opens with (KPI cards, tiers and strategies, the other schemes read "
                   "against it) [default: rfm_segment, else the first present of rfm_class, value_potential, "
                   "clv_cs_class, abc_tier, lifecycle_stage, cluster_name].")
@model_options
@survey_options
@transaction_options
def report(transactions, as_of, out, title, notes, time_unit, lang, headline, **kwargs):
    """Grade every customer in TRANSACTIONS and write the tier management report (HTML)."""
    if not str(out).lower().endswith((".html", ".htm")):
        raise click.BadParameter(f"{out}: the report is HTML; give a file name ending in .html", param_hint="--out")
    from tierkit.output import check_folder_writable, check_output_not_input

    check_output_not_input(out, [transactions, kwargs.get("satisfaction"), kwargs.get("rejects")])
    check_folder_writable(out)
    table, segmentation, features, survey, survey_opts = grade_from_options(transactions, as_of, time_unit, kwargs,
                                                                            alerts_lang=lang, stability=True)
    notes = tuple(notes) + tuple(read_summary(features.attrs.get("read_report")))
    for line in read_summary(features.attrs.get("read_report")):
        click.echo(line, err=True)
    diagnostics = segmentation_diagnostics(segmentation)
    if survey is not None:
        diagnostics["survey"] = {"file": str(survey_opts["satisfaction"]), "scale": str(survey.attrs["scale"]),
                                 "how": survey_opts["survey_how"], "window_days": survey_opts["survey_window"],
                                 "respondents": len(survey)}
    from tierkit.progress import timed

    with timed(f"wrote the report {click.format_filename(out, shorten=True)}"):
        write_report(table, out, diagnostics, lang=lang, title=title, notes=notes,
                     alerts=table.attrs.get("alerts", ()), headline=headline)
    click.echo(f"report on {len(table):,} customers as of {features.attrs['as_of']} -> {out}", err=True)
