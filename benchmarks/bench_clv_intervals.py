"""Per-customer CLV intervals on 1,000,000 customers: their cost against the point CLV.

Run: ``.venv/bin/python benchmarks/bench_clv_intervals.py [--customers 1000000] [--seed 0]``

Customers are simulated from BG/NBD x Gamma-Gamma at daily grain (``bench_clv.simulate``). Timed
on the fitted model, best of ``--repeat`` runs each:

* ``CLVModel.predict(features)``: the point predictions (monthly discounting over 365 days);
* ``CLVModel.predict(features, interval=0.9)``: the same plus delta-method intervals of expected
  purchases and CLV (:mod:`tierkit.clv.uncertainty`);
* the observed information of both fits (part of ``fit``).

Prints both times and their ratio (goal: intervals cost at most 10x the point CLV).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_clv import simulate  # noqa: E402


def best(repeat: int, call):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = call()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from tierkit.clv import CLVModel, bgnbd, gamma_gamma
    from tierkit.clv.bgnbd import distinct_rows
    from tierkit.clv.uncertainty import estimate_covariance

    features = simulate(args.customers, args.seed)
    x, t_x, T, m = (features[c].to_numpy() for c in ("frequency_btyd", "recency_btyd", "T", "monetary_btyd"))
    rows, weights, _ = distinct_rows(x, t_x, T)
    print(f"{len(features):,} customers, {len(rows):,} distinct (x, t_x, T) rows")

    start = time.perf_counter()
    model = CLVModel(horizon="365D", discount_rate=0.10, model="bgnbd").fit(features)
    print(f"fit (both models, with their observed information): {time.perf_counter() - start:.2f} s")
    spenders = (x > 0) & (m > 0)
    spend_rows, spend_weights, _ = distinct_rows(x[spenders], m[spenders])
    info_time, _ = best(1, lambda: (
        estimate_covariance(bgnbd.log_likelihood, model.bgnbd_params_, rows.T, weights),
        estimate_covariance(gamma_gamma.log_likelihood, model.gamma_gamma_params_, spend_rows.T, spend_weights)))
    print(f"  of which the observed information of both fits: {info_time:.2f} s")
    print(model.parameter_table(level=0.9).round(4).to_string())

    point_time, point = best(args.repeat, lambda: model.predict(features))
    interval_time, wide = best(args.repeat, lambda: model.predict(features, interval=0.9))
    assert np.isfinite(wide.to_numpy()).all()
    np.testing.assert_array_equal(wide[point.columns].to_numpy(), point.to_numpy())
    width = (wide["clv_high"] - wide["clv_low"]) / wide["clv"]
    print(f"point predict:             {point_time:8.2f} s")
    print(f"predict with interval=0.9: {interval_time:8.2f} s")
    ratio = interval_time / point_time
    print(f"ratio: {ratio:.1f}x (goal <= 10x: {'met' if ratio <= 10 else 'MISSED'})")
    print(f"relative width of the 90 % CLV interval: median {width.median():.3f}, "
          f"90th percentile {width.quantile(0.9):.3f}")


if __name__ == "__main__":
    main()
