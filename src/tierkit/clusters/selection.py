"""Choosing k: silhouette, Calinski-Harabasz and Davies-Bouldin vote; inertia shows the elbow.

Every candidate k is fitted with k-means++ on the scaled rows given (the segmenter passes a
seeded sample of ``sample_size`` customers, so the search takes the same time for ten
thousand customers as for ten million). The silhouette costs O(n^2): it is computed on one
seeded sub-sample of ``SILHOUETTE_SAMPLE`` of those rows, the same rows for every k, from one
matrix of their distances, kept in float32 (:func:`silhouette_from_distances`: one matrix
product per k, the value of ``sklearn.metrics.silhouette_score`` to 1e-6 at a sixth of its
time).

Rules (``rule``):

``"vote"`` (default)
    Each of three internal validity indices names the k it prefers: the largest mean
    silhouette (Rousseeuw 1987), the largest Calinski-Harabasz index (Calinski & Harabasz
    1974), the smallest Davies-Bouldin index (Davies & Bouldin 1979). The k named by at least
    two of them is chosen. When all three disagree, the k with the best mean rank over the
    three indices is chosen (ties: the smaller k), and the rule's text says that they
    disagreed. Each index's preference is its own optimum over the range, so widening the
    range changes the choice only when an index finds a better k in the new part.
``"silhouette"``, ``"calinski_harabasz"``, ``"davies_bouldin"``
    That index alone.
``"knee"``
    The knee of the inertia curve (the elbow method), found by ``kneed`` (Satopää et al. 2011,
    "Finding a 'Kneedle' in a Haystack"); the best silhouette when the curve has no knee. The
    knee is relative to the range searched: it moves when the range does.

The table keeps every index and which k each prefers, so a data scientist can overrule the
rule with evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, pairwise_distances

from tierkit.errors import DataError, TierkitError
from tierkit.tiers.vocabulary import term

#: Rows (seeded sub-sample) the silhouette is computed on: it costs O(n^2).
SILHOUETTE_SAMPLE = 4_000

#: A cluster of fewer customers is an anecdote, not a segment; ks needing smaller ones are not tried.
MIN_CUSTOMERS_PER_CLUSTER = 5

#: The rules ``select_k`` knows; ``vote`` is the default.
SELECTION_RULES = ("vote", "silhouette", "calinski_harabasz", "davies_bouldin", "knee")

#: The indices that vote, with the direction in which each is better.
INDICES = {"silhouette": "max", "calinski_harabasz": "max", "davies_bouldin": "min"}


def check_k_range(k_range, n_samples: int) -> list[int]:
    """The candidate ks, checked: at least two, each 2 <= k <= customers / 5.

    Parameters
    ----------
    k_range : (int, int)
        Smallest and largest k, both included.
    n_samples : int
        Customers to cluster.

    Returns
    -------
    list of int
        The ks to try.

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
    """Sorted indices of a seeded sample of ``size`` of ``n`` rows (all rows when ``size`` is None or >= n).

    Parameters
    ----------
    n : int
        Rows to sample from.
    size : int or None
        Rows wanted.
    random_state : int
        Seed.

    Returns
    -------
    numpy.ndarray
        Sorted row indices.

    Examples
    --------
    >>> len(sample_rows(10, 3, 0)), len(sample_rows(10, None, 0))
    (3, 10)
    """
    if size is None or size >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(random_state).choice(n, size=size, replace=False))


def select_k(Z: np.ndarray, k_range=(2, 10), *, rule: str = "vote", random_state: int = 0, n_init: int = 4):
    """Fit k-means for each k on the scaled rows ``Z``; return ``(table, k, rule_text)``.

    Parameters
    ----------
    Z : ndarray of shape (n, d)
        Scaled features (already sampled when the base is large).
    k_range : (int, int), default=(2, 10)
        Smallest and largest k, both included.
    rule : {"vote", "silhouette", "calinski_harabasz", "davies_bouldin", "knee"}, default="vote"
        How k is chosen (see the module docs).
    random_state : int, default=0
        Seed of k-means++ and of the silhouette sub-sample.
    n_init : int, default=4
        k-means++ restarts per k.

    Returns
    -------
    table : pandas.DataFrame
        Indexed by ``k``: ``inertia``, ``silhouette``, ``calinski_harabasz``,
        ``davies_bouldin``, ``preferred_by`` (the indices whose optimum is this k) and
        ``chosen``.
    k : int
        The chosen k.
    rule_text : str
        Which rule chose it, with the evidence and any disagreement, for logs and reports.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> centres = np.array([[0, 0], [6, 0], [0, 6]])
    >>> Z = np.vstack([c + rng.normal(size=(200, 2)) for c in centres])
    >>> table, k, rule = select_k(Z, (2, 6))
    >>> k, rule.startswith("all three indices prefer k=3")
    (3, True)
    """
    if rule not in SELECTION_RULES:
        raise TierkitError(f"selection_rule: {rule!r}; expected one of {', '.join(SELECTION_RULES)}")
    ks = check_k_range(k_range, len(Z))
    rows = sample_rows(len(Z), SILHOUETTE_SAMPLE, random_state)
    distances = pairwise_distances(Z[rows].astype(np.float32))  # float32: half the memory traffic
    records = []
    for k in ks:
        model = KMeans(n_clusters=k, init="k-means++", n_init=n_init, random_state=random_state).fit(Z)
        labels = model.labels_
        several = len(np.unique(labels)) > 1
        several_in_sample = len(np.unique(labels[rows])) > 1
        records.append({
            "k": k,
            "inertia": float(model.inertia_),
            "silhouette": silhouette_from_distances(distances, labels[rows]) if several_in_sample else np.nan,
            "calinski_harabasz": float(calinski_harabasz_score(Z, labels)) if several else np.nan,
            "davies_bouldin": float(davies_bouldin_score(Z, labels)) if several else np.nan,
        })
    table = pd.DataFrame(records).set_index("k")
    preferred = index_preferences(table)
    table["preferred_by"] = [", ".join(i for i, p in preferred.items() if p == k) for k in table.index]
    k, text = _apply_rule(table, preferred, rule)
    table["chosen"] = table.index == k
    return table, k, text


def silhouette_from_distances(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (Rousseeuw 1987) of a labelling, from the matrix of pairwise distances.

    For each row, ``a`` is its mean distance to the other members of its cluster, ``b`` the
    smallest mean distance to the members of another cluster, and ``s = (b - a) / max(a, b)``
    (0 for a row alone in its cluster), as scikit-learn defines it. The per-cluster sums of
    distances come from one product of the distance matrix with the cluster indicator matrix.

    Parameters
    ----------
    distances : numpy.ndarray of shape (n, n)
        Pairwise distances.
    labels : numpy.ndarray of int, shape (n,)
        Cluster of each row, at least two distinct values.

    Returns
    -------
    float
        The mean silhouette.

    Examples
    --------
    Two points at 0 and 1, a third at 10: ``s = (10 - 1) / 10`` for the first, ``(9 - 1) / 9`` for
    the second and 0 for the lone third.

    >>> z = np.array([[0.0], [1.0], [10.0]])
    >>> d = np.abs(z - z.T)
    >>> round(silhouette_from_distances(d, np.array([0, 0, 1])), 6) == round((9 / 10 + 8 / 9) / 3, 6)
    True
    """
    labels = np.asarray(labels)
    codes, labels = np.unique(labels, return_inverse=True)
    n, k = len(labels), len(codes)
    indicator = np.zeros((n, k), dtype=distances.dtype)
    indicator[np.arange(n), labels] = 1.0
    sums = (distances @ indicator).astype(np.float64)  # (n, k): each row's summed distance to each cluster
    counts = indicator.sum(axis=0)
    own = counts[labels]
    a = sums[np.arange(n), labels] / np.maximum(own - 1, 1)
    means = sums / counts
    means[np.arange(n), labels] = np.inf
    b = means.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
    return float(np.nan_to_num(s).mean())


def index_preferences(table: pd.DataFrame) -> dict[str, int]:
    """The k each validity index prefers (its optimum over the table's ks).

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by k, with the columns of :data:`INDICES`.

    Returns
    -------
    dict
        ``index name -> k``.

    Examples
    --------
    >>> t = pd.DataFrame({"silhouette": [0.5, 0.4], "calinski_harabasz": [10.0, 12.0],
    ...                   "davies_bouldin": [0.9, 1.0]}, index=pd.Index([2, 3], name="k"))
    >>> index_preferences(t)
    {'silhouette': 2, 'calinski_harabasz': 3, 'davies_bouldin': 2}
    """
    return {name: int(table[name].idxmax() if better == "max" else table[name].idxmin())
            for name, better in INDICES.items()}


def _mean_rank(table: pd.DataFrame) -> pd.Series:
    ranks = [table[name].rank(ascending=better == "min", method="min") for name, better in INDICES.items()]
    return pd.concat(ranks, axis=1).mean(axis=1)


def _evidence(table: pd.DataFrame, preferred: dict[str, int], lang: str) -> str:
    return "; ".join(term("k_prefers", lang, index=term(name, lang), k=k, value=f"{table.loc[k, name]:.3f}")
                     for name, k in preferred.items())


def _apply_rule(table: pd.DataFrame, preferred: dict[str, int], rule: str, lang: str = "en") -> tuple[int, str]:
    evidence = _evidence(table, preferred, lang)
    if rule in INDICES:
        k = preferred[rule]
        return k, term("k_rule_alone", lang, index=term(rule, lang), k=k, evidence=evidence)
    if rule == "knee":
        knee = inertia_knee(table.index.to_numpy(), table["inertia"].to_numpy())
        if knee is None:
            k = preferred["silhouette"]
            return k, term("k_rule_no_knee", lang, k=k, evidence=evidence)
        return knee, term("k_rule_knee", lang, k=knee, evidence=evidence)
    votes = pd.Series(list(preferred.values())).value_counts()
    if votes.iloc[0] == 3:
        k = int(votes.index[0])
        return k, term("k_rule_all", lang, k=k, evidence=evidence)
    if votes.iloc[0] == 2:
        k = int(votes.index[0])
        return k, term("k_rule_two", lang, k=k, evidence=evidence)
    rank = _mean_rank(table)
    k = int(rank[rank == rank.min()].index.min())
    return k, term("k_rule_rank", lang, k=k, evidence=evidence)


def describe_choice(table: pd.DataFrame, rule: str, lang: str) -> str:
    """How ``rule`` chose k from a selection table, in ``lang`` (``k_rule_`` is the English one).

    Parameters
    ----------
    table : pandas.DataFrame
        ``selection_`` of a fitted segmenter.
    rule : str
        Its ``selection_rule``.
    lang : {"en", "zh"}

    Returns
    -------
    str

    Examples
    --------
    >>> t = pd.DataFrame({"inertia": [90.0, 50.0], "silhouette": [0.5, 0.4], "calinski_harabasz": [10.0, 12.0],
    ...                   "davies_bouldin": [0.9, 1.0]}, index=pd.Index([2, 3], name="k"))
    >>> describe_choice(t, "vote", "zh").split(" (")[0]
    '三个指标中有两个偏好 k=2; 各指标不一致'
    >>> describe_choice(t, "vote", "en").split(" (")[0]
    'two of three indices prefer k=2; the indices disagree'
    """
    return _apply_rule(table, index_preferences(table), rule, lang)[1]


def inertia_knee(ks: np.ndarray, inertia: np.ndarray) -> int | None:
    """The knee of a decreasing, convex inertia curve (``kneed``), or None.

    Parameters
    ----------
    ks : numpy.ndarray
        Candidate ks, increasing.
    inertia : numpy.ndarray
        Within-cluster sum of squares at each k.

    Returns
    -------
    int or None
        The k at the knee.

    Examples
    --------
    >>> inertia_knee(np.arange(2, 8), np.array([100.0, 40, 20, 17, 15, 14]))
    4
    """
    if len(ks) < 3:
        return None
    from kneed import KneeLocator

    knee = KneeLocator(ks, inertia, curve="convex", direction="decreasing", S=1.0).knee
    return int(knee) if knee is not None else None
