"""Real files from their raw columns: UCI Online Retail and the published CDNOW sample.

The Online Retail file has guest checkouts without a customer id and no amount column
(amount = Quantity x UnitPrice); the expected RFM values are computed here independently, with
plain pandas, from the raw lines. ``CDNOW_sample.txt`` has no header line; read by position it
must give the published summary that lifetimes ships.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.datasets import cdnow_path

pytestmark = pytest.mark.slow

RETAIL = Path(__file__).parent / "online_retail.parquet"
RETAIL_AS_OF = "2011-12-10"
#: The command of the documentation (docs/guide/reading.md), as a list.
RETAIL_COMMAND = ["segment", str(RETAIL), "--customer-col", "CustomerID", "--date-col", "InvoiceDate",
                  "--order-col", "InvoiceNo", "--quantity-col", "Quantity", "--price-col", "UnitPrice",
                  "--missing-customers", "drop", "--as-of", RETAIL_AS_OF]


def independent_rfm(raw: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """Recency, frequency and monetary from the raw lines, by the definitions of tierkit.features.definition."""
    lines = raw[raw["CustomerID"].notna()].copy()
    lines["customer_id"] = lines["CustomerID"].astype("int64").astype(str)
    lines["amount"] = lines["Quantity"] * lines["UnitPrice"]
    lines["day"] = lines["InvoiceDate"].dt.normalize()
    lines = lines[lines["day"] <= pd.Timestamp(as_of)]
    purchases = lines[lines["amount"] >= 0]
    out = pd.DataFrame({
        "recency": (pd.Timestamp(as_of) - purchases.groupby("customer_id")["day"].max()).dt.days.astype(float),
        "frequency": purchases.groupby("customer_id")["InvoiceNo"].nunique().astype(float),
    })
    out["monetary"] = lines.groupby("customer_id")["amount"].sum()
    return out.sort_index()


def test_online_retail_is_graded_from_its_raw_columns_by_the_readme_command(tmp_path, capsys):
    out = tmp_path / "online_retail_tiers.csv"
    assert main(RETAIL_COMMAND + ["--out", str(out), "--no-clusters"]) == 0
    err = capsys.readouterr().err
    assert "135,080 row(s) without a customer id left out" in err
    assert "541,909 rows read, 406,829 kept; left out: 135,080 missing customer" in err
    graded = pd.read_csv(out, dtype={"customer_id": "str"}).set_index("customer_id").sort_index()
    expected = independent_rfm(pd.read_parquet(RETAIL), RETAIL_AS_OF)
    assert graded.index.tolist() == expected.index.tolist()
    assert len(graded) == 4_339  # of the 4,372 ids, 33 only ever cancelled
    for column in ("recency", "frequency", "monetary"):
        np.testing.assert_allclose(graded[column], expected[column], rtol=0, atol=1e-6, err_msg=column)
    assert graded["abc_tier"].notna().all() and graded["rfm_class"].notna().all()


def test_online_retail_amounts_add_up_to_the_published_total():
    # every line has a country: the published total of Quantity x UnitPrice over all 541,909 lines
    tx = tk.read_transactions(RETAIL, customer_id="Country", date="InvoiceDate", quantity="Quantity",
                              price="UnitPrice")
    assert len(tx) == 541_909
    assert round(float(tx["amount"].sum()), 2) == 9_747_747.93


def test_online_retail_guests_are_refused_by_default_naming_the_option(capsys):
    assert main(RETAIL_COMMAND[:-4] + ["--as-of", RETAIL_AS_OF, "--out", "never.csv"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"tierkit: error: {RETAIL}: column 'CustomerID': 135,080 row(s) have an empty customer id "
                   "(first at row 623); give --missing-customers 'drop' to leave them out")
    assert not Path("never.csv").exists()


def test_raw_cdnow_sample_by_position_gives_the_published_summary(tmp_path, capsys):
    out = tmp_path / "cdnow.csv"
    argv = ["segment", str(cdnow_path(sample=True)), "--no-header", "--customer-col", "1", "--date-col", "3",
            "--amount-col", "5", "--as-of", "1997-09-30", "--time-unit", "W", "--no-clv", "--no-clusters",
            "--out", str(out)]
    assert main(argv) == 0
    assert "6,919 rows read, 6,919 kept" in capsys.readouterr().err
    ours = pd.read_csv(out, dtype={"customer_id": "str"})
    published = pd.read_csv(cdnow_path().parent / "cdnow_customers_summary.csv")
    assert len(ours) == len(published) == 2357
    # the summary is keyed by the id in the sample (column 2 of the raw file)
    raw = pd.read_csv(cdnow_path(sample=True), sep=r"\s+", header=None, dtype=str)
    sample_id = raw.drop_duplicates(0).set_index(0)[1].astype(int)
    ours = ours.assign(ID=sample_id.reindex(ours["customer_id"]).to_numpy()).sort_values("ID", ignore_index=True)
    published = published.sort_values("ID", ignore_index=True)
    assert ours["ID"].tolist() == published["ID"].tolist()
    np.testing.assert_array_equal(ours["frequency_btyd"], published["frequency"])
    np.testing.assert_allclose(ours["recency_btyd"], published["recency"], atol=0.005)
    np.testing.assert_allclose(ours["T"], published["T"], atol=0.005)


def test_raw_cdnow_sample_reproduces_the_published_bgnbd_fit(capsys):
    argv = ["validate", str(cdnow_path(sample=True)), "--no-header", "--customer-col", "1", "--date-col", "3",
            "--amount-col", "5", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30",
            "--time-unit", "W"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "BG/NBD: r 0.2426, alpha 4.414, a 0.7929, b 2.426; log-likelihood -9582.4" in out


def test_an_experiment_on_online_retail_reports_the_guests_left_out(tmp_path):
    import subprocess
    import sys

    import mlflow

    config = tmp_path / "retail.yaml"
    config.write_text(f"""name: retail
data:
  path: {RETAIL}
  customer_id: CustomerID
  date: InvoiceDate
  order_id: InvoiceNo
  quantity: Quantity
  price: UnitPrice
  missing_customers: drop
dates: {{as_of: {RETAIL_AS_OF}}}
schemes: {{rfm: {{n_bins: 5}}, abc: {{scheme: course, basis: rank}}}}
mlflow: {{experiment: retail}}
""")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    # a process of its own: a run sets MLflow's process-wide experiment, which other tests must not see
    done = subprocess.run([sys.executable, "-m", "tierkit", "run", str(config), "--tracking-uri", uri],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "541,909 rows read, 406,829 kept; left out: 135,080 missing customer" in out
    client = mlflow.MlflowClient(tracking_uri=uri)  # not the process-wide URI other tests rely on
    run = client.search_runs([client.get_experiment_by_name("retail").experiment_id])[0]
    assert run.data.metrics["rows_left_out"] == 135_080
    assert run.data.tags["tierkit.rows_left_out"] == "135080 missing customer"
