"""The RFM heatmap: mean monetary value in each cell of R score x F score."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.reporting.charts._common import check, money_label, new_axes, require, word
from tierkit.reporting.charts.fonts import chart_fonts


def rfm_cell_means(table: pd.DataFrame, value: str = "monetary") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean ``value`` and customer count per (R score, F score): rows R high to low.

    Examples
    --------
    >>> t = pd.DataFrame({"r_score": [2, 2, 1], "f_score": [1, 1, 2], "monetary": [10.0, 30, 5]})
    >>> means, counts = rfm_cell_means(t)
    >>> means.loc[2, 1], counts.loc[1, 2], counts.loc[1, 1]
    (np.float64(20.0), np.int64(1), np.int64(0))
    """
    require(table, ("r_score", "f_score", value), "rfm_cell_means")
    n = int(max(table["r_score"].max(), table["f_score"].max(), 5))
    grouped = table.groupby(["r_score", "f_score"])[value]
    r = pd.Index(range(n, 0, -1), name="r_score")
    f = pd.Index(range(1, n + 1), name="f_score")
    means = grouped.mean().unstack().reindex(index=r, columns=f)
    counts = grouped.size().unstack().reindex(index=r, columns=f).fillna(0).astype("int64")
    return means, counts


def plot_rfm_heatmap(table: pd.DataFrame, ax=None, lang: str = "en", value: str = "monetary",
                     currency: str | None = None):
    """Heatmap of mean ``value`` per R x F score; each cell shows the mean and the count.

    Empty cells (no customer has that pair of scores, e.g. F 2 and 3 when most customers
    bought once) stay blank. The colour bar is labelled ``value`` with its ``currency``
    (``monetary (USD)``) when one is given.

    Examples
    --------
    >>> t = pd.DataFrame({"r_score": [5, 1], "f_score": [5, 1], "monetary": [100.0, 10]})
    >>> plot_rfm_heatmap(t).get_xlabel()
    'F score'
    """
    check(lang)
    means, counts = rfm_cell_means(table, value)
    with chart_fonts(lang):
        ax = new_axes(ax, figsize=(6.5, 5.0))
        data = np.ma.masked_invalid(means.to_numpy(dtype="float64"))
        image = ax.imshow(data, cmap="YlOrRd", aspect="auto")
        ax.figure.colorbar(image, ax=ax, label=money_label(value, currency))
        top = np.nanmax(means.to_numpy(dtype="float64")) if counts.to_numpy().sum() else 1.0
        for i, r in enumerate(means.index):
            for j, f in enumerate(means.columns):
                if counts.loc[r, f] == 0:
                    continue
                mean = means.loc[r, f]
                ax.text(j, i, f"{mean:,.0f}\n{word('n', lang)}={counts.loc[r, f]:,}", ha="center", va="center",
                        fontsize=8, color="white" if mean > 0.6 * top else "black")
        ax.set_xticks(range(len(means.columns)), [str(c) for c in means.columns])
        ax.set_yticks(range(len(means.index)), [str(r) for r in means.index])
        ax.set_xlabel(word("f_score", lang))
        ax.set_ylabel(word("r_score", lang))
        ax.set_title(word("mean_monetary", lang))
    return ax
