"""The report's headline: which scheme to act on, and how the other schemes relate to it.

A graded table carries seven or more labels per customer and they need not agree: the
RFM segment may call a customer *loyal* while the lifecycle stage calls them *at risk*.
The report therefore opens with one headline scheme, chosen by :func:`choose_headline`:

1. the scheme asked for (``write_report(..., headline="rfm_segment")``,
   ``tierkit report --headline``);
2. else, when the diagnostics carry a holdout comparison of the schemes
   (:func:`tierkit.evaluation.comparison.compare_schemes`, passed by ``tierkit run``), the
   scheme whose tiers best separate the customers' held-out spend (highest
   ``variance_share``);
3. else the first present of :data:`DEFAULT_HEADLINES`.

The other schemes are then read against it: for each headline tier the dominant tier of
every other scheme (:func:`dominant_tiers`), and the customers the two schemes judge in
opposite ways (:func:`contradictions`): a *favoured* tier
(:data:`tierkit.evaluation.agreement.FAVOURED`: the best, active customers) in one and a
*lapsing* tier (:data:`~tierkit.evaluation.agreement.LAPSING`: at risk, churned, lost) in the other.
"""

from __future__ import annotations

import pandas as pd

from tierkit.errors import Param, TierkitError

# the activity axis (favoured against lapsing tiers) is judged where the schemes are compared
from tierkit.evaluation.agreement import FAVOURED as FAVOURED
from tierkit.evaluation.agreement import LAPSING as LAPSING
from tierkit.evaluation.agreement import activity_stance as stance
from tierkit.messages import Message

#: Headline when none is asked for and no holdout comparison is given: the first present.
DEFAULT_HEADLINES = ("rfm_segment", "rfm_class", "value_potential", "clv_cs_class", "abc_tier", "lifecycle_stage",
                     "cluster_name")

#: The comparison's index names ``cluster`` for the cluster scheme; the report's column is ``cluster_name``.
_COMPARISON_ALIASES = {"cluster": "cluster_name"}


def holdout_comparison(diagnostics) -> pd.DataFrame | None:
    """The holdout comparison of the schemes among ``diagnostics`` (a frame with ``variance_share``), or None.

    Examples
    --------
    >>> c = pd.DataFrame({"variance_share": [0.3, 0.1]}, index=["abc_tier", "rfm_class"])
    >>> holdout_comparison({"rfm": {"edges": [1]}, "comparison (holdout)": c}) is c
    True
    >>> holdout_comparison(None) is None
    True
    """
    for value in (diagnostics or {}).values():
        if isinstance(value, pd.DataFrame) and "variance_share" in value.columns:
            return value
    return None


def choose_headline(columns, diagnostics=None, headline: str | None = None) -> tuple[str | None, str, float | None]:
    """The headline scheme among the tier ``columns`` present, how it was chosen, its held-out variance share.

    Parameters
    ----------
    columns : sequence of str
        The tier columns the report shows.
    diagnostics : dict, optional
        The report's diagnostics; a holdout comparison among them decides when no
        ``headline`` is given.
    headline : str, optional
        The scheme asked for; it must be one of ``columns``.

    Returns
    -------
    tuple
        ``(column, how, variance_share)``: ``how`` is ``"given"``, ``"holdout"`` or
        ``"default"``; ``variance_share`` is the column's in the comparison, or None.
        ``(None, "none", None)`` when there is no tier column.

    Raises
    ------
    tierkit.errors.TierkitError
        If ``headline`` is not among ``columns``.

    Examples
    --------
    >>> choose_headline(["rfm_class", "rfm_segment", "abc_tier"])
    ('rfm_segment', 'default', None)
    >>> c = pd.DataFrame({"variance_share": [0.4, 0.2]}, index=["abc_tier", "rfm_segment"])
    >>> choose_headline(["rfm_segment", "abc_tier"], {"comparison": c})
    ('abc_tier', 'holdout', 0.4)
    >>> choose_headline(["rfm_segment", "abc_tier"], {"comparison": c}, headline="rfm_segment")
    ('rfm_segment', 'given', 0.2)
    """
    columns = list(columns)
    comparison = holdout_comparison(diagnostics)
    shares = {}
    if comparison is not None:
        for scheme, share in comparison["variance_share"].items():
            column = _COMPARISON_ALIASES.get(str(scheme), str(scheme))
            if column in columns and pd.notna(share):
                shares.setdefault(column, float(share))
    if headline is not None:
        if headline not in columns:
            raise TierkitError("not_tier_column", param=Param("headline"), value=repr(headline),
                               present=tuple(columns) or Message("none"))
        return headline, "given", shares.get(headline)
    if shares:
        best = max(shares, key=lambda c: shares[c])
        return best, "holdout", shares[best]
    for column in DEFAULT_HEADLINES:
        if column in columns:
            return column, "default", None
    if columns:
        return columns[0], "default", None
    return None, "none", None


def dominant_tiers(table: pd.DataFrame, headline: str, other: str) -> pd.DataFrame:
    """For each headline tier: the tier of ``other`` most of its customers are in, and their share.

    Examples
    --------
    >>> t = pd.DataFrame({"a": ["x", "x", "x", "y"], "b": ["p", "p", "q", "q"]})
    >>> dominant_tiers(t, "a", "b").to_dict("index")
    {'x': {'tier': 'p', 'customers': 2, 'share': 0.6666666666666666}, 'y': {'tier': 'q', 'customers': 1, 'share': 1.0}}
    """
    counts = pd.crosstab(table[headline], table[other])
    top = counts.idxmax(axis=1)
    most = counts.max(axis=1)
    out = pd.DataFrame({"tier": top, "customers": most.astype("int64"), "share": most / counts.sum(axis=1)})
    out.index.name = headline
    return out


def contradictions(table: pd.DataFrame, headline: str, others, min_share: float = 0.01) -> pd.DataFrame:
    """Customers a headline tier and another scheme's tier judge in opposite ways, most first.

    A pair contradicts when one tier is favoured (+1 in
    :func:`tierkit.evaluation.agreement.activity_stance`) and the other
    lapsing (-1): e.g. RFM segment *loyal* and lifecycle stage *at risk* (bought often and
    much, but not for a long time). Pairs holding less than ``min_share`` of the headline
    tier's customers are left out.

    Returns
    -------
    pandas.DataFrame
        ``headline_tier``, ``scheme``, ``tier``, ``customers`` and ``share`` (of the headline
        tier's customers), most customers first.

    Examples
    --------
    >>> t = pd.DataFrame({"rfm_segment": ["loyal", "loyal", "lost"],
    ...                   "lifecycle_stage": ["at_risk", "loyal", "churned"]})
    >>> contradictions(t, "rfm_segment", ["lifecycle_stage"]).to_dict("records")
    [{'headline_tier': 'loyal', 'scheme': 'lifecycle_stage', 'tier': 'at_risk', 'customers': 1, 'share': 0.5}]
    """
    mine = stance(table, headline)
    rows = []
    for other in others:
        theirs = stance(table, other)
        counts = pd.crosstab(table[headline], table[other])
        sizes = counts.sum(axis=1)
        for h, row in counts.iterrows():
            for o, n in row.items():
                if n and mine.get(h, 0) * theirs.get(o, 0) == -1 and n >= min_share * sizes[h]:
                    rows.append({"headline_tier": h, "scheme": other, "tier": o, "customers": int(n),
                                 "share": float(n / sizes[h])})
    out = pd.DataFrame(rows, columns=["headline_tier", "scheme", "tier", "customers", "share"])
    return out.sort_values("customers", ascending=False, kind="stable").reset_index(drop=True)
