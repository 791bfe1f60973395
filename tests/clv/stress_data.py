"""A frozen stress suite for the CLV fits: seeded customer bases of the kinds real shops have.

Every set is simulated customer by customer from a buy-till-you-die process (Pareto/NBD,
BG/NBD, MBG/NBD, a never-dying NBD, or a misspecified one: regular buyers with a fixed period,
seasonal bursts), over a calibration period and a holdout period right after it, at daily
grain, as :func:`tierkit.rfm_features` sees transactions:

* a customer's first purchase is on day ``b`` (days ``0 .. days - 1`` are the calibration
  period, the observation date is day ``days - 1``); repeat purchases on the first day or on
  one day count once (purchase *days*);
* ``frequency_btyd`` (x) is the number of repeat purchase days up to the observation date,
  ``recency_btyd`` (t_x) the age at the last of them, ``T`` the age at the observation date;
* ``monetary_btyd`` is the mean spend of the repeat purchase days (0 when x = 0);
* ``holdout_purchases`` and ``holdout_spend`` are the purchase days and their spend in the
  ``holdout`` days after the observation date, ``holdout_duration`` the holdout's length;
* with ``time_unit="W"`` ages and durations are days divided by 7.

Spend is drawn per purchase day: Gamma-Gamma, log-normal, price points, constant for everyone
or constant per customer, with a few extreme orders, or with returns (a day's net spend may be
0 or negative, as with refunds).

The sets are generated from fixed seeds (:class:`numpy.random.Generator`, PCG64): the same sets
on every machine with the same NumPy (``constraints.txt`` pins it); :func:`fingerprint` hashes
their integer columns so a change to the generator is noticed. Every set but those of kind
``"undefined"`` has at least :data:`MIN_REPEAT_SPENDERS` customers with a repeat purchase and
positive repeat spend, the case where CLV is defined; a draw that misses a set's requirement is
redrawn from the next seed of the same set (``truth["attempt"]``). The ``"undefined"`` sets
have no repeat customer at all: the only sets a CLV fit may refuse.

Examples
--------
>>> sets = stress_sets(kinds=("tiny",))
>>> len(sets), sets[0].kind, list(sets[0].features.columns[:4])
(30, 'tiny', ['frequency_btyd', 'recency_btyd', 'T', 'monetary_btyd'])
>>> summary(sets)
{'tiny': 30}
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Days per time unit.
DAYS_PER_UNIT = {"D": 1, "W": 7}
#: Columns of every set's ``features``.
COLUMNS = ("frequency_btyd", "recency_btyd", "T", "monetary_btyd", "holdout_purchases", "holdout_spend",
           "holdout_duration")
#: Fewest customers with a repeat purchase and positive repeat spend in a set where CLV is defined.
MIN_REPEAT_SPENDERS = 10
#: Highest purchase rate drawn, per day (the tail of a Gamma draw is cut there).
MAX_RATE = 3.0
#: Draws of one set before the generator gives up (a bug in a kind's specification).
MAX_ATTEMPTS = 40
#: Each kind: ``(number, sets)``; the number makes the seeds (``1000 * number + i``) and never changes.
KINDS = {
    "short_period": (1, 30),
    "retail_one_time": (2, 30),
    "heavy_buyers": (3, 25),
    "cohort": (4, 25),
    "constant_spend": (5, 25),
    "outlier_spend": (6, 25),
    "tiny": (7, 30),
    "large": (8, 10),
    "no_dropout": (9, 25),
    "heavy_dropout": (10, 25),
    "two_years": (11, 20),
    "periodic": (12, 20),
    "seasonal": (13, 20),
    "undefined": (14, 5),
}


@dataclass
class StressSet:
    """One data set of the stress suite.

    Parameters
    ----------
    name : str
        ``"<kind>-<i>"``, unique in the suite.
    kind : str
        A key of :data:`KINDS`.
    seed : int
        The set's seed, ``1000 * KINDS[kind][0] + i``.
    time_unit : {"D", "W"}
        Unit of the ages and durations in ``features``.
    features : pandas.DataFrame
        One row per customer, the columns of :data:`COLUMNS`; ``attrs["time_unit"]`` is set.
    truth : dict
        How the set was generated: ``process`` (and its parameters in ``time_unit``, where the
        process has them), ``spend`` (and its parameters), ``days``, ``holdout_days``,
        ``customers``, ``attempt``, and per segment when customers come from several processes.
    """

    name: str
    kind: str
    seed: int
    time_unit: str
    features: pd.DataFrame
    truth: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        x = self.features["frequency_btyd"]
        return (f"StressSet({self.name!r}, {len(x)} customers, {int((x > 0).sum())} repeat, "
                f"time_unit={self.time_unit!r})")


# ---------------------------------------------------------------------------------------------
# drawing helpers


def _loguniform(rng, low: float, high: float) -> float:
    """One value spread evenly on the log scale between ``low`` and ``high``."""
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _int_loguniform(rng, low: int, high: int) -> int:
    return int(round(_loguniform(rng, low, high)))


def _rates(rng, n: int, r: float, alpha: float) -> np.ndarray:
    """Purchase rates per day, Gamma(shape ``r``, rate ``alpha``), cut at :data:`MAX_RATE`."""
    return np.minimum(rng.gamma(r, 1.0 / alpha, size=n), MAX_RATE)


def _poisson_points(rng, rate: np.ndarray, length: np.ndarray):
    """Points of a Poisson process of ``rate`` on ``(0, length)`` per customer: ``(customer, time)`` sorted."""
    counts = rng.poisson(rate * length)
    customer = np.repeat(np.arange(len(rate)), counts)
    time = rng.random(customer.size) * length[customer]
    return _by_customer_and_time(customer, time)


def _by_customer_and_time(customer: np.ndarray, time: np.ndarray):
    """``(customer, time)`` ordered by customer, then time (times in ``[0, 4096)`` days).

    One sort of ``customer * 4096 + time``; the times come back rounded to the key's precision
    (below 1e-7 days with 50,000 customers).
    """
    key = np.sort(customer * 4096.0 + time)
    customer = np.floor(key / 4096.0).astype(np.int64)
    return customer, key - customer * 4096.0


def _rank(customer: np.ndarray) -> np.ndarray:
    """Position of each point among its customer's points (``customer`` sorted)."""
    return np.arange(customer.size) - np.searchsorted(customer, customer, side="left")


def _lifetimes(rng, n: int, s: float | None, beta: float | None) -> np.ndarray:
    """Exponential lifetimes with Gamma(``s``, ``beta``) death rates; infinite when ``s`` is None."""
    if s is None:
        return np.full(n, np.inf)
    mu = rng.gamma(s, 1.0 / beta, size=n)
    with np.errstate(divide="ignore"):
        return rng.exponential(1.0, size=n) / mu


def _random_btyd(rng, mean_gap=(10.0, 120.0), r=(0.2, 3.0), lifetime=(60.0, 1500.0), drop=(0.05, 0.5),
                 processes=("pareto_nbd", "bgnbd", "mbgnbd")) -> dict:
    """A Pareto/NBD, BG/NBD or MBG/NBD process with parameters in days.

    ``mean_gap`` bounds the mean time between purchases (``alpha / r``), ``lifetime`` the mean
    lifetime of Pareto/NBD (``beta / s``), ``drop`` the mean dropout probability of (M)BG/NBD
    (``a / (a + b)``).
    """
    process = str(rng.choice(list(processes)))
    shape = _loguniform(rng, *r)
    spec = {"process": process, "r": shape, "alpha": shape * _loguniform(rng, *mean_gap)}
    if process == "pareto_nbd":
        s = _loguniform(rng, 0.3, 2.0)
        spec.update(s=s, beta=s * _loguniform(rng, *lifetime))
    else:
        a = _loguniform(rng, 0.2, 2.0)
        p = rng.uniform(*drop)
        spec.update(a=a, b=a * (1.0 - p) / p)
    return spec


# ---------------------------------------------------------------------------------------------
# purchase processes: repeat purchase times since each customer's first purchase


def _events(rng, process: dict, first: np.ndarray, window: np.ndarray):
    """Repeat purchases ``(customer, time since first purchase)`` of ``process``, within ``window``.

    ``first`` is each customer's first purchase in days since the start of the calibration
    period (continuous), ``window`` the time from it to the end of the holdout.
    """
    n = len(first)
    kind = process["process"]
    if kind == "one_time":
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if kind in ("pareto_nbd", "nbd"):
        rate = _rates(rng, n, process["r"], process["alpha"])
        life = _lifetimes(rng, n, process.get("s"), process.get("beta"))
        return _poisson_points(rng, rate, np.minimum(life, window))
    if kind in ("bgnbd", "mbgnbd"):
        rate = _rates(rng, n, process["r"], process["alpha"])
        p = np.clip(rng.beta(process["a"], process["b"], size=n), 1e-12, 1.0)
        # repeat purchases a customer makes before dropping out: after each one (BG/NBD), or also
        # right at the first purchase (MBG/NBD)
        alive_for = rng.geometric(p) - (1 if kind == "mbgnbd" else 0)
        customer, time = _poisson_points(rng, rate, window)
        keep = _rank(customer) < alive_for[customer]
        return customer[keep], time[keep]
    if kind == "periodic":
        # a fixed period per customer (weekly, fortnightly, monthly ...), a little jitter, and
        # an exponential lifetime; a share never comes back
        period = rng.choice(np.asarray(process["periods"], dtype="float64"), size=n) * rng.lognormal(
            0.0, 0.05, size=n)
        period[rng.random(n) < process["one_time_share"]] = np.inf
        life = np.minimum(_lifetimes(rng, n, process.get("s"), process.get("beta")), window)
        counts = np.where(np.isfinite(period), np.floor(life / period) + 1, 0).astype(np.int64)
        customer = np.repeat(np.arange(n), counts)
        k = _rank(customer) + 1.0
        time = k * period[customer] + rng.normal(0.0, process["jitter"], size=customer.size) * period[customer]
        keep = (time > 0) & (time < life[customer])
        return _by_customer_and_time(customer[keep], time[keep])
    if kind == "seasonal":
        # a Pareto/NBD customer whose rate is multiplied around the peaks (thinning)
        rate = _rates(rng, n, process["r"], process["alpha"])
        life = np.minimum(_lifetimes(rng, n, process.get("s"), process.get("beta")), window)
        top = 1.0 + sum(height for _, _, height in process["peaks"])
        customer, time = _poisson_points(rng, rate * top, life)
        day = (first[customer] + time) % 365.0
        lift = 1.0 + sum(height * np.exp(-0.5 * ((day - centre) / width) ** 2)
                         for centre, width, height in process["peaks"])
        keep = rng.random(customer.size) * top < lift
        return customer[keep], time[keep]
    raise ValueError(f"unknown process {kind!r}")


# ---------------------------------------------------------------------------------------------
# spend per purchase day


def _spend(rng, spend: dict, customer: np.ndarray, n: int) -> np.ndarray:
    """The spend of each purchase day of ``customer`` (rounded to cents)."""
    kind = spend["spend"]
    if kind == "gamma_gamma":
        nu = rng.gamma(spend["q"], 1.0 / spend["v"], size=n)
        value = rng.gamma(spend["p"], 1.0 / nu[customer])
    elif kind == "lognormal":
        centre = rng.normal(np.log(spend["median"]), spend["between"], size=n)
        value = rng.lognormal(centre[customer], spend["within"])
    elif kind == "price_points":
        prices = np.asarray(spend["prices"])
        favourite = rng.integers(0, len(prices), size=n)
        items = 1 + rng.poisson(spend["extra_items"], size=customer.size)
        other = rng.integers(0, len(prices), size=customer.size)
        usual = rng.random(customer.size) < 0.7
        value = items * np.where(usual, prices[favourite[customer]], prices[other])
    elif kind == "constant_all":
        value = np.full(customer.size, spend["value"])
    elif kind == "constant_each":
        own = np.round(rng.lognormal(np.log(spend["median"]), spend["between"], size=n), 2)
        value = np.maximum(own, 0.01)[customer]
    else:
        raise ValueError(f"unknown spend {kind!r}")
    return np.maximum(np.round(value, 2), 0.01)


# ---------------------------------------------------------------------------------------------
# one set


def _births(rng, how: str, n: int, days: int) -> np.ndarray:
    """First purchase day of each customer in ``0 .. days - 1``."""
    if how == "cohort":
        return np.zeros(n, dtype=np.int64)
    if how == "uniform":
        return rng.integers(0, days, size=n)
    if how == "early":  # an established base: acquisition slows down
        return np.floor(days * rng.beta(1.0, 2.0, size=n)).astype(np.int64)
    if how == "recent":  # a growing shop: most customers are new
        return np.floor(days * rng.beta(2.0, 1.0, size=n)).astype(np.int64)
    if how == "first_half":
        return rng.integers(0, max(1, days // 2), size=n)
    raise ValueError(f"unknown births {how!r}")


def _simulate(rng, spec: dict) -> tuple[pd.DataFrame, dict]:
    """The feature table of ``spec`` (days), and the per-day arrays needed by the kinds' checks."""
    n, days, holdout = spec["customers"], spec["days"], spec["holdout_days"]
    end = days + holdout  # days 0 .. end - 1 are simulated
    births = _births(rng, spec["births"], n, days)
    first = births + rng.random(n)  # the first purchase, within its day
    window = end - first
    customer = [np.zeros(0, dtype=np.int64)]
    time = [np.zeros(0)]
    segment_of = np.zeros(n, dtype=np.int64)
    shares = np.asarray([share for share, _ in spec["segments"]], dtype="float64")
    if len(shares) > 1:
        segment_of = rng.choice(len(shares), size=n, p=shares / shares.sum())
    for k, (_, process) in enumerate(spec["segments"]):
        members = np.flatnonzero(segment_of == k)
        if members.size:
            c, t = _events(rng, process, first[members], window[members])
            customer.append(members[c])
            time.append(t)
    customer, time = np.concatenate(customer), np.concatenate(time)
    day = np.floor(first[customer] + time).astype(np.int64)
    keep = (day > births[customer]) & (day < end)  # the first day's extra purchases are part of it
    key = np.sort(customer[keep] * end + day[keep])
    key = key[np.concatenate((key[:1] == key[:1], key[1:] != key[:-1]))]  # distinct days, by customer then day
    customer, day = key // end, key % end
    value = _spend(rng, spec["spend"], customer, n)
    calibration = day < days
    if spec.get("outliers"):  # a few orders ~1000x the others, in the calibration period
        where = np.flatnonzero(calibration)
        if where.size:
            picked = rng.choice(where, size=min(spec["outliers"], where.size), replace=False)
            value[picked] = np.round(value[picked] * rng.uniform(800.0, 1200.0, size=picked.size), 2)
    if spec.get("returns"):  # refunds: some days net to little, nothing or less
        refunded = rng.random(value.size) < spec["returns"]
        value[refunded] = np.round(value[refunded] * (1.0 - rng.uniform(0.0, 1.5, size=int(refunded.sum()))), 2)
    x = np.bincount(customer[calibration], minlength=n)
    last = births.copy()
    np.maximum.at(last, customer[calibration], day[calibration])
    total = np.bincount(customer[calibration], weights=value[calibration], minlength=n)
    monetary = np.divide(total, x, out=np.zeros(n), where=x > 0)
    holdout_x = np.bincount(customer[~calibration], minlength=n)
    holdout_spend = np.bincount(customer[~calibration], weights=value[~calibration], minlength=n)
    unit = DAYS_PER_UNIT[spec["time_unit"]]
    as_of = days - 1
    frame = pd.DataFrame({
        "frequency_btyd": x.astype(np.int64),
        "recency_btyd": (last - births) / unit,
        "T": (as_of - births) / unit,
        "monetary_btyd": np.round(monetary, 6).astype("float64"),
        "holdout_purchases": holdout_x.astype(np.int64),
        "holdout_spend": np.round(holdout_spend, 2).astype("float64"),
        "holdout_duration": np.full(n, holdout / unit, dtype="float64"),
    }, index=pd.RangeIndex(n, name="customer_id"))
    return frame, {"births": births}


def _in_unit(process: dict, unit: str) -> dict:
    """A process's parameters with the time scales (``alpha``, ``beta``) in ``unit`` instead of days."""
    out = dict(process)
    for name in ("alpha", "beta"):
        if name in out:
            out[name] = out[name] / DAYS_PER_UNIT[unit]
    if "periods" in out:
        out["periods"] = [p / DAYS_PER_UNIT[unit] for p in out["periods"]]
    return out


def _truth(spec: dict, attempt: int) -> dict:
    unit = spec["time_unit"]
    truth = {"days": spec["days"], "holdout_days": spec["holdout_days"], "customers": spec["customers"],
             "births": spec["births"], "attempt": attempt, "spend": dict(spec["spend"])}
    segments = [(share, _in_unit(process, unit)) for share, process in spec["segments"]]
    if len(segments) == 1:
        truth.update(segments[0][1])
    else:
        truth["process"] = "mixture"
        truth["segments"] = [{"share": share, **process} for share, process in segments]
    for extra in ("outliers", "returns"):
        if spec.get(extra):
            truth[extra] = spec[extra]
    return truth


# ---------------------------------------------------------------------------------------------
# the kinds: a specification per set, and what a draw must show


def _unit(i: int) -> str:
    return "D" if i % 2 == 0 else "W"


def _weeks(days: int, unit: str) -> int:
    """``days`` rounded up to whole weeks for weekly sets."""
    return int(-(-days // 7) * 7) if unit == "W" else int(days)


def _gg(rng) -> dict:
    """Gamma-Gamma spend: mean order about 15-150."""
    p = _loguniform(rng, 1.5, 12.0)
    q = _loguniform(rng, 2.5, 12.0)
    mean = _loguniform(rng, 15.0, 150.0)
    return {"spend": "gamma_gamma", "p": p, "q": q, "v": mean * (q - 1.0) / p}


def _any_spend(rng) -> dict:
    pick = rng.integers(0, 3)
    if pick == 0:
        return _gg(rng)
    if pick == 1:
        return {"spend": "lognormal", "median": _loguniform(rng, 10.0, 200.0), "between": rng.uniform(0.3, 1.0),
                "within": rng.uniform(0.2, 0.9)}
    return {"spend": "price_points", "prices": [4.99, 9.99, 19.99, 49.99, 99.0], "extra_items": rng.uniform(0.2, 2.0)}


def _spec(kind: str, i: int, rng) -> dict:
    """The specification of set ``i`` of ``kind`` (days)."""
    unit = _unit(i)
    spec = {"time_unit": unit, "births": "uniform", "spend": _any_spend(rng)}
    if kind == "short_period":  # 2 to 8 weeks of data (a new shop, a short export)
        days = 14 + 7 * (i % 7)
        spec.update(customers=_int_loguniform(rng, 300, 6000), days=days, holdout_days=_weeks(days, "W"),
                    births=str(rng.choice(["uniform", "recent"])),
                    segments=[(1.0, _random_btyd(rng, mean_gap=(5.0, 40.0), lifetime=(30.0, 400.0)))])
    elif kind == "retail_one_time":  # one year, 60-80 % never come back
        process = _random_btyd(rng, mean_gap=(20.0, 90.0), lifetime=(90.0, 700.0), drop=(0.1, 0.5))
        once = rng.uniform(0.35, 0.55)  # never come back, whatever the process
        spec.update(customers=_int_loguniform(rng, 1000, 12000), days=_weeks(365, unit),
                    holdout_days=_weeks(int(rng.choice([91, 182, 365])), unit), births="uniform",
                    segments=[(once, {"process": "one_time"}), (1.0 - once, process)],
                    returns=float(rng.choice([0.0, 0.02, 0.05])))
    elif kind == "heavy_buyers":  # a share of customers buying most days (x in the hundreds)
        heavy = {"process": "pareto_nbd", "r": _loguniform(rng, 2.0, 8.0), "s": 0.5}
        heavy["alpha"] = heavy["r"] * _loguniform(rng, 1.0, 2.5)
        heavy["beta"] = heavy["s"] * _loguniform(rng, 2000.0, 20000.0)
        share = float(rng.choice([0.03, 0.1, 0.3, 1.0]))
        segments = [(share, heavy)] + ([(1.0 - share, _random_btyd(rng))] if share < 1 else [])
        spec.update(customers=_int_loguniform(rng, 60, 3000), days=_weeks(int(rng.choice([365, 548, 730])), unit),
                    holdout_days=_weeks(182, unit), births=str(rng.choice(["early", "first_half"])),
                    segments=segments)
    elif kind == "cohort":  # every customer first bought on the same day: one T for all
        spec.update(customers=_int_loguniform(rng, 100, 20000),
                    days=_weeks(int(rng.choice([28, 91, 182, 365, 730])), unit), holdout_days=_weeks(182, unit),
                    births="cohort", segments=[(1.0, _random_btyd(rng))])
    elif kind == "constant_spend":  # one price for everyone, or one per customer
        if i % 4 < 2:
            value = float(rng.choice([9.99, 20.0, 25.0, 49.0, 120.0]))
            spend = {"spend": "constant_all", "value": value}
        else:
            spend = {"spend": "constant_each", "median": _loguniform(rng, 10.0, 200.0),
                     "between": rng.uniform(0.2, 1.0)}
        spec.update(customers=_int_loguniform(rng, 200, 10000), days=_weeks(int(rng.choice([182, 365, 730])), unit),
                    holdout_days=_weeks(182, unit), spend=spend, segments=[(1.0, _random_btyd(rng))])
    elif kind == "outlier_spend":  # a few orders 1000x the rest (a B2B bulk order, a typo)
        spec.update(customers=_int_loguniform(rng, 200, 10000), days=_weeks(int(rng.choice([182, 365, 730])), unit),
                    holdout_days=_weeks(182, unit), segments=[(1.0, _random_btyd(rng))],
                    outliers=int(rng.integers(1, 11)))
    elif kind == "tiny":  # 10 to 40 customers, at least 10 of them repeat
        spec.update(customers=10 + (7 * i) % 31, days=_weeks(int(rng.choice([182, 365, 730])), unit),
                    holdout_days=_weeks(182, unit), births="first_half",
                    segments=[(1.0, _random_btyd(rng, mean_gap=(5.0, 30.0), r=(1.0, 5.0), lifetime=(500.0, 3000.0),
                                                 drop=(0.02, 0.15)))])
    elif kind == "large":  # 20,000 to 50,000 customers
        spec.update(customers=20000 + 3000 * i, days=_weeks(int(rng.choice([365, 730])), unit),
                    holdout_days=_weeks(182, unit), births=str(rng.choice(["uniform", "early", "recent"])),
                    segments=[(1.0, _random_btyd(rng))])
    elif kind == "no_dropout":  # nobody ever leaves: NBD purchases only
        shape = _loguniform(rng, 0.2, 3.0)
        spec.update(customers=_int_loguniform(rng, 100, 10000),
                    days=_weeks(int(rng.choice([91, 182, 365, 730])), unit), holdout_days=_weeks(182, unit),
                    births=str(rng.choice(["uniform", "early", "cohort"])),
                    segments=[(1.0, {"process": "nbd", "r": shape, "alpha": shape * _loguniform(rng, 7.0, 120.0)})])
    elif kind == "heavy_dropout":  # most customers are gone soon after they came
        process = _random_btyd(rng, mean_gap=(7.0, 60.0), lifetime=(10.0, 60.0), drop=(0.5, 0.9))
        spec.update(customers=_int_loguniform(rng, 500, 10000), days=_weeks(int(rng.choice([365, 730])), unit),
                    holdout_days=_weeks(182, unit), segments=[(1.0, process)])
    elif kind == "two_years":  # ages up to 730 days (or 104 weeks)
        spec.update(customers=_int_loguniform(rng, 500, 10000), days=_weeks(730, unit),
                    holdout_days=_weeks(365, unit), births=str(rng.choice(["uniform", "early", "recent"])),
                    segments=[(1.0, _random_btyd(rng, mean_gap=(7.0, 200.0)))])
    elif kind == "periodic":  # regular buyers (subscriptions, weekly shop): not a Poisson process
        process = {"process": "periodic", "periods": [7.0, 14.0, 30.0, 91.0], "jitter": rng.uniform(0.02, 0.2),
                   "one_time_share": rng.uniform(0.1, 0.6)}
        if i % 3:
            process.update(s=1.0, beta=_loguniform(rng, 100.0, 1500.0))
        spec.update(customers=_int_loguniform(rng, 200, 10000), days=_weeks(int(rng.choice([91, 365, 730])), unit),
                    holdout_days=_weeks(182, unit), segments=[(1.0, process)])
    elif kind == "seasonal":  # bursts around Christmas and a summer sale
        shape = _loguniform(rng, 0.2, 2.0)
        peaks = [(350.0, rng.uniform(5.0, 15.0), rng.uniform(3.0, 15.0))]
        if i % 2:
            peaks.append((190.0, rng.uniform(3.0, 10.0), rng.uniform(2.0, 8.0)))
        s = _loguniform(rng, 0.3, 2.0)
        process = {"process": "seasonal", "r": shape, "alpha": shape * _loguniform(rng, 30.0, 200.0), "s": s,
                   "beta": s * _loguniform(rng, 100.0, 1500.0), "peaks": peaks}
        spec.update(customers=_int_loguniform(rng, 300, 10000), days=_weeks(int(rng.choice([365, 730])), unit),
                    holdout_days=_weeks(91, unit), births=str(rng.choice(["uniform", "recent"])),
                    segments=[(1.0, process)])
    elif kind == "undefined":  # nobody bought twice (yet): only these may be refused
        customers, days = [(300, 14), (40, 28), (5000, 7), (3, 91), (20000, 21)][i % 5]
        spec.update(customers=customers, days=_weeks(days, unit), holdout_days=_weeks(28, unit),
                    segments=[(1.0, _random_btyd(rng, mean_gap=(60.0, 300.0)))])
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return spec


def _accepts(kind: str, spec: dict, frame: pd.DataFrame) -> bool:
    """Whether a draw shows what its kind is for."""
    x = frame["frequency_btyd"].to_numpy()
    if kind == "undefined":
        return len(frame) > 0 and not (x > 0).any()
    spenders = int(((x > 0) & (frame["monetary_btyd"].to_numpy() > 0)).sum())
    if spenders < MIN_REPEAT_SPENDERS:
        return False
    if kind == "retail_one_time":
        return 0.60 <= float(np.mean(x == 0)) <= 0.80
    if kind == "heavy_buyers":
        return int((x >= 100).sum()) >= min(5, len(x) // 10 + 1)
    if kind == "heavy_dropout":  # most repeat customers silent for the last half of their age
        repeat = x > 0
        silent = frame["T"].to_numpy() - frame["recency_btyd"].to_numpy() > frame["T"].to_numpy() / 2
        return float(np.mean(silent[repeat])) >= 0.5
    return True


def _build(kind: str, i: int) -> StressSet:
    """Set ``i`` of ``kind``: drawn from its seed, redrawn with the next attempt until it fits its kind."""
    number, _ = KINDS[kind]
    seed = 1000 * number + i
    for attempt in range(MAX_ATTEMPTS):
        rng = np.random.default_rng([seed, attempt])
        spec = _spec(kind, i, rng)
        frame, _ = _simulate(rng, spec)
        if kind == "undefined":
            frame = frame[frame["frequency_btyd"] == 0].copy()
            frame.index = pd.RangeIndex(len(frame), name="customer_id")
        if _accepts(kind, spec, frame):
            frame.attrs["time_unit"] = spec["time_unit"]
            truth = _truth(spec, attempt)
            truth["customers"] = len(frame)
            return StressSet(f"{kind}-{i:02d}", kind, seed, spec["time_unit"], frame, truth)
    raise RuntimeError(f"stress set {kind}-{i:02d}: no draw fits its kind in {MAX_ATTEMPTS} attempts")


# ---------------------------------------------------------------------------------------------
# public


def stress_sets(kinds=None) -> list[StressSet]:
    """Every set of the stress suite, generated afresh (a few seconds for all of them).

    Parameters
    ----------
    kinds : iterable of str, optional
        Only the sets of these kinds (keys of :data:`KINDS`); default all.

    Returns
    -------
    list of StressSet
        Ordered round-robin over the kinds (set 0 of every kind, then set 1 ...), so the first
        few dozen sets already cover every kind.

    Examples
    --------
    >>> [s.name for s in stress_sets(kinds=("undefined", "tiny"))][:4]
    ['tiny-00', 'undefined-00', 'tiny-01', 'undefined-01']
    """
    chosen = list(KINDS) if kinds is None else [k for k in KINDS if k in set(kinds)]
    unknown = set(kinds or ()) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; expected some of {list(KINDS)}")
    longest = max(KINDS[k][1] for k in chosen) if chosen else 0
    return [_build(kind, i) for i in range(longest) for kind in chosen if i < KINDS[kind][1]]


def summary(sets=None) -> dict:
    """Number of sets per kind.

    Parameters
    ----------
    sets : list of StressSet, optional
        Default: :func:`stress_sets`.

    Returns
    -------
    dict
        ``{kind: count}`` in the order of :data:`KINDS`.

    Examples
    --------
    >>> summary(stress_sets(kinds=("undefined",)))
    {'undefined': 5}
    """
    counts = Counter(s.kind for s in (stress_sets() if sets is None else sets))
    return {kind: counts[kind] for kind in KINDS if counts[kind]}


def fingerprint(sets=None) -> str:
    """SHA-256 of every set's name and integer columns (x, holdout purchases, T in days).

    Floating-point columns are left out so the fingerprint does not hang on the last digit of
    a logarithm; a change to the generator changes the counts.

    Parameters
    ----------
    sets : list of StressSet, optional
        Default: :func:`stress_sets`.

    Returns
    -------
    str
        Hex digest.
    """
    digest = hashlib.sha256()
    for s in (stress_sets() if sets is None else sets):
        f = s.features
        days = np.round(f["T"].to_numpy() * DAYS_PER_UNIT[s.time_unit]).astype(np.int64)
        digest.update(s.name.encode())
        for column in (f["frequency_btyd"].to_numpy(np.int64), f["holdout_purchases"].to_numpy(np.int64), days):
            digest.update(np.ascontiguousarray(column, dtype="<i8").tobytes())
    return digest.hexdigest()
