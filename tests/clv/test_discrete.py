"""BGBBModel: the donations numbers of Fader, Hardie & Shang (2010) and lifetimes' BetaGeoBetaBinomFitter."""

import numpy as np
import pytest

from tierkit.clv import BGBBModel
from tierkit.errors import DataError, TierkitError

pytestmark = pytest.mark.filterwarnings("ignore:pkg_resources is deprecated")  # lifetimes.datasets


@pytest.fixture(scope="module")
def donations():
    from lifetimes.datasets import load_donations

    return load_donations()


@pytest.fixture(scope="module")
def model(donations):
    d = donations
    return BGBBModel().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])


def test_reproduces_the_published_donations_parameters(model):
    # FHS 2010, Table 2: alpha 1.204, beta 0.750, gamma 0.657, delta 2.783; LL -33,225.6
    assert {k: round(v, 3) for k, v in model.params_.items()} == {
        "alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    assert round(model.log_likelihood_, 1) == -33225.6 and model.n_customers_ == 11104


def test_predictions_are_the_published_ones_and_lifetimes(model, donations):
    from lifetimes import BetaGeoBetaBinomFitter

    d = donations
    out = model.predict(d["frequency"], d["recency"], d["periods"], n_ahead=5)
    # FHS 2010: 12,884.2 repeat donations expected over 2002-2006 from the 11,104 donors
    assert float(d["weights"] @ out["expected_transactions"]) == pytest.approx(12884.2, abs=1.0)
    # Table 6: P(alive in 2002) 0.11 (no repeat donation), 0.59 (2, the last in 1999), 0.93 (all six)
    np.testing.assert_allclose(model.predict([0, 2, 6], [0, 4, 6], [6, 6, 6])["p_alive"], [0.11, 0.59, 0.93],
                               atol=0.005)
    theirs = BetaGeoBetaBinomFitter().fit(d["frequency"], d["recency"], d["periods"], d["weights"])
    np.testing.assert_allclose(list(model.params_.values()),
                               theirs.params_[["alpha", "beta", "gamma", "delta"]], rtol=1e-4)
    np.testing.assert_allclose(
        out["expected_transactions"],
        theirs.conditional_expected_number_of_purchases_up_to_time(5, d["frequency"], d["recency"], d["periods"]),
        rtol=1e-3)


def test_impossible_histories_and_options_are_one_line_errors(model):
    with pytest.raises(DataError, match=r"^BGBBModel: x, t_x, n: expected whole numbers"):
        BGBBModel().fit([2], [1], [6])  # two transactions by opportunity 1
    with pytest.raises(DataError, match=r"^BGBBModel: x, t_x, n: expected whole numbers"):
        model.predict([1.5], [3], [6])
    with pytest.raises(TierkitError, match=r"^BGBBModel: penalizer=-1; expected a number >= 0$"):
        BGBBModel(penalizer=-1).fit([0, 1], [0, 1], [6, 6])
    with pytest.raises(TierkitError, match=r"^BGBBModel: n_ahead=0; expected a whole number >= 1$"):
        model.predict([1], [3], [6], n_ahead=0)
