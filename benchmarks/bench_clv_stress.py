"""CLV fits on the frozen stress suite: how often tierkit and lifetimes fit, refuse or hang.

Run: ``cd benchmarks && ../.venv/bin/python bench_clv_stress.py [--limit N] [--timeout 60] [--workers 2]
[--fitters tierkit:mbgnbd,...] [--json stress.json] [--verbose]``

The suite is ``tests/clv/stress_data.py`` (over 300 seeded customer bases: 2-8 weeks of data,
a year of retail with 60-80 % one-time buyers, heavy buyers, cohorts, constant or outlying
spend, 10-40 customers, 20,000-50,000 customers, no dropout, heavy dropout, regular and
seasonal buyers, days and weeks), ordered round-robin over its kinds so that ``--limit 30``
already covers every kind. On every set, each fitter as a user calls it, unpenalised:

* tierkit ``CLVModel(model=m, horizon="365D" | "52W").fit(features)`` for m in ``mbgnbd``,
  ``bgnbd``, ``pareto_nbd``, ``auto`` (the purchase model and Gamma-Gamma; "ok" needs finite
  ``params_`` and ``gamma_gamma_params_``; ``se ok`` counts fits whose ``params_se_`` are all
  finite too, ``clv ok`` those whose ``predict`` gives finite values; where the fitting code records
  them, how many fits used the weak prior (``fit_method_``) and how many models tell no active from
  lapsed customers (``trust_``));
* lifetimes 0.11 ``BetaGeoFitter``, ``ModifiedBetaGeoFitter``, ``ParetoNBDFitter`` on every
  customer, ``GammaGammaFitter`` on the repeat customers with positive spend (``ok``: finite
  ``params_``; ``se ok``: finite ``summary["se(coef)"]``, none for Pareto/NBD, which lifetimes fits
  by Nelder-Mead without standard errors; its starting values are random, seeded here).

Each fit runs in its own forked process, at most ``--workers`` (<= 2) at a time, and is killed
after ``--timeout`` seconds ("hung"). Per fitter the table counts, on the sets where CLV is
defined: ok, se ok, clv ok, non-finite parameters, refused (a ``TierkitError`` or lifetimes'
``ConvergenceError``), other errors, hung and crashed fits, with the total and longest fit time;
then the most common messages (digits replaced by ``#``), and what each fitter did on the
``undefined`` sets (no repeat customer: refusing is right there). BLAS/OpenMP: 1 thread a fit.

The whole suite (315 sets, 2,520 fits; ``make bench`` runs it so) took 25 minutes on 2 cores,
most of it lifetimes' Pareto/NBD; ``--limit 30`` takes 1-6 minutes.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "clv"))
from stress_data import stress_sets  # noqa: E402

TIERKIT = ("tierkit:mbgnbd", "tierkit:bgnbd", "tierkit:pareto_nbd", "tierkit:auto")
LIFETIMES = ("lifetimes:BetaGeoFitter", "lifetimes:ModifiedBetaGeoFitter", "lifetimes:ParetoNBDFitter",
             "lifetimes:GammaGammaFitter")
FITTERS = TIERKIT + LIFETIMES
OUTCOMES = ("ok", "nonfinite", "refused", "error", "hung", "crashed")

#: The suite, filled in the parent before the fits are forked (the children inherit it).
SETS: list = []


def _finite(values) -> bool:
    values = list(values)
    return bool(values) and all(isinstance(v, (int, float, np.number)) and math.isfinite(v) for v in values)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def _fit_tierkit(model: str, features) -> dict:
    from tierkit.clv import CLVModel

    horizon = "365D" if features.attrs["time_unit"] == "D" else "52W"
    fitted = CLVModel(model=model, horizon=horizon).fit(features)
    out = {"params_ok": _finite(fitted.params_.values()) and _finite(fitted.gamma_gamma_params_.values()),
           "se_ok": all(_finite(se.values()) for se in fitted.params_se_.values()),
           "chosen": fitted.model_,
           # where the fitting code has them: a fit under the weak prior, a model that ranks nobody
           "map": any(m.get("method") == "map" for m in getattr(fitted, "fit_method_", {}).values()),
           "discriminates": bool(getattr(fitted, "trust_", {}).get("discriminates", True))}
    try:
        values = fitted.predict(features).select_dtypes("number")  # not the clv_caveat text
        out["clv_ok"] = bool(np.isfinite(values.to_numpy(dtype="float64")).all())
    except Exception as exc:  # a non-finite prediction is refused with a ModelError
        out["clv_ok"] = False
        out["clv_message"] = _first_line(exc)
    return out


def _fit_lifetimes(name: str, features) -> dict:
    import lifetimes

    x = features["frequency_btyd"].to_numpy(dtype="float64")
    t_x = features["recency_btyd"].to_numpy(dtype="float64")
    T = features["T"].to_numpy(dtype="float64")
    m = features["monetary_btyd"].to_numpy(dtype="float64")
    np.random.seed(0)  # lifetimes' Pareto/NBD draws its starting values from the global generator
    fitter = getattr(lifetimes, name)()
    if name == "GammaGammaFitter":
        spenders = (x > 0) & (m > 0)
        fitter.fit(x[spenders], m[spenders])
    else:
        fitter.fit(x, t_x, T)
    out = {"params_ok": _finite(float(v) for v in fitter.params_.values)}
    if name == "ParetoNBDFitter":  # fitted by Nelder-Mead, without a Hessian: lifetimes has no standard errors
        out["se_ok"] = None
        return out
    try:
        out["se_ok"] = _finite(float(v) for v in fitter.summary["se(coef)"].values)
    except Exception:  # lifetimes' summary inverts the Hessian, which may be singular
        out["se_ok"] = False
    return out


def _child(conn, set_index: int, fitter: str) -> None:
    """Fit one fitter on one set and send ``{status, seconds, ...}`` back."""
    warnings.simplefilter("ignore")
    np.seterr(all="ignore")
    from tierkit.errors import TierkitError

    library, name = fitter.split(":")
    features = SETS[set_index].features
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # lifetimes prints the optimiser's result when it fails
            out = _fit_tierkit(name, features) if library == "tierkit" else _fit_lifetimes(name, features)
        out["status"] = "ok" if out["params_ok"] else "nonfinite"
    except TierkitError as exc:
        out = {"status": "refused", "message": _first_line(exc)}
    except Exception as exc:
        refused = type(exc).__name__ == "ConvergenceError"  # lifetimes' own "did not converge"
        out = {"status": "refused" if refused else "error", "message": _first_line(exc)}
    out["seconds"] = time.perf_counter() - start
    conn.send(out)
    conn.close()


def run(tasks, timeout: float, workers: int, verbose: bool = False) -> list[dict]:
    """Run ``(set_index, fitter)`` tasks in forked processes, ``workers`` at a time, each killed after ``timeout``."""
    context = multiprocessing.get_context("fork")
    tasks = list(tasks)
    per_set = Counter(i for i, _ in tasks)
    pending = tasks[::-1]
    running = []  # (process, receiving end, task, start)
    results = []
    finished = Counter()
    began = time.perf_counter()
    while pending or running:
        while pending and len(running) < workers:
            task = pending.pop()
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(send, *task), daemon=True)
            process.start()
            send.close()  # the child holds the only sending end: its exit without a word reads as EOF
            running.append((process, receive, task, time.perf_counter()))
        time.sleep(0.005)
        still = []
        for process, receive, task, start in running:
            elapsed = time.perf_counter() - start
            if receive.poll():
                try:
                    out = receive.recv()
                except EOFError:  # died without a result (killed, out of memory)
                    process.join()
                    out = {"status": "crashed", "seconds": elapsed, "message": f"exit code {process.exitcode}"}
            elif elapsed > timeout:
                process.kill()
                out = {"status": "hung", "seconds": float(timeout), "message": f"no result in {timeout:g} s"}
            else:
                still.append((process, receive, task, start))
                continue
            process.join(timeout=10)
            receive.close()
            set_index, fitter = task
            row = {"set": SETS[set_index].name, "kind": SETS[set_index].kind, "fitter": fitter, **out}
            results.append(row)
            finished[set_index] += 1
            if verbose:
                print(f"  {row['set']:<22} {fitter:<34} {row['status']:<9} {row['seconds']:7.2f} s "
                      f"{row.get('message', '')[:90]}", file=sys.stderr, flush=True)
            elif finished[set_index] == per_set[set_index]:
                complete = sum(1 for i, n in finished.items() if n == per_set[i])
                if complete % 10 == 0 or complete == len(per_set):
                    print(f"  {complete}/{len(per_set)} sets done ({time.perf_counter() - began:.0f} s)",
                          file=sys.stderr, flush=True)
        running = still
    return results


def _pattern(message: str) -> str:
    return re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "#", message)


def tally(results: list[dict], fitters) -> dict:
    """Per fitter: counts of each outcome on the defined sets, times, common messages, and the undefined sets."""
    table = {}
    for fitter in fitters:
        rows = [r for r in results if r["fitter"] == fitter and r["kind"] != "undefined"]
        counts = Counter(r["status"] for r in rows)
        slowest = max(rows, key=lambda r: r["seconds"], default=None)
        messages = Counter(_pattern(r["message"]) for r in rows if r["status"] in ("refused", "error", "crashed"))
        undefined = Counter(r["status"] for r in results if r["fitter"] == fitter and r["kind"] == "undefined")
        by_kind = defaultdict(Counter)
        for r in rows:
            by_kind[r["kind"]][r["status"]] += 1
        table[fitter] = {
            "sets": len(rows),
            **{outcome: counts[outcome] for outcome in OUTCOMES},
            "se_ok": (None if all(r.get("se_ok") is None for r in rows if r["status"] == "ok")
                      else sum(1 for r in rows if r["status"] == "ok" and r.get("se_ok"))),
            "clv_ok": sum(1 for r in rows if r["status"] == "ok" and r.get("clv_ok")),
            "map": sum(1 for r in rows if r["status"] == "ok" and r.get("map")),
            "no_discrimination": sum(1 for r in rows if r["status"] == "ok" and r.get("discriminates") is False),
            "total_seconds": float(sum(r["seconds"] for r in rows)),
            "max_seconds": float(slowest["seconds"]) if slowest else 0.0,
            "max_set": slowest["set"] if slowest else None,
            "messages": messages.most_common(5),
            "undefined": dict(undefined),
            "by_kind": {kind: dict(c) for kind, c in sorted(by_kind.items())},
        }
    return table


def report(table: dict, n_sets: int, timeout: float) -> None:
    print(f"\n{n_sets} stress sets; per-fit time limit {timeout:g} s; counts on the sets where CLV is defined")
    header = (f"{'fitter':<34} {'sets':>5} {'ok':>5} {'se ok':>6} {'clv ok':>6} {'nonfin':>6} {'refused':>7} "
              f"{'error':>5} {'hung':>5} {'crash':>5} {'total s':>9} {'max s':>7}  slowest")
    print(header)
    print("-" * len(header))
    for fitter, t in table.items():
        clv = f"{t['clv_ok']:>6}" if fitter.startswith("tierkit") else f"{'-':>6}"
        se = f"{'-' if t['se_ok'] is None else t['se_ok']:>6}"
        print(f"{fitter:<34} {t['sets']:>5} {t['ok']:>5} {se} {clv} {t['nonfinite']:>6} "
              f"{t['refused']:>7} {t['error']:>5} {t['hung']:>5} {t['crashed']:>5} {t['total_seconds']:>9.1f} "
              f"{t['max_seconds']:>7.1f}  {t['max_set'] or ''}")
    notes = [f"  {fitter:<34} {t['map']} under the weak prior, {t['no_discrimination']} that tell no active from "
             f"lapsed customers (trust_)" for fitter, t in table.items() if fitter.startswith("tierkit")]
    if notes:
        print("\nOf the tierkit fits that are ok:")
        print("\n".join(notes))
    print("\nMost common messages (digits as #):")
    for fitter, t in table.items():
        for message, count in t["messages"][:3]:
            print(f"  {fitter:<34} {count:>4}x {message[:150]}")
    print("\nSets of kind 'undefined' (no repeat customer; refusing is right):")
    for fitter, t in table.items():
        shown = ", ".join(f"{k} {v}" for k, v in sorted(t["undefined"].items())) or "none run"
        print(f"  {fitter:<34} {shown}")
    print("\nFailures by kind (not ok, of the sets run):")
    for fitter, t in table.items():
        bad = {kind: sum(v for k, v in c.items() if k != "ok") for kind, c in t["by_kind"].items()}
        shown = ", ".join(f"{kind} {n}/{sum(t['by_kind'][kind].values())}" for kind, n in bad.items() if n)
        print(f"  {fitter:<34} {shown or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N sets (round-robin over kinds)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a fit may take before it is killed")
    parser.add_argument("--workers", type=int, default=2, choices=(1, 2))
    parser.add_argument("--fitters", default=",".join(FITTERS), help="comma-separated, from: " + ", ".join(FITTERS))
    parser.add_argument("--json", default=None, help="write the figures (and every fit's outcome) to this file")
    parser.add_argument("--verbose", action="store_true", help="print every fit as it ends (stderr)")
    args = parser.parse_args()
    fitters = [f.strip() for f in args.fitters.split(",") if f.strip()]
    unknown = set(fitters) - set(FITTERS)
    if unknown:
        parser.error(f"unknown fitters {sorted(unknown)}")
    warnings.simplefilter("ignore")
    import lifetimes  # noqa: F401  (imported once here, inherited by every forked fit)

    import tierkit.clv  # noqa: F401

    start = time.perf_counter()
    SETS.extend(stress_sets())
    generated = time.perf_counter() - start
    if args.limit is not None:
        del SETS[args.limit:]
    customers = sum(len(s.features) for s in SETS)
    print(f"stress suite: {len(SETS)} sets, {customers:,} customers (all sets generated in {generated:.1f} s)")
    start = time.perf_counter()
    results = run([(i, f) for i in range(len(SETS)) for f in fitters], args.timeout, args.workers, args.verbose)
    wall = time.perf_counter() - start
    table = tally(results, fitters)
    report(table, len(SETS), args.timeout)
    print(f"\nwall time of the fits: {wall:.0f} s with {args.workers} workers")
    if args.json:
        figures = {"sets": len(SETS), "customers": customers, "timeout": args.timeout, "workers": args.workers,
                   "wall_seconds": wall, "fitters": table, "results": results}
        Path(args.json).write_text(json.dumps(figures, indent=1, default=str))
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
