"""``tierkit report``: grade the customers of a transaction file and write the HTML report."""

from __future__ import annotations

import click

from tierkit.cli.options import (
    AS_OF_OPTION,
    CURRENCY_OPTION,
    grade_from_options,
    model_options,
    read_summary,
    survey_options,
    transaction_options,
)
from tierkit.cli.saved import grade_from_model, grade_with_saved, saved_model_options
from tierkit.messages import Message
from tierkit.mlops.experiment import segmentation_diagnostics
from tierkit.reporting.report import SCHEMES, write_report


@click.command()
@click.argument("transactions")
@AS_OF_OPTION
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Report file (.html).")
@click.option("--title", default=None, help="Report title.")
@click.option("--note", "notes", multiple=True, help="A note shown at the top of the report (repeatable).")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the report and of the messages.")
@click.option("--previous-as-of", default=None,
              help="With --model: also grade the customers as of this earlier date (YYYY-MM-DD) by the same "
                   "standards and add a tier migration section (previous -> --as-of).")
@click.option("--validate-from", default=None,
              help="Also fit the CLV models (BG/NBD, MBG/NBD, Pareto/NBD) on the transactions up to this date "
                   "(YYYY-MM-DD) and add their diagnostics on the holdout up to --as-of (Fader, Hardie & Lee "
                   "2005) to the report.")
@click.option("--headline", type=click.Choice(list(SCHEMES)), default=None,
              help="Tier scheme the report opens with (KPI cards, tiers and strategies, the other schemes read "
                   "against it) [default: rfm_segment, else the first present of rfm_class, value_potential, "
                   "clv_cs_class, abc_tier, lifecycle_stage, cluster_name].")
@CURRENCY_OPTION
@saved_model_options
@model_options
@survey_options
@transaction_options
@click.pass_context
def report(ctx, transactions, as_of, out, title, notes, time_unit, lang, previous_as_of, validate_from, headline,
           currency, **kwargs):
    """Grade every customer in TRANSACTIONS and write the tier management report (HTML).

    The standards are fitted on this base, unless --model gives saved ones (no refit); with
    --model, --previous-as-of adds the migration from an earlier date graded by the same
    standards.
    """
    from tierkit.output import check_folder_writable, refuse_overwriting_inputs

    refuse_overwriting_inputs({"--out": out, "--rejects": kwargs.get("rejects")},
                              {"TRANSACTIONS": transactions, "--satisfaction": kwargs.get("satisfaction"),
                               "--model": kwargs.get("model")})
    if not str(out).lower().endswith((".html", ".htm")):
        raise click.BadParameter(Message("report_html", path=out), param_hint="--out")
    check_folder_writable(out)
    if previous_as_of is not None:
        from tierkit.features.definition import parse_date

        if parse_date(previous_as_of, "--previous-as-of") >= parse_date(as_of, "--as-of"):
            raise click.UsageError(Message("date_before", option="--previous-as-of", value=previous_as_of,
                                           other="--as-of", other_value=as_of))
    validation_tx = None  # how to read the transactions again for the CLV diagnostics
    if validate_from is not None:
        from tierkit.cli.options import pop_transaction_options
        from tierkit.features.definition import parse_date

        if parse_date(validate_from, "--validate-from") >= parse_date(as_of, "--as-of"):
            raise click.UsageError(Message("date_before", option="--validate-from", value=validate_from,
                                           other="--as-of", other_value=as_of))
        validation_tx = pop_transaction_options(dict(kwargs))  # a copy: grading takes its own
    previous = saved = None
    if kwargs["model"] is None:
        if previous_as_of is not None:
            raise click.UsageError(Message("previous_needs_model", option="--previous-as-of", model="--model"))
        kwargs.pop("model"), kwargs.pop("tracking_uri")
        table, segmentation, features, survey, survey_opts = grade_from_options(
            transactions, as_of, time_unit, kwargs, alerts_lang=lang, stability=True)
    else:
        table, segmentation, features, survey, survey_opts, saved, reading = grade_from_model(
            ctx, transactions, as_of, kwargs, alerts_lang=lang)
        if previous_as_of is not None:
            from tierkit.cli.options import survey_from_options

            previous, _ = grade_with_saved(saved, segmentation, transactions, previous_as_of, reading,
                                           survey_from_options(survey_opts, previous_as_of))
    if currency is not None:
        table.attrs["currency"] = currency  # the report's money figures are in it
    notes = tuple(notes) + tuple(read_summary(features.attrs.get("read_report"), lang))
    for line in read_summary(features.attrs.get("read_report"), lang):
        click.echo(line, err=True)
    diagnostics = segmentation_diagnostics(segmentation)
    if saved is not None:
        diagnostics["saved standards"] = {"model": saved.uri, "time_unit": saved.time_unit}
    if survey is not None:
        diagnostics["survey"] = {"file": str(survey_opts["satisfaction"]), "scale": str(survey.attrs["scale"]),
                                 "how": survey_opts["survey_how"], "window_days": survey_opts["survey_window"],
                                 "respondents": len(survey)}
    from tierkit.progress import timed

    validation = None
    if validation_tx is not None:
        from tierkit.cli.options import read_from_options
        from tierkit.clv.diagnostics import clv_diagnostics

        with timed("diagnosed the CLV models on the holdout"):
            validation = clv_diagnostics(read_from_options(transactions, validation_tx), calibration_end=validate_from,
                                         holdout_end=as_of, time_unit=time_unit)
    with timed(f"wrote the report {click.format_filename(out, shorten=True)}"):
        write_report(table, out, diagnostics, lang=lang, title=title, notes=notes,
                     alerts=table.attrs.get("alerts", ()), previous=previous, validation=validation,
                     headline=headline, currency=currency)
    from tierkit.words import term

    click.echo(term("summary_report", lang, n=f"{len(table):,}", as_of=features.attrs["as_of"], out=out), err=True)
