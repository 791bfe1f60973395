"""Tier migration between two scored snapshots, and the gap to the next tier.

Tiers are re-computed every period; management wants to know who moved up, who moved down,
and what it takes a customer to reach the next tier. For two snapshots (one row per customer,
a ``customer_id`` index or column and a tier column), :func:`transition_matrix` counts the
moves old tier -> new tier, and :func:`tier_moves` lists them per customer with a direction
from the scheme's tier order (best first):

===================  ==========================================================================
column               order, best first
===================  ==========================================================================
``rfm_class``        important_value, important_develop, important_retain, important_winback,
                     general_value, general_develop, general_retain, general_winback
``rfm_segment``      champions, loyal, potential_loyalist, new, promising, need_attention,
                     about_to_sleep, at_risk, cant_lose, hibernating, lost
``abc_tier``         high_end, important, ordinary, small (or A, B, C; platinum ... lead)
``lifecycle_stage``  loyal, repeat, new, at_risk, churned, potential
``clv_cs_class``     core, at_risk_key, growth, fragile, advocate, marginal, unrated
``value_potential``  star, harvest, develop, low_priority
===================  ==========================================================================

A column without an order (``cluster_name``) still gets its transition matrix; its moves are
``changed`` or ``same``. Customers only in the new snapshot are ``entered``, only in the old
one ``left``.

:func:`next_tier_gaps` says, where a tier is a spending threshold, how much more a customer
must contribute to reach the next tier up: ABC tiers (thresholds of
:class:`tierkit.tiers.abc_tiers.ABCClassifier`) and the RFM classes (a low-monetary class reaches its
"important" counterpart at the mean monetary value of :class:`tierkit.tiers.rfm_classes.RFMClassifier`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.data.tables import read_table
from tierkit.errors import DataError, Message, Param, TierkitError
from tierkit.tiers import schemes
from tierkit.tiers.abc_tiers import ABC_TIERS, tier_thresholds
from tierkit.tiers.rfm_classes import RFM_CLASSES
from tierkit.tiers.schemes import abc_scheme_of
from tierkit.words import check_lang, term

ENTERED = "(entered)"
LEFT = "(left)"

def tier_order(scheme: str, keys=()) -> list[str] | None:
    """The tier keys of ``scheme`` from best to worst, or ``None`` for an unordered scheme.

    For ``abc_tier`` the key set in ``keys`` picks the ABC scheme (course, abc or pyramid).

    Examples
    --------
    >>> tier_order("abc_tier", ["A", "C"])
    ['A', 'B', 'C']
    >>> tier_order("cluster_name") is None
    True
    """
    abc_scheme = abc_scheme_of(keys) if scheme == "abc_tier" else "course"
    return schemes.tier_order(scheme, abc_scheme)


def _tiers(snapshot: pd.DataFrame, scheme: str, name: str) -> pd.Series:
    if not isinstance(snapshot, pd.DataFrame):
        raise TierkitError("expected_frame", path=name, got=type(snapshot).__name__)
    frame = snapshot
    if "customer_id" in frame.columns:
        frame = frame.set_index("customer_id")
    if scheme not in frame.columns:
        raise DataError("no_column", path=name, column=repr(scheme), present=", ".join(map(str, frame.columns)))
    tiers = frame[scheme].copy()
    tiers.index = tiers.index.astype("str")
    tiers.index.name = "customer_id"
    if tiers.index.has_duplicates:
        dup = tiers.index[tiers.index.duplicated()][0]
        raise DataError("snapshot_duplicate", path=name, customer=repr(dup))
    blank_tiers(tiers, scheme, name)
    return tiers.astype(object)


def blank_tiers(tiers: pd.Series, scheme: str, name: str, first_row: int | None = None) -> None:
    """Refuse a snapshot where a customer's tier is blank: it would count as entered or left.

    ``first_row`` is the file row of the first customer (2 under a header line): the message
    then names the rows as well as the customers.

    Examples
    --------
    >>> blank_tiers(pd.Series(["A", None, " "], index=["x", "y", "z"]), "abc_tier", "old.csv", first_row=2)
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: old.csv: column 'abc_tier' is blank on rows 3, 4 (customers 'y', 'z'); every \
customer of a snapshot needs a tier (a blank is neither an entrant nor a leaver)
    """
    blank = tiers.isna().to_numpy() | tiers.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    if not blank.any():
        return
    positions = np.flatnonzero(blank)
    ids = ", ".join(repr(str(c)) for c in tiers.index[positions[:5]])
    more = Message("in_all", n=len(positions)) if len(positions) > 5 else ""
    several = len(positions) > 1
    where = ""
    if first_row is not None:
        where = Message("on_rows" if several else "on_row", rows=", ".join(str(p + first_row) for p in positions[:5]),
                        more=more)
        more = ""
    raise DataError("blank_tiers", path=name, column=repr(scheme), where_=where,
                    customers=Message("customers_ids" if several else "one_customer", ids=ids, more=more))


def _check_order(order, keys, scheme):
    if order is None:
        return None
    order = list(order)
    unknown = sorted({k for k in keys if k is not None and k not in order}, key=str)
    if unknown:
        raise DataError("unknown_tiers", param=Param(scheme), unknown=str(unknown), order=str(order))
    return order


def tier_moves(old: pd.DataFrame, new: pd.DataFrame, scheme: str, order=None) -> pd.DataFrame:
    """Per customer: old tier, new tier, direction and the number of tiers moved.

    Parameters
    ----------
    old, new : pandas.DataFrame
        Scored snapshots: customer id as index or ``customer_id`` column, and ``scheme``.
    scheme : str
        The tier column (``abc_tier``, ``rfm_class`` ...).
    order : sequence of str, optional
        Tier keys best first; default :func:`tier_order`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (sorted): ``old_tier``, ``new_tier``, ``direction`` (``up``,
        ``down``, ``same``, ``changed`` for unordered schemes, ``entered``, ``left``) and
        ``steps`` (tiers moved, positive up; missing when not ordered or not in both).

    Examples
    --------
    >>> old = pd.DataFrame({"abc_tier": ["A", "B", "C"]}, index=["x", "y", "z"])
    >>> new = pd.DataFrame({"abc_tier": ["B", "A", "C"]}, index=["x", "y", "w"])
    >>> tier_moves(old, new, "abc_tier")[["direction", "steps"]].to_dict("index")
    {'w': {'direction': 'entered', 'steps': nan}, 'x': {'direction': 'down', 'steps': -1.0}, \
'y': {'direction': 'up', 'steps': 1.0}, 'z': {'direction': 'left', 'steps': nan}}
    """
    before = _tiers(old, scheme, "old snapshot")
    after = _tiers(new, scheme, "new snapshot")
    keys = set(before.dropna()) | set(after.dropna())
    order = _check_order(order if order is not None else tier_order(scheme, keys), keys, scheme)
    ids = before.index.union(after.index).sort_values()
    out = pd.DataFrame({"old_tier": before.reindex(ids), "new_tier": after.reindex(ids)}, index=ids)
    in_old = ids.isin(before.index)
    in_new = ids.isin(after.index)
    steps = np.full(len(ids), np.nan)
    if order is not None:
        rank = {k: i for i, k in enumerate(order)}
        r_old = out["old_tier"].map(rank).to_numpy(dtype="float64")
        r_new = out["new_tier"].map(rank).to_numpy(dtype="float64")
        steps = r_old - r_new
        direction = np.select([steps > 0, steps < 0, steps == 0], ["up", "down", "same"], "")
    else:
        same = (out["old_tier"] == out["new_tier"]).to_numpy()
        direction = np.where(same, "same", "changed")
    direction = np.where(~in_old, "entered", np.where(~in_new, "left", direction)).astype(object)
    out["direction"] = direction
    out["steps"] = steps
    out.index.name = "customer_id"
    return out


def transition_matrix(old: pd.DataFrame, new: pd.DataFrame, scheme: str, order=None, normalize=False) -> pd.DataFrame:
    """The customers moving from each old tier (rows) to each new tier (columns).

    Rows and columns follow the tier order; a ``(entered)`` row counts customers only in the
    new snapshot, a ``(left)`` column those only in the old one.

    Parameters
    ----------
    old, new : pandas.DataFrame
        Scored snapshots, as for :func:`tier_moves`.
    scheme : str
        The tier column (``abc_tier``, ``rfm_class`` ...).
    order : sequence of str, optional
        Tier keys best first; default :func:`tier_order`.
    normalize : bool, default=False
        Percent of each row (where old-tier customers went) instead of counts.

    Returns
    -------
    pandas.DataFrame
        Old tiers (and ``(entered)``) as rows, new tiers (and ``(left)``) as columns.

    Examples
    --------
    >>> old = pd.DataFrame({"abc_tier": ["A", "B", "B", "C"]}, index=list("wxyz"))
    >>> new = pd.DataFrame({"abc_tier": ["A", "A", "B"]}, index=list("wxy"))
    >>> transition_matrix(old, new, "abc_tier").loc["B"].to_dict()
    {'A': 1, 'B': 1, 'C': 0, '(left)': 0}
    >>> transition_matrix(old, new, "abc_tier", normalize=True).loc["B", "A"]
    np.float64(50.0)
    """
    moves = tier_moves(old, new, scheme, order=order)
    keys = [k for k in pd.unique(pd.concat([moves["old_tier"], moves["new_tier"]]).dropna())]
    order = order if order is not None else tier_order(scheme, keys)
    tiers = list(order) if order is not None else sorted(keys, key=str)
    rows = moves["old_tier"].where(moves["old_tier"].notna(), ENTERED)
    cols = moves["new_tier"].where(moves["new_tier"].notna(), LEFT)
    counts = pd.crosstab(rows, cols).reindex(index=tiers + [ENTERED], columns=tiers + [LEFT], fill_value=0)
    counts = counts.astype("int64")
    counts.index.name = f"old {scheme}"
    counts.columns.name = f"new {scheme}"
    if not normalize:
        return counts
    totals = counts.sum(axis=1).replace(0, np.nan)
    return 100.0 * counts.div(totals, axis=0).fillna(0.0)


def abc_thresholds_from_snapshot(snapshot: pd.DataFrame, contribution=None, tier_column="abc_tier") -> dict:
    """ABC thresholds read back from a snapshot scored on its own base.

    The smallest non-negative contribution in each tier and above, exactly what
    :class:`tierkit.tiers.abc_tiers.ABCClassifier` learns when fitted on the same table; the last tier is
    ``-inf``. ``contribution`` defaults to ``profit`` when present, else ``monetary``.

    Examples
    --------
    >>> s = pd.DataFrame({"monetary": [900.0, 300, 120, 50], "abc_tier": ["A", "B", "B", "C"]})
    >>> abc_thresholds_from_snapshot(s)
    {'A': 900.0, 'B': 120.0, 'C': -inf}
    """
    column = contribution or ("profit" if "profit" in snapshot.columns else "monetary")
    for c in (column, tier_column):
        if c not in snapshot.columns:
            raise DataError("no_threshold_column", param=Param("snapshot"), column=repr(c))
    order = tier_order("abc_tier", snapshot[tier_column].dropna())
    value = pd.to_numeric(snapshot[column], errors="coerce").to_numpy(dtype="float64")
    rank = snapshot[tier_column].map({k: i for i, k in enumerate(order)}).to_numpy(dtype="float64")
    return tier_thresholds(value, rank, order)


def next_tier_gaps(table: pd.DataFrame, scheme: str = "abc_tier", thresholds=None, value=None,
                   lang: str = "en") -> pd.DataFrame:
    """How much more each customer must contribute to reach the next tier up.

    Parameters
    ----------
    table : pandas.DataFrame
        A scored table (one row per customer) with the tier column and the value column.
    scheme : {"abc_tier", "rfm_class"}, default="abc_tier"
        ``abc_tier``: the next tier up in the ABC order, at its threshold. ``rfm_class``: a
        general (low-monetary) class reaches its important counterpart (same R and F) at
        the monetary threshold.
    thresholds : dict, optional
        ``abc_tier``: ``ABCClassifier.thresholds_``; default read back from the table
        (:func:`abc_thresholds_from_snapshot`). ``rfm_class``: ``RFMClassifier.thresholds_``
        (only ``"monetary"`` is used); default the table's mean monetary value.
    value : str, optional
        Value column; default ``profit`` when present, else ``monetary`` (``monetary`` for
        ``rfm_class``).
    lang : {"en", "zh"}, default="en"
        Language of ``message`` (tier names come from :mod:`tierkit.words`).

    Returns
    -------
    pandas.DataFrame
        Same index: ``tier``, ``next_tier``, ``value``, ``threshold``, ``gap`` and
        ``message``; missing for customers already at the top, or with no threshold tier
        above them.

    Examples
    --------
    >>> t = pd.DataFrame({"monetary": [900.0, 300, 120, 50], "abc_tier": ["A", "B", "B", "C"]},
    ...                  index=["w", "x", "y", "z"])
    >>> next_tier_gaps(t).loc[["x", "z"], ["next_tier", "gap", "message"]].to_dict("index")
    {'x': {'next_tier': 'A', 'gap': 600.0, 'message': 'spend 600.00 more to reach A'}, \
'z': {'next_tier': 'B', 'gap': 70.0, 'message': 'spend 70.00 more to reach B'}}
    """
    check_lang(lang)
    if scheme not in table.columns:
        raise DataError("no_column_in_table", where="next_tier_gaps", column=repr(scheme))
    tiers = table[scheme]
    if scheme == "abc_tier":
        column = value or ("profit" if "profit" in table.columns else "monetary")
        order = tier_order("abc_tier", tiers.dropna())
        th = dict(thresholds) if thresholds is not None else abc_thresholds_from_snapshot(table, column)
        missing = [k for k in order if k not in th]
        if missing:
            raise TierkitError("missing_thresholds", param=Param("thresholds"), missing=str(missing), order=str(order))
        position = {k: i for i, k in enumerate(order)}
        # The next tier up with a finite threshold (a tier nobody reached at fit has +inf).
        nxt = {}
        for key in order:
            above = [k for k in order[:position[key]][::-1] if np.isfinite(th[k])]
            nxt[key] = above[0] if above else None
        next_tier = tiers.map(nxt)
        threshold = next_tier.map(lambda k: th[k] if k is not None and pd.notna(k) else np.nan)
        names = {t.key: t for tiers_ in ABC_TIERS.values() for t in tiers_}
    elif scheme == "rfm_class":
        column = value or "monetary"
        m = float(thresholds["monetary"]) if thresholds is not None else None
        if column not in table.columns:
            raise DataError("no_column_in_table", where="next_tier_gaps", column=repr(column))
        if m is None:
            m = float(pd.to_numeric(table[column], errors="coerce").mean())
        next_tier = tiers.map(lambda k: k.replace("general_", "important_") if isinstance(k, str)
                              and k.startswith("general_") else None)
        threshold = next_tier.map(lambda k: m if k is not None and pd.notna(k) else np.nan)
        names = {t.key: t for t in RFM_CLASSES}
    else:
        raise TierkitError("gaps_scheme", param=Param("scheme"), value=repr(scheme))
    if column not in table.columns:
        raise DataError("no_column_in_table", where="next_tier_gaps", column=repr(column))
    current = pd.to_numeric(table[column], errors="coerce").astype("float64")
    threshold = threshold.astype("float64")
    gap = (threshold - current).clip(lower=0.0)
    out = pd.DataFrame({"tier": tiers, "next_tier": next_tier.where(next_tier.notna(), None),
                        "value": current, "threshold": threshold, "gap": gap}, index=table.index)
    out["message"] = [
        term("next_tier_gap", lang, gap=g, tier=names[k].label(lang) if k in names else k)
        if k is not None and pd.notna(g) else None
        for k, g in zip(out["next_tier"], out["gap"], strict=True)
    ]
    return out


def fitted_thresholds(segmentation, scheme: str):
    """The thresholds a fitted segmentation grades ``scheme`` by, for :func:`next_tier_gaps`.

    ``(thresholds, value)``: for ``abc_tier`` the ABC step's ``thresholds_`` and the column it
    ranks by, for ``rfm_class`` the RFM classes' ``thresholds_`` and ``monetary``; ``(None,
    None)`` for another scheme or a segmentation without that step. With them, the gap to the
    next tier is measured against the standards that graded the table, not read back from it.

    Examples
    --------
    >>> import tierkit as tk
    >>> f = pd.DataFrame({"recency": [1, 5, 30, 60], "frequency": [5, 2, 1, 1],
    ...                   "monetary": [300.0, 80.0, 20.0, 10.0]})
    >>> thresholds, value = fitted_thresholds(tk.Segmentation(lifecycle=False).fit(f), "rfm_class")
    >>> value, thresholds["monetary"]
    ('monetary', 102.5)
    """
    steps = dict(getattr(segmentation, "steps_", []))
    if scheme == "abc_tier" and "abc" in steps:
        return dict(steps["abc"].thresholds_), steps["abc"].contribution_
    if scheme == "rfm_class" and "rfm_classes" in steps:
        return dict(steps["rfm_classes"].thresholds_), "monetary"
    return None, None


def migration_summary(moves: pd.DataFrame) -> dict:
    """Counts of customers per direction (``up``, ``down``, ``same`` ...).

    Examples
    --------
    >>> migration_summary(pd.DataFrame({"direction": ["up", "up", "left"]}))
    {'up': 2, 'left': 1}
    """
    counts = moves["direction"].value_counts()
    wanted = ["up", "down", "same", "changed", "entered", "left"]
    return {k: int(counts[k]) for k in wanted if k in counts.index}


def money_keys(columns) -> dict:
    """Money headers written with a currency (``monetary (USD)``) back to their keys (``monetary``).

    Examples
    --------
    >>> money_keys(["customer_id", "monetary (USD)", "clv (¥)", "abc_tier"])
    {'monetary (USD)': 'monetary', 'clv (¥)': 'clv'}
    """
    import re

    from tierkit.output_excel import MONEY_COLUMNS

    found = {}
    for column in columns:
        match = re.fullmatch(r"(.+) \(([^()]{1,5})\)", str(column))
        if match and match.group(1) in MONEY_COLUMNS:
            found[column] = match.group(1)
    return found


def read_snapshot(path, scheme: str | None = None) -> pd.DataFrame:
    r"""A scored snapshot (CSV, Parquet or Excel written by ``tierkit segment``), indexed by customer id.

    Headers written as labels (``--headers labels``, in English or Chinese) are read back as
    the column keys. With ``scheme``, a blank tier in that column is refused, naming the file,
    the column and the rows (:func:`blank_tiers`).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "s.csv")
    >>> _ = open(p, "w").write("customer_id,abc_tier\n007,A\n")
    >>> read_snapshot(p).index.tolist()
    ['007']
    """
    from pathlib import Path

    from tierkit.words import HEADERS, header_keys

    path = Path(path)
    frame = read_table(path, Message("snapshot"), text_columns=["customer_id", *HEADERS["customer_id"]])
    # written with --headers labels: the labels (English or Chinese) read back as the keys
    frame = frame.rename(columns=header_keys(frame.columns))
    frame = frame.rename(columns=money_keys(frame.columns))  # written with --currency: 'monetary (USD)'
    if "customer_id" not in frame.columns:
        raise DataError("snapshot_no_id", path=path, present=", ".join(map(str, frame.columns)))
    frame["customer_id"] = frame["customer_id"].astype("str")
    if frame["customer_id"].duplicated().any():
        dup = frame.loc[frame["customer_id"].duplicated(), "customer_id"].iloc[0]
        raise DataError("snapshot_duplicate", path=path, customer=repr(dup))
    frame = frame.set_index("customer_id")
    if scheme is not None and scheme in frame.columns:
        # the header is row 1 of a CSV or a sheet, the first customer row 2
        blank_tiers(frame[scheme], scheme, str(path), first_row=2)
    return frame
