"""MBG/NBD: BTYDplus' CDNOW estimates, lifetimes' ModifiedBetaGeoFitter, weights, gradient, heavy buyers."""

from collections import OrderedDict

import numpy as np
import pytest

from tierkit.clv import mbgnbd
from tierkit.clv.bgnbd import distinct_rows

pytestmark = pytest.mark.filterwarnings("ignore:pkg_resources is deprecated")  # lifetimes.datasets


@pytest.fixture(scope="module")
def cdnow():
    from lifetimes.datasets import load_cdnow_summary

    d = load_cdnow_summary()
    return d["frequency"].to_numpy(float), d["recency"].to_numpy(float), d["T"].to_numpy(float)


@pytest.fixture(scope="module")
def fitted(cdnow):
    return mbgnbd.fit_mbgnbd(*cdnow)


def _lifetimes(params):
    from lifetimes import ModifiedBetaGeoFitter

    mbgf = ModifiedBetaGeoFitter()
    mbgf.params_ = OrderedDict(zip(mbgnbd.PARAMS, params, strict=True))
    return mbgf


def test_reproduces_btydplus_on_cdnow(fitted, cdnow):
    # BTYDplus (mbgcnbd with k = 1) on the CDNOW sample, as quoted in lifetimes' tests
    params, ll = fitted
    assert {k: round(v, 3) for k, v in params.items()} == {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
    assert ll == pytest.approx(mbgnbd.log_likelihood(tuple(params.values()), *cdnow).sum(), rel=1e-12)
    # a better fit than BG/NBD's -9582.4: one-time buyers may be gone
    assert ll > -9582.4


def test_agrees_with_lifetimes_fit_and_likelihood(fitted, cdnow):
    from lifetimes import ModifiedBetaGeoFitter

    x, t_x, T = cdnow
    mbgf = ModifiedBetaGeoFitter().fit(x, t_x, T)
    params, ll = fitted
    np.testing.assert_allclose(list(params.values()), mbgf.params_[list(mbgnbd.PARAMS)], rtol=1e-4)
    # lifetimes' objective is the mean negative log-likelihood; it holds for unscaled time as well
    log_params = np.log(list(params.values()))
    theirs = ModifiedBetaGeoFitter._negative_log_likelihood(log_params, x, t_x, T, np.ones_like(x), 0)
    assert ll == pytest.approx(-theirs * len(x), rel=1e-12)


def test_predictions_match_lifetimes_for_given_params(cdnow):
    x, t_x, T = cdnow
    params = (0.525, 6.183, 0.891, 1.614)
    mbgf = _lifetimes(params)
    np.testing.assert_allclose(mbgnbd.p_alive(params, x, t_x, T), mbgf.conditional_probability_alive(x, t_x, T),
                               rtol=1e-10)
    for horizon in (1.0, 39.0, 104.0):
        np.testing.assert_allclose(mbgnbd.expected_purchases(params, horizon, x, t_x, T),
                                   mbgf.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, T),
                                   rtol=1e-8)
    # one-time buyers are not certainly alive (BG/NBD would say 1)
    assert mbgnbd.p_alive(params, 0.0, 0.0, 38.86) < 1


def test_weighted_distinct_rows_fit_equals_the_fit_on_all_rows(fitted, cdnow):
    rows, weights, _ = distinct_rows(*cdnow)
    assert len(rows) < len(cdnow[0])
    params, ll = mbgnbd.fit_mbgnbd(rows[:, 0], rows[:, 1], rows[:, 2], weights)
    np.testing.assert_allclose(list(params.values()), list(fitted[0].values()), rtol=1e-6)
    assert ll == pytest.approx(fitted[1], rel=1e-9)


def test_analytic_gradient_matches_finite_differences(cdnow):
    x, t_x, T = cdnow
    rows, weights, _ = distinct_rows(x, t_x / T.max(), T / T.max())
    data = mbgnbd._Data(rows[:, 0], rows[:, 1], rows[:, 2], weights)
    for log_params in (np.log([0.5, 0.15, 0.9, 1.6]), np.log([2.0, 0.05, 0.3, 5.0])):
        _, grad = mbgnbd._objective(log_params, data, 0.01)
        h = 1e-6
        numeric = [(mbgnbd._objective(log_params + h * e, data, 0.01)[0]
                    - mbgnbd._objective(log_params - h * e, data, 0.01)[0]) / (2 * h) for e in np.eye(4)]
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_heavy_buyer_is_finite_and_sane():
    params = (0.525, 6.183, 0.891, 1.614)
    x, t_x, T = np.array([300.0, 300.0]), np.array([499.0, 200.0]), np.array([500.0, 500.0])
    alive = mbgnbd.p_alive(params, x, t_x, T)
    expected = mbgnbd.expected_purchases(params, 52.0, x, t_x, T)
    assert np.all(np.isfinite(mbgnbd.log_likelihood(params, x, t_x, T)))
    assert 0.99 < alive[0] <= 1 and 0 <= alive[1] < 1e-10
    # an active customer keeps buying at about (r + x) / (alpha + T) per week
    assert expected[0] == pytest.approx(52 * 300.525 / 506.183, rel=0.05)
    assert 0 <= expected[1] < 1e-8


def test_unconditional_functions_match_lifetimes():
    params = (0.525, 6.183, 0.891, 1.614)
    mbgf = _lifetimes(params)
    t = np.array([0.1429, 1.0, 3.0, 39.0, 78.0, 500.0])
    np.testing.assert_allclose(mbgnbd.expected_number_of_purchases_up_to_time(params, t),
                               mbgf.expected_number_of_purchases_up_to_time(t), rtol=1e-10)
    for horizon in (0.5, 39.0, 200.0):
        theirs = [mbgf.probability_of_n_purchases_up_to_time(horizon, n) for n in range(25)]
        np.testing.assert_allclose(mbgnbd.probability_of_n_purchases_up_to_time(params, horizon, np.arange(25)),
                                   theirs, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("horizon", [0.0, 1.0, 39.0, 104.0])
def test_pmf_sums_to_one_and_has_the_expected_mean(horizon):
    params = (0.525, 6.183, 0.891, 1.614)
    n = np.arange(20000)
    pmf = mbgnbd.probability_of_n_purchases_up_to_time(params, horizon, n)
    assert np.all(pmf >= 0)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    mean = float(mbgnbd.expected_number_of_purchases_up_to_time(params, horizon))
    assert n @ pmf == pytest.approx(mean, rel=1e-6, abs=1e-12)


def test_data_without_an_interior_optimum_raise_model_error_naming_the_penalizer():
    from tierkit.errors import ModelError

    # Poisson counts, everyone buying to the end: rates without spread, nobody seen to die
    rng = np.random.default_rng(0)
    x, t_x, T = rng.poisson(10, 500).astype(float), np.full(500, 49.9), np.full(500, 50.0)
    with pytest.raises(ModelError, match="mbgnbd_penalizer"):
        mbgnbd.fit_mbgnbd(x, t_x, T)


def test_large_dropout_parameters_give_lifetimes_predictions_not_nan():
    """A base that barely lapses fits a in the hundreds (a = 484, b = 5691 on two years of generated retail).

    Euler's spelling of the conditional expectation, ``(1-z)^(a-1) 2F1(a+b-r, a-1; ...)``, is
    0 x inf there, and every customer's CLV was nan: the CLV step was left out ("non-finite
    prediction"). lifetimes' own spelling, ``(1-z)^(r+x) 2F1(r+x, b+x+1; ...)``, is the reference.
    """
    params = (0.8279, 6.9427, 483.698, 5691.254)
    mbgf = _lifetimes(params)
    x, t_x, T = np.array([13.0, 0.0, 60.0, 2.0]), np.array([98.0, 0.0, 690.0, 30.0]), np.array([514.0, 300, 700, 40])
    for horizon in (365.0, 1825.0, 3650.0):
        ours = mbgnbd.expected_purchases(params, horizon, x, t_x, T)
        assert np.all(np.isfinite(ours))
        np.testing.assert_allclose(ours, mbgf.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, T),
                                   rtol=1e-8)
    t = np.array([365.0, 3650.0, 36500.0])
    np.testing.assert_allclose(mbgnbd.expected_number_of_purchases_up_to_time(params, t),
                               mbgf.expected_number_of_purchases_up_to_time(t), rtol=1e-8)
