import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from tierkit.cli.main import main
from tierkit.errors import TierkitError

TX = "customer_id,date,amount\n001,2021-01-05,100\n001,2021-03-01,50\n002,2021-02-10,20\n003,2021-03-28,5\n" \
     "003,2021-03-30,-2\n004,2020-06-01,300\n"


#: Four customers: too few for the CLV models and for clusters worth the name.
SMALL = ["--no-clv", "--no-clusters"]


def test_a_small_base_is_graded_by_default_and_the_warnings_say_what_was_left_out(tx_file, tmp_path, capsys):
    """Four customers, one of them a repeat buyer: no CLV, no clusters, lifecycle by its default rules."""
    out = tmp_path / "o.csv"
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "tierkit: warning: clv step left out: CLVModel: only 1 of 4 customers bought more than once" in err
    assert "tierkit: warning: value_potential step left out: needs the predicted CLV that was left out" in err
    assert "tierkit: warning: clusters step left out: " in err and "too few" in err
    table = pd.read_csv(out, dtype={"customer_id": str})
    assert len(table) == 4 and "clv" not in table.columns and "cluster" not in table.columns
    assert table["lifecycle_stage"].notna().all() and table["rfm_class"].notna().all()


def test_forced_clv_that_the_data_cannot_support_is_an_error(tx_file, tmp_path, capsys):
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(tmp_path / "o.csv"), "--clv",
                 "--no-clusters"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "only 1 of 4 customers bought more than once" in err[0] and "--no-clv" in err[0]
    assert not (tmp_path / "o.csv").exists()


def test_one_time_buyers_are_graded_with_the_lifecycle_defaults_or_the_given_days(tmp_path, capsys):
    """A small shop: 20 customers, each one purchase (the issue's example)."""
    rows = [f"c{i:02d},2021-{1 + i % 3:02d}-{1 + i:02d},{10 + i}" for i in range(20)]
    (tmp_path / "shop.csv").write_text("customer_id,date,amount\n" + "\n".join(rows) + "\n")
    out = tmp_path / "o.csv"
    assert main(["segment", str(tmp_path / "shop.csv"), "--as-of", "2021-04-30", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "no customer bought twice" in err and "--at-risk-after=90 days and --churned-after=180 days" in err
    table = pd.read_csv(out, dtype={"customer_id": str}).set_index("customer_id")
    # recency in days as of 2021-04-30; > 90 days is at risk, nobody is past 180
    expected = ["at_risk" if r > 90 else "new" for r in table["recency"]]
    assert table["lifecycle_stage"].tolist() == expected and "at_risk" in expected and "new" in expected
    assert main(["segment", str(tmp_path / "shop.csv"), "--as-of", "2021-04-30", "--out", str(out), "--no-clv",
                 "--at-risk-after", "50", "--churned-after", "100"]) == 0
    table = pd.read_csv(out, dtype={"customer_id": str}).set_index("customer_id")
    expected = ["churned" if r > 100 else "at_risk" if r > 50 else "new" for r in table["recency"]]
    assert table["lifecycle_stage"].tolist() == expected and {"churned", "at_risk", "new"} <= set(expected)


def test_model_options_reach_the_estimators():
    from tierkit.cli.options import segmentation_from_options

    opts = {"use_clv": None, "bgnbd_penalizer": 0.01, "gg_penalizer": 0.002, "at_risk_after": "10W",
            "churned_after": "140D", "horizon": "364D", "discount_rate": 0.1, "use_clusters": False, "k": None,
            "seed": 0, "clv_model": "mbgnbd", "prior": "weak"}
    weekly = segmentation_from_options(opts, time_unit="W")
    assert weekly.clv.model == "mbgnbd" and weekly.clv.prior == "weak"
    assert weekly.clv.get_params()["bgnbd_penalizer"] == 0.01 and weekly.clv.get_params()["gg_penalizer"] == 0.002
    assert weekly.clv.horizon == "364D" and weekly.optional_steps == ("clv",) and weekly.clusters is False
    assert weekly.lifecycle.at_risk_after == "10W" and weekly.lifecycle.churned_after == "140D"
    # a bare number is days with daily features, ambiguous with weekly ones; the message names the flag
    daily = segmentation_from_options({**opts, "horizon": "365", "at_risk_after": "70"}, time_unit="D")
    assert daily.clv.horizon == "365" and daily.lifecycle.at_risk_after == "70"
    with pytest.raises(TierkitError, match=r'^--horizon=365 is ambiguous for features in weeks: write "365W" '
                                           r'\(365 weeks\) or "365D" \(365 days\)$'):
        segmentation_from_options({**opts, "horizon": "365"}, time_unit="W")
    with pytest.raises(TierkitError, match=r'^--at-risk-after=70 is ambiguous for features in weeks'):
        segmentation_from_options({**opts, "at_risk_after": "70"}, time_unit="W")
    with pytest.raises(TierkitError, match=r"^--horizon='12M' is in months"):
        segmentation_from_options({**opts, "horizon": "12M"}, time_unit="D")


def test_cli_horizon_52w_equals_364d_on_weekly_features(tmp_path, capsys):
    import tierkit as tk

    path = tmp_path / "sample.csv"
    tk.load_cdnow(sample=True).to_csv(path, index=False)
    tables = []
    for horizon in ("52W", "364D"):
        out = tmp_path / f"{horizon}.csv"
        assert main(["segment", str(path), "--as-of", "1997-09-30", "--time-unit", "W", "--no-clusters", "--clv",
                     "--horizon", horizon, "--out", str(out)]) == 0
        tables.append(pd.read_csv(out, dtype={"customer_id": str}))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    paid = tables[0]["monetary"] > 0  # a customer who never paid anything (net) is worth nothing
    assert tables[0].loc[paid, "clv"].gt(0).all() and tables[0].loc[~paid, "clv"].eq(0).all()
    capsys.readouterr()
    assert main(["segment", str(path), "--as-of", "1997-09-30", "--time-unit", "W", "--no-clusters",
                 "--horizon", "52", "--out", str(tmp_path / "bare.csv")]) != 0
    assert '--horizon=52 is ambiguous for features in weeks: write "52W" (52 weeks) or "52D"' in capsys.readouterr().err
    assert main(["segment", "--help"]) == 0
    assert "365D (days) or 52W (weeks)" in " ".join(capsys.readouterr().out.split())


@pytest.fixture
def tx_file(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text(TX)
    return path


def test_segment_writes_one_row_per_customer_with_every_tier_column(tx_file, tmp_path):
    out = tmp_path / "scored.csv"
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(out), *SMALL]) == 0
    table = pd.read_csv(out, dtype={"customer_id": str})
    assert table["customer_id"].tolist() == ["001", "002", "003", "004"]
    for column in ("recency", "frequency", "monetary", "tenure", "frequency_btyd", "recency_btyd", "T",
                   "monetary_btyd", "r_score", "f_score", "m_score", "rfm_cell", "rfm_score", "rfm_class",
                   "rfm_segment", "abc_tier", "lifecycle_stage", "rfm_class_label", "rfm_class_strategy"):
        assert column in table.columns, column
    assert table.loc[table.customer_id == "003", "monetary"].item() == 3.0


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_segment_other_output_formats(tx_file, tmp_path, suffix):
    out = tmp_path / f"scored{suffix}"
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(out), *SMALL]) == 0
    table = pd.read_parquet(out) if suffix == ".parquet" else pd.read_excel(out, dtype={"customer_id": str})
    assert len(table) == 4 and table["customer_id"].iloc[0] == "001"


def test_lang_changes_labels_not_keys(tx_file, tmp_path):
    en, zh = tmp_path / "en.csv", tmp_path / "zh.csv"
    main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(en), *SMALL])
    main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(zh), "--lang", "zh", "--headers", "keys",
          *SMALL])
    a, b = pd.read_csv(en), pd.read_csv(zh)
    assert a["rfm_class"].equals(b["rfm_class"]) and a["abc_tier"].equals(b["abc_tier"])
    assert not a["rfm_class_label"].equals(b["rfm_class_label"])


@pytest.mark.parametrize("content, args, message", [
    ("customer_id,day,amount\n1,2021-01-01,1\n", [],
     "missing column 'date'; columns present: customer_id, day, amount"),
    ("customer_id,date,amount\n1,2021-13-45,1\n", [], "column 'date', line 2: value '2021-13-45' is not a date"),
    ("customer_id,date,amount\n1,2021-01-01,ten\n", [], "column 'amount', line 2: value 'ten' is not a number"),
    ("", [], "file is empty"),
    ("customer_id,date,amount\n1,2021-01-01,1\n", ["--as-of", "2021-02-30"], "--as-of: '2021-02-30' is not a date"),
])
def test_bad_input_one_line_exit_2_and_no_output(tmp_path, content, args, message):
    src = tmp_path / "bad.csv"
    src.write_text(content)
    out = tmp_path / "out.csv"
    argv = [sys.executable, "-m", "tierkit", "segment", str(src), "--out", str(out)]
    argv += args or ["--as-of", "2021-04-01"]
    run = subprocess.run(argv, capture_output=True, text=True)
    assert run.returncode == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]  # no temporary file left either


def test_unsupported_output_type_is_refused_before_reading(tx_file, tmp_path, capsys):
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(tmp_path / "x.json")]) == 2
    assert "unsupported output type '.json'" in capsys.readouterr().err


def test_segment_on_cdnow_gives_one_row_per_customer(tmp_path):
    from tierkit.datasets import cdnow_path

    out = tmp_path / "cdnow.csv"
    code = main(["segment", str(cdnow_path()), "--amount-col", "dollar_value", "--quantity-col", "number_of_cds",
                 "--as-of", "1998-06-30", "--out", str(out), "--horizon", "180", "--k", "4"])
    assert code == 0
    table = pd.read_csv(out, dtype={"customer_id": str})
    assert len(table) == 23570 and table["customer_id"].is_unique and table["customer_id"].iloc[0] == "00001"
    for column in ("expected_purchases", "p_alive", "expected_spend", "clv", "cluster", "cluster_name",
                   "value_potential", "value_potential_label"):
        assert column in table.columns, column
    assert sorted(table["cluster"].unique()) == [0, 1, 2, 3]
    assert table["clv"].notna().all() and (table["p_alive"].between(0, 1)).all()


def test_segment_with_a_survey_adds_the_clv_cs_grid(tmp_path):
    import tierkit as tk
    from tierkit.datasets import cdnow_path, synthetic_survey

    ids = sorted(tk.load_cdnow()["customer_id"].unique())
    survey = tmp_path / "survey.csv"
    synthetic_survey(ids, seed=3).to_csv(survey, index=False)
    out = tmp_path / "cdnow.parquet"
    code = main(["segment", str(cdnow_path()), "--amount-col", "dollar_value", "--as-of", "1998-06-30",
                 "--out", str(out), "--satisfaction", str(survey), "--no-clusters"])
    assert code == 0
    table = pd.read_parquet(out)
    assert set(table["clv_cs_class"]) <= {"core", "at_risk_key", "growth", "fragile", "advocate", "marginal",
                                          "unrated"}
    answered = pd.read_csv(survey, dtype={"customer_id": str})["customer_id"].unique()
    assert table["clv_cs_class"].ne("unrated").sum() == len(answered)


def test_demo_runs_the_cdnow_experiment_end_to_end(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    run = subprocess.run([sys.executable, "-m", "tierkit", "demo", "--out", "d"],
                         capture_output=True, text=True, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert "23,570 customers" in run.stdout
    for scheme in ("rfm_class", "rfm_segment", "abc_tier", "lifecycle_stage"):
        assert scheme in run.stdout
    assert "registered: models:/tierkit-cdnow@champion" in run.stdout
    # p_alive of repeat and one-time buyers apart, and the purchase model auto kept, with why
    assert re.search(r"mean p_alive 0\.\d{3} of [\d,]+ repeat buyers, 0\.\d{3} of [\d,]+ one-time buyers",
                     run.stdout)
    assert "purchase model mbgnbd (MBG/NBD: lowest BIC" in run.stdout
    customers = pd.read_csv(tmp_path / "d" / "customers.csv", dtype={"customer_id": str})
    assert len(customers) == 23570
    page = (tmp_path / "d" / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 12
    assert "SYNTHETIC" in page and 'id="clv_cs_class"' in page and 'id="cluster_name"' in page
    chinese = (tmp_path / "d" / "report.zh.html").read_text(encoding="utf-8")
    assert "客户分级" in chinese and "合成数据" in chinese and chinese.count("data:image/png;base64,") >= 12
    # the second language has every section of the first, the CLV models on the holdout included
    sections = re.compile(r'<section[^>]* id="([^"]+)"')
    assert sections.findall(chinese) == sections.findall(page) and 'id="clv_validation"' in chinese
    assert chinese.count("data:image/png;base64,") == page.count("data:image/png;base64,")
    assert (tmp_path / "mlflow.db").exists()


EIGHT = """customer_id,date,amount
c1,2021-03-30,100
c1,2021-03-20,100
c1,2021-03-10,100
c2,2021-03-25,50
c2,2021-02-25,50
c3,2021-03-01,500
c4,2021-01-01,20
c5,2020-10-01,10
c5,2020-11-01,10
c6,2021-03-31,40
c7,2020-06-01,1000
c8,2021-02-15,60
c8,2021-03-15,60
c8,2021-03-29,60
"""


def test_the_default_command_grades_a_hand_computed_base_of_eight(tmp_path, capsys):
    """Issue 12: eight customers, every default scheme, figures worked out by hand as of 2021-04-01."""
    (tmp_path / "eight.csv").write_text(EIGHT)
    out = tmp_path / "o.csv"
    assert main(["segment", str(tmp_path / "eight.csv"), "--as-of", "2021-04-01", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "clv step left out" in err and "clusters step left out" in err  # 4 repeat buyers, 8 customers
    table = pd.read_csv(out, dtype={"customer_id": str}).set_index("customer_id")
    # recency in days to 2021-04-01 (c5: 2020-11-01 -> 151, c7: 2020-06-01 -> 304), purchase days, spend
    assert table["recency"].tolist() == [2, 7, 31, 90, 151, 1, 304, 3]
    assert table["frequency"].tolist() == [3, 2, 1, 1, 2, 1, 1, 3]
    assert table["monetary"].tolist() == [300, 100, 500, 20, 20, 40, 1000, 180]
    # against the means (recency 73.625, frequency 1.75, monetary 270): the course's eight classes
    assert table["rfm_class"].tolist() == ["important_value", "general_value", "important_develop", "general_winback",
                                           "general_retain", "general_develop", "important_winback", "general_value"]
    for column in ("rfm_score", "rfm_segment", "abc_tier", "lifecycle_stage"):
        assert table[column].notna().all(), column
