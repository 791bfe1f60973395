"""Training on Spark at scale (issue 23.3): 10M transactions under ``spark-submit`` with a 1 GB driver.

A real ``spark-submit --master local[2] --driver-memory 1g`` of :mod:`tierkit.cli.spark_submit`
running ``segment`` with the default schemes (every rule scheme, CLV, k-means and the value-potential
matrix) on ten million transactions of about a million customers, into a folder the executors
write. In local mode the executors live in the driver's JVM, so the 1 GB bounds everything Spark
holds: the job passes only because no per-customer table is ever collected (the standards come
from counts, a 200,000-customer hash sample and exact quantiles; the tiers are written by the
executors). The transactions are retail-like: a geometric number of purchases per customer (one
in ten buys once), each between a first day and an exponential dropout, over two years.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.spark, pytest.mark.slow]

CUSTOMERS = 1_000_000
AS_OF = "2024-12-31"


def _transactions(folder: Path, seed: int = 3) -> int:
    """About 10M transactions (a geometric number per customer, mean 10) in four Parquet parts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    per_customer = rng.geometric(0.1, CUSTOMERS)
    ids = np.repeat(np.arange(1, CUSTOMERS + 1, dtype="int64"), per_customer)
    n = len(ids)
    # each customer buys between his first day and his dropout (an exponential lifetime), so that
    # the purchase model has lapsed customers to learn from, as a shop's base has
    first = rng.integers(0, 700, CUSTOMERS)
    end = np.minimum(first + rng.exponential(240.0, CUSTOMERS).astype("int64") + 1, 731)
    offset = (rng.random(n) * (end - first)[ids - 1]).astype("int64")
    days = np.datetime64("2023-01-01") + (first[ids - 1] + offset).astype("timedelta64[D]")
    amounts = np.round(rng.lognormal(3.0, 0.8, n), 2)
    folder.mkdir()
    for i, part in enumerate(np.array_split(np.arange(n), 4)):
        table = pa.table({"customer_id": ids[part], "date": days[part], "amount": amounts[part]})
        pq.write_table(table, folder / f"part-{i}.parquet")
    return n


def test_ten_million_transactions_train_under_spark_submit_with_a_1g_driver(tmp_path):
    pytest.importorskip("pyspark")
    import shutil

    if shutil.which("java") is None:
        pytest.skip("no java on PATH: Spark needs Java 17 (.ci/system-deps.sh installs it)")
    import pyarrow.parquet as pq

    import tierkit.cli.spark_submit as entry

    rows = _transactions(tmp_path / "tx")
    assert rows > 9_000_000
    submit = Path(sys.executable).parent / "spark-submit"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable,
           "SPARK_LOCAL_IP": "127.0.0.1"}
    done = subprocess.run(
        [str(submit), "--master", "local[2]", "--driver-memory", "1g", "--conf", "spark.ui.enabled=false",
         "--conf", "spark.sql.shuffle.partitions=8", entry.__file__,
         "segment", str(tmp_path / "tx"), "--as-of", AS_OF, "--out", str(tmp_path / "tiers")],
        capture_output=True, text=True, env=env, timeout=1500)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{CUSTOMERS} customers graded as of {AS_OF}" in done.stderr
    parts = sorted((tmp_path / "tiers").glob("part-*.parquet"))
    assert len(parts) > 1
    # one row per customer, sorted by id across the parts, every tier column present
    ids = [pq.read_table(p, columns=["customer_id"]).column(0).to_pylist() for p in parts]
    flat = [i for part in ids for i in part]
    assert len(flat) == CUSTOMERS and flat == sorted(flat) and len(set(flat)) == CUSTOMERS
    names = pq.read_schema(parts[0]).names
    assert {"rfm_class", "abc_tier", "lifecycle_stage", "clv", "cluster", "value_potential"} <= set(names)
    quadrants = pq.read_table(tmp_path / "tiers", columns=["value_potential"]).column(0).value_counts().to_pylist()
    # split at the median predicted CLV: about half of the customers have high potential
    high = sum(q["counts"] for q in quadrants if q["values"] in ("star", "develop"))
    assert 0.4 * CUSTOMERS < high <= 0.5 * CUSTOMERS
