"""The value-potential quadrant scatter (客户分级管理图) with the customers per quadrant."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.reporting.charts._common import check, new_axes, require, word
from tierkit.reporting.charts.fonts import chart_fonts
from tierkit.reporting.charts.palette import tier_colors
from tierkit.tiers.schemes import scheme_tiers

#: The quadrants in rank order, coloured like every tier (:mod:`tierkit.reporting.charts.palette`).
_COLORS = tier_colors(["star", "harvest", "develop", "low_priority"])


def plot_value_potential(table: pd.DataFrame, ax=None, lang: str = "en", value=None, potential: str = "clv",
                         value_split=None, potential_split=None, max_points: int = 20000, seed: int = 0,
                         currency: str | None = None):
    """Scatter of historical value x potential, split lines, and the count of each quadrant.

    Parameters
    ----------
    value : str, optional
        Default ``profit`` when present, else ``monetary``.
    potential : str, default="clv"
    value_split, potential_split : float, optional
        The splits of the fitted :class:`tierkit.tiers.value_potential.ValuePotentialMatrix`
        (``value_split_``, ``potential_split_``); default the medians of ``table``.
    max_points : int, default=20000
        At most this many points are drawn (a seeded random sample); counts use every row.
    currency : str, optional
        The currency of both axes, shown in their labels (``Historical value (monetary, USD)``).

    Axes are symmetric-log so that the long tails and the zeros both show.

    Examples
    --------
    >>> t = pd.DataFrame({"monetary": [500.0, 400, 20, 10], "clv": [300.0, 5, 200, 0],
    ...     "value_potential": ["star", "harvest", "develop", "low_priority"]})
    >>> sorted(x.get_text().split()[-1] for x in plot_value_potential(t).texts)
    ['n=1', 'n=1', 'n=1', 'n=1']
    """
    check(lang)
    value = value or ("profit" if "profit" in table.columns else "monetary")
    require(table, (value, potential, "value_potential"), "plot_value_potential")
    v = table[value].to_numpy(dtype="float64")
    p = table[potential].to_numpy(dtype="float64")
    vs = float(np.median(v)) if value_split is None else float(value_split)
    ps = float(np.median(p)) if potential_split is None else float(potential_split)
    quadrant = table["value_potential"].to_numpy()
    labels = {t.key: t for t in (scheme_tiers("value_potential") or ())}
    rows = np.arange(len(table))
    if len(rows) > max_points:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=max_points, replace=False))
    with chart_fonts(lang):
        ax = new_axes(ax, figsize=(7.5, 5.5))
        for key, color in _COLORS.items():
            chosen = rows[quadrant[rows] == key]
            ax.scatter(v[chosen], p[chosen], s=6, alpha=0.35, color=color, linewidths=0,
                       label=labels[key].label(lang) if key in labels else key)
        ax.set_xscale("symlog", linthresh=_linthresh(v))
        ax.set_yscale("symlog", linthresh=_linthresh(p))
        ax.axvline(vs, color="black", linewidth=1, linestyle="--")
        ax.axhline(ps, color="black", linewidth=1, linestyle="--")
        corners = {"star": (0.98, 0.98, "right", "top"), "harvest": (0.98, 0.02, "right", "bottom"),
                   "develop": (0.02, 0.98, "left", "top"), "low_priority": (0.02, 0.02, "left", "bottom")}
        for key, (x, y, ha, va) in corners.items():
            n = int((quadrant == key).sum())
            name = labels[key].label(lang).split(" (")[0] if key in labels else key
            ax.text(x, y, f"{name}\n{word('n', lang)}={n:,}", transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                    color=_COLORS[key], fontweight="bold",
                    bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8, "edgecolor": _COLORS[key]})
        unit = f", {currency}" if currency else ""
        ax.set_xlabel(f"{word('value', lang)} ({value}{unit})")
        ax.set_ylabel(f"{word('potential', lang)} ({potential}{unit})")
        ax.set_title(word("value_potential", lang))
        ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False, markerscale=3)
    return ax


def _linthresh(values: np.ndarray) -> float:
    """Linear range of a symlog axis: the 5th percentile of the positive values (at least 0.01)."""
    positive = values[values > 0]
    return max(float(np.quantile(positive, 0.05)), 0.01) if positive.size else 1.0
