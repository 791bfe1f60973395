"""Where the schemes disagree (tierkit.evaluation.agreement), on hand-made tables and on CDNOW."""

import re
import warnings

import pandas as pd
import pytest

from tierkit.evaluation.agreement import (
    COLUMNS,
    counts,
    disagreements,
    label_checks,
    lifecycle_thresholds,
    value_order,
    which_to_follow,
)


def test_no_disagreement_on_agreeing_schemes():
    t = pd.DataFrame({"abc_tier": ["high_end"] * 3 + ["small"] * 3,
                      "value_potential": ["star"] * 3 + ["low_priority"] * 3,
                      "recency": [5.0, 6, 7, 300, 310, 320]})
    found = disagreements(t)
    assert list(found.columns) == COLUMNS and found.empty
    assert counts(found) == {"opposite": 0, "label": 0, "conflict": 0, "value_order": 0}


def test_each_kind_is_found_with_its_counts():
    t = pd.DataFrame({
        "rfm_segment": ["loyal"] * 4 + ["lost"] * 2 + ["champions"] * 2,
        "lifecycle_stage": ["at_risk", "at_risk", "at_risk", "loyal", "churned", "churned", "loyal", "loyal"],
        "recency": [300.0, 320, 310, 10, 400, 420, 5, 6],
        "clv": [1.0] * 4 + [9.0] * 2 + [20.0] * 2,
    })
    found = disagreements(t, thresholds={"at_risk_after": 250}, tiers=None)
    opposite = found[found.kind == "opposite"].iloc[0]
    assert (opposite.scheme, opposite.tier, opposite.other_tier, opposite.customers) == (
        "rfm_segment", "loyal", "at_risk", 3)
    assert opposite.share == 0.75 and opposite.figures["follow"] == "lifecycle_stage"
    label = found[found.kind == "label"].iloc[0]
    assert (label.rule, label.tier, label.customers, label.figures["median"]) == ("active_but_lapsed", "loyal", 3,
                                                                                  305.0)
    assert value_order(t, min_customers=2)[0]["tier"] == "lost"  # lost (9.0) is worth more than loyal (1.0)


def test_label_rules_fall_back_to_the_base_quartiles():
    t = pd.DataFrame({"rfm_segment": ["loyal"] * 2 + ["lost"] * 6, "recency": [90.0, 95, 1, 2, 3, 4, 5, 6]})
    (found,) = label_checks(t)
    assert found["figures"]["basis"] == "recency_upper_quartile"
    assert found["figures"]["threshold"] == pytest.approx(t["recency"].quantile(0.75))


def test_which_to_follow_says_why():
    assert which_to_follow("value_potential", "abc_tier", "value") == ("abc_tier", "spend")
    c = pd.DataFrame({"variance_share": [0.1, 0.3]}, index=["lifecycle_stage", "rfm_segment"])
    assert which_to_follow("rfm_segment", "lifecycle_stage", "activity", c) == ("rfm_segment", "holdout")


@pytest.fixture(scope="module")
def cdnow():
    import tierkit as tk
    from tierkit.mlops.experiment import segmentation_diagnostics

    features = tk.rfm_features(tk.load_cdnow(), as_of="1998-06-30")
    segmentation = tk.Segmentation(clv=True, clusters=True, value_potential=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = segmentation.fit_transform(features)
    table.attrs = dict(features.attrs)
    return table, segmentation_diagnostics(segmentation)


def test_cdnow_disagreements_match_pandas(cdnow):
    table, diagnostics = cdnow
    found = disagreements(table, thresholds=lifecycle_thresholds(diagnostics))
    # ABC "Ordinary" is mostly value-potential "Star": computed here independently
    ordinary = table["abc_tier"] == "ordinary"
    share = (table.loc[ordinary, "value_potential"] == "star").mean()
    assert share > 0.5
    row = found[(found.kind == "opposite") & (found.scheme == "abc_tier") & (found.tier == "ordinary")
                & (found.other_tier == "star")].iloc[0]
    assert row.share == pytest.approx(share)
    assert row.customers == int((ordinary & (table.value_potential == "star")).sum())
    assert row.figures["follow"] == "abc_tier"
    # RFM "Loyal" with a median recency past the lifecycle's at-risk threshold
    loyal = table.loc[table["rfm_segment"] == "loyal", "recency"]
    at_risk = diagnostics["lifecycle"]["thresholds_"]["at_risk_after"]
    assert loyal.median() > at_risk
    label = found[(found.kind == "label") & (found.tier == "loyal")].iloc[0]
    assert label.figures["median"] == loyal.median() and label.customers == int((loyal > at_risk).sum())
    # the cluster named "recent" (not "very recent") is not among the most recent quarter
    recent = [n for n in table["cluster_name"].unique() if "recent" in re.split("-", n)]
    assert found[(found.kind == "label") & (found.rule == "recent_but_not")].tier.tolist() == recent
    per_kind = counts(found)
    assert per_kind["opposite"] >= 1 and per_kind["label"] >= 2 and per_kind["conflict"] >= 1
