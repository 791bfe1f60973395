"""Where the tier schemes disagree: every disagreement a reader of the report would see, with counts.

A graded table carries several schemes side by side (RFM classes and segments, ABC tiers,
lifecycle stages, k-means clusters, value-potential quadrants, CLV-CS classes). Read one
at a time each is consistent; read together they can tell a manager opposite things about
the same customers. :func:`disagreements` finds them all, as data (one row per finding):

``opposite``
    A tier mostly (more than half of its customers) inside another scheme's *opposite*
    tier, on one of two axes: **activity** (a favoured tier, :data:`FAVOURED`,
    against a lapsing one, :data:`LAPSING`) or **value**
    (a high-value tier, :data:`HIGH_VALUE`, against a low-value one, :data:`LOW_VALUE`: the
    value-potential *star* against the ABC *ordinary* tier, say).
``label``
    A tier whose own words contradict its own figures (:data:`LABEL_RULES`): *Loyal* or
    *Champions* whose median recency is past the at-risk threshold, a cluster named
    *recent* whose mean recency is not among the most recent quarter of the base, *new*
    customers whose first purchase is long ago, *lost* customers who bought recently.
``conflict``
    Customers a favoured tier of one scheme shares with a lapsing tier of another (the
    minority overlaps; the majority ones are ``opposite``).
``value_order``
    In a ranked scheme (:data:`RANKED`), a lower tier whose mean predicted CLV is higher
    than that of a tier ranked above it.

Where two schemes would have a manager do opposite things to the same customers,
:func:`which_to_follow` says which to follow, with a stated reason: the one whose tiers
better separate held-out spend when a holdout comparison is given; else, on the activity
axis, the scheme cut on recency (retention acts on whether a customer still buys), and on
the value axis the scheme ranking realised spend (ABC) over predicted value.
"""

from __future__ import annotations

import pandas as pd

from tierkit.tiers.schemes import tiers_for

#: Tiers that say "our best, active customers: keep them" (ABC tiers rank value only, not activity).
FAVOURED = {
    "rfm_class": {"important_value"},
    "rfm_segment": {"champions", "loyal"},
    "lifecycle_stage": {"loyal"},
    "clv_cs_class": {"core"},
    "value_potential": {"star"},
}

#: Tiers that say "these customers are slipping away or gone".
LAPSING = {
    "rfm_class": {"important_retain", "important_winback", "general_retain", "general_winback"},
    "rfm_segment": {"about_to_sleep", "at_risk", "cant_lose", "hibernating", "lost"},
    "lifecycle_stage": {"at_risk", "churned"},
    "clv_cs_class": {"at_risk_key"},
    "value_potential": {"harvest"},
}

#: Tiers that say "high value" (value axis; activity is :data:`FAVOURED`).
HIGH_VALUE = {
    "abc_tier": {"high_end", "important", "A", "platinum", "gold"},
    "value_potential": {"star", "harvest"},
    "rfm_class": {"important_value", "important_develop", "important_retain", "important_winback"},
    "clv_cs_class": {"core", "at_risk_key"},
}

#: Tiers that say "low value".
LOW_VALUE = {
    "abc_tier": {"ordinary", "small", "B", "C", "iron", "lead"},
    "value_potential": {"develop", "low_priority"},
    "rfm_class": {"general_value", "general_develop", "general_retain", "general_winback"},
    "clv_cs_class": {"marginal"},
}

#: Cluster name words (:mod:`tierkit.clusters.naming`) on the value axis.
_CLUSTER_HIGH = {"high_spend", "very_high_spend", "high_clv", "very_high_clv"}
_CLUSTER_LOW = {"low_spend", "very_low_spend", "low_clv", "very_low_clv"}

#: Schemes whose tiers are a ranking, best first (value order is checked on these).
RANKED = ("abc_tier", "rfm_segment", "cluster_name")

#: The label rules: name -> (scheme -> tier keys the rule applies to; ``cluster_name`` lists name words).
LABEL_RULES = {
    # "Loyal", "Champions", "Repeat": a name that says the customers still buy
    "active_but_lapsed": {"rfm_segment": {"champions", "loyal"}, "lifecycle_stage": {"loyal", "repeat"}},
    # a cluster named for its recency: the name is relative to the base, the reader reads it as absolute
    "recent_but_not": {"cluster_name": {"very_recent", "recent"}},
    # "New": a first purchase longer ago than the new-customer window
    "new_but_old": {"rfm_segment": {"new"}, "lifecycle_stage": {"new"}, "cluster_name": {"newest", "new"}},
    # "Lost", "Churned", "Hibernating", "lapsed": customers who bought recently
    "lost_but_recent": {"rfm_segment": {"lost", "hibernating"}, "lifecycle_stage": {"churned"},
                        "cluster_name": {"lapsed"}},
}

#: Which scheme to follow on each axis when no holdout comparison decides, first present wins.
_FOLLOW = {
    "activity": ("lifecycle_stage", "rfm_segment", "rfm_class", "cluster_name", "clv_cs_class", "value_potential"),
    "value": ("abc_tier", "rfm_class", "cluster_name", "clv_cs_class", "value_potential"),
}

#: The columns of :func:`disagreements`.
COLUMNS = ["kind", "rule", "scheme", "tier", "other_scheme", "other_tier", "customers", "share", "figures"]

#: Report order of the kinds.
KINDS = ("opposite", "label", "conflict", "value_order")

_SCHEMES = ("rfm_class", "rfm_segment", "abc_tier", "lifecycle_stage", "cluster_name", "clv_cs_class",
            "value_potential")


def activity_stance(table: pd.DataFrame, column: str) -> dict:
    """Tier key -> +1 (favoured), -1 (lapsing) or 0, for the tiers of ``column`` present in ``table``.

    Clusters (``cluster_name``) are judged by their names: a *lapsing* or *long lapsed*
    recency band is -1, the most valuable cluster (number 0) otherwise +1.

    Examples
    --------
    >>> activity_stance(pd.DataFrame({"lifecycle_stage": ["loyal", "new", "churned"]}), "lifecycle_stage")
    {'loyal': 1, 'new': 0, 'churned': -1}
    >>> t = pd.DataFrame({"cluster": [0, 1], "cluster_name": ["very_recent-frequent", "lapsed-rare"]})
    >>> activity_stance(t, "cluster_name")
    {'very_recent-frequent': 1, 'lapsed-rare': -1}
    """
    keys = [k for k in pd.unique(table[column].dropna())]
    if column == "cluster_name":
        best = None
        if "cluster" in table.columns:
            first = table.loc[table["cluster"] == table["cluster"].min(), "cluster_name"]
            best = first.iloc[0] if len(first) else None
        out = {}
        for key in keys:
            words = str(key).split("-")
            out[key] = -1 if {"lapsing", "lapsed"} & set(words) else (1 if key == best else 0)
        return out
    favoured, lapsing = FAVOURED.get(column, set()), LAPSING.get(column, set())
    return {k: 1 if k in favoured else (-1 if k in lapsing else 0) for k in keys}


def value_stance(table: pd.DataFrame, column: str) -> dict:
    """Tier key -> +1 (high value), -1 (low value) or 0, for the tiers of ``column`` present in ``table``.

    Clusters are judged by their spend (or CLV) word.

    Examples
    --------
    >>> value_stance(pd.DataFrame({"abc_tier": ["high_end", "ordinary"]}), "abc_tier")
    {'high_end': 1, 'ordinary': -1}
    >>> value_stance(pd.DataFrame({"cluster_name": ["recent-high_spend", "lapsed-low_spend"]}), "cluster_name")
    {'recent-high_spend': 1, 'lapsed-low_spend': -1}
    """
    keys = list(pd.unique(table[column].dropna()))
    if column == "cluster_name":
        out = {}
        for key in keys:
            words = set(str(key).split("-"))
            out[key] = 1 if words & _CLUSTER_HIGH else (-1 if words & _CLUSTER_LOW else 0)
        return out
    high, low = HIGH_VALUE.get(column, set()), LOW_VALUE.get(column, set())
    return {k: 1 if k in high else (-1 if k in low else 0) for k in keys}


_STANCES = {"activity": activity_stance, "value": value_stance}


def _columns(table, columns) -> list:
    return [c for c in (columns if columns is not None else _SCHEMES) if c in table.columns]


def _row(kind, rule, scheme, tier, other_scheme, other_tier, customers, share, **figures) -> dict:
    return {"kind": kind, "rule": rule, "scheme": scheme, "tier": tier, "other_scheme": other_scheme,
            "other_tier": other_tier, "customers": int(customers), "share": float(share), "figures": figures}


def opposite_tiers(table: pd.DataFrame, columns=None, min_share: float = 0.5) -> list[dict]:
    """Tiers more than ``min_share`` of whose customers are in another scheme's opposite tier.

    Examples
    --------
    >>> t = pd.DataFrame({"abc_tier": ["ordinary"] * 3 + ["high_end"] * 3,
    ...                   "value_potential": ["star", "star", "develop", "star", "star", "star"]})
    >>> [(f["scheme"], f["tier"], f["other_tier"], f["customers"], round(f["share"], 2), f["rule"])
    ...  for f in opposite_tiers(t)]
    [('abc_tier', 'ordinary', 'star', 2, 0.67, 'value')]
    """
    columns = _columns(table, columns)
    out = []
    for axis, stance_of in _STANCES.items():
        stances = {c: stance_of(table, c) for c in columns}
        for mine in columns:
            for other in columns:
                if other == mine or not any(stances[mine].values()) or not any(stances[other].values()):
                    continue
                counts = pd.crosstab(table[mine], table[other])
                sizes = counts.sum(axis=1)
                for tier, row in counts.iterrows():
                    for other_tier, n in row.items():
                        if (n > min_share * sizes[tier]
                                and stances[mine].get(tier, 0) * stances[other].get(other_tier, 0) == -1):
                            out.append(_row("opposite", axis, mine, tier, other, other_tier, n, n / sizes[tier],
                                            tier_customers=int(sizes[tier]),
                                            other_share_of_base=float((table[other] == other_tier).mean()),
                                            follow=None, because=None))
    return out


def lifecycle_thresholds(diagnostics) -> dict:
    """The lifecycle step's thresholds (``at_risk_after``, ``new_within`` ...) among ``diagnostics``, or {}.

    Examples
    --------
    >>> lifecycle_thresholds({"lifecycle": {"thresholds_": {"at_risk_after": 254.25}}})
    {'at_risk_after': 254.25}
    >>> lifecycle_thresholds(None)
    {}
    """
    step = (diagnostics or {}).get("lifecycle")
    found = step.get("thresholds_") or step.get("thresholds") if isinstance(step, dict) else None
    return {k: float(v) for k, v in (found or {}).items() if isinstance(v, (int, float))}


def _applies(rule_tiers: set, column: str, tier) -> bool:
    if column == "cluster_name":
        return bool(set(str(tier).split("-")) & rule_tiers)
    return tier in rule_tiers


def label_checks(table: pd.DataFrame, columns=None, thresholds=None) -> list[dict]:
    """Tiers whose words contradict their own figures (the rules of :data:`LABEL_RULES`).

    ``active_but_lapsed``: median recency past the at-risk threshold (``thresholds["at_risk_after"]``,
    else the base's upper quartile of recency). ``recent_but_not``: a cluster named *recent*
    whose mean recency (what its profile shows) is past the base's lower quartile.
    ``new_but_old``: median tenure past the new-customer window (``new_within``, else
    ``at_risk_after``, else the base's median tenure). ``lost_but_recent``: median recency
    within the base's lower quartile. ``customers`` counts the tier's customers past
    (within, for lost) the threshold, ``share`` is of the tier.

    Examples
    --------
    >>> t = pd.DataFrame({"rfm_segment": ["loyal"] * 3 + ["lost"], "recency": [300.0, 310, 20, 400]})
    >>> found = label_checks(t, thresholds={"at_risk_after": 254})
    >>> [(f["rule"], f["tier"], f["customers"], f["figures"]["median"]) for f in found]
    [('active_but_lapsed', 'loyal', 2, 300.0)]
    """
    thresholds = thresholds or {}
    columns = _columns(table, columns)
    out = []
    if "recency" not in table.columns:
        return out
    recency = table["recency"].astype("float64")
    at_risk = thresholds.get("at_risk_after")
    rules = {
        "active_but_lapsed": ("recency", "median", at_risk if at_risk is not None else float(recency.quantile(0.75)),
                              "at_risk_after" if at_risk is not None else "recency_upper_quartile", 1),
        "recent_but_not": ("recency", "mean", float(recency.quantile(0.25)), "recency_lower_quartile", 1),
        "lost_but_recent": ("recency", "median", float(recency.quantile(0.25)), "recency_lower_quartile", -1),
    }
    if "tenure" in table.columns:
        window = thresholds.get("new_within", at_risk)
        rules["new_but_old"] = ("tenure", "median",
                                window if window is not None else float(table["tenure"].quantile(0.5)),
                                "new_within" if window is not None else "tenure_median", 1)
    for rule, (feature, statistic, threshold, basis, sign) in rules.items():
        for column in columns:
            applies = LABEL_RULES[rule].get(column)
            if not applies:
                continue
            values = table[feature].astype("float64")
            for tier, members in table.groupby(column, observed=True).groups.items():
                if not _applies(applies, column, tier):
                    continue
                v = values.loc[members]
                figure = float(v.median() if statistic == "median" else v.mean())
                if sign * (figure - threshold) > 0:
                    beyond = int((v > threshold).sum() if sign > 0 else (v <= threshold).sum())
                    out.append(_row("label", rule, column, tier, None, None, beyond, beyond / len(v),
                                    feature=feature, statistic=statistic, median=float(v.median()),
                                    mean=float(v.mean()), threshold=float(threshold), basis=basis,
                                    tier_customers=len(v)))
    return out


def overlaps(table: pd.DataFrame, columns=None, min_share: float = 0.01, max_share: float = 0.5) -> list[dict]:
    """Customers a favoured tier shares with another scheme's lapsing tier (share of the favoured tier).

    Overlaps above ``max_share`` are :func:`opposite_tiers` findings and are left out here;
    those below ``min_share`` of the favoured tier too.

    Examples
    --------
    >>> t = pd.DataFrame({"rfm_segment": ["loyal", "loyal", "loyal", "lost"],
    ...                   "lifecycle_stage": ["at_risk", "loyal", "loyal", "churned"]})
    >>> [(f["tier"], f["other_tier"], f["customers"]) for f in overlaps(t)]
    [('loyal', 'at_risk', 1)]
    """
    columns = _columns(table, columns)
    stances = {c: activity_stance(table, c) for c in columns}
    out = []
    for mine in columns:
        for other in columns:
            if other == mine:
                continue
            counts = pd.crosstab(table[mine], table[other])
            sizes = counts.sum(axis=1)
            for tier, row in counts.iterrows():
                if stances[mine].get(tier, 0) != 1:
                    continue
                for other_tier, n in row.items():
                    share = n / sizes[tier]
                    if stances[other].get(other_tier, 0) == -1 and n and min_share <= share <= max_share:
                        out.append(_row("conflict", "activity", mine, tier, other, other_tier, n, share,
                                        tier_customers=int(sizes[tier])))
    return out


def value_order(table: pd.DataFrame, columns=None, value: str = "clv", min_customers: int = 30,
                tiers=None, margin: float = 0.1) -> list[dict]:
    """Lower tiers of a ranked scheme (:data:`RANKED`) with a higher mean ``value`` than a tier above them.

    One finding per lower tier, against the highest-ranked tier it beats by more than
    ``margin`` (a share of the beaten tier's mean); tiers with fewer than ``min_customers``
    customers are left out. ``tiers`` maps a column to its tiers
    (best first), overriding the built-in order.

    Examples
    --------
    >>> t = pd.DataFrame({"abc_tier": ["high_end"] * 30 + ["small"] * 30, "clv": [1.0] * 30 + [2.0] * 30})
    >>> [(f["tier"], f["other_tier"], f["figures"]["mean"], f["figures"]["other_mean"]) for f in value_order(t)]
    [('small', 'high_end', 2.0, 1.0)]
    """
    if value not in table.columns:
        return []
    out = []
    for column in _columns(table, columns):
        if column not in RANKED:
            continue
        order = [t.key for t in tiers_for(table, column, (tiers or {}).get(column))]
        grouped = table.groupby(column, observed=True)[value]
        means, sizes = grouped.mean().reindex(order), grouped.size().reindex(order).fillna(0)
        kept = [k for k in order if sizes[k] >= min_customers and pd.notna(means[k])]
        for i, tier in enumerate(kept):
            beaten = [k for k in kept[:i] if means[tier] > means[k] + margin * abs(means[k])]
            if beaten:
                top = beaten[0]
                out.append(_row("value_order", value, column, tier, column, top, sizes[tier],
                                sizes[tier] / len(table), mean=float(means[tier]), other_mean=float(means[top]),
                                beaten=beaten))
    return out


def which_to_follow(scheme: str, other: str, axis: str, comparison: pd.DataFrame | None = None) -> tuple[str, str]:
    """Which of two schemes to follow where they disagree on ``axis``, and why (a reason key).

    With a holdout comparison (``variance_share`` per scheme) the scheme whose tiers better
    separate held-out spend (``"holdout"``); else on the activity axis the scheme cut on
    recency (``"recency"``: retention acts on whether a customer still buys) and on the
    value axis the one ranking realised spend (``"spend"``), by the order of ``_FOLLOW``.

    Examples
    --------
    >>> which_to_follow("abc_tier", "value_potential", "value")
    ('abc_tier', 'spend')
    >>> which_to_follow("rfm_segment", "lifecycle_stage", "activity")
    ('lifecycle_stage', 'recency')
    >>> c = pd.DataFrame({"variance_share": [0.2, 0.4]}, index=["abc_tier", "value_potential"])
    >>> which_to_follow("abc_tier", "value_potential", "value", c)
    ('value_potential', 'holdout')
    """
    if comparison is not None and "variance_share" in comparison.columns:
        shares = {("cluster_name" if str(k) == "cluster" else str(k)): v
                  for k, v in comparison["variance_share"].items() if pd.notna(v)}
        if scheme in shares and other in shares and shares[scheme] != shares[other]:
            return (scheme if shares[scheme] > shares[other] else other), "holdout"
    order = _FOLLOW.get(axis, ())
    rank = {c: i for i, c in enumerate(order)}
    best = min((scheme, other), key=lambda c: rank.get(c, len(order)))
    return best, ("recency" if axis == "activity" else "spend")


def disagreements(table: pd.DataFrame, columns=None, *, thresholds=None, comparison=None, tiers=None,
                  min_share: float = 0.01) -> pd.DataFrame:
    """Every disagreement between and within the schemes of ``table``, one row per finding.

    Parameters
    ----------
    table : pandas.DataFrame
        The graded table: tier columns, ``recency`` / ``tenure`` and ``clv`` when present.
    columns : sequence of str, optional
        The tier columns to read; default every known one present.
    thresholds : dict, optional
        The lifecycle thresholds (``at_risk_after``, ``new_within``), e.g. from
        :func:`lifecycle_thresholds`; without them the base's quartiles are used.
    comparison : pandas.DataFrame, optional
        A holdout comparison of the schemes (``variance_share``): decides which scheme to follow.
    tiers : dict, optional
        Tier column -> tiers (best first), overriding the built-in order.
    min_share : float, default=0.01
        Overlaps (``conflict``) smaller than this share of the favoured tier are left out.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`: ``kind`` (:data:`KINDS`), ``rule`` (the axis, label rule or value
        column), ``scheme``, ``tier``, ``other_scheme``, ``other_tier``, ``customers``,
        ``share`` and ``figures`` (a dict: medians, thresholds, means, and for ``opposite``
        the scheme to ``follow`` and ``because``). Ordered by kind, then most customers first.

    Examples
    --------
    >>> t = pd.DataFrame({"abc_tier": ["ordinary"] * 3 + ["high_end"] * 3,
    ...                   "value_potential": ["star", "star", "develop", "star", "star", "star"]})
    >>> found = disagreements(t)
    >>> found[["kind", "scheme", "tier", "other_tier", "customers"]].to_dict("records")
    [{'kind': 'opposite', 'scheme': 'abc_tier', 'tier': 'ordinary', 'other_tier': 'star', 'customers': 2}]
    >>> found.loc[0, "figures"]["follow"], found.loc[0, "figures"]["because"]
    ('abc_tier', 'spend')
    """
    rows = opposite_tiers(table, columns)
    for row in rows:
        row["figures"]["follow"], row["figures"]["because"] = which_to_follow(
            row["scheme"], row["other_scheme"], row["rule"], comparison)
    rows += label_checks(table, columns, thresholds)
    rows += overlaps(table, columns, min_share=min_share)
    rows += value_order(table, columns, tiers=tiers)
    out = pd.DataFrame(rows, columns=COLUMNS)
    if out.empty:
        return out
    out["_kind"] = out["kind"].map({k: i for i, k in enumerate(KINDS)})
    out = out.sort_values(["_kind", "customers"], ascending=[True, False], kind="stable")
    return out.drop(columns="_kind").reset_index(drop=True)


def counts(found: pd.DataFrame) -> dict:
    """Findings per kind (every kind of :data:`KINDS`, zero when none).

    Examples
    --------
    >>> counts(pd.DataFrame({"kind": ["label", "opposite", "label"]}))
    {'opposite': 1, 'label': 2, 'conflict': 0, 'value_order': 0}
    """
    seen = found["kind"].value_counts() if len(found) else pd.Series(dtype="int64")
    return {k: int(seen.get(k, 0)) for k in KINDS}
