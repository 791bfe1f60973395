"""Tier shares: bar and pie charts of customers and revenue per tier, for any scheme."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.evaluation.summary import tier_summary
from tierkit.reporting.charts._common import check, new_axes, require, tiers_for, word
from tierkit.reporting.charts.fonts import chart_fonts

_COLORS = ("#4C72B0", "#DD8452")


def plot_tier_shares(table: pd.DataFrame, column: str, ax=None, lang: str = "en", value: str = "monetary",
                     tiers=None, title=None):
    """Horizontal bars: share of customers and share of revenue per tier.

    Parameters
    ----------
    table : pandas.DataFrame
        Scored table, one row per customer.
    column : str
        Tier column (``rfm_class``, ``abc_tier`` ...).
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    lang : {"en", "zh"}, default="en"
        Language of tier names and axis labels.
    value : str, default="monetary"
        Revenue column.
    tiers : sequence of Tier, optional
        Tier names and order; default the scheme's (:mod:`tierkit.tiers.vocabulary`).
    title : str, optional
        Name of the scheme in the title; default the column name.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> t = pd.DataFrame({"abc_tier": ["A", "B", "C", "C"], "monetary": [70.0, 20, 5, 5]})
    >>> [float(b.get_width()) for b in plot_tier_shares(t, "abc_tier").patches][:3]
    [25.0, 25.0, 50.0]
    """
    check(lang)
    require(table, (column, value), "plot_tier_shares")
    shown = tiers_for(table, column, tiers)
    summary = tier_summary(table, column, value=value, order=[t.key for t in shown]).loc[[t.key for t in shown]]
    with chart_fonts(lang):
        ax = new_axes(ax, figsize=(7.5, 0.45 * len(shown) + 1.6))
        y = np.arange(len(shown))
        height = 0.4
        for i, (measure, color) in enumerate(zip(("customer_share", "revenue_share"), _COLORS, strict=True)):
            bars = ax.barh(y + (i - 0.5) * height, 100 * summary[measure].to_numpy(), height=height,
                           color=color, label=word(measure, lang))
            ax.bar_label(bars, fmt="%.1f%%", padding=2, fontsize=8)
        ax.set_yticks(y, [t.label(lang) for t in shown])
        ax.invert_yaxis()
        ax.set_xlabel("%")
        ax.set_xlim(0, max(100 * summary[["customer_share", "revenue_share"]].to_numpy().max() * 1.18, 1))
        ax.legend(loc="lower right", fontsize=8)
        ax.set_title(word("tier_shares", lang, column=title or column))
    return ax


def plot_tier_pie(table: pd.DataFrame, column: str, measure: str = "customers", ax=None, lang: str = "en",
                  value: str = "monetary", tiers=None, title=None):
    """Pie chart of customers (``measure="customers"``) or revenue (``"revenue"``) per tier.

    Tier names are in the legend; slices of 3 % or more show their percentage. Negative
    tier revenue (returns exceeding purchases) counts as zero in the pie. Other parameters
    as in :func:`plot_tier_shares`.

    Examples
    --------
    >>> t = pd.DataFrame({"abc_tier": ["A", "B", "C", "C"], "monetary": [70.0, 20, 5, 5]})
    >>> len(plot_tier_pie(t, "abc_tier", measure="revenue").patches)
    3
    """
    check(lang)
    if measure not in ("customers", "revenue"):
        from tierkit.errors import TierkitError

        raise TierkitError(f"measure: {measure!r} is not supported; expected 'customers' or 'revenue'")
    require(table, (column, value), "plot_tier_pie")
    shown = tiers_for(table, column, tiers)
    summary = tier_summary(table, column, value=value, order=[t.key for t in shown]).loc[[t.key for t in shown]]
    sizes = np.clip(summary[measure].to_numpy(dtype="float64"), 0, None)
    with chart_fonts(lang):
        ax = new_axes(ax, figsize=(7.5, 4.5))
        colors = [_palette(i) for i in range(len(shown))]
        wedges, _texts, _autotexts = ax.pie(
            sizes, colors=colors, startangle=90, counterclock=False,
            autopct=lambda p: f"{p:.1f}%" if p >= 3 else "", pctdistance=0.75,
            wedgeprops={"linewidth": 1, "edgecolor": "white"}, textprops={"fontsize": 8},
        )
        ax.legend(wedges, [t.label(lang) for t in shown], loc="center left", bbox_to_anchor=(1.0, 0.5),
                  fontsize=8, frameon=False)
        ax.set_aspect("equal")
        ax.set_title(word("pie_customers" if measure == "customers" else "pie_revenue", lang, column=title or column))
    return ax


def _palette(i: int):
    from matplotlib import colormaps

    return colormaps["tab20"](i % 20) if i >= 10 else colormaps["tab10"](i)
