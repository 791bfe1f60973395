"""The clusters' stability diagnostic (tierkit.evaluation.stability): an evaluation of a fitted segmenter."""

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

import tierkit as tk
from tierkit.clusters.selection import _least_jaccard, bootstrap_agreement
from tierkit.evaluation.stability import assess_stability, cluster_stability, jaccard_verdict


def three_groups(seed=0):
    rng = np.random.default_rng(seed)

    def kind(n, recency, frequency, monetary):
        return pd.DataFrame({"recency": recency * rng.lognormal(0, 0.1, n),
                             "frequency": np.round(frequency * rng.lognormal(0, 0.1, n)),
                             "monetary": monetary * rng.lognormal(0, 0.1, n)})

    return pd.concat([kind(60, 5, 12, 900), kind(80, 150, 1, 30), kind(160, 400, 1, 30)], ignore_index=True)


def test_the_summary_is_the_bootstrap_the_action_rule_reads():
    """One bootstrap for choosing k (clusters/) and for the diagnostic (evaluation/): the same figures."""
    rng = np.random.default_rng(1)
    Z = np.vstack([c + rng.normal(size=(80, 2)) for c in ([0, 0], [6, 0], [0, 6])])
    labels = KMeans(3, n_init=2, random_state=0).fit_predict(Z)
    aris, jaccard = bootstrap_agreement(Z, labels, 3, n_boot=4, random_state=7, n_init=2)
    summary = cluster_stability(Z, labels, 3, n_boot=4, random_state=7, n_init=2)
    assert summary["ari_mean"] == float(aris.mean()) and summary["ari_std"] == float(aris.std())
    assert summary["jaccard"] == [float(j) for j in jaccard.mean(axis=0)]
    assert summary["verdict"] == [jaccard_verdict(j) for j in summary["jaccard"]]
    assert _least_jaccard(Z, labels, 3, 4, 7, 2) == min(summary["jaccard"])


def test_a_segmentation_is_measured_on_the_table_its_clusters_step_saw():
    features = three_groups()
    chain = tk.Segmentation(clusters=tk.KMeansSegmenter(k=3), lifecycle=False).fit(features)
    alone = tk.KMeansSegmenter(k=3).fit(chain.step_input(features, "clusters"))
    assert assess_stability(chain, features, n_boot=3) is chain
    assess_stability(alone, chain.step_input(features, "clusters"), n_boot=3)
    clusters = chain.named_step("clusters")
    assert clusters.stability_ == alone.stability_ and clusters.stability_["n_boot"] == 3
    assert clusters.profiles_["stability"].tolist() == clusters.stability_["verdict"]
    assert clusters.standards()["stability"] == clusters.stability_  # what MLflow and the report read


def test_a_segmentation_without_clusters_is_left_as_it_is():
    features = three_groups()
    chain = tk.Segmentation(lifecycle=False).fit(features)
    assert assess_stability(chain, features) is chain


def test_what_is_not_a_fitted_segmenter_is_refused():
    with pytest.raises(TypeError, match="expected a KMeansSegmenter or a Segmentation, got DataFrame"):
        assess_stability(three_groups(), three_groups())
    with pytest.raises(tk.TierkitError, match="n_boot=True"):
        assess_stability(tk.KMeansSegmenter(k=2), three_groups(), n_boot=True)
    segmenter = tk.KMeansSegmenter(k=3).fit(three_groups())
    with pytest.raises(ValueError, match="a stability of 2 clusters for a segmenter of 3"):
        segmenter.record_stability({"jaccard": [1.0, 1.0], "verdict": ["stable", "stable"]})
    assert segmenter.stability_ is None


def test_stability_is_no_parameter_of_the_estimator_any_more():
    # a diagnostic, not part of fit: measured by evaluation/, never by KMeansSegmenter.fit
    assert "n_boot" not in tk.KMeansSegmenter().get_params()
    assert not hasattr(tk.KMeansSegmenter, "assess_stability") and not hasattr(tk.Segmentation, "assess_stability")
