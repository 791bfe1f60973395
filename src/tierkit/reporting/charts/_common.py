"""What the chart modules share: axes creation, UI words in two languages, tier lookups."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tierkit.tiers._base import require_columns
from tierkit.tiers.vocabulary import Tier, check_lang, term


def word(key: str, lang: str, **fmt) -> str:
    """A UI word in ``lang`` (from :data:`tierkit.tiers.vocabulary.TERMS`)."""
    return term(key, lang, **fmt)


def money_label(label: str, currency: str | None) -> str:
    """A label of money with its currency: ``Mean CLV (USD)``; ``label`` itself without one.

    Parameters
    ----------
    label : str
        What the money is (an axis label, a column header).
    currency : str or None
        The currency (:func:`tierkit.output.check_currency`), or None.

    Returns
    -------
    str

    Examples
    --------
    >>> money_label("Mean CLV", "USD"), money_label("平均CLV", "¥"), money_label("Mean CLV", None)
    ('Mean CLV (USD)', '平均CLV (¥)', 'Mean CLV')
    """
    return f"{label} ({currency})" if currency else label


def money_text(text: str, currency: str | None) -> str:
    """An amount with its currency: a sign before it (``£1,942.89``), a code apart (``USD 1,942.89``).

    Parameters
    ----------
    text : str
        The amount, formatted.
    currency : str or None
        The currency (:func:`tierkit.output.check_currency`), or None.

    Returns
    -------
    str

    Examples
    --------
    >>> money_text("1,942.89", "£"), money_text("1,942.89", "USD"), money_text("1,942.89", None)
    ('£1,942.89', 'USD 1,942.89', '1,942.89')
    """
    if not currency:
        return text
    return f"{currency}{text}" if len(currency) == 1 else f"{currency} {text}"


def new_axes(ax, figsize=(7.0, 4.5)):
    """``ax`` itself, or the Axes of a new :class:`~matplotlib.figure.Figure` (no pyplot)."""
    if ax is not None:
        return ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.subplots()


def figure_png(fig, dpi: int = 100, lang: str = "en") -> bytes:
    """The figure as PNG bytes (drawn with the CJK font fallback of :func:`chart_fonts`)."""
    from tierkit.reporting.charts.fonts import chart_fonts

    buffer = io.BytesIO()
    with chart_fonts(lang):
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def require(table: pd.DataFrame, columns, who: str) -> None:
    """The columns a chart needs (:func:`tierkit.tiers._base.require_columns`)."""
    require_columns(table, columns, who, what="column")


def scheme_tiers(column: str, keys=()) -> tuple[Tier, ...] | None:
    """The tiers of a known tier column (all schemes of tierkit), or ``None``."""
    from tierkit.tiers.abc_tiers import ABC_TIERS
    from tierkit.tiers.schemes import abc_scheme_of, tier_schemes

    abc_scheme = "course"
    if column == "abc_tier":
        seen = {k for k in keys if k in {t.key for tiers in ABC_TIERS.values() for t in tiers}}
        abc_scheme = abc_scheme_of(seen)  # unknown keys are shown as they are
    return tier_schemes(abc_scheme).get(column)


def cluster_tiers(table: pd.DataFrame) -> tuple[Tier, ...]:
    """Tiers of ``cluster_name`` in cluster order (0 = most valuable), labelled by their bands.

    Examples
    --------
    >>> t = pd.DataFrame({"cluster": [1, 0], "cluster_name": ["lapsed-rare-low_spend", "recent-frequent-high_spend"]})
    >>> [x.zh for x in cluster_tiers(t)]
    ['0: 近期购买·经常购买·消费较高', '1: 久未购买·极少购买·消费较低']
    """
    from tierkit.clusters.naming import cluster_label, cluster_strategy

    pairs = table[["cluster", "cluster_name"]].dropna().drop_duplicates().sort_values("cluster")
    return tuple(Tier(name, f"{number}: {cluster_label(name, 'en')}", f"{number}: {cluster_label(name, 'zh')}",
                      cluster_strategy(name, "en"), cluster_strategy(name, "zh"))
                 for number, name in zip(pairs["cluster"], pairs["cluster_name"], strict=True))


def tiers_for(table: pd.DataFrame, column: str, tiers=None) -> list[Tier]:
    """Tiers to show for ``column``, in scheme order, keeping only those with customers.

    Unknown columns (``cluster_name``) become one tier per value, largest first, named by the
    value itself.
    """
    counts = table[column].value_counts(dropna=True)
    if tiers is None and column == "cluster_name" and "cluster" in table.columns:
        tiers = cluster_tiers(table)
    if tiers is None:
        tiers = scheme_tiers(column, counts.index)
    if tiers is None:
        return [Tier(str(k), str(k), str(k)) for k in counts.index]
    known = [t for t in tiers if t.key in counts.index]
    extra = [Tier(str(k), str(k), str(k)) for k in counts.index if k not in {t.key for t in tiers}]
    return known + extra


def check(lang: str) -> str:
    return check_lang(lang)


#: What a money chart says instead of a drawing when there is no revenue to share out.
NOTHING_TO_SHOW = {
    "all_zero": ("Nothing to show: all amounts are zero", "无可显示: 所有金额均为零"),
    "none_positive": ("Nothing to show: no revenue above zero", "无可显示: 没有大于零的收入"),
}


def no_revenue(values) -> str | None:
    """Why a chart of the shares of ``values`` (clipped at zero) has nothing to draw, else ``None``.

    ``"all_zero"`` when every amount is zero, ``"none_positive"`` when none is above zero
    (returns outweigh purchases), a key of :data:`NOTHING_TO_SHOW`.

    Examples
    --------
    >>> no_revenue([0.0, 0.0]), no_revenue([-5.0, 0.0]), no_revenue([0.0, 3.0]) is None
    ('all_zero', 'none_positive', True)
    """
    v = np.asarray(values, dtype="float64")
    v = v[~np.isnan(v)]
    if (v > 0).any():
        return None
    return "all_zero" if (v == 0).all() else "none_positive"


def show_nothing(ax, why: str, lang: str, title: str):
    """Write on ``ax``, in place of a chart, that there is nothing to show and why (:data:`NOTHING_TO_SHOW`)."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, NOTHING_TO_SHOW[why][1 if lang == "zh" else 0], transform=ax.transAxes, ha="center",
            va="center", fontsize=11, color="#555555")
    ax.set_title(title)
    return ax
