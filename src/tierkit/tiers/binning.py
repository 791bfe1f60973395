"""Quantile edges and interval grades: the one binning rule of every tier scheme.

A value's grade is ``1 +`` the number of inner edges strictly below it, i.e. bins closed on the
right, ``(e[k-1], e[k]]``, with open outer bins. Equal values always share a grade, values
outside the fitted range still get one, and coinciding quantiles leave bins empty instead of
splitting a tie arbitrarily. RFM scores, CLV levels and the value-potential splits use it.
"""

from __future__ import annotations

import numpy as np

from tierkit.features.statistics import quantiles_of_counts


def quantile_edges(values, quantiles) -> np.ndarray:
    """Inner edges at the given quantiles of ``values`` (ties kept, linear interpolation).

    Parameters
    ----------
    values : array-like of float
        The fitted base's values.
    quantiles : int or array-like of float
        An int ``n`` means ``n`` equal-frequency bins (quantiles ``1/n .. (n-1)/n``).

    Returns
    -------
    ndarray of float

    Examples
    --------
    >>> quantile_edges(np.arange(1, 11), 5).round(6).tolist()
    [2.8, 4.6, 6.4, 8.2]
    >>> quantile_edges([1, 2, 3, 4], [0.5]).tolist()
    [2.5]
    """
    if isinstance(quantiles, (int, np.integer)):
        quantiles = np.arange(1, quantiles) / quantiles
    return np.quantile(np.asarray(values, dtype="float64"), np.asarray(quantiles, dtype="float64"))


def quantile_edges_of_counts(values, counts, quantiles) -> np.ndarray:
    """:func:`quantile_edges` of the data whose distinct ``values`` (ascending) occur ``counts`` times.

    Bit for bit the edges :func:`quantile_edges` gives on the data itself, from the counts any
    engine makes (:mod:`tierkit.features.statistics`).

    Examples
    --------
    >>> quantile_edges_of_counts(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1, 1, 1, 1]), [0.5]).tolist()
    [2.5]
    """
    if isinstance(quantiles, (int, np.integer)):
        quantiles = np.arange(1, quantiles) / quantiles
    return quantiles_of_counts(values, counts, quantiles)


def grade(values, edges, reverse: bool = False) -> np.ndarray:
    """Grade 1..len(edges)+1: one plus the number of edges strictly below each value.

    Parameters
    ----------
    values : array-like of float
    edges : array-like of float
        Ascending inner edges.
    reverse : bool, default=False
        Grade ``len(edges) + 2 - grade`` (for recency: recent is best).

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> grade(np.array([1, 2, 3]), np.array([1.0, 1.0, 1.0, 2.0])).tolist()
    [1, 4, 5]
    >>> grade(np.array([1, 2, 3]), np.array([1.0, 1.0, 1.0, 2.0]), reverse=True).tolist()
    [5, 2, 1]
    """
    edges = np.asarray(edges, dtype="float64")
    score = np.searchsorted(edges, np.asarray(values, dtype="float64"), side="left") + 1
    if reverse:
        score = len(edges) + 2 - score
    return score.astype("int64")
