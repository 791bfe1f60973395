import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from tierkit.data.surveys import customer_satisfaction, with_satisfaction
from tierkit.errors import DataError, TierkitError
from tierkit.tiers.clv_cs import CLV_CS_CLASSES, CLVCSGrid


def base():
    # CLV 10..90: tertile edges at 10 + 80/3 and 10 + 160/3 (36.67, 63.33).
    return pd.DataFrame({"clv": [10.0, 20, 30, 40, 50, 60, 70, 80, 90]},
                        index=pd.Index([f"c{i}" for i in range(1, 10)], name="customer_id"))


def survey(**cs):
    return pd.DataFrame({"cs_index": list(cs.values())}, index=list(cs))


def test_six_classes_from_tertiles_and_the_70_threshold():
    cs = survey(c1=70.0, c2=69.9, c4=100.0, c5=0.0, c7=75.0, c8=10.0)
    out = CLVCSGrid().fit_transform(with_satisfaction(base(), cs))
    assert out["clv_level"].tolist() == ["low"] * 3 + ["medium"] * 3 + ["high"] * 3
    assert out["clv_cs_class"].tolist() == [
        "advocate", "marginal", "unrated", "growth", "fragile", "unrated", "core", "at_risk_key", "unrated"]
    assert out["cs_level"].tolist() == ["high", "low", "unrated", "high", "low", "unrated", "high", "low", "unrated"]
    assert "cs_index" not in out  # an input column, not re-emitted


def test_tiers_have_the_issue_names_and_strategies():
    tiers = {t.key: t for t in CLV_CS_CLASSES}
    assert {k: t.zh for k, t in tiers.items() if k != "unrated"} == {
        "core": "核心客户", "at_risk_key": "重点挽留客户", "growth": "成长客户",
        "fragile": "波动客户", "advocate": "口碑客户", "marginal": "边缘客户"}
    assert all(t.strategy_en and t.strategy_zh for t in CLV_CS_CLASSES)


def test_edges_learned_at_fit_are_applied_unchanged_to_a_new_batch():
    grid = CLVCSGrid().fit(with_satisfaction(base(), survey(x=90.0, y=90.0, z=90.0)))
    np.testing.assert_allclose(grid.clv_edges_, [10 + 80 / 3, 10 + 160 / 3])
    batch = pd.DataFrame({"clv": [-5.0, 50.0, 1e6]}, index=["x", "y", "z"])
    result = grid.transform(with_satisfaction(batch, survey(x=90.0, y=90.0, z=90.0)))
    assert result["clv_cs_class"].tolist() == ["advocate", "growth", "core"]


def test_equal_clv_values_share_a_level():
    table = pd.DataFrame({"clv": [0.0] * 6 + [5.0, 9.0, 9.0]}, index=list("abcdefghi"))
    out = CLVCSGrid().fit_transform(with_satisfaction(table, survey(a=90.0)))
    assert out["clv_level"].tolist()[:6] == ["low"] * 6


def test_explicit_edges_threshold_and_cs_index_column():
    table = pd.DataFrame({"clv": [5.0, 50.0, 500.0], "cs_index": [65.0, 55.0, np.nan]}, index=list("abc"))
    out = CLVCSGrid(clv_edges=[10, 100], cs_threshold=60).fit_transform(table)
    assert out["clv_cs_class"].tolist() == ["advocate", "fragile", "unrated"]


def test_survey_from_customer_satisfaction_carries_score_and_nps_group():
    answers = pd.DataFrame({"customer_id": ["c1", "c9"], "date": pd.to_datetime(["2021-01-01"] * 2), "score": [9, 3]})
    table = with_satisfaction(base(), customer_satisfaction(answers))
    out = CLVCSGrid().fit_transform(table)
    assert table.loc["c1", "nps_group"] == "promoter" and table.loc["c9", "cs_score"] == 3.0
    assert out.loc["c9", "clv_cs_class"] == "at_risk_key"


def test_a_newer_survey_wave_is_graded_by_the_same_edges():
    grid = CLVCSGrid().fit(with_satisfaction(base(), survey(c9=90.0)))
    assert grid.transform(with_satisfaction(base(), survey(c9=90.0))).loc["c9", "clv_cs_class"] == "core"
    assert grid.transform(with_satisfaction(base(), survey(c9=20.0))).loc["c9", "clv_cs_class"] == "at_risk_key"


def test_satisfaction_is_a_column_not_a_parameter():
    assert "survey" not in CLVCSGrid().get_params()
    grid = CLVCSGrid().fit(with_satisfaction(base(), survey(c1=90.0)))
    assert grid.clv_edges_.shape == (2,)
    with pytest.raises(DataError, match="missing feature column.*'cs_index'"):
        grid.transform(base())


def test_impute_is_explicit_median_of_the_clv_level_and_flagged():
    cs = survey(c1=80.0, c2=40.0, c4=90.0, c7=10.0, c8=30.0)
    grid = CLVCSGrid(unrated="impute").fit(with_satisfaction(base(), cs))
    assert grid.imputed_cs_index_ == {"high": 20.0, "medium": 90.0, "low": 60.0}
    out = grid.transform(with_satisfaction(base(), cs))
    assert out.loc["c3", "cs_index"] == 60.0 and out.loc["c3", "clv_cs_class"] == "marginal"
    assert out.loc["c6", "clv_cs_class"] == "growth" and out.loc["c9", "clv_cs_class"] == "at_risk_key"
    assert out["cs_imputed"].tolist() == [False, False, True, False, True, True, False, False, True]
    assert "unrated" not in set(out["cs_level"])


def test_impute_needs_a_rated_customer_per_level():
    with pytest.raises(TierkitError, match="no rated customer at CLV level 'high'"):
        CLVCSGrid(unrated="impute").fit(with_satisfaction(base(), survey(c1=80.0)))


def test_custom_levels_and_classes():
    classes = {("top", "high"): "keep", ("top", "low"): "fix", ("rest", "high"): "ok", ("rest", "low"): "watch"}
    grid = CLVCSGrid(clv_levels=("top", "rest"), clv_quantiles=(0.5,), classes=classes)
    result = grid.fit_transform(with_satisfaction(base(), survey(c1=90.0, c9=10.0)))
    assert result["clv_cs_class"].tolist() == ["ok"] + ["unrated"] * 7 + ["fix"]


@pytest.mark.parametrize("params, message", [
    ({"cs_threshold": 150}, "cs_threshold"),
    ({"unrated": "median"}, "unrated"),
    ({"clv_edges": [1.0]}, "clv_edges"),
    ({"clv_edges": [5.0, 1.0]}, "clv_edges"),
    ({"clv_quantiles": (0.5, 0.4)}, "clv_quantiles"),
    ({"clv_levels": ("a", "b"), "clv_quantiles": (0.5,)}, "classes"),
    ({"classes": {("high", "high"): "x"}}, "classes"),
])
def test_bad_parameters_are_named(params, message):
    with pytest.raises(TierkitError, match=message):
        CLVCSGrid(**params).fit(with_satisfaction(base(), survey(c1=1.0)))


def test_bad_inputs():
    with pytest.raises(DataError, match="customer_satisfaction"):
        with_satisfaction(base(), pd.DataFrame({"score": [9]}, index=["c1"]))
    with pytest.raises(DataError, match="outside 0..100"):
        with_satisfaction(base(), survey(c1=900.0))
    with pytest.raises(DataError, match="column 'cs_index', customer 'c1': value 900.0 is not a CS index"):
        CLVCSGrid().fit_transform(base().assign(cs_index=[900.0] + [np.nan] * 8))
    with pytest.raises(DataError, match="missing feature column"):
        CLVCSGrid().fit(with_satisfaction(base(), survey(c1=1.0)).rename(columns={"clv": "value"}))
    with pytest.raises(NotFittedError):
        CLVCSGrid().transform(base())


def test_estimator_contract_clone_and_set_params():
    grid = CLVCSGrid(cs_threshold=60)
    assert clone(grid).get_params()["cs_threshold"] == 60
    assert grid.set_params(unrated="impute").unrated == "impute"
