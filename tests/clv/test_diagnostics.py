"""The diagnostics of FHL 2005 for every model, pinned to lifetimes, scipy and counts from the raw data."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import tierkit as tk
from tierkit.clv import diagnostics as dg

FHL = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005, CDNOW sample in weeks
LIFETIMES = {"bgnbd": "BetaGeoFitter", "mbgnbd": "ModifiedBetaGeoFitter", "pareto_nbd": "ParetoNBDFitter"}
PUBLISHED = {"bgnbd": FHL, "mbgnbd": {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614},
             "pareto_nbd": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}}


@pytest.fixture(scope="module")
def sample_tx():
    return tk.load_cdnow(sample=True)


@pytest.fixture(scope="module")
def diag(sample_tx):
    return dg.clv_diagnostics(sample_tx, calibration_end="1997-09-30", holdout_end="1998-06-30", time_unit="W")


def lifetimes_model(name, params):
    import lifetimes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = getattr(lifetimes, LIFETIMES[name])()
    model.params_ = pd.Series(params)
    return model


@pytest.fixture(scope="module")
def purchase_days(sample_tx):
    """Distinct purchase days per customer, counted with pandas alone."""
    return sample_tx[["customer_id", "date"]].drop_duplicates()


def test_bgnbd_is_fitted_to_the_published_estimates(diag):
    assert {k: round(v, 3) for k, v in diag.models["bgnbd"].params.items()} == FHL
    assert round(diag.models["bgnbd"].log_likelihood, 1) == -9582.4  # FHL 2005
    assert round(diag.models["pareto_nbd"].log_likelihood, 1) == -9595.0  # FHL 2005, Pareto/NBD
    assert diag.failed == {}


@pytest.mark.parametrize("name", list(LIFETIMES))
def test_unconditional_expectations_equal_lifetimes(name):
    t = np.array([0.5, 1.0, 10.0, 39.0, 78.0])
    ours = dg.unconditional_expectations(name, PUBLISHED[name], t, max_n=5)
    theirs = lifetimes_model(name, PUBLISHED[name])
    np.testing.assert_allclose(ours["expected_purchases"], theirs.expected_number_of_purchases_up_to_time(t),
                               rtol=1e-6)
    if not hasattr(theirs, "probability_of_n_purchases_up_to_time"):  # lifetimes 0.11 has none for Pareto/NBD
        return
    for n in range(6):
        expected = [float(theirs.probability_of_n_purchases_up_to_time(ti, n)) for ti in t]
        np.testing.assert_allclose(ours[f"P(X={n})"], expected, rtol=1e-5, atol=1e-12)


def test_calibration_histogram_counts_the_raw_purchase_days(diag, purchase_days):
    calibration = purchase_days[purchase_days["date"] <= "1997-09-30"]
    repeat = (calibration.groupby("customer_id").size() - 1).clip(upper=7)
    hand = repeat.value_counts().sort_index().tolist()
    table = diag.models["bgnbd"].histogram
    assert table["actual"].tolist() == hand == [1411, 439, 214, 100, 62, 38, 29, 64]  # FHL 2005, Figure 2
    for d in diag.models.values():
        assert d.histogram["expected"].sum() == pytest.approx(2357)


def test_expected_histogram_is_the_sum_of_each_customers_probabilities(diag, sample_tx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = tk.rfm_features(sample_tx, as_of="1997-09-30", time_unit="W")
    model = lifetimes_model("bgnbd", diag.models["bgnbd"].params)
    T = f["T"].to_numpy()
    expected = [sum(float(model.probability_of_n_purchases_up_to_time(t, n)) for t in T) for n in range(7)]
    np.testing.assert_allclose(diag.models["bgnbd"].histogram["expected"].iloc[:7], expected, rtol=1e-6)


def test_chi_square_agrees_with_scipy_on_the_same_cells(diag):
    for d in diag.models.values():
        test = d.chi_square
        assert min(test["expected"]) >= 5
        scipy_result = stats.chisquare(test["actual"], test["expected"], ddof=4)
        assert test["statistic"] == pytest.approx(scipy_result.statistic)
        assert test["p_value"] == pytest.approx(scipy_result.pvalue)
        assert test["dof"] == len(test["cells"]) - 1 - 4


def test_chi_square_pools_small_cells():
    h = pd.DataFrame({"actual": [90, 6, 3, 1], "expected": [88.0, 7.0, 3.5, 1.5]}, index=["0", "1", "2", "3+"])
    test = dg.chi_square_test(h, n_params=1)
    assert test["cells"] == ["0", "1", "2+3+"] and test["expected"] == [88.0, 7.0, 5.0] and test["dof"] == 1
    # by hand: 4/88 + 1/7 + 1/5
    assert test["statistic"] == pytest.approx(4 / 88 + 1 / 7 + 1 / 5)
    assert test["p_value"] == pytest.approx(stats.chi2.sf(4 / 88 + 1 / 7 + 1 / 5, 1))


@pytest.mark.parametrize("name", ["bgnbd", "pareto_nbd"])
def test_tracking_equals_lifetimes_expected_cumulative_transactions(name, sample_tx):
    from lifetimes.utils import expected_cumulative_transactions

    tracking = dg.repeat_tracking(name, PUBLISHED[name], sample_tx, calibration_end="1997-09-30",
                                  holdout_end="1998-06-30", time_unit="W")
    theirs = expected_cumulative_transactions(lifetimes_model(name, PUBLISHED[name]), sample_tx, "date",
                                              "customer_id", 546, freq="D", freq_multiplier=7)
    assert len(tracking) == 78 == len(theirs)
    np.testing.assert_array_equal(tracking["cumulative_actual"], theirs["actual"])
    np.testing.assert_allclose(tracking["cumulative_predicted"], theirs["predicted"], rtol=1e-6)
    assert (tracking["phase"] == "calibration").sum() == 39


def test_tracking_counts_fhl_repeat_transactions(diag, purchase_days):
    tracking = diag.models["bgnbd"].tracking
    first = purchase_days.groupby("customer_id")["date"].transform("min")
    repeat = purchase_days[purchase_days["date"] > first]
    assert tracking["cumulative_actual"].iloc[38] == (repeat["date"] <= "1997-09-30").sum() == 2457
    assert tracking["cumulative_actual"].iloc[77] == len(repeat) == 2457 + 1882  # FHL 2005: 1882 in the holdout
    assert tracking["actual"].sum() == 4339
    assert tracking["predicted"].sum() == pytest.approx(tracking["cumulative_predicted"].iloc[-1])


def test_tracking_error_at_the_published_estimates(sample_tx):
    tracking = dg.repeat_tracking("bgnbd", FHL, sample_tx, calibration_end="1997-09-30", holdout_end="1998-06-30",
                                  time_unit="W")
    # lifetimes' expected_cumulative_transactions at the FHL estimates: 4171.43 at week 78
    assert dg.tracking_error(tracking) == pytest.approx((4171.4336 - 4339) / 4339, abs=1e-6)


def test_pearson_correlation_and_mae_from_lifetimes_predictions(diag, sample_tx, purchase_days):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = tk.rfm_features(sample_tx, as_of="1997-09-30", time_unit="W")
    holdout = purchase_days[(purchase_days["date"] > "1997-09-30") & (purchase_days["date"] <= "1998-06-30")]
    actual = holdout.groupby("customer_id").size().reindex(f.index, fill_value=0).to_numpy()
    for name in ("bgnbd", "pareto_nbd"):
        model = lifetimes_model(name, diag.models[name].params)
        predicted = model.conditional_expected_number_of_purchases_up_to_time(
            39, f["frequency_btyd"].to_numpy(), f["recency_btyd"].to_numpy(), f["T"].to_numpy())
        d = diag.models[name]
        assert d.pearson_corr == pytest.approx(np.corrcoef(predicted, actual)[0, 1], rel=1e-5)
        assert d.mae == pytest.approx(np.abs(predicted - actual).mean(), rel=1e-5)


def test_conditional_expectations_match_validate_clv(diag, sample_tx):
    v = tk.validate_clv(sample_tx, calibration_end="1997-09-30", holdout_end="1998-06-30", time_unit="W",
                        model=tk.CLVModel(model="bgnbd"))
    pd.testing.assert_frame_equal(diag.models["bgnbd"].conditional, v.by_frequency, rtol=1e-6)


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd"])
def test_matrices_equal_lifetimes(name, diag):
    d = diag.models[name]
    model = lifetimes_model(name, d.params)
    T = 38.857142857142854  # the largest T of the sample: 272 days
    alive, conditional = d.p_alive_matrix, d.frequency_recency_matrix
    assert alive.shape == (30, 39) and alive.index.max() == 29  # frequency up to the largest x, recency 0..38
    for x, t_x in [(0, 0), (1, 0), (2, 30), (10, 38), (29, 20), (5, 5)]:
        assert alive.loc[x, t_x] == pytest.approx(np.ravel(model.conditional_probability_alive(x, t_x, T))[0], rel=1e-6)
        assert conditional.loc[x, t_x] == pytest.approx(
            np.ravel(model.conditional_expected_number_of_purchases_up_to_time(1, x, t_x, T))[0], rel=1e-6)
    assert np.isnan(alive.loc[0, 5]) and np.isnan(conditional.loc[0, 5])  # no such history


def test_comparison_side_by_side(diag):
    table = diag.comparison
    assert list(table.index) == ["BG/NBD", "MBG/NBD", "Pareto/NBD"]
    for d in diag.models.values():
        row = table.loc[d.label]
        assert row["bic"] == pytest.approx(-2 * d.log_likelihood + 4 * np.log(2357))
        assert row["tracking_error"] == d.tracking_error and row["pearson_corr"] == d.pearson_corr
        assert row["mae"] == d.mae


def test_to_dict_is_plain_json(diag):
    import json

    out = diag.to_dict()
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert set(out["models"]) == {"bgnbd", "mbgnbd", "pareto_nbd"}
    for figures in out["models"].values():
        assert {"tracking_error", "pearson_corr", "chi_square", "histogram", "tracking"} <= set(figures)


def test_plots_are_pngs(diag, tmp_path):
    from tierkit.reporting.charts.clv_diagnostics import write_diagnostic_plots

    paths = write_diagnostic_plots(diag, tmp_path, lang="zh")
    names = {p.name for p in paths}
    assert {"clv_model_comparison.png", "clv_tracking_bgnbd.png", "clv_histogram_pareto_nbd.png",
            "clv_p_alive_mbgnbd.png"} <= names
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)


def test_unknown_model_is_refused(sample_tx):
    with pytest.raises(tk.TierkitError, match="expected some of bgnbd, mbgnbd, pareto_nbd"):
        dg.clv_diagnostics(sample_tx, calibration_end="1997-09-30", holdout_end="1998-06-30", models=["bgbb"])


@pytest.fixture(scope="module")
def sample_csv(sample_tx, tmp_path_factory):
    """The CDNOW sample as a CSV with a header (the shipped file has none)."""
    path = tmp_path_factory.mktemp("cdnow") / "cdnow_sample.csv"
    sample_tx.to_csv(path, index=False)
    return path


CLI = ["--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30", "--time-unit", "W"]


def test_cli_validate_prints_every_diagnostic_for_every_model(sample_csv, capsys):
    from tierkit.cli.main import main

    assert main(["validate", str(sample_csv), *CLI]) == 0
    out = capsys.readouterr().out
    blocks = out.split("\n== ")[1:]
    assert [b.split(":")[0] for b in blocks] == ["BG/NBD", "MBG/NBD", "Pareto/NBD"]
    for block in blocks:
        for heading in ("log-likelihood", "BIC", "unconditional expectations E[X(t)] and P(X(t)=n)",
                        "calibration histogram of repeat purchases", "chi-square", "dof 3",
                        "tracking of repeat purchases by week", "tracking error at the end of the holdout",
                        "conditional expectations", "Pearson correlation", "P(alive) matrix",
                        "frequency-recency matrix"):
            assert heading in block, heading
        assert "1411" in block and "4,339 actual" in block  # histogram cell 0 and the cumulative actual count
    assert "BG/NBD: r 0.2426, alpha 4.414, a 0.7929, b 2.426; log-likelihood -9582.4, BIC 19195.9" in out
    comparison = out.split("model comparison on the same holdout:")[1]
    assert all(label in comparison for label in ("BG/NBD", "MBG/NBD", "Pareto/NBD"))


def test_cli_validate_prints_every_diagnostic_in_chinese(sample_csv, capsys):
    from tierkit.cli.main import main

    assert main(["validate", str(sample_csv), *CLI, "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    blocks = out.split("\n== ")[1:]
    assert [b.split(":")[0] for b in blocks] == ["BG/NBD", "MBG/NBD", "Pareto/NBD"]
    for block in blocks:
        for heading in ("对数似然", "无条件期望 E[X(t)] 与 P(X(t)=n)", "校准期重复购买次数分布", "卡方", "自由度 3",
                        "按周跟踪重复购买", "验证期末的跟踪误差", "条件期望", "Pearson 相关系数", "P(alive) 矩阵",
                        "频率-最近购买矩阵"):
            assert heading in block, heading
        assert "实际 4,339" in block
    assert "2,357 位客户; 拟合至 1997-09-30, 验证期至 1998-06-30 (39 周)" in out and "同一验证期上的模型比较:" in out
    for english in ("log-likelihood", "customers;", "tracking error", "chi-square", "model comparison"):
        assert english not in out, english


def test_cli_validate_json_has_tracking_error_and_pearson_per_model(sample_csv, diag, tmp_path, capsys):
    import json

    from tierkit.cli.main import main

    assert main(["validate", str(sample_csv), *CLI, "--json", "--plots", str(tmp_path), "--lang", "zh"]) == 0

    def strict(constant):  # a bare NaN or Infinity is not JSON: strict parsers refuse it
        raise AssertionError(f"{constant} in the --json output")

    figures = json.loads(capsys.readouterr().out, parse_constant=strict)
    models = figures["diagnostics"]["models"]
    assert set(models) == {"bgnbd", "mbgnbd", "pareto_nbd"}
    for name, d in diag.models.items():
        assert models[name]["tracking_error"] == pytest.approx(d.tracking_error)
        assert models[name]["pearson_corr"] == pytest.approx(d.pearson_corr)
    assert models["bgnbd"]["histogram"][0] == {"repeat_purchases": "0", "actual": 1411,
                                               "expected": pytest.approx(diag.models["bgnbd"].histogram.iloc[0, 1])}
    written = {p.name for p in tmp_path.glob("*.png")}
    for name in ("bgnbd", "mbgnbd", "pareto_nbd"):
        for chart in ("tracking", "tracking_cumulative", "histogram", "conditional", "p_alive", "frequency_recency"):
            assert f"clv_{chart}_{name}.png" in written
    assert "clv_model_comparison.png" in written and len(figures["plots"]) == len(written) == 21


def test_cli_validate_one_model(sample_csv, capsys):
    from tierkit.cli.main import main

    assert main(["validate", str(sample_csv), *CLI, "--models", "pareto_nbd"]) == 0
    out = capsys.readouterr().out
    assert "== Pareto/NBD" in out and "== BG/NBD" not in out
