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


#: Tier columns a graded table is summarised by, in report order (``cluster_name`` for k-means).
SUMMARY_SCHEMES = ("rfm_class", "rfm_segment", "abc_tier", "lifecycle_stage", "clv_cs_class", "value_potential",
                   "cluster_name")


def tier_strategy_summary(table: pd.DataFrame, column: str, lang: str = "en") -> pd.DataFrame:
    """One row per tier of ``column``: size, revenue, mean R/F/M, label and strategy.

    The table a person acts on: each tier best first, with ``customers``, ``customer_share``,
    ``revenue``, ``revenue_share`` (as :func:`tier_summary`), ``mean_recency``,
    ``mean_frequency``, ``mean_monetary``, and the tier's ``tier_label`` and ``strategy`` in
    ``lang``.

    Parameters
    ----------
    table : pandas.DataFrame
        A graded table with ``column`` (tier keys) and ``recency``, ``frequency``, ``monetary``.
    column : str
        A tier column of :data:`SUMMARY_SCHEMES`.
    lang : {"en", "zh"}, default="en"

    Returns
    -------
    pandas.DataFrame
        Columns ``tier`` (the key), ``tier_label``, the numbers above and ``strategy``; tiers
        without customers are left out.

    Examples
    --------
    >>> t = pd.DataFrame({"abc_tier": ["high_end", "small", "small"], "recency": [1.0, 9.0, 7.0],
    ...                   "frequency": [9, 1, 3], "monetary": [90.0, 4.0, 6.0]})
    >>> s = tier_strategy_summary(t, "abc_tier", "zh")
    >>> s[["tier", "tier_label", "customers", "mean_frequency"]].values.tolist()
    [['high_end', '高端客户', 1, 9.0], ['small', '小客户', 2, 2.0]]
    """
    from tierkit.tiers.schemes import table_schemes, tier_order

    order = tier_order(column, _abc_scheme(table)) if column != "cluster_name" else _cluster_order(table)
    out = tier_summary(table, column, order=order)
    out = out.loc[out["customers"] > 0]
    means = table.groupby(column, observed=True, dropna=True)[["recency", "frequency", "monetary"]].mean()
    for name in ("recency", "frequency", "monetary"):
        out[f"mean_{name}"] = means[name].reindex(out.index).astype("float64")
    keys = pd.Series(out.index, index=out.index)
    if column == "cluster_name":
        from tierkit.clusters.naming import cluster_label, cluster_strategy

        out["tier_label"] = keys.map(lambda k: cluster_label(k, lang))
        out["strategy"] = keys.map(lambda k: cluster_strategy(k, lang))
    else:
        from tierkit.words import labels_for

        tiers = table_schemes(table)[column]
        out["tier_label"] = labels_for(keys, tiers, lang)
        out["strategy"] = labels_for(keys, tiers, lang, what="strategy")
    out = out.rename_axis("tier").reset_index()
    return out[["tier", "tier_label", "customers", "customer_share", "revenue", "revenue_share", "mean_recency",
                "mean_frequency", "mean_monetary", "strategy"]]


def _abc_scheme(table: pd.DataFrame) -> str:
    from tierkit.tiers.schemes import abc_scheme_of

    return abc_scheme_of(pd.unique(table["abc_tier"])) if "abc_tier" in table.columns else "course"


def _cluster_order(table: pd.DataFrame) -> list | None:
    """Cluster names in the order of their numbers (0 = most valuable), when ``cluster`` is there."""
    if "cluster" not in table.columns:
        return None
    pairs = table[["cluster", "cluster_name"]].dropna().drop_duplicates().sort_values("cluster")
    return pairs["cluster_name"].tolist()


def summary_sheets(frame: pd.DataFrame, lang: str) -> dict:
    """Sheet name -> tier summary, one per scheme column of ``frame`` (empty when not graded).

    The summary-and-strategy sheets of a graded table's workbook: :func:`tierkit.grading.grade_file`
    and ``tierkit segment`` give them to :func:`tierkit.output.write_table` (``sheets=``).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, columns named by key.
    lang : {"en", "zh"}
        Language of the tier labels, strategies and sheet names.

    Returns
    -------
    dict
        ``{"abc_tier": summary, ...}`` (English) or ``{"ABC等级": summary, ...}`` (Chinese).

    Examples
    --------
    >>> table = pd.DataFrame({"recency": [1, 90], "frequency": [5, 1], "monetary": [500.0, 20.0],
    ...                       "abc_tier": ["A", "C"]})
    >>> list(summary_sheets(table, "en")), list(summary_sheets(table, "zh"))
    (['abc_tier'], ['ABC等级'])
    >>> summary_sheets(table.drop(columns="monetary"), "en")
    {}
    """
    from tierkit.words import HEADERS

    if not {"recency", "frequency", "monetary"} <= set(frame.columns):
        return {}
    sheets = {}
    for column in SUMMARY_SCHEMES:
        if column in frame.columns and frame[column].notna().any():
            name = HEADERS[f"{column}_label"][1] if lang == "zh" else column
            sheets[name] = tier_strategy_summary(frame, column, lang)
    return sheets
