"""Coverage of nominal 90 % parameter intervals: delta method against profile likelihood, MBG/NBD.

Worlds of 2,357 customers (the CDNOW sample's size) are simulated from MBG/NBD with the published
fit of that sample (r 0.525, alpha 6.183, a 0.891, b 1.614 a week; ages 27-39 weeks); each is
fitted by maximum likelihood, and the share of worlds whose interval holds the true parameter is
printed for the delta-method intervals (``CLVModel.parameter_table``) and the profile-likelihood
intervals (``CLVModel.profile_table``), with its standard error.

Run: ``cd benchmarks && ../.venv/bin/python bench_clv_param_coverage.py [--worlds 300] [--seed 1]``
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from tierkit.clv import mbgnbd, uncertainty
from tierkit.clv.bgnbd import distinct_rows
from tierkit.clv.profile import profile_intervals

TRUE = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}


def world(rng, n: int = 2357):
    """``(x, t_x, T)`` of ``n`` customers drawn from MBG/NBD with :data:`TRUE`."""
    lam = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], n)
    p = rng.beta(TRUE["a"], TRUE["b"], n)
    T = np.round(rng.uniform(27, 39, n) * 7) / 7
    x, t_x, t = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = rng.random(n) >= p  # MBG/NBD: a customer may leave at the first purchase
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1 / lam[idx])
        bought = t[idx] <= T[idx]
        alive[idx[~bought]] = False
        b = idx[bought]
        x[b] += 1
        t_x[b] = t[b]
        alive[b[rng.random(len(b)) < p[b]]] = False
    return x, t_x, T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(args.seed)
    delta, profile = np.zeros(4), np.zeros(4)
    start = time.perf_counter()
    for _ in range(args.worlds):
        rows, weights, _ = distinct_rows(*world(rng))
        params, _ = mbgnbd.fit_mbgnbd(rows[:, 0], rows[:, 1], rows[:, 2], weights)
        table = uncertainty.parameter_table(params, uncertainty.estimate_covariance(
            mbgnbd.log_likelihood, params, rows.T, weights), 0.9)
        profiled = profile_intervals(mbgnbd, params, rows[:, 0], rows[:, 1], rows[:, 2], weights, level=0.9)
        for i, name in enumerate(mbgnbd.PARAMS):
            delta[i] += table.loc[name, "lower"] <= TRUE[name] <= table.loc[name, "upper"]
            profile[i] += profiled.loc[name, "lower"] <= TRUE[name] <= profiled.loc[name, "upper"]
    se = np.sqrt(0.9 * 0.1 / args.worlds)
    print(f"{args.worlds} worlds of 2,357 customers, nominal 90 % (standard error of a share {se:.3f}), "
          f"{time.perf_counter() - start:.0f} s")
    print(f"{'parameter':<10} {'delta method':>13} {'profile':>8}")
    for i, name in enumerate(mbgnbd.PARAMS):
        print(f"{name:<10} {delta[i] / args.worlds:>13.3f} {profile[i] / args.worlds:>8.3f}")


if __name__ == "__main__":
    main()
