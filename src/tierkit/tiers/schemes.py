"""The tier schemes of tierkit: each tier column, its tiers (keys, labels, strategies) and order.

==================  ==================================================  ========================
column              tiers, best first                                   from
==================  ==================================================  ========================
``rfm_class``       important_value ... general_winback (8)             :class:`RFMClassifier`
``rfm_segment``     champions ... lost (11)                             :class:`RFMSegmenter`
``abc_tier``        high_end, important, ordinary, small (or A/B/C,     :class:`ABCClassifier`
                    platinum/gold/iron/lead)
``lifecycle_stage`` loyal, repeat, new, at_risk, churned, potential     :class:`LifecycleStager`
``clv_cs_class``    core, at_risk_key, growth, fragile, advocate,       :class:`CLVCSGrid`
                    marginal, unrated
``value_potential`` star, harvest, develop, low_priority                :class:`ValuePotentialMatrix`
``cluster``         0 (most valuable), 1, ... with ``cluster_name``     :class:`KMeansSegmenter`
                    named after the RFM class of its profile
==================  ==================================================  ========================

Tier *keys* are stable identifiers; labels and strategies come in English and Chinese.
"""

from __future__ import annotations

import pandas as pd

from tierkit.errors import DataError
from tierkit.tiers.abc_tiers import ABC_TIERS
from tierkit.tiers.clv_cs import CLV_CS_CLASSES
from tierkit.tiers.lifecycle import LIFECYCLE_STAGES
from tierkit.tiers.rfm_classes import RFM_CLASSES
from tierkit.tiers.rfm_segments import RFM_SEGMENTS
from tierkit.tiers.value_potential import VALUE_POTENTIAL_TIERS
from tierkit.tiers.vocabulary import check_lang, labels_for

#: Best-first order where the scheme's table order is not already best-first.
_BEST_FIRST = {
    "lifecycle_stage": ("loyal", "repeat", "new", "at_risk", "churned", "potential"),
}


def tier_schemes(abc_scheme: str = "course") -> dict:
    """Tier column -> its tiers (:class:`tierkit.tiers.vocabulary.Tier`: key, labels, strategies).

    Examples
    --------
    >>> list(tier_schemes())
    ['rfm_class', 'rfm_segment', 'abc_tier', 'lifecycle_stage', 'clv_cs_class', 'value_potential']
    >>> [t.key for t in tier_schemes("abc")["abc_tier"]]
    ['A', 'B', 'C']
    """
    return {
        "rfm_class": RFM_CLASSES,
        "rfm_segment": RFM_SEGMENTS,
        "abc_tier": ABC_TIERS[abc_scheme],
        "lifecycle_stage": LIFECYCLE_STAGES,
        "clv_cs_class": CLV_CS_CLASSES,
        "value_potential": VALUE_POTENTIAL_TIERS,
    }


def abc_scheme_of(keys) -> str:
    """The ABC scheme (course, abc or pyramid) whose tier keys include all of ``keys``.

    Parameters
    ----------
    keys : iterable
        ``abc_tier`` values of a graded table (missing values are ignored).

    Returns
    -------
    str

    Examples
    --------
    >>> abc_scheme_of(["gold", "lead"])
    'pyramid'
    >>> abc_scheme_of([])
    'course'
    """
    seen = {k for k in keys if isinstance(k, str)}
    for scheme, tiers in ABC_TIERS.items():
        if seen <= {t.key for t in tiers}:
            return scheme
    orders = "; ".join(", ".join(t.key for t in tiers) for tiers in ABC_TIERS.values())
    raise DataError(f"abc_tier: tier keys {sorted(seen)} match no ABC scheme ({orders})")


def tier_order(column: str, abc_scheme: str = "course") -> list | None:
    """Tier keys of ``column`` best first, or ``None`` for a column without a fixed order.

    ``cluster`` has none here: its order (0 = most valuable) is learned at fit.

    Examples
    --------
    >>> tier_order("lifecycle_stage")[:2]
    ['loyal', 'repeat']
    >>> tier_order("cluster_name") is None
    True
    """
    if column in _BEST_FIRST:
        return list(_BEST_FIRST[column])
    schemes = tier_schemes(abc_scheme)
    return [t.key for t in schemes[column]] if column in schemes else None


def table_schemes(table: pd.DataFrame) -> dict:
    """:func:`tier_schemes` for a graded table, its ABC scheme read from its ``abc_tier`` keys.

    Parameters
    ----------
    table : pandas.DataFrame
        A graded table (tier columns holding keys).

    Returns
    -------
    dict

    Examples
    --------
    >>> [t.key for t in table_schemes(pd.DataFrame({"abc_tier": ["A", "C"]}))["abc_tier"]]
    ['A', 'B', 'C']
    """
    keys = pd.unique(table["abc_tier"]) if "abc_tier" in table.columns else ()
    return tier_schemes(abc_scheme_of(keys))


def add_labels(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Add ``<column>_label`` and ``<column>_strategy`` beside each tier column present.

    The key columns are untouched: labels change with ``lang``, keys never do.

    Parameters
    ----------
    table : pandas.DataFrame
        A graded table, e.g. ``Segmentation.transform``'s output.
    lang : {"en", "zh"}

    Returns
    -------
    pandas.DataFrame
        A copy with the label and strategy columns.

    Examples
    --------
    >>> add_labels(pd.DataFrame({"abc_tier": ["A"]}), "zh")["abc_tier_label"].tolist()
    ['A类客户']
    """
    check_lang(lang)
    table = table.copy()
    for column, tiers in table_schemes(table).items():
        if column in table.columns:
            table[f"{column}_label"] = labels_for(table[column], tiers, lang)
            table[f"{column}_strategy"] = labels_for(table[column], tiers, lang, what="strategy")
    if "cluster_name" in table.columns:
        from tierkit.clusters.naming import cluster_label, cluster_strategy

        names = table["cluster_name"]
        distinct = names.dropna().unique()
        table["cluster_name_label"] = names.map({n: cluster_label(n, lang) for n in distinct})
        table["cluster_name_strategy"] = names.map({n: cluster_strategy(n, lang) for n in distinct})
    return table
