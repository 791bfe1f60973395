import numpy as np
import pandas as pd
import pytest

from tierkit.errors import TierkitError
from tierkit.tiers.lifecycle import LifecycleStager, add_potential_customers


def base():
    # Mean gaps of repeat customers: 10/1=10, 40/2=20, 90/3=30, 40/1=40 -> 90th pct = 37.
    return pd.DataFrame({
        "recency":        [5.0, 10.0, 20.0, 36.0, 60.0, 80.0],
        "frequency":      [1, 2, 3, 4, 2, 1],
        "frequency_btyd": [0.0, 1.0, 2.0, 3.0, 1.0, 0.0],
        "recency_btyd":   [0.0, 10.0, 40.0, 90.0, 40.0, 0.0],
    }, index=pd.Index(list("abcdef"), name="customer_id"))


def test_thresholds_derived_from_inter_purchase_gaps():
    stager = LifecycleStager().fit(base())
    assert stager.thresholds_["at_risk_after"] == pytest.approx(np.quantile([10, 20, 30, 40], 0.9))
    assert stager.thresholds_["churned_after"] == pytest.approx(2 * 37.0)
    # 75th percentile of occasions of repeat customers (2, 3, 4, 2) = 3.25 -> 4
    assert stager.thresholds_["loyal_min_purchases"] == 4


def test_stage_rules_in_order():
    out = LifecycleStager().fit_transform(base())["lifecycle_stage"].tolist()
    assert out == ["new", "repeat", "repeat", "loyal", "at_risk", "churned"]


def test_master_list_adds_potential_customers():
    stager = LifecycleStager().fit(base())
    out = add_potential_customers(stager.transform(base()), ["a", "zz", "yy"])
    assert out.loc["zz", "lifecycle_stage"] == "potential"
    assert len(out) == 8 and out.loc["a", "lifecycle_stage"] == "new"


def test_p_alive_rules():
    f = base().assign(p_alive=[0.9, 0.6, 0.4, 0.1, 0.9, 0.9])
    out = LifecycleStager(use_p_alive=True).fit_transform(f)["lifecycle_stage"].tolist()
    assert out[:4] == ["new", "repeat", "at_risk", "churned"]


def test_no_repeat_buyer_falls_back_to_the_documented_defaults_with_a_warning():
    f = base().assign(frequency_btyd=0.0, frequency=1)
    with pytest.warns(UserWarning, match="no customer bought twice.*at_risk_after=90 days and churned_after=180 days"):
        stager = LifecycleStager().fit(f)
    assert stager.thresholds_ == {"at_risk_after": 90.0, "churned_after": 180.0, "loyal_min_purchases": 3}
    weekly = f.copy()
    weekly.attrs["time_unit"] = "W"
    with pytest.warns(UserWarning):
        assert LifecycleStager().fit(weekly).thresholds_["at_risk_after"] == pytest.approx(90 / 7)
    with pytest.warns(UserWarning):  # a given churned_after is kept
        assert LifecycleStager(churned_after=365).fit(f).thresholds_["churned_after"] == 365.0


def test_no_repeat_buyer_with_explicit_thresholds():
    f = base().assign(frequency_btyd=0.0, frequency=1)
    out = LifecycleStager(at_risk_after=30, churned_after=70).fit_transform(f)
    assert out["lifecycle_stage"].tolist() == ["new", "new", "new", "at_risk", "at_risk", "churned"]


def test_thresholds_are_durations_in_either_unit():
    weekly = base()
    weekly.attrs["time_unit"] = "W"
    weeks = LifecycleStager(at_risk_after="4W", churned_after="8W").fit(weekly)
    days = LifecycleStager(at_risk_after="28D", churned_after="56 days").fit(weekly)
    assert weeks.thresholds_["at_risk_after"] == days.thresholds_["at_risk_after"] == 4.0
    assert weeks.thresholds_["churned_after"] == days.thresholds_["churned_after"] == 8.0
    with pytest.raises(TierkitError, match=r'^at_risk_after=30 is ambiguous for features in weeks: write "30W"'):
        LifecycleStager(at_risk_after=30).fit(weekly)
    daily = base()  # no attrs, no dates: days
    assert LifecycleStager(at_risk_after=30).fit(daily).thresholds_["at_risk_after"] == 30.0
    assert LifecycleStager(at_risk_after="2W").fit(daily).thresholds_["at_risk_after"] == 14.0
    with pytest.raises(TierkitError, match=r"^churned_after='3M' is in months"):
        LifecycleStager(churned_after="3M").fit(daily)
