"""``tierkit score`` on 100,000,000 transactions: wall time and peak memory as the base grows.

Run: ``.venv/bin/python benchmarks/bench_score_scale.py [--sizes 10000000,100000000]
[--memory-limit 1GB] [--rows-per-file 10000000] [--keep-data]``

For each size, writes the synthetic transactions (``synthetic.transaction_chunks``: about 10
transactions a customer, so 10,000,000 customers at 100M) as a folder of Parquet files under
``benchmarks/.data/`` (git-ignored), one chunk in memory at a time: ``customer_id`` string,
``date`` DATE, ``amount`` double. A segmentation model is fitted once on 100,000 customers and
saved as a local model folder (as in ``bench_scoring.py``). Each size is then scored by the
installed command line, as its own process, exactly as a user runs it::

    tierkit score --model <folder> --transactions <parquet folder> --as-of 2024-12-31 \\
        --out <tmp>/scores.parquet --no-progress [--memory-limit ...]

measuring wall time (process start to exit, imports included) and peak memory: the RSS of the
process and all its children summed, polled every 0.2 s with psutil, and the main process's
kernel high-water mark ``VmHWM`` (catches spikes between polls). The reported peak is the
larger of the two. Goals: 100M in under 300 s, peak under 4 GiB, peak(100M) / peak(10M) at
most 1.3 (memory bounded by the DuckDB limit and the model's chunk size, not by the base).

The data folders are deleted at the end unless ``--keep-data``; kept folders are reused.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_var, "2")

import argparse  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from synthetic import AS_OF, transaction_chunks, transactions  # noqa: E402

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with mlflow
    psutil = None

DATA_DIR = Path(__file__).resolve().parent / ".data"
TX_PER_CUSTOMER = 10
POLL_SECONDS = 0.2
GIB = 2**30


def write_data(size: int, rows_per_file: int, seed: int = 0) -> Path:
    """Folder of Parquet files with ``size`` transactions; reused if a previous run kept it."""
    import pyarrow.parquet as pq

    customers = max(1, size // TX_PER_CUSTOMER)
    folder = DATA_DIR / f"score_{size}_{customers}_{rows_per_file}perfile_seed{seed}"
    if folder.is_dir():
        print(f"data: reusing {folder}")
        return folder
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    tmp = DATA_DIR / f".tmp-{folder.name}-{os.getpid()}"  # renamed when complete
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    start = time.perf_counter()
    for i, table in enumerate(transaction_chunks(customers, size, chunk_rows=rows_per_file, seed=seed)):
        pq.write_table(table, tmp / f"part-{i:03d}.parquet", row_group_size=1_000_000)
        del table
    os.replace(tmp, folder)
    mib = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
    print(f"data: wrote {size:,} transactions of {customers:,} customers to {folder} "
          f"({len(list(folder.iterdir()))} files, {mib:,.0f} MiB) in {time.perf_counter() - start:.1f} s")
    return folder


def fit_model(folder: Path) -> Path:
    """A segmentation model fitted on 100,000 customers, saved as a local model folder."""
    import tierkit as tk
    from tierkit.mlops.export import save_segmentation_model

    sample = transactions(100_000, 100_000 * TX_PER_CUSTOMER, seed=1)
    features = tk.rfm_features(sample, as_of=AS_OF)
    save_segmentation_model(tk.Segmentation().fit(features), features, folder)
    return folder


def tierkit_command() -> str:
    exe = Path(sys.executable).with_name("tierkit")
    if exe.exists():
        return str(exe)
    found = shutil.which("tierkit")
    if found is None:
        raise SystemExit("tierkit command not found next to this Python or on PATH")
    return found


def _vm_hwm(pid: int) -> int:
    """Kernel high-water mark of the process's RSS in bytes (0 if it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_measured(cmd: list[str], log: Path) -> dict:
    """Run ``cmd``; wall seconds, polled peak RSS of the process tree and VmHWM of the process."""
    tree_peak = hwm = 0
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        parent = psutil.Process(proc.pid) if psutil else None
        while proc.poll() is None:
            if parent is not None:
                total = 0
                try:
                    procs = [parent, *parent.children(recursive=True)]
                except psutil.Error:
                    procs = []
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                tree_peak = max(tree_peak, total)
            hwm = max(hwm, _vm_hwm(proc.pid))
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - start
    if parent is None:
        # ru_maxrss: largest single child ever waited for (KiB on Linux); an upper bound that
        # may carry this process's own peak over fork/exec.
        tree_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {"returncode": proc.returncode, "seconds": seconds, "tree_peak": tree_peak, "hwm": hwm,
            "peak": max(tree_peak, hwm)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000000,100000000",
                        help="Comma-separated transaction counts (default: 10000000,100000000).")
    parser.add_argument("--memory-limit", default=None,
                        help="Passed to tierkit score --memory-limit (default: the command's own, 1GB).")
    parser.add_argument("--rows-per-file", type=int, default=10_000_000)
    parser.add_argument("--keep-data", action="store_true", help="Keep (and reuse) the Parquet folders.")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    exe = tierkit_command()
    print(f"tierkit: {exe}; memory limit: {args.memory_limit or 'default (1GB)'}; "
          f"memory measured by {'psutil polling every 0.2 s + VmHWM' if psutil else 'ru_maxrss'}")

    with tempfile.TemporaryDirectory(prefix="tierkit-score-scale-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        model = fit_model(root / "model")
        print(f"model: fitted on 100,000 customers and saved in {time.perf_counter() - start:.1f} s")
        rows = []
        for size in sizes:
            data = write_data(size, args.rows_per_file)
            out = root / "scores.parquet"
            cmd = [exe, "score", "--model", str(model), "--transactions", str(data), "--as-of", AS_OF,
                   "--out", str(out), "--no-progress"]
            if args.memory_limit:
                cmd += ["--memory-limit", args.memory_limit]
            print("$ " + " ".join(cmd), flush=True)
            log = root / f"score_{size}.log"
            r = run_measured(cmd, log)
            text = log.read_text(errors="replace").strip()
            if r["returncode"] != 0:
                raise SystemExit(f"tierkit score failed on {size:,} (exit {r['returncode']}):\n{text[-3000:]}")
            print("  " + "\n  ".join(text.splitlines()[-8:]))
            import pyarrow.parquet as pq

            scored = pq.ParquetFile(out).metadata.num_rows
            out.unlink()
            print(f"  {size:,} transactions: {r['seconds']:.1f} s, {scored:,} customers scored, "
                  f"peak {r['peak'] / GIB:.2f} GiB (tree polled {r['tree_peak'] / GIB:.2f}, "
                  f"VmHWM {r['hwm'] / GIB:.2f})", flush=True)
            rows.append((size, r))
            if not args.keep_data:
                shutil.rmtree(data)

    print()
    print(f"{'transactions':>14} {'seconds':>9} {'M tx/s':>8} {'peak GiB':>9} {'tree GiB':>9} {'VmHWM GiB':>10}")
    for size, r in rows:
        print(f"{size:>14,} {r['seconds']:>9.1f} {size / r['seconds'] / 1e6:>8.2f} {r['peak'] / GIB:>9.2f} "
              f"{r['tree_peak'] / GIB:>9.2f} {r['hwm'] / GIB:>10.2f}")
    print()
    largest, r_large = rows[-1]
    smallest, r_small = rows[0]
    ok = lambda flag: "meets" if flag else "MISSES"  # noqa: E731
    print(f"goal, 100M in under 300 s: {largest:,} took {r_large['seconds']:.1f} s ({ok(r_large['seconds'] < 300)})")
    worst = max(r["peak"] for _, r in rows)
    print(f"goal, peak under 4 GiB: largest peak {worst / GIB:.2f} GiB ({ok(worst < 4 * GIB)})")
    if len(rows) > 1:
        ratio = r_large["peak"] / r_small["peak"]
        print(f"goal, peak(100M) / peak(10M) at most 1.3: peak({largest:,}) / peak({smallest:,}) = {ratio:.2f} "
              f"({ok(ratio <= 1.3)})")
    if (smallest, largest) != (10_000_000, 100_000_000):
        print("(the goals are stated for 10M and 100M transactions; this run used other sizes)")

if __name__ == "__main__":
    main()
