"""CLVModel(model=...): each purchase model against its lifetimes fitter, auto's choice and its reason."""

import warnings

import numpy as np
import pytest

import tierkit as tk
from tierkit.clv import CLVModel
from tierkit.clv.family import MODELS, bic
from tierkit.errors import TierkitError

pytestmark = pytest.mark.filterwarnings("ignore:pkg_resources is deprecated")  # lifetimes.datasets


@pytest.fixture(scope="module")
def sample_features():
    """The CDNOW sample as of 1997-09-30 in weeks (FHL 2005), with the 39-week holdout to 1998-06-30."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tk.rfm_features(tk.load_cdnow(sample=True), as_of="1997-09-30", time_unit="W",
                               holdout_end="1998-06-30")


def _lifetimes_fitter(name, f):
    from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

    x, t_x, T = f["frequency_btyd"], f["recency_btyd"], f["T"]
    if name == "pareto_nbd":
        np.random.seed(0)  # lifetimes draws its starting point
        return ParetoNBDFitter().fit(x, t_x, T, tol=1e-10, maxiter=10000)
    return {"bgnbd": BetaGeoFitter, "mbgnbd": ModifiedBetaGeoFitter}[name]().fit(x, t_x, T)


@pytest.fixture(scope="module")
def lifetimes_fits(sample_features):
    return {name: _lifetimes_fitter(name, sample_features) for name in MODELS}


@pytest.fixture(scope="module")
def auto_model(sample_features):
    return CLVModel(horizon="39W", model="auto").fit(sample_features)


@pytest.mark.parametrize("name", list(MODELS))
def test_each_model_reproduces_its_lifetimes_fitter(name, sample_features, lifetimes_fits):
    theirs = lifetimes_fits[name]
    model = CLVModel(horizon="39W", model=name).fit(sample_features)
    assert model.model_ == name and model.model_choice_ == "given"
    np.testing.assert_allclose([model.params_[k] for k in MODELS[name].params],
                               theirs.params_[list(MODELS[name].params)], rtol=1e-4)
    f = sample_features
    x, t_x, T = f["frequency_btyd"], f["recency_btyd"], f["T"]
    out = model.predict(f)
    np.testing.assert_allclose(out["expected_purchases"],
                               theirs.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T), rtol=1e-3)
    np.testing.assert_allclose(out["p_alive"], theirs.conditional_probability_alive(x, t_x, T), rtol=1e-3)
    assert model.standards()["model"] == name and set(model.standards()[name]) == set(MODELS[name].params)
    assert hasattr(model, "bgnbd_params_") == (name == "bgnbd")


def test_only_bgnbd_calls_every_one_time_buyer_alive(sample_features):
    one_time = sample_features["frequency_btyd"] == 0
    for name in MODELS:
        alive = CLVModel(model=name).fit(sample_features).predict(sample_features)["p_alive"][one_time]
        assert (alive == 1).all() == (name == "bgnbd") == MODELS[name].one_time_buyers_alive


def test_auto_keeps_the_highest_likelihood_and_says_why(auto_model, sample_features, lifetimes_fits):
    from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter

    f = sample_features
    x, t_x, T = (f[c].to_numpy(float) for c in ("frequency_btyd", "recency_btyd", "T"))
    # the log-likelihoods lifetimes computes at its own estimates: BG/NBD -9582.4 and Pareto/NBD -9595.0 as
    # published (FHL 2005), MBG/NBD a hair above BG/NBD
    mbg = lifetimes_fits["mbgnbd"]
    ll_mbg = -len(x) * ModifiedBetaGeoFitter._negative_log_likelihood(
        np.log(mbg.params_[["r", "alpha", "a", "b"]].to_numpy()), x, t_x, T, np.ones_like(x), 0)
    bg = lifetimes_fits["bgnbd"]
    ll_bg = -len(x) * BetaGeoFitter._negative_log_likelihood(
        np.log(bg.params_[["r", "alpha", "a", "b"]].to_numpy()), x, t_x, T, np.ones_like(x), 0)
    assert round(ll_bg, 1) == -9582.4 and round(ll_mbg, 1) == -9582.1
    assert auto_model.model_ == "mbgnbd"
    candidates = auto_model.model_comparison_
    assert {k: round(v["log_likelihood"], 1) for k, v in candidates.items()} == {
        "bgnbd": -9582.4, "mbgnbd": -9582.1, "pareto_nbd": -9595.0}
    # BIC = 4 ln(2357) - 2 LL, with lifetimes' LL
    assert candidates["mbgnbd"]["bic"] == pytest.approx(4 * np.log(2357) - 2 * ll_mbg, abs=0.01)
    assert auto_model.model_choice_ == (
        "MBG/NBD: lowest BIC 19195.3 on the 2357 customers; all candidates have 4 parameters, so that is the "
        "highest log-likelihood (BG/NBD -9582.4, MBG/NBD -9582.1, Pareto/NBD -9595.0)")
    standards = auto_model.standards()
    assert standards["model"] == "mbgnbd" and standards["model_choice"] == auto_model.model_choice_
    assert standards["model_comparison"]["pareto_nbd"]["bic"] == pytest.approx(bic(-9594.974, 4, 2357), abs=0.01)
    np.testing.assert_allclose(list(auto_model.params_.values()), mbg.params_[["r", "alpha", "a", "b"]], rtol=1e-4)


def test_auto_with_a_holdout_keeps_the_smallest_holdout_error(sample_features, lifetimes_fits):
    f = sample_features
    x, t_x, T = f["frequency_btyd"], f["recency_btyd"], f["T"]
    actual = f["holdout_purchases"].to_numpy(float)
    duration = float(f["holdout_duration"].iloc[0])
    assert duration == pytest.approx(39.0, abs=0.15)  # 1997-10-01 .. 1998-06-30
    # the RMSE of each lifetimes fitter's forecast of the 39 holdout weeks
    rmse = {name: float(np.sqrt(np.mean((fitter.conditional_expected_number_of_purchases_up_to_time(
        duration, x, t_x, T).to_numpy() - actual) ** 2))) for name, fitter in lifetimes_fits.items()}
    model = CLVModel(model="auto").fit(f, f["holdout_purchases"])
    assert model.model_ == min(rmse, key=rmse.get)
    for name, figures in model.model_comparison_.items():
        assert figures["holdout_rmse"] == pytest.approx(rmse[name], rel=1e-3)
    assert model.model_choice_.startswith(f"{MODELS[model.model_].label}: lowest RMSE of the 2357 customers' "
                                          "holdout purchases over")


def test_a_refit_with_another_model_leaves_no_stale_parameters(sample_features):
    model = CLVModel(model="bgnbd").fit(sample_features)
    model.set_params(model="pareto_nbd").fit(sample_features)
    assert not hasattr(model, "bgnbd_params_") and set(model.params_) == {"r", "alpha", "s", "beta"}


def test_a_model_pickled_before_the_choice_predicts_as_bgnbd(sample_features):
    model = CLVModel(model="bgnbd").fit(sample_features)
    expected = model.predict(sample_features)
    for name in ("model_", "model_choice_", "model_comparison_", "params_"):
        delattr(model, name)
    np.testing.assert_array_equal(model.predict(sample_features).to_numpy(), expected.to_numpy())
    assert model.standards()["model"] == "bgnbd" and model.standards()["model_choice"] == "given"


@pytest.mark.parametrize("model", ["BG/NBD", "bgbb", "", None, 3])
def test_an_unknown_model_is_a_one_line_error(model, sample_features):
    with pytest.raises(TierkitError, match=r"^CLVModel: model=.*; expected one of 'bgnbd', 'mbgnbd', "
                                           r"'pareto_nbd', 'auto'$"):
        CLVModel(model=model).fit(sample_features)


def test_the_penalizer_of_any_purchase_model_is_bgnbd_penalizer(sample_features):
    with pytest.warns(UserWarning, match=r"bgnbd_penalizer=0\.01 moved"):
        model = CLVModel(model="pareto_nbd", bgnbd_penalizer=0.01).fit(sample_features)
    assert set(model.penalty_shift_["bgnbd_penalizer"]["unpenalized"]) == {"r", "alpha", "s", "beta"}
