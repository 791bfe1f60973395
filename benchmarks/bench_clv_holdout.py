"""CLV forecasts on a holdout: tierkit's models against a naive baseline and lifetimes, on real data.

Run: ``.venv/bin/python benchmarks/bench_clv_holdout.py [--datasets cdnow_sample cdnow online_retail]
[--limit 120]``

Data sets (calibration to ``calibration_end``, holdout to ``holdout_end``):

* CDNOW sample (2,357 customers), weeks, 1997-09-30 / 1998-06-30 (FHL 2005's split);
* CDNOW master (23,570 customers), days, the same dates;
* UCI Online Retail (``/work/shared/data/online_retail.parquet``, guests dropped), days,
  2011-08-31 / 2011-12-09.

Forecasters of each customer's holdout purchases and value, all on the same customers and the
same features (``tierkit.rfm_features`` with ``holdout_end``):

* tierkit ``validate_clv`` with ``CLVModel(model=...)`` for MBG/NBD (the default), BG/NBD and
  Pareto/NBD, each in a subprocess with a time limit (``--limit`` seconds; Pareto/NBD can
  currently hang): one that fails or runs over is named and the others go on;
* the naive baseline (``tierkit.clv.naive_forecast``): past repeat rate x holdout length, value
  at the customer's own mean repeat spend;
* lifetimes ``BetaGeoFitter`` and ``ParetoNBDFitter`` (``conditional_expected_number_of_purchases_up_to_time``)
  x ``GammaGammaFitter`` (``conditional_expected_average_profit``), fitted on the same features,
  also in subprocesses with the same limit; a purchase model that does not converge is tried
  again with ``penalizer_coef=0.001`` (as lifetimes' error suggests), in a row of its own.

Seconds: tierkit's include building the features from the transactions (``validate_clv``),
lifetimes' only the fits and predictions.

Every forecast's figures come from ``tierkit.clv.validation.forecast_figures`` (the code path of
``validate_clv``): MAE and RMSE of the purchases per customer, aggregate error of the total in
%, Spearman of predicted value and actual spend, and the top decile's share of holdout spend.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ONLINE_RETAIL = Path("/work/shared/data/online_retail.parquet")
#: name -> (description, time unit, calibration end, holdout end)
DATASETS = {
    "cdnow_sample": ("CDNOW sample, weeks", "W", "1997-09-30", "1998-06-30"),
    "cdnow": ("CDNOW master, days", "D", "1997-09-30", "1998-06-30"),
    "online_retail": ("UCI Online Retail, days", "D", "2011-08-31", "2011-12-09"),
}
TIERKIT_MODELS = {"mbgnbd": "tierkit MBG/NBD", "bgnbd": "tierkit BG/NBD", "pareto_nbd": "tierkit Pareto/NBD"}
LIFETIMES_MODELS = {"BetaGeoFitter": "lifetimes BG/NBD", "ParetoNBDFitter": "lifetimes Pareto/NBD"}
#: lifetimes' penalizer_coef of a second try of a purchase model that does not converge.
RETRY_PENALIZER = 0.001
COLUMNS = (("mae", "MAE", "{:.4f}"), ("rmse", "RMSE", "{:.4f}"), ("aggregate_error_pct", "agg. err", "{:+.1f}%"),
           ("spearman", "Spearman", "{:.4f}"), ("top_decile_capture", "top 10%", "{:.1%}"))


def load(name: str) -> pd.DataFrame:
    """Canonical transactions of data set ``name``."""
    import tierkit as tk

    if name == "cdnow_sample":
        return tk.load_cdnow(sample=True)
    if name == "cdnow":
        return tk.load_cdnow()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the 135,080 guest lines dropped
        return tk.read_transactions(ONLINE_RETAIL, customer_id="CustomerID", date="InvoiceDate", order_id="InvoiceNo",
                                    quantity="Quantity", price="UnitPrice", missing_customers="drop")


def features_of(tx: pd.DataFrame, time_unit: str, calibration_end: str, holdout_end: str) -> pd.DataFrame:
    """The feature table ``validate_clv`` builds: calibration features plus the holdout's counts."""
    from tierkit.features.definition import rfm_features

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rfm_features(tx, as_of=calibration_end, time_unit=time_unit, holdout_end=holdout_end)


def own_spend(features: pd.DataFrame) -> np.ndarray:
    """Mean repeat spend, 0 without repeat purchases or below 0 (what validate_clv gives the models)."""
    x = features["frequency_btyd"].to_numpy(dtype="float64")
    return np.where(x > 0, np.maximum(features["monetary_btyd"].to_numpy(dtype="float64"), 0.0), 0.0)


def figures(features: pd.DataFrame, purchases, value) -> dict:
    from tierkit.clv.validation import forecast_figures

    return forecast_figures(purchases, value, features["holdout_purchases"], features["holdout_spend"])


# --- workers: one forecaster, run in a subprocess, figures as JSON on stdout ---------------------------

def tierkit_worker(limit: float, tx_path: str, dataset: str, model: str) -> dict:
    import tierkit as tk

    _, unit, cal, end = DATASETS[dataset]
    tx = pd.read_parquet(tx_path)
    _stop_at(limit)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = tk.validate_clv(tx, calibration_end=cal, holdout_end=end, time_unit=unit, model=tk.CLVModel(model=model))
    seconds = time.perf_counter() - start
    out = {k: getattr(v, k) for k, _, _ in COLUMNS}
    return {**out, "seconds": seconds, "baseline": v.baseline, "customers": len(v.customers),
            "params": v.bgnbd_params}


def lifetimes_worker(limit: float, features_path: str, fitter: str, penalizer: str = "0") -> dict:
    import lifetimes

    features = pd.read_parquet(features_path)
    x, t_x, T = (features[c].to_numpy(dtype="float64") for c in ("frequency_btyd", "recency_btyd", "T"))
    m = own_spend(features)
    duration = float(features["holdout_duration"].iloc[0])
    _stop_at(limit)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            purchase_model = getattr(lifetimes, fitter)(penalizer_coef=float(penalizer)).fit(x, t_x, T)
        except lifetimes.utils.ConvergenceError as error:
            raise SystemExit(f"{fitter}: {str(error).strip().splitlines()[-1]}") from None
        purchases = purchase_model.conditional_expected_number_of_purchases_up_to_time(duration, x, t_x, T)
        repeat = (x > 0) & (m > 0)
        try:
            gg = lifetimes.GammaGammaFitter().fit(x[repeat], m[repeat])
        except lifetimes.utils.ConvergenceError as error:
            raise SystemExit(f"GammaGammaFitter: {str(error).strip().splitlines()[-1]}") from None
        spend = gg.conditional_expected_average_profit(x, m)
    seconds = time.perf_counter() - start
    purchases = np.asarray(purchases, dtype="float64")
    out = figures(features, purchases, purchases * np.asarray(spend, dtype="float64"))
    return {**out, "seconds": seconds, "params": purchase_model.params_.to_dict()}


def run_worker(args: list[str], limit: float) -> dict:
    """A worker in a subprocess: its figures, or ``{"error": ...}`` when it fails or runs over ``limit``."""
    slack = 60.0  # the worker stops itself at the limit; this is for its start (imports, reading its input)
    try:
        done = subprocess.run([sys.executable, __file__, "--limit", str(limit), "--worker", *args],
                              capture_output=True, text=True, timeout=limit + slack)
    except subprocess.TimeoutExpired:
        return {"error": f"killed after {limit + slack:.0f} s (over the {limit:g} s limit)"}
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return {"error": f"failed: {lines[-1] if lines else f'exit code {done.returncode}'}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["seconds"] > limit:
        result["error"] = f"took {result['seconds']:.1f} s, over the {limit:g} s limit"
    return result


# --- the benchmark ------------------------------------------------------------------------------------

def bench(dataset: str, limit: float, folder: Path) -> None:
    from tierkit.clv.validation import naive_forecast

    label, unit, cal, end = DATASETS[dataset]
    start = time.perf_counter()
    tx = load(dataset)
    features = features_of(tx, unit, cal, end)
    read_seconds = time.perf_counter() - start
    tx_path, features_path = folder / f"{dataset}_tx.parquet", folder / f"{dataset}_features.parquet"
    tx.to_parquet(tx_path)
    features.to_parquet(features_path)
    duration = float(features["holdout_duration"].iloc[0])
    x = features["frequency_btyd"].to_numpy(dtype="float64")
    spend = features["holdout_spend"].to_numpy(dtype="float64")
    order = np.argsort(-spend, kind="stable")[:max(1, round(len(spend) / 10))]
    print(f"\n== {label}: calibration to {cal}, holdout to {end} ({duration:g} {unit}); read and features in "
          f"{read_seconds:.1f} s")
    print(f"{len(features):,} customers ({int((x > 0).sum()):,} with a repeat purchase); holdout: "
          f"{features['holdout_purchases'].sum():,.0f} purchases, spend {spend.sum():,.0f}; the top decile by "
          f"actual spend makes {spend[order].sum() / spend.sum():.1%} of it (the best any ranking can do)")

    rows = {}
    start = time.perf_counter()
    naive = naive_forecast(x, features["T"], duration)
    rows["naive baseline"] = {**figures(features, naive, naive * own_spend(features)),
                              "seconds": time.perf_counter() - start}
    for model, name in TIERKIT_MODELS.items():
        rows[name] = run_worker(["tierkit", str(tx_path), dataset, model], limit)
        if "baseline" in rows[name]:  # validate_clv's own baseline: the same figures
            for key, value in rows[name]["baseline"].items():
                assert np.isclose(value, rows["naive baseline"][key], rtol=1e-9, equal_nan=True), (name, key)
    for fitter, name in LIFETIMES_MODELS.items():
        rows[name] = run_worker(["lifetimes", str(features_path), fitter], limit)
        if f"{fitter}: The model did not converge" in rows[name].get("error", ""):  # as lifetimes suggests
            rows[f"{name}, penalizer_coef {RETRY_PENALIZER:g}"] = run_worker(
                ["lifetimes", str(features_path), fitter, str(RETRY_PENALIZER)], limit)

    width = max(len(n) for n in rows) + 2
    print(f"{'':<{width}}" + "".join(f"{title:>10}" for _, title, _ in COLUMNS) + f"{'seconds':>10}  parameters")
    for name, row in rows.items():
        if "error" in row and "mae" not in row:
            print(f"{name:<{width}}{row['error']}")
            continue
        cells = "".join(f"{_cell(row[key], style):>10}" for key, _, style in COLUMNS)
        params = ", ".join(f"{k} {v:.4g}" for k, v in row.get("params", {}).items())
        note = f"  ({row['error']})" if "error" in row else ""
        print(f"{name:<{width}}{cells}{row['seconds']:>10.1f}  {params}{note}")


def _stop_at(limit: float) -> None:
    """The worker process ends with a one-line message ``limit`` seconds from now, whatever it is doing."""
    def watchdog():
        time.sleep(limit)
        sys.stderr.write(f"stopped at the {limit:g} s limit\n")
        sys.stderr.flush()
        os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()


def _cell(value, style: str) -> str:
    return "-" if value is None or not np.isfinite(value) else style.format(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per model fit (default 120)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        result = (tierkit_worker if kind == "tierkit" else lifetimes_worker)(args.limit, *rest)
        print(json.dumps(result, default=float))
        return
    if "online_retail" in args.datasets and not ONLINE_RETAIL.exists():
        print(f"{ONLINE_RETAIL} not found: Online Retail left out")
        args.datasets.remove("online_retail")
    print("holdout forecasts per customer: MAE and RMSE of purchases, aggregate error of the total purchases, "
          "Spearman of predicted value and actual spend, share of holdout spend of the top decile by predicted "
          f"value; each fit limited to {args.limit:g} s; tierkit's seconds include building the features")
    with tempfile.TemporaryDirectory() as folder:
        for dataset in args.datasets:
            bench(dataset, args.limit, Path(folder))


if __name__ == "__main__":
    main()
