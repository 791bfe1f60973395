"""Charts of k-means clusters: the choice of k, the snake plot and the relative-importance heatmap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.reporting.charts._common import check, new_axes
from tierkit.reporting.charts.fonts import chart_fonts
from tierkit.words import term


def _w(key: str, lang: str, **fmt) -> str:
    return term(key, lang, **fmt)


def _cluster_label(cluster: int, name: str, lang: str) -> str:
    from tierkit.clusters.naming import cluster_label

    return f"{cluster}: {cluster_label(name, lang)}"


def plot_k_selection(selection: pd.DataFrame, ax=None, lang: str = "en"):
    """Inertia (left axis) and silhouette (right axis) per k, with the chosen k marked.

    Examples
    --------
    >>> t = pd.DataFrame({"inertia": [9.0, 4, 3], "silhouette": [0.4, 0.6, 0.5], "chosen": [False, True, False]},
    ...                  index=pd.Index([2, 3, 4], name="k"))
    >>> plot_k_selection(t).get_xlabel()
    'number of clusters k'
    """
    check(lang)
    with chart_fonts(lang):
        ax = new_axes(ax)
        ks = selection.index.to_numpy()
        ax.plot(ks, selection["inertia"], marker="o", color="tab:blue")
        ax.set_xlabel(_w("k", lang))
        ax.set_ylabel(_w("inertia", lang), color="tab:blue")
        right = ax.twinx()
        right.plot(ks, selection["silhouette"], marker="s", color="tab:orange")
        right.set_ylabel(_w("silhouette", lang), color="tab:orange")
        chosen = selection.index[selection["chosen"]]
        if len(chosen):
            ax.axvline(int(chosen[0]), color="grey", linestyle="--", label=_w("chosen", lang, k=int(chosen[0])))
            ax.legend(loc="upper center")
        ax.set_title(_w("selection", lang))
    return ax


def plot_snake(segmenter, ax=None, lang: str = "en"):
    """Mean scaled value of each feature per cluster (a fitted :class:`tierkit.KMeansSegmenter`).

    See :func:`plot_snake_centres`, which draws it from the centres and names alone.
    """
    return plot_snake_centres(segmenter.centres(), segmenter.profiles_["cluster_name"], ax=ax, lang=lang)


def plot_snake_centres(centres: pd.DataFrame, names, ax=None, lang: str = "en"):
    """Snake plot: one line per cluster through its scaled feature means.

    Lines are coloured by cluster rank (0 = most valuable, dark green; the last dark red).

    Parameters
    ----------
    centres : pandas.DataFrame
        Cluster centres in the scaled space, one row per cluster number (``centres()`` of the
        segmenter, or its ``standards()["centres_scaled"]`` as a frame).
    names : mapping or Series
        Cluster number -> cluster name.

    Examples
    --------
    >>> c = pd.DataFrame({"recency": [-1.0, 0.5], "frequency": [1.2, -0.4]}, index=[0, 1])
    >>> ax = plot_snake_centres(c, {0: "very_recent-frequent", 1: "lapsing-rare"})
    >>> [line.get_color() for line in ax.get_lines()[:2]]
    ['#1a7f4b', '#a3262a']
    """
    from tierkit.reporting.charts.palette import ordered_colors

    check(lang)
    colors = ordered_colors(len(centres))
    with chart_fonts(lang):
        ax = new_axes(ax)
        positions = np.arange(len(centres.columns))
        for color, (cluster, row) in zip(colors, centres.iterrows(), strict=True):
            ax.plot(positions, row.to_numpy(dtype="float64"), marker="o", color=color, linewidth=2,
                    label=_cluster_label(cluster, names[cluster], lang))
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.set_xticks(positions, [_w(c, lang) for c in centres.columns])
        ax.set_ylabel(_w("scaled", lang))
        ax.set_title(_w("snake", lang))
        ax.legend(fontsize="small")
    return ax


def plot_relative_importance(profiles: pd.DataFrame, ax=None, lang: str = "en"):
    """Heatmap of each cluster's R/F/M mean against the population (``profiles_`` of the segmenter).

    Examples
    --------
    >>> p = pd.DataFrame({"cluster_name": ["important_value", "general_winback"],
    ...     "recency_vs_population": [-0.8, 0.9], "frequency_vs_population": [2.0, -0.5],
    ...     "monetary_vs_population": [3.0, -0.7]}, index=pd.Index([0, 1], name="cluster"))
    >>> len(plot_relative_importance(p).texts)
    6
    """
    check(lang)
    columns = ["recency", "frequency", "monetary"]
    values = profiles[[f"{c}_vs_population" for c in columns]].to_numpy(dtype="float64")
    limit = max(float(np.abs(values).max()), 1e-9)
    with chart_fonts(lang):
        ax = new_axes(ax)
        # colour = good or bad for the business: a recency below the population's is good
        colour = values * np.array([-1.0, 1.0, 1.0])
        image = ax.imshow(colour, cmap="RdYlGn", vmin=-limit, vmax=limit, aspect="auto")
        ax.set_xticks(range(len(columns)), [_w(c, lang) for c in columns])
        ax.set_yticks(range(len(profiles)),
                      [_cluster_label(i, n, lang)
                       for i, n in zip(profiles.index, profiles["cluster_name"], strict=True)])
        for (i, j), value in np.ndenumerate(values):
            ax.text(j, i, f"{value:+.0%}", ha="center", va="center", fontsize="small")
        ax.figure.colorbar(image, ax=ax, ticks=[])
        ax.set_title(_w("importance", lang))
    return ax


def cluster_charts(segmenter, lang: str = "en") -> list:
    """``(name, Axes)`` of a fitted segmenter's charts: k selection (when it chose k), snake plot, relative importance.

    Parameters
    ----------
    segmenter : tierkit.KMeansSegmenter
        Fitted.
    lang : {"en", "zh"}, default="en"
        Language of the charts.

    Returns
    -------
    list of (str, matplotlib.axes.Axes)
        ``clusters.k_selection`` (only when the segmenter chose k), ``clusters.snake`` and
        ``clusters.relative_importance``.
    """
    out = []
    if segmenter.selection_ is not None:
        out.append(("clusters.k_selection", plot_k_selection(segmenter.selection_, lang=lang)))
    out.append(("clusters.snake", plot_snake(segmenter, lang=lang)))
    out.append(("clusters.relative_importance", plot_relative_importance(segmenter.profiles_, lang=lang)))
    return out
