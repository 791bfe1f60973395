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
    # issue 21: thresholds_ also carries new_within (the at-risk threshold unless given)
    assert stager.thresholds_ == {"at_risk_after": 90.0, "churned_after": 180.0, "loyal_min_purchases": 3,
                                  "new_within": 90.0}
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
    with pytest.raises(TierkitError, match=r"^LifecycleStager: churned_after='3M' is in months"):
        LifecycleStager(churned_after="3M").fit(daily)


def test_bgnbd_p_alive_of_one_time_buyers_is_not_used_the_recency_rules_stage_them():
    """BG/NBD's p_alive is 1 for every one-time buyer (a and f): assumed, not learned; recency decides.

    A one-time buyer with p_alive < 1 (MBG/NBD, Pareto/NBD) is staged by p_alive like everyone else,
    except that (issue 21) it is new only within new_within (the at-risk threshold, 37 days here) and
    churned past churned_after (74 days): f, silent 80 days with p_alive 0.95, was 'new', is now 'churned'.
    """
    f = base().assign(p_alive=[1.0, 0.6, 0.4, 0.1, 0.9, 1.0])
    f.loc["a", "recency"] = 80.0  # long gone, bought once
    stager = LifecycleStager(use_p_alive=True).fit(f)
    assert stager.transform(f)["lifecycle_stage"].tolist() == ["churned", "repeat", "at_risk", "churned",
                                                               "repeat", "churned"]
    recent = f.assign(recency=[5.0, 10, 20, 36, 60, 50])  # e: 37 < 50 <= 74 days silent
    assert stager.transform(recent).loc[["a", "f"], "lifecycle_stage"].tolist() == ["new", "at_risk"]
    learned = f.assign(p_alive=[0.15, 0.6, 0.4, 0.1, 0.9, 0.95])
    assert stager.transform(learned).loc[["a", "f"], "lifecycle_stage"].tolist() == ["churned", "churned"]
    for days, stage in ((30, "new"), (50, "at_risk"), (987, "churned")):  # f, p_alive 0.95, silent that long
        silent = learned.assign(recency=[5.0, 10, 20, 36, 60, days])
        assert stager.transform(silent).loc["f", "lifecycle_stage"] == stage


def one_time_buyers(recency):
    """Two repeat buyers (mean gaps 10 and 20 days) and one-time buyers silent ``recency`` days."""
    n = len(recency)
    return pd.DataFrame({
        "recency": [3.0, 4.0, *recency], "frequency": [2, 3] + [1] * n,
        "frequency_btyd": [1.0, 2.0] + [0.0] * n, "recency_btyd": [10.0, 40.0] + [0.0] * n,
    }, index=pd.Index(["r1", "r2"] + [f"o{i}" for i in range(n)], name="customer_id"))


def test_a_one_time_buyer_is_new_only_while_the_purchase_is_recent():
    """Issue 21: a one-time buyer from 987 days ago is churned, one from 10 days ago is new."""
    f = one_time_buyers([10.0, 987.0])
    stager = LifecycleStager(at_risk_after="30D", churned_after="60D").fit(f)
    assert stager.thresholds_["new_within"] == 30.0
    assert stager.transform(f).loc[["o0", "o1"], "lifecycle_stage"].tolist() == ["new", "churned"]
    # learned thresholds (90th percentile of the gaps 10 and 20 days: 19 days) do the same
    learned = LifecycleStager().fit(f)
    assert learned.thresholds_["new_within"] == learned.thresholds_["at_risk_after"] == pytest.approx(19.0)
    assert learned.transform(f).loc[["o0", "o1"], "lifecycle_stage"].tolist() == ["new", "churned"]


def test_new_within_shortens_the_new_stage():
    f = one_time_buyers([10.0, 20.0, 45.0, 987.0])
    f.loc["r1", "recency"] = 20.0  # silent longer than new_within, not than at_risk_after
    stager = LifecycleStager(at_risk_after="30D", churned_after="60D", new_within="2W").fit(f)
    assert stager.thresholds_["new_within"] == 14.0
    out = stager.transform(f)["lifecycle_stage"]
    assert out.loc[["o0", "o1", "o2", "o3"]].tolist() == ["new", "at_risk", "at_risk", "churned"]
    assert out.loc[["r1", "r2"]].tolist() == ["repeat", "loyal"]  # repeat buyers keep at_risk_after
    with pytest.raises(TierkitError, match="need new_within <= churned_after"):
        LifecycleStager(at_risk_after="30D", churned_after="60D", new_within="90D").fit(f)


def test_online_retail_has_no_new_customer_beyond_the_at_risk_threshold(retail_tx):
    import tierkit as tk

    features = tk.rfm_features(retail_tx, as_of="2011-12-10")
    stager = LifecycleStager().fit(features)
    table = features.join(stager.transform(features))
    new = table["lifecycle_stage"] == "new"
    assert new.sum() > 0 and (table.loc[new, "frequency"] == 1).all()
    assert table.loc[new, "recency"].max() <= stager.thresholds_["at_risk_after"]
    once = table["frequency"] == 1
    assert (table.loc[once & (table["recency"] > stager.thresholds_["at_risk_after"]), "lifecycle_stage"]
            .isin(["at_risk", "churned"]).all())


@pytest.fixture(scope="module")
def demo_graded():
    """The demo's final grading: its config's CLV and lifecycle settings on CDNOW as of 1998-06-30."""
    import warnings

    from tierkit.cli.demo import demo_config
    from tierkit.mlops.config import load_config
    from tierkit.mlops.experiment import _features, load_experiment_transactions
    from tierkit.segmentation.chain import build_segmentation

    config = load_config(str(demo_config()))
    tx = load_experiment_transactions(config)
    features = _features(tx, as_of=config.dates["as_of"], time_unit=config.time_unit)
    schemes = {"clv": dict(config.schemes["clv"]), "lifecycle": dict(config.schemes.get("lifecycle") or {})}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segmentation = build_segmentation(schemes, seed=config.seed).fit(features)
    return segmentation, segmentation.transform(features)


@pytest.mark.filterwarnings("ignore:pkg_resources is deprecated")
def test_demo_few_churned_customers_look_alive(demo_graded):
    # issue 13: with BG/NBD, 4,992 of the 5,301 customers the lifecycle calls churned had p_alive >= 0.99
    segmentation, table = demo_graded
    churned = table["lifecycle_stage"] == "churned"
    assert churned.sum() == 5301
    assert (table.loc[churned, "p_alive"] >= 0.9).mean() <= 0.05
    clv = segmentation.named_step("clv")
    assert clv.model_ == "mbgnbd" and clv.model_choice_.startswith("MBG/NBD: lowest BIC")
    # what the issue saw with BG/NBD on the same customers
    bgnbd = type(clv)(**{**clv.get_params(), "model": "bgnbd"}).fit(table)
    assert int((bgnbd.predict(table)["p_alive"][churned] >= 0.99).sum()) == 4992


def test_demo_summary_reports_p_alive_of_repeat_and_one_time_buyers_apart(demo_graded):
    from tierkit.evaluation.summary import p_alive_summary, p_alive_text

    _, table = demo_graded
    groups = p_alive_summary(table)
    repeat = table["frequency_btyd"] > 0
    assert groups["repeat"][0] == repeat.sum() and groups["one_time"][0] == (~repeat).sum() == len(table) - repeat.sum()
    assert groups["one_time"][1] == pytest.approx(table.loc[~repeat, "p_alive"].mean())
    assert groups["one_time"][1] < 0.5  # no longer 1 each
    assert p_alive_text(table).startswith(f"mean p_alive {groups['repeat'][1]:.3f} of {repeat.sum():,} repeat buyers")
