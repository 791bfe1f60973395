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
