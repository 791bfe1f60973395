import warnings

import numpy as np
import pandas as pd
import pytest
from lifetimes.utils import summary_data_from_transaction_data

import tierkit as tk
from conftest import make_tx
from tierkit.errors import TierkitError


def test_hand_computed_rfm_in_days():
    tx = make_tx([
        ("a", "2021-03-01", 10.0),
        ("a", "2021-03-01", 5.0),   # same day: one purchase occasion
        ("a", "2021-03-11", 30.0),
        ("a", "2021-03-21", 20.0),
        ("b", "2021-03-25", 8.0),
    ])
    f = tk.rfm_features(tx, as_of="2021-04-01")
    a, b = f.loc["a"], f.loc["b"]
    # a: first 03-01, last 03-21, as of 04-01 -> recency 11, tenure 31, 3 purchase days.
    assert (a.recency, a.frequency, a.monetary, a.tenure) == (11.0, 3, 65.0, 31.0)
    assert (a.frequency_btyd, a.recency_btyd, a["T"], a.monetary_btyd) == (2.0, 20.0, 31.0, 25.0)
    assert (b.recency, b.frequency, b.monetary, b.frequency_btyd, b.monetary_btyd) == (7.0, 1, 8.0, 0.0, 0.0)
    assert a.first_purchase == pd.Timestamp("2021-03-01") and a.last_purchase == pd.Timestamp("2021-03-21")


def test_weeks_are_days_divided_by_seven():
    tx = make_tx([("a", "2021-03-01", 1.0), ("a", "2021-03-11", 1.0)])
    f = tk.rfm_features(tx, as_of="2021-04-01", time_unit="W")
    assert f.loc["a", "recency"] == pytest.approx(21 / 7)
    assert f.loc["a", "T"] == pytest.approx(31 / 7)
    assert f.loc["a", "recency_btyd"] == pytest.approx(10 / 7)


def test_returns_reduce_monetary_but_are_not_purchase_occasions():
    tx = make_tx([("a", "2021-03-01", 50.0), ("a", "2021-03-20", -20.0)])
    f = tk.rfm_features(tx, as_of="2021-04-01")
    assert f.loc["a", "monetary"] == 30.0
    assert f.loc["a", "frequency"] == 1 and f.loc["a", "frequency_btyd"] == 0
    assert f.loc["a", "recency"] == 31.0  # the return does not refresh recency


def test_zero_amounts_are_purchase_occasions():
    tx = make_tx([("a", "2021-03-01", 50.0), ("a", "2021-03-20", 0.0)])
    f = tk.rfm_features(tx, as_of="2021-04-01")
    assert f.loc["a", "frequency"] == 2 and f.loc["a", "recency"] == 12.0
    assert f.loc["a", "monetary_btyd"] == 0.0


def test_frequency_counts_distinct_orders_when_order_id_given():
    tx = make_tx([("a", "2021-03-01", 1.0), ("a", "2021-03-01", 1.0), ("a", "2021-03-01", 1.0)],
                 order_id=["o1", "o2", "o2"])
    f = tk.rfm_features(tx, as_of="2021-04-01")
    assert f.loc["a", "frequency"] == 2  # two orders
    assert f.loc["a", "frequency_btyd"] == 0  # one purchase day


def test_transactions_after_as_of_are_left_out_with_a_warning():
    tx = make_tx([("a", "2021-03-01", 1.0), ("a", "2021-04-01", 2.0), ("a", "2021-04-02", 4.0),
                  ("b", "2021-05-01", 9.0)])
    with pytest.warns(UserWarning, match="2 transaction\\(s\\) after 2021-04-01 left out"):
        f = tk.rfm_features(tx, as_of="2021-04-01")
    assert list(f.index) == ["a"]  # b only bought later
    assert f.loc["a", "monetary"] == 3.0  # the as-of day counts


def test_profit_column_is_summed():
    tx = make_tx([("a", "2021-03-01", 10.0), ("a", "2021-03-02", 10.0)], profit=[2.0, -0.5])
    assert tk.rfm_features(tx, as_of="2021-04-01").loc["a", "profit"] == 1.5


def test_holdout_columns():
    tx = make_tx([("a", "2021-03-01", 10.0), ("a", "2021-04-05", 7.0), ("a", "2021-04-05", 3.0),
                  ("a", "2021-04-20", 5.0), ("a", "2021-06-01", 99.0), ("b", "2021-03-15", 1.0)])
    with warnings.catch_warnings(record=True):
        f = tk.rfm_features(tx, calibration_end="2021-04-01", holdout_end="2021-04-30")
    assert f.loc["a", "holdout_purchases"] == 2 and f.loc["a", "holdout_spend"] == 15.0
    assert f.loc["b", "holdout_purchases"] == 0 and f.loc["b", "holdout_spend"] == 0.0
    assert f.loc["a", "holdout_duration"] == 29.0
    assert f.loc["a", "monetary"] == 10.0  # calibration features ignore the holdout


def test_bad_dates_and_units():
    tx = make_tx([("a", "2021-03-01", 1.0)])
    with pytest.raises(TierkitError, match="as_of: 'yesterday' is not a date"):
        tk.rfm_features(tx, as_of="yesterday")
    with pytest.raises(TierkitError, match="time_unit: 'M'"):
        tk.rfm_features(tx, as_of="2021-04-01", time_unit="M")
    with pytest.raises(TierkitError, match="holdout_end"):
        tk.rfm_features(tx, as_of="2021-04-01", holdout_end="2021-03-01")


@pytest.mark.parametrize("time_unit, divisor", [("D", 1), ("W", 7)])
def test_equals_lifetimes_summary_on_cdnow(cdnow_tx, time_unit, divisor):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = tk.rfm_features(cdnow_tx, as_of="1997-09-30", time_unit=time_unit)
        ref = summary_data_from_transaction_data(
            cdnow_tx, "customer_id", "date", "amount", observation_period_end="1997-09-30", freq="D"
        )
    assert len(ours) == len(ref) == 23570
    ref = ref.loc[ours.index]
    np.testing.assert_array_equal(ours["frequency_btyd"].to_numpy(), ref["frequency"].to_numpy())
    np.testing.assert_allclose(ours["recency_btyd"], ref["recency"] / divisor, rtol=1e-12)
    np.testing.assert_allclose(ours["T"], ref["T"] / divisor, rtol=1e-12)
    np.testing.assert_allclose(ours["monetary_btyd"], ref["monetary_value"], rtol=1e-12)


def test_cdnow_sample_matches_the_published_summary_size():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1997-09-30", time_unit="W")
    # Fader, Hardie & Lee (2005): 2,357 customers, 1,411 of them with no repeat purchase.
    assert len(f) == 2357
    assert int((f["frequency_btyd"] == 0).sum()) == 1411
