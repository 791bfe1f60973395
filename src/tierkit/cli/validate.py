"""``tierkit validate``: fit the CLV model on a calibration period and check it on the holdout."""

from __future__ import annotations

import json

import click

from tierkit.cli.options import pop_transaction_options, read_from_options, transaction_options


@click.command()
@click.argument("transactions", type=click.Path(dir_okay=False))
@click.option("--calibration-end", required=True, help="Last day of the fitting period (YYYY-MM-DD).")
@click.option("--holdout-end", required=True, help="Last day of the holdout period (YYYY-MM-DD).")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--bgnbd-penalizer", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="L2 penalty of the BG/NBD fit; try 0.001 if it does not converge.")
@click.option("--gg-penalizer", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="L2 penalty of the Gamma-Gamma fit; try 0.001 if it does not converge.")
@click.option("--plots", "plots_dir", default=None, type=click.Path(file_okay=False),
              help="Folder for the PNG plots (conditional expectations, value capture).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@transaction_options
def validate(transactions, calibration_end, holdout_end, time_unit, bgnbd_penalizer, gg_penalizer, plots_dir,
             as_json, **kwargs):
    """Fit BG/NBD + Gamma-Gamma up to --calibration-end and compare with the holdout period."""
    from tierkit.clv import CLVModel, validate_clv

    tx = read_from_options(transactions, pop_transaction_options(kwargs))
    result = validate_clv(tx, calibration_end=calibration_end, holdout_end=holdout_end, time_unit=time_unit,
                          model=CLVModel(bgnbd_penalizer=bgnbd_penalizer, gg_penalizer=gg_penalizer))
    written = result.write_plots(plots_dir) if plots_dir else []
    if as_json:
        figures = result.to_dict()
        figures["plots"] = [str(p) for p in written]
        click.echo(json.dumps(figures, indent=2))
        return
    unit = {"D": "days", "W": "weeks"}[time_unit]
    bg = ", ".join(f"{k} {v:.4g}" for k, v in result.bgnbd_params.items())
    gg = ", ".join(f"{k} {v:.4g}" for k, v in result.gamma_gamma_params.items())
    lines = [
        f"{len(result.customers):,} customers; fitted to {result.calibration_end}, holdout to {result.holdout_end} "
        f"({result.holdout_duration:g} {unit})",
        f"BG/NBD: {bg}; log-likelihood {result.log_likelihood:.1f}",
        f"Gamma-Gamma: {gg}",
        f"holdout purchases: predicted {result.predicted_total:,.1f}, actual {result.actual_total:,.0f} "
        f"({result.aggregate_error_pct:+.1f}%); per customer MAE {result.mae:.3f}, RMSE {result.rmse:.3f}",
        f"value ranking: Spearman {result.spearman:.3f}; top decile by predicted value makes "
        f"{result.top_decile_capture:.1%} of holdout spend (best possible {result.top_decile_ideal:.1%})",
        "conditional expectations (mean holdout purchases by calibration repeat purchases):",
        result.by_frequency.to_string(float_format=lambda v: f"{v:.3f}"),
    ]
    lines += [f"plot: {p}" for p in written]
    click.echo("\n".join(lines))
