"""``tierkit segment`` on CDNOW (23,570 customers) against lifetimes' own pipeline, in one run.

Run: ``.venv/bin/python benchmarks/bench_segment.py [--busy-processes 2]``

Times the command a new user types (every scheme, CLV and clusters by default) and
``--no-clusters``, each best of 3 in a fresh process, and lifetimes' pipeline on the same file
(``summary_data_from_transaction_data``, ``BetaGeoFitter``, ``GammaGammaFitter``,
``customer_lifetime_value``, the CLV written to CSV) as a script in a fresh process, both timed
from outside the process, then the default command again with two CPU-bound processes
beside it, as when a notebook or a second job shares the machine (the case where k-means'
spinning OpenMP threads used to make ``segment`` several times slower), and prints both ratios
of issue 12: the default command against lifetimes, and busy against idle.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def spin(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def run_segment(cdnow: Path, extra: list[str]) -> float:
    tierkit = Path(sys.executable).parent / "tierkit"
    with tempfile.TemporaryDirectory() as tmp:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([str(tierkit), "segment", str(cdnow), "--amount-col", "dollar_value", "--as-of",
                            "1998-06-30", "--out", str(Path(tmp) / "out.csv"), *extra],
                           check=True, capture_output=True)
            best = min(best, time.perf_counter() - start)
    return best


def lifetimes_pipeline(cdnow: Path) -> float:
    """lifetimes' pipeline as a user runs it: a script in a fresh process, timed from outside like
    ``tierkit segment`` (interpreter start, imports, work, and the CLV per customer written to CSV)."""
    code = f"""
import warnings
warnings.simplefilter("ignore")
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data
tx = pd.read_csv({str(cdnow)!r}, sep=r"\\s+", dtype={{"customer_id": str, "date": str}})
tx = tx.rename(columns={{"dollar_value": "amount"}})
tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
s = summary_data_from_transaction_data(tx, "customer_id", "date", "amount", observation_period_end="1998-06-30")
bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
gg = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
clv = gg.customer_lifetime_value(bg, s["frequency"], s["recency"], s["T"], s["monetary_value"], time=12,
                                 freq="D", discount_rate=0.01)
clv.to_csv(__import__("sys").argv[1])
"""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "lifetimes_pipeline.py"
        script.write_text(code)
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, str(script), str(Path(tmp) / "clv.csv")], check=True, capture_output=True)
            best = min(best, time.perf_counter() - start)
    return best


def busy(n: int):
    """Start ``n`` CPU-bound processes; returns the event that stops them and the processes."""
    stop = multiprocessing.Event()
    workers = [multiprocessing.Process(target=spin, args=(stop,)) for _ in range(n)]
    for w in workers:
        w.start()
    return stop, workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy-processes", type=int, default=2,
                        help="CPU-bound processes beside the command in the second half (default 2)")
    args = parser.parse_args()
    from tierkit.datasets import cdnow_path

    cdnow = cdnow_path()
    load = os.getloadavg()[0]
    full = run_segment(cdnow, [])
    no_clusters = run_segment(cdnow, ["--no-clusters"])
    reference = lifetimes_pipeline(cdnow)
    stop, workers = busy(args.busy_processes)
    try:
        full_busy = run_segment(cdnow, [])
        reference_busy = lifetimes_pipeline(cdnow)
    finally:
        stop.set()
        for w in workers:
            w.join()
    print(f"machine: {os.cpu_count()} cores; load average before: {load:.2f}")
    print(f"lifetimes (summary + BG/NBD + Gamma-Gamma + CLV): {reference:.2f} s")
    print(f"tierkit segment (every scheme, CLV, clusters):   {full:.2f} s = {full / reference:.2f}x lifetimes "
          "(goal: at most 2x)")
    print(f"tierkit segment --no-clusters:                   {no_clusters:.2f} s = {no_clusters / reference:.2f}x")
    print(f"with {args.busy_processes} CPU-bound processes beside it: tierkit segment {full_busy:.2f} s = "
          f"{full_busy / full:.2f}x its idle time (goal: at most 3x); lifetimes {reference_busy:.2f} s = "
          f"{reference_busy / reference:.2f}x")


if __name__ == "__main__":
    main()
