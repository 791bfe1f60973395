"""Order, names and strategies of clusters: 0 is the most valuable, each name says where it sits.

**Order.** Clusters are ranked by mean monetary value, then mean frequency, then smaller mean
recency, then size (all in original units), highest first: cluster 0 is the most valuable, so
labels do not depend on the order in which k-means happened to find its centres.

**Names.** A cluster is named, feature by feature, by where its customers sit in the whole
base, and a word is used only when it holds against the base *and* against the other clusters:

1. *Position against the base.* Take every pair of a customer of the cluster and a customer
   of the whole base whose values of the feature differ: the cluster's **position** is the
   share of those pairs in which its customer has the higher value (0.5: no different from
   the base). It depends on ranks only, so the skew-reducing transform does not change it, and
   ties are left out, so a cluster of one-time buyers sits at 0 on frequency however many
   one-time buyers the base holds.
2. *Band.* Below 0.2 the lowest word (``very_recent``, ``rare``, ``very_low_spend``: the odds
   are at least 4:1 that its customer is the lower of two who differ), below 0.4 the low word
   (``recent``, ``infrequent``, ``low_spend``: odds of 3:2 or more), above 0.6 the high word
   (``lapsing``, ``frequent``, ``high_spend``), above 0.8 the highest (``lapsed``,
   ``very_frequent``, ``very_high_spend``); from 0.4 to 0.6 the neutral middle word
   (``mid_recency``, ``mid_frequency``, ``mid_spend``). Recency is in time since the last
   purchase, so its low words are the recent ones. The words are
   :data:`tierkit.words.CLUSTER_BANDS`.
3. *The figures shown must agree.* A low word also needs the cluster's mean below the base's
   mean (so ``recency_vs_population`` in the profiles is negative) and its median at or below
   the base's median; a high word the reverse. Otherwise the middle word: a name never
   contradicts the means and medians a report shows beside it.
4. *Against the other clusters.* Words follow the clusters' positions, so a cluster is never
   given a lower word than a cluster below it. Clusters with the same word on every feature
   are told apart on the feature where their positions differ most, at the widest gap
   (``-higher_spend`` / ``-lower_spend``, ``-more_recent`` / ``-less_recent`` ...), again until
   every name is unique: names never carry numbers.

Names are relative to the base the segmenter was fitted on, not to the calendar: on CDNOW as
of 1998-06-30, where half the customers last bought 471 days earlier, the cluster of repeat
buyers whose last purchase was 219 days earlier on average (median 198) is more recent than
the other customer in 74 % of pairs (position 0.26), and is called ``recent``; the lifecycle
stages agree (CDNOW's customers are at risk after 254 days). The evidence (position, side,
mean and median of the cluster and of the base, every customer, original units) is kept as
the segmenter's ``naming_``.

Before issue 21 the bands were cut at the quintiles of a standard normal on the standardised
centres in the skew-reduced space, which matches the base only when that space is normal; it
is not (CDNOW's log recency is bimodal, frequency mostly tied at one purchase), and names
contradicted the profiles beside them: with k = 5 on Online Retail a cluster whose mean spend
is 34 % below the base's was ``high_spend``; on CDNOW for every k from 4 to 10, and on Online
Retail for four of those ks, one or two words went against the cluster's mean or median.

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

from tierkit.words import CLUSTER_BANDS, CLUSTER_COMPARATIVES

# a cluster's label and strategy are words, read from its name alone: the catalogue renders them
from tierkit.words import cluster_label as cluster_label
from tierkit.words import cluster_strategy as cluster_strategy

#: Positions at which the band words change: very low < 0.2 <= low < 0.4 <= middle <= 0.6 < high <= 0.8 < very high.
POSITION_EDGES = (0.2, 0.4, 0.6, 0.8)
#: Band of the neutral middle word.
MIDDLE = 2


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


def cluster_positions(values: pd.DataFrame, labels: np.ndarray, k: int) -> pd.DataFrame:
    """Each cluster's position on each feature: how often its customers are the higher of two who differ.

    Over every pair of a customer of the cluster and a customer of the base whose values of
    the feature differ, the share of pairs in which the cluster's customer has the higher value
    (0.5 when no two customers differ). Ties are left out, so a cluster of one-time buyers sits
    at 0 on frequency however many one-time buyers the base holds.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer of the base, one column per clustered feature, original units.
    labels : ndarray of int
        Cluster of each row (0 ... k - 1).
    k : int
        Number of clusters.

    Returns
    -------
    pandas.DataFrame
        One row per cluster, one column per feature: values in [0, 1], 0.5 = like the base.

    Examples
    --------
    Recency 1, 2, 3, 4, 5 days: the customers at 1 and 2 days are lower than 4 + 3 others and
    higher than 0 + 1, so their cluster sits at 1 / 8; bought once, once, once, 3 and 7 times:
    the one-time buyers are never the higher.

    >>> v = pd.DataFrame({"recency": [1.0, 2, 3, 4, 5], "frequency": [1.0, 1, 1, 3, 7]})
    >>> cluster_positions(v, np.array([0, 0, 1, 1, 1]), 2).round(3)
             recency  frequency
    cluster
    0          0.125        0.0
    1          0.750        0.7
    """
    labels = np.asarray(labels)
    out = {}
    for column in values.columns:
        x = values[column].to_numpy(dtype="float64")
        _, which, counts = np.unique(x, return_inverse=True, return_counts=True)  # one sort
        up_to = np.cumsum(counts).astype("float64")
        below = (up_to - counts)[which]  # customers lower than each one
        above = len(x) - up_to[which]  # ... higher
        higher = np.bincount(labels, weights=below, minlength=k)
        lower = np.bincount(labels, weights=above, minlength=k)
        pairs = higher + lower
        out[column] = np.where(pairs > 0, higher / np.where(pairs > 0, pairs, 1.0), 0.5)
    return pd.DataFrame(out, index=pd.RangeIndex(k, name="cluster"))


def cluster_sides(values: pd.DataFrame, labels: np.ndarray, k: int) -> pd.DataFrame:
    """On which side of the base each cluster's mean and median agree: -1 below, +1 above, 0 neither.

    -1 when the cluster's mean is below the base's mean and its median at or below the base's
    median; +1 when the mean is above and the median at or above; 0 otherwise.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer of the base, one column per clustered feature, original units.
    labels : ndarray of int
        Cluster of each row (0 ... k - 1).
    k : int
        Number of clusters.

    Returns
    -------
    pandas.DataFrame
        One row per cluster, one column per feature, values -1, 0 or 1.

    Examples
    --------
    One-time buyers (median 1 = the base's median) are below the base's mean of 2.2 purchases:

    >>> v = pd.DataFrame({"frequency": [1.0, 1, 1, 1, 7]})
    >>> cluster_sides(v, np.array([0, 0, 0, 1, 1]), 2)["frequency"].tolist()
    [-1, 1]
    """
    grouped = values.astype("float64").groupby(np.asarray(labels))
    return _sides(grouped.mean().reindex(range(k)), grouped.median().reindex(range(k)), values)


def _sides(means: pd.DataFrame, medians: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    below = (means < values.mean()) & (medians <= values.median())
    above = (means > values.mean()) & (medians >= values.median())
    out = below.astype("int64") * -1 + above.astype("int64")
    out.index = pd.RangeIndex(len(out), name="cluster")
    return out


def band(position: float, side: int | None = None) -> int:
    """Band (0 = lowest word ... 4 = highest) of a cluster's position, the middle unless ``side`` agrees.

    Parameters
    ----------
    position : float
        The cluster's position on the feature (:func:`cluster_positions`).
    side : {-1, 0, 1}, optional
        Where the cluster's mean and median sit against the base (:func:`cluster_sides`): a low band
        needs -1, a high band +1; None checks nothing.

    Returns
    -------
    int
        Index into the feature's :data:`~tierkit.words.CLUSTER_BANDS`.

    Examples
    --------
    >>> band(0.1), band(0.25), band(0.5), band(0.7), band(0.9)
    (0, 1, 2, 3, 4)
    >>> band(0.25, side=0), band(0.9, side=1)
    (2, 4)
    """
    lowest, low, high, highest = POSITION_EDGES
    found = (0 if position < lowest else 1 if position < low else 4 if position > highest
             else 3 if position > high else MIDDLE)
    if side is not None and ((found < MIDDLE and side != -1) or (found > MIDDLE and side != 1)):
        return MIDDLE
    return found


def cluster_names(where: pd.DataFrame, agree: pd.DataFrame | None = None) -> list[str]:
    """Unique names of clusters from their positions in the base (see module docs).

    Parameters
    ----------
    where : pandas.DataFrame
        One row per cluster, one column per clustered feature: the cluster's position
        (:func:`cluster_positions`).
    agree : pandas.DataFrame, optional
        Same shape: the side the cluster's mean and median agree on (:func:`cluster_sides`); a word off
        the middle is used only when they agree with it. None checks nothing.

    Returns
    -------
    list of str
        One name per row, e.g. ``very_recent-very_frequent-very_high_spend``.

    Examples
    --------
    >>> p = pd.DataFrame({"recency": [0.1, 0.15, 0.7], "frequency": [0.9, 0.85, 0.3],
    ...                   "monetary": [0.95, 0.85, 0.25]})
    >>> for name in cluster_names(p):
    ...     print(name)
    very_recent-very_frequent-very_high_spend-higher_spend
    very_recent-very_frequent-very_high_spend-lower_spend
    lapsing-infrequent-low_spend
    """
    features = list(where.columns)
    unknown = [f for f in features if f not in CLUSTER_BANDS]
    if unknown:
        raise ValueError(f"cluster_names: no band words for feature(s) {', '.join(unknown)}")
    values = where.to_numpy(dtype="float64")
    side = None if agree is None else agree.reindex(index=where.index, columns=features).to_numpy()
    words = [[CLUSTER_BANDS[f][band(v, None if side is None else int(side[i, j]))].key
              for j, (f, v) in enumerate(zip(features, row, strict=True))] for i, row in enumerate(values)]
    groups: dict[tuple, list[int]] = {}
    for i, w in enumerate(words):
        groups.setdefault(tuple(w), []).append(i)
    for members in groups.values():
        _tell_apart(members, values, features, words)
    return ["-".join(w) for w in words]


def naming_evidence(values: pd.DataFrame, labels: np.ndarray, k: int) -> pd.DataFrame:
    """What each cluster is named from: per cluster and feature, its position, side, mean and median and the base's.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer of the base, one column per clustered feature, original units.
    labels : ndarray of int
        Cluster of each row (0 ... k - 1).
    k : int
        Number of clusters.

    Returns
    -------
    pandas.DataFrame
        One row per cluster and feature: ``cluster``, ``feature``, ``position``
        (:func:`cluster_positions`), ``side`` (:func:`cluster_sides`), ``mean``, ``base_mean``,
        ``median``, ``base_median``. :func:`name_clusters` adds each cluster's ``word``.

    Examples
    --------
    >>> v = pd.DataFrame({"recency": [1.0, 2, 3, 4, 5]})
    >>> naming_evidence(v, np.array([0, 0, 1, 1, 1]), 2)[["cluster", "position", "side", "mean", "base_mean"]]
       cluster  position  side  mean  base_mean
    0        0     0.125    -1   1.5        3.0
    1        1     0.750     1   4.0        3.0
    """
    grouped = values.astype("float64").groupby(np.asarray(labels))
    means, medians = grouped.mean().reindex(range(k)), grouped.median().reindex(range(k))
    where, side = cluster_positions(values, labels, k), _sides(means, medians, values)
    base_mean, base_median = values.mean(), values.median()
    rows = [{"cluster": c, "feature": feature, "position": round(float(where.loc[c, feature]), 6),
             "side": int(side.loc[c, feature]), "mean": float(means.loc[c, feature]),
             "base_mean": float(base_mean[feature]), "median": float(medians.loc[c, feature]),
             "base_median": float(base_median[feature])}
            for c in range(k) for feature in values.columns]
    return pd.DataFrame(rows)


def name_clusters(values: pd.DataFrame, labels: np.ndarray, k: int) -> tuple[list[str], pd.DataFrame]:
    """Names of the clusters of ``labels`` (see module docs), with the evidence they come from.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer of the base, one column per clustered feature, original units.
    labels : ndarray of int
        Cluster of each row (0 ... k - 1).
    k : int
        Number of clusters.

    Returns
    -------
    names : list of str
        One name per cluster, by cluster number.
    evidence : pandas.DataFrame
        :func:`naming_evidence` with each cluster's ``word`` on the feature.

    Examples
    --------
    Two recent one-time buyers of little, and four long-gone customers who bought often and
    much. The four are two thirds of the base and pairs among themselves count too, so wholly
    above the other two they sit at 0.7: ``lapsing``, not ``lapsed``.

    >>> v = pd.DataFrame({"recency": [3.0, 5, 400, 450, 480, 500], "frequency": [1.0, 1, 6, 9, 7, 8],
    ...                   "monetary": [20.0, 25, 900, 1200, 700, 800]})
    >>> names, evidence = name_clusters(v, np.array([0, 0, 1, 1, 1, 1]), 2)
    >>> names
    ['very_recent-rare-very_low_spend', 'lapsing-frequent-high_spend']
    >>> evidence.loc[evidence["cluster"] == 1, ["feature", "word", "position", "mean", "base_mean"]].round(1)
         feature        word  position   mean  base_mean
    3    recency     lapsing       0.7  457.5      306.3
    4  frequency    frequent       0.7    7.5        5.3
    5   monetary  high_spend       0.7  900.0      607.5
    """
    evidence = naming_evidence(values, labels, k)
    names = cluster_names(evidence.pivot(index="cluster", columns="feature", values="position")[list(values.columns)],
                          evidence.pivot(index="cluster", columns="feature", values="side")[list(values.columns)])
    evidence.insert(2, "word", [names[c].split("-")[list(values.columns).index(f)]
                                for c, f in zip(evidence["cluster"], evidence["feature"], strict=True)])
    return names, evidence


def _tell_apart(members: list[int], values: np.ndarray, features: list[str], words: list[list[str]]) -> None:
    """Append comparatives to clusters sharing every word, splitting at the widest gap, until unique."""
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
