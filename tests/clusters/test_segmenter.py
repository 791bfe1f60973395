"""K-means segmentation: choice of k, order, names, stability, determinism, later batches, CLI."""

import json

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.clusters import KMeansSegmenter
from tierkit.clusters.naming import cluster_names, value_order
from tierkit.datasets import cdnow_path
from tierkit.errors import DataError, TierkitError
from tierkit.reporting.charts.clusters import plot_k_selection, plot_relative_importance, plot_snake


def designed_customers(seed=0, scale=1):
    """Three groups whose R/F/M patterns are known: the clusters must come back with these names.

    vip: recent, frequent, big spenders (important_value), 150 customers;
    lapsed_loyal: long gone, but frequent big spenders (important_retain), 250 customers;
    one_off: long gone, bought once for little (general_winback), 600 customers.
    """
    rng = np.random.default_rng(seed)
    groups = {"vip": (150, 5, 20, 2000), "lapsed_loyal": (250, 380, 12, 900), "one_off": (600, 400, 1, 20)}
    frames = []
    for name, (n, recency, frequency, monetary) in groups.items():
        n *= scale
        frames.append(pd.DataFrame({
            "recency": recency * rng.lognormal(0, 0.1, n),
            "frequency": np.maximum(1, np.round(frequency * rng.lognormal(0, 0.1, n))),
            "monetary": monetary * rng.lognormal(0, 0.1, n),
            "truth": name,
        }))
    table = pd.concat(frames, ignore_index=True)
    table.index = pd.Index([f"c{i:05d}" for i in range(len(table))], name="customer_id")
    return table


@pytest.fixture(scope="module")
def designed():
    return designed_customers()


@pytest.fixture(scope="module")
def fitted(designed):
    return KMeansSegmenter(n_boot=10).fit(designed)


def test_chooses_the_true_k_and_records_the_rule(fitted):
    assert fitted.k_ == 3
    assert "k=3" in fitted.k_rule_
    assert list(fitted.selection_.index) == list(range(2, 11))
    assert fitted.selection_.loc[3, "chosen"] and fitted.selection_["chosen"].sum() == 1
    assert set(fitted.selection_.columns) >= {"inertia", "silhouette", "calinski_harabasz", "davies_bouldin"}


def test_names_and_order_follow_the_designed_profiles(designed, fitted):
    # cluster 0 = most valuable (highest mean monetary); names from the course's 8 classes
    assert fitted.profiles_["cluster_name"].tolist() == ["important_value", "important_retain", "general_winback"]
    out = fitted.transform(designed)
    truth_to_cluster = pd.crosstab(designed["truth"], out["cluster"])
    assert (truth_to_cluster.to_numpy() > 0).sum() == 3  # every designed group is exactly one cluster
    assert out.loc[designed["truth"] == "vip", "cluster"].eq(0).all()
    assert fitted.profiles_.loc[0, "customers"] == 150 and fitted.profiles_["share"].sum() == pytest.approx(1)
    assert fitted.profiles_["revenue_share"].sum() == pytest.approx(1)


def test_clusters_are_stable_on_separated_groups(fitted):
    assert fitted.stability_["ari_mean"] > 0.99
    assert all(v == "highly stable" for v in fitted.stability_["verdict"])
    assert "0.6" in fitted.stability_["rule_of_thumb"]


def test_same_seed_same_labels_byte_for_byte(designed, tmp_path):
    a = KMeansSegmenter(n_boot=0).fit(designed).transform(designed)
    b = KMeansSegmenter(n_boot=0).fit(designed).transform(designed)
    a.to_csv(tmp_path / "a.csv")
    b.to_csv(tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_labels_do_not_depend_on_row_order(designed):
    shuffled = designed.sample(frac=1, random_state=3)
    a = KMeansSegmenter(k=3, n_boot=0).fit(designed).transform(designed)
    b = KMeansSegmenter(k=3, n_boot=0).fit(shuffled).transform(designed)
    assert a["cluster"].equals(b["cluster"])


def test_later_batch_is_graded_by_the_fitted_clusters(designed, fitted):
    later = designed_customers(seed=1)
    out = fitted.transform(later)
    assert out.loc[later["truth"] == "vip", "cluster_name"].eq("important_value").all()
    assert out.loc[later["truth"] == "one_off", "cluster_name"].eq("general_winback").all()


def test_value_order_rule_with_ties():
    means = pd.DataFrame({"recency": [10.0, 5.0, 5.0, 1.0], "frequency": [2.0, 2.0, 2.0, 9.0],
                          "monetary": [100.0, 100.0, 100.0, 50.0]})
    # 1 and 2 tie on monetary, frequency and recency: the larger one first; 0 has the worse recency
    assert value_order(means, np.array([5, 3, 7, 9])).tolist() == [2, 1, 0, 3]


def test_shared_patterns_get_numbered_names():
    means = pd.DataFrame({"recency": [1.0, 2.0, 90.0, 3.0], "frequency": [9.0, 8.0, 1.0, 1.0],
                          "monetary": [900.0, 700.0, 5.0, 1.0]})
    population = pd.Series({"recency": 20.0, "frequency": 3.0, "monetary": 100.0})
    assert cluster_names(means, population) == ["important_value", "important_value_2", "general_winback",
                                                "general_develop"]


def test_negative_monetary_and_yeo_johnson(designed):
    data = designed.copy()
    data.iloc[:5, data.columns.get_loc("monetary")] = -50.0  # net returns
    for transform in ("log1p", "yeo-johnson"):
        out = KMeansSegmenter(k=3, skew_transform=transform, n_boot=0).fit(data).transform(data)
        assert out["cluster"].between(0, 2).all()


def test_optional_features_need_their_columns(designed):
    with pytest.raises(DataError, match="missing feature column.*'clv'"):
        KMeansSegmenter(features=("recency", "frequency", "monetary", "clv"), n_boot=0).fit(designed)
    with pytest.raises(TierkitError, match="not supported"):
        KMeansSegmenter(features=("recency", "age"), n_boot=0).fit(designed)
    with pytest.raises(DataError, match=r"k=5 needs at least 25 customers \(5 per cluster\), not 24"):
        KMeansSegmenter(k=5, n_boot=0).fit(designed.head(24))
    with pytest.raises(DataError, match="14 customers are too few to compare k from 2 to 10 .*15 for k up to 3"):
        KMeansSegmenter(n_boot=0).fit(designed.head(14))
    assert KMeansSegmenter(n_boot=0).fit(designed.head(15)).k_ == 2  # only k = 2 and 3 were tried


def test_plots_return_axes(fitted):
    for ax in (plot_k_selection(fitted.selection_), plot_snake(fitted), plot_relative_importance(fitted.profiles_),
               plot_snake(fitted, lang="zh")):
        assert ax.figure is not None and ax.get_title()


def test_segmentation_with_clusters_adds_columns_and_labels(designed):
    seg = tk.Segmentation(clusters=KMeansSegmenter(k=3, n_boot=0), lifecycle=False).fit(designed)
    out = tk.add_labels(seg.transform(designed), "zh")
    assert {"cluster", "cluster_name", "cluster_name_label"} <= set(out.columns)
    assert out.loc[designed["truth"] == "vip", "cluster_name_label"].eq("重要价值客户").all()


@pytest.mark.slow
def test_cli_clusters_on_cdnow(tmp_path, capsys):
    code = main(["clusters", str(cdnow_path()), "--amount-col", "dollar_value", "--as-of", "1998-06-30",
                 "--k-range", "2-8", "--n-boot", "5", "--json", "--plots", str(tmp_path)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["customers"] == 23570 and 2 <= out["k"] <= 8
    assert [row["k"] for row in out["selection"]] == list(range(2, 9))
    assert sum(p["customers"] for p in out["profiles"]) == 23570
    assert len(out["stability"]["jaccard"]) == out["k"]
    # cluster 0 has the highest mean monetary value
    monetary = [p["monetary"] for p in out["profiles"]]
    assert monetary[0] == max(monetary)
    assert len(out["plots"]) == 3


def test_cli_clusters_bad_k_range(capsys):
    code = main(["clusters", str(cdnow_path()), "--as-of", "1998-06-30", "--k-range", "10-2"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--k-range" in err[0] and "10-2" in err[0]


def test_chinese_cluster_charts_have_every_glyph(fitted):
    import warnings

    from tierkit.reporting.charts import figure_png

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would fail here
        for name, ax in fitted.charts(lang="zh"):
            assert figure_png(ax.figure, lang="zh")[:4] == b"\x89PNG", name


def test_k_means_runs_on_the_threads_it_is_given(designed):
    """Inside the fit every OpenMP/BLAS pool is capped at n_threads; the clusters do not depend on it."""
    from threadpoolctl import threadpool_info

    seen = {}

    class Recording(KMeansSegmenter):
        def _fit_clusters(self, X):
            seen[self.n_threads] = {pool["num_threads"] for pool in threadpool_info()}
            super()._fit_clusters(X)

    one = Recording(k=3, n_boot=0, n_threads=1).fit(designed)
    two = Recording(k=3, n_boot=0, n_threads=2).fit(designed)
    assert seen[1] == {1} and max(seen[2]) <= 2
    pd.testing.assert_frame_equal(one.transform(designed), two.transform(designed))
    with pytest.raises(TierkitError, match="n_threads=0; expected a whole number >= 1"):
        KMeansSegmenter(n_threads=0).fit(designed)
