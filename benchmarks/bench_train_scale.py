"""``tierkit segment`` (training: learn every standard, grade every customer) as the base grows.

Run: ``.venv/bin/python benchmarks/bench_train_scale.py [--sizes 1000000,10000000,100000000]
[--memory-limit 1GB] [--keep-data]``

For each size, the synthetic transactions of ``bench_score_scale.write_data`` (about 10 a
customer: 100,000 customers at 1M, 10,000,000 at 100M; a folder of Parquet parts under
``benchmarks/.data/``, reused when kept) are graded by the installed command line with its
default schemes (RFM scores, classes and segments, ABC, lifecycle, CLV when the data allow,
k-means clusters, value-potential), as its own process, exactly as a user runs it::

    tierkit -v segment <parquet folder> --as-of 2024-12-31 --out <tmp>/tiers.parquet

Measured as in ``bench_score_scale.py``: wall time (process start to exit, imports included)
and peak memory (the larger of the polled RSS of the process tree and the kernel's ``VmHWM``).
The stage times come from the command's own ``-v`` records (read and features, each fitted
scheme, grading and writing). Goals (issue "Train where the data lives"): 100M in under 300 s,
the whole process tree under 4 GiB, peak(100M) / peak(10M) at most 1.5.

With ``--spark-sizes`` (default 10M), the same command with ``--engine spark --spark-master
local[2]`` is measured too, twice: into the ``.parquet`` file (``spark``: the graded chunks stream
to the driver's writer) and into a folder (``spark-parts``: the executors grade and write Parquet
parts). A Spark session on this machine (JVM driver 1 GB), the process tree then holding the JVM
and the Python workers.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_var, "2")

import argparse  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from bench_score_scale import GIB, run_measured, tierkit_command, write_data  # noqa: E402
from synthetic import AS_OF  # noqa: E402

#: The stage records of ``tierkit -v`` ("tierkit: fitted ABC tiers in 0.48 s").
STAGE = re.compile(r"^tierkit: (?P<step>.+) in (?P<seconds>[0-9.]+) s$")


def stages(log: str) -> list[tuple[str, float]]:
    """The ``-v`` step records of a run: (step, seconds) in order."""
    return [(m["step"], float(m["seconds"])) for m in map(STAGE.match, log.splitlines()) if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,10000000,100000000",
                        help="Comma-separated transaction counts (default: 1000000,10000000,100000000).")
    parser.add_argument("--memory-limit", default=None,
                        help="Passed to tierkit segment --memory-limit (default: the command's own, 1GB).")
    parser.add_argument("--rows-per-file", type=int, default=10_000_000)
    parser.add_argument("--keep-data", action="store_true", help="Keep (and reuse) the Parquet folders.")
    parser.add_argument("--spark-sizes", default="10000000",
                        help="Sizes also trained with --engine spark --spark-master local[2] ('' for none).")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    spark_sizes = {int(s.replace("_", "")) for s in args.spark_sizes.split(",") if s.strip()}
    exe = tierkit_command()
    print(f"tierkit: {exe}; memory limit: {args.memory_limit or 'default (1GB)'}")

    rows = []
    with tempfile.TemporaryDirectory(prefix="tierkit-train-scale-") as tmp:
        root = Path(tmp)
        runs = [(size, "local") for size in sizes] + [(size, engine) for size in sorted(spark_sizes)
                                                        for engine in ("spark", "spark-parts")]
        for size, engine in runs:
            data = write_data(size, args.rows_per_file)
            out = root / ("tiers" if engine == "spark-parts" else "tiers.parquet")
            cmd = [exe, "-v", "segment", str(data), "--as-of", AS_OF, "--out", str(out)]
            if args.memory_limit and engine == "local":
                cmd += ["--memory-limit", args.memory_limit]
            if engine.startswith("spark"):
                cmd += ["--engine", "spark", "--spark-master", "local[2]"]
            print("$ " + " ".join(cmd), flush=True)
            log = root / f"segment_{size}.log"
            r = run_measured(cmd, log)
            text = log.read_text(errors="replace").strip()
            if r["returncode"] != 0:
                raise SystemExit(f"tierkit segment failed on {size:,} (exit {r['returncode']}):\n{text[-3000:]}")
            import pyarrow.parquet as pq

            if out.is_dir():
                graded = sum(pq.ParquetFile(part).metadata.num_rows for part in out.glob("part-*.parquet"))
                shutil.rmtree(out)
            else:
                graded = pq.ParquetFile(out).metadata.num_rows
                out.unlink()
            print("  stages: " + "; ".join(f"{step} {seconds:.1f} s" for step, seconds in stages(text)))
            print(f"  {size:,} transactions ({engine}): {r['seconds']:.1f} s, {graded:,} customers graded, "
                  f"peak {r['peak'] / GIB:.2f} GiB (tree polled {r['tree_peak'] / GIB:.2f}, "
                  f"VmHWM {r['hwm'] / GIB:.2f})", flush=True)
            rows.append((size, engine, graded, r))
            if not args.keep_data and all(later != size for later, _ in runs[runs.index((size, engine)) + 1:]):
                shutil.rmtree(data)

    print()
    print(f"{'transactions':>14} {'engine':>7} {'customers':>11} {'seconds':>9} {'peak GiB':>9}")
    for size, engine, graded, r in rows:
        print(f"{size:>14,} {engine:>7} {graded:>11,} {r['seconds']:>9.1f} {r['peak'] / GIB:>9.2f}")
    print()
    ok = lambda flag: "meets" if flag else "MISSES"  # noqa: E731
    local = [(size, graded, r) for size, engine, graded, r in rows if engine == "local"]
    if not local:
        return
    largest, _, r_large = local[-1]
    if largest >= 100_000_000:
        print(f"goal, 100M in under 300 s: {largest:,} took {r_large['seconds']:.1f} s "
              f"({ok(r_large['seconds'] < 300)})")
    worst = max(r["peak"] for *_, r in local)
    print(f"goal, peak under 4 GiB: largest peak {worst / GIB:.2f} GiB ({ok(worst < 4 * GIB)})")
    by_size = {size: r for size, _, r in local}
    if 10_000_000 in by_size and 100_000_000 in by_size:
        ratio = by_size[100_000_000]["peak"] / by_size[10_000_000]["peak"]
        print(f"goal, peak(100M) / peak(10M) <= 1.5: {ratio:.2f} ({ok(ratio <= 1.5)})")


if __name__ == "__main__":
    main()
