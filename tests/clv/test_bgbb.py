"""BG/BB: Fader, Hardie & Shang's (2010) donations numbers, lifetimes' BetaGeoBetaBinomFitter, weights, gradient."""

from collections import OrderedDict

import numpy as np
import pytest

from tierkit.clv import bgbb

pytestmark = pytest.mark.filterwarnings("ignore:pkg_resources is deprecated")  # lifetimes.datasets

PUBLISHED = (1.204, 0.750, 0.657, 2.783)


@pytest.fixture(scope="module")
def donations():
    from lifetimes.datasets import load_donations

    d = load_donations()
    return tuple(d[c].to_numpy(float) for c in ("frequency", "recency", "periods", "weights"))


@pytest.fixture(scope="module")
def fitted(donations):
    return bgbb.fit_bgbb(*donations)


@pytest.fixture(scope="module")
def lifetimes_fit(donations):
    from lifetimes import BetaGeoBetaBinomFitter

    return BetaGeoBetaBinomFitter().fit(*donations)


def _lifetimes(params):
    from lifetimes import BetaGeoBetaBinomFitter

    bbf = BetaGeoBetaBinomFitter()
    bbf.params_ = OrderedDict(zip(bgbb.PARAMS, params, strict=True))
    return bbf


def test_reproduces_fader_hardie_shang_2010(fitted, donations):
    params, ll = fitted
    # FHS 2010, Table 2 and the spreadsheet of Hardie's note 010
    assert {k: round(v, 3) for k, v in params.items()} == dict(zip(bgbb.PARAMS, PUBLISHED, strict=True))
    assert round(ll, 1) == -33225.6
    x, t_x, n, w = donations
    p = tuple(params.values())
    # in-sample fit: expected donors with 0 and with 6 repeat transactions (cells C18 and C24)
    np.testing.assert_allclose(bgbb.probability_of_n_purchases_up_to_time(p, 6, [0, 6]) * w.sum(),
                               [3454.9, 1253.1], atol=0.05)
    # conditional expectations, 2002-2006, summed over donors ("Exp Tot")
    assert w @ bgbb.expected_purchases(p, 5, x, t_x, n) == pytest.approx(12884.2, abs=0.05)
    # Table 6: P(alive in 2002) for 0 repeat donations, 2 with the last in 1999, all 6
    alive = bgbb.p_alive(p, [0, 2, 6], [0, 4, 6], [6, 6, 6], m=1)
    np.testing.assert_allclose(alive, [0.11, 0.59, 0.93], atol=0.005)


def test_agrees_with_lifetimes_fit_and_likelihood(fitted, lifetimes_fit, donations):
    from lifetimes import BetaGeoBetaBinomFitter

    params, ll = fitted
    np.testing.assert_allclose(list(params.values()), lifetimes_fit.params_[list(bgbb.PARAMS)], rtol=1e-4)
    x, t_x, n, w = donations
    theirs = BetaGeoBetaBinomFitter._loglikelihood(list(params.values()), x.astype(int), t_x.astype(int), n.astype(int))
    np.testing.assert_allclose(bgbb.log_likelihood(tuple(params.values()), x, t_x, n), theirs, rtol=1e-12)


@pytest.mark.parametrize("params", [PUBLISHED, (0.5, 3.0, 1.5, 0.8)])
def test_predictions_match_lifetimes_for_given_params(params):
    bbf = _lifetimes(params)
    # every (x, t_x) pattern of 10 opportunities
    t_x = np.array([t for t in range(11) for _ in range(max(t, 1))], float)
    x = np.array([k for t in range(11) for k in (range(1, t + 1) if t else [0])], float)
    n = np.full_like(x, 10.0)
    for m in (0, 1, 5):
        # lifetimes adds 1e-15 to the sum of the died terms: a relative 1e-10 where that sum is small
        theirs = bbf.conditional_probability_alive(m, x, t_x, n)
        np.testing.assert_allclose(bgbb.p_alive(params, x, t_x, n, m=m), theirs, rtol=1e-8)
    for horizon in (1, 5, 30):
        theirs = bbf.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, n)
        np.testing.assert_allclose(bgbb.expected_purchases(params, horizon, x, t_x, n), theirs, rtol=1e-8)


def test_weighted_distinct_rows_fit_equals_the_fit_on_all_rows(fitted, donations):
    x, t_x, n, w = donations
    counts = w.astype(int)
    params, ll = bgbb.fit_bgbb(np.repeat(x, counts), np.repeat(t_x, counts), np.repeat(n, counts))
    np.testing.assert_allclose(list(params.values()), list(fitted[0].values()), rtol=1e-6)
    assert ll == pytest.approx(fitted[1], rel=1e-9)


def test_analytic_gradient_matches_finite_differences(donations):
    x, t_x, n, w = donations
    # the donations rows and some of 30 opportunities
    x = np.concatenate([x, [0, 3, 10, 25]])
    t_x = np.concatenate([t_x, [0, 20, 12, 29]])
    n = np.concatenate([n, [30, 30, 30, 30]])
    data = bgbb._Data(x, t_x, n, np.concatenate([w, [5, 1, 2, 1]]))
    for log_params in (np.log(PUBLISHED), np.log([0.3, 4.0, 2.0, 0.5])):
        _, grad = bgbb._objective(log_params, data, 0.01)
        h = 1e-6
        numeric = [(bgbb._objective(log_params + h * e, data, 0.01)[0]
                    - bgbb._objective(log_params - h * e, data, 0.01)[0]) / (2 * h) for e in np.eye(4)]
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_heavy_buyer_is_finite_and_sane():
    x, t_x, n = np.array([300.0, 300.0, 0.0]), np.array([499.0, 300.0, 0.0]), np.array([500.0, 500.0, 500.0])
    ll = bgbb.log_likelihood(PUBLISHED, x, t_x, n)
    alive = bgbb.p_alive(PUBLISHED, x, t_x, n)
    expected = bgbb.expected_purchases(PUBLISHED, 52, x, t_x, n)
    assert np.all(np.isfinite(ll)) and np.all(np.isfinite(expected))
    # gone after 200 silent opportunities; a never-giver may merely have a tiny p
    assert 0.99 < alive[0] <= 1 and 0 <= alive[1] < 1e-10 and 0 <= alive[2] < 1e-3
    # alive and giving at 300 of 500 opportunities: about 0.6 of the next 52, less what dies meanwhile
    assert 0.5 * 52 < expected[0] < 0.61 * 52
    assert 0 <= expected[1] < 1e-8


def test_unconditional_functions_match_lifetimes(fitted, lifetimes_fit, donations):
    params = tuple(fitted[0].values())
    lifetimes_fit.params_ = OrderedDict(fitted[0])
    theirs = lifetimes_fit.expected_number_of_transactions_in_first_n_periods(6)["model"] / donations[3].sum()
    ours = bgbb.probability_of_n_purchases_up_to_time(params, 6, theirs.index.to_numpy())
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


@pytest.mark.parametrize("horizon", [0, 1, 6, 50])
def test_pmf_sums_to_one_and_has_the_expected_mean(horizon):
    n = np.arange(horizon + 3)
    pmf = bgbb.probability_of_n_purchases_up_to_time(PUBLISHED, horizon, n)
    assert np.all(pmf >= 0) and np.all(pmf[horizon + 1:] == 0)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    mean = float(bgbb.expected_number_of_purchases_up_to_time(PUBLISHED, horizon))
    assert n @ pmf == pytest.approx(mean, rel=1e-10, abs=1e-14)
