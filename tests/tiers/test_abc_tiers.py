import pandas as pd
import pytest

from tierkit.errors import TierkitError
from tierkit.tiers.abc_tiers import ABCClassifier


def twenty():
    # Contributions 100, 99, ..., 81: rank i has rank share i/20.
    return pd.DataFrame({"monetary": [100.0 - i for i in range(20)]},
                        index=pd.Index([f"c{i:02d}" for i in range(20)], name="customer_id"))


def test_course_tiers_at_the_rank_share_boundaries():
    out = ABCClassifier().fit_transform(twenty())["abc_tier"].tolist()
    # rank 1 -> 5% (high_end); ranks 2-4 -> <= 20% (important); 5-10 -> <= 50%; 11-20 small.
    assert out == ["high_end"] + ["important"] * 3 + ["ordinary"] * 6 + ["small"] * 10


def test_abc_20_30_50():
    out = ABCClassifier(scheme="abc").fit_transform(twenty())["abc_tier"].value_counts().to_dict()
    assert out == {"A": 4, "B": 6, "C": 10}


def test_pyramid_labels():
    out = ABCClassifier(scheme="pyramid").fit_transform(twenty())["abc_tier"].tolist()
    assert out[0] == "platinum" and out[-1] == "lead"


def test_ties_share_the_better_tier():
    f = pd.DataFrame({"monetary": [50.0, 50.0] + [1.0] * 18})
    out = ABCClassifier().fit_transform(f)["abc_tier"].tolist()
    assert out[:2] == ["high_end", "high_end"]  # both rank 1 (share 5%)


def test_negative_contribution_is_never_above_the_lowest_tier():
    f = pd.DataFrame({"monetary": [-10.0, 5.0, 4.0, 3.0]})
    clf = ABCClassifier(scheme="abc", cutoffs=[0.5, 0.75, 1.0]).fit(f)
    assert clf.transform(f)["abc_tier"].tolist() == ["C", "A", "A", "B"]
    assert clf.transform(pd.DataFrame({"monetary": [-1e9]}))["abc_tier"].tolist() == ["C"]


def test_profit_is_preferred_over_revenue():
    f = pd.DataFrame({"monetary": [100.0, 1.0], "profit": [-5.0, 1.0]})
    clf = ABCClassifier(scheme="abc", cutoffs=[0.5, 0.75, 1.0]).fit(f)
    assert clf.contribution_ == "profit"
    assert clf.transform(f)["abc_tier"].tolist() == ["C", "A"]


def test_cumulative_value_share_basis():
    # Values 50, 30, 10, 5, 5 of 100: share held by those above: 0, .5, .8, .9, .9
    f = pd.DataFrame({"monetary": [50.0, 30.0, 10.0, 5.0, 5.0]})
    out = ABCClassifier(scheme="abc", basis="value").fit_transform(f)["abc_tier"].tolist()
    # A while share above < 80%, B while < 95%, else C
    assert out == ["A", "A", "B", "B", "B"]


def test_thresholds_learned_at_fit_grade_a_later_batch_unchanged():
    clf = ABCClassifier().fit(twenty())
    assert clf.thresholds_["high_end"] == 100.0 and clf.thresholds_["important"] == 97.0
    later = pd.DataFrame({"monetary": [1000.0, 97.0, 96.99, 0.0]})
    assert clf.transform(later)["abc_tier"].tolist() == ["high_end", "important", "ordinary", "small"]


def test_bad_parameters():
    with pytest.raises(TierkitError, match="scheme='xyz'"):
        ABCClassifier(scheme="xyz").fit(twenty())
    with pytest.raises(TierkitError, match="cutoffs"):
        ABCClassifier(cutoffs=[0.5, 0.2, 0.9, 1.0]).fit(twenty())


def test_course_shares_on_cdnow(cdnow_features):
    counts = ABCClassifier().fit_transform(cdnow_features)["abc_tier"].value_counts()
    n = len(cdnow_features)
    # Rank-share tiers hold at most their share of customers (ties can only pull customers up).
    assert counts["high_end"] / n == pytest.approx(0.05, abs=0.002)
    assert counts["small"] / n <= 0.5 + 1e-9
