"""BG/NBD's unconditional E[X(t)] and P(X(t) = n) (FHL 2005, eqs. 9 and 8) against lifetimes and the R package BTYD."""

from collections import OrderedDict

import numpy as np
import pytest

from tierkit.clv import bgnbd
from tierkit.clv.bgnbd import expected_number_of_purchases_up_to_time, probability_of_n_purchases_up_to_time

PARAMS = (0.243, 4.414, 0.793, 2.426)


@pytest.fixture(scope="module")
def lifetimes_bgf():
    from lifetimes import BetaGeoFitter

    bgf = BetaGeoFitter()
    bgf.params_ = OrderedDict(zip(("r", "alpha", "a", "b"), PARAMS, strict=True))
    return bgf


def test_probability_of_n_purchases_matches_r_btyd():
    # BTYD's documentation: P(X(2) = 10) = 1.07869e-07, P(X(39) = 0) = 0.5737864, and the pmf at t = 30, n = 11..20
    assert probability_of_n_purchases_up_to_time(PARAMS, 2, 10) == pytest.approx(1.07869e-07, rel=1e-5)
    assert probability_of_n_purchases_up_to_time(PARAMS, 39, 0) == pytest.approx(0.5737864, rel=1e-6)
    expected = [0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638,
                0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260]
    np.testing.assert_allclose(probability_of_n_purchases_up_to_time(PARAMS, 30, np.arange(11, 21)), expected,
                               rtol=0, atol=5e-11)  # BTYD prints 10 decimals


def test_unconditional_functions_match_lifetimes(lifetimes_bgf):
    t = np.array([0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0, 500.0])
    np.testing.assert_allclose(expected_number_of_purchases_up_to_time(PARAMS, t),
                               lifetimes_bgf.expected_number_of_purchases_up_to_time(t), rtol=1e-10)
    for horizon in (0.5, 39.0, 200.0):
        theirs = [lifetimes_bgf.probability_of_n_purchases_up_to_time(horizon, n) for n in range(25)]
        np.testing.assert_allclose(probability_of_n_purchases_up_to_time(PARAMS, horizon, np.arange(25)), theirs,
                                   rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("horizon", [0.0, 1.0, 39.0, 104.0])
def test_pmf_sums_to_one_and_has_the_expected_mean(horizon):
    n = np.arange(20000)
    pmf = probability_of_n_purchases_up_to_time(PARAMS, horizon, n)
    assert np.all(pmf >= 0)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    mean = float(expected_number_of_purchases_up_to_time(PARAMS, horizon))
    assert n @ pmf == pytest.approx(mean, rel=1e-6, abs=1e-12)


def test_large_dropout_parameters_give_lifetimes_predictions_not_nan():
    """With a in the hundreds ``(1-z)^(a-1)`` underflows while its 2F1 overflows: nan before, lifetimes' figures now."""
    from lifetimes import BetaGeoFitter

    params = (0.8279, 6.9427, 483.698, 5691.254)
    bgf = BetaGeoFitter()
    bgf.params_ = OrderedDict(zip(("r", "alpha", "a", "b"), params, strict=True))
    x, t_x, T = np.array([13.0, 0.0, 60.0, 2.0]), np.array([98.0, 0.0, 690.0, 30.0]), np.array([514.0, 300, 700, 40])
    for horizon in (365.0, 3650.0):
        ours = bgnbd.expected_purchases(params, horizon, x, t_x, T)
        assert np.all(np.isfinite(ours))
        np.testing.assert_allclose(ours, bgf.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, T),
                                   rtol=1e-8)
    t = np.array([365.0, 3650.0, 36500.0])
    np.testing.assert_allclose(bgnbd.expected_number_of_purchases_up_to_time(params, t),
                               bgf.expected_number_of_purchases_up_to_time(t), rtol=1e-8)
