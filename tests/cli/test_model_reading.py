"""A model remembers how training read its file (issue 20).

Standards trained on raw columns (``--customer-col CustomerID --price-col UnitPrice ...``, a
``;`` separator, day-first dates, guest rows dropped) score next month's file of the same shape
with no reading option repeated; the result equals scoring with every option given again (the
old way, an independent path through the same reader). Options that change what a feature means
(an order column against a purchase-day model) are refused in one line; a file of another
shape is refused naming the columns the model expects.
"""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.data import read_transactions
from tierkit.errors import DataError
from tierkit.scoring import score_transactions

OCT, NOV = "2011-10-31", "2011-11-30"
RAW = ["--customer-col", "CustomerID", "--date-col", "InvoiceDate", "--price-col", "UnitPrice",
       "--quantity-col", "Quantity", "--sep", ";", "--date-format", "%d/%m/%Y %H:%M",
       "--missing-customers", "drop"]


def run(args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return main([str(a) for a in args])


def raw_file(path, end, n_customers=300, seed=7):
    """An export as a shop's system writes it: UCI Online Retail's columns, ``;``, dd/mm/YYYY HH:MM, guests."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        first = pd.Timestamp("2011-01-03") + pd.Timedelta(days=int(rng.integers(0, 250)))
        for k in range(int(rng.integers(1, 6))):
            day = first + pd.Timedelta(days=int(rng.integers(0, 300)), hours=int(rng.integers(8, 18)))
            if day > pd.Timestamp(end):
                continue
            invoice = f"5{c:03d}{k}"
            for _ in range(int(rng.integers(1, 3))):
                rows.append((invoice, day, 12346 + c, int(rng.integers(1, 12)), round(float(rng.uniform(0.5, 20)), 2)))
    for g in range(20):  # guest checkouts: no customer id
        rows.append((f"9{g:04d}", pd.Timestamp("2011-06-01") + pd.Timedelta(days=g), None, 1, 3.5))
    frame = pd.DataFrame(rows, columns=["InvoiceNo", "InvoiceDate", "CustomerID", "Quantity", "UnitPrice"])
    frame["InvoiceDate"] = frame["InvoiceDate"].dt.strftime("%d/%m/%Y %H:%M")
    frame["CustomerID"] = frame["CustomerID"].astype("Int64")
    frame.to_csv(path, sep=";", index=False)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("reading")
    raw_file(root / "oct.csv", OCT)
    raw_file(root / "nov.csv", NOV)
    assert run(["segment", root / "oct.csv", "--as-of", OCT, *RAW, "--no-clusters", "--out", root / "oct.parquet",
                "--save-model", root / "model"]) == 0
    return root


def test_standards_record_the_reading(trained):
    standards = json.loads((trained / "model" / "artifacts" / "standards.json").read_text())
    assert standards["reading"]["columns"] == {"customer_id": "CustomerID", "date": "InvoiceDate", "amount": None,
                                               "order_id": None, "quantity": "Quantity", "profit": None,
                                               "price": "UnitPrice"}
    assert standards["reading"]["options"]["sep"] == ";"
    assert standards["reading"]["options"]["date_format"] == "%d/%m/%Y %H:%M"
    assert standards["reading"]["options"]["missing_customers"] == "drop"
    assert "rejects" not in standards["reading"]["options"]  # a per-run output, not a way of reading
    assert standards["frequency_of"] == "purchase_days"


def test_score_next_month_with_no_reading_option(trained, capsys):
    root = trained
    assert run(["score", root / "nov.csv", "--model", root / "model", "--as-of", NOV, "--out", root / "a.csv",
                "--no-progress"]) == 0
    # the same file scored with every reading option given again: the way it had to be done before
    assert run(["score", root / "nov.csv", "--model", root / "model", "--as-of", NOV, "--out", root / "b.csv",
                "--no-progress", *RAW]) == 0
    by_model = pd.read_csv(root / "a.csv", dtype={"customer_id": str})
    by_options = pd.read_csv(root / "b.csv", dtype={"customer_id": str})
    pd.testing.assert_frame_equal(by_model, by_options)
    # and the customers are the file's, read by an independent pandas computation
    raw = pd.read_csv(root / "nov.csv", sep=";")
    raw = raw[raw["CustomerID"].notna()]
    assert sorted(by_model["customer_id"]) == sorted(raw["CustomerID"].astype("int64").astype(str).unique())


def test_segment_with_model_reads_as_training(trained):
    root = trained
    assert run(["segment", root / "nov.csv", "--as-of", NOV, "--model", root / "model", "--out",
                root / "nov.parquet"]) == 0
    graded = pd.read_parquet(root / "nov.parquet")
    tx = read_transactions(root / "nov.csv", customer_id="CustomerID", date="InvoiceDate", amount=None,
                           price="UnitPrice", quantity="Quantity", sep=";", date_format="%d/%m/%Y %H:%M",
                           missing_customers="drop")
    features = tk.rfm_features(tx, as_of=NOV)
    assert len(graded) == len(features)
    np.testing.assert_allclose(graded.set_index("customer_id").loc[features.index, "monetary"], features["monetary"])


def test_one_changed_option_keeps_the_rest(trained):
    """Next month the id column is renamed: only that option is given."""
    root = trained
    renamed = pd.read_csv(root / "nov.csv", sep=";", dtype=str).rename(columns={"CustomerID": "Customer ID"})
    renamed.to_csv(root / "renamed.csv", sep=";", index=False)
    assert run(["score", root / "renamed.csv", "--model", root / "model", "--as-of", NOV, "--out", root / "c.csv",
                "--no-progress", "--customer-col", "Customer ID"]) == 0
    assert run(["score", root / "nov.csv", "--model", root / "model", "--as-of", NOV, "--out", root / "c0.csv",
                "--no-progress"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(root / "c.csv", dtype={"customer_id": str}),
                                  pd.read_csv(root / "c0.csv", dtype={"customer_id": str}))


def test_order_column_against_a_purchase_day_model_is_refused(trained, capsys):
    root = trained
    capsys.readouterr()
    assert run(["score", root / "nov.csv", "--model", root / "model", "--as-of", NOV, "--out", root / "d.csv",
                "--no-progress", "--order-col", "InvoiceNo"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("tierkit: error: order column 'InvoiceNo'")
    assert "purchase days" in err[-1] and "Traceback" not in "".join(err)
    assert not (root / "d.csv").exists()
    assert run(["segment", root / "nov.csv", "--as-of", NOV, "--model", root / "model", "--out", root / "e.csv",
                "--order-col", "InvoiceNo"]) == 2
    assert not (root / "e.csv").exists()


def test_a_file_of_another_shape_names_the_expected_columns(trained, capsys, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("customer_id,date,amount\n1,2011-11-01,5\n")
    capsys.readouterr()
    assert run(["score", other, "--model", trained / "model", "--as-of", NOV, "--out", tmp_path / "o.csv",
                "--no-progress"]) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert "missing column 'CustomerID'" in line
    assert "columns CustomerID, InvoiceDate, UnitPrice, Quantity" in line


def test_library_scoring_uses_the_recorded_reading(trained):
    summary = score_transactions(str(trained / "model"), trained / "nov.csv", as_of=NOV, out=trained / "lib.csv")
    assert summary.customers_scored == len(pd.read_csv(trained / "lib.csv"))
    with pytest.raises(DataError, match="counts frequency as purchase days"):
        score_transactions(str(trained / "model"), trained / "nov.csv", as_of=NOV, out=trained / "lib2.csv",
                           columns={"order_id": "InvoiceNo"})


def test_estimators_refuse_features_counted_another_way():
    """Standards learned on purchase days do not grade features that count orders, and the reverse."""
    tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c", "c"],
                       "date": pd.to_datetime(["2021-01-05", "2021-01-05", "2021-02-01", "2021-01-20", "2021-01-02",
                                               "2021-03-01"]),
                       "amount": [10.0, 20.0, 5.0, 8.0, 30.0, 4.0], "order_id": ["1", "2", "3", "4", "5", "6"]})
    by_days = tk.rfm_features(tx.drop(columns="order_id"), as_of="2021-03-31")
    by_orders = tk.rfm_features(tx, as_of="2021-03-31")
    assert by_days.attrs["frequency_of"] == "purchase_days" and by_orders.attrs["frequency_of"] == "orders"
    assert by_days.loc["a", "frequency"] == 2 and by_orders.loc["a", "frequency"] == 3  # hand-counted
    seg = tk.Segmentation(clv=False, clusters=False).fit(by_days)
    with pytest.raises(DataError, match="count frequency as distinct orders .* learned on purchase days"):
        seg.transform(by_orders)
    with pytest.raises(DataError, match="learned on distinct orders"):
        tk.RFMScorer().fit(by_orders).transform(by_days)
