"""Choosing k: the largest k whose clusters can be acted on; the validity indices vote otherwise.

Every candidate k is fitted with k-means++ on the scaled rows given (the segmenter passes a
seeded sample of ``sample_size`` customers, so the search takes the same time for ten
thousand customers as for ten million). The silhouette costs O(n^2): it is computed on one
seeded sub-sample of ``SILHOUETTE_SAMPLE`` of those rows, the same rows for every k, from one
matrix of their distances, kept in float32 (:func:`silhouette_from_distances`: one matrix
product per k, the value of ``sklearn.metrics.silhouette_score`` to 1e-6 at a sixth of its
time).

For every k the table also keeps two figures read off the fitted clusters:
``smallest_share`` (the smallest cluster's share of the rows) and ``separation`` (over every
pair of clusters, the largest gap between their centres on recency, frequency or monetary, in
the scaled space, where 1 is one standard deviation of the skew-reduced feature over the base;
the smallest such gap of any pair).

Rules (``rule``):

``"action"`` (default)
    The largest k whose clusters a marketer can act on, each criterion on the sample:

    1. **every cluster is a segment**: at least ``min_share`` (5 %) of the customers;
    2. **every two clusters differ materially in value or in activity**: their centres are at
       least ``min_separation`` (0.5) standard deviations apart on monetary, frequency or
       recency (after ``log1p`` half a standard deviation is 1.7 times the spend on CDNOW and
       1.9 times on Online Retail); a k-means that cuts one homogeneous group in two fails it;
    3. **every cluster comes back when the customers are resampled**: over ``n_boot`` (3)
       seeded bootstrap resamples re-fitted with the same k, the least stable cluster's mean
       Jaccard overlap (Hennig 2007, :func:`bootstrap_agreement`) is at least
       ``stability_floor`` (0.75, "stable").

    The ks are checked from the largest down; the cheap criteria (1, 2) first, so the
    bootstraps run only for a k that passes them. When the sample is smaller than the base,
    a k that passes all three is refitted on every customer from its centres on the sample
    (``confirm``; this fit is the segmenter's final model) and must still pass 1 and 2 there,
    so the clusters delivered meet the rule. The first k that passes is chosen (the smaller
    ks are then not checked: the table says ``not checked``). k = 2 is
    thus chosen only when no larger k holds. When no k passes, the indices' ``"vote"``
    decides and the rule's text says why each k failed. The table gains ``least_jaccard``
    (the least stable cluster's Jaccard, where measured) and ``action`` (``actionable``,
    ``small cluster``, ``too close``, ``unstable`` or ``not checked``). The bootstraps cost
    ``n_boot`` k-means fits per k checked: on CDNOW (23,570 customers) and Online Retail
    (4,339) two or three ks are checked.

``"vote"``
    Each of three internal validity indices names the k it prefers: the largest mean
    silhouette (Rousseeuw 1987), the largest Calinski-Harabasz index (Calinski & Harabasz
    1974), the smallest Davies-Bouldin index (Davies & Bouldin 1979). The k named by at least
    two of them is chosen. When all three disagree, the k with the best mean rank over the
    three indices is chosen (ties: the smaller k), and the rule's text says that they
    disagreed. Each index's preference is its own optimum over the range, so widening the
    range changes the choice only when an index finds a better k in the new part. On RFM
    features the indices tend to prefer k = 2 (one cut between active, valuable customers and
    the rest): all three do on CDNOW and on Online Retail, which is why it is not the default.
``"silhouette"``, ``"calinski_harabasz"``, ``"davies_bouldin"``
    That index alone.
``"knee"``
    The knee of the inertia curve (the elbow method), found by ``kneed`` (Satopää et al. 2011,
    "Finding a 'Kneedle' in a Haystack"); the best silhouette when the curve has no knee. The
    knee is relative to the range searched: it moves when the range does.

The table keeps every index, every figure and which k each index prefers, so a data scientist
can overrule the rule with evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, pairwise_distances

from tierkit.errors import DataError, Param, TierkitError
from tierkit.messages import Message
from tierkit.words import term

#: Rows (seeded sub-sample) the silhouette is computed on: it costs O(n^2).
SILHOUETTE_SAMPLE = 4_000

#: A cluster of fewer customers is an anecdote, not a segment; ks needing smaller ones are not tried.
MIN_CUSTOMERS_PER_CLUSTER = 5

#: Fewest clusters: one cluster is no segmentation.
MIN_K = 2

#: The rules ``select_k`` knows; ``action`` is the default.
SELECTION_RULES = ("action", "vote", "silhouette", "calinski_harabasz", "davies_bouldin", "knee")

#: The ``action`` rule: every cluster holds at least this share of the customers ...
MIN_SHARE = 0.05
#: ... every two clusters' centres are at least this many standard deviations apart on a value or activity feature ...
MIN_SEPARATION = 0.5
#: ... and the least stable cluster's mean bootstrap Jaccard is at least this (Hennig's "stable") ...
STABILITY_FLOOR = 0.75
#: ... over this many seeded bootstrap resamples.
STABILITY_BOOT = 3

#: What the ``action`` column of the selection table says of each k.
ACTION_VERDICTS = ("actionable", "small cluster", "too close", "unstable", "not checked")

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
        raise TierkitError("param_expected", param=Param("k_range"), value=repr(k_range),
                           expected=Message("low_high_pair")) from None
    if low < MIN_K or high <= low:
        raise TierkitError("k_range_order", param=Param("k_range"), value=repr(k_range), low=MIN_K)
    high = min(high, n_samples // MIN_CUSTOMERS_PER_CLUSTER)
    if high <= low:
        raise DataError("k_range_too_few", param=Param("k_range"), n=n_samples, low=low, high=k_range[1],
                        per=MIN_CUSTOMERS_PER_CLUSTER, least=MIN_CUSTOMERS_PER_CLUSTER * (low + 1), k=low + 1)
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


def select_k(Z: np.ndarray, k_range=(2, 10), *, rule: str = "action", random_state: int = 0, n_init: int = 4,
             separation_columns=None, min_share: float = MIN_SHARE, min_separation: float = MIN_SEPARATION,
             stability_floor: float = STABILITY_FLOOR, n_boot: int = STABILITY_BOOT, confirm=None,
             return_centres: bool = False):
    """Fit k-means for each k on the scaled rows ``Z``; return ``(table, k, rule_text)``.

    Parameters
    ----------
    Z : ndarray of shape (n, d)
        Scaled features (already sampled when the base is large).
    k_range : (int, int), default=(2, 10)
        Smallest and largest k, both included.
    rule : {"action", "vote", "silhouette", "calinski_harabasz", "davies_bouldin", "knee"}, default="action"
        How k is chosen (see the module docs).
    random_state : int, default=0
        Seed of k-means++, of the silhouette sub-sample and of the bootstrap resamples.
    n_init : int, default=4
        k-means++ restarts per k (and per bootstrap resample).
    separation_columns : sequence of int, optional
        Columns of ``Z`` on which clusters must differ (value and activity: recency, frequency,
        monetary, CLV); default every column.
    min_share, min_separation, stability_floor : float, default=0.05, 0.5, 0.75
        The ``action`` rule's criteria (module docs).
    n_boot : int, default=3
        Bootstrap resamples per k whose stability the ``action`` rule measures.
    confirm : callable, optional
        ``confirm(k, centres) -> (smallest_share, separation)``: the two cheap figures of the
        clusters refitted on more rows (every customer) from the sample's ``centres``; a k
        passing the ``action`` rule on the sample must pass on them too (the table gains
        ``final_smallest_share`` and ``final_separation``).
    return_centres : bool, default=False
        Also return the chosen k's centres, so that a fit on more rows can start from the
        clusters whose figures were checked.

    Returns
    -------
    table : pandas.DataFrame
        Indexed by ``k``: ``inertia``, ``silhouette``, ``calinski_harabasz``,
        ``davies_bouldin``, ``smallest_share``, ``separation``, ``preferred_by`` (the indices
        whose optimum is this k), with the ``action`` rule ``least_jaccard`` and ``action``, and
        ``chosen``. ``table.attrs["criteria"]`` holds the ``action`` rule's thresholds.
    k : int
        The chosen k.
    rule_text : str
        Which rule chose it, with the evidence and any disagreement, for logs and reports.
    centres : numpy.ndarray of shape (k, d)
        Only with ``return_centres``: the chosen k's centres.

    Examples
    --------
    Three groups: four or more clusters cut a group in two, and the halves do not come back
    when the rows are resampled (unstable), so k = 3; k = 2 is not checked.

    >>> rng = np.random.default_rng(0)
    >>> centres = np.array([[0, 0], [6, 0], [0, 6]])
    >>> Z = np.vstack([c + rng.normal(size=(200, 2)) for c in centres])
    >>> table, k, rule = select_k(Z, (2, 6))
    >>> k, rule.startswith("largest k whose clusters can be acted on: k=3")
    (3, True)
    >>> table["action"].tolist()
    ['not checked', 'actionable', 'unstable', 'unstable', 'unstable']
    >>> select_k(Z, (2, 6), rule="vote")[2].startswith("all three indices prefer k=3")
    True
    """
    if rule not in SELECTION_RULES:
        raise TierkitError("param_expected", param=Param("selection_rule"), value=repr(rule),
                           expected=Message("one_of", values=tuple(SELECTION_RULES)))
    ks = check_k_range(k_range, len(Z))
    columns = list(range(Z.shape[1])) if separation_columns is None else [int(c) for c in separation_columns]
    rows = sample_rows(len(Z), SILHOUETTE_SAMPLE, random_state)
    distances = pairwise_distances(Z[rows].astype(np.float32))  # float32: half the memory traffic
    records, labels_of, centres_of = [], {}, {}
    for k in ks:
        model = KMeans(n_clusters=k, init="k-means++", n_init=n_init, random_state=random_state).fit(Z)
        labels = labels_of[k] = model.labels_
        centres_of[k] = model.cluster_centers_
        several = len(np.unique(labels)) > 1
        several_in_sample = len(np.unique(labels[rows])) > 1
        records.append({
            "k": k,
            "inertia": float(model.inertia_),
            "silhouette": silhouette_from_distances(distances, labels[rows]) if several_in_sample else np.nan,
            "calinski_harabasz": float(calinski_harabasz_score(Z, labels)) if several else np.nan,
            "davies_bouldin": float(davies_bouldin_score(Z, labels)) if several else np.nan,
            "smallest_share": float(np.bincount(labels, minlength=k).min() / len(Z)),
            "separation": closest_separation(model.cluster_centers_[:, columns]),
        })
    table = pd.DataFrame(records).set_index("k")
    preferred = index_preferences(table)
    table["preferred_by"] = [", ".join(i for i, p in preferred.items() if p == k) for k in table.index]
    if rule == "action":
        table.attrs["criteria"] = {"min_share": float(min_share), "min_separation": float(min_separation),
                                   "stability_floor": float(stability_floor), "n_boot": int(n_boot)}
        _check_action(table, lambda k: _least_jaccard(Z, labels_of[k], k, n_boot, random_state, n_init),
                      None if confirm is None else lambda k: confirm(k, centres_of[k]))
    k, text = _apply_rule(table, preferred, rule)
    table["chosen"] = table.index == k
    return (table, k, text, centres_of[k]) if return_centres else (table, k, text)


def closest_separation(centres: np.ndarray) -> float:
    """How far apart the two closest clusters are: over pairs, the smallest of their largest per-feature gap.

    Parameters
    ----------
    centres : numpy.ndarray of shape (k, d)
        Cluster centres in the scaled space (1 = one standard deviation over the base).

    Returns
    -------
    float
        ``min over pairs (a, b) of max over features |centre_a - centre_b|``; infinite for one cluster.

    Examples
    --------
    The first two centres differ by 0.2 on one feature and 0.4 on the other:

    >>> closest_separation(np.array([[0.0, 0.0], [0.2, 0.4], [3.0, 0.0]]))
    0.4
    """
    centres = np.asarray(centres, dtype="float64")
    if len(centres) < 2:
        return float("inf")
    gaps = np.abs(centres[:, None, :] - centres[None, :, :]).max(axis=2)
    return float(gaps[np.triu_indices(len(centres), 1)].min())


def bootstrap_agreement(Z: np.ndarray, labels: np.ndarray, k: int, *, n_boot: int, random_state: int = 0,
                        n_init: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """How far a clustering comes back when the customers are resampled: ARI and Jaccard per resample.

    For each of ``n_boot`` seeded bootstrap resamples of the rows of ``Z``, k-means with the same
    k is re-fitted and every row is assigned by the re-fitted model. Its agreement with
    ``labels``: the adjusted Rand index over all rows (1 = identical partitions, 0 = chance),
    and, per reference cluster, the best Jaccard overlap with a re-fitted cluster (Hennig 2007,
    "Cluster-wise assessment of cluster stability"). The ``action`` rule of :func:`select_k`
    reads the least stable cluster's mean Jaccard; the stability diagnostic of a fitted
    segmenter (:mod:`tierkit.evaluation.stability`) summarises both.

    Parameters
    ----------
    Z : ndarray of shape (n, d)
        Scaled features.
    labels : ndarray of int
        The reference clustering of ``Z`` (clusters ``0 .. k - 1``).
    k : int
        Number of clusters.
    n_boot : int
        Bootstrap resamples.
    random_state : int, default=0
        Seed of the resamples and of k-means.
    n_init : int, default=4
        k-means++ restarts per resample.

    Returns
    -------
    aris : ndarray of shape (n_boot,)
        Adjusted Rand index of each resample's clustering with ``labels``.
    jaccard : ndarray of shape (n_boot, k)
        Per resample and reference cluster, the best Jaccard overlap with a re-fitted cluster.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Z = np.vstack([c + rng.normal(size=(100, 2)) for c in ([0, 0], [8, 0])])
    >>> labels = KMeans(2, n_init=4, random_state=0).fit_predict(Z)
    >>> aris, jaccard = bootstrap_agreement(Z, labels, 2, n_boot=5)
    >>> aris.shape, jaccard.shape, bool(aris.min() > 0.95), bool(jaccard.min() > 0.95)
    ((5,), (5, 2), True, True)
    """
    rng = np.random.default_rng(random_state)
    n = len(Z)
    aris = np.zeros(n_boot)
    jaccard = np.zeros((n_boot, k))
    reference = [labels == c for c in range(k)]
    for b in range(n_boot):
        rows = rng.integers(0, n, size=n)
        model = KMeans(n_clusters=k, init="k-means++", n_init=n_init,
                       random_state=int(rng.integers(2**31))).fit(Z[rows])
        assigned = model.predict(Z)
        aris[b] = adjusted_rand_score(labels, assigned)
        found = [assigned == d for d in range(k)]
        for c, members in enumerate(reference):
            jaccard[b, c] = max(_jaccard(members, other) for other in found)
    return aris, jaccard


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 1.0


def _least_jaccard(Z, labels, k, n_boot, random_state, n_init) -> float:
    """The smallest mean bootstrap Jaccard of the clusters of ``labels`` (Hennig 2007)."""
    _, jaccard = bootstrap_agreement(Z, labels, k, n_boot=n_boot, random_state=random_state, n_init=n_init)
    return float(jaccard.mean(axis=0).min())


def _check_action(table: pd.DataFrame, least_jaccard, confirm=None) -> None:
    """Fill ``least_jaccard`` and ``action`` from the largest k down, until a k passes every criterion."""
    criteria = table.attrs["criteria"]
    table["least_jaccard"] = np.nan
    if confirm is not None:
        table["final_smallest_share"] = np.nan
        table["final_separation"] = np.nan
    table["action"] = "not checked"
    found = False
    for k in sorted(table.index, reverse=True):
        if table.loc[k, "smallest_share"] < criteria["min_share"]:
            table.loc[k, "action"] = "small cluster"
        elif table.loc[k, "separation"] < criteria["min_separation"]:
            table.loc[k, "action"] = "too close"
        elif not found:
            table.loc[k, "least_jaccard"] = least_jaccard(k)
            if table.loc[k, "least_jaccard"] < criteria["stability_floor"]:
                table.loc[k, "action"] = "unstable"
                continue
            if confirm is not None:
                share, separation = confirm(k)
                table.loc[k, ["final_smallest_share", "final_separation"]] = [share, separation]
                if share < criteria["min_share"]:
                    table.loc[k, "action"] = "small cluster"
                    continue
                if separation < criteria["min_separation"]:
                    table.loc[k, "action"] = "too close"
                    continue
            table.loc[k, "action"] = "actionable"
            found = True


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


def _percent(value: float) -> str:
    return f"{100 * value:.3g}%"


def _criteria(table: pd.DataFrame) -> dict:
    defaults = {"min_share": MIN_SHARE, "min_separation": MIN_SEPARATION, "stability_floor": STABILITY_FLOOR,
                "n_boot": STABILITY_BOOT}
    return {**defaults, **table.attrs.get("criteria", {})}


def _failure(table: pd.DataFrame, k: int, lang: str) -> str | None:
    """Why k fails the ``action`` rule, in ``lang``; None when it passes or was not checked."""
    criteria, row = _criteria(table), table.loc[k]
    final = row["smallest_share"] >= criteria["min_share"] and row["separation"] >= criteria["min_separation"]
    if row["action"] == "small cluster":
        share = row["final_smallest_share"] if final else row["smallest_share"]
        return term("k_small_cluster_final" if final else "k_small_cluster", lang, k=k, share=_percent(share),
                    min_share=_percent(criteria["min_share"]))
    if row["action"] == "too close":
        separation = row["final_separation"] if final else row["separation"]
        return term("k_too_close_final" if final else "k_too_close", lang, k=k, separation=f"{separation:.2f}",
                    min_separation=f"{criteria['min_separation']:g}")
    if row["action"] == "unstable":
        return term("k_unstable", lang, k=k, jaccard=f"{row['least_jaccard']:.2f}",
                    floor=f"{criteria['stability_floor']:g}")
    return None


def _apply_action(table: pd.DataFrame, preferred: dict[str, int], lang: str) -> tuple[int, str]:
    vote_k, vote = _apply_rule(table, preferred, "vote", lang)
    passing = table.index[table["action"] == "actionable"]
    if not len(passing):
        failures = [f for f in (_failure(table, k, lang) for k in table.index) if f]
        return vote_k, term("k_rule_action_none", lang, low=min(table.index), high=max(table.index),
                            reasons=", ".join(failures), vote=vote)
    k = int(passing.max())
    criteria, row = _criteria(table), table.loc[k]
    larger = [f for f in (_failure(table, j, lang) for j in table.index if j > k) if f]
    return k, term("k_rule_action", lang, k=k, share=_percent(row["smallest_share"]),
                   min_share=_percent(criteria["min_share"]), separation=f"{row['separation']:.2f}",
                   min_separation=f"{criteria['min_separation']:g}", jaccard=f"{row['least_jaccard']:.2f}",
                   floor=f"{criteria['stability_floor']:g}", n_boot=criteria["n_boot"],
                   larger=term("k_larger_fail", lang, reasons=", ".join(larger)) if larger else "", vote=vote)


def _apply_rule(table: pd.DataFrame, preferred: dict[str, int], rule: str, lang: str = "en") -> tuple[int, str]:
    if rule == "action":
        return _apply_action(table, preferred, lang)
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


def choice_reason(table: pd.DataFrame, rule: str, separation_on=None) -> dict:
    """Why k was chosen, as data: the rule, its criteria, every candidate k's figures, the chosen k and the text.

    Parameters
    ----------
    table : pandas.DataFrame
        The selection table of :func:`select_k`.
    rule : str
        The rule that chose k.
    separation_on : sequence of str, optional
        The features the ``separation`` was measured on, for the record.

    Returns
    -------
    dict
        ``rule``, ``chosen``, ``vote`` (the k the indices' vote gives), ``why`` (the rule's
        text), ``criteria`` (the ``action`` rule's thresholds, else empty) and ``candidates``
        (one record per k: ``k``, ``smallest_share``, ``separation``, ``silhouette``, and where
        measured ``least_jaccard``, ``final_smallest_share``, ``final_separation`` and
        ``action``; ``chosen``).

    Examples
    --------
    >>> t = pd.DataFrame({"inertia": [90.0, 50.0], "silhouette": [0.5, 0.4], "calinski_harabasz": [10.0, 12.0],
    ...                   "davies_bouldin": [0.9, 1.0], "smallest_share": [0.4, 0.02], "separation": [2.0, 1.0],
    ...                   "least_jaccard": [0.9, np.nan], "action": ["actionable", "small cluster"]},
    ...                  index=pd.Index([2, 3], name="k"))
    >>> reason = choice_reason(t, "action")
    >>> reason["chosen"], reason["vote"], reason["candidates"][1]["action"]
    (2, 2, 'small cluster')
    >>> print(reason["why"].split("; the indices' vote")[0])
    largest k whose clusters can be acted on: k=2 (smallest cluster 40% of the customers, at least 5%;
    closest clusters 2.00 standard deviations apart on value or activity, at least 0.5; least stable
    cluster's Jaccard over 3 bootstrap resamples 0.90, at least 0.75); larger k fail: k=3: smallest
    cluster 2% < 5%
    """
    preferred = index_preferences(table)
    k, text = _apply_rule(table, preferred, rule)
    columns = [c for c in ("smallest_share", "separation", "silhouette", "least_jaccard", "final_smallest_share",
                           "final_separation", "action") if c in table]
    candidates = []
    for j, row in table[columns].iterrows():
        record = {"k": int(j)}
        for c in columns:
            value = row[c]
            record[c] = value if isinstance(value, str) else (None if pd.isna(value) else float(value))
        record["chosen"] = int(j) == k
        candidates.append(record)
    criteria = dict(_criteria(table)) if rule == "action" else {}
    if criteria and separation_on is not None:
        criteria["separation_on"] = list(separation_on)
    return {"rule": rule, "chosen": int(k), "vote": _apply_rule(table, preferred, "vote")[0], "why": text,
            "criteria": criteria, "candidates": candidates}


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
