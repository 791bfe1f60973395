"""Holdout validation of the CLV model, in Python and from the CLI."""

import json

import numpy as np
import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.datasets import cdnow_path


@pytest.fixture(scope="module")
def sample_tx():
    return tk.load_cdnow(sample=True)


@pytest.fixture(scope="module")
def validation(sample_tx):
    return tk.validate_clv(sample_tx, calibration_end="1997-09-30", holdout_end="1998-06-30", time_unit="W",
                           model=tk.CLVModel(model="bgnbd"))  # FHL 2005's model


def test_actual_holdout_purchases_are_counted_from_the_raw_transactions(sample_tx, validation):
    tx = sample_tx
    calibration = tx[tx["date"] <= "1997-09-30"]
    holdout = tx[(tx["date"] > "1997-09-30") & (tx["date"] <= "1998-06-30") & (tx["amount"] >= 0)]
    holdout = holdout[holdout["customer_id"].isin(calibration["customer_id"])]
    purchase_days = holdout.groupby("customer_id")["date"].nunique()
    assert validation.actual_total == purchase_days.sum()
    assert len(validation.customers) == calibration["customer_id"].nunique() == 2357
    assert validation.holdout_duration == pytest.approx(273 / 7)


def test_figures_are_consistent(validation):
    v = validation
    table = v.by_frequency
    assert list(table.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["customers"].sum() == 2357
    assert table["predicted"].is_monotonic_increasing
    error = v.customers["predicted_purchases"] - v.customers["actual_purchases"]
    assert v.mae == pytest.approx(error.abs().mean()) and v.rmse == pytest.approx(np.sqrt((error**2).mean()))
    assert v.aggregate_error_pct == pytest.approx(100 * (v.predicted_total - v.actual_total) / v.actual_total)
    assert 0 < v.spearman < 1
    assert 0.1 < v.top_decile_capture <= v.top_decile_ideal <= 1
    assert {k: round(x, 3) for k, x in v.bgnbd_params.items()} == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_plots_are_pngs(validation, tmp_path):
    from tierkit.reporting.charts.clv_validation import write_validation_plots

    paths = write_validation_plots(validation, tmp_path / "plots")
    assert [p.name for p in paths] == ["clv_conditional_expectation.png", "clv_value_capture.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)


@pytest.fixture(scope="module")
def sample_csv(sample_tx, tmp_path_factory):
    """The CDNOW sample as a CSV with a header (the shipped file has none)."""
    path = tmp_path_factory.mktemp("cdnow") / "cdnow_sample.csv"
    sample_tx.to_csv(path, index=False)
    return path


def test_cli_validate_json_on_cdnow(sample_csv, tmp_path, capsys):
    code = main(["validate", str(sample_csv), "--clv-model", "bgnbd", "--calibration-end",
                 "1997-09-30", "--holdout-end", "1998-06-30", "--time-unit", "W", "--json", "--plots",
                 str(tmp_path)])
    assert code == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["customers"] == 2357 and len(figures["by_frequency"]) == 8
    assert round(figures["log_likelihood"], 1) == -9582.4
    assert len(figures["plots"]) == 2 + 1 + 6 * 3  # validation, model comparison, six diagnostics per model


def test_cli_validate_on_the_full_cdnow_master_file(capsys):
    code = main(["validate", str(cdnow_path()), "--clv-model", "bgnbd", "--amount-col", "dollar_value",
                 "--calibration-end", "1997-09-30",
                 "--holdout-end", "1998-06-30"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("23,570 customers; fitted to 1997-09-30, holdout to 1998-06-30 (273 days)")
    assert "conditional expectations" in out and "7+" in out


def test_cli_validate_bad_dates_is_one_line(sample_csv, capsys):
    code = main(["validate", str(sample_csv), "--clv-model", "bgnbd", "--calibration-end",
                 "1998-06-30", "--holdout-end", "1997-09-30"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "holdout_end" in err[0]


def test_to_dict_is_plain_json(validation):
    figures = validation.to_dict()
    assert json.loads(json.dumps(figures)) == figures
    assert figures["by_frequency"][0] == {
        "calibration_repeat_purchases": "0", "customers": 1411,
        "actual": pytest.approx(validation.by_frequency.loc["0", "actual"]),
        "predicted": pytest.approx(validation.by_frequency.loc["0", "predicted"])}


def test_plots_draw_on_the_given_axes(validation):
    from matplotlib.figure import Figure

    from tierkit.reporting.charts.clv_validation import plot_conditional_expectation, plot_value_capture

    left, right = Figure().subplots(1, 2)
    assert plot_conditional_expectation(validation, ax=left) is left
    assert plot_value_capture(validation, ax=right) is right
    assert len(left.lines) == 2 and len(right.lines) == 3


def test_holdout_must_follow_calibration(sample_tx):
    with pytest.raises(tk.TierkitError, match="holdout_end: 1997-09-30 must be after calibration_end 1997-10-31"):
        tk.validate_clv(sample_tx, calibration_end="1997-10-31", holdout_end="1997-09-30")


def test_validation_is_deterministic(sample_tx, validation):
    again = tk.validate_clv(sample_tx, calibration_end="1997-09-30", holdout_end="1998-06-30", time_unit="W",
                            model=tk.CLVModel(model="bgnbd"))
    assert again.to_dict() == validation.to_dict()


def test_cli_validate_too_few_repeat_customers_is_one_line(tmp_path, capsys):
    path = tmp_path / "tiny.csv"
    path.write_text("customer_id,date,amount\na,2021-01-05,10\na,2021-01-20,12\nb,2021-01-07,5\nb,2021-03-02,7\n")
    code = main(["validate", str(path), "--calibration-end", "2021-02-01", "--holdout-end", "2021-04-01"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "only 1 of 2 customers bought more than once" in err[0]


def test_cli_validate_text_output_on_the_sample(sample_csv, capsys):
    code = main(["validate", str(sample_csv), "--clv-model", "bgnbd", "--calibration-end", "1997-09-30",
                 "--holdout-end", "1998-06-30",
                 "--time-unit", "W"])
    out = capsys.readouterr().out
    assert code == 0
    assert "BG/NBD: r 0.2426, alpha 4.414, a 0.7929, b 2.426; log-likelihood -9582.4" in out
    assert "Gamma-Gamma: p 6.25, q 3.744, v 15.44" in out
