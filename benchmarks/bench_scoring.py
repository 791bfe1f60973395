"""Scoring a month of a whole base: 10,000,000 transactions of 1,000,000 customers.

Run: ``.venv/bin/python benchmarks/bench_scoring.py [--transactions 10000000] [--customers 1000000]
[--skip-spark] [--data-dir DIR]``

Writes the synthetic transactions as a folder of Parquet files, saves a segmentation model
fitted on 100,000 of the customers, then scores the whole base from the files, each engine in
its own process, and prints wall time, throughput and the process's peak memory (RSS, from
``VmHWM``). The local engine's peak is also measured on a quarter of the
transactions of the same customers, and with DuckDB's memory limit at 256 MB instead of
1 GB: the peak follows the limit, not the number of transactions.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from synthetic import AS_OF, transactions

_CHILD = r"""
import json, resource, sys, time
args = json.loads(sys.argv[1])
start = time.perf_counter()
if args["engine"] == "local":
    from tierkit.scoring import score_transactions
    s = score_transactions(args["model"], args["data"], as_of=args["as_of"], out=args["out"],
                           memory_limit=args["memory_limit"])
else:
    from tierkit.scoring.spark import local_spark_session, score_transactions_spark
    spark = local_spark_session(master="local[2]", driver_memory="2g")
    s = score_transactions_spark(args["model"], args["data"], as_of=args["as_of"], out=args["out"], spark=spark)
    spark.stop()
# VmHWM is this process's own high-water mark (ru_maxrss would carry the parent's over exec).
peak_mb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
print(json.dumps({"seconds": time.perf_counter() - start, "rows": s.rows_read, "customers": s.customers_scored,
                  "peak_mb": peak_mb}))
"""


def write_parts(tx, folder: Path, parts: int = 10) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, chunk in enumerate(np.array_split(np.arange(len(tx)), parts)):
        tx.iloc[chunk].to_parquet(folder / f"part-{i:03d}.parquet", index=False)


def run(engine: str, model: Path, data: Path, out: Path, memory_limit: str = "1GB") -> dict:
    args = json.dumps({"engine": engine, "model": str(model), "data": str(data), "out": str(out), "as_of": AS_OF,
                       "memory_limit": memory_limit})
    result = subprocess.run([sys.executable, "-c", _CHILD, args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{engine} engine failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(name: str, r: dict) -> None:
    print(f"{name}: {r['seconds']:.1f} s, {r['rows'] / r['seconds'] / 1e6:.2f} M transactions/s, "
          f"{r['customers'] / r['seconds'] / 1e3:.0f} k customers/s, peak RSS {r['peak_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--data-dir", default=None, help="Where to write the data (default: a temporary folder).")
    args = parser.parse_args()

    import tierkit as tk
    from tierkit.mlops.export import save_segmentation_model

    with tempfile.TemporaryDirectory(dir=args.data_dir) as tmp:
        root = Path(tmp)
        tx = transactions(args.customers, args.transactions)
        write_parts(tx, root / "full")
        write_parts(tx.iloc[: max(args.customers, args.transactions // 4)], root / "quarter", parts=3)
        sample = tx[tx["customer_id"].isin(tx["customer_id"].iloc[:100_000])]
        features = tk.rfm_features(sample, as_of=AS_OF)
        save_segmentation_model(tk.Segmentation().fit(features), features, root / "model")
        del tx, sample, features
        print(f"data: {args.transactions:,} transactions of {args.customers:,} customers in 10 Parquet files")

        local = run("local", root / "model", root / "full", root / "local.parquet")
        report("local engine (DuckDB + pyfunc, 100k-customer chunks)", local)
        quarter = run("local", root / "model", root / "quarter", root / "quarter.parquet")
        report(f"local engine on {quarter['rows']:,} transactions of the same customers", quarter)
        print(f"peak memory ratio, 4x the transactions: {local['peak_mb'] / quarter['peak_mb']:.2f}x")
        small = run("local", root / "model", root / "full", root / "small.parquet", memory_limit="256MB")
        report("local engine, DuckDB memory_limit 256MB (spills to disk)", small)
        print(f"same output with 256MB: {filecmp.cmp(root / 'local.parquet', root / 'small.parquet', shallow=False)}")
        if args.skip_spark:
            return
        spark = run("spark", root / "model", root / "full", root / "spark.parquet")
        report("spark engine (local[2], 2 GB driver; RSS of the Python driver only)", spark)
        print(f"spark local / local engine wall time: {spark['seconds'] / local['seconds']:.1f}x")
        same = filecmp.cmp(root / "local.parquet", root / "spark.parquet", shallow=False)
        print(f"outputs byte-identical: {same}")
        if not same:
            import pandas as pd

            a, b = pd.read_parquet(root / "local.parquet"), pd.read_parquet(root / "spark.parquet")
            diff = {c: int((a[c] != b[c]).sum()) for c in a.columns if (a[c] != b[c]).any()}
            print(f"differing cells by column: {diff}")
            if diff:
                rows = (a != b).any(axis=1)
                print(a[rows].head(3).to_string())
                print(b[rows].head(3).to_string())


if __name__ == "__main__":
    main()
