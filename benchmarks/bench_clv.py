"""CLV fitting and prediction on 1,000,000 customers: tierkit against lifetimes.

Run: ``.venv/bin/python benchmarks/bench_clv.py [--customers 1000000] [--seed 0]``

Customers are simulated from the BG/NBD and Gamma-Gamma models themselves (daily grain: purchase
times are cut to whole days, repeat purchases on the same day count once, ages up to two
years), so both fits have a true answer. Timed on the same rows:

* tierkit ``CLVModel.fit`` (distinct rows with weights, analytic gradients);
* lifetimes ``BetaGeoFitter`` + ``GammaGammaFitter`` on every row (what a user of lifetimes runs);
* lifetimes again on the distinct rows with ``weights=`` (lifetimes' own best case: distinct
  ``(x, t_x, T)`` rows for BG/NBD, distinct ``(x, m)`` rows for Gamma-Gamma, as tierkit uses);
* tierkit's prediction of every output for every customer.

Prints times, ratios and the largest relative difference of the parameters.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

TRUE_BGNBD = {"r": 0.25, "alpha": 30.0, "a": 0.8, "b": 2.5}  # alpha in days
TRUE_GG = {"p": 6.0, "q": 3.8, "v": 15.0}


def simulate(n: int, seed: int = 0) -> pd.DataFrame:
    """Buy-till-you-die summaries of ``n`` customers drawn from BG/NBD x Gamma-Gamma, in days."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(TRUE_BGNBD["r"], 1.0 / TRUE_BGNBD["alpha"], size=n)
    drop = rng.beta(TRUE_BGNBD["a"], TRUE_BGNBD["b"], size=n)
    T = rng.integers(30, 731, size=n).astype("float64")
    t = np.zeros(n)
    last_day = np.zeros(n)
    repeat_days = np.zeros(n)
    active = np.arange(n)  # dropping out is possible only after a repeat purchase
    while active.size:
        t[active] += rng.exponential(1.0 / lam[active])
        inside = t[active] <= T[active]
        active = active[inside]
        day = np.floor(t[active])
        new = day > last_day[active]
        repeat_days[active[new]] += 1
        last_day[active[new]] = day[new]
        active = active[rng.random(active.size) >= drop[active]]
    nu = rng.gamma(TRUE_GG["q"], 1.0 / TRUE_GG["v"], size=n)
    x = repeat_days
    m = np.zeros(n)
    rep = x > 0
    m[rep] = rng.gamma(TRUE_GG["p"] * x[rep], 1.0 / nu[rep]) / x[rep]
    index = pd.Index([f"C{i:07d}" for i in range(n)], name="customer_id")
    features = pd.DataFrame({"frequency_btyd": x, "recency_btyd": last_day, "T": T, "monetary_btyd": m}, index=index)
    features.attrs["time_unit"] = "D"
    return features


def rel_diff(ours: dict, theirs: dict) -> float:
    return max(abs(ours[k] - theirs[k]) / abs(theirs[k]) for k in ours)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    from tierkit.clv import CLVModel
    from tierkit.clv.bgnbd import distinct_rows

    features = simulate(args.customers, args.seed)
    x, t_x, T, m = (features[c].to_numpy() for c in ("frequency_btyd", "recency_btyd", "T", "monetary_btyd"))
    rows, weights, _ = distinct_rows(x, t_x, T)
    print(f"{len(features):,} customers, {int((x > 0).sum()):,} repeat customers, "
          f"{len(rows):,} distinct (x, t_x, T) rows")

    start = time.perf_counter()
    model = CLVModel(horizon="365D", discount_rate=0.10, model="bgnbd").fit(features)
    ours_fit = time.perf_counter() - start
    print(f"tierkit fit:                     {ours_fit:8.2f} s  BG/NBD {fmt(model.bgnbd_params_)}  "
          f"GG {fmt(model.gamma_gamma_params_)}")

    start = time.perf_counter()
    bgf = BetaGeoFitter().fit(x, t_x, T)
    rep = (x > 0) & (m > 0)
    ggf = GammaGammaFitter().fit(x[rep], m[rep])
    theirs_fit = time.perf_counter() - start
    theirs = {**bgf.params_.to_dict(), **ggf.params_.to_dict()}
    print(f"lifetimes fit, every row:        {theirs_fit:8.2f} s  BG/NBD {fmt(bgf.params_.to_dict())}  "
          f"GG {fmt(ggf.params_.to_dict())}")

    start = time.perf_counter()
    rows, weights, _ = distinct_rows(x, t_x, T)
    bgw = BetaGeoFitter().fit(rows[:, 0], rows[:, 1], rows[:, 2], weights=weights)
    spend_rows, spend_weights, _ = distinct_rows(x[rep], m[rep])
    if len(spend_rows) < rep.sum():
        ggw = GammaGammaFitter().fit(spend_rows[:, 0], spend_rows[:, 1], weights=spend_weights)
    else:  # continuous spend: nothing to merge (and lifetimes' BFGS may stop on sorted rows)
        ggw = GammaGammaFitter().fit(x[rep], m[rep])
    weighted_fit = time.perf_counter() - start
    print(f"lifetimes fit, distinct rows:    {weighted_fit:8.2f} s  BG/NBD {fmt(bgw.params_.to_dict())}  "
          f"GG {fmt(ggw.params_.to_dict())}")

    ours = {**model.bgnbd_params_, **model.gamma_gamma_params_}
    diff = rel_diff(ours, theirs)
    print(f"largest relative parameter difference to lifetimes: {diff:.2e} (goal <= 1e-4: "
          f"{'met' if diff <= 1e-4 else 'MISSED'})")
    print(f"true parameters: BG/NBD {fmt(TRUE_BGNBD)}  GG {fmt(TRUE_GG)}")
    print(f"speed-up: {theirs_fit / ours_fit:.1f}x against lifetimes on every row (goal >= 5x), "
          f"{weighted_fit / ours_fit:.1f}x against lifetimes on distinct rows with weights")

    start = time.perf_counter()
    predicted = model.predict(features)
    predict_time = time.perf_counter() - start
    assert np.isfinite(predicted.to_numpy()).all()
    print(f"tierkit predict, {len(predicted):,} customers (expected_purchases, p_alive, expected_spend, clv "
          f"with monthly discounting): {predict_time:.2f} s (goal < 10 s)")


def fmt(params: dict) -> str:
    return ", ".join(f"{k} {v:.4f}" for k, v in params.items())


if __name__ == "__main__":
    main()
