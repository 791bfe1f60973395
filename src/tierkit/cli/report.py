"""``tierkit report``: grade the customers of a transaction file and write the HTML report."""

from __future__ import annotations

import importlib
import warnings

import click
import pandas as pd

from tierkit.cli.main import cli
from tierkit.cli.options import pop_transaction_options, read_from_options, transaction_options
from tierkit.clv_cs import CLVCSGrid
from tierkit.features import rfm_features
from tierkit.report import write_report
from tierkit.satisfaction import customer_satisfaction, read_survey
from tierkit.segmentation import Segmentation
from tierkit.value_potential import ValuePotentialMatrix


def _clv_model():
    """A CLV model (``tierkit.clv.CLVModel``) when the package has one, else ``None``."""
    try:
        module = importlib.import_module("tierkit.clv")
    except ModuleNotFoundError as exc:
        if exc.name != "tierkit.clv":
            raise
        return None
    model = getattr(module, "CLVModel", None)
    return model() if model is not None else None


def score_customers(features: pd.DataFrame, survey: pd.DataFrame | None = None, clv_model=None,
                    cs_threshold: float = 70.0) -> tuple[pd.DataFrame, dict]:
    """The scored customer table and the standards of every step, for the report.

    Steps, in order: the rule-based schemes of :class:`tierkit.Segmentation` (with the CLV
    model as its ``clv`` step when given), then the CLV-CS grid (needs ``clv`` and a survey)
    and the value-potential matrix (needs ``clv``).
    """
    segmentation = Segmentation(clv=clv_model if clv_model is not None else False).fit(features)
    table = segmentation.transform(features)
    diagnostics = {}
    for name, step in segmentation.steps_:
        if hasattr(step, "standards"):
            diagnostics[name] = step.standards()
        elif hasattr(step, "thresholds_"):
            diagnostics[name] = dict(step.thresholds_)
    if "clv" in table.columns:
        if survey is not None:
            grid = CLVCSGrid(survey=survey, cs_threshold=cs_threshold).fit(table)
            graded = grid.transform(table)
            table = table.drop(columns=[c for c in graded.columns if c in table.columns]).join(graded)
            diagnostics["clv_cs"] = grid.standards()
        matrix = ValuePotentialMatrix().fit(table)
        table = table.join(matrix.transform(table))
        diagnostics["value_potential"] = matrix.standards()
    elif survey is not None:
        warnings.warn("the CLV-CS grid and the value-potential matrix need a CLV model (tierkit.clv); "
                      "only satisfaction is reported", UserWarning, stacklevel=2)
        table = table.join(survey[[c for c in ("cs_index", "cs_score", "nps_group") if c in survey.columns]])
    table.attrs = dict(features.attrs)
    return table, diagnostics


@cli.command()
@click.argument("transactions", type=click.Path(dir_okay=False))
@click.option("--as-of", required=True, help="Observation date (YYYY-MM-DD); later transactions are left out.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Report file (.html).")
@click.option("--satisfaction", default=None, type=click.Path(dir_okay=False),
              help="Survey answers: customer_id, date, score (CSV, Parquet or Excel).")
@click.option("--survey-scale", default="nps", show_default=True, help="nps (0-10), csat (1-5) or MIN-MAX.")
@click.option("--survey-how", type=click.Choice(["latest", "mean"]), default="latest", show_default=True,
              help="Per customer: the latest answer or the mean in the window.")
@click.option("--survey-window", type=click.IntRange(min=1), default=None,
              help="Only answers from this many days up to --as-of count.")
@click.option("--cs-threshold", type=click.FloatRange(0, 100), default=70.0, show_default=True,
              help="CS index (0-100) from which satisfaction is high.")
@click.option("--clv/--no-clv", "use_clv", default=True, show_default=True,
              help="Predict CLV with tierkit.clv.CLVModel when it is installed.")
@click.option("--title", default=None, help="Report title.")
@click.option("--note", "notes", multiple=True, help="A note shown at the top of the report (repeatable).")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@transaction_options
def report(transactions, as_of, out, satisfaction, survey_scale, survey_how, survey_window, cs_threshold, use_clv,
           title, notes, time_unit, lang, **kwargs):
    """Grade every customer in TRANSACTIONS and write the tier management report (HTML)."""
    opts = pop_transaction_options(kwargs)
    if not str(out).lower().endswith((".html", ".htm")):
        raise click.BadParameter(f"{out}: the report is HTML; give a file name ending in .html", param_hint="--out")
    survey = None
    if satisfaction is not None:
        answers = read_survey(satisfaction, scale=survey_scale)
        survey = customer_satisfaction(answers, how=survey_how, window=survey_window, as_of=as_of)
    tx = read_from_options(transactions, opts)
    features = rfm_features(tx, as_of=as_of, time_unit=time_unit)
    table, diagnostics = score_customers(features, survey, _clv_model() if use_clv else None, cs_threshold)
    if survey is not None:
        diagnostics["survey"] = {"file": str(satisfaction), "scale": str(survey.attrs["scale"]), "how": survey_how,
                                 "window_days": survey_window, "respondents": len(survey)}
    write_report(table, out, diagnostics, lang=lang, title=title, notes=notes)
    click.echo(f"report on {len(table):,} customers as of {features.attrs['as_of']} -> {out}", err=True)
