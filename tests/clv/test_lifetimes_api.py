"""CLVModel (and BGBBModel) answer lifetimes' questions by lifetimes' names: pinned against lifetimes itself.

Each lifetimes fitter gets tierkit's fitted parameters as its ``params_`` (converted to its time
scale where the data are in another unit) and both answer on the same histories: the CDNOW sample
from tierkit's raw transactions and lifetimes' own CDNOW summary. They agree to 1e-8 relative
(measured: 1e-12 or better) except where lifetimes loses digits itself (probabilities below 1e-8
of BG/NBD's ``1 - finite sum``), where tierkit is pinned against a direct sum instead.
"""

import types
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln, gammaln

from tierkit.clv import BGBBModel, CLVModel, lifetimes_clv_settings
from tierkit.clv import bgnbd as bgnbd_module
from tierkit.clv.family import BGBB, MODELS, QUANTITIES, PurchaseModel
from tierkit.errors import DataError, ModelError, TierkitError

pytestmark = [pytest.mark.filterwarnings("ignore:pkg_resources is deprecated"),  # lifetimes.datasets
              pytest.mark.filterwarnings("ignore:divide by zero encountered in log")]  # lifetimes' Pareto/NBD at t = 0

#: Relative agreement asked of every comparison with lifetimes.
RTOL = 1e-8
#: lifetimes' fitter of each purchase model.
FITTERS = {"bgnbd": "BetaGeoFitter", "mbgnbd": "ModifiedBetaGeoFitter", "pareto_nbd": "ParetoNBDFitter"}


def _lifetimes_fitter(name, params, time_scale=1.0):
    """lifetimes' fitter of model ``name`` holding ``params``; ``time_scale`` new time units per tierkit's."""
    import lifetimes

    fitter = getattr(lifetimes, FITTERS[name])()
    scaled = {k: v * time_scale if k in ("alpha", "beta") else v for k, v in params.items()}  # rates carry time
    fitter.params_ = pd.Series(scaled)[list(MODELS[name].params)]
    fitter.predict = fitter.conditional_expected_number_of_purchases_up_to_time  # fit sets it; the CLV calls it
    return fitter


def _gamma_gamma_fitter(params):
    from lifetimes import GammaGammaFitter

    fitter = GammaGammaFitter()
    fitter.params_ = pd.Series(params)[["p", "q", "v"]]
    return fitter


@pytest.fixture(scope="module")
def models(cdnow_sample_holdout):
    """Each purchase model fitted on the CDNOW sample in weeks (tierkit's features from raw transactions)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {name: CLVModel(model=name, horizon="52W").fit(cdnow_sample_holdout) for name in MODELS}


@pytest.fixture(scope="module")
def lifetimes_summary():
    from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value

    return load_cdnow_summary_data_with_monetary_value()


@pytest.fixture(params=["tierkit", "lifetimes"])
def histories(request, cdnow_sample_holdout, lifetimes_summary):
    """``(frequency, recency, T, monetary)`` Series in weeks: tierkit's CDNOW features, or lifetimes' summary."""
    if request.param == "tierkit":
        f = cdnow_sample_holdout
        return f["frequency_btyd"], f["recency_btyd"], f["T"], f["monetary_btyd"]
    s = lifetimes_summary
    return s["frequency"], s["recency"], s["T"], s["monetary_value"]


@pytest.fixture(scope="module")
def daily_model(lifetimes_summary):
    """BG/NBD fitted on lifetimes' CDNOW summary turned into days (x 7): alpha 7 times the weekly one."""
    s = lifetimes_summary
    f = pd.DataFrame({"frequency_btyd": s["frequency"], "recency_btyd": s["recency"] * 7, "T": s["T"] * 7,
                      "monetary_btyd": s["monetary_value"]})
    f.attrs["time_unit"] = "D"
    return CLVModel(model="bgnbd", horizon="365D").fit(f)


# -- the quantities, model by model, against lifetimes --------------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
def test_population_expectation_matches_lifetimes(name, models):
    model = models[name]
    weeks = np.array([0.0, 1.0, 13.0, 39.0, 78.0, 104.0])
    ours = model.expected_number_of_purchases_up_to_time([f"{w:g}W" for w in weeks])
    theirs = _lifetimes_fitter(name, model.params_).expected_number_of_purchases_up_to_time(weeks)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=0)
    assert ours[0] == 0.0


def _bgnbd_pmf_direct(params, t, n, modified):
    """P(X(t) = n) of BG/NBD or MBG/NBD with the NBD tail as a sum of positive terms (no ``1 - sum``)."""
    r, alpha, a, b = params
    j = np.arange(n, n + 4000, dtype="float64")
    log_nbd = (gammaln(r + j) - gammaln(r) - gammaln(j + 1) + r * np.log(alpha / (alpha + t))
               + j * np.log(t / (alpha + t)))
    tail, nbd_n = float(np.exp(log_nbd).sum()), float(np.exp(log_nbd[0]))
    if modified:
        return np.exp(betaln(a, b + n + 1) - betaln(a, b)) * nbd_n + np.exp(betaln(a + 1, b + n) - betaln(a, b)) * tail
    dropped = np.exp(betaln(a + 1, b + n - 1) - betaln(a, b)) * tail if n > 0 else 0.0
    return np.exp(betaln(a, b + n) - betaln(a, b)) * nbd_n + dropped


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd"])
def test_probability_of_n_matches_lifetimes_and_a_direct_sum(name, models):
    model = models[name]
    theirs_fitter = _lifetimes_fitter(name, model.params_)
    params = MODELS[name].values(model.params_)
    for weeks in (1.0, 39.0, 78.0):
        n = np.arange(0, 21)
        ours = model.probability_of_n_purchases_up_to_time(f"{weeks:g}W", n)
        theirs = np.array([theirs_fitter.probability_of_n_purchases_up_to_time(weeks, k) for k in n])
        # lifetimes' 1 - (finite sum) keeps its digits down to ~1e-8; below, it is the one that drifts (5e-7)
        kept = theirs >= 1e-8
        np.testing.assert_allclose(ours[kept], theirs[kept], rtol=RTOL)
        direct = [_bgnbd_pmf_direct(params, weeks, int(k), modified=name == "mbgnbd") for k in n]
        np.testing.assert_allclose(ours, direct, rtol=1e-12)


def test_pareto_nbd_probability_of_n_sums_to_one_with_the_expected_mean(models):
    # lifetimes' ParetoNBDFitter has no unconditional P(X(t) = n): its mean and total pin it instead
    model = models["pareto_nbd"]
    n = np.arange(0, 300)
    pmf = model.probability_of_n_purchases_up_to_time("39W", n)
    assert abs(pmf.sum() - 1.0) < 1e-10
    np.testing.assert_allclose(n @ pmf, model.expected_number_of_purchases_up_to_time("39W"), rtol=RTOL)


@pytest.mark.parametrize("name", list(MODELS))
def test_conditional_expectation_matches_lifetimes(name, models, histories):
    model = models[name]
    x, t_x, T, _ = histories
    theirs_fitter = _lifetimes_fitter(name, model.params_)
    for weeks in (1.0, 39.0, 52.0):
        ours = model.conditional_expected_number_of_purchases_up_to_time(f"{weeks:g}W", x, t_x, T)
        theirs = theirs_fitter.conditional_expected_number_of_purchases_up_to_time(weeks, x, t_x, T)
        assert isinstance(ours, pd.Series) and ours.index.equals(x.index)
        np.testing.assert_allclose(ours, theirs, rtol=RTOL)


@pytest.mark.parametrize("name", list(MODELS))
def test_probability_alive_matches_lifetimes(name, models, histories):
    model = models[name]
    x, t_x, T, _ = histories
    ours = model.conditional_probability_alive(x, t_x, T)
    theirs = _lifetimes_fitter(name, model.params_).conditional_probability_alive(x, t_x, T)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)


def test_expected_average_profit_matches_lifetimes(models, histories):
    model = models["bgnbd"]
    x, _, _, m = histories
    ours = model.conditional_expected_average_profit(x, m)
    theirs = _gamma_gamma_fitter(model.gamma_gamma_params_).conditional_expected_average_profit(x, m)
    spent = (x == 0) | (m > 0)  # every row here; a repeat customer with spend <= 0 counts as 0 in tierkit
    assert spent.all()
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize(("time", "rate"), [(12, 0.01), (36, 0.02), (1, 0.0)])
def test_clv_matches_lifetimes_with_its_settings(name, time, rate, models, histories):
    model = models[name]
    x, t_x, T, m = histories
    ours = model.customer_lifetime_value(x, t_x, T, m, **lifetimes_clv_settings(time, rate, "W"))
    theirs = _gamma_gamma_fitter(model.gamma_gamma_params_).customer_lifetime_value(
        _lifetimes_fitter(name, model.params_), x, t_x, T, m, time=time, discount_rate=rate, freq="W")
    assert model.settings_["margin"] == 1.0
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)


@pytest.mark.parametrize("name", list(MODELS))
def test_clv_of_a_weekly_model_matches_lifetimes_in_days(name, models, lifetimes_summary):
    # lifetimes with freq="D" needs its data and its parameters in days: alpha (beta) x 7, ages x 7
    model = models[name]
    s = lifetimes_summary
    ours = model.customer_lifetime_value(s["frequency"], s["recency"], s["T"], s["monetary_value"],
                                         **lifetimes_clv_settings(12, 0.01, "D"))
    theirs = _gamma_gamma_fitter(model.gamma_gamma_params_).customer_lifetime_value(
        _lifetimes_fitter(name, model.params_, time_scale=7.0), s["frequency"], s["recency"] * 7, s["T"] * 7,
        s["monetary_value"], time=12, discount_rate=0.01, freq="D")
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)


def test_a_daily_model_matches_lifetimes_in_weeks(daily_model, lifetimes_summary):
    s = lifetimes_summary
    x, t_x, T, m = s["frequency"], s["recency"], s["T"], s["monetary_value"]
    weekly = _lifetimes_fitter("bgnbd", daily_model.params_, time_scale=1 / 7)  # alpha / 7: weeks
    for t in (273, "273D", "39W"):  # a bare number is days for a daily model
        np.testing.assert_allclose(
            daily_model.conditional_expected_number_of_purchases_up_to_time(t, x, t_x * 7, T * 7),
            weekly.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T), rtol=RTOL)
        np.testing.assert_allclose(daily_model.expected_number_of_purchases_up_to_time(t),
                                   weekly.expected_number_of_purchases_up_to_time(39), rtol=RTOL)
    np.testing.assert_allclose(daily_model.conditional_probability_alive(x, t_x * 7, T * 7),
                               weekly.conditional_probability_alive(x, t_x, T), rtol=RTOL)
    ours = daily_model.customer_lifetime_value(x, t_x * 7, T * 7, m, **lifetimes_clv_settings(12, 0.01, "W"))
    theirs = _gamma_gamma_fitter(daily_model.gamma_gamma_params_).customer_lifetime_value(
        weekly, x, t_x, T, m, time=12, discount_rate=0.01, freq="W")
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)


@pytest.fixture(scope="module")
def donations():
    from lifetimes.datasets import load_donations

    return load_donations()


@pytest.fixture(scope="module")
def bgbb_model(donations):
    d = donations
    return BGBBModel().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])


def test_bgbb_matches_lifetimes_beta_geo_beta_binom(bgbb_model, donations):
    from lifetimes import BetaGeoBetaBinomFitter

    d, model = donations, bgbb_model
    theirs = BetaGeoBetaBinomFitter()
    theirs.params_ = pd.Series(model.params_)[["alpha", "beta", "gamma", "delta"]]
    theirs.data = pd.DataFrame({"frequency": d["frequency"], "recency": d["recency"], "n_periods": d["periods"],
                                "weights": d["weights"]})
    x, t_x, n = d["frequency"], d["recency"], d["periods"]
    for ahead in (0, 1, 5, 10):
        np.testing.assert_allclose(model.conditional_expected_number_of_purchases_up_to_time(ahead, x, t_x, n),
                                   theirs.conditional_expected_number_of_purchases_up_to_time(ahead, x, t_x, n),
                                   rtol=RTOL, atol=0)
        np.testing.assert_allclose(model.conditional_probability_alive(ahead, x, t_x, n),
                                   theirs.conditional_probability_alive(ahead, x, t_x, n), rtol=RTOL)
    for periods in (6, 10):
        expected = theirs.expected_number_of_transactions_in_first_n_periods(periods)["model"]
        ours = model.probability_of_n_purchases_up_to_time(periods, expected.index.to_numpy()) * d["weights"].sum()
        np.testing.assert_allclose(ours, expected, rtol=RTOL)
    # predict's p_alive is P(alive at the next opportunity), lifetimes' m_periods_in_future=1
    np.testing.assert_allclose(model.predict(x, t_x, n)["p_alive"], model.conditional_probability_alive(1, x, t_x, n))
    assert isinstance(model.conditional_probability_alive(1, x, t_x, n), pd.Series)


# -- closed forms by hand ------------------------------------------------------------------------------------------


def test_one_time_buyers_are_alive_under_bgnbd_and_not_under_mbgnbd(models):
    T = np.array([1.0, 10.0, 38.86, 500.0])
    zero = np.zeros_like(T)
    assert (models["bgnbd"].conditional_probability_alive(zero, zero, T) == 1.0).all()
    r, alpha, a, b = MODELS["mbgnbd"].values(models["mbgnbd"].params_)
    np.testing.assert_allclose(models["mbgnbd"].conditional_probability_alive(zero, zero, T),
                               1 / (1 + a / b * ((alpha + T) / alpha) ** r), rtol=1e-14)


def test_nothing_happens_in_no_time(models):
    for model in models.values():
        assert model.expected_number_of_purchases_up_to_time("0W") == 0.0
        assert model.probability_of_n_purchases_up_to_time("0D", 0) == pytest.approx(1.0, rel=1e-14)
        assert model.conditional_expected_number_of_purchases_up_to_time("0W", 2, 30.43, 38.86) == 0.0


def test_hand_computed_population_figures(models):
    r, alpha, _, _ = MODELS["bgnbd"].values(models["bgnbd"].params_)
    # BG/NBD: nobody buys in (0, t] when the NBD count is 0, dropout or not
    assert models["bgnbd"].probability_of_n_purchases_up_to_time("39W", 0) == pytest.approx(
        (alpha / (alpha + 39)) ** r, rel=1e-13)
    r, alpha, s, beta = MODELS["pareto_nbd"].values(models["pareto_nbd"].params_)
    assert models["pareto_nbd"].expected_number_of_purchases_up_to_time("39W") == pytest.approx(
        r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + 39)) ** (s - 1)), rel=1e-13)
    p, q, v = (models["bgnbd"].gamma_gamma_params_[k] for k in ("p", "q", "v"))
    spend = models["bgnbd"].conditional_expected_average_profit([0, 0, 3], [0.0, 99.0, 40.0])
    np.testing.assert_allclose(spend, [p * v / (q - 1), p * v / (q - 1), (p * v + 3 * p * 40.0) / (3 * p + q - 1)],
                               rtol=1e-14)


def test_clv_by_hand_and_as_predict_reports_it(models, cdnow_sample_holdout):
    model = models["mbgnbd"]
    f = cdnow_sample_holdout
    x, t_x, T, m = f["frequency_btyd"], f["recency_btyd"], f["T"], f["monetary_btyd"]
    spend = model.conditional_expected_average_profit(x, m)
    within = model.conditional_expected_number_of_purchases_up_to_time("52W", x, t_x, T)
    # no discounting: spend x purchases; one step: the whole horizon discounted from its end (364 days)
    np.testing.assert_allclose(model.customer_lifetime_value(x, t_x, T, m, discount_rate=0.0), spend * within,
                               rtol=1e-13)
    np.testing.assert_allclose(model.customer_lifetime_value(x, t_x, T, m, discount_rate=0.1, discount_steps=1),
                               spend * within * 1.1 ** (-364 / 365.25), rtol=1e-13)
    # the model's own settings are predict's clv; the other columns are the other methods. predict also reads
    # "monetary" (net spend of every purchase) and expects nothing from a customer who returned everything
    out = model.predict(f)
    paid = f["monetary"] > 0
    assert 0 < (~paid).sum() < 30
    np.testing.assert_allclose(model.customer_lifetime_value(x, t_x, T, m)[paid], out.loc[paid, "clv"], rtol=1e-13)
    np.testing.assert_allclose(spend[paid], out.loc[paid, "expected_spend"], rtol=1e-13)
    np.testing.assert_allclose(within, out["expected_purchases"], rtol=1e-13)
    np.testing.assert_allclose(model.conditional_probability_alive(x, t_x, T), out["p_alive"], rtol=1e-13)


def test_lifetimes_clv_settings():
    days = lifetimes_clv_settings(12, 0.01, "D")
    assert days["horizon"] == "360D" and days["discount_steps"] == 12
    assert (1 + days["discount_rate"]) ** (30 / 365.25) == pytest.approx(1.01, rel=1e-14)
    weeks = lifetimes_clv_settings(12, 0.01, "W")
    assert weeks["horizon"] == "52.14W"
    assert (1 + weeks["discount_rate"]) ** (4.345 * 7 / 365.25) == pytest.approx(1.01, rel=1e-14)
    for bad, match in (({"freq": "M"}, "freq='M'"), ({"time": 0}, "time=0"), ({"discount_rate": -0.1}, "-0.1")):
        with pytest.raises(TierkitError, match=match):
            lifetimes_clv_settings(**bad)


# -- durations, shapes and refusals --------------------------------------------------------------------------------


def test_durations_are_read_as_horizon_is(models):
    model = models["bgnbd"]
    expected = model.expected_number_of_purchases_up_to_time("39W")
    assert isinstance(expected, float)
    assert model.expected_number_of_purchases_up_to_time("273D") == pytest.approx(expected, rel=1e-14)
    assert model.expected_number_of_purchases_up_to_time(pd.Timedelta(weeks=39)) == pytest.approx(expected, rel=1e-14)
    with pytest.raises(TierkitError, match='t=39 is ambiguous for features in weeks: write "39W"'):
        model.expected_number_of_purchases_up_to_time(39)
    with pytest.raises(TierkitError, match="ambiguous"):
        model.conditional_expected_number_of_purchases_up_to_time([13, 39], 2, 30.43, 38.86)
    with pytest.raises(TierkitError, match="in months"):
        model.expected_number_of_purchases_up_to_time("9M")
    with pytest.raises(TierkitError, match="expected a duration >= 0"):
        model.expected_number_of_purchases_up_to_time(["1W", "-1W"])
    t = pd.Series(["13W", "39W"], index=["q1", "q3"])
    shaped = model.expected_number_of_purchases_up_to_time(t)
    assert list(shaped.index) == ["q1", "q3"] and shaped["q3"] == pytest.approx(expected, rel=1e-14)
    # one customer over several horizons, as lifetimes broadcasts
    curve = model.conditional_expected_number_of_purchases_up_to_time(["13W", "39W"], 2, 30.43, 38.86)
    assert curve.shape == (2,) and curve[1] == pytest.approx(1.226, abs=5e-4)


def test_a_daily_model_takes_bare_numbers_as_days(daily_model):
    ours = daily_model.expected_number_of_purchases_up_to_time(np.array([7, 273]))
    np.testing.assert_allclose(ours, daily_model.expected_number_of_purchases_up_to_time(["1W", "39W"]), rtol=1e-14)
    with pytest.raises(TierkitError, match="t=nan"):
        daily_model.expected_number_of_purchases_up_to_time([7, np.nan])


def test_impossible_inputs_are_one_line_errors(models, bgbb_model):
    model = models["bgnbd"]
    for call, match in (
        (lambda: model.conditional_probability_alive(2, 40.0, 38.86), "recency=40.0, T=38.86"),
        (lambda: model.conditional_probability_alive(pd.Series([1.5], index=["c7"]), 3.0, 38.86), "customer 'c7'"),
        (lambda: model.conditional_expected_number_of_purchases_up_to_time("39W", -1, 0, 38.86), "frequency=-1.0"),
        (lambda: model.conditional_probability_alive(["a"], [0], [1]), "expected numbers"),
        (lambda: model.conditional_expected_average_profit(2, np.nan), "monetary_value=nan"),
        (lambda: model.customer_lifetime_value([1, 2], [1, 2], [3, 3], [1, 2, 3]), "monetary_value"),
        (lambda: model.conditional_expected_number_of_purchases_up_to_time(["1W", "2W", "3W"], [1, 2], [1, 1], [3, 3]),
         "t has 3 values and the histories 2"),
    ):
        with pytest.raises(DataError, match=match) as caught:
            call()
        assert "\n" not in str(caught.value)
    with pytest.raises(TierkitError, match="n=1.5; expected whole numbers >= 0"):
        model.probability_of_n_purchases_up_to_time("39W", [1, 1.5])
    with pytest.raises(TierkitError, match="discount_steps=0"):
        model.customer_lifetime_value(2, 30.43, 38.86, 22.35, discount_steps=0)
    with pytest.raises(TierkitError, match="m_periods_in_future=-1.0"):
        bgbb_model.conditional_probability_alive(-1, [1], [1], [2])
    with pytest.raises(DataError, match="t_x <= n"):
        bgbb_model.conditional_expected_number_of_purchases_up_to_time(1, [1], [3], [2])


def test_an_unfitted_model_says_so():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted"):
        CLVModel().conditional_probability_alive(1, 1.0, 2.0)
    with pytest.raises(NotFittedError, match="not fitted"):
        BGBBModel().expected_number_of_purchases_up_to_time(3)


def test_a_quantity_a_model_lacks_is_refused_naming_both(models, monkeypatch):
    # every model in tierkit has every quantity today: a model without P(X(t) = n) stands in for one that lacks it
    partial = types.SimpleNamespace(PARAMS=bgnbd_module.PARAMS, p_alive=bgnbd_module.p_alive,
                                    expected_purchases=bgnbd_module.expected_purchases)
    monkeypatch.setitem(MODELS, "bgnbd", PurchaseModel("bgnbd", "BG/NBD", partial, one_time_buyers_alive=True))
    model = models["bgnbd"]
    with pytest.raises(ModelError, match=r"^BG/NBD has no probability_of_n_purchases_up_to_time in tierkit$"):
        model.probability_of_n_purchases_up_to_time("39W", 1)
    with pytest.raises(ModelError, match="BG/NBD has no expected_number_of_purchases_up_to_time"):
        model.expected_number_of_purchases_up_to_time("39W")
    assert model.conditional_probability_alive(0, 0.0, 38.86) == 1.0  # what it has still answers


def test_every_model_answers_every_quantity():
    for model in (*MODELS.values(), BGBB):
        for function in QUANTITIES.values():
            assert callable(getattr(model.module, function)), (model.label, function)
