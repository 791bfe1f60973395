"""Interrupted and killed runs: a clean exit status, the previous output kept, no scratch left behind."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.data.duckdb_input import SCRATCH_PREFIX, DuckDBInput
from tierkit.mlops.export import save_segmentation_model

pytestmark = pytest.mark.slow

TIERKIT = Path(sys.executable).parent / "tierkit"


def test_scratch_folders_of_dead_processes_are_removed_by_the_next_run(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = Path(tempfile.gettempdir()) / f"{SCRATCH_PREFIX}{pid}-abc123"
    (stale / "spill").mkdir(parents=True)
    (stale / "spill" / "duckdb_temp_block-1.block").write_bytes(b"x" * 1024)
    alive = Path(tempfile.gettempdir()) / f"{SCRATCH_PREFIX}{os.getppid()}-keep"
    alive.mkdir(exist_ok=True)
    try:
        with DuckDBInput() as reader:
            assert reader.scratch.exists()
        assert not stale.exists()
        assert alive.exists()  # its process (pytest's parent) still runs
    finally:
        alive.rmdir()


@pytest.fixture(scope="module")
def big_parquet(tmp_path_factory):
    root = tmp_path_factory.mktemp("big")
    rng = np.random.default_rng(0)
    n = 6_000_000
    frame = pd.DataFrame({
        "customer_id": pd.array(np.char.add("C", rng.integers(0, 2_000_000, n).astype(str)), dtype="str"),
        "date": (np.datetime64("2023-01-01")
                 + rng.integers(0, 700, n).astype("timedelta64[D]")).astype("datetime64[us]"),
        "amount": np.round(rng.lognormal(3, 0.8, n), 2),
    })
    frame.to_parquet(root / "tx.parquet", row_group_size=500_000)
    small = tk.rfm_features(frame.head(20_000), as_of="2024-12-31")
    model = save_segmentation_model(tk.Segmentation().fit(small), small, root / "model")
    return root, model


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_aggregation_exits_cleanly_and_keeps_the_previous_output(big_parquet, tmp_path, signum,
                                                                                 status):
    root, model = big_parquet
    out = tmp_path / "scores.parquet"
    out.write_bytes(b"previous run")
    proc = subprocess.Popen([str(TIERKIT), "-v", "score", "--model", str(model),
                             "--transactions", str(root / "tx.parquet"),
                             "--as-of", "2024-12-31", "--out", str(out), "--memory-limit", "200MB"],
                            stderr=subprocess.PIPE, text=True)
    seen = ""
    deadline = time.monotonic() + 60
    while "aggregating" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.readline()
    assert "aggregating" in seen, seen
    proc.send_signal(signum)
    rest = proc.communicate(timeout=60)[1]
    assert proc.returncode == status, (proc.returncode, rest[-500:])  # not -6 (SIGABRT)
    assert "tierkit: interrupted" in rest
    assert out.read_bytes() == b"previous run"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.parquet"]
    assert not list(Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}{proc.pid}-*"))
