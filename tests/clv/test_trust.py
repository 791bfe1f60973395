"""A CLV model that cannot tell active from lapsed customers drives no tier in silence (Online Retail, CDNOW)."""

import warnings

import numpy as np
import pandas as pd
import pytest

import tierkit as tk


@pytest.fixture(scope="module")
def retail_graded(retail_tx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        features = tk.rfm_features(retail_tx, as_of="2011-12-10")
        segmentation = tk.Segmentation(clv=tk.CLVModel(), value_potential=True,
                                       lifecycle=tk.LifecycleStager(use_p_alive=True)).fit(features)
    return segmentation, segmentation.transform(features)


@pytest.mark.slow
def test_online_retail_calls_no_churned_buyer_alive_without_its_caveat(retail_graded):
    segmentation, table = retail_graded
    churned = table[table["lifecycle_stage"] == "churned"]
    assert len(churned) > 50  # the premise: the lifecycle calls many customers churned
    # one year, customers who come back: the model learns no dropout, and says so on every row
    assert not segmentation.named_step("clv").trust_["discriminates"]
    alive_unmarked = (churned["p_alive"] >= 0.9) & churned["clv_caveat"].isna()
    assert alive_unmarked.mean() <= 0.05
    assert "value_potential" not in table.columns


@pytest.mark.slow
def test_a_customer_who_returned_everything_is_expected_to_spend_nothing(retail_graded):
    _, table = retail_graded
    # customer 12346 bought 77,183.60 and returned it the same day: net spend 0
    assert table.loc["12346", "monetary"] == 0
    returned = table[table["monetary"] <= 0]
    assert len(returned) > 5
    assert (returned["expected_spend"] == 0).all() and (returned["clv"] == 0).all()


def test_cdnow_discriminates_and_keeps_every_scheme(cdnow_features):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segmentation = tk.Segmentation(clv=tk.CLVModel(), value_potential=True).fit(cdnow_features)
    table = segmentation.transform(cdnow_features)
    verdict = segmentation.named_step("clv").trust_
    assert verdict["discriminates"] and verdict["dropout_in_period"] > 0.2
    assert "clv_caveat" not in table.columns and "value_potential" in table.columns


def test_the_verdict_is_the_same_in_days_and_weeks():
    tx = tk.load_cdnow(sample=True)
    verdicts = {}
    for unit, horizon in (("D", "364D"), ("W", "52W")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = tk.rfm_features(tx, as_of="1997-09-30", time_unit=unit)
            verdicts[unit] = tk.CLVModel(horizon=horizon).fit(f).trust_
    assert verdicts["D"]["discriminates"] == verdicts["W"]["discriminates"]
    assert verdicts["D"]["alive_share"] == pytest.approx(verdicts["W"]["alive_share"], abs=0.02)
    assert verdicts["D"]["dropout_in_period"] == pytest.approx(verdicts["W"]["dropout_in_period"], rel=0.05)


def test_all_returned_customers_get_zero_spend_by_hand():
    f = pd.DataFrame({"frequency_btyd": [2.0, 0.0, 1.0] * 10, "recency_btyd": [20.0, 0.0, 10.0] * 10,
                      "T": [30.0, 25.0, 30.0] * 10, "monetary_btyd": [10.0, 0.0, 12.0] * 10,
                      "monetary": [30.0, 0.0, 24.0] * 10},
                     index=pd.Index([f"c{i}" for i in range(30)], name="customer_id"))
    f["monetary_btyd"] *= np.linspace(0.8, 1.2, 30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predicted = tk.CLVModel(horizon="30D").fit(f).predict(f)
    assert (predicted.loc[f["monetary"] <= 0, "expected_spend"] == 0).all()
    assert (predicted.loc[f["monetary"] > 0, "expected_spend"] > 0).all()


@pytest.mark.slow
def test_online_retail_diagnoses_every_model_without_a_refusal(retail_tx):
    from tierkit.clv.diagnostics import clv_diagnostics

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        diagnostics = clv_diagnostics(retail_tx, calibration_end="2011-08-31", holdout_end="2011-12-09", time_unit="D")
    assert diagnostics.failed == {}
    for name in ("bgnbd", "mbgnbd", "pareto_nbd"):
        assert np.isfinite(list(diagnostics.models[name].params.values())).all()


@pytest.mark.parametrize("lang, words", [("en", "learned no dropout"), ("zh", "未学到客户流失")])
def test_the_report_marks_the_clv_card_of_a_model_that_learned_no_dropout(lang, words):
    from tierkit.reporting.report.render import report_context

    table = pd.DataFrame({"monetary": [50.0, 10.0], "abc_tier": ["high_end", "small"], "clv": [30.0, 20.0]})
    plain = {c["label"]: c for c in report_context(table, dpi=20, lang=lang)["kpis"]}
    caveat = pd.Categorical.from_codes([0, 0], ["no dropout learned: ..."])
    marked = {c["label"]: c for c in report_context(table.assign(clv_caveat=caveat), dpi=20, lang=lang)["kpis"]}
    label = "Mean CLV" if lang == "en" else "平均CLV"
    assert words not in plain[label]["sub"] and plain[label]["tone"] is None
    assert words in marked[label]["sub"] and marked[label]["tone"] == "warn"
