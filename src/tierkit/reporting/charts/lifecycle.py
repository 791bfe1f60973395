"""The lifecycle funnel: potential -> new -> repeat -> loyal, then at risk and churned."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.reporting.charts._common import check, new_axes, require, word
from tierkit.reporting.charts.fonts import chart_fonts
from tierkit.tiers.schemes import scheme_tiers

FUNNEL = ("potential", "new", "repeat", "loyal")
LAPSED = ("at_risk", "churned")


def plot_lifecycle_funnel(table: pd.DataFrame, ax=None, lang: str = "en", column: str = "lifecycle_stage"):
    """Centred bars, one per stage, width = customers; lapsing stages below, in the red end of the tier colours.

    Stages without customers (``potential`` without a master list) are left out.

    Examples
    --------
    >>> t = pd.DataFrame({"lifecycle_stage": ["new", "new", "repeat", "loyal", "churned"]})
    >>> [round(b.get_width()) for b in plot_lifecycle_funnel(t).patches]
    [2, 1, 1, 1]
    """
    check(lang)
    require(table, (column,), "plot_lifecycle_funnel")
    counts = table[column].value_counts()
    total = int(counts.sum())
    stages = [s for s in FUNNEL + LAPSED if counts.get(s, 0) > 0]
    labels = {t.key: t for t in (scheme_tiers("lifecycle_stage") or ())}
    with chart_fonts(lang):
        ax = new_axes(ax, figsize=(7.0, 0.6 * len(stages) + 1.4))
        widths = np.array([counts[s] for s in stages], dtype="float64")
        from tierkit.reporting.charts.palette import readable_on, tier_colors
        from tierkit.tiers.schemes import tier_order

        palette = tier_colors(tier_order("lifecycle_stage"))  # loyal dark green ... churned dark red
        colors = [palette.get(s, "#9e9e9e") for s in stages]
        y = np.arange(len(stages))
        bars = ax.barh(y, widths, left=-widths / 2, color=colors, height=0.7)
        widest = widths.max()
        for bar, s, w, color in zip(bars, stages, widths, colors, strict=True):
            text = f"{counts[s]:,} ({counts[s] / total:.1%})"
            y_mid = bar.get_y() + bar.get_height() / 2
            if w >= 0.3 * widest:
                ax.text(0, y_mid, text, ha="center", va="center", fontsize=9, color=readable_on(color))
            else:  # too narrow to hold its label: write it beside the bar
                ax.text(w / 2 + 0.01 * widest, y_mid, text, ha="left", va="center", fontsize=9, color="black")
        ax.set_xlim(-0.55 * widest, 0.55 * widest)
        ax.set_yticks(y, [labels[s].label(lang) if s in labels else s for s in stages])
        ax.invert_yaxis()
        ax.set_xticks([])
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(word("lifecycle", lang))
    return ax
