"""Tier summaries: customers and revenue per tier, the numbers every scheme is reported with."""

from __future__ import annotations

import pandas as pd


def tier_summary(table: pd.DataFrame, column: str, value: str = "monetary", order=None) -> pd.DataFrame:
    """Customers, customer share, revenue and revenue share per tier of ``column``.

    Parameters
    ----------
    table : pandas.DataFrame
        A scored table (one row per customer).
    column : str
        The tier column (``rfm_class``, ``abc_tier`` ...).
    value : str, default="monetary"
        The revenue column.
    order : sequence of str, optional
        Tier keys in display order; tiers without customers show zeros.

    Returns
    -------
    pandas.DataFrame
        Indexed by tier: ``customers``, ``customer_share``, ``revenue``, ``revenue_share``.

    Examples
    --------
    >>> t = pd.DataFrame({"tier": ["a", "a", "b"], "monetary": [30.0, 10.0, 60.0]})
    >>> tier_summary(t, "tier").to_dict("index")["a"]
    {'customers': 2, 'customer_share': 0.6666666666666666, 'revenue': 40.0, 'revenue_share': 0.4}
    """
    grouped = table.groupby(column, observed=True, dropna=True)[value]
    out = pd.DataFrame({"customers": grouped.size(), "revenue": grouped.sum()})
    if order is not None:
        out = out.reindex([k for k in order] + [k for k in out.index if k not in set(order)], fill_value=0)
    out["customers"] = out["customers"].astype("int64")
    out["customer_share"] = out["customers"] / max(int(out["customers"].sum()), 1)
    total = out["revenue"].sum()
    out["revenue_share"] = out["revenue"] / total if total else 0.0
    out.index.name = column
    return out[["customers", "customer_share", "revenue", "revenue_share"]]
