"""Predictive intervals: means against the models' expectations, exact laws, calibration, determinism, CDNOW.

Coverage of an interval of a count is not one number: ``[low, high]`` inclusive holds *at
least* its level (ties at the ends), so it is reported; calibration is asserted on the
randomised PIT (:func:`tierkit.clv.predictive.randomized_pit`), which is uniform for a correct
model, counts or not -- the definition :mod:`tierkit.clv.predictive` documents.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import tierkit as tk
from tierkit.clv import bgnbd, mbgnbd, pareto_nbd
from tierkit.clv import predictive as pr
from tierkit.clv.family import fit_customers
from tierkit.clv.gamma_gamma import expected_spend, fit_gamma_gamma

#: CDNOW estimates in weeks (BG/NBD: FHL 2005; MBG/NBD: BTYDplus; Pareto/NBD: FHL 2005), Gamma-Gamma (FHL).
PARAMS = {
    "bgnbd": (0.243, 4.414, 0.793, 2.426),
    "mbgnbd": (0.525, 6.183, 0.891, 1.614),
    "pareto_nbd": (0.553, 10.578, 0.606, 11.669),
}
MODULES = {"bgnbd": bgnbd, "mbgnbd": mbgnbd, "pareto_nbd": pareto_nbd}
GG = (6.25, 3.74, 15.44)
#: Customers of several kinds: one-time buyers, an old and a recent last purchase, a frequent buyer.
X = np.array([0.0, 0.0, 1.0, 2.0, 5.0, 3.0, 40.0])
T_X = np.array([0.0, 0.0, 10.0, 30.43, 35.0, 5.0, 38.0])
T = np.array([38.86, 30.0, 38.0, 38.86, 38.86, 38.0, 39.0])
M = np.array([0.0, 0.0, 15.0, 22.35, 40.0, 10.0, 30.0])
ENDS = np.array([10.0, 26.0, 39.0, 52.0])


def coverage(pit, level=0.9):
    """Share of PIT values in the central ``level`` range."""
    return float(np.mean(np.abs(pit - 0.5) <= level / 2))


def population(model, params, gg, n, seed, calibration=39.0, spread=12.0, holdout=39.0):
    """Customers simulated from the model in continuous time: ``x, t_x, T, m`` and holdout purchases and spend.

    First purchases are spread over ``spread`` weeks before ``calibration - spread``; each
    customer is followed to the calibration end (age ``T``) and over ``holdout`` weeks after it.
    """
    rng = np.random.default_rng(seed)
    T = calibration - rng.uniform(0, spread, n)
    rate = rng.gamma(params[0], 1 / params[1], n)
    end = T + holdout
    if model == "pareto_nbd":
        life = rng.exponential(1.0, n) / rng.gamma(params[2], 1 / params[3], n)
        allowed = np.full(n, np.inf)
    else:
        p = rng.beta(params[2], params[3], n)
        with np.errstate(divide="ignore", over="ignore"):
            chances = np.floor(rng.exponential(1.0, n) / np.maximum(-np.log1p(-p), np.finfo(float).tiny)) + 1
        # BG/NBD: a dropout after each repeat purchase; MBG/NBD: at time 0 too, one repeat purchase fewer
        allowed = chances if model == "bgnbd" else chances - 1
        life = np.full(n, np.inf)
    total = rng.poisson(rate * end)
    customer = np.repeat(np.arange(n), total)
    times = rng.uniform(0, end[customer])
    order = np.lexsort((times, customer))
    customer, times = customer[order], times[order]
    rank = np.arange(len(times)) - np.repeat(np.cumsum(total) - total, total)
    made = (rank < allowed[customer]) & (times <= life[customer])
    before = made & (times <= T[customer])
    after = made & (times > T[customer])
    x = np.bincount(customer[before], minlength=n).astype(float)
    t_x = np.zeros(n)
    np.maximum.at(t_x, customer[before], times[before])
    k = np.bincount(customer[after], minlength=n)
    p_spend, q, v = gg
    nu = rng.gamma(q, 1 / v, n)
    m = np.where(x > 0, rng.standard_gamma(p_spend * x) / nu / np.maximum(x, 1), 0.0)
    spend = rng.standard_gamma(p_spend * k) / nu
    return x, t_x, T, m, k.astype(float), spend


# (a) the simulated means are the models' expectations


@pytest.mark.parametrize("model", list(PARAMS))
@pytest.mark.parametrize("path", ["scatter", "binomial", "small_chunks"])
def test_mean_purchases_match_expected_purchases(model, path, monkeypatch):
    if path == "binomial":  # every entry split between the steps by binomial draws
        monkeypatch.setattr(pr, "MAX_SCATTER", 0)
    elif path == "small_chunks":  # a chunk per row and blocks of few purchases
        monkeypatch.setattr(pr, "CHUNK_VALUES", 64)
    n = 20000
    counts = pr.simulate_purchases(model, PARAMS[model], X, T_X, T, ENDS, n_draws=n, seed=1)
    expected = np.stack([MODULES[model].expected_purchases(PARAMS[model], e, X, T_X, T) for e in ENDS], axis=1)
    z = (counts.mean(axis=1) - expected) / (counts.std(axis=1) / np.sqrt(n))
    assert np.all(np.abs(z) < 4.5), z.round(2)
    assert np.all(np.diff(counts, axis=2) >= 0)


@pytest.mark.parametrize("model", list(PARAMS))
def test_predictive_means_match_the_models_expectations_and_clv(model):
    params, n = PARAMS[model], 20000
    ends = 52 * np.arange(1, 13) / 12
    discount = 1.1 ** (-ends * 7 / 365.25)
    out = pr.predictive_intervals(model, params, GG, X, T_X, T, M, ends, discount, margin=0.3, n_draws=n, seed=2)
    module = MODULES[model]
    cumulative = np.stack([module.expected_purchases(params, e, X, T_X, T) for e in ends], axis=1)
    expected = cumulative[:, -1]
    clv = 0.3 * expected_spend(GG, X, M) * (np.diff(cumulative, axis=1, prepend=0.0) @ discount)
    # standard errors from an independent set of draws (the same law)
    counts = pr.simulate_purchases(model, params, X, T_X, T, ends, n_draws=n, seed=3)
    total = counts[:, :, -1]
    value = pr.simulate_spend(GG, X, M, total, seed=4)
    steps = np.diff(counts, axis=2, prepend=0) @ discount
    draws = 0.3 * np.divide(value, total, out=np.zeros(value.shape), where=total > 0) * steps
    z_purchases = (out["purchases_mean"] - expected) / (total.std(axis=1) / np.sqrt(n))
    z_clv = (out["clv_mean"] - clv) / (draws.std(axis=1) / np.sqrt(n))
    assert np.all(np.abs(z_purchases) < 4.5), z_purchases.round(2).tolist()
    assert np.all(np.abs(z_clv) < 4.5), z_clv.round(2).tolist()
    # the independent draws' CLV has the model's mean as well
    assert np.all(np.abs(draws.mean(axis=1) - clv) < 4.5 * draws.std(axis=1) / np.sqrt(n))
    assert np.all(out["purchases_low"] <= out["purchases_high"]) and np.all(out["clv_low"] <= out["clv_high"])


# (b) laws known in closed form


@pytest.mark.parametrize("model", list(PARAMS))
def test_without_dropout_the_count_is_negative_binomial(model):
    # BG/NBD and MBG/NBD with a -> 0, Pareto/NBD with s -> 0: alive for ever, lambda ~ Gamma(r + x, alpha + T),
    # so the purchases in the next t are NB(r + x, (alpha + T) / (alpha + T + t)) -- at every end
    r, alpha = 1.0, 5.0
    params = (r, alpha, 1e-12, 2.5) if model != "pareto_nbd" else (r, alpha, 1e-12, 10.0)
    x, t_x, T_ = 4.0, 20.0, 30.0
    n = 40000
    counts = pr.simulate_purchases(model, params, [x], [t_x], [T_], ENDS, n_draws=n, seed=5)[0]
    grid = np.arange(0, 60)
    for j, end in enumerate(ENDS):
        law = stats.nbinom(r + x, (alpha + T_) / (alpha + T_ + end))
        ecdf = (counts[:, j][:, None] <= grid).mean(axis=0)
        se = np.sqrt(law.cdf(grid) * law.sf(grid) / n)
        assert np.all(np.abs(ecdf - law.cdf(grid)) <= 4.5 * se + 1e-9), end
    # the interval ends over 39 weeks are the law's quantiles, 1 and 12: its CDF is 0.0097 or more away
    # from 0.05 and 0.95 at every count, 9 Monte-Carlo standard errors
    law = stats.nbinom(r + x, (alpha + T_) / (alpha + T_ + 39.0))
    assert np.min(np.abs(law.cdf(grid) - 0.05)) > 0.009 and np.min(np.abs(law.cdf(grid) - 0.95)) > 0.009
    out = pr.predictive_intervals(model, params, GG, [x], [t_x], [T_], [20.0], [13.0, 26.0, 39.0], n_draws=n,
                                  seed=6)
    assert (out.loc[0, "purchases_low"], out.loc[0, "purchases_high"]) == (law.ppf(0.05), law.ppf(0.95)) == (1, 12)


def test_spend_of_k_purchases_is_beta_prime_and_gamma_for_a_known_rate():
    p, q, v = GG
    x, m, k, n = 2.0, 22.35, 3, 20000
    spend = pr.simulate_spend(GG, [x], [m], np.full((1, n), k), seed=7)[0]
    # nu ~ Gamma(q + p x, v + x m), S | nu ~ Gamma(k p, nu): S / (v + x m) ~ BetaPrime(k p, q + p x)
    law = stats.betaprime(k * p, q + p * x, scale=v + x * m)
    assert stats.kstest(spend, law.cdf).pvalue > 0.001
    # a rate known almost exactly (q, v -> infinity, q / v = 0.2): Gamma(k p, scale 1 / 0.2)
    spend = pr.simulate_spend((p, 1e9, 5e9), [0.0], [0.0], np.full((1, n), k), seed=8)[0]
    assert stats.kstest(spend, stats.gamma(k * p, scale=5.0).cdf).pvalue > 0.001
    # no purchases, no spend; x = 0 and a repeat customer with net returns use the prior's and m = 0
    zero = pr.simulate_spend(GG, [0.0, 1.0], [0.0, -5.0], np.zeros((2, 10), dtype=int), seed=9)
    assert np.all(zero == 0)


def test_order_positions_are_numpy_inverted_cdf_quantiles():
    rng = np.random.default_rng(0)
    for n in (1, 7, 100, 1999, 2000):
        values = np.sort(rng.integers(0, 5, n).astype(float))
        for level in (0.5, 0.8, 0.9, 0.95):
            low, high = pr.order_positions(n, level)
            tail = (1 - level) / 2
            assert values[low] == np.quantile(values, tail, method="inverted_cdf")
            assert values[high] == np.quantile(values, 1 - tail, method="inverted_cdf")


# (c) calibration in simulation, with the true parameters and fitted ones


@pytest.mark.slow
@pytest.mark.parametrize("model", list(PARAMS))
def test_intervals_are_calibrated_in_simulation(model):
    x, t_x, T_, m, holdout, spend = population(model, PARAMS[model], GG, 6000, seed=11)
    fitted, _ = fit_customers(model, x, t_x, T_)
    repeat = x > 0
    gg_fitted, _ = fit_gamma_gamma(x[repeat], m[repeat])
    figures = {}
    for label, params, gg in (("true", PARAMS[model], GG), ("fitted", fitted, gg_fitted)):
        out = pr.predictive_intervals(model, params, gg, x, t_x, T_, m, 39.0, seed=1)
        counts = pr.simulate_purchases(model, params, x, t_x, T_, 39.0, n_draws=1000, seed=2)[:, :, -1]
        values = pr.simulate_spend(gg, x, m, counts, seed=3)
        figures[label] = {
            "purchases_inclusive": np.mean((holdout >= out["purchases_low"]) & (holdout <= out["purchases_high"])),
            "spend_inclusive": np.mean((spend >= out["clv_low"]) & (spend <= out["clv_high"])),
            "purchases_pit": coverage(pr.randomized_pit(counts, holdout, seed=4)),
            "spend_pit": coverage(pr.randomized_pit(values, spend, seed=5)),
        }
    for label, f in figures.items():
        # the documented definition: randomised-PIT coverage of the central 90 %
        assert 0.85 <= f["purchases_pit"] <= 0.95, (label, f)
        assert 0.85 <= f["spend_pit"] <= 0.95, (label, f)
        # the inclusive [low, high] holds at least 90 % up to sampling (ties at the ends: ~96 % for counts)
        assert f["purchases_inclusive"] >= 0.85 and f["spend_inclusive"] >= 0.85, (label, f)


# (d) determinism


def test_same_seed_same_output_and_shared_rows_share_draws():
    args = ("mbgnbd", PARAMS["mbgnbd"], GG, X, T_X, T, M, ENDS)
    pd.testing.assert_frame_equal(pr.predictive_intervals(*args, seed=3), pr.predictive_intervals(*args, seed=3))
    assert not pr.predictive_intervals(*args, seed=3).equals(pr.predictive_intervals(*args, seed=4))
    for model in PARAMS:
        a = pr.simulate_purchases(model, PARAMS[model], X, T_X, T, ENDS, n_draws=500, seed=np.random.SeedSequence(9))
        b = pr.simulate_purchases(model, PARAMS[model], X, T_X, T, ENDS, n_draws=500, seed=np.random.SeedSequence(9))
        np.testing.assert_array_equal(a, b)
    counts = np.ones((2, 100), dtype=int)
    np.testing.assert_array_equal(pr.simulate_spend(GG, [1, 1], [5, 5], counts, seed=1),
                                  pr.simulate_spend(GG, [1, 1], [5, 5], counts, seed=1))
    # customers with the same history share their row's draws; the order of the input does not matter for them
    twice = pr.simulate_purchases("bgnbd", PARAMS["bgnbd"], [2, 0, 2], [30, 0, 30], [38, 38, 38], ENDS, 200, seed=2)
    np.testing.assert_array_equal(twice[0], twice[2])
    out = pr.predictive_intervals("bgnbd", PARAMS["bgnbd"], GG, [2, 0, 2], [30, 0, 30], [38, 38, 38], [9, 0, 9], ENDS)
    pd.testing.assert_series_equal(out.iloc[0], out.iloc[2], check_names=False)


def test_refuses_bad_arguments():
    good = dict(model="bgnbd", params=PARAMS["bgnbd"], gg_params=GG, x=[1.0], t_x=[1.0], T=[2.0], m=[3.0], ends=[1.0])
    for change in ({"model": "bgbb"}, {"params": (1.0, 2.0, 3.0)}, {"params": (1.0, -2.0, 3.0, 4.0)},
                   {"ends": [2.0, 1.0]}, {"ends": [0.0]}, {"ends": []}, {"level": 1.0}, {"n_draws": 0},
                   {"discount": [1.0, 0.9]}, {"margin": -1.0}, {"x": [1.0, 2.0]}):
        with pytest.raises(ValueError):
            pr.predictive_intervals(**{**good, **change})
    with pytest.raises(ValueError):
        pr.simulate_spend(GG, [1.0], [3.0], np.ones((2, 5)))
    # parameters by name work as the tuple does
    by_name = dict(zip(bgnbd.PARAMS, PARAMS["bgnbd"], strict=True))
    pd.testing.assert_frame_equal(pr.predictive_intervals(**{**good, "params": by_name,
                                                             "gg_params": dict(p=6.25, q=3.74, v=15.44)}),
                                  pr.predictive_intervals(**good))


# (e) the CDNOW sample's holdout


@pytest.fixture(scope="module")
def cdnow_holdout(cdnow_sample_holdout):
    return cdnow_sample_holdout


@pytest.mark.slow
def test_cdnow_holdout_coverage(cdnow_holdout):
    f = cdnow_holdout
    x, t_x, T_, m = (f[c].to_numpy(float) for c in ("frequency_btyd", "recency_btyd", "T", "monetary_btyd"))
    holdout, spend = f["holdout_purchases"].to_numpy(float), f["holdout_spend"].to_numpy(float)
    horizon = float(f["holdout_duration"].iloc[0])  # 39 weeks
    params, _ = fit_customers("mbgnbd", x, t_x, T_)
    spenders = (x > 0) & (m > 0)
    gg, _ = fit_gamma_gamma(x[spenders], m[spenders])
    out = pr.predictive_intervals("mbgnbd", params, gg, x, t_x, T_, m, horizon, seed=0)
    counts = pr.simulate_purchases("mbgnbd", params, x, t_x, T_, horizon, seed=1)[:, :, -1]
    values = pr.simulate_spend(gg, x, m, counts, seed=2)
    purchases_pit = coverage(pr.randomized_pit(counts, holdout, seed=3))
    spend_pit = coverage(pr.randomized_pit(values, spend, seed=4))
    inclusive = np.mean((holdout >= out["purchases_low"]) & (holdout <= out["purchases_high"]))
    # measured: PIT 0.882 (purchases), 0.886 (spend); inclusive 0.945 and 0.929. The misses are all above the
    # upper end (5.5 % of customers): the model under-forecasts CDNOW's holdout (0.67 expected, 0.80 seen).
    assert 0.85 <= purchases_pit <= 0.95
    assert 0.85 <= spend_pit <= 0.95
    assert inclusive >= 0.9
    assert np.mean(holdout < out["purchases_low"]) < 0.01


def test_clv_model_adds_predictive_intervals_beside_the_parameter_ones_and_repeats_them_exactly(cdnow_sample_holdout):
    f = cdnow_sample_holdout
    model = tk.CLVModel(horizon="39W", discount_rate=0.0, predictive=0.9, interval=0.9).fit(f)
    out = model.transform(f)
    assert list(out.columns) == ["expected_purchases", "p_alive", "expected_spend", "clv", "purchases_predictive_low",
                                 "purchases_predictive_high", "clv_predictive_low", "clv_predictive_high",
                                 "expected_purchases_low", "expected_purchases_high", "clv_low", "clv_high"]
    assert out.equals(model.transform(f))  # a fixed seed: byte for byte the same
    # what the customer will buy ranges far wider than where the model's expectation lies
    assert ((out["purchases_predictive_high"] - out["purchases_predictive_low"])
            > (out["expected_purchases_high"] - out["expected_purchases_low"])).mean() > 0.95
    # the holdout's realised purchases and spend fall inside for about 90 % of the customers
    inside = f["holdout_purchases"].between(out["purchases_predictive_low"], out["purchases_predictive_high"])
    assert 0.88 <= inside.mean() <= 0.98
    spend = f["holdout_spend"].between(out["clv_predictive_low"], out["clv_predictive_high"])
    assert 0.85 <= spend.mean() <= 0.97


def test_a_customers_intervals_do_not_depend_on_who_is_scored_with_them(cdnow_sample_holdout):
    """Scored alone, in a batch of 7 or with everyone: the same bits (the local scorer's chunks and
    Spark's batches differ). Alone, a lapsed customer whose draws have no purchase used to crash
    (``matmul ... size 12 is different from 1``)."""
    f = cdnow_sample_holdout
    model = tk.CLVModel(horizon="39W", predictive=0.9, interval=0.9).fit(f)
    everyone = model.transform(f)
    lapsed = everyone["purchases_predictive_high"].idxmin()
    assert everyone.loc[lapsed, "purchases_predictive_high"] == 0  # the premise: no draw buys anything
    alone = model.transform(f.loc[[lapsed]])
    pd.testing.assert_frame_equal(alone, everyone.loc[[lapsed]])
    batch = f.iloc[100:107]
    pd.testing.assert_frame_equal(model.transform(batch), everyone.iloc[100:107])
