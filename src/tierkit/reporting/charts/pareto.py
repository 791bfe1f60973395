"""The Pareto (Lorenz) curve of customer value, with the ABC tier cut-offs marked."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.reporting.charts._common import check, new_axes, no_revenue, require, show_nothing, word
from tierkit.reporting.charts.fonts import chart_fonts
from tierkit.tiers.schemes import tiers_for


def pareto_curve(values) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative share of customers (largest first) and of positive value, from (0, 0).

    Examples
    --------
    >>> x, y = pareto_curve([10.0, 30.0, 60.0])
    >>> x.round(3).tolist(), y.tolist()
    ([0.0, 0.333, 0.667, 1.0], [0.0, 0.6, 0.9, 1.0])
    """
    v = np.sort(np.clip(np.asarray(values, dtype="float64"), 0, None))[::-1]
    total = v.sum()
    y = np.concatenate([[0.0], np.cumsum(v) / total if total > 0 else np.zeros(len(v))])
    x = np.arange(len(v) + 1) / max(len(v), 1)
    return x, y


def plot_pareto(table: pd.DataFrame, ax=None, lang: str = "en", value=None, tier_column: str = "abc_tier",
                tiers=None):
    """Pareto curve of ``value`` with a marker where each tier of ``tier_column`` ends.

    Parameters
    ----------
    value : str, optional
        Default ``profit`` when present, else ``monetary``.
    tier_column : str, default="abc_tier"
        Tiers to mark (their customer share and value share); skipped when absent.

    When no customer's value is above zero there is no curve: the chart says so instead.

    Examples
    --------
    >>> t = pd.DataFrame({"monetary": [60.0, 30, 10], "abc_tier": ["A", "B", "C"]})
    >>> ax = plot_pareto(t)
    >>> ax.get_lines()[0].get_ydata().tolist()
    [0.0, 60.0, 90.0, 100.0]
    """
    check(lang)
    value = value or ("profit" if "profit" in table.columns else "monetary")
    require(table, (value,), "plot_pareto")
    x, y = pareto_curve(table[value].to_numpy(dtype="float64"))
    with chart_fonts(lang):
        ax = new_axes(ax, figsize=(7.0, 4.8))
        empty = no_revenue(table[value])
        if empty is not None:
            return show_nothing(ax, empty, lang, word("pareto", lang))
        ax.plot(100 * x, 100 * y, color="#4C72B0", linewidth=2, label=word("cum_value", lang))
        ax.plot([0, 100], [0, 100], color="grey", linestyle=":", linewidth=1, label=word("equality", lang))
        if tier_column in table.columns:
            shown = tiers_for(table, tier_column, tiers)
            ordered = table.sort_values(value, ascending=False, kind="stable")
            n = len(table)
            reached = 0
            for tier in shown[:-1]:
                count = int((ordered[tier_column] == tier.key).sum())
                reached += count
                share_x = 100 * reached / n
                share_y = 100 * np.interp(reached / n, x, y)
                ax.axvline(share_x, color="#DD8452", linestyle="--", linewidth=1)
                ax.plot([share_x], [share_y], "o", color="#DD8452")
                ax.annotate(f"{tier.label(lang)}\n{share_x:.0f}% → {share_y:.0f}%", (share_x, share_y),
                            textcoords="offset points", xytext=(6, -28), fontsize=8)
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 102)
        ax.set_xlabel(word("cum_customers", lang) + " (%)")
        ax.set_ylabel(word("cum_value", lang) + " (%)")
        ax.set_title(word("pareto", lang))
        ax.legend(loc="lower right", fontsize=8)
        ax.grid(alpha=0.3)
    return ax
