"""Issue 21, "clusters for action": names that never contradict the base, and a k chosen for use.

The names are checked against the base with pandas alone (ranks, means, medians), not with
the functions that made them; the choice of k against the figures the rule publishes and the
fitted clusters themselves (shares, centres, the stability diagnostic).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.clusters import KMeansSegmenter
from tierkit.clusters.naming import cluster_label, cluster_strategy
from tierkit.clusters.selection import (
    MIN_SEPARATION,
    MIN_SHARE,
    STABILITY_FLOOR,
    _apply_rule,
    describe_choice,
    index_preferences,
)
from tierkit.evaluation.stability import assess_stability
from tierkit.words import CLUSTER_BANDS, CLUSTER_COMPARATIVES

RFM = ("recency", "frequency", "monetary")


# --- bases ---------------------------------------------------------------------------------------------------

def _base(groups, seed=0):
    """Customers from ``(n, recency days, purchases, spend, spread)`` groups, lognormal around each value."""
    rng = np.random.default_rng(seed)
    frames = [pd.DataFrame({"recency": np.maximum(0.0, np.round(r * rng.lognormal(0, s, n))),
                            "frequency": np.maximum(1, np.round(f * rng.lognormal(0, s, n))),
                            "monetary": m * rng.lognormal(0, s, n)}) for n, r, f, m, s in groups]
    table = pd.concat(frames, ignore_index=True)
    table.index = pd.Index([f"c{i:05d}" for i in range(len(table))], name="customer_id")
    return table


GENERATED = {
    # everyone bought in the last month: recency words can only say who bought least recently *here*
    "all_recent": [(1500, 10, 3, 150, 0.6), (500, 20, 1, 40, 0.5)],
    # everyone bought 10-18 months ago
    "all_lapsed": [(1500, 420, 2, 80, 0.15), (500, 330, 6, 400, 0.15)],
    # 30 % active buyers, 70 % long-gone one-time buyers
    "two_groups": [(600, 10, 8, 500, 0.3), (1400, 400, 1, 30, 0.3)],
}


@pytest.fixture(scope="module")
def cdnow():
    return tk.rfm_features(tk.load_cdnow(), as_of="1998-06-30")


@pytest.fixture(scope="module")
def retail(retail_tx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tk.rfm_features(retail_tx, as_of="2011-12-10")


@pytest.fixture(scope="module")
def fitted_cdnow(cdnow):
    return KMeansSegmenter().fit(cdnow)


@pytest.fixture(scope="module")
def fitted_retail(retail):
    return KMeansSegmenter().fit(retail)


# --- names against the base, computed with pandas ----------------------------------------------------------

def positions(base: pd.Series, labels) -> pd.Series:
    """Per cluster: among pairs (cluster customer, base customer) that differ, the share where the first is higher."""
    below = base.rank(method="min") - 1            # base customers strictly below each customer
    above = len(base) - base.rank(method="max")    # ... strictly above
    higher, lower = below.groupby(labels).sum(), above.groupby(labels).sum()
    return (higher / (higher + lower)).fillna(0.5)


def expected_band(position, mean, median, base):
    """The documented rule, written again: band by position, a side word only when mean and median agree."""
    below = mean < base.mean() and median <= base.median()
    above = mean > base.mean() and median >= base.median()
    if position < 0.2 and below:
        return 0
    if position < 0.4 and below:
        return 1
    if position > 0.8 and above:
        return 4
    if position > 0.6 and above:
        return 3
    return 2


def assert_names_hold_against_the_base(seg, features):
    labels = pd.Series(seg.predict(features), index=features.index)
    profiles = seg.profiles_
    for j, feature in enumerate(RFM):
        base = features[feature].astype(float)
        where = positions(base, labels)
        means, medians = base.groupby(labels).mean(), base.groupby(labels).median()
        keys = [t.key for t in CLUSTER_BANDS[feature]]
        found = {}
        for c, name in enumerate(seg.names_):
            word = name.split("-")[j]
            b = found[c] = keys.index(word)
            what = f"cluster {c} {name!r} on {feature}: position {where[c]:.3f}, mean {means[c]:.2f} " \
                   f"(base {base.mean():.2f}), median {medians[c]:.2f} (base {base.median():.2f})"
            assert b == expected_band(where[c], means[c], medians[c], base), what
            # the plain reading: a low word is below the base, a high word above, by position, mean and median;
            # so the sign of the profile's "vs population" beside the name agrees with it
            if b < 2:
                assert where[c] < 0.4 and means[c] < base.mean() and medians[c] <= base.median(), what
                assert profiles.loc[c, f"{feature}_vs_population"] < 0, what
            if b > 2:
                assert where[c] > 0.6 and means[c] > base.mean() and medians[c] >= base.median(), what
                assert profiles.loc[c, f"{feature}_vs_population"] > 0, what
        # against the other clusters: a lower word never goes to a cluster that sits higher
        for a in found:
            for b in found:
                if found[a] < found[b]:
                    assert where[a] < where[b], (feature, seg.names_[a], seg.names_[b])
        # twins told apart by a comparative: the "higher" one sits higher
        higher, lower = (t.key for t in CLUSTER_COMPARATIVES[feature])
        for a, name_a in enumerate(seg.names_):
            for b, name_b in enumerate(seg.names_):
                shared = [w for w, v in zip(name_a.split("-"), name_b.split("-"), strict=False) if w == v]
                rest_a, rest_b = name_a.split("-")[len(shared):], name_b.split("-")[len(shared):]
                if rest_a[:1] == [higher] and rest_b[:1] == [lower]:
                    assert where[a] > where[b], (name_a, name_b)
    assert len(set(seg.names_)) == seg.k_


@pytest.mark.parametrize("k", [None, 2, 4, 8])
def test_cdnow_names_hold_against_the_base(cdnow, fitted_cdnow, k):
    assert_names_hold_against_the_base(fitted_cdnow if k is None else KMeansSegmenter(k=k).fit(cdnow), cdnow)


@pytest.mark.parametrize("k", [None, 2, 4, 8])
def test_online_retail_names_hold_against_the_base(retail, fitted_retail, k):
    assert_names_hold_against_the_base(fitted_retail if k is None else KMeansSegmenter(k=k).fit(retail), retail)


@pytest.mark.parametrize("kind", sorted(GENERATED))
@pytest.mark.parametrize("k", [None, 3])
def test_generated_names_hold_against_the_base(kind, k):
    features = _base(GENERATED[kind])
    assert_names_hold_against_the_base(KMeansSegmenter(k=k).fit(features), features)


def test_names_are_relative_to_the_base_not_the_calendar():
    """In a base where everyone bought within a month, the least recent cluster is still the least recent
    here; where everyone left a year ago, the most recent one is still the most recent here."""
    recent, lapsed = _base(GENERATED["all_recent"]), _base(GENERATED["all_lapsed"])
    for features in (recent, lapsed):
        seg = KMeansSegmenter(k=2).fit(features)
        words = [name.split("-")[0] for name in seg.names_]
        means = seg.profiles_["recency"].tolist()
        assert words[int(np.argmin(means))] in ("very_recent", "recent", "mid_recency")
        assert words[int(np.argmax(means))] in ("mid_recency", "lapsing", "lapsed")


def test_two_clear_groups_get_the_words_a_marketer_expects():
    features = _base(GENERATED["two_groups"])
    seg = KMeansSegmenter().fit(features)
    assert seg.k_ == 2  # nothing finer holds: a third cluster would cut a group in two
    assert seg.names_ == ["very_recent-very_frequent-very_high_spend", "lapsing-rare-low_spend"]
    assert seg.k_reason_["why"].startswith("largest k whose clusters can be acted on: k=2")


def test_online_retail_new_and_promising_customers_are_not_in_a_lapsing_cluster(retail, fitted_retail):
    """The finding: with k = 2, "New customers" (median recency 8 days) and "Promising" were all in
    "Lapsing · infrequent · low spend". Now each of them sits, mostly, in a cluster whose recency word
    is recent (or at worst middling), never lapsing or lapsed."""
    seg = tk.Segmentation(clusters=fitted_retail, lifecycle=False, rfm_classes=False, abc=False).fit(retail)
    table = seg.transform(retail)
    for segment in ("new", "promising"):
        where = table.loc[table["rfm_segment"] == segment, "cluster_name"]
        assert len(where) >= 30  # 32 new, 89 promising customers as of 2011-12-10
        home = where.value_counts().index[0]
        assert home.split("-")[0] in ("very_recent", "recent", "mid_recency"), (segment, home)
        assert not where.str.startswith(("lapsing", "lapsed")).mean() > 0.5, segment


def test_naming_evidence_is_kept_for_reports(fitted_retail, retail):
    evidence = fitted_retail.naming_
    assert list(evidence.columns) == ["cluster", "feature", "word", "position", "side", "mean", "base_mean",
                                      "median", "base_median"]
    assert len(evidence) == 3 * fitted_retail.k_
    assert evidence["base_mean"].groupby(evidence["feature"]).first().to_dict() == pytest.approx(
        retail[list(RFM)].mean().to_dict())
    assert fitted_retail.standards()["naming"] == evidence.to_dict("records")


# --- the k a marketer can act on ----------------------------------------------------------------------------

def assert_k_satisfies_the_rule(seg, features):
    table, reason = seg.selection_, seg.k_reason_
    k = seg.k_
    assert reason["rule"] == "action" and reason["chosen"] == k and reason["why"] == seg.k_rule_
    chosen = table.loc[k]
    assert chosen["action"] == "actionable"
    # on the sample: every cluster a segment, every pair apart on value or activity, every cluster stable
    assert chosen["smallest_share"] >= MIN_SHARE and chosen["separation"] >= MIN_SEPARATION
    assert chosen["least_jaccard"] >= STABILITY_FLOOR
    # on every customer (the clusters delivered), from the fitted model alone
    assert seg.profiles_["share"].min() >= MIN_SHARE
    centres = seg.centres()[list(RFM)].to_numpy()
    gaps = [np.abs(centres[a] - centres[b]).max() for a in range(k) for b in range(a + 1, k)]
    assert min(gaps) >= MIN_SEPARATION
    # every larger k fails a criterion, with the figure that fails it; k = 2 only when nothing more holds
    for larger in table.index[table.index > k]:
        row = table.loc[larger]
        # on the sample, or on every customer when the sample passed (a base larger than the sample)
        share = np.nanmin([row["smallest_share"], row.get("final_smallest_share", np.nan)])
        separation = np.nanmin([row["separation"], row.get("final_separation", np.nan)])
        fails = {"small cluster": share < MIN_SHARE, "too close": separation < MIN_SEPARATION,
                 "unstable": row["least_jaccard"] < STABILITY_FLOOR}
        assert fails.get(row["action"]), (larger, row.to_dict())
    # the smaller ks were not needed
    assert (table.loc[table.index < k, "action"].isin(["not checked", "small cluster", "too close"])).all()
    return table


def test_cdnow_k_is_chosen_for_action_not_by_the_vote(fitted_cdnow, cdnow):
    """CDNOW as of 1998-06-30: the three indices vote for k = 2; five clusters can be acted on (k = 6 leaves
    a cluster under 5 % of all customers, larger ks a smaller one on the sample)."""
    table = assert_k_satisfies_the_rule(fitted_cdnow, cdnow)
    assert fitted_cdnow.k_reason_["vote"] == 2 and fitted_cdnow.k_ > 2
    print("CDNOW", fitted_cdnow.k_rule_, table[["smallest_share", "separation", "least_jaccard", "action"]], sep="\n")
    # the diagnostic with 20 resamples agrees that no cluster dissolves
    assess_stability(fitted_cdnow, cdnow, n_boot=20)
    assert min(fitted_cdnow.stability_["jaccard"]) >= STABILITY_FLOOR


def test_online_retail_k_is_chosen_for_action_not_by_the_vote(fitted_retail, retail):
    table = assert_k_satisfies_the_rule(fitted_retail, retail)
    assert fitted_retail.k_reason_["vote"] == 2 and fitted_retail.k_ > 2
    print("Online Retail", fitted_retail.k_rule_, table[["smallest_share", "separation", "least_jaccard", "action"]],
          sep="\n")
    assess_stability(fitted_retail, retail, n_boot=20)
    assert min(fitted_retail.stability_["jaccard"]) >= STABILITY_FLOOR


def test_a_k_for_action_means_distinct_actions(fitted_cdnow, fitted_retail):
    for seg in (fitted_cdnow, fitted_retail):
        for lang in ("en", "zh"):
            assert len({cluster_strategy(n, lang) for n in seg.names_}) == seg.k_
            assert len({cluster_label(n, lang) for n in seg.names_}) == seg.k_


def test_k_reason_records_every_candidate(fitted_retail):
    reason = fitted_retail.k_reason_
    assert set(reason) == {"rule", "chosen", "vote", "why", "criteria", "candidates"}
    assert reason["criteria"] == {"min_share": MIN_SHARE, "min_separation": MIN_SEPARATION,
                                  "stability_floor": STABILITY_FLOOR, "n_boot": 3,
                                  "separation_on": ["recency", "frequency", "monetary"]}
    assert [c["k"] for c in reason["candidates"]] == list(range(2, 11))
    assert [c["k"] for c in reason["candidates"] if c["chosen"]] == [reason["chosen"]]
    assert fitted_retail.standards()["k_reason"] == reason
    import json

    assert json.loads(json.dumps(reason)) == reason  # plain values: JSON, MLflow, the report


def test_stability_is_measured_only_where_it_decides(fitted_cdnow, fitted_retail):
    """The bootstraps are the costly part: they run only for ks that pass the cheap criteria, from the
    largest down, and stop at the first k that passes."""
    for seg in (fitted_cdnow, fitted_retail):
        table = seg.selection_
        measured = table.index[table["least_jaccard"].notna()]
        assert measured.min() == seg.k_
        assert (table.loc[measured, "smallest_share"] >= MIN_SHARE).all()
        assert (table.loc[measured, "separation"] >= MIN_SEPARATION).all()


def test_the_choice_is_deterministic(retail, fitted_retail, tmp_path):
    again = KMeansSegmenter().fit(retail)
    assert again.k_reason_ == fitted_retail.k_reason_
    fitted_retail.transform(retail).to_csv(tmp_path / "a.csv")
    again.transform(retail).to_csv(tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_an_explicit_k_is_used_as_given(retail):
    seg = KMeansSegmenter(k=4).fit(retail)
    assert seg.k_ == 4 and seg.selection_ is None
    assert seg.k_reason_ == {"rule": "given", "chosen": 4, "why": "given: k=4"}


def _table(actions, shares, separations, jaccards):
    n = len(actions)
    table = pd.DataFrame({"inertia": np.linspace(100, 10, n), "silhouette": np.linspace(0.5, 0.3, n),
                          "calinski_harabasz": np.linspace(100, 60, n), "davies_bouldin": np.linspace(0.7, 1.0, n),
                          "smallest_share": shares, "separation": separations, "least_jaccard": jaccards,
                          "action": actions}, index=pd.Index(range(2, 2 + n), name="k"))
    table.attrs["criteria"] = {"min_share": 0.05, "min_separation": 0.5, "stability_floor": 0.75, "n_boot": 3}
    return table


def test_when_no_k_can_be_acted_on_the_vote_decides():
    table = _table(["unstable", "too close", "small cluster"], [0.3, 0.2, 0.01], [1.0, 0.3, 0.6],
                   [0.5, np.nan, np.nan])
    k, text = _apply_rule(table, index_preferences(table), "action")
    assert k == 2 and text.startswith(
        "no k from 2 to 4 has clusters to act on (k=2: least stable cluster's Jaccard 0.50 < 0.75, k=3: closest "
        "clusters 0.30 standard deviations apart < 0.5, k=4: smallest cluster 1% < 5%); the indices' vote decides: "
        "all three indices prefer k=2")


def test_the_rule_speaks_chinese():
    table = _table(["not checked", "actionable", "unstable"], [0.3, 0.2, 0.1], [1.0, 0.8, 0.6], [np.nan, 0.9, 0.6])
    text = describe_choice(table, "action", "zh")
    assert text.startswith("可据以行动的最大 k: k=3 (最小聚类占客户 20%, 不低于 5%;")
    assert "更大的 k 未通过: k=4: 最不稳定聚类的 Jaccard 0.60 < 0.75" in text
    assert "各指标投票: 三个指标都偏好 k=2" in text
    for english in ("largest", "cluster", "vote", "prefer", "stable"):
        assert english not in text
