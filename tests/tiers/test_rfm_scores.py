import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from tierkit import RFMScorer, rfm_scores
from tierkit.errors import TierkitError


def ten_customers():
    # Recency 1..10 days, frequency 10..1, monetary 10..100: quintile edges (linear quantiles)
    # are 2.8, 4.6, 6.4, 8.2 for 1..10, so values 1-2, 3-4, 5-6, 7-8, 9-10 fall in bins 1..5.
    return pd.DataFrame({
        "recency": np.arange(1, 11, dtype=float),
        "frequency": np.arange(10, 0, -1),
        "monetary": np.arange(10, 101, 10, dtype=float),
    }, index=pd.Index([f"c{i}" for i in range(10)], name="customer_id"))


def test_hand_computed_quintile_scores_with_recency_reversed():
    out = RFMScorer().fit_transform(ten_customers())
    assert out["r_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert out["f_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert out["m_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert out["rfm_cell"].iloc[0] == "551"
    assert out["rfm_score"].iloc[0] == pytest.approx((5 + 5 + 1) / 3)


def test_learned_edges_are_the_quantiles():
    scorer = RFMScorer().fit(ten_customers())
    np.testing.assert_allclose(scorer.bin_edges_["recency"], [2.8, 4.6, 6.4, 8.2])


def test_heavy_ties_leave_empty_scores_not_arbitrary_splits():
    # 70% buy once: the 20/40/60% quantiles are all 1 and the 80% one is 2 + 0.2 * (3 - 2),
    # so one-time buyers all score 1, two purchases score 4, more score 5.
    f = pd.DataFrame({"recency": np.arange(10.0), "monetary": np.arange(10.0),
                      "frequency": [1, 1, 1, 1, 1, 1, 1, 2, 3, 7]})
    scorer = RFMScorer().fit(f)
    np.testing.assert_allclose(scorer.bin_edges_["frequency"], [1.0, 1.0, 1.0, 2.2])
    out = scorer.transform(f)
    assert out["f_score"].tolist() == [1, 1, 1, 1, 1, 1, 1, 4, 5, 5]


def test_equal_values_always_get_equal_scores(cdnow_features):
    out = RFMScorer().fit_transform(cdnow_features)
    per_value = out.groupby(cdnow_features["frequency"])["f_score"].nunique()
    assert (per_value == 1).all()
    per_value = out.groupby(cdnow_features["recency"])["r_score"].nunique()
    assert (per_value == 1).all()


def test_later_batch_outside_training_range_still_gets_scores():
    scorer = RFMScorer().fit(ten_customers())
    later = pd.DataFrame({"recency": [-5.0, 500.0], "frequency": [100, 0], "monetary": [1e6, -3.0]})
    out = scorer.transform(later)
    assert out["r_score"].tolist() == [5, 1]
    assert out["f_score"].tolist() == [5, 1]
    assert out["m_score"].tolist() == [5, 1]


def test_explicit_edges_and_bins_and_weights():
    scorer = RFMScorer(n_bins=3, edges={"recency": [3, 7]}, weights=(2, 1, 1)).fit(ten_customers())
    out = scorer.transform(ten_customers())
    # recency 1..3 -> R 3, 4..7 -> R 2, 8..10 -> R 1
    assert out["r_score"].tolist() == [3, 3, 3, 2, 2, 2, 2, 1, 1, 1]
    row = out.iloc[0]
    assert row.rfm_score == pytest.approx((2 * row.r_score + row.f_score + row.m_score) / 4)


def test_bad_parameters_name_the_parameter():
    with pytest.raises(TierkitError, match="n_bins=1"):
        RFMScorer(n_bins=1).fit(ten_customers())
    with pytest.raises(TierkitError, match=r"edges\['monetary'\]"):
        RFMScorer(edges={"monetary": [3, 1, 2, 4]}).fit(ten_customers())
    with pytest.raises(TierkitError, match="weights"):
        RFMScorer(weights=(0, 0, 0)).fit(ten_customers())


def test_estimator_contract():
    scorer = RFMScorer(n_bins=4)
    assert clone(scorer).get_params()["n_bins"] == 4
    with pytest.raises(NotFittedError):
        scorer.transform(ten_customers())
    with pytest.raises(TierkitError, match="missing feature column\\(s\\) 'monetary'"):
        scorer.fit(ten_customers().drop(columns="monetary"))


def test_one_shot_function_equals_estimator():
    pd.testing.assert_frame_equal(rfm_scores(ten_customers()), RFMScorer().fit_transform(ten_customers()))
