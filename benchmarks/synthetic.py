"""Synthetic transaction data for the benchmarks: seeded, daily-grained, realistic skew.

``transactions(n_customers, n_transactions, seed)`` draws customers with a heavy-tailed
purchase rate (most buy once or twice, a few often), first purchases spread over a year,
and log-normal amounts with 2 % returns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

START = np.datetime64("2023-01-01")
AS_OF = "2024-12-31"


def transactions(n_customers: int = 1_000_000, n_transactions: int = 10_000_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    weight = rng.gamma(shape=0.5, scale=1.0, size=n_customers)
    customer = rng.choice(n_customers, size=n_transactions, p=weight / weight.sum())
    customer[:n_customers] = np.arange(n_customers)  # everyone buys at least once
    first_day = rng.integers(0, 365, size=n_customers)
    offset = rng.integers(0, 730 - first_day[customer])
    offset[:n_customers] = 0
    day = START + (first_day[customer] + offset).astype("timedelta64[D]")
    amount = np.round(rng.lognormal(3.0, 0.8, size=n_transactions), 2)
    amount[rng.random(n_transactions) < 0.02] *= -1
    return pd.DataFrame({
        "customer_id": pd.array(np.char.add("C", np.char.zfill(customer.astype(str), 7)), dtype="str"),
        "date": day.astype("datetime64[us]"),
        "amount": amount,
    })
