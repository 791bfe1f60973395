"""The pyfunc model's inputs and outputs through ``mlflow.pyfunc.load_model`` (no server).

Integer and float numbers, integer and text ids, raw transactions with ``as_of``, labels in a
language, ``None`` for missing values, a made-up input example and pinned requirements.
"""

import json
import math
import re
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
from tierkit.mlops.pyfunc import MAX_HORIZON_DAYS, MAX_REQUEST_ROWS, RUNTIME_REQUIREMENTS, _numbers, model_input

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
    # The call of docs/guide/mlflow.md: rfm_features' own table, frequency int64, two datetime columns too.
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
    with pytest.raises(TierkitError, match="column 'recency', row 1: value 'abc'; expected a number >= 0"):
        model.predict(frame)


def good_rows(features: pd.DataFrame) -> pd.DataFrame:
    """Three customers as a JSON request gives them to the model: object columns (MLflow's ``any``).

    Row 0 bought on 4 days, row 1 once (``frequency_btyd`` 0), row 2 twice; ``T`` and ``tenure``
    are 545 days in rows 0 and 2.
    """
    return model_input(features.head(3)).astype(object)


#: One bad value put in a row of good features, and the line that refuses it (the value as the model
#: gets it: MLflow makes a column of numbers float): every rule of the
#: feature definition the model checks.
BAD_VALUES = [
    (1, "frequency", 0, "column 'frequency', row 1: value 0.0; expected a whole number >= 1 (purchase occasions)"),
    (2, "frequency", 2.5, "column 'frequency', row 2: value 2.5; expected a whole number >= 1"),
    (2, "frequency", True, "column 'frequency', row 2: value True; expected a whole number >= 1"),
    (2, "frequency", None, "column 'frequency', row 2: value None; expected a whole number >= 1"),
    (2, "recency", -5, "column 'recency', row 2: value -5.0; expected a number >= 0"),
    (2, "recency", 600.0, "column 'recency', row 2: value 600.0; expected at most tenure (545.0)"),
    (0, "monetary", float("inf"), "column 'monetary', row 0: value inf; expected a finite number"),
    (0, "monetary", "abc", "column 'monetary', row 0: value 'abc'; expected a finite number"),
    (0, "monetary", False, "column 'monetary', row 0: value False; expected a finite number"),
    (2, "tenure", -1.0, "column 'tenure', row 2: value -1.0; expected a number >= 0"),
    (2, "tenure", 546.0, "column 'T', row 2: value 545.0; expected equal to tenure (546.0)"),
    (2, "frequency_btyd", 1.5, "column 'frequency_btyd', row 2: value 1.5; expected a whole number >= 0"),
    (2, "frequency_btyd", -1, "column 'frequency_btyd', row 2: value -1.0; expected a whole number >= 0"),
    (2, "recency_btyd", -1.0, "column 'recency_btyd', row 2: value -1.0; expected a number >= 0"),
    (2, "recency_btyd", 546.0, "column 'recency_btyd', row 2: value 546.0; expected at most T (545.0)"),
    (2, "T", float("nan"), "column 'T', row 2: value None; expected a number >= 0"),
    (1, "recency_btyd", 3.0, "column 'recency_btyd', row 1: value 3.0; expected 0, as frequency_btyd is 0.0"),
    (1, "monetary_btyd", 9.5, "column 'monetary_btyd', row 1: value 9.5; expected 0, as frequency_btyd is 0.0"),
    (1, "customer_id", None, "column 'customer_id', row 1: value None; expected a customer id"),
    (2, "customer_id", "00004", "column 'customer_id', row 2: value '00004'; expected one row per customer "
                                "(also in row 0)"),
]


@pytest.mark.parametrize(("row", "column", "value", "message"), BAD_VALUES,
                         ids=[f"{c}={v!r}" for _, c, v, _ in BAD_VALUES])
def test_every_row_of_the_features_is_checked(fitted, row, column, value, message):
    _, features, _, model, _ = fitted
    frame = good_rows(features)
    frame.loc[row, column] = value
    with pytest.raises(tk.DataError) as refused:
        model.predict(frame)
    assert str(refused.value).startswith(f"model input: {message}")
    assert "\n" not in str(refused.value)


def test_the_first_bad_row_is_named_with_the_count_of_bad_rows(fitted):
    _, features, _, model, _ = fitted
    frame = good_rows(features)
    frame["frequency"] = [3, True, 0]
    with pytest.raises(tk.DataError, match=r"^model input: column 'frequency', row 1: value True; expected a whole "
                                           r"number >= 1 \(purchase occasions\) \(2 bad rows in all\)$"):
        model.predict(frame)
    frame["frequency"] = True  # a boolean column, as pandas reads a JSON column of true / false
    with pytest.raises(tk.DataError, match="column 'frequency', row 0: value True"):
        model.predict(frame.astype({"frequency": "bool"}))


def test_good_rows_in_any_number_type_are_graded_as_before(fitted):
    _, features, _, model, expected = fitted
    frame = good_rows(features)
    frame["frequency"] = ["4", 1, 2.0]  # numeric text, integer, whole float
    same_tiers(model.predict(frame), expected.head(3))


@pytest.mark.parametrize(("column", "values", "message"), [
    ("cs_index", [50.0, None, 101], "column 'cs_index', row 2: value 101; expected a CS index from 0 to 100, or "
                                    "null (no answer)"),
    ("cs_index", [50.0, True], "column 'cs_index', row 1: value True; expected a CS index"),
    ("profit", [1.5, float("-inf")], "column 'profit', row 1: value -inf; expected a finite number"),
])
def test_survey_and_profit_columns_are_checked(column, values, message):
    with pytest.raises(tk.DataError, match=re.escape(message)):
        _numbers(pd.Series(values, dtype=object), column)
    assert np.isnan(_numbers(pd.Series([None, 20], dtype=object), "cs_index")[0])  # no answer: missing


def test_too_many_rows_are_refused_before_any_work(fitted):
    _, _, _, model, _ = fitted
    rows = MAX_REQUEST_ROWS + 1
    # every value bad: had the model looked at a row, it would have named that instead
    junk = pd.DataFrame({"customer_id": np.full(rows, "x"), "recency": "?", "frequency": "?", "monetary": "?",
                         "tenure": "?", "frequency_btyd": "?", "recency_btyd": "?", "T": "?", "monetary_btyd": "?"})
    # the model itself, without MLflow's check of every value against the signature (seconds for 100,000 rows)
    inner = model.unwrap_python_model()
    with pytest.raises(TierkitError, match="^model input: 100,001 rows; the model takes at most 100,000 rows per call"):
        inner.predict(None, junk)
    with pytest.raises(TierkitError, match="100,001 rows"):
        inner.predict(None, junk.rename(columns={"recency": "date", "monetary": "amount"}),
                      params={"input": "transactions", "as_of": AS_OF})


def test_a_horizon_beyond_the_limit_is_refused_before_any_work(fitted):
    _, features, _, model, expected = fitted
    junk = good_rows(features).assign(frequency="?")
    with pytest.raises(TierkitError, match=re.escape("params: horizon '99999999W' is 699,999,993 days; the model "
                                                     "predicts at most 3,653 days ahead")):
        model.predict(junk, params={"horizon": "99999999W"})
    with pytest.raises(TierkitError, match="'3654D' is 3,654 days"):
        model.predict(junk, params={"horizon": "3654D"})
    assert MAX_HORIZON_DAYS == 3653
    assert len(model.predict(good_rows(features), params={"horizon": "3653D"})) == 3  # ten years: allowed
    with pytest.raises(TierkitError, match="'99999999W'"):
        model.predict(junk, params={"horizon": "99999999W", "input": "transactions", "as_of": AS_OF})


def test_limits_are_the_model_config_and_can_be_changed_where_it_is_loaded(fitted):
    _, features, folder, _, _ = fitted
    config = mlflow.models.Model.load(str(folder)).flavors["python_function"]["config"]
    assert config == {"max_rows": MAX_REQUEST_ROWS, "max_horizon_days": MAX_HORIZON_DAYS}
    smaller = mlflow.pyfunc.load_model(str(folder), model_config={"max_rows": 2, "max_horizon_days": 30})
    with pytest.raises(TierkitError, match="3 rows; the model takes at most 2 rows"):
        smaller.predict(good_rows(features))
    with pytest.raises(TierkitError, match="at most 365 days ahead"):  # the fitted horizon stays allowed
        smaller.predict(good_rows(features).head(2), params={"horizon": "366D"})
    assert len(smaller.predict(good_rows(features).head(2), params={"horizon": "365D"})) == 2
    with pytest.raises(tk.ModelError, match=re.escape("model_config: max_rows='many'; expected a whole number >= 1")):
        mlflow.pyfunc.load_model(str(folder), model_config={"max_rows": "many"})


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


@pytest.fixture(scope="module")
def raw_shaped(tmp_path_factory):
    """A model trained on a file with a shop's own columns: CustomerID, InvoiceDate, UnitPrice x Quantity."""
    root = tmp_path_factory.mktemp("raw-shaped")
    tx = tk.load_cdnow(sample=True)
    raw = pd.DataFrame({"CustomerID": tx["customer_id"], "InvoiceDate": tx["date"].dt.strftime("%d/%m/%Y"),
                        "InvoiceNo": np.arange(len(tx)).astype(str), "Quantity": 2,
                        "UnitPrice": tx["amount"] / 2})
    raw.to_csv(root / "tx.csv", index=False)
    read = tk.read_transactions(root / "tx.csv", customer_id="CustomerID", date="InvoiceDate", amount=None,
                                price="UnitPrice", quantity="Quantity", date_format="%d/%m/%Y")
    features = tk.rfm_features(read, as_of=AS_OF)
    segmentation = tk.Segmentation(clusters=tk.KMeansSegmenter(k=3)).fit(features)
    folder = save_segmentation_model(segmentation, features, root / "model")
    table = segmentation.transform(features)
    expected = table[[c for c in table.columns if c not in features.columns]].reset_index()
    return raw, mlflow.pyfunc.load_model(str(folder)), expected


def test_the_served_model_reads_rows_shaped_like_its_training_file(raw_shaped):
    """The model applies the reading it recorded: raw columns, price x quantity, day-first dates."""
    raw, model, expected = raw_shaped
    got = model.predict(raw[["CustomerID", "InvoiceDate", "Quantity", "UnitPrice"]],
                        params={"input": "transactions", "as_of": AS_OF})
    same_tiers(got, expected)
    # and still the canonical columns, read by the reader's own rules (ISO dates)
    canonical = pd.DataFrame({"customer_id": raw["CustomerID"],
                              "date": pd.to_datetime(raw["InvoiceDate"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d"),
                              "amount": raw["Quantity"] * raw["UnitPrice"]})
    same_tiers(model.predict(canonical, params={"input": "transactions", "as_of": AS_OF}), expected)


def test_the_served_model_refuses_an_order_column_against_purchase_days(raw_shaped):
    raw, model, _ = raw_shaped
    canonical = pd.DataFrame({"customer_id": raw["CustomerID"], "date": "1998-01-01", "amount": 3.0,
                              "order_id": raw["InvoiceNo"]})
    with pytest.raises(TierkitError, match="order column 'order_id': the model counts frequency as purchase days"):
        model.predict(canonical, params={"input": "transactions", "as_of": AS_OF})
    with pytest.raises(TierkitError, match="or the columns of the model's training file: CustomerID, InvoiceDate"):
        model.predict(canonical.drop(columns="amount"), params={"input": "transactions", "as_of": AS_OF})
