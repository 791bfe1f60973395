"""How far to trust the clusters: bootstrap adjusted Rand index and per-cluster Jaccard stability.

For each of ``n_boot`` bootstrap resamples of the (sampled) customers, k-means with the same k
is re-fitted and every customer of the sample is assigned by the re-fitted model. Agreement
with the reference clustering:

* **adjusted Rand index** over all customers (1 = identical partitions, 0 = chance);
* **Jaccard stability per cluster** (Hennig 2007, "Cluster-wise assessment of cluster
  stability"): for each reference cluster, the best Jaccard overlap with a bootstrap cluster,
  averaged over resamples.

Rule of thumb (Hennig 2007): a mean Jaccard below 0.6 means the cluster dissolves (do not
trust it), 0.6-0.75 a pattern but doubtful membership, above 0.75 stable, above 0.85 highly
stable.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from tierkit.words import term

#: Hennig's rule of thumb for the mean Jaccard of a cluster.
RULE_OF_THUMB = term("rule_of_thumb", "en")


def jaccard_verdict(value: float) -> str:
    """Hennig's verdict on a cluster's mean Jaccard stability.

    Examples
    --------
    >>> jaccard_verdict(0.9), jaccard_verdict(0.5)
    ('highly stable', 'dissolved')
    """
    if value > 0.85:
        return "highly stable"
    if value > 0.75:
        return "stable"
    if value >= 0.6:
        return "doubtful"
    return "dissolved"


def cluster_stability(Z: np.ndarray, labels: np.ndarray, k: int, *, n_boot: int = 20, random_state: int = 0,
                      n_init: int = 4) -> dict:
    """Bootstrap ARI (mean, std) and mean Jaccard per reference cluster (see module docs).

    Parameters
    ----------
    Z : ndarray of shape (n, d)
        Scaled features.
    labels : ndarray of int
        The reference clustering of ``Z``.
    k : int
        Number of clusters.
    n_boot : int, default=20
        Bootstrap resamples.
    random_state : int, default=0
        Seed of the resamples and of k-means.
    n_init : int, default=4
        k-means++ restarts per resample.

    Returns
    -------
    dict
        ``n_boot``, ``ari_mean``, ``ari_std``, ``jaccard`` and ``verdict`` (per reference
        cluster) and ``rule_of_thumb``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Z = np.vstack([c + rng.normal(size=(100, 2)) for c in ([0, 0], [8, 0])])
    >>> labels = KMeans(2, n_init=4, random_state=0).fit_predict(Z)
    >>> s = cluster_stability(Z, labels, 2, n_boot=5)
    >>> s["ari_mean"] > 0.95, [j > 0.95 for j in s["jaccard"]]
    (True, [True, True])
    """
    rng = np.random.default_rng(random_state)
    n = len(Z)
    aris = []
    jaccard = np.zeros((n_boot, k))
    reference = [labels == c for c in range(k)]
    for b in range(n_boot):
        rows = rng.integers(0, n, size=n)
        model = KMeans(n_clusters=k, init="k-means++", n_init=n_init,
                       random_state=int(rng.integers(2**31))).fit(Z[rows])
        assigned = model.predict(Z)
        aris.append(adjusted_rand_score(labels, assigned))
        found = [assigned == d for d in range(k)]
        for c, members in enumerate(reference):
            jaccard[b, c] = max(_jaccard(members, other) for other in found)
    jac = jaccard.mean(axis=0)
    return {
        "n_boot": n_boot,
        "ari_mean": float(np.mean(aris)),
        "ari_std": float(np.std(aris)),
        "jaccard": [float(j) for j in jac],
        "verdict": [jaccard_verdict(j) for j in jac],
        "rule_of_thumb": RULE_OF_THUMB,
    }


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 1.0
