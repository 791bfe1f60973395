import pandas as pd

import tierkit as tk
from tierkit.segmentation.chain import Segmentation
from tierkit.tiers.rfm_classes import RFM_CLASSES, RFMClassifier


def test_all_eight_classes_by_hand():
    # Means: recency 20, frequency 3, monetary 100.
    f = pd.DataFrame({
        "recency":   [10, 10, 30, 30, 10, 10, 30, 30],
        "frequency": [5, 1, 5, 1, 5, 1, 5, 1],
        "monetary":  [150, 150, 150, 150, 50, 50, 50, 50],
    })
    out = RFMClassifier().fit_transform(f)
    assert out["rfm_class"].tolist() == [
        "important_value", "important_develop", "important_retain", "important_winback",
        "general_value", "general_develop", "general_retain", "general_winback",
    ]


def test_values_exactly_at_the_mean_count_as_high():
    fit = pd.DataFrame({"recency": [10, 30], "frequency": [1, 5], "monetary": [50, 150]})
    clf = RFMClassifier().fit(fit)
    assert clf.thresholds_ == {"recency": 20.0, "frequency": 3.0, "monetary": 100.0}
    at_mean = pd.DataFrame({"recency": [20], "frequency": [3], "monetary": [100]})
    assert clf.transform(at_mean)["rfm_class"].tolist() == ["important_value"]
    just_worse = pd.DataFrame({"recency": [20.001], "frequency": [2.999], "monetary": [99.99]})
    assert clf.transform(just_worse)["rfm_class"].tolist() == ["general_winback"]


def test_explicit_thresholds_replace_the_means():
    f = pd.DataFrame({"recency": [10, 30], "frequency": [1, 5], "monetary": [50, 150]})
    clf = RFMClassifier(thresholds={"monetary": 40}).fit(f)
    assert clf.transform(f)["rfm_class"].tolist() == ["important_develop", "important_retain"]


def test_every_class_has_both_languages_and_a_strategy():
    assert len(RFM_CLASSES) == 8
    for tier in RFM_CLASSES:
        assert tier.en and tier.zh and tier.strategy_en and tier.strategy_zh
    assert {t.zh for t in RFM_CLASSES} >= {"重要价值客户", "一般挽留客户"}


def test_labels_follow_lang_but_keys_do_not(cdnow_features):
    seg = Segmentation().fit(cdnow_features.iloc[:2000])
    en = tk.add_labels(seg.transform(cdnow_features.iloc[:2000]), "en")
    zh = tk.add_labels(seg.transform(cdnow_features.iloc[:2000]), "zh")
    pd.testing.assert_series_equal(en["rfm_class"], zh["rfm_class"])
    row = zh[zh["rfm_class"] == "important_value"].iloc[0]
    assert row["rfm_class_label"] == "重要价值客户"
    assert en[en["rfm_class"] == "important_value"].iloc[0]["rfm_class_label"] == "Important value"
