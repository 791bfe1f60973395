"""K-means segmentation: choice of k, order, names, strategies, stability, determinism, later batches, CLI."""

import json

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.clusters import KMeansSegmenter
from tierkit.clusters.naming import band, cluster_label, cluster_names, cluster_strategy, value_order
from tierkit.clusters.selection import index_preferences, select_k
from tierkit.datasets import cdnow_path
from tierkit.errors import DataError, TierkitError
from tierkit.evaluation.stability import assess_stability
from tierkit.reporting.charts.clusters import plot_k_selection, plot_relative_importance, plot_snake


def designed_customers(seed=0, scale=1):
    """Three groups whose R/F/M patterns are known: the clusters must come back with these names.

    vip: recent, frequent, big spenders, 150 customers;
    lapsed_loyal: long gone, but frequent big spenders, 250 customers;
    one_off: long gone, bought once for little, 600 customers.

    By hand, from the group medians (log1p, then standardised over the 1,000 customers), the
    centres sit at recency (-2.38, 0.39, 0.43), frequency (1.50, 1.03, -0.80), monetary
    (1.47, 1.07, -0.81).

    Names (issue 21: positions in the base, :mod:`tierkit.clusters.naming`), by hand. A group
    wholly below the other n - m customers sits at about (m / 2) / n (pairs inside it split
    evenly). vip is below everyone on recency: 75 / 1000 = 0.075, very recent; above everyone
    on frequency and spend: about 0.93, very frequent, very high spend. one_off all bought
    once: frequency 0, rare; below the 400 others on spend: 0.5 * 599 / 999 = 0.30, low spend;
    its 400 days are above lapsed_loyal's 380 in 64 % of pairs (10 % noise each) and above
    the vips: about 0.61, lapsing. lapsed_loyal: recency about 0.49, and its median (380 days)
    is below the base's (385: the base is mostly lapsed), so middling recency; above the
    one-offs, below the vips on frequency and spend: (600 + 124.5) / 999 = 0.73, frequent,
    high spend. Before issue 21 lapsed_loyal and one_off were both "lapsing".
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
    return assess_stability(KMeansSegmenter().fit(designed), designed, n_boot=10)


DESIGNED_NAMES = ["very_recent-very_frequent-very_high_spend", "mid_recency-frequent-high_spend",
                  "lapsing-rare-low_spend"]


def test_chooses_the_true_k_and_records_the_rule(fitted):
    """The default rule is now "action" (issue 21): k = 3 is the largest k whose clusters can be acted on
    (k = 4 to 6 cut a tight group in two, 0.11 standard deviations apart; larger ks leave a cluster under 5 %),
    and the indices' vote, which agrees, is recorded beside it."""
    assert fitted.k_ == 3
    assert fitted.k_rule_.startswith("largest k whose clusters can be acted on: k=3")
    assert "the indices' vote: all three indices prefer k=3" in fitted.k_rule_
    assert fitted.k_reason_["rule"] == "action" and fitted.k_reason_["chosen"] == fitted.k_reason_["vote"] == 3
    assert fitted.selection_.loc[3, "preferred_by"] == "silhouette, calinski_harabasz, davies_bouldin"
    assert list(fitted.selection_.index) == list(range(2, 11))
    assert fitted.selection_.loc[3, "chosen"] and fitted.selection_["chosen"].sum() == 1
    assert set(fitted.selection_.columns) >= {"inertia", "silhouette", "calinski_harabasz", "davies_bouldin",
                                              "smallest_share", "separation", "least_jaccard", "action"}
    assert (fitted.selection_.loc[4:6, "action"] == "too close").all()
    assert (fitted.selection_.loc[4:6, "separation"] < 0.5).all()


def test_names_and_order_follow_the_designed_profiles(designed, fitted):
    # cluster 0 = most valuable (highest mean monetary); names from the positions worked out by hand
    assert fitted.profiles_["cluster_name"].tolist() == DESIGNED_NAMES
    hand = [[-2.38, 1.50, 1.47], [0.39, 1.03, 1.07], [0.43, -0.80, -0.81]]  # see designed_customers
    np.testing.assert_allclose(fitted.centres().to_numpy(), hand, atol=0.03)
    out = fitted.transform(designed)
    truth_to_cluster = pd.crosstab(designed["truth"], out["cluster"])
    assert (truth_to_cluster.to_numpy() > 0).sum() == 3  # every designed group is exactly one cluster
    assert out.loc[designed["truth"] == "vip", "cluster"].eq(0).all()
    assert fitted.profiles_.loc[0, "customers"] == 150 and fitted.profiles_["share"].sum() == pytest.approx(1)
    assert fitted.profiles_["revenue_share"].sum() == pytest.approx(1)


def test_stability_is_a_diagnostic_not_part_of_fit(designed, fitted):
    plain = KMeansSegmenter().fit(designed)
    assert plain.stability_ is None and "stability" not in plain.profiles_.columns
    assert plain.transform(designed).equals(fitted.transform(designed))  # measuring changes no cluster
    with pytest.raises(TierkitError, match="n_boot=0; expected a whole number >= 1"):
        assess_stability(plain, designed, n_boot=0)
    assert plain.stability_ is None


def test_clusters_are_stable_on_separated_groups(fitted):
    assert fitted.stability_["ari_mean"] > 0.99
    assert all(v == "highly stable" for v in fitted.stability_["verdict"])
    assert "0.6" in fitted.stability_["rule_of_thumb"]


def test_same_seed_same_labels_byte_for_byte(designed, tmp_path):
    a = KMeansSegmenter().fit(designed).transform(designed)
    b = KMeansSegmenter().fit(designed).transform(designed)
    a.to_csv(tmp_path / "a.csv")
    b.to_csv(tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_labels_do_not_depend_on_row_order(designed):
    shuffled = designed.sample(frac=1, random_state=3)
    a = KMeansSegmenter(k=3).fit(designed).transform(designed)
    b = KMeansSegmenter(k=3).fit(shuffled).transform(designed)
    assert a["cluster"].equals(b["cluster"])


def test_later_batch_is_graded_by_the_fitted_clusters(designed, fitted):
    later = designed_customers(seed=1)
    out = fitted.transform(later)
    assert out.loc[later["truth"] == "vip", "cluster_name"].eq(DESIGNED_NAMES[0]).all()
    assert out.loc[later["truth"] == "one_off", "cluster_name"].eq(DESIGNED_NAMES[2]).all()


def test_value_order_rule_with_ties():
    means = pd.DataFrame({"recency": [10.0, 5.0, 5.0, 1.0], "frequency": [2.0, 2.0, 2.0, 9.0],
                          "monetary": [100.0, 100.0, 100.0, 50.0]})
    # 1 and 2 tie on monetary, frequency and recency: the larger one first; 0 has the worse recency
    assert value_order(means, np.array([5, 3, 7, 9])).tolist() == [2, 1, 0, 3]


@pytest.mark.parametrize("position, side, expected", [
    (0.0, None, 0), (0.1999, None, 0), (0.2, None, 1), (0.3999, None, 1), (0.4, None, 2), (0.6, None, 2),
    (0.6001, None, 3), (0.8, None, 3), (0.8001, None, 4), (1.0, None, 4),
    (0.1, -1, 0), (0.1, 0, 2), (0.1, 1, 2), (0.9, 1, 4), (0.9, 0, 2), (0.9, -1, 2), (0.5, -1, 2), (0.5, 1, 2)])
def test_bands_are_cut_on_the_position_and_need_the_mean_and_median_to_agree(position, side, expected):
    """Issue 21: bands are cut on the cluster's position in the base (0.2, 0.4, 0.6, 0.8), no longer at the
    quintiles of a standard normal on the scaled centre; a word off the middle needs the cluster's mean and
    median on the same side of the base's (side -1 below, +1 above)."""
    assert band(position, side) == expected


def test_clusters_in_the_same_bands_are_told_apart_without_numbers():
    """Issue 21: ``cluster_names`` reads positions in the base (0-1), no longer scaled centres; the rule that
    tells twins apart is unchanged."""
    # four positions in the same bands on every feature (recent, frequent, high spend)
    where = pd.DataFrame({"recency": [0.25, 0.24, 0.32, 0.22], "frequency": [0.65, 0.70, 0.70, 0.72],
                          "monetary": [0.66, 0.68, 0.78, 0.76]})
    names = cluster_names(where)
    # monetary spreads most (0.12): split at its widest gap (0.68 -> 0.76) into lower {0, 1} and higher {2, 3};
    # 0 vs 1 differ most on frequency (0.05), 2 vs 3 on recency (0.10; the smaller recency is more recent)
    assert names == ["recent-frequent-high_spend-lower_spend-less_frequent",
                     "recent-frequent-high_spend-lower_spend-more_frequent",
                     "recent-frequent-high_spend-higher_spend-less_recent",
                     "recent-frequent-high_spend-higher_spend-more_recent"]
    assert len(set(names)) == 4 and not any(ch.isdigit() for n in names for ch in n)
    strategies = [cluster_strategy(n, "en") for n in names]
    assert len(set(strategies)) == 4
    assert strategies[0] == ("Invest: priority offers and service; keep them engaged; membership and loyalty "
                             "programme (lower spend, less frequent)")
    assert cluster_label(names[3], "zh") == "近期购买·经常购买·消费较高·消费更高·购买较近"


def test_names_and_strategies_in_both_languages():
    name = "lapsed-rare-very_low_spend"
    assert cluster_label(name, "en") == "Long lapsed · rare buyers · very low spend"
    assert cluster_label(name, "zh") == "久未购买·极少购买·消费很低"
    assert cluster_strategy(name, "zh") == "最低成本: 仅自助服务; 尝试一次唤醒, 无效即停止; 促成第二次购买"
    assert cluster_label("not-a-cluster", "en") == "not-a-cluster" and cluster_strategy("x", "en") == ""


def test_negative_monetary_and_yeo_johnson(designed):
    data = designed.copy()
    data.iloc[:5, data.columns.get_loc("monetary")] = -50.0  # net returns
    for transform in ("log1p", "yeo-johnson"):
        out = KMeansSegmenter(k=3, skew_transform=transform).fit(data).transform(data)
        assert out["cluster"].between(0, 2).all()


def test_optional_features_need_their_columns(designed):
    with pytest.raises(DataError, match="missing feature column.*'clv'"):
        KMeansSegmenter(features=("recency", "frequency", "monetary", "clv")).fit(designed)
    with pytest.raises(TierkitError, match=r"features=\('recency', 'age'\); expected a list of values among 'recency'"):
        KMeansSegmenter(features=("recency", "age")).fit(designed)
    with pytest.raises(DataError, match=r"k=5 needs at least 25 customers \(5 per cluster\), not 24"):
        KMeansSegmenter(k=5).fit(designed.head(24))
    with pytest.raises(DataError, match="14 customers are too few to compare k from 2 to 10 .*15 for k up to 3"):
        KMeansSegmenter().fit(designed.head(14))
    # only k = 2 and 3 were tried; neither is stable on 15 look-alike customers, so the indices' vote decides
    assert KMeansSegmenter().fit(designed.head(15)).k_ == 2


def test_plots_return_axes(fitted):
    for ax in (plot_k_selection(fitted.selection_), plot_snake(fitted), plot_relative_importance(fitted.profiles_),
               plot_snake(fitted, lang="zh")):
        assert ax.figure is not None and ax.get_title()


def test_segmentation_with_clusters_adds_columns_and_labels(designed):
    seg = tk.Segmentation(clusters=KMeansSegmenter(k=3), lifecycle=False).fit(designed)
    out = tk.add_labels(seg.transform(designed), "zh")
    assert {"cluster", "cluster_name", "cluster_name_label"} <= set(out.columns)
    assert out.loc[designed["truth"] == "vip", "cluster_name_label"].eq("最近刚购买·非常频繁·消费很高").all()


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
    from tierkit.reporting.charts.clusters import cluster_charts

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would fail here
        for name, ax in cluster_charts(fitted, lang="zh"):
            assert figure_png(ax.figure, lang="zh")[:4] == b"\x89PNG", name


def test_k_means_runs_on_the_threads_it_is_given(designed):
    """Inside the fit every OpenMP/BLAS pool is capped at n_threads; the clusters do not depend on it."""
    from threadpoolctl import threadpool_info

    seen = {}

    class Recording(KMeansSegmenter):
        def _fit_clusters(self, X):
            seen[self.n_threads] = {pool["num_threads"] for pool in threadpool_info()}
            super()._fit_clusters(X)

    one = Recording(k=3, n_threads=1).fit(designed)
    two = Recording(k=3, n_threads=2).fit(designed)
    assert seen[1] == {1} and max(seen[2]) <= 2
    pd.testing.assert_frame_equal(one.transform(designed), two.transform(designed))
    with pytest.raises(TierkitError, match="n_threads=0; expected a whole number >= 1"):
        KMeansSegmenter(n_threads=0).fit(designed)


@pytest.mark.parametrize("rule", ["action", "vote", "silhouette", "calinski_harabasz", "davies_bouldin", "knee"])
def test_every_selection_rule_finds_four_clear_blobs(rule):
    rng = np.random.default_rng(1)
    centres = np.array([[0, 0, 0], [8, 0, 0], [0, 8, 0], [0, 0, 8]])
    Z = np.vstack([c + rng.normal(size=(150, 3)) for c in centres])
    table, k, text = select_k(Z, (2, 8), rule=rule)
    assert k == 4 and "k=4" in text and table["chosen"].sum() == 1


def _indices(silhouette, ch, db):
    return pd.DataFrame({"inertia": np.linspace(100, 10, len(silhouette)), "silhouette": silhouette,
                         "calinski_harabasz": ch, "davies_bouldin": db},
                        index=pd.Index(range(2, 2 + len(silhouette)), name="k"))


def test_the_vote_takes_the_k_two_indices_prefer_and_says_they_disagree():
    from tierkit.clusters.selection import _apply_rule

    table = _indices([0.50, 0.45, 0.40], [100.0, 120, 90], [0.9, 0.8, 1.0])
    assert index_preferences(table) == {"silhouette": 2, "calinski_harabasz": 3, "davies_bouldin": 3}
    k, text = _apply_rule(table, index_preferences(table), "vote")
    assert k == 3 and text.startswith("two of three indices prefer k=3; the indices disagree")
    assert "silhouette prefers k=2 (0.500)" in text


def test_when_all_three_disagree_the_best_mean_rank_wins():
    from tierkit.clusters.selection import _apply_rule

    # ranks (1 = best): silhouette 1,2,3; CH 3,1,2; DB 2,3,1 -> means 2, 2, 2: a tie, the smaller k
    tie = _indices([0.5, 0.4, 0.3], [10.0, 30, 20], [0.8, 0.9, 0.7])
    k, text = _apply_rule(tie, index_preferences(tie), "vote")
    assert k == 2 and "the indices disagree, each prefers another k; best mean rank at k=2" in text
    # ranks: silhouette 2,1,3,4; CH 3,4,1,2; DB 4,2,3,1 -> means 3, 2.33, 2.33, 2.33... make k=3 clear:
    clear = _indices([0.40, 0.50, 0.30, 0.20], [20.0, 25, 30, 10], [0.9, 0.6, 0.8, 0.5])
    # silhouette prefers 3, CH prefers 4, DB prefers 5; mean ranks: k2 (2+3+4)/3=3, k3 (1+2+2)/3=1.67,
    # k4 (3+1+3)/3=2.33, k5 (4+4+1)/3=3
    k, _ = _apply_rule(clear, index_preferences(clear), "vote")
    assert k == 3


@pytest.fixture(scope="module")
def cdnow_features():
    return tk.rfm_features(tk.load_cdnow(), as_of="1998-06-30")


def test_on_cdnow_the_indices_agree_and_the_range_does_not_move_k(cdnow_features):
    """Issue 12: silhouette, Calinski-Harabasz and Davies-Bouldin all prefer k=2 on CDNOW; the knee rule
    moved from 4 to 5 when the range grew from 2-8 to 2-10. The vote is no longer the default (issue 21: k = 2
    tells a marketer little), so it is asked for by name here."""
    narrow = KMeansSegmenter(k_range=(2, 8), selection_rule="vote").fit(cdnow_features)
    wide = KMeansSegmenter(k_range=(2, 10), selection_rule="vote").fit(cdnow_features)
    assert narrow.k_ == wide.k_ == 2 and wide.k_rule_.startswith("all three indices prefer k=2")
    knee = [KMeansSegmenter(k_range=r, selection_rule="knee").fit(cdnow_features).k_ for r in ((2, 8), (2, 10))]
    assert knee[0] != knee[1]  # why the knee is not the default


@pytest.mark.parametrize("k", [3, 5, 8])
def test_every_cdnow_cluster_has_its_own_name_and_strategy(cdnow_features, k):
    seg = KMeansSegmenter(k=k).fit(cdnow_features)
    names = seg.names_
    assert len(set(names)) == k and not any(ch.isdigit() for n in names for ch in n)
    for lang in ("en", "zh"):
        assert len({cluster_strategy(n, lang) for n in names}) == k
        assert len({cluster_label(n, lang) for n in names}) == k
    # a cluster bringing in more than its share of revenue is never told to be left alone
    for name, row in seg.profiles_.set_index("cluster_name").iterrows():
        if row["revenue_share"] > row["share"]:
            assert cluster_strategy(name, "en").startswith(("Protect", "Invest", "Develop")), name


@pytest.mark.parametrize("k", [2, 3, 7])
def test_silhouette_from_distances_equals_scikit_learns(k):
    from sklearn.metrics import pairwise_distances, silhouette_score

    from tierkit.clusters.selection import silhouette_from_distances

    rng = np.random.default_rng(k)
    Z = rng.normal(size=(400, 3))
    labels = rng.integers(0, k, size=400)
    labels[:1] = k  # a cluster of one row: its silhouette is 0
    D = pairwise_distances(Z)
    reference = silhouette_score(D, labels, metric="precomputed")
    assert silhouette_from_distances(D, labels) == pytest.approx(reference, abs=1e-12)
    # select_k keeps the distances in float32 (half the memory traffic): still equal to 1e-6
    assert silhouette_from_distances(D.astype(np.float32), labels) == pytest.approx(reference, abs=1e-6)


def test_cli_clusters_speaks_chinese(capsys):
    code = main(["clusters", str(cdnow_path()), "--amount-col", "dollar_value", "--as-of", "1998-06-30",
                 "--k-range", "2-4", "--n-boot", "3", "--lang", "zh"])
    out = capsys.readouterr().out
    assert code == 0
    for chinese in ("23,570 位客户 (截至 1998-06-30)", "选择 k:", "轮廓系数", "k = 3: 可据以行动的最大 k",
                    "各指标投票: 三个指标都偏好 k=2", "可行动",
                    "次自助重抽样的稳定性", "经验规则: Jaccard < 0.6 解体", "聚类 (0 = 最有价值",
                    "最近刚购买·非常频繁·消费很高", "高度稳定"):
        assert chinese in out, chinese
    for english in ("customers as of", "choosing k", "all three indices", "rule of thumb", "highly stable", "prefers"):
        assert english not in out, english
