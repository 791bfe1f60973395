"""``tierkit validate``: fit the CLV model on a calibration period and check it on the holdout."""

from __future__ import annotations

import json

import click
import numpy as np

from tierkit.cli.options import pop_transaction_options, read_from_options, transaction_options
from tierkit.clv.diagnostics import MODELS
from tierkit.clv.family import MODELS as PURCHASE_MODELS


@click.command()
@click.argument("transactions", type=click.Path(dir_okay=False))
@click.option("--calibration-end", required=True, help="Last day of the fitting period (YYYY-MM-DD).")
@click.option("--holdout-end", required=True, help="Last day of the holdout period (YYYY-MM-DD).")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--clv-model", type=click.Choice(["mbgnbd", "bgnbd", "pareto_nbd", "auto"]), default="mbgnbd",
              show_default=True, help="Purchase model of the CLV validated (as `segment --clv-model`); the "
                                      "diagnostics compare every model in --models.")
@click.option("--bgnbd-penalizer", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="L2 penalty of the purchase model's fit; try 0.001 if it does not converge.")
@click.option("--gg-penalizer", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="L2 penalty of the Gamma-Gamma fit; try 0.001 if it does not converge.")
@click.option("--plots", "plots_dir", default=None, type=click.Path(file_okay=False),
              help="Folder for the PNG plots (conditional expectations, value capture, and per model: tracking, "
                   "histogram, P(alive) and frequency-recency matrices; the model comparison).")
@click.option("--models", "models", multiple=True, type=click.Choice(list(MODELS)),
              help="Models to diagnose and compare (repeatable); default all.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the plots' labels.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@transaction_options
def validate(transactions, calibration_end, holdout_end, time_unit, clv_model, bgnbd_penalizer, gg_penalizer,
             plots_dir, models, lang, as_json, **kwargs):
    """Fit the CLV model (--clv-model) up to --calibration-end and compare with the holdout period.

    Then the diagnostics of Fader, Hardie & Lee (2005) for each model (BG/NBD, MBG/NBD,
    Pareto/NBD): unconditional expectations, the calibration histogram with its chi-square test,
    weekly and cumulative tracking with the tracking error, conditional expectations with the
    Pearson correlation, the P(alive) and frequency-recency matrices, and the models side by side.
    """
    from tierkit.clv import CLVModel, validate_clv
    from tierkit.clv.diagnostics import clv_diagnostics

    tx = read_from_options(transactions, pop_transaction_options(kwargs))
    result = validate_clv(tx, calibration_end=calibration_end, holdout_end=holdout_end, time_unit=time_unit,
                          model=CLVModel(model=clv_model, bgnbd_penalizer=bgnbd_penalizer, gg_penalizer=gg_penalizer))
    diagnostics = clv_diagnostics(tx, calibration_end=calibration_end, holdout_end=holdout_end, time_unit=time_unit,
                                  models=models or tuple(MODELS), penalizers={"bgnbd": bgnbd_penalizer})
    written = result.write_plots(plots_dir) if plots_dir else []
    if plots_dir:
        written += diagnostics.write_plots(plots_dir, lang=lang)
    if as_json:
        figures = result.to_dict()
        figures["diagnostics"] = diagnostics.to_dict()
        figures["plots"] = [str(p) for p in written]
        click.echo(json.dumps(figures, indent=2))
        return
    unit = {"D": "days", "W": "weeks"}[time_unit]
    bg = ", ".join(f"{k} {v:.4g}" for k, v in result.bgnbd_params.items())
    gg = ", ".join(f"{k} {v:.4g}" for k, v in result.gamma_gamma_params.items())
    lines = [
        f"{len(result.customers):,} customers; fitted to {result.calibration_end}, holdout to {result.holdout_end} "
        f"({result.holdout_duration:g} {unit})",
        f"{PURCHASE_MODELS[result.purchase_model].label}: {bg}; log-likelihood {result.log_likelihood:.1f}",
        f"Gamma-Gamma: {gg}",
        f"holdout purchases: predicted {result.predicted_total:,.1f}, actual {result.actual_total:,.0f} "
        f"({result.aggregate_error_pct:+.1f}%); per customer MAE {result.mae:.3f}, RMSE {result.rmse:.3f}",
        f"value ranking: Spearman {result.spearman:.3f}; top decile by predicted value makes "
        f"{result.top_decile_capture:.1%} of holdout spend (best possible {result.top_decile_ideal:.1%})",
        "conditional expectations (mean holdout purchases by calibration repeat purchases):",
        result.by_frequency.to_string(float_format=lambda v: f"{v:.3f}"),
    ]
    lines += diagnostic_lines(diagnostics)
    lines += [f"plot: {p}" for p in written]
    click.echo("\n".join(lines))


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


def diagnostic_lines(diagnostics) -> list[str]:
    """The text of every diagnostic of every model (:class:`tierkit.clv.diagnostics.CLVDiagnostics`)."""
    def table(frame, digits=3):
        return frame.to_string(float_format=lambda v: f"{v:.{digits}f}", na_rep="-")

    unit = {"D": "days", "W": "weeks"}[diagnostics.time_unit]
    lines = [f"FHL 2005 diagnostics ({', '.join(d.label for d in diagnostics.models.values())}), "
             f"time in {unit}, tracking by week:"]
    for name, message in diagnostics.failed.items():
        lines.append(f"{name}: not fitted: {message}")
    for d in diagnostics.models.values():
        params = ", ".join(f"{k} {v:.4g}" for k, v in d.params.items())
        chi = d.chi_square
        tracking = d.tracking
        calibration_end = tracking.index[tracking["phase"] == "calibration"]
        lines += [
            f"== {d.label}: {params}; log-likelihood {d.log_likelihood:.1f}, BIC {d.bic:.1f}",
            f"unconditional expectations E[X(t)] and P(X(t)=n), t in {unit} from the first purchase "
            "(every 13th week):",
            table(_every(d.unconditional.set_index(tracking.index.rename("week")), 13), 4),
            "calibration histogram of repeat purchases (customers, actual vs expected):",
            table(d.histogram, 1),
            f"chi-square {chi['statistic']:.2f}, dof {chi['dof']}, p {chi['p_value']:.4g} "
            f"(cells {' | '.join(chi['cells'])})",
            "tracking of repeat purchases by week, actual vs model (every 4th week; --json has all):",
            table(_every(tracking, 4, keep=calibration_end[-1:]), 1),
            f"tracking error at the end of the holdout: {d.tracking_error:+.2%} "
            f"(cumulative {tracking['cumulative_predicted'].iloc[-1]:,.1f} predicted, "
            f"{tracking['cumulative_actual'].iloc[-1]:,} actual)",
            "conditional expectations (mean holdout purchases by calibration repeat purchases):",
            table(d.conditional),
            f"Pearson correlation of predicted and actual holdout purchases: {d.pearson_corr:.3f}; MAE {d.mae:.3f}",
            f"P(alive) matrix at age {max(d.p_alive_matrix.columns)} (frequency x recency, a grid of cells; "
            "--json has all):",
            table(_grid(d.p_alive_matrix)),
            f"frequency-recency matrix: expected purchases in the next {unit[:-1]} (a grid of cells):",
            table(_grid(d.frequency_recency_matrix)),
        ]
    comparison = diagnostics.comparison
    lines += ["model comparison on the same holdout:",
              comparison.to_string(formatters={
                  "log_likelihood": "{:.1f}".format, "bic": "{:.1f}".format, "tracking_error": "{:+.2%}".format,
                  "pearson_corr": "{:.3f}".format, "mae": "{:.3f}".format, "chi_square": "{:.2f}".format,
                  "chi_square_p": "{:.3g}".format})]
    return lines
