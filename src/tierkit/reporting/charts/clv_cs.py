"""The CLV-CS grid chart: customers and mean CLV in each cell of CLV level x CS level."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.reporting.charts._common import check, money_text, new_axes, require, word
from tierkit.reporting.charts.fonts import chart_fonts
from tierkit.tiers.schemes import scheme_tiers


def plot_clv_cs_grid(table: pd.DataFrame, ax=None, lang: str = "en", clv: str = "clv",
                     clv_levels=("high", "medium", "low"), cs_levels=("high", "low"), currency: str | None = None):
    """Heatmap of customer counts over CLV level (rows) x CS level (columns).

    Each cell shows the class name, its customers and their mean CLV (with ``currency``
    when given: ``mean CLV USD 90.0``); customers without a survey answer
    (``cs_level = "unrated"``) are counted in the title, not in a cell.

    Examples
    --------
    >>> t = pd.DataFrame({"clv_level": ["high", "low", "low"], "cs_level": ["high", "low", "unrated"],
    ...     "clv_cs_class": ["core", "marginal", "unrated"], "clv": [90.0, 5.0, 3.0]})
    >>> plot_clv_cs_grid(t).images[0].get_array().data.tolist()
    [[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]
    """
    check(lang)
    require(table, ("clv_level", "cs_level", "clv_cs_class", clv), "plot_clv_cs_grid")
    rated = table[table["cs_level"] != "unrated"]
    counts = pd.crosstab(rated["clv_level"], rated["cs_level"]).reindex(
        index=list(clv_levels), columns=list(cs_levels), fill_value=0)
    mean_clv = rated.groupby(["clv_level", "cs_level"])[clv].mean().unstack().reindex(
        index=list(clv_levels), columns=list(cs_levels))
    names = rated.groupby(["clv_level", "cs_level"])["clv_cs_class"].first().unstack().reindex(
        index=list(clv_levels), columns=list(cs_levels))
    labels = {t.key: t for t in (scheme_tiers("clv_cs_class") or ())}
    unrated = int((table["cs_level"] == "unrated").sum())
    with chart_fonts(lang):
        ax = new_axes(ax, figsize=(6.5, 5.0))
        data = counts.to_numpy(dtype="float64")
        ax.imshow(data, cmap="Blues", aspect="auto", vmin=0, vmax=max(data.max(), 1))
        for i, level in enumerate(clv_levels):
            for j, cs in enumerate(cs_levels):
                key = names.loc[level, cs]
                name = (labels[key].label(lang) if isinstance(key, str) and key in labels
                        else (key if isinstance(key, str) else ""))
                mean = mean_clv.loc[level, cs]
                text = f"{name}\n{word('n', lang)}={int(counts.loc[level, cs]):,}"
                if not np.isnan(mean):
                    text += f"\n{word('mean_clv', lang)} {money_text(f'{mean:,.1f}', currency)}"
                ax.text(j, i, text, ha="center", va="center", fontsize=9,
                        color="white" if data[i, j] > 0.6 * max(data.max(), 1) else "black")
        ax.set_xticks(range(len(cs_levels)), [_level(c, lang) for c in cs_levels])
        ax.set_yticks(range(len(clv_levels)), [_level(c, lang) for c in clv_levels])
        ax.set_xlabel(word("cs_level", lang))
        ax.set_ylabel(word("clv_level", lang))
        title = word("clv_cs", lang)
        if unrated:
            title += f"\n({unrated:,} {word('unrated', lang)})"
        ax.set_title(title)
    return ax


def _level(name: str, lang: str) -> str:
    return word(name, lang) if name in ("high", "medium", "low") else name
