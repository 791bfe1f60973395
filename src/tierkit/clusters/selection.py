"""Choosing k: inertia with a knee detector, silhouette, Calinski-Harabasz and Davies-Bouldin.

The search runs on a seeded sample (``sample_size`` customers, all of them when fewer; the
silhouette on 5,000 of them), so it takes the same time for ten thousand customers as for ten
million. The rule:

1. the knee of the inertia curve found by ``kneed`` (Satopää et al. 2011, "Finding a
   'Kneedle' in a haystack"), when there is one;
2. else the k with the best silhouette.

The table keeps every criterion, so a data scientist can overrule the rule with evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

from tierkit.errors import DataError, TierkitError

#: Customers (seeded sample) the silhouette is computed on: it costs O(n^2).
SILHOUETTE_SAMPLE = 5_000


#: A cluster of fewer customers is an anecdote, not a segment; ks needing smaller ones are not tried.
MIN_CUSTOMERS_PER_CLUSTER = 5


def check_k_range(k_range, n_samples: int) -> list[int]:
    """The candidate ks, checked: at least two, each 2 <= k <= customers / 5.

    Examples
    --------
    >>> check_k_range((2, 5), 100)
    [2, 3, 4, 5]
    """
    try:
        low, high = (int(v) for v in k_range)
    except (TypeError, ValueError):
        raise TierkitError(f"k_range: {k_range!r}; expected (low, high), e.g. (2, 10)") from None
    if low < 2 or high <= low:
        raise TierkitError(f"k_range: {k_range!r}; expected 2 <= low < high, e.g. (2, 10)")
    high = min(high, n_samples // MIN_CUSTOMERS_PER_CLUSTER)
    if high <= low:
        raise DataError(f"k_range: {n_samples} customers are too few to compare k from {low} to {k_range[1]} "
                        f"(k-means here wants at least {MIN_CUSTOMERS_PER_CLUSTER} customers per cluster, "
                        f"{MIN_CUSTOMERS_PER_CLUSTER * (low + 1)} for k up to {low + 1})")
    return list(range(low, high + 1))


def sample_rows(n: int, size: int | None, random_state: int) -> np.ndarray:
    """Sorted indices of a seeded sample of ``size`` of ``n`` rows (all rows when ``size`` is None or >= n)."""
    if size is None or size >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(random_state).choice(n, size=size, replace=False))


def select_k(Z: np.ndarray, k_range=(2, 10), *, random_state: int = 0, n_init: int = 4):
    """Fit k-means for each k on the scaled rows ``Z``; return ``(table, k, rule)``.

    Parameters
    ----------
    Z : ndarray of shape (n, d)
        Scaled features (already sampled).
    k_range : (int, int), default=(2, 10)
        Smallest and largest k, both included.
    random_state : int, default=0
        Seed of k-means.
    n_init : int, default=4
        k-means++ restarts per k.

    Returns
    -------
    table : pandas.DataFrame
        Per candidate k: inertia, silhouette, Calinski-Harabasz, Davies-Bouldin, chosen.
    k : int
        The chosen k.
    rule : str
        How it was chosen (knee of the inertia curve, else best silhouette).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> centres = np.array([[0, 0], [6, 0], [0, 6]])
    >>> Z = np.vstack([c + rng.normal(size=(200, 2)) for c in centres])
    >>> table, k, rule = select_k(Z, (2, 6))
    >>> k
    3
    """
    ks = check_k_range(k_range, len(Z))
    rows = []
    for k in ks:
        model = KMeans(n_clusters=k, init="k-means++", n_init=n_init, random_state=random_state).fit(Z)
        labels = model.labels_
        distinct = len(np.unique(labels))
        rows.append({
            "k": k,
            "inertia": float(model.inertia_),
            "silhouette": float(silhouette_score(Z, labels, sample_size=min(SILHOUETTE_SAMPLE, len(Z)),
                                                 random_state=random_state)) if distinct > 1 else np.nan,
            "calinski_harabasz": float(calinski_harabasz_score(Z, labels)) if distinct > 1 else np.nan,
            "davies_bouldin": float(davies_bouldin_score(Z, labels)) if distinct > 1 else np.nan,
        })
    table = pd.DataFrame(rows).set_index("k")
    knee = _knee(table.index.to_numpy(), table["inertia"].to_numpy())
    best_silhouette = int(table["silhouette"].idxmax())
    if knee is not None:
        k = knee
        rule = (f"knee of the inertia curve (kneed) at k={k}; silhouette {table.loc[k, 'silhouette']:.3f} "
                f"(best {table['silhouette'].max():.3f} at k={best_silhouette})")
    else:
        k = best_silhouette
        rule = f"no knee in the inertia curve; best silhouette {table.loc[k, 'silhouette']:.3f} at k={k}"
    table["chosen"] = table.index == k
    return table, k, rule


def _knee(ks: np.ndarray, inertia: np.ndarray) -> int | None:
    if len(ks) < 3:
        return None
    from kneed import KneeLocator

    knee = KneeLocator(ks, inertia, curve="convex", direction="decreasing", S=1.0).knee
    return int(knee) if knee is not None else None
