"""``tierkit validate``: fit the CLV model on a calibration period and check it on the holdout."""

from __future__ import annotations

import json
import unicodedata

import click
import numpy as np
import pandas as pd

from tierkit.cli.choices import CLV_MODELS, click_type
from tierkit.cli.options import PRIOR_OPTION, pop_transaction_options, read_from_options, transaction_options
from tierkit.clv.diagnostics import MODELS
from tierkit.clv.family import MODELS as PURCHASE_MODELS
from tierkit.clv.model import CLVModel
from tierkit.words import term


@click.command()
@click.argument("transactions")
@click.option("--calibration-end", required=True, help="Last day of the fitting period (YYYY-MM-DD).")
@click.option("--holdout-end", required=True, help="Last day of the holdout period (YYYY-MM-DD).")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--clv-model", type=click.Choice(CLV_MODELS), default="mbgnbd",
              show_default=True, help="Purchase model of the CLV validated (as `segment --clv-model`); the "
                                      "diagnostics compare every model in --models.")
@click.option("--bgnbd-penalizer", type=click_type(CLVModel, "bgnbd_penalizer"), default=0.0, show_default=True,
              help="L2 penalty of the purchase model's fit; try 0.001 if it does not converge.")
@click.option("--gg-penalizer", type=click_type(CLVModel, "gg_penalizer"), default=0.0, show_default=True,
              help="L2 penalty of the Gamma-Gamma fit; try 0.001 if it does not converge.")
@PRIOR_OPTION
@click.option("--plots", "plots_dir", default=None, type=click.Path(file_okay=False),
              help="Folder for the PNG plots (conditional expectations, value capture, and per model: tracking, "
                   "histogram, P(alive) and frequency-recency matrices; the model comparison).")
@click.option("--models", "models", multiple=True, type=click.Choice(list(MODELS)),
              help="Models to diagnose and compare (repeatable); default all.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the printed diagnostics and of the plots' labels.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@transaction_options
def validate(transactions, calibration_end, holdout_end, time_unit, clv_model, bgnbd_penalizer, gg_penalizer, prior,
             plots_dir, models, lang, as_json, **kwargs):
    """Fit the CLV model (--clv-model) up to --calibration-end and compare with the holdout period.

    Then the diagnostics of Fader, Hardie & Lee (2005) for each model (BG/NBD, MBG/NBD,
    Pareto/NBD): unconditional expectations, the calibration histogram with its chi-square test,
    weekly and cumulative tracking with the tracking error, conditional expectations with the
    Pearson correlation, the P(alive) and frequency-recency matrices, and the models side by side.
    """
    from tierkit.clv import validate_clv
    from tierkit.clv.diagnostics import clv_diagnostics
    from tierkit.output import refuse_overwriting_inputs
    from tierkit.reporting.charts.clv_diagnostics import write_diagnostic_plots
    from tierkit.reporting.charts.clv_validation import write_validation_plots

    refuse_overwriting_inputs({"--plots": plots_dir, "--rejects": kwargs.get("rejects")},
                              {"TRANSACTIONS": transactions})

    tx = read_from_options(transactions, pop_transaction_options(kwargs))
    result = validate_clv(tx, calibration_end=calibration_end, holdout_end=holdout_end, time_unit=time_unit,
                          model=CLVModel(model=clv_model, bgnbd_penalizer=bgnbd_penalizer, gg_penalizer=gg_penalizer,
                                                         prior=prior))
    diagnostics = clv_diagnostics(tx, calibration_end=calibration_end, holdout_end=holdout_end, time_unit=time_unit,
                                  models=models or tuple(MODELS), penalizers={"bgnbd": bgnbd_penalizer})
    written = write_validation_plots(result, plots_dir) if plots_dir else []
    if plots_dir:
        written += write_diagnostic_plots(diagnostics, plots_dir, lang=lang)
    import warnings

    from tierkit.errors import AlertWarning
    from tierkit.evaluation.alerts import clv_model_alerts

    for alert in clv_model_alerts(result.model, lang):  # the alerts segment raises for the same fit
        warnings.warn(AlertWarning(alert), stacklevel=1)  # shown as tierkit's own: the CLI is the caller
    if as_json:
        figures = result.to_dict()
        figures["diagnostics"] = diagnostics.to_dict()
        figures["plots"] = [str(p) for p in written]
        click.echo(json.dumps(figures, indent=2))
        return
    unit = term({"D": "days", "W": "weeks"}[time_unit], lang)
    bg = ", ".join(f"{k} {v:.4g}" for k, v in result.bgnbd_params.items())
    gg = ", ".join(f"{k} {v:.4g}" for k, v in result.gamma_gamma_params.items())
    lines = [
        term("v_head", lang, n=f"{len(result.customers):,}", start=result.calibration_end, end=result.holdout_end,
             duration=f"{result.holdout_duration:g}", unit=unit),
        term("v_params", lang, model=PURCHASE_MODELS[result.purchase_model].label, params=bg,
             ll=f"{result.log_likelihood:.1f}"),
        f"Gamma-Gamma: {gg}",
        term("v_totals", lang, predicted=f"{result.predicted_total:,.1f}", actual=f"{result.actual_total:,.0f}",
             error=f"{result.aggregate_error_pct:+.1f}%", mae=f"{result.mae:.3f}", rmse=f"{result.rmse:.3f}"),
        term("v_ranking", lang, rho=f"{result.spearman:.3f}", capture=f"{result.top_decile_capture:.1%}",
             ideal=f"{result.top_decile_ideal:.1%}"),
        term("v_baseline", lang),
        _aligned(baseline_table(result, lang)),
        term("v_conditional", lang),
        result.by_frequency.to_string(float_format=lambda v: f"{v:.3f}"),
    ]
    lines += diagnostic_lines(diagnostics, lang)
    lines += [term("plot_written", lang, path=p) for p in written]
    click.echo("\n".join(lines))


#: The figures of the model-against-baseline table: key of the figure, its word, its format.
BASELINE_ROWS = (("mae", "v_mae", "{:.3f}"), ("rmse", "v_rmse", "{:.3f}"),
                 ("aggregate_error_pct", "v_aggregate_error", "{:+.1f}%"), ("spearman", "v_spearman", "{:.3f}"),
                 ("top_decile_capture", "v_top_decile", "{:.1%}"))


def baseline_table(result, lang: str = "en") -> pd.DataFrame:
    """The model's figures beside the naive baseline's (:class:`tierkit.clv.CLVValidation`), as text in ``lang``."""
    model = result.to_dict()
    columns = {PURCHASE_MODELS[result.purchase_model].label: model, term("v_naive_baseline", lang): model["baseline"]}
    table = pd.DataFrame({label: [_figure(figures[key], style) for key, _, style in BASELINE_ROWS]
                          for label, figures in columns.items()},
                         index=[term(word, lang) for _, word, _ in BASELINE_ROWS])
    table.index.name = term("v_figure", lang)
    return table


def _figure(value, style: str) -> str:
    return "-" if value is None else style.format(value)  # None: NaN in the JSON figures


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _aligned(table: pd.DataFrame) -> str:
    """A table of text as lines: the labels left-aligned, the cells right-aligned, Chinese counted double."""
    rows = [[table.index.name or "", *table.columns]] + [[label, *cells] for label, cells in zip(
        table.index, table.itertuples(index=False), strict=True)]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join([row[0] + " " * (widths[0] - _width(row[0]))]
                  + [" " * (w - _width(cell)) + cell for cell, w in zip(row[1:], widths[1:], strict=True)])
        for row in rows)


def _every(table, step: int, keep=()):
    """Every ``step``-th row of ``table`` and the rows labelled in ``keep`` and the last (a shorter print)."""
    labels = list(table.index)
    chosen = {labels[i] for i in range(step - 1, len(labels), step)} | set(keep) | {labels[-1]}
    return table.loc[[x for x in labels if x in chosen]]


def _grid(matrix, rows: int = 8, columns: int = 8):
    """About ``rows`` x ``columns`` evenly spaced cells of a (frequency, recency) matrix."""
    r = np.unique(np.linspace(0, len(matrix.index) - 1, rows).round().astype(int))
    c = np.unique(np.linspace(0, len(matrix.columns) - 1, columns).round().astype(int))
    return matrix.iloc[r, c]


def diagnostic_lines(diagnostics, lang: str = "en") -> list[str]:
    """The text of every diagnostic of every model (:class:`tierkit.clv.diagnostics.CLVDiagnostics`), in ``lang``."""
    def table(frame, digits=3):
        return frame.to_string(float_format=lambda v: f"{v:.{digits}f}", na_rep="-")

    units = {"D": ("days", "day"), "W": ("weeks", "week")}[diagnostics.time_unit]
    unit, one_unit = term(units[0], lang), term(units[1], lang)
    lines = [term("v_fhl", lang, models=", ".join(d.label for d in diagnostics.models.values()), unit=unit)]
    for name, message in diagnostics.failed.items():
        lines.append(term("v_not_fitted", lang, name=name, message=message))
    for d in diagnostics.models.values():
        params = ", ".join(f"{k} {v:.4g}" for k, v in d.params.items())
        chi = d.chi_square
        tracking = d.tracking
        calibration_end = tracking.index[tracking["phase"] == "calibration"]
        lines += [
            term("v_model", lang, label=d.label, params=params, ll=f"{d.log_likelihood:.1f}", bic=f"{d.bic:.1f}"),
            term("v_unconditional", lang, unit=unit),
            table(_every(d.unconditional.set_index(tracking.index.rename("week")), 13), 4),
            term("v_histogram", lang),
            table(d.histogram, 1),
            term("v_chi", lang, stat=f"{chi['statistic']:.2f}", dof=chi["dof"], p=f"{chi['p_value']:.4g}",
                 cells=" | ".join(chi["cells"])),
            term("v_tracking", lang),
            table(_every(tracking, 4, keep=calibration_end[-1:]), 1),
            term("v_tracking_error", lang, error=f"{d.tracking_error:+.2%}",
                 predicted=f"{tracking['cumulative_predicted'].iloc[-1]:,.1f}",
                 actual=f"{tracking['cumulative_actual'].iloc[-1]:,}"),
            term("v_conditional", lang),
            table(d.conditional),
            term("v_pearson", lang, r=f"{d.pearson_corr:.3f}", mae=f"{d.mae:.3f}"),
            term("v_p_alive", lang, age=max(d.p_alive_matrix.columns)),
            table(_grid(d.p_alive_matrix)),
            term("v_fr_matrix", lang, unit=one_unit),
            table(_grid(d.frequency_recency_matrix)),
        ]
    comparison = diagnostics.comparison
    lines += [term("v_comparison", lang),
              comparison.to_string(formatters={
                  "log_likelihood": "{:.1f}".format, "bic": "{:.1f}".format, "tracking_error": "{:+.2%}".format,
                  "pearson_corr": "{:.3f}".format, "mae": "{:.3f}".format, "chi_square": "{:.2f}".format,
                  "chi_square_p": "{:.3g}".format})]
    return lines
