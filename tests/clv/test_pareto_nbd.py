"""Pareto/NBD: the FHL (2005) CDNOW estimates, lifetimes' ParetoNBDFitter, weights, stability for heavy buyers."""

import json
from collections import OrderedDict

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import hyp2f1

from tierkit.clv import pareto_nbd
from tierkit.clv.bgnbd import distinct_rows

pytestmark = pytest.mark.filterwarnings("ignore:pkg_resources is deprecated")  # lifetimes.datasets

BTYD = (0.5534, 10.5802, 0.6061, 11.6562)  # the R package BTYD's CDNOW estimates
#: lifetimes' own overflow case: alpha far below beta, hundreds of purchases
OVERFLOW = (10.465, 7.98565181e-03, 3.0516, 2.820)


@pytest.fixture(scope="module")
def cdnow():
    from lifetimes.datasets import load_cdnow_summary

    d = load_cdnow_summary()
    return d["frequency"].to_numpy(float), d["recency"].to_numpy(float), d["T"].to_numpy(float)


@pytest.fixture(scope="module")
def fitted(cdnow):
    rows, weights, _ = distinct_rows(*cdnow)
    return pareto_nbd.fit_pareto_nbd(rows[:, 0], rows[:, 1], rows[:, 2], weights)


def _lifetimes(params):
    from lifetimes import ParetoNBDFitter

    pnf = ParetoNBDFitter()
    pnf.params_ = OrderedDict(zip(pareto_nbd.PARAMS, params, strict=True))
    return pnf


def test_reproduces_fader_hardie_lee_2005_note(fitted, cdnow):
    # "A note on implementing the Pareto/NBD model": r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL = -9595.0
    params, ll = fitted
    assert {k: round(params[k], 3) for k in ("r", "alpha", "s")} == {"r": 0.553, "alpha": 10.578, "s": 0.606}
    assert round(ll, 1) == -9595.0
    # the likelihood is flat along beta: the maximum sits at 11.6679, just above the published (rounded) point
    assert params["beta"] == pytest.approx(11.669, abs=0.0015)
    published = pareto_nbd.log_likelihood((0.553, 10.578, 0.606, 11.669), *cdnow).sum()
    assert published < ll < published + 1e-4


def test_agrees_with_lifetimes_fit_and_likelihood(fitted, cdnow):
    from lifetimes import ParetoNBDFitter

    x, t_x, T = cdnow
    np.random.seed(0)  # lifetimes draws its starting point
    pnf = ParetoNBDFitter().fit(x, t_x, T, tol=1e-10, maxiter=10000)
    params, ll = fitted
    np.testing.assert_allclose(list(params.values()), pnf.params_[list(pareto_nbd.PARAMS)], rtol=1e-4)
    for at in (tuple(params.values()), BTYD, (2.0, 3.0, 0.3, 40.0)):
        theirs = ParetoNBDFitter._conditional_log_likelihood(at, x, t_x, T)
        np.testing.assert_allclose(pareto_nbd.log_likelihood(at, x, t_x, T), theirs, rtol=1e-10, atol=1e-10)


def test_predictions_match_lifetimes_and_btyd(cdnow):
    x, t_x, T = cdnow
    pnf = _lifetimes(BTYD)
    np.testing.assert_allclose(pareto_nbd.p_alive(BTYD, x, t_x, T), pnf.conditional_probability_alive(x, t_x, T),
                               rtol=1e-10)
    for horizon in (1.0, 39.0, 104.0):
        theirs = pnf.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, T)
        np.testing.assert_allclose(pareto_nbd.expected_purchases(BTYD, horizon, x, t_x, T), theirs, rtol=1e-10)
    # the BTYD walkthrough (page 8): P(alive) = 0.9979 and 25.46 purchases in 52 weeks for x = 26, t_x = 30.86, T = 31
    assert pareto_nbd.p_alive(BTYD, 26, 30.86, 31) == pytest.approx(0.9979, abs=5e-5)
    assert pareto_nbd.expected_purchases(BTYD, 52, 26, 30.86, 31) == pytest.approx(25.46, abs=0.01)


def test_weighted_distinct_rows_fit_equals_the_fit_on_all_rows(fitted, cdnow):
    params, ll = pareto_nbd.fit_pareto_nbd(*cdnow)
    np.testing.assert_allclose(list(params.values()), list(fitted[0].values()), rtol=1e-6)
    assert ll == pytest.approx(fitted[1], rel=1e-9)


@pytest.mark.parametrize("params", [BTYD, OVERFLOW, (0.5, 50.0, 0.8, 0.01), (0.3, 0.002, 0.7, 30.0),
                                    # one rate far above the other and the period: the far-rate expansion
                                    (0.72, 65.9, 1e-4, 5e6), (0.72, 65.9, 0.02, 3e4), (5.0, 4e5, 0.6, 11.7),
                                    (0.3, 2e3, 0.7, 1.5)])
def test_integral_matches_numerical_quadrature(params):
    # ln of int_{t_x}^T (alpha+u)^-(r+x) (beta+u)^-(s+1) du against QUADPACK, the integrand scaled by its value at t_x
    r, alpha, s, beta = params
    cases = [(0, 0, 38), (2, 30.43, 38.86), (30, 5, 40), (300, 499, 500), (300, 100, 500), (500, 1, 37), (3000, 0.1, 1)]
    for x, t_x, T in cases:
        def scaled(u, x=x, t_x=t_x):
            return np.exp(-(r + x) * np.log((alpha + u) / (alpha + t_x)) - (s + 1) * np.log((beta + u) / (beta + t_x)))

        scale = -(r + x) * np.log(alpha + t_x) - (s + 1) * np.log(beta + t_x)
        # breakpoints where a heavy buyer's integrand falls off, right after t_x
        points = [t_x + f * (T - t_x) for f in (1e-6, 1e-4, 1e-2)]
        value, _ = quad(scaled, t_x, T, epsabs=0, epsrel=1e-13, limit=1000, points=points)
        ours = pareto_nbd._log_integral(params, np.float64(x), np.float64(t_x), np.float64(T))
        assert ours == pytest.approx(scale + np.log(value), rel=1e-12, abs=1e-11)


def test_series_matches_hyp2f1_where_that_is_accurate():
    rng = np.random.default_rng(0)
    c = 10 ** rng.uniform(-1, 2, 500) + 1
    c_minus_b = c * rng.uniform(0.05, 0.95, 500)
    z = rng.uniform(0, 0.6, 500)
    np.testing.assert_allclose(pareto_nbd._log_series(c_minus_b, c, z), np.log(hyp2f1(1, c_minus_b, c, z)), rtol=1e-12,
                               atol=1e-14)


def test_heavy_buyer_is_finite_and_sane():
    x, t_x, T = np.array([300.0, 300.0, 400.0]), np.array([499.0, 200.0, 5.0]), np.array([500.0, 500.0, 6.0])
    for params in (BTYD, OVERFLOW):
        ll = pareto_nbd.log_likelihood(params, x, t_x, T)
        alive = pareto_nbd.p_alive(params, x, t_x, T)
        expected = pareto_nbd.expected_purchases(params, 52.0, x, t_x, T)
        assert np.all(np.isfinite(ll)) and np.all(np.isfinite(expected))
        assert np.all((alive >= 0) & (alive <= 1))
        assert alive[0] > 0.99 and alive[1] < 1e-10
    # alive, buying at about (r + x) / (alpha + T) a week, dying at about s / (beta + T)
    expected = pareto_nbd.expected_purchases(BTYD, 52.0, 300.0, 499.0, 500.0)
    assert expected == pytest.approx(52 * 300.5534 / 510.5802, rel=0.05)
    assert 0 <= float(pareto_nbd.p_alive(BTYD, 3000.0, 400.0, 500.0)) < 1e-10


def test_finite_where_lifetimes_is_not():
    from lifetimes import ParetoNBDFitter

    # beta far below alpha, heavy buyers soon after the first purchase: scipy's 2F1 at z near 1 is nan in
    # lifetimes; ours agrees with quadrature there (test_integral_matches_numerical_quadrature)
    params = (0.5, 50.0, 0.8, 0.01)
    x, t_x, T = np.array([300.0, 3000.0]), np.array([0.1, 0.1]), np.array([1.0, 1.0])
    with np.errstate(invalid="ignore"):
        assert np.isnan(ParetoNBDFitter._conditional_log_likelihood(params, x, t_x, T)).all()
    assert np.isfinite(pareto_nbd.log_likelihood(params, x, t_x, T)).all()
    alive = pareto_nbd.p_alive(params, x, t_x, T)
    assert np.all((alive >= 0) & (alive <= 1))


def test_unconditional_functions_match_lifetimes():
    pnf = _lifetimes(BTYD)
    t = np.array([0.0, 1.0, 9.0, 39.0, 78.0, 500.0])
    np.testing.assert_allclose(pareto_nbd.expected_number_of_purchases_up_to_time(BTYD, t),
                               pnf.expected_number_of_purchases_up_to_time(t), rtol=1e-12)
    # s = 1 exactly: the limit r beta / alpha ln(1 + t/beta)
    at_one = (0.5, 10.0, 1.0, 12.0)
    assert pareto_nbd.expected_number_of_purchases_up_to_time(at_one, 39.0) == pytest.approx(
        0.5 * 12 / 10 * np.log1p(39 / 12), rel=1e-12)


@pytest.mark.parametrize("params", [BTYD, (0.3, 2.0, 2.0, 1.0)])
@pytest.mark.parametrize("horizon", [1.0, 39.0])
def test_pmf_sums_to_one_and_has_the_expected_mean(params, horizon):
    n = np.arange(400)
    pmf = pareto_nbd.probability_of_n_purchases_up_to_time(params, horizon, n)
    assert np.all(pmf >= 0)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-8)
    mean = float(pareto_nbd.expected_number_of_purchases_up_to_time(params, horizon))
    assert n @ pmf == pytest.approx(mean, rel=1e-6)


def test_pmf_matches_direct_integration_over_the_death_time():
    # P(X(t) = n) = NBD(n; t) S(t) + int_0^t NBD(n; tau) g(tau) d tau, g the Pareto (II) density of the death time
    r, alpha, s, beta = BTYD
    t = 39.0
    for n in (0, 1, 5, 20):
        def nbd(tau, n=n):
            return float(np.exp(pareto_nbd._nbd_log_pmf(r, alpha, tau, n)))

        died, _ = quad(lambda tau, nbd=nbd: nbd(tau) * s / beta * (beta / (beta + tau)) ** (s + 1), 0, t,
                       epsabs=0, epsrel=1e-12, limit=200)
        expected = nbd(t) * (beta / (beta + t)) ** s + died
        assert pareto_nbd.probability_of_n_purchases_up_to_time(BTYD, t, n) == pytest.approx(expected, rel=1e-9)


def test_data_without_an_interior_optimum_raise_model_error_naming_the_penalizer():
    from tierkit.errors import ModelError

    # Poisson counts, everyone buying to the end: rates without spread, nobody seen to die
    rng = np.random.default_rng(0)
    x, t_x, T = rng.poisson(10, 500).astype(float), np.full(500, 49.9), np.full(500, 50.0)
    with pytest.raises(ModelError, match="pareto_nbd_penalizer"):
        pareto_nbd.fit_pareto_nbd(x, t_x, T)


@pytest.mark.parametrize("params", [BTYD, (0.3, 40.0, 1.5, 5.0)])
def test_objective_on_pairs_matches_the_likelihood_and_its_gradient(cdnow, params):
    x, t_x, T = (np.concatenate([c, extra]) for c, extra in zip(cdnow, ([0., 40., 3.], [0., 38., 39.], [39., 39., 39.]),
                                                             strict=True))
    rows, weights, _ = distinct_rows(x, t_x, T)
    data = pareto_nbd._Data(*(rows[:, i] / (39.0 if i else 1.0) for i in range(3)), weights * 1.5)
    log_params = np.log(np.array(params) * [1.0, 1 / 39.0, 1.0, 1 / 39.0])
    penalizer = 0.01

    def direct(lp):  # the per-row likelihood, summed over every row
        ll = 1.5 * weights @ pareto_nbd.log_likelihood(np.exp(lp), rows[:, 0], rows[:, 1] / 39.0, rows[:, 2] / 39.0)
        return -ll / (1.5 * weights.sum()) + penalizer * np.sum(np.exp(lp) ** 2)

    value, grad = pareto_nbd._objective(log_params, data, penalizer)
    assert value == pytest.approx(direct(log_params), rel=1e-12)
    h = 1e-5
    numeric = [(direct(log_params + h * e) - direct(log_params - h * e)) / (2 * h) for e in np.eye(4)]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_both_ways_of_the_integral_agree_where_both_hold():
    # the far-rate expansion and the 2F1 series are two computations of one integral
    rng = np.random.default_rng(3)
    for _ in range(200):
        params = tuple(10 ** rng.uniform([-1, -1, -3, 2], [0.5, 1, 0, 3]))
        x = float(rng.choice([0, 1, 3, 20]))
        T = float(rng.uniform(1, 40))
        t_x = T * float(rng.uniform(0, 0.99)) if x else 0.0
        assert pareto_nbd._far_ratio(params, np.float64(x), np.float64(T)) <= 0.5
        far = pareto_nbd._log_integral_far(params, np.array([x]), np.array([t_x]), np.array([T]))[0]
        series = pareto_nbd._log_difference(pareto_nbd._log_tail(params, np.array([x]), np.array([t_x])),
                                            pareto_nbd._log_tail(params, np.array([x]), np.array([T])))[0]
        assert far == pytest.approx(series, rel=1e-11, abs=1e-11)


@pytest.mark.slow
def test_a_fit_that_learns_no_dropout_ends_and_agrees_with_lifetimes(retail_calibration):
    """Online Retail, calibration to 2011-08-31: nobody is seen to drop out, s -> 0 and beta -> infinity.

    The 2F1 series needed ever more terms on the way (a fit still running after 37 minutes); the
    far-rate expansion keeps each evaluation cheap. The fit runs in a child process so a hang fails
    the test instead of blocking the suite. lifetimes' ParetoNBDFitter (an independent
    implementation) finds the same r and alpha.
    """
    import subprocess
    import sys

    from lifetimes import ParetoNBDFitter

    f = retail_calibration
    cols = [f[c].to_numpy(dtype="float64") for c in ("frequency_btyd", "recency_btyd", "T")]
    code = ("import sys, json, numpy as np; from tierkit.clv.pareto_nbd import fit_pareto_nbd; "
            "x, t, T = (np.array(c) for c in json.load(sys.stdin)); "
            "print(json.dumps(fit_pareto_nbd(x, t, T)[0]))")
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps([c.tolist() for c in cols]),
                          capture_output=True, text=True, timeout=600, check=True)
    ours = json.loads(done.stdout)
    theirs = ParetoNBDFitter().fit(*cols).params_
    assert ours["r"] == pytest.approx(theirs["r"], rel=2e-3)
    assert ours["alpha"] == pytest.approx(theirs["alpha"], rel=2e-3)
    assert ours["s"] < 1e-3 and theirs["s"] < 1e-3  # the mean lifetime beta / s beyond any horizon
    assert ours["beta"] / ours["s"] > 1e5


def test_the_quadrature_agrees_with_the_series_where_both_hold():
    # the third way of the integral, for rows neither the expansion nor the series takes fast
    rng = np.random.default_rng(5)
    compared = 0
    for _ in range(600):
        params = tuple(10 ** rng.uniform([-2, -3, -3, -3], [1.5, 3, 3, 3]))
        x = float(rng.choice([0, 1, 2, 5, 30, 300]))
        T = float(rng.uniform(0.05, 1))
        t_x = T * float(rng.uniform(0, 0.999)) if x else 0.0
        rows = (np.array([x]), np.array([t_x]), np.array([T]))
        variation, width = pareto_nbd._log_variation(params, *rows)
        panels = max(1, np.ceil(variation[0] / pareto_nbd._PANEL_VARIATION),
                     np.ceil(width[0] / pareto_nbd._PANEL_WIDTH))
        near, far = sorted(params[1::2])
        if panels > pareto_nbd._MAX_PANELS or (far - near) / (far + t_x) > 0.999:  # where the series is cheap enough
            continue
        quadrature = pareto_nbd._log_integral_quadrature(params, *rows, int(panels))[0]
        series = pareto_nbd._log_difference(pareto_nbd._log_tail(params, rows[0], rows[1]),
                                            pareto_nbd._log_tail(params, rows[0], rows[2]))[0]
        assert quadrature == pytest.approx(series, rel=1e-11, abs=1e-11), (params, x, t_x, T)
        compared += 1
    assert compared > 300
