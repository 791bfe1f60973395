"""The pyfunc model's inputs and outputs through ``mlflow.pyfunc.load_model`` (no server).

Integer and float numbers, integer and text ids, raw transactions with ``as_of``, labels in a
language, ``None`` for missing values, a made-up input example and pinned requirements.
"""

import json
import math
import tomllib
from importlib.metadata import version
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
import sklearn

import tierkit as tk
from tierkit.errors import TierkitError
from tierkit.mlops.export import save_segmentation_model
from tierkit.mlops.pyfunc import RUNTIME_REQUIREMENTS

AS_OF = "1998-06-30"


def full_segmentation():
    """Every step, CLV-CS without a survey: ``cs_index`` is missing for every customer."""
    return tk.Segmentation(clv=True, clv_cs=True, value_potential=True, clusters=tk.KMeansSegmenter(k=4))


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    tx = tk.load_cdnow(sample=True)
    features = tk.rfm_features(tx, as_of=AS_OF)
    segmentation = full_segmentation().fit(features)
    folder = save_segmentation_model(segmentation, features, tmp_path_factory.mktemp("pyfunc") / "model",
                                     horizon=segmentation.named_step("clv").horizon)
    model = mlflow.pyfunc.load_model(str(folder))
    table = segmentation.transform(features)
    output = [c for c in table.columns if c not in features.columns]
    expected = table[output].reset_index()
    return tx, features, folder, model, expected


def same_tiers(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """``got`` (missing values as None) equals ``expected`` (missing values as NaN), column by column."""
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got.astype(expected.dtypes.to_dict()), expected.reset_index(drop=True))


def test_int64_columns_and_integer_ids_are_accepted(fitted):
    _, features, _, model, expected = fitted
    # The README's call: rfm_features' own table, frequency int64, two datetime columns too.
    as_given = features.reset_index()
    assert as_given["frequency"].dtype == "int64"
    same_tiers(model.predict(as_given), expected)

    ints = as_given.copy()
    ints["customer_id"] = ints["customer_id"].astype("int64")
    for column in ("recency", "tenure", "recency_btyd", "T", "frequency_btyd"):
        ints[column] = ints[column].astype("int64")  # whole days
    got = model.predict(ints)
    assert got["customer_id"].head(3).tolist() == ["4", "18", "21"]
    renamed = expected.assign(customer_id=expected["customer_id"].astype("int64").astype("str"))
    same_tiers(got, renamed)


def test_text_in_a_number_column_is_named(fitted):
    _, features, _, model, _ = fitted
    frame = features.reset_index().head(3).astype({"recency": "object"})
    frame.loc[1, "recency"] = "abc"
    with pytest.raises(TierkitError, match="column 'recency' holds 'abc', not a number"):
        model.predict(frame)


def test_missing_values_are_none_never_nan(fitted):
    _, features, _, model, _ = fitted
    got = model.predict(features.reset_index().head(50))
    assert got["cs_index"].tolist() == [None] * 50  # no survey: every customer unrated
    for column in got.columns:
        floats = [v for v in got[column] if isinstance(v, float)]
        assert all(math.isfinite(v) for v in floats), column
    json.dumps(got.to_dict(orient="records"), allow_nan=False)  # strict JSON


def test_lang_adds_label_and_strategy_columns(fitted):
    _, features, _, model, expected = fitted
    head = features.reset_index().head(40)
    for lang in ("zh", "en"):
        got = model.predict(head, params={"lang": lang})
        labelled = tk.add_labels(expected.head(40), lang)
        same_tiers(got, labelled)
        assert {"rfm_class_label", "abc_tier_strategy", "value_potential_label", "cluster_name_strategy"} <= set(
            got.columns)
    assert model.predict(head, params={"lang": "zh"})["abc_tier_label"].iloc[0] == "普通客户"
    with pytest.raises(TierkitError, match="fr"):
        model.predict(head, params={"lang": "fr"})


def test_transactions_input_gives_the_tiers_of_the_training_features(fitted):
    tx, _, _, model, expected = fitted
    raw = tx[["customer_id", "date", "amount"]].copy()
    raw["date"] = raw["date"].dt.strftime("%Y-%m-%d")  # as a JSON caller sends it
    got = model.predict(raw, params={"input": "transactions", "as_of": AS_OF})
    same_tiers(got, expected)


def test_transactions_follow_the_reader_rules(fitted):
    tx, _, _, model, expected = fitted
    customers = tx["customer_id"].unique()[:10]
    raw = tx.loc[tx["customer_id"].isin(customers), ["customer_id", "date", "amount"]].astype({"date": "str"})
    bad = pd.concat([raw, pd.DataFrame({"customer_id": ["00004"], "date": ["not-a-date"], "amount": [3.0]})],
                    ignore_index=True)
    with pytest.raises(tk.DataError, match="not-a-date"):
        model.predict(bad, params={"input": "transactions", "as_of": AS_OF})
    # The tiers of a customer depend on their own transactions only.
    skipped = model.predict(bad, params={"input": "transactions", "as_of": AS_OF, "on_bad_rows": "skip"})
    same_tiers(skipped, expected[expected["customer_id"].isin(customers)])
    with pytest.raises(TierkitError, match="as_of is required"):
        model.predict(raw, params={"input": "transactions"})
    with pytest.raises(TierkitError, match="need column"):
        model.predict(raw.drop(columns="amount"), params={"input": "transactions", "as_of": AS_OF})
    with pytest.raises(TierkitError, match="'features' or 'transactions'"):
        model.predict(raw, params={"input": "orders"})


def test_requirements_are_pinned_to_this_environment(fitted):
    _, _, folder, _, _ = fitted
    lines = (folder / "requirements.txt").read_text().split()
    pins = dict(line.split("==") for line in lines)
    assert pins["scikit-learn"] == sklearn.__version__
    assert pins["mlflow"] == mlflow.__version__
    for name in RUNTIME_REQUIREMENTS:
        assert pins[name] == version(name), name
    assert len(lines) == len(pins), "one line per package"
    # Every runtime dependency of tierkit is pinned, no more.
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    names = {d.split(">")[0].split("=")[0].split("<")[0].strip().lower() for d in project["dependencies"]}
    assert names == set(RUNTIME_REQUIREMENTS)


def test_input_example_is_made_up(fitted):
    _, features, folder, model, _ = fitted
    example = json.loads((folder / "input_example.json").read_text())
    frame = pd.DataFrame(example["data"], columns=example["columns"])
    assert frame["customer_id"].tolist() == ["example-1", "example-2", "example-3"]
    assert not set(frame["customer_id"]) & set(features.index)
    # It satisfies the feature definition: it is rfm_features of the made-up transactions.
    assert frame["frequency"].tolist() == [3.0, 1.0, 2.0]
    assert np.allclose(frame["tenure"] - frame["recency"], frame["recency_btyd"])
    assert len(model.predict(frame)) == 3


def test_input_example_of_a_weekly_model_is_in_weeks(tmp_path):
    weekly = tk.rfm_features(tk.load_cdnow(sample=True), as_of=AS_OF, time_unit="W")
    segmentation = tk.Segmentation().fit(weekly)
    folder = save_segmentation_model(segmentation, weekly, tmp_path / "model")
    example = json.loads((folder / "input_example.json").read_text())
    frame = pd.DataFrame(example["data"], columns=example["columns"])
    assert frame["tenure"].tolist() == pytest.approx([300 / 7, 200 / 7, 400 / 7])
    got = mlflow.pyfunc.load_model(str(folder)).predict(frame)  # read as weeks, not refused as days
    assert got["customer_id"].tolist() == ["example-1", "example-2", "example-3"]
