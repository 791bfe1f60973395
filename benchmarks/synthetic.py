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


def transaction_chunks(n_customers: int, n_transactions: int, chunk_rows: int = 10_000_000, seed: int = 0):
    """Yield the transactions of ``transactions()``'s model as pyarrow tables of at most ``chunk_rows``.

    For data too large to hold at once (100M rows): only the per-customer arrays (rate and first
    day, 16 bytes a customer) and one chunk are in memory. Chunk ``k`` is drawn from its own
    seeded generator, so the output is reproducible for a given ``chunk_rows``; it is not the same sample as
    ``transactions()`` with the same arguments. Rows ``0 .. n_customers - 1`` are each customer's
    first purchase, as there. Columns: ``customer_id`` (string ``C0000001``), ``date`` (DATE),
    ``amount`` (double).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    weight = rng.gamma(shape=0.5, scale=1.0, size=n_customers)
    cdf = np.cumsum(weight)
    cdf /= cdf[-1]
    del weight
    first_day = rng.integers(0, 365, size=n_customers).astype(np.int32)
    start_day = int(START.astype("datetime64[D]").astype(np.int64))
    width = max(7, len(str(n_customers - 1)))
    for k, lo in enumerate(range(0, n_transactions, chunk_rows)):
        hi = min(lo + chunk_rows, n_transactions)
        crng = np.random.default_rng([seed, k + 1])
        customer = np.searchsorted(cdf, crng.random(hi - lo), side="right").clip(max=n_customers - 1)
        firsts = np.arange(lo, min(hi, n_customers))  # everyone buys at least once
        customer[: len(firsts)] = firsts
        day = first_day[customer]
        offset = crng.integers(0, 730 - day)
        offset[: len(firsts)] = 0
        day += offset.astype(np.int32)
        day += start_day
        del offset
        amount = np.round(crng.lognormal(3.0, 0.8, size=hi - lo), 2)
        amount[crng.random(hi - lo) < 0.02] *= -1
        ids = pc.utf8_lpad(pc.cast(pa.array(customer), pa.string()), width, "0")
        del customer
        yield pa.table({
            "customer_id": pc.binary_join_element_wise("C", ids, ""),
            "date": pa.array(day, pa.int32()).cast(pa.date32()),
            "amount": pa.array(amount),
        })
