"""Training on Spark at scale (issue 23.3): 10M transactions under ``spark-submit`` with a 1 GB driver.

A real ``spark-submit --master local[2] --driver-memory 1g`` of :mod:`tierkit.cli.spark_submit`
running ``segment`` with the default schemes (every rule scheme, CLV, k-means and the value-potential
matrix) on ten million transactions of about a million customers, into a folder the executors
write. In local mode the executors live in the driver's JVM, so the 1 GB bounds everything Spark
holds: the job passes only because no per-customer table is ever collected (the standards come
from counts, a 200,000-customer hash sample and exact quantiles; the tiers are written by the
executors). The transactions follow the buy-till-you-die story over two years (see
:func:`_transactions`), so the purchase model has lapsed customers to learn from and the
value-potential matrix is drawn.
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
    """About 10M transactions of a million customers, bought as the BG/NBD story tells, in four Parquet parts.

    Each customer buys at a Gamma-distributed rate from a first day in the two years, and after
    each purchase lapses with a Beta-distributed chance (one in ten on average); purchases after
    the end of the second year are not seen. So many buy once or twice and a few are heavy buyers.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    first = rng.integers(0, 700, CUSTOMERS)
    rate = rng.gamma(1.5, 1 / 25.0, CUSTOMERS)  # purchases a day while alive
    lapse = rng.beta(1.0, 9.0, CUSTOMERS)  # chance to lapse after each purchase
    purchases = np.minimum(rng.geometric(lapse), 80)  # until the lapse, the first included
    owner = np.repeat(np.arange(CUSTOMERS), purchases)
    gaps = rng.exponential(1.0, len(owner)) / rate[owner]
    starts = np.cumsum(purchases) - purchases
    gaps[starts] = 0.0
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[starts], purchases)
    day = first[owner] + elapsed
    seen = day < 731
    ids, days = owner[seen] + 1, day[seen].astype("int64")
    n = len(ids)
    dates = np.datetime64("2023-01-01") + days.astype("timedelta64[D]")
    amounts = np.round(rng.lognormal(3.0, 0.8, n), 2)
    folder.mkdir()
    for i, part in enumerate(np.array_split(np.arange(n), 4)):
        table = pa.table({"customer_id": ids[part], "date": dates[part], "amount": amounts[part]})
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
    assert 9_000_000 < rows < 11_000_000
    submit = Path(sys.executable).parent / "spark-submit"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable,
           "SPARK_LOCAL_IP": "127.0.0.1"}
    done = subprocess.run(
        [str(submit), "--master", "local[2]", "--driver-memory", "1g", "--conf", "spark.ui.enabled=false",
         "--conf", "spark.sql.shuffle.partitions=8", entry.__file__,
         "segment", str(tmp_path / "tx"), "--as-of", AS_OF, "--out", str(tmp_path / "tiers")],
        capture_output=True, text=True, env=env, timeout=1500)
    said = done.stdout + done.stderr  # spark-submit passes the Python driver's stderr on to its stdout
    assert done.returncode == 0, said[-3000:]
    assert f"{CUSTOMERS} customers graded as of {AS_OF}" in said
    parts = sorted((tmp_path / "tiers").glob("part-*.parquet"))
    assert len(parts) > 1
    # one row per customer, sorted by id across the parts, every tier column present
    ids = [pq.read_table(p, columns=["customer_id"]).column(0).to_pylist() for p in parts]
    flat = [i for part in ids for i in part]
    assert len(flat) == CUSTOMERS and flat == sorted(flat) and len(set(flat)) == CUSTOMERS
    names = pq.read_schema(parts[0]).names
    assert {"rfm_class", "abc_tier", "lifecycle_stage", "clv", "cluster", "value_potential"} <= set(names), said[-3000:]
    quadrants = pq.read_table(tmp_path / "tiers", columns=["value_potential"]).column(0).value_counts().to_pylist()
    # split at the median predicted CLV: about half of the customers have high potential
    high = sum(q["counts"] for q in quadrants if q["values"] in ("star", "develop"))
    assert 0.4 * CUSTOMERS < high <= 0.5 * CUSTOMERS
