import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

import tierkit as tk


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
