"""How far to trust the clusters: bootstrap adjusted Rand index and per-cluster Jaccard stability.

A diagnostic of a fitted :class:`tierkit.KMeansSegmenter` (or of a :class:`tierkit.Segmentation`
with a clusters step), run after ``fit``: :func:`assess_stability`. For each of ``n_boot``
bootstrap resamples of the segmenter's seeded sample of customers, k-means with the same k is
re-fitted and every customer of the sample is assigned by the re-fitted model
(:func:`tierkit.clusters.selection.bootstrap_agreement`, which the ``action`` rule of choosing k
also reads). Agreement with the reference clustering:

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
from sklearn.utils.validation import check_is_fitted

from tierkit.clusters.segmenter import KMeansSegmenter
from tierkit.clusters.selection import bootstrap_agreement
from tierkit.errors import Message, Param, TierkitError
from tierkit.segmentation.chain import Segmentation
from tierkit.words import term

__all__ = ["RULE_OF_THUMB", "assess_stability", "cluster_stability", "jaccard_verdict"]

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
    Z, labels, k, n_boot, random_state, n_init
        As in :func:`tierkit.clusters.selection.bootstrap_agreement`, which draws the resamples
        (``n_boot`` defaults to 20 here).

    Returns
    -------
    dict
        ``n_boot``, ``ari_mean``, ``ari_std``, ``jaccard`` and ``verdict`` (per reference
        cluster) and ``rule_of_thumb``.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> rng = np.random.default_rng(0)
    >>> Z = np.vstack([c + rng.normal(size=(100, 2)) for c in ([0, 0], [8, 0])])
    >>> labels = KMeans(2, n_init=4, random_state=0).fit_predict(Z)
    >>> s = cluster_stability(Z, labels, 2, n_boot=5)
    >>> s["ari_mean"] > 0.95, [j > 0.95 for j in s["jaccard"]]
    (True, [True, True])
    """
    aris, jaccard = bootstrap_agreement(Z, labels, k, n_boot=n_boot, random_state=random_state, n_init=n_init)
    jac = jaccard.mean(axis=0)
    return {
        "n_boot": n_boot,
        "ari_mean": float(np.mean(aris)),
        "ari_std": float(np.std(aris)),
        "jaccard": [float(j) for j in jac],
        "verdict": [jaccard_verdict(j) for j in jac],
        "rule_of_thumb": RULE_OF_THUMB,
    }


def assess_stability(model, X, n_boot: int = 20):
    """Measure how far to trust a fitted segmenter's clusters: bootstrap ARI and Jaccard per cluster.

    A diagnostic, run after ``fit`` on the customers the model was fitted on: ``n_boot``
    k-means fits on bootstrap resamples of the segmenter's seeded sample
    (:meth:`tierkit.KMeansSegmenter.scaled_sample`), summarised by :func:`cluster_stability`
    and recorded on the segmenter (:meth:`tierkit.KMeansSegmenter.record_stability`): its
    ``stability_``, and ``jaccard`` and ``stability`` (Hennig's verdict) in its ``profiles_``,
    which the alerts, the report and MLflow show. The clusters themselves do not change.

    Parameters
    ----------
    model : KMeansSegmenter or Segmentation
        A fitted segmenter, or a fitted segmentation; a segmentation without a clusters step is
        left as it is.
    X : pandas.DataFrame
        The feature table the model was fitted on.
    n_boot : int, default=20
        Bootstrap resamples.

    Returns
    -------
    KMeansSegmenter or Segmentation
        ``model``.

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame({"recency": np.r_[rng.uniform(1, 10, 50), rng.uniform(200, 300, 50)],
    ...                   "frequency": np.r_[rng.integers(8, 12, 50), rng.integers(1, 2, 50)],
    ...                   "monetary": np.r_[rng.uniform(800, 1000, 50), rng.uniform(10, 20, 50)]})
    >>> seg = assess_stability(KMeansSegmenter(k=2).fit(f), f, n_boot=5)
    >>> seg.profiles_["stability"].tolist()
    ['highly stable', 'highly stable']

    A segmentation measures its clusters step on the table that step saw at fit:

    >>> chain = assess_stability(Segmentation(lifecycle=False, clusters=True).fit(f), f, n_boot=3)
    >>> sorted(chain.named_step("clusters").stability_)[:2]
    ['ari_mean', 'ari_std']
    """
    from threadpoolctl import threadpool_limits

    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise TierkitError("param_invalid", where="assess_stability", param=Param("n_boot"),
                           value=repr(n_boot), expected=Message("described", what=Message("a_whole_number"),
                                                                bounds=Message("bound", op=">=", n=1)))
    if isinstance(model, Segmentation):
        check_is_fitted(model, "steps_")
        segmenter = dict(model.steps_).get("clusters")
        if segmenter is None:
            return model
        X = model.step_input(X, "clusters")  # the table the clusters step saw (it may cluster on clv)
    elif isinstance(model, KMeansSegmenter):
        segmenter = model
    else:
        raise TypeError(f"assess_stability: expected a KMeansSegmenter or a Segmentation, got {type(model).__name__}")
    with threadpool_limits(limits=int(segmenter.n_threads)):
        Z, labels = segmenter.scaled_sample(X)
        segmenter.record_stability(cluster_stability(Z, labels, segmenter.k_, n_boot=int(n_boot),
                                                     random_state=segmenter.random_state,
                                                     n_init=segmenter.n_init))
    return model
