"""Fitting every BTYD model on 1,000,000 daily customers: tierkit against lifetimes' own fitters.

Run: ``.venv/bin/python benchmarks/bench_btyd_fit.py [--customers 1000000] [--pareto-customers 200000]
[--models bgnbd,mbgnbd,pareto_nbd,bgbb,gamma_gamma] [--seed 0]``

Data (simulated, not from ``synthetic.py``'s transactions, so every fit has a true answer):

* continuous-time models (BG/NBD, MBG/NBD, Pareto/NBD) and Gamma-Gamma: ``bench_clv.simulate``,
  customers drawn from BG/NBD x Gamma-Gamma at a daily grain (purchase times cut to whole days,
  purchases on one day count once, ages ``T`` of 30 to 730 days);
* BG/BB: customers drawn from BG/BB itself, 1 to 10 opportunities each.

For each model, one run each, on the same rows and both unpenalised:

* tierkit: ``bgnbd.distinct_rows`` (included in the time) and ``fit_<model>`` on the distinct
  rows with their counts as weights;
* lifetimes 0.11: its fitter as a user calls it, ``Fitter().fit(...)`` on every row with the
  defaults (no ``weights``; lifetimes' Pareto/NBD starts from random values, seeded here).
  For BG/BB, whose lifetimes documentation fits condensed data (the donations example), lifetimes
  on the distinct rows with ``weights=`` is timed as well (``bench_clv.py`` does so for BG/NBD).

Prints times, the speed ratio (lifetimes / tierkit, goal >= 5x), the largest relative
difference of the parameters (goal <= 1e-4) and both log-likelihoods at their own parameters.
lifetimes' Pareto/NBD (Nelder-Mead, two ``hyp2f1`` per row and evaluation) takes many minutes
on a million rows: both fitters get the first ``--pareto-customers`` customers instead, and
the output says so.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

from bench_clv import simulate

TRUE_BGBB = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
MODELS = ("bgnbd", "mbgnbd", "pareto_nbd", "bgbb", "gamma_gamma")


def simulate_bgbb(n: int, seed: int = 0, max_opportunities: int = 10):
    """``(x, t_x, n)`` of ``n`` customers drawn from BG/BB with 1 to ``max_opportunities`` opportunities."""
    rng = np.random.default_rng(seed)
    p = rng.beta(TRUE_BGBB["alpha"], TRUE_BGBB["beta"], size=n)
    theta = rng.beta(TRUE_BGBB["gamma"], TRUE_BGBB["delta"], size=n)
    periods = rng.integers(1, max_opportunities + 1, size=n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    for i in range(1, max_opportunities + 1):
        alive &= rng.random(n) >= theta  # may die before each opportunity
        buys = alive & (i <= periods) & (rng.random(n) < p)
        x[buys] += 1
        t_x[buys] = i
    return x, t_x, periods.astype("float64")


def rel_diff(ours: dict, theirs: dict) -> float:
    return max(abs(ours[k] - theirs[k]) / abs(theirs[k]) for k in ours)


def fmt(params: dict) -> str:
    return ", ".join(f"{k} {v:.6g}" for k, v in params.items())


def compare(name, columns, ours_fit, theirs_fit, log_likelihood, note="", weighted=False):
    """Time tierkit (distinct rows + fit) and lifetimes (every row) on ``columns``; print one line each.

    ``weighted``: also time lifetimes on the distinct rows with ``weights=`` (its documented use for BG/BB).
    """
    from tierkit.clv.bgnbd import distinct_rows

    start = time.perf_counter()
    rows, weights, _ = distinct_rows(*columns)
    ours, _ = ours_fit(*rows.T, weights)
    ours_time = time.perf_counter() - start

    start = time.perf_counter()
    theirs = theirs_fit(*columns).params_.to_dict()
    theirs_time = time.perf_counter() - start

    diff = rel_diff(ours, theirs)
    lls = [float(np.sum(log_likelihood(tuple(p.values()), *columns))) for p in (ours, theirs)]
    ratio = theirs_time / ours_time
    print(f"{name}: {len(columns[0]):,} rows, {len(rows):,} distinct{note}")
    print(f"  tierkit   {ours_time:8.2f} s  {fmt(ours)}  LL {lls[0]:.3f}")
    print(f"  lifetimes {theirs_time:8.2f} s  {fmt(theirs)}  LL {lls[1]:.3f}")
    print(f"  ratio {ratio:.1f}x (goal >= 5x: {'met' if ratio >= 5 else 'MISSED'}), largest relative parameter "
          f"difference {diff:.1e} (goal <= 1e-4: {'met' if diff <= 1e-4 else 'MISSED'}), "
          f"LL tierkit - lifetimes {lls[0] - lls[1]:+.2e}", flush=True)
    if weighted:
        start = time.perf_counter()
        rows, weights, _ = distinct_rows(*columns)
        condensed = theirs_fit(*rows.T, weights=weights).params_.to_dict()
        condensed_time = time.perf_counter() - start
        print(f"  lifetimes on the {len(rows):,} distinct rows with weights= (its documented use): "
              f"{condensed_time:.2f} s, {condensed_time / ours_time:.1f}x tierkit's time, largest relative "
              f"parameter difference {rel_diff(ours, condensed):.1e}", flush=True)
    return {"model": name, "rows": len(columns[0]), "distinct": len(rows), "tierkit": ours_time,
            "lifetimes": theirs_time, "ratio": ratio, "diff": diff}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--pareto-customers", type=int, default=200_000,
                        help="customers for the Pareto/NBD comparison (lifetimes takes minutes per 100,000)")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from lifetimes import (
        BetaGeoBetaBinomFitter,
        BetaGeoFitter,
        GammaGammaFitter,
        ModifiedBetaGeoFitter,
        ParetoNBDFitter,
    )

    from tierkit.clv import bgbb, bgnbd, gamma_gamma, mbgnbd, pareto_nbd

    models = args.models.split(",")
    print(f"machine: {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.2f}")
    features = simulate(args.customers, args.seed)
    x, t_x, T, m = (features[c].to_numpy() for c in ("frequency_btyd", "recency_btyd", "T", "monetary_btyd"))
    results = []
    if "bgnbd" in models:
        results.append(compare("BG/NBD", (x, t_x, T), bgnbd.fit_bgnbd, lambda *c: BetaGeoFitter().fit(*c),
                               bgnbd.log_likelihood))
    if "mbgnbd" in models:
        results.append(compare("MBG/NBD", (x, t_x, T), mbgnbd.fit_mbgnbd,
                               lambda *c: ModifiedBetaGeoFitter().fit(*c), mbgnbd.log_likelihood))
    if "pareto_nbd" in models:
        k = min(args.pareto_customers, len(x))
        note = f" (the first {k:,} of the {len(x):,} customers)" if k < len(x) else ""
        np.random.seed(args.seed)  # lifetimes draws its starting values from numpy's global generator
        results.append(compare("Pareto/NBD", (x[:k], t_x[:k], T[:k]), pareto_nbd.fit_pareto_nbd,
                               lambda *c: ParetoNBDFitter().fit(*c), pareto_nbd.log_likelihood, note))
        if k < len(x):
            start = time.perf_counter()
            rows, weights, _ = bgnbd.distinct_rows(x, t_x, T)
            pareto_nbd.fit_pareto_nbd(*rows.T, weights)
            print(f"  tierkit on all {len(x):,} customers ({len(rows):,} distinct rows): "
                  f"{time.perf_counter() - start:.2f} s", flush=True)
    if "bgbb" in models:
        results.append(compare("BG/BB", simulate_bgbb(args.customers, args.seed), bgbb.fit_bgbb,
                               lambda *c, **kw: BetaGeoBetaBinomFitter().fit(*c, **kw), bgbb.log_likelihood,
                               weighted=True))
    if "gamma_gamma" in models:
        rep = (x > 0) & (m > 0)
        results.append(compare("Gamma-Gamma", (x[rep], m[rep]), gamma_gamma.fit_gamma_gamma,
                               lambda *c: GammaGammaFitter().fit(*c), gamma_gamma.log_likelihood,
                               " (repeat customers)"))
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    print("\n| model | rows | distinct rows | tierkit s | lifetimes s | ratio | max param diff |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['model']} | {r['rows']:,} | {r['distinct']:,} | {r['tierkit']:.2f} | {r['lifetimes']:.1f} | "
              f"{r['ratio']:.1f}x | {r['diff']:.1e} |")


if __name__ == "__main__":
    main()
