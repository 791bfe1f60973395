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
from tierkit.words import Tier, check_lang, cluster_label, cluster_strategy, labels_for

#: Best-first order where the scheme's table order is not already best-first.
_BEST_FIRST = {
    "lifecycle_stage": ("loyal", "repeat", "new", "at_risk", "churned", "potential"),
}


def tier_schemes(abc_scheme: str = "course") -> dict:
    """Tier column -> its tiers (:class:`tierkit.words.Tier`: key, labels, strategies).

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
    raise DataError("no_abc_scheme", column="abc_tier", keys=str(sorted(seen)), orders=orders)


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
        names = table["cluster_name"]
        distinct = names.dropna().unique()
        table["cluster_name_label"] = names.map({n: cluster_label(n, lang) for n in distinct})
        table["cluster_name_strategy"] = names.map({n: cluster_strategy(n, lang) for n in distinct})
    return table


def scheme_tiers(column: str, keys=()) -> tuple[Tier, ...] | None:
    """The tiers of a known tier column (all schemes of tierkit), or ``None``."""
    abc_scheme = "course"
    if column == "abc_tier":
        seen = {k for k in keys if k in {t.key for tiers in ABC_TIERS.values() for t in tiers}}
        abc_scheme = abc_scheme_of(seen)  # unknown keys are shown as they are
    return tier_schemes(abc_scheme).get(column)


def cluster_tiers(table: pd.DataFrame) -> tuple[Tier, ...]:
    """Tiers of ``cluster_name`` in cluster order (0 = most valuable), labelled by their bands.

    Examples
    --------
    >>> t = pd.DataFrame({"cluster": [1, 0], "cluster_name": ["lapsed-rare-low_spend", "recent-frequent-high_spend"]})
    >>> [x.zh for x in cluster_tiers(t)]
    ['0: 近期购买·经常购买·消费较高', '1: 久未购买·极少购买·消费较低']
    """
    pairs = table[["cluster", "cluster_name"]].dropna().drop_duplicates().sort_values("cluster")
    return tuple(Tier(name, f"{number}: {cluster_label(name, 'en')}", f"{number}: {cluster_label(name, 'zh')}",
                      cluster_strategy(name, "en"), cluster_strategy(name, "zh"))
                 for number, name in zip(pairs["cluster"], pairs["cluster_name"], strict=True))


def tiers_for(table: pd.DataFrame, column: str, tiers=None) -> list[Tier]:
    """Tiers to show for ``column``, in scheme order, keeping only those with customers.

    Unknown columns (``cluster_name``) become one tier per value, largest first, named by the
    value itself.
    """
    counts = table[column].value_counts(dropna=True)
    if tiers is None and column == "cluster_name" and "cluster" in table.columns:
        tiers = cluster_tiers(table)
    if tiers is None:
        tiers = scheme_tiers(column, counts.index)
    if tiers is None:
        return [Tier(str(k), str(k), str(k)) for k in counts.index]
    known = [t for t in tiers if t.key in counts.index]
    extra = [Tier(str(k), str(k), str(k)) for k in counts.index if k not in {t.key for t in tiers}]
    return known + extra
