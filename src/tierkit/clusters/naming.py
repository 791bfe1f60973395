"""Order, names and strategies of clusters: 0 is the most valuable, each name says where it sits.

**Order.** Clusters are ranked by mean monetary value, then mean frequency, then smaller mean
recency, then size (all in original units), highest first: cluster 0 is the most valuable, so
labels do not depend on the order in which k-means happened to find its centres.

**Names.** A cluster is named by where its centre sits against the population on each
clustered feature. The centre's coordinate in the scaled space (skew-reduced, then
standardised: the population has mean 0 and standard deviation 1) falls in one of five bands
cut at the quintiles of a standard normal (+-0.253 and +-0.842), so a band holds about a fifth
of the customers when the scaled feature is normal. Each band has a word
(:data:`tierkit.tiers.vocabulary.CLUSTER_BANDS`): ``very_recent-frequent-high_spend`` is a
cluster whose customers bought very recently, often, and spent more than most. When two
clusters fall in the same band on every feature they are told apart on the feature where
their centres differ most (``-higher_spend`` / ``-lower_spend``), again until every name is
unique: names never carry numbers.

**Strategies.** The monetary band sets how much to invest (protect, invest, develop, low
cost, minimal cost), the recency band what to do now (keep in touch ... one reactivation
attempt) and the frequency band how to grow the relationship (reward loyalty ... turn the
first purchase into a second). Distinct names give distinct strategies. The label and the
strategy are read back from the name alone, so a scored table needs no fitted model to be
labelled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.tiers.vocabulary import CLUSTER_BANDS, CLUSTER_COMPARATIVES, check_lang

#: Band edges of a standardised centre coordinate: the quintiles of a standard normal.
BAND_EDGES = (-0.8416, -0.2533, 0.2533, 0.8416)

_WORDS = {t.key: (feature, t) for feature, bands in CLUSTER_BANDS.items() for t in bands}
_WORDS.update({t.key: (feature, t) for feature, pair in CLUSTER_COMPARATIVES.items() for t in pair})
_COMPARATIVE_KEYS = {t.key for pair in CLUSTER_COMPARATIVES.values() for t in pair}
_STRATEGY_ORDER = ("monetary", "recency", "frequency")


def value_order(means: pd.DataFrame, sizes: np.ndarray) -> np.ndarray:
    """Old cluster numbers from most to least valuable (``means`` has recency, frequency, monetary).

    Parameters
    ----------
    means : pandas.DataFrame
        Mean recency, frequency and monetary per cluster, in original units.
    sizes : numpy.ndarray
        Customers per cluster.

    Returns
    -------
    numpy.ndarray
        The cluster numbers, most valuable first.

    Examples
    --------
    >>> m = pd.DataFrame({"recency": [9., 1, 5], "frequency": [1., 5, 5], "monetary": [10., 90, 90]})
    >>> value_order(m, np.array([10, 10, 10])).tolist()
    [1, 2, 0]
    """
    keys = (-np.asarray(sizes), means["recency"].to_numpy(), -means["frequency"].to_numpy(),
            -means["monetary"].to_numpy())
    return np.lexsort(keys)


def band(value: float) -> int:
    """Band (0 = lowest ... 4 = highest) of a standardised centre coordinate.

    Parameters
    ----------
    value : float
        The coordinate in the scaled space (population mean 0, standard deviation 1).

    Returns
    -------
    int
        Index into the feature's :data:`~tierkit.tiers.vocabulary.CLUSTER_BANDS`.

    Examples
    --------
    >>> band(-1.2), band(0.1), band(0.5), band(2.0)
    (0, 2, 3, 4)
    """
    return int(np.searchsorted(BAND_EDGES, value, side="right"))


def cluster_names(centres: pd.DataFrame) -> list[str]:
    """Unique names of clusters from their standardised centres (see module docs).

    Parameters
    ----------
    centres : pandas.DataFrame
        One row per cluster, one column per clustered feature: the centre in the scaled space.

    Returns
    -------
    list of str
        One name per row, e.g. ``very_recent-very_frequent-very_high_spend``.

    Examples
    --------
    >>> c = pd.DataFrame({"recency": [-1.2, -1.0, 0.6], "frequency": [1.5, 1.1, -0.5],
    ...                   "monetary": [1.4, 0.9, -0.6]})
    >>> for name in cluster_names(c):
    ...     print(name)
    very_recent-very_frequent-very_high_spend-higher_spend
    very_recent-very_frequent-very_high_spend-lower_spend
    lapsing-infrequent-low_spend
    """
    features = list(centres.columns)
    unknown = [f for f in features if f not in CLUSTER_BANDS]
    if unknown:
        raise ValueError(f"cluster_names: no band words for feature(s) {', '.join(unknown)}")
    values = centres.to_numpy(dtype="float64")
    words = [[CLUSTER_BANDS[f][band(v)].key for f, v in zip(features, row, strict=True)] for row in values]
    groups: dict[tuple, list[int]] = {}
    for i, w in enumerate(words):
        groups.setdefault(tuple(w), []).append(i)
    for members in groups.values():
        _tell_apart(members, values, features, words)
    return ["-".join(w) for w in words]


def _tell_apart(members: list[int], values: np.ndarray, features: list[str], words: list[list[str]]) -> None:
    """Append comparatives to clusters sharing every band, splitting at the widest gap, until unique."""
    if len(members) < 2:
        return
    spread = values[members].max(axis=0) - values[members].min(axis=0)
    j = int(np.argmax(spread))
    order = sorted(members, key=lambda i: values[i, j])
    gaps = np.diff(values[order, j])
    cut = int(np.argmax(gaps)) + 1
    higher, lower = CLUSTER_COMPARATIVES[features[j]]
    for i in order[:cut]:
        words[i].append(lower.key)
    for i in order[cut:]:
        words[i].append(higher.key)
    _tell_apart(order[:cut], values, features, words)
    _tell_apart(order[cut:], values, features, words)


def _words(name: str):
    parts = name.split("-")
    found = [_WORDS.get(p) for p in parts]
    return None if any(f is None for f in found) else found


def cluster_label(name: str, lang: str) -> str:
    """The readable label of a cluster name.

    Parameters
    ----------
    name : str
        A cluster name from :func:`cluster_names`.
    lang : {"en", "zh"}
        Language of the label.

    Returns
    -------
    str
        The band words in the language; the name itself when it is not made of band words.

    Examples
    --------
    >>> cluster_label("very_recent-frequent-high_spend", "en")
    'Very recent · frequent · high spend'
    >>> cluster_label("very_recent-frequent-high_spend", "zh")
    '最近刚购买·经常购买·消费较高'
    """
    check_lang(lang)
    found = _words(name)
    if found is None:
        return name
    if lang == "zh":
        return "·".join(t.zh for _, t in found)
    text = " · ".join(t.en for _, t in found)
    return text[:1].upper() + text[1:]


def cluster_strategy(name: str, lang: str) -> str:
    """The strategy a cluster's bands call for (see module docs).

    Parameters
    ----------
    name : str
        A cluster name from :func:`cluster_names`.
    lang : {"en", "zh"}
        Language of the strategy.

    Returns
    -------
    str
        The monetary band's investment, then the recency and frequency bands' actions, then
        the comparatives that tell the cluster from its twin; empty for other names.

    Examples
    --------
    >>> cluster_strategy("lapsing-infrequent-mid_spend", "en")
    'Develop: offers that raise the basket; win them back with a personal offer; give reasons to come back'
    """
    check_lang(lang)
    found = _words(name)
    if found is None:
        return ""
    by_feature = {feature: t for feature, t in found if t.strategy_en}
    actions = [by_feature[f].strategy(lang) for f in _STRATEGY_ORDER if f in by_feature]
    comparatives = [t.label(lang) for _, t in found if t.key in _COMPARATIVE_KEYS]
    text = "; ".join(actions)
    if comparatives:
        text += f" ({', '.join(comparatives)})" if lang == "en" else f" ({'、'.join(comparatives)})"
    return text



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

    Examples
    --------
    >>> t = pd.DataFrame({"recency": [1.0, 3.0, 30.0], "frequency": [5, 3, 1], "monetary": [500.0, 300.0, 20.0]})
    >>> p = cluster_profiles(t, np.array([0, 0, 1]), ["a", "b"])
    >>> p["revenue_share"].round(3).tolist(), p["customers"].tolist()
    ([0.976, 0.024], [2, 1])
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
