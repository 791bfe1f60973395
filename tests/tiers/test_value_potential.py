import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from tierkit.errors import DataError, TierkitError
from tierkit.tiers.value_potential import VALUE_POTENTIAL_TIERS, ValuePotentialMatrix


def table():
    return pd.DataFrame({"monetary": [500.0, 400, 300, 20, 10, 5], "clv": [300.0, 1, 2, 200, 150, 0]},
                        index=list("abcdef"))


def test_quadrants_at_the_medians():
    # medians: monetary (20 + 300) / 2, clv (2 + 150) / 2
    matrix = ValuePotentialMatrix().fit(table())
    assert (matrix.value_split_, matrix.potential_split_) == (160.0, 76.0)
    assert matrix.transform(table())["value_potential"].tolist() == [
        "star", "harvest", "harvest", "develop", "develop", "low_priority"]


def test_profit_is_the_value_when_present():
    t = table().assign(profit=[-10.0, -5, 0, 50, 60, 70])
    matrix = ValuePotentialMatrix().fit(t)
    assert matrix.value_column_ == "profit"
    assert matrix.transform(t)["value_potential"].tolist() == [
        "develop", "low_priority", "low_priority", "star", "star", "harvest"]


def test_values_equal_to_the_split_are_low():
    t = pd.DataFrame({"monetary": [1.0, 2, 3], "clv": [0.0, 0.0, 5.0]})
    assert ValuePotentialMatrix().fit_transform(t)["value_potential"].tolist() == [
        "low_priority", "low_priority", "star"]


def test_explicit_splits_and_quantile():
    out = ValuePotentialMatrix(value_split=15, potential_split=100).fit_transform(table())
    assert out["value_potential"].tolist() == ["star", "harvest", "harvest", "star", "develop", "low_priority"]
    matrix = ValuePotentialMatrix(quantile=0.8).fit(table())
    assert matrix.value_split_ == 400.0


def test_splits_learned_at_fit_apply_to_a_new_batch():
    matrix = ValuePotentialMatrix().fit(table())
    batch = pd.DataFrame({"monetary": [1e6, 0.0], "clv": [-1.0, 1e6]}, index=["x", "y"])
    assert matrix.transform(batch)["value_potential"].tolist() == ["harvest", "develop"]


@pytest.mark.parametrize("params, message", [({"quantile": 1.0}, "quantile"),
                                             ({"value_split": float("nan")}, "value_split")])
def test_bad_parameters(params, message):
    with pytest.raises(TierkitError, match=message):
        ValuePotentialMatrix(**params).fit(table())


def test_bad_inputs():
    with pytest.raises(DataError, match="missing feature column.*'clv'"):
        ValuePotentialMatrix().fit(table().drop(columns="clv"))
    with pytest.raises(DataError, match="customer 'c'"):
        ValuePotentialMatrix().fit(table().assign(clv=[1.0, 2.0, None, 3.0, 4.0, 5.0]))
    with pytest.raises(NotFittedError):
        ValuePotentialMatrix().transform(table())


def test_tiers_have_names_in_both_languages_and_strategies():
    assert [t.key for t in VALUE_POTENTIAL_TIERS] == ["star", "harvest", "develop", "low_priority"]
    assert all(t.zh and t.en and t.strategy_en and t.strategy_zh for t in VALUE_POTENTIAL_TIERS)
