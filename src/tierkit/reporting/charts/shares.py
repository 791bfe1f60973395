"""Tier shares: bar and pie charts of customers and revenue per tier, for any scheme.

Tiers are coloured by rank (:mod:`tierkit.reporting.charts.palette`: best dark green to
worst dark red), the same colours in every chart and in the report's tables. A pie of more
than :data:`MAX_PIE_SLICES` tiers is drawn as bars: nine thin wedges cannot be compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.evaluation.summary import tier_summary
from tierkit.reporting.charts._common import check, new_axes, no_revenue, require, show_nothing, word
from tierkit.reporting.charts.fonts import chart_fonts
from tierkit.reporting.charts.palette import readable_on, tier_colors
from tierkit.tiers.schemes import tiers_for

#: Beyond this many tiers a pie becomes a bar chart.
MAX_PIE_SLICES = 6


def plot_tier_shares(table: pd.DataFrame, column: str, ax=None, lang: str = "en", value: str = "monetary",
                     tiers=None, title=None):
    """Horizontal bars: share of customers (light) and share of revenue (solid) per tier.

    Each tier's pair of bars has the tier's colour (best dark green to worst dark red).

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
        Tier names and order; default the scheme's (:mod:`tierkit.words`).
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
        colors = list(tier_colors([t.key for t in shown]).values())
        for i, measure in enumerate(("customer_share", "revenue_share")):
            light = measure == "customer_share"
            bars = ax.barh(y + (i - 0.5) * height, 100 * summary[measure].to_numpy(), height=height,
                           color=colors, alpha=0.4 if light else 1.0, edgecolor=colors, linewidth=1,
                           hatch="//" if light else None, label=word(measure, lang))
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
    tier revenue (returns exceeding purchases) counts as zero in the pie. Slices follow the
    tier order, coloured by rank. Past :data:`MAX_PIE_SLICES` tiers the chart is horizontal
    bars of the percentages instead, best tier on top. When no tier has revenue above zero
    (all amounts zero, or returns outweighing purchases) the revenue chart says so instead of
    drawing. Other parameters as in :func:`plot_tier_shares`.

    Examples
    --------
    >>> t = pd.DataFrame({"abc_tier": ["A", "B", "C", "C"], "monetary": [70.0, 20, 5, 5]})
    >>> len(plot_tier_pie(t, "abc_tier", measure="revenue").patches)
    3
    >>> t = pd.DataFrame({"tier": list("abcdefg"), "monetary": 1.0})
    >>> ax = plot_tier_pie(t, "tier")
    >>> len(ax.patches), ax.get_xlabel()
    (7, '%')
    >>> ax = plot_tier_pie(t.assign(monetary=0.0), "tier", measure="revenue")
    >>> len(ax.patches), ax.texts[0].get_text()
    (0, 'Nothing to show: all amounts are zero')
    """
    check(lang)
    if measure not in ("customers", "revenue"):
        from tierkit.errors import Param, TierkitError
        from tierkit.messages import Message

        raise TierkitError("not_supported_either", param=Param("measure"), value=repr(measure),
                           choices=Message("either_or", first="'customers'", last="'revenue'"))
    require(table, (column, value), "plot_tier_pie")
    shown = tiers_for(table, column, tiers)
    summary = tier_summary(table, column, value=value, order=[t.key for t in shown]).loc[[t.key for t in shown]]
    sizes = np.clip(summary[measure].to_numpy(dtype="float64"), 0, None)
    with chart_fonts(lang):
        ax = new_axes(ax, figsize=(7.5, 4.5))
        colors = list(tier_colors([t.key for t in shown]).values())
        title_text = word("pie_customers" if measure == "customers" else "pie_revenue", lang, column=title or column)
        if sizes.sum() <= 0:  # no customers cannot happen: tiers_for keeps tiers that have some
            return show_nothing(ax, no_revenue(table[value]) or "none_positive", lang, title_text)
        if len(shown) > MAX_PIE_SLICES:
            ax.figure.set_size_inches(7.5, 0.32 * len(shown) + 1.4)
            percent = 100 * sizes / sizes.sum()
            y = np.arange(len(shown))
            bars = ax.barh(y, percent, color=colors, height=0.7)
            ax.bar_label(bars, fmt="%.1f%%", padding=2, fontsize=8)
            ax.set_yticks(y, [t.label(lang) for t in shown])
            ax.invert_yaxis()
            ax.set_xlabel("%")
            ax.set_xlim(0, max(float(percent.max()) * 1.18, 1))
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            ax.set_title(title_text)
            return ax
        wedges, _texts, autotexts = ax.pie(
            sizes, colors=colors, startangle=90, counterclock=False,
            autopct=lambda p: f"{p:.1f}%" if p >= 3 else "", pctdistance=0.75,
            wedgeprops={"linewidth": 1, "edgecolor": "white"}, textprops={"fontsize": 8},
        )
        for text, color in zip(autotexts, colors, strict=True):
            text.set_color(readable_on(color))
        ax.legend(wedges, [t.label(lang) for t in shown], loc="center left", bbox_to_anchor=(1.0, 0.5),
                  fontsize=8, frameon=False)
        ax.set_aspect("equal")
        ax.set_title(title_text)
    return ax
