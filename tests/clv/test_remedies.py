"""Advice that works: every remedy a CLV message suggests is applied exactly as written and does what
it promises; a penalty that was not needed says how far it moved the model (CDNOW, against lifetimes)."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.clv import CLVModel, bgnbd
from tierkit.clv._optimize import RUNAWAY
from tierkit.errors import ModelError
from tierkit.evaluation.alerts import grading_alerts


@pytest.fixture(scope="module")
def sample_features():
    """The CDNOW sample (2,357 customers) as of 1997-09-30 in weeks, as in Fader, Hardie & Lee (2005)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tk.rfm_features(tk.load_cdnow(sample=True), as_of="1997-09-30", time_unit="W")


def never_leaving() -> pd.DataFrame:
    """50 customers who all bought again on the last day of the period, 1-5 repeat purchases each: nobody is
    seen to drop out and the counts vary less than Poisson counts would, so BG/NBD has no interior optimum."""
    T = np.linspace(20, 40, 50)
    return pd.DataFrame({"frequency_btyd": np.tile([1.0, 2, 3, 4, 5], 10), "recency_btyd": T, "T": T,
                         "monetary_btyd": np.random.default_rng(0).gamma(2.0, 10.0, 50)},
                        index=pd.Index([f"c{i}" for i in range(50)], name="customer_id"))


def suggested(message: str) -> dict:
    """The ``name=value`` remedy a message suggests, as CLVModel keyword arguments."""
    found = re.search(r"try a penalizer, e\.g\. (\w+)=([0-9.]+)", message)
    assert found, message
    return {found.group(1): float(found.group(2))}


def test_the_bgnbd_remedy_brings_the_runaway_parameter_back_inside(sample_features):
    f = never_leaving()
    # Maximum likelihood alone, as lifetimes, fails. How the optimiser stops on the way out (the reason in
    # brackets: "r ran off towards infinity", or L-BFGS-B's own "ABNORMAL: " after a failed line search)
    # depends on the machine's floating point and BLAS; that it fails, and the advice, do not.
    with pytest.raises(ModelError, match=r"^BG/NBD: the fit did not converge \(.+\); try a penalizer") as err:
        CLVModel(model="bgnbd", prior="none").fit(f)
    remedy = suggested(str(err.value))
    assert remedy == {"bgnbd_penalizer": 0.001}
    model = CLVModel(model="bgnbd", prior="none", **remedy).fit(f)  # exactly the advice: the fit now converges ...
    assert model.fit_method_["bgnbd"]["method"] == "mle"
    params = model.bgnbd_params_
    # ... and why the plain fit has nowhere to stop, with no optimiser involved: along r, alpha -> infinity
    # (their ratio, the purchase rate, kept) the likelihood rises without end -- the counts vary less than
    # Poisson counts would. The same on every machine.
    x, t_x, T = (f[c].to_numpy() for c in ("frequency_btyd", "recency_btyd", "T"))
    along = [float(bgnbd.log_likelihood(np.array([params["r"] * k, params["alpha"] * k, params["a"], params["b"]]),
                                        x, t_x, T).sum()) for k in (1, 10, 100, 1e3, RUNAWAY)]
    assert all(later > earlier for earlier, later in zip(along, along[1:], strict=False)), along
    # the parameters that ran off (r and the time-scaled alpha, of order one) are back inside the parameter
    # space, far from the boundary
    scale = 1 / f["T"].max()
    assert 1 / RUNAWAY < params["r"] < RUNAWAY and 1 / RUNAWAY < params["alpha"] * scale < RUNAWAY
    assert np.isfinite(model.predict(f).select_dtypes("number").to_numpy()).all()
    # the penalty was needed (the plain fit has no optimum): nothing to compare it with, no shift notice
    assert model.penalty_shift_ == {}


def test_the_gamma_gamma_remedy_makes_the_fit_converge(sample_features):
    # every repeat customer spends exactly 20 a purchase day: the spends differ by nothing, q and v run off
    # together and the unpenalised Gamma-Gamma fit ends on non-finite values
    f = sample_features.copy()
    repeat = f["frequency_btyd"] > 0
    f.loc[repeat, "monetary_btyd"] = 20.0
    with pytest.raises(ModelError, match=r"Gamma-Gamma: the fit did not converge") as err:
        CLVModel(model="bgnbd", prior="none").fit(f)  # maximum likelihood alone, as lifetimes
    remedy = suggested(str(err.value))
    assert remedy == {"gg_penalizer": 0.001}
    model = CLVModel(model="bgnbd", prior="none", **remedy).fit(f)
    assert all(np.isfinite(v) and 0 < v for v in model.gamma_gamma_params_.values())
    spend = model.predict(f)["expected_spend"]
    # a sensible model too: repeat customers who always spent 20 are expected to spend about 20
    assert spend[repeat].between(19, 22).all()
    assert "gg_penalizer" not in model.penalty_shift_


def test_an_unneeded_bgnbd_penalty_says_how_far_it_moved_the_parameters(sample_features, monkeypatch):
    from lifetimes import BetaGeoFitter

    f = sample_features
    x, t_x, T = f["frequency_btyd"], f["recency_btyd"], f["T"]
    plain = BetaGeoFitter().fit(x, t_x, T).params_
    shrunk = BetaGeoFitter(penalizer_coef=0.001).fit(x, t_x, T).params_
    assert round(plain["a"], 2) == 0.79 and round(shrunk["a"], 2) == 0.50  # the shift the issue reports
    fits = []
    real_fit = bgnbd.fit_bgnbd  # CLVModel reaches it through the model table (tierkit.clv.family)
    monkeypatch.setattr(bgnbd, "fit_bgnbd", lambda *a, **k: fits.append(k.get("penalizer", 0)) or real_fit(*a, **k))
    with pytest.warns(UserWarning, match=r"bgnbd_penalizer=0\.001 moved .*the penalty is not needed") as caught:
        model = CLVModel(model="bgnbd", bgnbd_penalizer=0.001).fit(f)
    assert fits == [0.001, 0]  # the unpenalised fit is run once, for the comparison
    notice = next(str(w.message) for w in caught if "moved" in str(w.message))
    change = 100 * (shrunk["a"] / plain["a"] - 1)
    assert f"a {plain['a']:.3g} -> {shrunk['a']:.3g} ({change:+.0f} %)" in notice  # a 0.793 -> 0.498 (-37 %)
    shift = model.standards()["penalty_shift"]["bgnbd_penalizer"]
    assert shift["penalizer"] == 0.001
    for name in ("r", "alpha", "a", "b"):
        assert shift["unpenalized"][name] == pytest.approx(plain[name], rel=1e-4)
        assert shift["penalized"][name] == pytest.approx(shrunk[name], rel=1e-4)
        assert model.bgnbd_params_[name] == shift["penalized"][name]
    # r and alpha hardly move (< 1 %): only what moved is named
    assert " r " not in f" {notice}" and "alpha" not in notice and "b 2.43 -> 1.32" in notice


def test_the_alerts_name_the_shift_in_both_languages(sample_features):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segmentation = tk.Segmentation(clv=CLVModel(model="bgnbd", bgnbd_penalizer=0.001),
                                       lifecycle=False).fit(sample_features)
    table = segmentation.transform(sample_features)
    english = [a for a in grading_alerts(segmentation, table) if "moved" in a]
    assert english == ["CLV: bgnbd_penalizer=0.001 moved a 0.793 -> 0.498 (-37 %), b 2.43 -> 1.32 (-45 %) from "
                       "the unpenalised fit, which converges on these data; the penalty is not needed to fit them"]
    chinese = [a for a in grading_alerts(segmentation, table, lang="zh") if "bgnbd_penalizer" in a]
    assert chinese == ["CLV: bgnbd_penalizer=0.001 使参数偏离未加惩罚的拟合: a 0.793 -> 0.498 (-37 %), "
                       "b 2.43 -> 1.32 (-45 %); 这些数据不加惩罚也能收敛, 无需惩罚项"]


def test_no_penalizer_no_second_fit_and_no_notice(sample_features, monkeypatch):
    fits = []
    real_fit = bgnbd.fit_bgnbd  # CLVModel reaches it through the model table (tierkit.clv.family)
    monkeypatch.setattr(bgnbd, "fit_bgnbd", lambda *a, **k: fits.append(k.get("penalizer", 0)) or real_fit(*a, **k))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = CLVModel(model="bgnbd").fit(sample_features)
    assert fits == [0.0] and model.penalty_shift_ == {} and model.standards()["penalty_shift"] == {}


def test_an_unneeded_gamma_gamma_penalty_is_named_too(sample_features):
    from lifetimes import GammaGammaFitter

    repeat = sample_features[sample_features["frequency_btyd"] > 0]
    plain = GammaGammaFitter().fit(repeat["frequency_btyd"], repeat["monetary_btyd"]).params_
    with pytest.warns(UserWarning, match=r"gg_penalizer=0\.001 moved p ") as caught:
        model = CLVModel(model="bgnbd", gg_penalizer=0.001).fit(sample_features)
    shift = model.penalty_shift_["gg_penalizer"]
    for name in ("p", "q", "v"):
        assert shift["unpenalized"][name] == pytest.approx(plain[name], rel=1e-3)
    change = 100 * (shift["penalized"]["p"] / plain["p"] - 1)
    assert any(f"p {plain['p']:.3g} -> {shift['penalized']['p']:.3g} ({change:+.0f} %)" in str(w.message)
               for w in caught)


def never_leaving_transactions() -> pd.DataFrame:
    """``never_leaving`` as transactions: each customer's last purchase is on the observation date."""
    as_of = pd.Timestamp("2021-06-30")
    rows = []
    for i in range(50):
        age, repeats = 20 + i % 21, 1 + i % 5
        for k in range(repeats + 1):
            rows.append((f"c{i:02d}", as_of - pd.Timedelta(days=round(age * (1 - k / repeats))), 10.0 + i))
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


def one_spend_transactions() -> pd.DataFrame:
    """The CDNOW sample, one purchase of 20 per customer and day: every repeat customer's mean spend is 20."""
    tx = tk.load_cdnow(sample=True)
    days = tx.assign(date=tx["date"].dt.normalize())[["customer_id", "date"]].drop_duplicates()
    return days.assign(amount=20.0)


@pytest.mark.parametrize("make, flag, as_of", [
    (never_leaving_transactions, "--bgnbd-penalizer", "2021-06-30"),
    (one_spend_transactions, "--gg-penalizer", "1997-09-30"),
])
def test_the_cli_suggests_its_own_option_and_that_option_works(tmp_path, capsys, make, flag, as_of):
    make().to_csv(tmp_path / "tx.csv", index=False)
    base = ["segment", str(tmp_path / "tx.csv"), "--as-of", as_of, "--out", str(tmp_path / "s.csv"),
            "--no-clusters", "--clv", "--prior", "none"]
    assert main(base) == 2
    err = capsys.readouterr().err
    found = re.search(rf"try a penalizer, e\.g\. ({flag}=[0-9.]+)$", err.strip())
    assert found, err  # the advice is spelled as the option to type
    assert main([*base, found.group(1)]) == 0, capsys.readouterr().err
    graded = pd.read_csv(tmp_path / "s.csv")
    assert graded["clv"].notna().all() and np.isfinite(graded["clv"]).all()


def test_when_the_cli_leaves_clv_out_its_warning_gives_the_option_that_keeps_it(tmp_path, capsys):
    never_leaving_transactions().to_csv(tmp_path / "tx.csv", index=False)
    base = ["segment", str(tmp_path / "tx.csv"), "--as-of", "2021-06-30", "--out", str(tmp_path / "s.csv"),
            "--no-clusters", "--prior", "none"]
    assert main(base) == 0  # CLV is optional by default: left out with a warning
    err = capsys.readouterr().err
    found = re.search(r"tierkit: warning: clv step left out: .*try a penalizer, e\.g\. (--bgnbd-penalizer=[0-9.]+)",
                      err)
    assert found, err
    assert "clv" not in pd.read_csv(tmp_path / "s.csv").columns
    assert main([*base, found.group(1)]) == 0
    assert "clv step left out" not in capsys.readouterr().err
    assert np.isfinite(pd.read_csv(tmp_path / "s.csv")["clv"]).all()


def test_by_default_one_spend_for_everyone_is_everyone_s_expected_spend(sample_features):
    f = sample_features.copy()
    repeat = f["frequency_btyd"] > 0
    f.loc[repeat, "monetary_btyd"] = 20.0
    with pytest.warns(UserWarning, match=r"Gamma-Gamma: every repeat customer's mean spend is 20: spend is one"):
        model = CLVModel(model="bgnbd").fit(f)
    assert model.fit_method_["gamma_gamma"]["method"] == "constant"
    spend = model.predict(f, interval=0.9)
    paid = f["monetary"] > 0
    np.testing.assert_allclose(spend.loc[paid, "expected_spend"], 20.0, rtol=1e-9)
    assert np.isfinite(list(model.params_se_["gamma_gamma"].values())).all()
