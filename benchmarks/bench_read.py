"""File -> features on 5,000,000 transactions: tierkit against a bare DuckDB GROUP BY and lifetimes.

Run: ``.venv/bin/python benchmarks/bench_read.py [--transactions 5000000] [--customers 500000]
[--repeats 3] [--skip-lifetimes]``

Writes the synthetic transactions once as a CSV (``customer_id,date,amount``, ISO dates) to
``benchmarks/.data/`` (git-ignored; reused by later runs), then times, each best of
``--repeats`` with every run printed:

* the reference: a bare DuckDB aggregate over the same file (2 threads), fetched to pandas::

      SELECT customer_id, min(date), max(date), count(DISTINCT date), sum(amount)
      FROM read_csv('<file>') GROUP BY customer_id

  the least work any file -> per-customer features path has to do;
* tierkit's public path, ``tk.rfm_features(tk.read_transactions(path), as_of=AS_OF)``, and
  ``tierkit.features.file_features(path, as_of=AS_OF)`` (``tk.file_features``, what the CLI runs);
* lifetimes' ``summary_data_from_transaction_data(freq="D")`` after ``pandas.read_csv`` with
  parsed dates (what a user of lifetimes runs; read and summary printed separately).

Prints the ratios tierkit / bare DuckDB (goal: at most 1.5x) and lifetimes / tierkit.
BLAS/OpenMP and DuckDB are held to 2 threads.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_var, "2")

import argparse  # noqa: E402
import importlib  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

import tierkit as tk  # noqa: E402
from synthetic import AS_OF, transactions  # noqa: E402

DATA_DIR = Path(__file__).resolve().parent / ".data"
THREADS = 2


def csv_file(n_transactions: int, n_customers: int, seed: int = 0) -> Path:
    """The benchmark CSV, written on first use (atomically) and reused afterwards."""
    path = DATA_DIR / f"transactions_{n_transactions}_{n_customers}_seed{seed}.csv"
    if path.exists():
        print(f"data: reusing {path}")
        return path
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    tx = transactions(n_customers, n_transactions, seed=seed)
    tx["date"] = tx["date"].dt.date  # DuckDB writes a DATE as YYYY-MM-DD
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    con = duckdb.connect(config={"threads": THREADS})
    con.register("tx", tx)
    con.execute(f"COPY (SELECT customer_id, date, amount FROM tx) TO '{tmp}' (FORMAT csv, HEADER)")
    con.close()
    del tx
    os.replace(tmp, path)
    print(f"data: wrote {path} ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - start:.1f} s")
    return path


def best_of(name: str, fn, repeats: int):
    """Run ``fn`` ``repeats`` times, print each time, return (best seconds, last result)."""
    times, result = [], None
    for i in range(repeats):
        result = None  # free the previous result before the next run
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        print(f"  {name} run {i + 1}: {times[-1]:.2f} s")
    best = min(times)
    print(f"{name}: best {best:.2f} s of {repeats}")
    return best, result


def bare_duckdb(path: Path) -> pd.DataFrame:
    con = duckdb.connect(config={"threads": THREADS})
    try:
        return con.execute(
            "SELECT customer_id, min(date), max(date), count(DISTINCT date), sum(amount) "
            f"FROM read_csv('{path}') GROUP BY customer_id"
        ).df()
    finally:
        con.close()


def file_features_function():
    """``tierkit.features.file_features`` if the module and function exist, else None."""
    try:
        module = importlib.import_module("tierkit.features")
    except ModuleNotFoundError as exc:
        if exc.name != "tierkit.features":
            raise
        return None
    return getattr(module, "file_features", None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=int, default=5_000_000)
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-lifetimes", action="store_true")
    args = parser.parse_args()

    path = csv_file(args.transactions, args.customers)
    print(f"data: {args.transactions:,} transactions of {args.customers:,} customers, as of {AS_OF}; "
          f"DuckDB {duckdb.__version__}, tierkit {tk.__version__}, {THREADS} threads")

    ref, ref_out = best_of("bare DuckDB GROUP BY -> pandas", lambda: bare_duckdb(path), args.repeats)
    n_customers = len(ref_out)
    del ref_out
    # tierkit leaves out customers with no purchase day (only returns); count them outside the timing.
    n_buyers = duckdb.connect(config={"threads": THREADS}).execute(
        f"SELECT count(DISTINCT customer_id) FROM read_csv('{path}') WHERE amount >= 0").fetchone()[0]

    def public():
        start = time.perf_counter()
        tx = tk.read_transactions(path)
        read = time.perf_counter() - start
        out = tk.rfm_features(tx, as_of=AS_OF)
        print(f"    (read_transactions {read:.2f} s, rfm_features {time.perf_counter() - start - read:.2f} s)")
        return out

    results = {}
    results["tk.rfm_features(tk.read_transactions(path))"] = best_of("tierkit public API", public, args.repeats)
    file_features = file_features_function()
    if file_features is None:
        print("tierkit.features.file_features: not available, skipped")
    else:
        results["tierkit.features.file_features(path)"] = best_of(
            "tierkit.features.file_features", lambda: file_features(path, as_of=AS_OF)[0], args.repeats)
    for name, (_, out) in results.items():
        note = "as expected" if len(out) == n_buyers else "WARNING: expected"
        print(f"{name}: {len(out):,} customers ({note} {n_buyers:,} with a purchase day; "
              f"DuckDB reference groups {n_customers:,} incl. return-only customers)")
    results = {name: seconds for name, (seconds, _) in results.items()}

    theirs = None
    if not args.skip_lifetimes:
        from lifetimes.utils import summary_data_from_transaction_data

        def lifetimes_run():
            start = time.perf_counter()
            tx = pd.read_csv(path, parse_dates=["date"], dtype={"customer_id": str})
            read = time.perf_counter() - start
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = summary_data_from_transaction_data(tx, "customer_id", "date", "amount",
                                                         observation_period_end=AS_OF, freq="D")
            print(f"    (pandas.read_csv {read:.2f} s, summary_data_from_transaction_data "
                  f"{time.perf_counter() - start - read:.2f} s)")
            return out

        theirs, _ = best_of("lifetimes (read_csv + summary)", lifetimes_run, args.repeats)

    print()
    print(f"{'path':<48} {'best s':>8} {'M tx/s':>8} {'/ DuckDB':>9}")
    print(f"{'bare DuckDB GROUP BY (reference)':<48} {ref:>8.2f} {args.transactions / ref / 1e6:>8.1f} {1:>8.2f}x")
    for name, seconds in results.items():
        print(f"{name:<48} {seconds:>8.2f} {args.transactions / seconds / 1e6:>8.1f} {seconds / ref:>8.2f}x")
    if theirs is not None:
        print(f"{'lifetimes read_csv + summary_data_from_...':<48} {theirs:>8.2f} "
              f"{args.transactions / theirs / 1e6:>8.1f} {theirs / ref:>8.2f}x")
    print()
    for name, seconds in results.items():
        verdict = "meets" if seconds / ref <= 1.5 else "misses"
        print(f"{name}: {seconds / ref:.2f}x bare DuckDB ({verdict} the goal of at most 1.5x)")
        if theirs is not None:
            print(f"  lifetimes / tierkit: {theirs / seconds:.1f}x")


if __name__ == "__main__":
    main()
