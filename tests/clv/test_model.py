"""CLV: the published CDNOW numbers from raw transactions, lifetimes agreement, units, errors, persistence."""

import subprocess
import sys
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.clv import CLVModel
from tierkit.clv.bgnbd import distinct_rows, expected_purchases, fit_bgnbd, p_alive
from tierkit.clv.gamma_gamma import expected_spend
from tierkit.errors import DataError, ModelError, TierkitError


@pytest.fixture(scope="module")
def sample_features():
    """The CDNOW sample (2,357 customers) as of 1997-09-30 in weeks, as in Fader, Hardie & Lee (2005)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tk.rfm_features(tk.load_cdnow(sample=True), as_of="1997-09-30", time_unit="W")


@pytest.fixture(scope="module")
def sample_model(sample_features):
    return CLVModel(model="bgnbd", horizon="39W").fit(sample_features)


def test_bgnbd_reproduces_fader_hardie_lee_2005(sample_model):
    # FHL (2005), "Counting your customers the easy way", Table/Section 5: r, alpha, a, b and LL
    params = {k: round(v, 3) for k, v in sample_model.bgnbd_params_.items()}
    assert params == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(sample_model.log_likelihood_, 1) == -9582.4


def test_gamma_gamma_reproduces_the_published_parameters(sample_model):
    # Fader, Hardie & Lee (2005), "RFM and CLV": p = 6.25, q = 3.74, v = 15.44
    params = {k: round(v, 2) for k, v in sample_model.gamma_gamma_params_.items()}
    assert params == {"p": 6.25, "q": 3.74, "v": 15.44}
    # they report the correlation of frequency and mean spend as 0.11: no warning is due
    assert round(sample_model.spend_frequency_corr_, 2) == 0.11


def test_raw_transactions_give_the_published_summary_with_its_spend_definition(sample_features):
    # the Fader-Hardie CDNOW summary shipped with lifetimes (x, t_x, T in weeks; zbar = mean spend of the
    # repeat purchase days, first purchase excluded, rounded to cents): the same rows from raw transactions
    from lifetimes.datasets import load_dataset

    published = load_dataset("cdnow_customers_summary_with_transactions.csv")[["x", "t_x", "T", "zbar"]]
    ours = sample_features[["frequency_btyd", "recency_btyd", "T", "monetary_btyd"]].to_numpy()
    theirs = published.to_numpy(dtype="float64")
    ours, theirs = (a[np.lexsort(np.round(a, 2).T[::-1])] for a in (ours, theirs))
    np.testing.assert_allclose(ours[:, :3], theirs[:, :3], atol=0.005)
    np.testing.assert_allclose(ours[:, 3], theirs[:, 3], atol=0.005 + 1e-9)


def test_published_conditional_expectation():
    # FHL 2005: a customer with x = 2, t_x = 30.43, T = 38.86 weeks is expected to buy 1.226 times in 39 weeks
    params = (0.243, 4.414, 0.793, 2.426)
    assert round(float(expected_purchases(params, 39, 2, 30.43, 38.86)), 3) == 1.226


def test_agrees_with_lifetimes_predictions(sample_features, sample_model):
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    f = sample_features
    bgf = BetaGeoFitter().fit(f["frequency_btyd"], f["recency_btyd"], f["T"])
    ours = sample_model.predict(f, horizon="39W")
    theirs = bgf.conditional_expected_number_of_purchases_up_to_time(39, f["frequency_btyd"], f["recency_btyd"], f["T"])
    np.testing.assert_allclose(ours["expected_purchases"], theirs, rtol=1e-3)
    alive = bgf.conditional_probability_alive(f["frequency_btyd"], f["recency_btyd"], f["T"])
    np.testing.assert_allclose(ours["p_alive"], alive, rtol=1e-3)
    repeat = f[f["frequency_btyd"] > 0]
    ggf = GammaGammaFitter().fit(repeat["frequency_btyd"], repeat["monetary_btyd"])
    spend = ggf.conditional_expected_average_profit(f["frequency_btyd"], f["monetary_btyd"])
    paid = f["monetary"] > 0  # lifetimes has no rule for customers who never paid anything (net): tierkit expects 0
    np.testing.assert_allclose(ours.loc[paid, "expected_spend"], spend[paid], rtol=1e-3)
    assert (ours.loc[~paid, "expected_spend"] == 0).all() and (~paid).sum() == 8


def test_p_alive_is_one_without_repeat_purchases_and_falls_with_silence():
    params = (0.243, 4.414, 0.793, 2.426)
    alive = p_alive(params, np.array([0.0, 3.0, 3.0]), np.array([0.0, 38.0, 5.0]), np.array([38.86] * 3))
    assert alive[0] == 1.0 and alive[1] > alive[2]


def test_expected_spend_shrinks_to_the_population_mean():
    p, q, v = 6.25, 3.74, 15.44
    population = p * v / (q - 1)  # hand-computed: 35.218...
    assert expected_spend((p, q, v), np.array([0.0]), np.array([0.0]))[0] == pytest.approx(35.2190, abs=1e-3)
    assert expected_spend((p, q, v), np.array([0.0]), np.array([0.0]))[0] == pytest.approx(population)
    # one purchase of 100: (q-1)/(p+q-1) * 35.219 + p/(p+q-1) * 100 = 2.74/8.99*35.219 + 6.25/8.99*100
    assert expected_spend((p, q, v), np.array([1.0]), np.array([100.0]))[0] == pytest.approx(
        2.74 / 8.99 * population + 6.25 / 8.99 * 100)


def test_clv_units_and_discounting(sample_features, sample_model):
    f = sample_features.head(50)
    flat = sample_model.predict(f, horizon="52W", discount_rate=0.0)
    np.testing.assert_allclose(flat["clv"], flat["expected_spend"] * flat["expected_purchases"])
    # one step: everything discounted from the horizon's end, 52 weeks = 364 days
    one = CLVModel(model="bgnbd", horizon="52W", discount_rate=0.10, discount_steps=1).fit(sample_features).predict(f)
    np.testing.assert_allclose(one["clv"], flat["clv"] * 1.10 ** (-364 / 365.25))
    monthly = sample_model.predict(f, horizon="52W", discount_rate=0.10)
    assert (monthly["clv"] < flat["clv"]).all() and (monthly["clv"] > one["clv"]).all()
    net = CLVModel(model="bgnbd", horizon="52W", discount_rate=0.0, margin=0.3,
                   acquisition_cost=5.0).fit(sample_features).predict(f)
    np.testing.assert_allclose(net["clv"], 0.3 * flat["clv"])
    np.testing.assert_allclose(net["net_clv"], 0.3 * flat["clv"] - 5.0)


def test_outputs_are_finite_and_deterministic(sample_features):
    a = CLVModel(model="bgnbd").fit(sample_features).predict(sample_features)
    b = CLVModel(model="bgnbd").fit(sample_features).predict(sample_features)
    assert np.isfinite(a.to_numpy()).all()
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_too_few_repeat_customers_is_a_clear_error():
    f = pd.DataFrame({"frequency_btyd": [0.0] * 20 + [1.0] * 3, "recency_btyd": [0.0] * 20 + [5.0] * 3,
                      "T": [30.0] * 23, "monetary_btyd": [0.0] * 20 + [10.0] * 3},
                     index=pd.Index([f"c{i}" for i in range(23)], name="customer_id"))
    with pytest.raises(DataError, match="only 3 of 23 customers bought more than once"):
        CLVModel(model="bgnbd").fit(f)


def test_bad_inputs_and_parameters():
    f = pd.DataFrame({"frequency_btyd": [1.0], "recency_btyd": [9.0], "T": [5.0], "monetary_btyd": [1.0]},
                     index=pd.Index(["x"], name="customer_id"))
    with pytest.raises(DataError, match="customer 'x'.*recency_btyd <= T"):
        CLVModel(model="bgnbd").fit(f)
    with pytest.raises(DataError, match="missing feature column"):
        CLVModel(model="bgnbd").fit(f.drop(columns="T"))
    with pytest.raises(TierkitError, match="horizon=-1"):
        CLVModel(model="bgnbd", horizon=-1).fit(f)
    with pytest.raises(TierkitError, match="discount_rate='x'"):
        CLVModel(model="bgnbd", discount_rate="x").fit(f)


def test_correlated_spend_warns(sample_features):
    f = sample_features.copy()
    # frequent buyers made to spend more per purchase: the real spend times (1 + repeat purchases)
    f["monetary_btyd"] = f["monetary_btyd"] * (1 + f["frequency_btyd"])
    with pytest.warns(UserWarning, match="correlate"):
        CLVModel(model="bgnbd").fit(f)


def test_non_convergence_suggests_the_penalizer_which_then_converges():
    # every customer bought again on the last day of the period: no drop-out is ever seen and the
    # unpenalised likelihood runs off to a = 0 without an interior maximum
    T = np.linspace(20, 40, 50)
    f = pd.DataFrame({"frequency_btyd": np.tile([1.0, 2, 3, 4, 5], 10), "recency_btyd": T, "T": T,
                      "monetary_btyd": np.random.default_rng(0).gamma(2.0, 10.0, 50)},
                     index=pd.Index([f"c{i}" for i in range(50)], name="customer_id"))
    with pytest.raises(ModelError, match=r"BG/NBD: the fit did not converge.*bgnbd_penalizer=0.001"):
        CLVModel(model="bgnbd", prior="none").fit(f)
    model = CLVModel(model="bgnbd", bgnbd_penalizer=0.001, prior="none").fit(f)
    assert np.isfinite(model.predict(f).select_dtypes("number").to_numpy()).all()


def test_without_an_interior_optimum_the_default_fits_under_the_weak_prior_and_says_so():
    # the data above: maximum likelihood has no answer; the default answers with the posterior
    # maximum, finite parameters, standard errors and CLV, and a warning naming why
    T = np.linspace(20, 40, 50)
    f = pd.DataFrame({"frequency_btyd": np.tile([1.0, 2, 3, 4, 5], 10), "recency_btyd": T, "T": T,
                      "monetary_btyd": np.random.default_rng(0).gamma(2.0, 10.0, 50)},
                     index=pd.Index([f"c{i}" for i in range(50)], name="customer_id"))
    for name in ("bgnbd", "mbgnbd", "pareto_nbd"):
        with pytest.warns(UserWarning, match=r"no interior optimum|boundary of the model.*weak prior"):
            model = CLVModel(model=name).fit(f)
        assert model.fit_method_[name]["method"] == "map"
        assert np.isfinite(list(model.params_.values())).all()
        assert np.isfinite(list(model.params_se_[name].values())).all()
        assert np.isfinite(model.predict(f, interval=0.9).select_dtypes("number").to_numpy()).all()


def test_a_run_off_is_not_converged_whatever_the_optimiser_reports():
    # the degenerate data above, straight into fit_bgnbd: in this row order L-BFGS-B's line search fails
    # with a log-parameter gradient of about 2e-6 (below the tolerance for such stops), on the distinct
    # rows CLVModel passes it reports success; either way r ran off towards infinity (the Poisson limit)
    # with the likelihood still improving, and predictions there are not even finite
    T = np.linspace(20, 40, 50)
    x = np.tile([1.0, 2, 3, 4, 5], 10)
    rows, weights, _ = distinct_rows(x, T, T)
    for args in ((x, T, T, None), (rows[:, 0], rows[:, 1], rows[:, 2], weights)):
        with pytest.raises(ModelError, match=r"BG/NBD: the fit did not converge.*bgnbd_penalizer=0.001"):
            fit_bgnbd(*args)


def test_a_parameter_whose_limit_is_reached_is_kept():
    # nobody is seen to drop out (every repeat customer bought last on the last day) while purchase counts
    # are overdispersed: r and alpha have an interior optimum and a goes to 0, where the likelihood no
    # longer depends on a or b. That limit is reached, not run towards: the fit stands, penalised or not
    # (the penalised fit of the test above ends there too), and both predict alike.
    T = np.repeat([30.0, 40, 50, 60], 12)
    x = np.tile([0.0, 0, 0, 1, 1, 2, 3, 5, 8, 13, 21, 34], 4)
    t_x = np.where(x > 0, T, 0.0)
    plain, _ = fit_bgnbd(x, t_x, T)
    shrunk, _ = fit_bgnbd(x, t_x, T, penalizer=0.001)
    assert plain["a"] < 1e-6 and shrunk["a"] < 1e-6
    expected = [expected_purchases(tuple(params.values()), 52, x, t_x, T) for params in (plain, shrunk)]
    np.testing.assert_allclose(expected[0], expected[1], rtol=5e-3)
    np.testing.assert_allclose(p_alive(tuple(plain.values()), x, t_x, T), 1.0)


def test_penalizer_shrinks_the_parameters(sample_features):
    plain = CLVModel(model="bgnbd").fit(sample_features).bgnbd_params_
    shrunk = CLVModel(model="bgnbd", bgnbd_penalizer=0.1).fit(sample_features).bgnbd_params_
    assert shrunk["a"] < plain["a"] and shrunk["b"] < plain["b"]


def test_saved_model_loads_in_a_fresh_process_without_training_data(tmp_path, sample_features, sample_model):
    path = tmp_path / "clv.joblib"
    joblib.dump(sample_model, path)
    assert path.stat().st_size < 5_000  # parameters only, no customer rows
    expected = sample_model.predict(sample_features.head(5))["clv"].round(10).tolist()
    code = ("import joblib, tierkit as tk, warnings; warnings.simplefilter('ignore');"
            "f = tk.rfm_features(tk.load_cdnow(sample=True), as_of='1997-09-30', time_unit='W').head(5);"
            f"print(joblib.load({str(path)!r}).predict(f)['clv'].round(10).tolist())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(expected)


def test_segmentation_lifecycle_may_use_p_alive(cdnow_features):
    seg = tk.Segmentation(clv=CLVModel(model="bgnbd"),
                          lifecycle=tk.LifecycleStager(use_p_alive=True)).fit(cdnow_features)
    table = seg.transform(cdnow_features.head(200))
    assert {"expected_purchases", "p_alive", "expected_spend", "clv", "lifecycle_stage"} <= set(table.columns)
    from tierkit.segmentation.chain import at_horizon

    shorter = at_horizon(seg, 30)  # daily features: a bare number is days
    assert shorter.transform(cdnow_features.head(200))["clv"].sum() < table["clv"].sum()
    assert_frame_equal = pd.testing.assert_frame_equal
    assert_frame_equal(at_horizon(seg, "30D").transform(cdnow_features.head(200)),
                       shorter.transform(cdnow_features.head(200)))
    assert seg.named_step("clv").horizon == "365D"  # the fitted segmentation is unchanged
    assert shorter.named_step("clv").settings_["horizon"] == 30.0


@pytest.fixture(scope="module")
def daily_features():
    """The CDNOW sample in days, as of the paper's calibration end."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tk.rfm_features(tk.load_cdnow(sample=True), as_of="1997-09-30", time_unit="D")


def test_clv_equals_lifetimes_customer_lifetime_value_with_the_same_steps(daily_features):
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    f = daily_features
    monthly = 0.01
    # lifetimes: 12 steps of 30 days at 1 % a month; the same as an annual rate of 1.01 ** (365.25 / 30) - 1
    model = CLVModel(model="bgnbd", horizon=360, discount_steps=12, discount_rate=1.01 ** (365.25 / 30) - 1).fit(f)
    bgf = BetaGeoFitter().fit(f["frequency_btyd"], f["recency_btyd"], f["T"])
    repeat = f[f["frequency_btyd"] > 0]
    ggf = GammaGammaFitter().fit(repeat["frequency_btyd"], repeat["monetary_btyd"])
    theirs = ggf.customer_lifetime_value(bgf, f["frequency_btyd"], f["recency_btyd"], f["T"], f["monetary_btyd"],
                                         time=12, discount_rate=monthly, freq="D")
    paid = f["monetary"] > 0  # tierkit values customers who never paid anything (net) at 0
    np.testing.assert_allclose(model.predict(f)["clv"][paid], theirs[paid], rtol=1e-4)


def test_gamma_gamma_on_distinct_rows_equals_the_fit_on_every_customer(sample_features):
    from tierkit.clv.bgnbd import distinct_rows
    from tierkit.clv.gamma_gamma import fit_gamma_gamma

    f = sample_features[sample_features["frequency_btyd"] > 0]
    x, m = f["frequency_btyd"].to_numpy(), f["monetary_btyd"].to_numpy()
    rows, weights, _ = distinct_rows(x, m)
    assert len(rows) < len(x)
    every, ll_every = fit_gamma_gamma(x, m)
    distinct, ll_distinct = fit_gamma_gamma(rows[:, 0], rows[:, 1], weights)
    assert distinct == pytest.approx(every, rel=1e-6) and ll_distinct == pytest.approx(ll_every)


def test_heavy_buyers_over_long_horizons_stay_finite_and_match_lifetimes():
    from lifetimes import BetaGeoFitter

    params = (0.25, 31.5, 0.80, 2.52)  # daily scale
    x = np.array([0.0, 2.0, 50.0, 300.0, 700.0, 1000.0])
    t_x = np.array([0.0, 30.0, 30.0, 700.0, 729.0, 1000.0])
    T = np.array([1.0, 40.0, 31.0, 730.0, 730.0, 1000.0])
    ours = expected_purchases(params, 3650.0, x, t_x, T)
    assert np.isfinite(ours).all() and (ours > 0).all()
    bgf = BetaGeoFitter()
    bgf.params_ = pd.Series(dict(zip(("r", "alpha", "a", "b"), params, strict=True)))
    theirs = bgf.conditional_expected_number_of_purchases_up_to_time(3650.0, x, t_x, T)
    np.testing.assert_allclose(ours, theirs, rtol=1e-8)


def test_features_in_another_time_unit_are_refused(sample_model, daily_features):
    with pytest.raises(DataError, match="time unit 'D' but the model was fitted in 'W'"):
        sample_model.predict(daily_features)


def test_predict_before_fit_says_so(sample_features):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted"):
        CLVModel(model="bgnbd").predict(sample_features)


def test_net_clv_only_with_an_acquisition_cost(sample_features, sample_model):
    assert list(sample_model.predict(sample_features.head(3)).columns) == [
        "expected_purchases", "p_alive", "expected_spend", "clv"]
    with pytest.raises(TierkitError, match="acquisition_cost=-1"):
        CLVModel(model="bgnbd", acquisition_cost=-1).fit(sample_features)


def test_customers_without_repeat_purchases_get_the_population_mean_spend(sample_features, sample_model):
    p, q, v = (sample_model.gamma_gamma_params_[k] for k in ("p", "q", "v"))
    out = sample_model.predict(sample_features)
    once = (sample_features["frequency_btyd"] == 0) & (sample_features["monetary"] > 0)
    np.testing.assert_allclose(out.loc[once, "expected_spend"], p * v / (q - 1))
    assert (out.loc[once, "p_alive"] == 1.0).all()


def test_clone_and_set_params_keep_the_estimator_contract(sample_features):
    from sklearn.base import clone

    model = CLVModel(model="bgnbd", horizon="52W", margin=0.3)
    copy = clone(model).set_params(horizon="26W")
    assert copy.get_params()["horizon"] == "26W" and model.horizon == "52W"
    assert not hasattr(copy, "bgnbd_params_")
    with pytest.raises(DataError, match="time_unit='D' but the features are in 'W'"):
        CLVModel(model="bgnbd", time_unit="D").fit(sample_features)


def test_the_gamma_gamma_penalty_does_not_depend_on_the_currency_unit(sample_features):
    """The same spends in dollars and in cents, penalizer 0.001: the same p and q, v 100 times larger,
    and every expected spend 100 times larger (before, the penalty on raw v meant 12 % in dollars
    and a failed fit in cents)."""
    cents = sample_features.copy()
    cents["monetary_btyd"] = cents["monetary_btyd"] * 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dollars_model = CLVModel(model="bgnbd", gg_penalizer=0.001).fit(sample_features)
        cents_model = CLVModel(model="bgnbd", gg_penalizer=0.001).fit(cents)
    d, c = dollars_model.gamma_gamma_params_, cents_model.gamma_gamma_params_
    assert c["p"] == pytest.approx(d["p"], rel=1e-6) and c["q"] == pytest.approx(d["q"], rel=1e-6)
    assert c["v"] == pytest.approx(100 * d["v"], rel=1e-6)
    np.testing.assert_allclose(cents_model.predict(cents)["expected_spend"],
                               100 * dollars_model.predict(sample_features)["expected_spend"], rtol=1e-6)


def test_q_at_most_1_says_why_and_does_not_advise_a_penalizer_that_makes_it_worse(sample_features):
    """Average spends with a lognormal tail (sigma 2): Gamma-Gamma's q falls below 1. The message
    must not suggest gg_penalizer: a penalty pulls q further down (checked here)."""
    from tierkit.clv.gamma_gamma import fit_gamma_gamma

    rng = np.random.default_rng(0)
    n = 400
    x = rng.integers(1, 6, n).astype(float)
    m = np.exp(rng.normal(3, 2, n))
    plain, _ = fit_gamma_gamma(x, m)
    penalized, _ = fit_gamma_gamma(x, m, penalizer=0.01)
    assert plain["q"] < 1 and penalized["q"] < plain["q"]
    features = sample_features.copy()  # CDNOW's purchases, with such spends for its repeat customers
    repeat = features["frequency_btyd"] > 0
    features.loc[repeat, "monetary_btyd"] = np.exp(rng.normal(3, 2, int(repeat.sum())))
    with pytest.raises(ModelError, match=r"q = 0\.\d+ <= 1 .*too heavy-tailed.*a penalizer would only lower q") as err:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            CLVModel(model="bgnbd", prior="none").fit(features)
    assert "try gg_penalizer" not in str(err.value)
    # the default keeps q > 1 by the weak prior on ln(q - 1): the mean spend is defined, and said why
    with pytest.warns(UserWarning, match=r"Gamma-Gamma: maximum likelihood puts q = 0\.\d+ <= 1"):
        model = CLVModel(model="bgnbd").fit(features)
    assert model.gamma_gamma_params_["q"] > 1 and model.fit_method_["gamma_gamma"]["method"] == "map"
    assert np.isfinite(model.predict(features)["expected_spend"]).all()


# ----------------------------------------------------------------------------- horizons and units


def test_the_published_39_week_expectation_with_the_explicit_spelling(sample_features):
    # FHL (2005): customer 00004 (x = 2, t_x = 30.43, T = 38.86 weeks) expects 1.226 purchases in 39 weeks;
    # the same number whether the horizon is written in weeks, in days, or as a time delta
    model = CLVModel(model="bgnbd", horizon="39W").fit(sample_features)
    for horizon in ("39W", "273D", "273 days", pd.Timedelta(weeks=39), None):
        out = model.predict(sample_features.loc[["00004"]], horizon=horizon)
        assert round(float(out.loc["00004", "expected_purchases"]), 3) == 1.226
    assert model.settings_["horizon"] == 39.0 and model.settings_["horizon_given"] == "39W"


def test_52_weeks_and_364_days_give_identical_clv_on_weekly_features(sample_features):
    weeks = CLVModel(model="bgnbd", horizon="52W").fit(sample_features)
    days = CLVModel(model="bgnbd", horizon="364D").fit(sample_features)
    np.testing.assert_array_equal(weeks.predict(sample_features)["clv"], days.predict(sample_features)["clv"])
    assert weeks.settings_["horizon"] == days.settings_["horizon"] == 52.0
    assert days.settings_["horizon_given"] == "364D" and days.standards()["horizon_given"] == "364D"


def test_a_bare_number_is_days_on_daily_features_and_ambiguous_on_weekly_ones(sample_features, daily_features):
    model = CLVModel(model="bgnbd", horizon=365).fit(daily_features)
    pd.testing.assert_frame_equal(model.predict(daily_features.head(20)),
                                  CLVModel(model="bgnbd", horizon="365D").fit(daily_features)
                                  .predict(daily_features.head(20)))
    message = r'^CLVModel: horizon=365 is ambiguous for features in weeks: write "365W" \(365 weeks\) or "365D"'
    with pytest.raises(TierkitError, match=message):
        CLVModel(model="bgnbd", horizon=365).fit(sample_features)
    with pytest.raises(TierkitError, match='horizon=39 is ambiguous for features in weeks'):
        CLVModel(model="bgnbd", horizon="39W").fit(sample_features).predict(sample_features, horizon=39)


def test_the_default_horizon_is_a_year_of_days_in_either_unit(sample_features, daily_features):
    weekly = CLVModel(model="bgnbd").fit(sample_features)
    assert weekly.horizon == "365D" and weekly.settings_["horizon"] == pytest.approx(365 / 7)
    daily = CLVModel(model="bgnbd").fit(daily_features)
    np.testing.assert_allclose(weekly.predict(sample_features)["clv"].to_numpy(),
                               daily.predict(daily_features)["clv"].to_numpy(), rtol=2e-3)


@pytest.mark.parametrize("horizon, message", [
    ("12M", r"horizon='12M' is in months, which have no exact number of days; write days or weeks"),
    ("1Y", r"horizon='1Y' is in years"),
    ("abc", r"horizon='abc' is not a duration; write days or weeks, e.g. '365D' or '52W'"),
    ("-5D", r"horizon='-5D'; expected a duration > 0"),
    ("0D", r"horizon='0D'; expected a duration > 0"),
    ("3h", r"horizon='3h': unit 'h' is not days or weeks"),
    (-1, r"horizon=-1; expected a duration > 0"),
    (float("nan"), r"horizon=nan; expected a duration > 0"),
    (True, r"horizon=True is not a duration"),
])
def test_bad_horizons_are_one_line_errors(horizon, message, sample_features):
    with pytest.raises(TierkitError, match=message) as info:
        CLVModel(model="bgnbd", horizon=horizon).fit(sample_features)
    assert "\n" not in str(info.value)


def _without_attrs(features, *, dates=True):
    bare = features.copy()
    bare.attrs = {}
    return bare if dates else bare.drop(columns=["first_purchase", "last_purchase"])


def test_daily_features_without_attrs_into_a_weekly_model_are_refused(sample_model, sample_features,
                                                                     daily_features):
    # the purchase dates prove the unit
    with pytest.raises(DataError, match="purchase dates show time unit 'D' but the model was fitted in "
                                        "time_unit='W'"):
        sample_model.predict(_without_attrs(daily_features))
    # numbers alone (a served model's input): whole days, about 7 times the weeks seen at fit
    numbers = _without_attrs(daily_features, dates=False)
    with pytest.raises(DataError, match=r"look like days .* fitted in time_unit='W'; compute them with "
                                        r"rfm_features\(\.\.\., time_unit='W'\)"):
        sample_model.predict(numbers)
    seg = tk.Segmentation(clv=CLVModel(model="bgnbd", horizon="52W")).fit(sample_features.head(1000))
    with pytest.raises(DataError, match="look like days"):
        seg.transform(numbers)


def test_weekly_features_without_attrs_into_a_daily_model_are_refused(sample_features, daily_features):
    daily = CLVModel(model="bgnbd").fit(daily_features)
    with pytest.raises(DataError, match="purchase dates show time unit 'W'"):
        daily.predict(_without_attrs(sample_features))
    with pytest.raises(DataError, match="not whole days in time_unit='D'"):
        daily.predict(_without_attrs(sample_features, dates=False))
    seg = tk.Segmentation(clv=CLVModel(model="bgnbd")).fit(daily_features)
    with pytest.raises(DataError, match="not whole days in time_unit='D'"):
        seg.transform(_without_attrs(sample_features, dates=False))


def test_the_right_unit_without_attrs_is_accepted(sample_model, sample_features, daily_features):
    expected = sample_model.predict(sample_features)
    for bare in (_without_attrs(sample_features), _without_attrs(sample_features, dates=False)):
        pd.testing.assert_frame_equal(sample_model.predict(bare), expected)
    # a weekly fit without attrs: the dates prove weeks, so "52W" is 52 weeks
    model = CLVModel(model="bgnbd", horizon="52W").fit(_without_attrs(sample_features))
    assert model.time_unit_ == "W" and model.settings_["horizon"] == 52.0
    # a weekly model scoring whole-week customers of its own scale is not mistaken for days
    whole = _without_attrs(sample_features, dates=False).head(5).assign(T=38.0, recency_btyd=10.0)
    assert np.isfinite(sample_model.predict(whole)["clv"]).all()
