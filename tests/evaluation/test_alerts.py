"""Alerts a person must see before acting on the tiers, each from a real fit or a hand-made table."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.evaluation.alerts import deciding_rule, grading_alerts

CJK = re.compile(r"[\u4e00-\u9fff]")


def always_active_transactions() -> pd.DataFrame:
    """60 customers buying at a steady pace right up to the observation date: nobody is seen leaving,
    so BG/NBD's dropout parameters run to the edge (a -> 0, b -> inf) and P(alive) is 1 for all."""
    rows = []
    for c in range(60):
        day = pd.Timestamp("2021-01-01") + pd.Timedelta(days=c % 30)
        while day <= pd.Timestamp("2021-06-30"):
            rows.append((f"c{c:02d}", day, 10.0 + (c * 7 + day.day) % 23))
            day += pd.Timedelta(days=5 + c % 20)
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


def uniform_features(n=300, seed=1) -> pd.DataFrame:
    """No cluster structure at all: k-means cuts noise."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"recency": rng.uniform(0, 100, n), "frequency": rng.uniform(1, 2, n),
                         "monetary": rng.uniform(10, 11, n)},
                        index=pd.Index([f"c{i}" for i in range(n)], name="customer_id"))


@pytest.fixture(scope="module")
def degenerate():
    features = tk.rfm_features(always_active_transactions(), as_of="2021-06-30")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segmentation = tk.Segmentation(clv=tk.CLVModel(model="bgnbd")).fit(features)
    return segmentation, segmentation.transform(features)


def test_a_degenerate_bgnbd_fit_is_named_with_its_figures(degenerate):
    segmentation, table = degenerate
    clv = segmentation.named_step("clv")
    # the premise: maximum likelihood ran to the edge (a -> 0), so the weak prior answered, and said why
    assert clv.fit_method_["bgnbd"]["method"] == "map"
    assert "maximum likelihood ends at the boundary of the model (a = " in clv.fit_method_["bgnbd"]["reason"]
    alerts = grading_alerts(segmentation, table)
    assert "P(alive) >= 0.99 for 100% of the customers who could have left" in " ".join(alerts)
    assert "CLV: the BG/NBD model cannot tell active from lapsed customers" in " ".join(alerts)
    assert (table.loc[table["frequency_btyd"] > 0, "p_alive"] >= 0.99).all()


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_a_model_that_learned_no_dropout_drives_no_tier_and_says_why(model):
    features = tk.rfm_features(always_active_transactions(), as_of="2021-06-30")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segmentation = tk.Segmentation(clv=tk.CLVModel(model=model), value_potential=True,
                                       lifecycle=tk.LifecycleStager(use_p_alive=True)).fit(features)
    table = segmentation.transform(features)
    clv = segmentation.named_step("clv")
    assert not clv.trust_["discriminates"] and clv.trust_["dropout_in_period"] < 0.01
    # the ranking step is left out with the reason and the remedy; the lifecycle uses recency rules
    assert "value_potential" not in table.columns
    assert "cannot tell active from lapsed" in segmentation.skipped_steps_["value_potential"]
    assert "longer history" in segmentation.skipped_steps_["value_potential"]
    assert segmentation.named_step("lifecycle").use_p_alive is False
    # every row carries the caveat beside its p_alive and clv
    assert table["clv_caveat"].astype(str).str.startswith("no dropout learned").all()
    alerts = grading_alerts(segmentation, table)
    assert any("cannot tell active from lapsed customers" in a for a in alerts), alerts


def test_the_same_data_in_days_and_in_weeks_raise_the_same_alerts():
    tx = always_active_transactions()
    kinds = {}
    for unit in ("D", "W"):
        features = tk.rfm_features(tx, as_of="2021-06-30", time_unit=unit)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = tk.CLVModel(model="mbgnbd", horizon="52W").fit(features)
        from tierkit.evaluation.alerts import clv_model_alerts

        kinds[unit] = [a.split("(")[0].split("=")[0] for a in clv_model_alerts(model)]
    assert kinds["D"] == kinds["W"] and kinds["D"], kinds


def test_cdnow_raises_no_clv_alert(cdnow_features):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segmentation = tk.Segmentation(clv=tk.CLVModel(model="bgnbd")).fit(cdnow_features)
    alerts = grading_alerts(segmentation, segmentation.transform(cdnow_features))
    assert not [a for a in alerts if a.startswith("CLV")], alerts


def test_clusters_that_dissolve_and_a_k_at_the_edge_of_the_range():
    features = uniform_features()
    twelve = tk.Segmentation(clusters=tk.KMeansSegmenter(k=12), lifecycle=False).fit(features)
    tk.assess_stability(twelve, features, n_boot=10)
    dissolved = twelve.named_step("clusters").profiles_.query("stability == 'dissolved'").index.tolist()
    assert dissolved  # the premise: noise cut in 12 does not hold together
    alerts = grading_alerts(twelve, twelve.transform(features))
    assert any(a.startswith("clusters: cluster(s) ") and "dissolve when the customers are resampled" in a
               and all(f"{c} (" in a for c in dissolved) for a in alerts)


def four_groups(seed=0):
    """Four groups of customers, far apart in log R/F/M: the indices all prefer k=4 when they may."""
    rng = np.random.default_rng(seed)
    groups = [(100, 3, 30, 3000), (100, 300, 30, 3000), (100, 3, 1, 20), (100, 300, 1, 20)]
    rows = [pd.DataFrame({"recency": r * rng.lognormal(0, 0.1, n), "frequency": np.round(f * rng.lognormal(0, 0.1, n)),
                          "monetary": m * rng.lognormal(0, 0.1, n)}) for n, r, f, m in groups]
    table = pd.concat(rows, ignore_index=True).clip(lower=1)
    table.index = pd.Index([f"c{i:04d}" for i in range(len(table))], name="customer_id")
    return table


def test_a_k_at_the_edge_of_the_range_and_the_advice_that_removes_it():
    features = four_groups()
    # the indices' vote: k = 3 of four groups is at the edge of the range searched
    edge = tk.Segmentation(clusters=tk.KMeansSegmenter(k_range=(2, 3), selection_rule="vote"),
                           lifecycle=False).fit(features)
    assert edge.named_step("clusters").k_ == 3
    said = [a for a in grading_alerts(edge, edge.transform(features)) if "largest k searched" in a]
    assert said == ["clusters: k = 3 is the largest k searched, so the indices may prefer a larger one; search a "
                    "wider k_range (--k-range)"]
    wider = tk.Segmentation(clusters=tk.KMeansSegmenter(k_range=(2, 8), selection_rule="vote"),
                            lifecycle=False).fit(features)
    assert wider.named_step("clusters").k_ == 4  # the advice, followed, finds the four groups
    assert not [a for a in grading_alerts(wider, wider.transform(features)) if a.startswith("clusters:")]


def test_an_actionable_k_at_the_edge_of_the_range_says_a_larger_one_may_be_too():
    features = four_groups()
    edge = tk.Segmentation(clusters=tk.KMeansSegmenter(k_range=(2, 4)), lifecycle=False).fit(features)
    assert edge.named_step("clusters").k_ == 4
    said = [a for a in grading_alerts(edge, edge.transform(features)) if "largest k searched" in a]
    assert said == ["clusters: k = 4 is the largest k searched and its clusters can be acted on, so a larger k may "
                    "be too; search a wider k_range (--k-range)"]


def test_indices_that_disagree_on_k_are_named():
    features = uniform_features()  # noise: no k is right, and the indices do not agree on one
    seg = tk.Segmentation(clusters=tk.KMeansSegmenter(k_range=(2, 6)), lifecycle=False).fit(features)
    clusters = seg.named_step("clusters")
    preferred = {name: int(clusters.selection_[name].idxmax() if name != "davies_bouldin"
                           else clusters.selection_[name].idxmin())
                 for name in ("silhouette", "calinski_harabasz", "davies_bouldin")}
    assert len(set(preferred.values())) > 1  # the premise
    said = [a for a in grading_alerts(seg, seg.transform(features)) if "disagree on k" in a]
    shown = ", ".join(f"{name} k={k}" for name, k in preferred.items())
    # the action rule, or the vote it falls back to when no k of noise can be acted on
    rule = {"vote": "the vote of the indices",
            "action": "the largest k whose clusters can be acted on"}[deciding_rule(clusters)]
    assert said == [f"clusters: the validity indices disagree on k ({shown}); k = {clusters.k_} was chosen by "
                    f"{rule}; compare them with `tierkit clusters`"]


def test_a_tier_holding_nearly_everyone():
    graded = pd.DataFrame({"lifecycle_stage": ["new"] * 19 + ["loyal"], "rfm_class": ["general_value"] * 10
                           + ["important_value"] * 10})
    segmentation = tk.Segmentation().fit(pd.DataFrame({
        "recency": np.arange(20.0), "frequency": [1] * 19 + [3], "monetary": np.arange(20.0) + 1,
        "frequency_btyd": [0] * 19 + [2], "recency_btyd": [0] * 19 + [30]}))
    alerts = grading_alerts(segmentation, graded)
    assert [a for a in alerts if "of the customers are" in a] == [
        "lifecycle_stage: 95% of the customers are 'new'; this scheme hardly separates them"]


def test_tiers_without_a_customer_are_named():
    """Issue 21: 'potential' (filled only by add_potential_customers) is no longer counted as empty."""
    graded = pd.DataFrame({"lifecycle_stage": ["new", "loyal", "at_risk", "at_risk", "churned"],
                           "abc_tier": ["high_end", "important", "ordinary", "ordinary", "ordinary"]})
    segmentation = tk.Segmentation().fit(pd.DataFrame({
        "recency": np.arange(20.0), "frequency": [1] * 19 + [3], "monetary": np.arange(20.0) + 1,
        "frequency_btyd": [0] * 19 + [2], "recency_btyd": [0] * 19 + [30]}))
    # the lifecycle's purchases fill five stages (loyal, repeat, new, at_risk, churned): repeat is empty;
    # the course's ABC scheme has four tiers (high_end, important, ordinary, small): small is empty
    assert sorted(a for a in grading_alerts(segmentation, graded) if "tiers empty" in a) == [
        "abc_tier: no customer is 'small' (1 of 4 tiers empty)",
        "lifecycle_stage: no customer is 'repeat' (1 of 5 tiers empty)"]
    # with prospects added, potential counts as one of six; a full grading raises nothing
    full = ["new", "loyal", "repeat", "at_risk", "churned"]
    prospects = pd.DataFrame({"lifecycle_stage": ["new", "loyal", "at_risk", "churned", "potential"]})
    assert [a for a in grading_alerts(segmentation, prospects) if "tiers empty" in a] == [
        "lifecycle_stage: no customer is 'repeat' (1 of 6 tiers empty)"]
    assert not [a for a in grading_alerts(segmentation, pd.DataFrame({"lifecycle_stage": full})) if "tiers empty" in a]
    # a CLV-CS grid whose survey reached everyone leaves 'unrated' empty, and that is no alert
    classes = ["core", "at_risk_key", "growth", "fragile", "advocate", "marginal"]
    assert not [a for a in grading_alerts(segmentation, pd.DataFrame({"clv_cs_class": classes})) if "tiers empty" in a]
    assert [a for a in grading_alerts(segmentation, pd.DataFrame({"clv_cs_class": classes[1:]}), lang="zh")
            if a.startswith("clv_cs_class")] == ["clv_cs_class: 没有客户属于 '核心客户' (6 个等级中有 1 个为空)"]


def test_a_plain_cdnow_segmentation_raises_no_empty_tier_alert_for_potential(cdnow_features):
    """Issue 21: every run warned 'no customer is 'potential' (1 of 6 tiers empty)'."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segmentation = tk.Segmentation().fit(cdnow_features)
        table = segmentation.transform(cdnow_features)
    assert "potential" not in set(table["lifecycle_stage"])
    assert not [a for a in grading_alerts(segmentation, table) if "potential" in a]
    # CDNOW's customers all joined in early 1997: as of 1998-06-30 none is new, and that is still said
    assert [a for a in grading_alerts(segmentation, table) if a.startswith("lifecycle_stage")] == [
        "lifecycle_stage: no customer is 'new' (1 of 5 tiers empty)"]


def panel(page: str) -> str:
    """The text of the report's alert panel (empty without one)."""
    if 'class="alerts"' not in page:
        return ""
    start = page.index('class="alerts"')
    return page[start:page.index("</section>", start)]


@pytest.mark.parametrize("lang, warning, heading", [
    ("en", "tierkit: warning: CLV: the BG/NBD model cannot tell active from lapsed customers",
     "Before acting on these tiers"),
    ("zh", "tierkit: 警告: CLV: BG/NBD 模型分不清活跃客户和已流失客户", "使用这些分级之前请注意"),
])
def test_the_cli_prints_alerts_as_warnings_and_the_report_shows_them(tmp_path, capsys, lang, warning, heading):
    tx = always_active_transactions()
    tx.to_csv(tmp_path / "tx.csv", index=False)
    assert main(["report", str(tmp_path / "tx.csv"), "--as-of", "2021-06-30", "--out", str(tmp_path / "r.html"),
                 "--clv-model", "bgnbd",
                 "--no-clusters", "--lang", lang]) == 0
    err = capsys.readouterr().err
    assert warning in err
    shown = panel((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert heading in shown and warning.removeprefix("tierkit: warning: ").removeprefix("tierkit: 警告: ") in shown
    # the alerts are in the panel, not repeated as notes
    assert '<div class="note">CLV' not in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_segment_prints_the_alerts_in_its_language(tmp_path, capsys):
    tx = always_active_transactions()
    tx.to_csv(tmp_path / "tx.csv", index=False)
    assert main(["segment", str(tmp_path / "tx.csv"), "--as-of", "2021-06-30", "--out", str(tmp_path / "s.csv"),
                 "--clv-model", "bgnbd",
                 "--no-clusters", "--lang", "zh"]) == 0
    err = capsys.readouterr().err
    assert "tierkit: 警告: CLV: BG/NBD 模型分不清活跃客户和已流失客户" in err
    assert "CLV: BG/NBD 模型分不清活跃客户和已流失客户" in err


def numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?", text)


def test_every_alert_is_said_in_chinese_with_the_same_figures(degenerate):
    segmentation, table = degenerate
    english, chinese = grading_alerts(segmentation, table), grading_alerts(segmentation, table, lang="zh")
    assert len(english) == len(chinese) >= 2
    for en, zh in zip(english, chinese, strict=True):
        assert CJK.search(zh) and not CJK.search(en)
        assert sorted(numbers(en)) == sorted(numbers(zh)), (en, zh)  # word order differs


def test_a_tier_holding_nearly_everyone_in_chinese():
    """Issue 21: '潜在客户' (potential, filled only by a master list) is no longer counted as empty."""
    graded = pd.DataFrame({"lifecycle_stage": ["new"] * 19 + ["loyal"]})
    segmentation = tk.Segmentation().fit(pd.DataFrame({
        "recency": np.arange(20.0), "frequency": [1] * 19 + [3], "monetary": np.arange(20.0) + 1,
        "frequency_btyd": [0] * 19 + [2], "recency_btyd": [0] * 19 + [30]}))
    assert grading_alerts(segmentation, graded, lang="zh")[:2] == [  # the tiers by their Chinese labels
        "lifecycle_stage: 95% 的客户都是 '新客户'; 这种分级几乎没有把客户区分开",
        "lifecycle_stage: 没有客户属于 '回头客', '流失风险客户', '已流失客户' (5 个等级中有 3 个为空)"]
    with pytest.raises(tk.TierkitError, match="lang: 'fr'"):
        grading_alerts(segmentation, graded, lang="fr")


def test_validate_raises_the_alerts_segment_raises_for_the_same_fit(tmp_path, capsys):
    always_active_transactions().to_csv(tmp_path / "tx.csv", index=False)
    assert main(["segment", str(tmp_path / "tx.csv"), "--as-of", "2021-06-30", "--out", str(tmp_path / "s.csv"),
                 "--no-clusters"]) == 0
    segment_err = capsys.readouterr().err
    assert main(["validate", str(tmp_path / "tx.csv"), "--calibration-end", "2021-06-30", "--holdout-end",
                 "2021-07-31", "--models", "mbgnbd"]) == 0
    validate_err = capsys.readouterr().err
    untrusted = "CLV: the MBG/NBD model cannot tell active from lapsed customers"
    assert untrusted in segment_err and untrusted in validate_err
