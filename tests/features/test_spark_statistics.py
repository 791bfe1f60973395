"""Spark's statistics are NumPy's numbers: exact quantiles from a bracket, columns graded on the executors.

A real local Spark session. The quantiles are checked bit for bit against ``numpy.quantile`` (the
reference every in-memory fit uses) on data of the awkward kinds: continuous values, heavy ties
(a mass of zero CLV), a handful of customers, and the extreme quantiles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tierkit.features.statistics import SparkStatistics

pytestmark = [pytest.mark.spark, pytest.mark.slow]

QUANTILES = [0.0, 1 / 3, 0.5, 2 / 3, 0.9, 0.999, 1.0]


def _statistics(spark, frame: pd.DataFrame) -> SparkStatistics:
    frame = frame.reset_index(drop=True)
    frame.insert(0, "customer_id", [f"c{i:06d}" for i in range(len(frame))])
    return SparkStatistics(spark.createDataFrame(frame).repartition(3).persist(), attrs={}, n=len(frame))


def test_exact_quantiles_equal_numpys_to_the_bit(spark):
    rng = np.random.default_rng(7)
    n = 20_000
    frame = pd.DataFrame({
        "continuous": rng.lognormal(3.0, 1.5, n),  # predicted CLV: every value distinct
        "zeros": np.where(rng.random(n) < 0.6, 0.0, rng.gamma(2.0, 50.0, n)),  # a mass of zero CLV
        "cents": np.round(rng.gamma(1.5, 40.0, n), 2),  # money with ties
        "few": rng.integers(1, 4, n).astype("float64"),  # three distinct values
    })
    statistics = _statistics(spark, frame)
    for column in frame.columns:
        got = statistics.quantiles(column, QUANTILES)
        expected = np.quantile(frame[column].to_numpy(), QUANTILES)
        assert got.tobytes() == expected.tobytes(), column


@pytest.mark.parametrize("values", [[5.0], [2.0, 1.0], [3.0, 3.0, 3.0], [0.1, 0.7, 0.2, 0.4]])
def test_exact_quantiles_of_a_handful_of_customers(spark, values):
    statistics = _statistics(spark, pd.DataFrame({"clv": values}))
    expected = np.quantile(np.array(values), QUANTILES)
    assert statistics.quantiles("clv", QUANTILES).tobytes() == expected.tobytes()


def test_a_value_that_is_not_a_number_is_named_with_its_customer(spark):
    from tierkit.errors import DataError

    statistics = _statistics(spark, pd.DataFrame({"clv": [1.0, np.nan, 3.0]}))
    with pytest.raises(DataError, match="c000001") as caught:
        statistics.quantiles("clv", [0.5])
    assert caught.value.key == "not_finite"


def test_derived_columns_are_graded_on_the_executors_in_customer_order(spark):
    class Twice:
        """A fitted step: the executors grade by it as the driver would (defined here: pickled by value)."""

        def transform(self, X):
            return pd.DataFrame({"twice": 2.0 * X["monetary"] + X["frequency"]}, index=X.index)

    frame = pd.DataFrame({"monetary": np.linspace(1.0, 9.0, 101), "frequency": np.arange(101) % 4})
    statistics = _statistics(spark, frame)
    prepared = []

    def prepare(batch):
        prepared.append(len(batch))  # runs on the executors: this list on the driver stays empty
        return batch.set_index("customer_id")

    statistics = SparkStatistics(statistics.frame.orderBy("customer_id"), attrs={}, n=101, prepare=prepare)
    derived = statistics.derive(Twice(), ["twice"])
    try:
        assert derived.columns == ["monetary", "frequency", "twice"]
        expected = 2.0 * frame["monetary"] + frame["frequency"]
        assert derived.column("twice").to_numpy().tobytes() == expected.to_numpy().tobytes()
        assert derived.quantiles("twice", [0.5]).tobytes() == np.quantile(expected, [0.5]).tobytes()
        assert prepared == []
    finally:
        statistics.release()
    assert derived._persisted == []


def test_a_tierkit_error_on_an_executor_is_raised_on_the_driver_as_itself(spark):
    """A step that cannot grade a customer fails as on one machine, so an optional step is left out alike."""
    from tierkit.errors import ModelError

    class Refuses:
        def transform(self, X):
            from tierkit.errors import ModelError

            raise ModelError("non_finite_prediction", where="CLVModel", customer=repr(X.index[0]))

    frame = pd.DataFrame({"monetary": [1.0, 2.0, 3.0]})
    statistics = _statistics(spark, frame)
    statistics = SparkStatistics(statistics.frame, attrs={}, n=3, prepare=lambda b: b.set_index("customer_id"))
    with pytest.raises(ModelError, match="non-finite prediction for customer 'c00000") as caught:
        statistics.derive(Refuses(), ["clv"])
    assert caught.value.key == "non_finite_prediction" and caught.value.where == "CLVModel"
    statistics.release()
