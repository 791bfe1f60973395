"""K-means segmentation on scaled RFM features: choosing k, ordered and named clusters.

* :mod:`~tierkit.clusters.selection`: inertia + knee, silhouette, Calinski-Harabasz, Davies-Bouldin,
  and the ``action`` rule (with the bootstrap agreement it reads);
* :mod:`~tierkit.clusters.naming`: cluster 0 = most valuable, names from the 8 RFM classes;
* :class:`KMeansSegmenter`: the estimator.

The stability diagnostic of fitted clusters (bootstrap ARI and per-cluster Jaccard, Hennig 2007)
is an evaluation: :mod:`tierkit.evaluation.stability`.
"""

from tierkit.clusters.naming import cluster_label, cluster_profiles
from tierkit.clusters.segmenter import KMeansSegmenter
from tierkit.clusters.selection import select_k

__all__ = ["KMeansSegmenter", "cluster_label", "cluster_profiles", "select_k"]
