"""The naive baseline of the holdout validation: each customer's past repeat rate, carried on."""

import json
import re

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.clv.validation import FIGURES, forecast_figures, naive_forecast
from tierkit.datasets import cdnow_path

# A hand-computed case: five customers, a holdout of 10 days.
#
#      x   T   mean repeat spend | naive = x / T * 10 | value = naive x spend | actual purchases, spend
#  A   2  20   10                | 1.0                | 10                    | 2, 25
#  B   0   5   - (no repeat: 0)  | 0                  |  0                    | 0,  0
#  C   4  10    5                | 4.0                | 20                    | 3, 12
#  D   1  40    8                | 0.25               |  2                    | 0,  0
#  E   0   0   - (T = 0: 0)      | 0                  |  0                    | 1, 30
#
# errors naive - actual: -1, 0, +1, +0.25, -1
#   MAE  = (1 + 0 + 1 + 0.25 + 1) / 5 = 0.65
#   RMSE = sqrt((1 + 0 + 1 + 0.0625 + 1) / 5) = sqrt(0.6125)
#   totals: predicted 5.25, actual 6 -> aggregate error (5.25 - 6) / 6 = -12.5 %
# Spearman of value (10, 0, 20, 2, 0) and spend (25, 0, 12, 0, 30), average ranks for ties:
#   value ranks (4, 1.5, 5, 3, 1.5), spend ranks (4, 1.5, 3, 1.5, 5), both of mean 3;
#   deviations (1, -1.5, 2, 0, -1.5) and (1, -1.5, 0, -1.5, 2): products sum to 1 + 2.25 - 3 = 0.25,
#   squares to 9.5 each -> rho = 0.25 / 9.5 = 1 / 38
# top decile: max(1, round(5 / 10)) = 1 customer, the highest value is C, who spent 12 of 67 -> 12 / 67
HAND = pd.DataFrame({"x": [2, 0, 4, 1, 0], "T": [20.0, 5.0, 10.0, 40.0, 0.0], "spend": [10.0, 0.0, 5.0, 8.0, 0.0],
                     "actual": [2, 0, 3, 0, 1], "actual_spend": [25.0, 0.0, 12.0, 0.0, 30.0]},
                    index=list("ABCDE"))
HAND_FIGURES = {"mae": 0.65, "rmse": np.sqrt(0.6125), "aggregate_error_pct": -12.5, "predicted_total": 5.25,
                "spearman": 1 / 38, "top_decile_capture": 12 / 67}


def test_naive_forecast_by_hand():
    np.testing.assert_allclose(naive_forecast(HAND["x"], HAND["T"], 10.0), [1.0, 0.0, 4.0, 0.25, 0.0])


def test_baseline_figures_by_hand():
    naive = naive_forecast(HAND["x"], HAND["T"], 10.0)
    figures = forecast_figures(naive, naive * HAND["spend"], HAND["actual"], HAND["actual_spend"])
    assert list(figures) == list(FIGURES)
    assert figures == pytest.approx(HAND_FIGURES, rel=1e-12)


def hand_transactions(copies: int) -> pd.DataFrame:
    """The five customers of the hand case as transactions (first purchases at 20), ``copies`` times over.

    Calibration to 2021-03-31, holdout to 2021-04-10 (10 days).
    """
    rows = [("A", "2021-03-11", 20), ("A", "2021-03-15", 10), ("A", "2021-03-25", 10),
            ("A", "2021-04-02", 15), ("A", "2021-04-05", 10),
            ("B", "2021-03-26", 20),
            ("C", "2021-03-21", 20), ("C", "2021-03-23", 4), ("C", "2021-03-25", 6), ("C", "2021-03-27", 5),
            ("C", "2021-03-29", 5), ("C", "2021-04-01", 4), ("C", "2021-04-03", 4), ("C", "2021-04-08", 4),
            ("D", "2021-02-19", 20), ("D", "2021-03-01", 8),
            ("E", "2021-03-31", 20), ("E", "2021-04-09", 30)]
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    tx["date"] = pd.to_datetime(tx["date"])
    return pd.concat([tx.assign(customer_id=tx["customer_id"] + str(i)) for i in range(1, copies + 1)],
                     ignore_index=True)


@pytest.mark.filterwarnings("ignore::UserWarning")  # the model's complaints about 20 customers
def test_validate_clv_reports_the_hand_computed_baseline():
    # Four copies of each customer: the model needs 10 repeat customers to fit. The fit only has to run (with
    # penalties, on so few customers); the baseline does not depend on it. The
    # figures are those of the hand case: the errors and totals scale alike, the value ranks are a linear
    # function of the five customers' ranks (same Spearman), and the top decile is 2 of the 4 copies of C:
    # 2 x 12 of 4 x 67.
    v = tk.validate_clv(hand_transactions(4), calibration_end="2021-03-31", holdout_end="2021-04-10",
                        model=tk.CLVModel(bgnbd_penalizer=0.01, gg_penalizer=0.01))
    assert v.holdout_duration == 10.0
    expected = {**HAND_FIGURES, "predicted_total": 4 * 5.25, "top_decile_capture": (2 * 12) / (4 * 67)}
    assert v.baseline == pytest.approx(expected, rel=1e-12)
    by_customer = v.customers.groupby(v.customers.index.str[0])[["baseline_purchases", "baseline_value"]].first()
    np.testing.assert_allclose(by_customer["baseline_purchases"], [1.0, 0.0, 4.0, 0.25, 0.0])
    np.testing.assert_allclose(by_customer["baseline_value"], [10.0, 0.0, 20.0, 2.0, 0.0])
    assert v.to_dict()["baseline"] == pytest.approx(expected, rel=1e-12)


@pytest.fixture(scope="module")
def sample_tx():
    return tk.load_cdnow(sample=True)


@pytest.fixture(scope="module")
def validation(sample_tx):
    return tk.validate_clv(sample_tx, calibration_end="1997-09-30", holdout_end="1998-06-30", time_unit="W")


def test_model_and_baseline_figures_come_from_one_function(validation):
    c = validation.customers
    actual = (c["actual_purchases"], c["actual_spend"])
    assert forecast_figures(c["predicted_purchases"], c["predicted_value"], *actual) == {
        k: getattr(validation, k) for k in FIGURES}
    assert forecast_figures(c["baseline_purchases"], c["baseline_value"], *actual) == validation.baseline
    assert set(validation.to_dict()["baseline"]) == set(FIGURES)


def test_naive_mae_on_cdnow_from_the_raw_file_with_plain_pandas(validation):
    """An independent count: the shipped text file read by pandas, no tierkit feature code."""
    raw = pd.read_csv(cdnow_path(sample=True), sep=r"\s+", header=None,
                      names=["customer", "sample_id", "date", "cds", "dollars"], dtype={"customer": str})
    raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    raw = raw[raw["dollars"] >= 0]  # a purchase day has a line of non-negative amount
    cal_end, holdout_end = pd.Timestamp("1997-09-30"), pd.Timestamp("1998-06-30")
    calibration = raw[raw["date"] <= cal_end].groupby("customer")["date"].agg(["min", "nunique"])
    x = calibration["nunique"] - 1
    T = (cal_end - calibration["min"]).dt.days / 7
    duration = (holdout_end - cal_end).days / 7
    naive = (x / T).where(T > 0, 0.0) * duration
    holdout = raw[(raw["date"] > cal_end) & (raw["date"] <= holdout_end)]
    actual = holdout.groupby("customer")["date"].nunique().reindex(calibration.index, fill_value=0)
    error = naive - actual
    assert len(error) == len(validation.customers) == 2357
    assert validation.baseline["mae"] == pytest.approx(error.abs().mean(), rel=1e-12)
    assert validation.baseline["rmse"] == pytest.approx(np.sqrt((error**2).mean()), rel=1e-12)
    assert validation.baseline["predicted_total"] == pytest.approx(naive.sum(), rel=1e-12)
    assert round(validation.baseline["mae"], 4) == 1.0237


@pytest.fixture(scope="module")
def sample_csv(sample_tx, tmp_path_factory):
    path = tmp_path_factory.mktemp("cdnow") / "cdnow_sample.csv"
    sample_tx.to_csv(path, index=False)
    return path


CLI = ["--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30", "--time-unit", "W", "--models", "bgnbd"]


def test_cli_validate_json_has_the_baseline(sample_csv, validation, capsys):
    assert main(["validate", str(sample_csv), *CLI, "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["baseline"] == pytest.approx(validation.baseline)
    assert figures["mae"] == pytest.approx(validation.mae)


@pytest.mark.parametrize("lang, heading, labels", [
    ("en", "the model against a naive baseline on the same customers",
     ["figure", "MBG/NBD", "naive baseline"]),
    ("zh", "模型与朴素基线在同一批客户上的对比", ["指标", "MBG/NBD", "朴素基线"]),
])
def test_cli_validate_prints_the_model_beside_the_baseline(sample_csv, validation, capsys, lang, heading, labels):
    assert main(["validate", str(sample_csv), *CLI, "--lang", lang]) == 0
    out = capsys.readouterr().out
    lines = out.split(heading)[1].splitlines()[1:7]
    assert re.split(r"\s{2,}", lines[0].strip()) == labels  # columns are 2 spaces apart at least
    mae = lines[1].split()[-2:]
    assert mae == [f"{validation.mae:.3f}", f"{validation.baseline['mae']:.3f}"]
    capture = lines[5].split()[-2:]
    assert capture == [f"{validation.top_decile_capture:.1%}", f"{validation.baseline['top_decile_capture']:.1%}"]
    if lang == "zh":
        assert "naive baseline" not in out and "aggregate error" not in out
