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


def p_alive_summary(table: pd.DataFrame) -> dict:
    """Mean ``p_alive`` of repeat and one-time buyers apart, with their counts.

    One mean over everyone hides what BG/NBD does to one-time buyers (``p_alive`` 1 each,
    however long ago they bought); the two groups are reported apart.

    Parameters
    ----------
    table : pandas.DataFrame
        Graded customers with ``p_alive`` and ``frequency_btyd`` (repeat purchases).

    Returns
    -------
    dict
        ``{"repeat": (customers, mean p_alive), "one_time": (customers, mean p_alive)}``; the
        mean is nan for a group without customers.

    Examples
    --------
    >>> t = pd.DataFrame({"p_alive": [0.9, 0.5, 0.2, 0.4], "frequency_btyd": [3, 1, 0, 0]})
    >>> p_alive_summary(t)
    {'repeat': (2, 0.7), 'one_time': (2, 0.30000000000000004)}
    """
    repeat = table["frequency_btyd"].to_numpy(dtype="float64") > 0
    alive = table["p_alive"].to_numpy(dtype="float64")
    return {group: (int(mask.sum()), float(alive[mask].mean()) if mask.any() else float("nan"))
            for group, mask in (("repeat", repeat), ("one_time", ~repeat))}


def p_alive_text(table: pd.DataFrame) -> str:
    """``p_alive_summary`` as the demo prints it.

    Examples
    --------
    >>> p_alive_text(pd.DataFrame({"p_alive": [0.9, 0.5, 0.2, 0.4], "frequency_btyd": [3, 1, 0, 0]}))
    'mean p_alive 0.700 of 2 repeat buyers, 0.300 of 2 one-time buyers'
    """
    groups = p_alive_summary(table)
    return (f"mean p_alive {groups['repeat'][1]:.3f} of {groups['repeat'][0]:,} repeat buyers, "
            f"{groups['one_time'][1]:.3f} of {groups['one_time'][0]:,} one-time buyers")
