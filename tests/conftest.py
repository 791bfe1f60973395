import os

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

import tierkit as tk

_ENV_AT_START = dict(os.environ)

#: The experiment config of the MLflow tests: the CDNOW sample, weekly, with a holdout.
SAMPLE_CONFIG = """
name: sample
data: {dataset: cdnow_sample}
dates: {calibration_end: 1997-09-30, holdout_end: 1998-06-30, as_of: 1998-06-30}
time_unit: W
schemes:
  abc: {scheme: abc}
mlflow: {experiment: tierkit-test, registered_model: tierkit-test, alias: champion}
"""


@pytest.fixture(scope="session")
def cdnow_tx():
    return tk.load_cdnow()


@pytest.fixture(scope="session")
def cdnow_features(cdnow_tx):
    return tk.rfm_features(cdnow_tx, as_of="1998-06-30")


@pytest.fixture(scope="session")
def cdnow_sample_holdout():
    """The CDNOW sample as of 1997-09-30 in weeks (FHL 2005), with the 39-week holdout to 1998-06-30."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the later transactions are left out, as intended
        return tk.rfm_features(tk.load_cdnow(sample=True), as_of="1997-09-30", time_unit="W", holdout_end="1998-06-30")


#: The UCI Online Retail file: one year, guest checkouts, cancellations, price x quantity.
ONLINE_RETAIL = os.path.join(os.path.dirname(__file__), "data", "online_retail.parquet")


@pytest.fixture(scope="session")
def retail_tx():
    """Online Retail's transactions, guests left out, read from the raw columns."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the guests left out are warned about
        return tk.read_transactions(ONLINE_RETAIL, customer_id="CustomerID", date="InvoiceDate", order_id="InvoiceNo",
                                    quantity="Quantity", price="UnitPrice", missing_customers="drop")


@pytest.fixture(scope="session")
def retail_calibration(retail_tx):
    """Online Retail features in days as of 2011-08-31, with the holdout to 2011-12-09."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tk.rfm_features(retail_tx, as_of="2011-08-31", time_unit="D", holdout_end="2011-12-09")


def make_tx(rows, **extra):
    """Canonical transactions from (customer, 'YYYY-MM-DD', amount) tuples."""
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"])
    for name, values in extra.items():
        frame[name] = values
    return frame


@pytest.fixture(scope="session")
def spark():
    """A real local Spark session (2 cores), shared by the Spark tests of one test process."""
    import shutil

    pytest.importorskip("pyspark", reason="pyspark is installed by the spark extra (make test)")
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: Spark needs Java 17 (.ci/system-deps.sh installs it)")
    from tierkit.scoring.spark import local_spark_session

    session = local_spark_session(master="local[2]", driver_memory="512m")
    yield session
    session.stop()


@pytest.fixture(autouse=True)
def _fresh_mlflow_state():
    """MLflow keeps the tracking URI, the active experiment and runs in module globals; a test
    that sets them must not hand them to the next test on the same worker."""
    yield
    import sys

    if "mlflow" not in sys.modules:
        return
    import mlflow
    import mlflow.tracking.fluent as fluent

    while mlflow.active_run() is not None:
        mlflow.end_run()
    fluent._active_experiment_id = None
    mlflow.set_tracking_uri(None)
    for name in ("MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_TRACKING_URI"):
        if name in os.environ and name not in _ENV_AT_START:
            del os.environ[name]
