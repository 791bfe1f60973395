"""Charts of a CLV holdout validation (:func:`tierkit.clv.validate_clv`): conditional expectations, value capture.

Each plot function takes the :class:`~tierkit.clv.validation.CLVValidation` and ``ax=None``, and
returns the Axes; labels are in English.
"""

from __future__ import annotations

import numpy as np

from tierkit.clv.family import MODELS
from tierkit.reporting.charts._common import new_axes, write_charts


def plot_conditional_expectation(validation, ax=None):
    """Mean holdout purchases, actual and predicted, by calibration repeat purchases.

    Parameters
    ----------
    validation : tierkit.clv.validation.CLVValidation
        The validation (its ``by_frequency`` table).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure's.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax)
    table = validation.by_frequency
    positions = np.arange(len(table))
    ax.plot(positions, table["actual"], marker="o", label="actual")
    ax.plot(positions, table["predicted"], marker="s", linestyle="--", label=MODELS[validation.purchase_model].label)
    ax.set_xticks(positions, [str(i) for i in table.index])
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("mean purchases in the holdout period")
    ax.set_title(f"Conditional expectations, holdout {validation.calibration_end} to {validation.holdout_end}")
    ax.legend()
    return ax


def plot_value_capture(validation, ax=None):
    """Cumulative share of holdout spend by customers ranked on predicted value (gains curve).

    Parameters
    ----------
    validation : tierkit.clv.validation.CLVValidation
        The validation (its ``customers`` table).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure's.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax)
    customers = validation.customers
    spend = customers["actual_spend"].to_numpy()
    total = spend.sum()
    share = np.arange(1, len(spend) + 1) / len(spend)
    for column, label, style in (("predicted_value", "ranked by predicted value", "-"),
                                 ("actual_spend", "ranked by actual spend (ideal)", ":")):
        order = np.argsort(-customers[column].to_numpy(), kind="stable")
        ax.plot(share, np.cumsum(spend[order]) / total, linestyle=style, label=label)
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, label="random")
    ax.set_xlabel("share of customers")
    ax.set_ylabel("share of holdout spend")
    ax.set_title(f"Top decile captures {validation.top_decile_capture:.1%} of holdout spend")
    ax.legend()
    return ax


def validation_charts(validation) -> list:
    """``(file stem, Axes)`` of both validation charts: ``clv_conditional_expectation``, ``clv_value_capture``.

    Parameters
    ----------
    validation : tierkit.clv.validation.CLVValidation
        The validation.

    Returns
    -------
    list of (str, matplotlib.axes.Axes)
    """
    return [("clv_conditional_expectation", plot_conditional_expectation(validation)),
            ("clv_value_capture", plot_value_capture(validation))]


def write_validation_plots(validation, folder) -> list:
    """Both validation charts as PNG files in ``folder`` (created): :func:`validation_charts`.

    Parameters
    ----------
    validation : tierkit.clv.validation.CLVValidation
        The validation.
    folder : str or os.PathLike
        Where the files go.

    Returns
    -------
    list of pathlib.Path
        The written files.
    """
    return write_charts(validation_charts(validation), folder)
