"""K-means segmentation on scaled RFM features: choosing k, stability, ordered and named clusters.

* :mod:`~tierkit.clusters.selection`: inertia + knee, silhouette, Calinski-Harabasz, Davies-Bouldin;
* :mod:`~tierkit.clusters.stability`: bootstrap ARI and per-cluster Jaccard (Hennig 2007);
* :mod:`~tierkit.clusters.naming`: cluster 0 = most valuable, names from the 8 RFM classes;
* :class:`KMeansSegmenter`: the estimator.
"""

from tierkit.clusters.naming import cluster_label, cluster_profiles
from tierkit.clusters.segmenter import KMeansSegmenter
from tierkit.clusters.selection import select_k
from tierkit.clusters.stability import cluster_stability

__all__ = ["KMeansSegmenter", "cluster_label", "cluster_profiles", "cluster_stability", "select_k"]
