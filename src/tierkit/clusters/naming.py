"""Order and names of clusters: cluster 0 is the most valuable, names come from the RFM classes.

**Order.** Clusters are ranked by mean monetary value, then mean frequency, then smaller mean
recency, then size (all in original units), highest first: cluster 0 is the most valuable, so
labels do not depend on the order in which k-means happened to find its centres.

**Names.** A cluster's profile is compared with the population means, as the course's 8 RFM
classes compare a customer: R is high when the cluster's mean recency is at or below the
population's, F and M when their means are at or above. The high/low pattern is the class key
(``important_value`` ...). When two clusters share a pattern, the more valuable keeps the key
and the next get ``_2``, ``_3`` ...
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.tiers.rfm_classes import RFM_CLASSES, rfm_class_key

_CLASS_LABELS = {t.key: t for t in RFM_CLASSES}


def value_order(means: pd.DataFrame, sizes: np.ndarray) -> np.ndarray:
    """Old cluster numbers from most to least valuable (``means`` has recency, frequency, monetary).

    Examples
    --------
    >>> m = pd.DataFrame({"recency": [9., 1, 5], "frequency": [1., 5, 5], "monetary": [10., 90, 90]})
    >>> value_order(m, np.array([10, 10, 10])).tolist()
    [1, 2, 0]
    """
    keys = (-np.asarray(sizes), means["recency"].to_numpy(), -means["frequency"].to_numpy(),
            -means["monetary"].to_numpy())
    return np.lexsort(keys)


def cluster_names(means: pd.DataFrame, population: pd.Series) -> list[str]:
    """Unique names for clusters already in value order (see module docs).

    Examples
    --------
    >>> m = pd.DataFrame({"recency": [1., 2, 50], "frequency": [9., 8, 1], "monetary": [900., 800, 10]})
    >>> cluster_names(m, pd.Series({"recency": 20., "frequency": 3., "monetary": 300.}))
    ['important_value', 'important_value_2', 'general_winback']
    """
    keys = rfm_class_key(
        (means["recency"] <= population["recency"]).to_numpy(),
        (means["frequency"] >= population["frequency"]).to_numpy(),
        (means["monetary"] >= population["monetary"]).to_numpy(),
    )
    seen: dict[str, int] = {}
    names = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        names.append(key if seen[key] == 1 else f"{key}_{seen[key]}")
    return names


def cluster_label(name: str, lang: str) -> str:
    """The RFM class label of a cluster name, with its number when it has one.

    Parameters
    ----------
    name : str
        A cluster name such as ``important_value_2`` (an RFM class key, maybe numbered).
    lang : {"en", "zh"}
        Language of the label.

    Returns
    -------
    str
        The class label, followed by the number when the name has one.

    Examples
    --------
    >>> cluster_label("important_value_2", "en"), cluster_label("general_retain", "zh")
    ('Important value 2', '一般保持客户')
    """
    base, _, number = name.rpartition("_")
    if number.isdigit() and base in _CLASS_LABELS:
        return f"{_CLASS_LABELS[base].label(lang)} {number}"
    tier = _CLASS_LABELS.get(name)
    return tier.label(lang) if tier is not None else name


def cluster_strategy(name: str, lang: str) -> str:
    """The strategy of the RFM class a cluster is named after."""
    base, _, number = name.rpartition("_")
    tier = _CLASS_LABELS.get(base if number.isdigit() else name)
    return tier.strategy(lang) if tier is not None else ""


def cluster_profiles(table: pd.DataFrame, labels: np.ndarray, names: list[str],
                     value: str = "monetary") -> pd.DataFrame:
    """Per cluster: name, size, share, mean R/F/M, revenue share and relative importance.

    Relative importance is the cluster mean over the population mean, minus 1 (``+0.5`` = 50 %
    above the population).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per customer with ``recency``, ``frequency`` and the ``value`` column.
    labels : ndarray of int
        Cluster of each row of ``table`` (0 = most valuable).
    names : list of str
        Name of each cluster, by cluster number.
    value : str, default="monetary"
        The revenue column.

    Returns
    -------
    pandas.DataFrame
        One row per cluster, indexed by cluster number.
    """
    frame = table[["recency", "frequency", "monetary"]].astype("float64").copy()
    frame["cluster"] = labels
    grouped = frame.groupby("cluster")
    means = grouped[["recency", "frequency", "monetary"]].mean()
    population = frame[["recency", "frequency", "monetary"]].mean()
    revenue = table[value].astype("float64").groupby(labels).sum()
    out = pd.DataFrame({"cluster_name": names}, index=means.index)
    out["customers"] = grouped.size()
    out["share"] = out["customers"] / len(frame)
    for column in ("recency", "frequency", "monetary"):
        out[column] = means[column]
    total = float(table[value].sum())
    out["revenue_share"] = revenue / total if total else 0.0
    for column in ("recency", "frequency", "monetary"):
        out[f"{column}_vs_population"] = means[column] / population[column] - 1 if population[column] else 0.0
    out.index.name = "cluster"
    return out
