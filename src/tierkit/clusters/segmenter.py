"""``KMeansSegmenter``: k-means on skew-reduced, standardised RFM features, named and ordered.

Pipeline: a skew-reducing transform (``log1p`` after clipping negatives to 0 -- net returns can
make monetary negative -- or Yeo-Johnson), then standard scaling, then k-means++ with a fixed
``random_state``. When ``k`` is not given it is chosen over ``k_range`` on a seeded sample
(:mod:`tierkit.clusters.selection`); the final model is fitted on every customer, starting from
the chosen k's centres on the sample. Clusters are then renumbered so that 0 is the most
valuable and named by where their customers sit in the base on each feature
(:mod:`tierkit.clusters.naming`).

**Choosing k for use.** By default (``selection_rule="action"``) k is the largest k in
``k_range`` whose clusters a marketer can act on: every cluster holds at least 5 % of the
customers, every two clusters' centres are at least half a standard deviation apart on
recency, frequency or monetary (or CLV when clustered), and the least stable cluster keeps a
mean Jaccard of at least 0.75 over three seeded bootstrap resamples. The ks are checked from
the largest down and the bootstraps run only for a k that passes the two cheap criteria, so
k = 2 is chosen only when no larger k holds; when no k holds, the validity indices' vote
decides. ``k_reason_`` records the rule, the criteria, every candidate's figures and why the
k was chosen, for reports ("why this k"). An explicit ``k`` is used as given.

The bootstrap stability of the final clusters (20 resamples) is a diagnostic, not part of
``fit``: :func:`tierkit.evaluation.stability.assess_stability` measures it on the sample
(``tierkit clusters``, ``report`` and ``run`` call it) and records it on the segmenter
(:meth:`KMeansSegmenter.record_stability`).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, PowerTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted

from tierkit.clusters.naming import cluster_profiles, name_clusters, value_order
from tierkit.clusters.selection import (
    MIN_CUSTOMERS_PER_CLUSTER,
    MIN_K,
    SELECTION_RULES,
    choice_reason,
    closest_separation,
    sample_rows,
    select_k,
)
from tierkit.errors import DataError, Param, TierkitError
from tierkit.tiers._base import FrameStatistics, TierTransformer, numeric_column, require_columns
from tierkit.tiers.constraints import Interval, Options, SequenceOf

DEFAULT_FEATURES = ("recency", "frequency", "monetary")
OPTIONAL_FEATURES = ("tenure", "clv")
#: Features on which clusters must differ to be acted on: value (frequency, monetary, CLV) and activity (recency).
VALUE_AND_ACTIVITY = ("recency", "frequency", "monetary", "clv")


def clipped_log1p(X):
    """``log1p`` of the values clipped at 0 (a module-level function, so the pipeline pickles)."""
    return np.log1p(np.clip(X, 0.0, None))


class KMeansSegmenter(TierTransformer):
    """K-means clusters of customers with a k to act on, stable numbering and RFM names.

    Parameters
    ----------
    features : sequence of str, default=("recency", "frequency", "monetary")
        Feature columns clustered; ``tenure`` and ``clv`` (from the CLV step) may be added.
    k : int, optional
        Number of clusters; default chosen over ``k_range`` by ``selection_rule``.
    k_range : (int, int), default=(2, 10)
        Smallest and largest k tried when ``k`` is not given, both included.
    selection_rule : {"action", "vote", "silhouette", "calinski_harabasz", "davies_bouldin", "knee"}, \
default="action"
        How k is chosen when not given. ``"action"``: the largest k whose clusters can be acted
        on -- every cluster at least 5 % of the customers, every two clusters at least 0.5
        standard deviations apart on recency, frequency or monetary (CLV too when clustered;
        tenure does not count), the least stable cluster's mean Jaccard over 3 seeded bootstrap
        resamples at least 0.75 -- checked on the sample from the largest k down; the indices'
        vote when no k passes. ``"vote"``: the k that at least two of silhouette,
        Calinski-Harabasz and Davies-Bouldin prefer. See :mod:`tierkit.clusters.selection`.
    skew_transform : {"log1p", "yeo-johnson"}, default="log1p"
        Transform of the skewed features before standardising.
    random_state : int, default=0
        Seed of the sample, of k-means and of the bootstrap resamples that choose k.
    n_init : int, default=4
        k-means++ restarts of the fit with a given ``k``. The search over k, which compares each
        k on the sample, uses half as many (at least one), as do its bootstrap resamples (on
        CDNOW its silhouettes, Calinski-Harabasz and Davies-Bouldin indices agree with four
        restarts' to 3 decimals); the final fit on every customer then starts from the chosen
        k's centres on the sample, so the clusters delivered are the ones whose figures chose k.
    sample_size : int, default=10000
        Customers sampled (seeded) for choosing k, silhouette and stability. On CDNOW, seeds 0-3
        give the same k on 10,000 as on 20,000 customers, with silhouettes within 0.005, in 60 %
        of the time.
    fit_sample_size : int or None, default=200_000
        On a larger base, the clusters (scaling, centres, names and profiles) are learned on this
        many customers, those with the smallest hash of their id
        (:func:`tierkit.features.statistics.hash_keys`): the same customers whichever engine
        draws them (pandas, DuckDB, Spark), so a base too large for memory is clustered as it
        would be in memory. Every customer is then assigned to the nearest centre. None: every
        customer.
    n_threads : int, default=1
        OpenMP and BLAS threads while fitting (through ``threadpoolctl``). One thread by default:
        k-means' threads spin while they wait, so on cores shared with other work (a second job,
        a notebook, a CI run) more threads make the fit several times slower, not faster. Raise
        it on a machine that does nothing else.

    Attributes
    ----------
    k_, k_rule_ : int, str
        Chosen k and the rule that chose it, in words (``given: k=5`` for an explicit k).
    k_reason_ : dict
        Why this k, as data: ``rule``, ``chosen``, ``vote`` (the k the indices' vote gives),
        ``why`` (= ``k_rule_``), ``criteria`` (the ``action`` rule's thresholds and the
        features the separation is measured on) and ``candidates`` (per k: smallest cluster's
        share, separation, silhouette, least stable cluster's Jaccard where measured, the
        ``action`` verdict, chosen). For an explicit k: ``rule`` ``"given"``, ``chosen``, ``why``.
    selection_ : pandas.DataFrame or None
        Per candidate k: inertia, silhouette, Calinski-Harabasz, Davies-Bouldin, smallest
        share, separation, the indices preferring it (``preferred_by``), with the ``action``
        rule ``least_jaccard`` and ``action``, chosen.
    names_ : list of str
        Cluster names by cluster number (see :mod:`tierkit.clusters.naming`).
    naming_ : pandas.DataFrame
        Why each cluster has its name: per cluster and feature, its word, position in the
        base, mean and median beside the base's.
    pipeline_ : sklearn.pipeline.Pipeline
        Transform, scaler and the final k-means.
    profiles_ : pandas.DataFrame
        Per cluster (0 = most valuable): name, size, share, mean R/F/M, revenue share,
        relative importance, Jaccard stability.
    stability_ : dict or None
        Bootstrap ARI (mean, std), Jaccard per cluster, verdicts and the rule of thumb; None
        until the diagnostic :func:`tierkit.evaluation.stability.assess_stability` ran.

    Examples
    --------
    Recent big spenders (150), one-time buyers of little some 150 days ago (250) and more than
    a year ago (600): the indices vote for k = 2 (big spenders and the rest), but the two kinds
    of one-time buyer differ in activity, each is a fifth of the base or more and stable, so
    k = 3; four or more clusters would cut a kind in two (too close):

    >>> rng = np.random.default_rng(0)
    >>> def kind(n, recency, frequency, monetary):
    ...     return pd.DataFrame({"recency": recency * rng.lognormal(0, 0.1, n),
    ...                          "frequency": np.round(frequency * rng.lognormal(0, 0.1, n)),
    ...                          "monetary": monetary * rng.lognormal(0, 0.1, n)})
    >>> f = pd.concat([kind(150, 5, 12, 900), kind(250, 150, 1, 30), kind(600, 400, 1, 30)], ignore_index=True)
    >>> seg = KMeansSegmenter().fit(f)
    >>> seg.k_, seg.k_reason_["vote"], [c["action"] for c in seg.k_reason_["candidates"]][:3]
    (3, 2, ['not checked', 'actionable', 'too close'])
    >>> seg.profiles_["cluster_name"].tolist()
    ['very_recent-very_frequent-very_high_spend', 'recent-rare-mid_spend', 'lapsing-rare-mid_spend']

    An explicit k is used as given:

    >>> KMeansSegmenter(k=2).fit(f).k_reason_
    {'rule': 'given', 'chosen': 2, 'why': 'given: k=2'}
    """

    _parameter_constraints = {
        "features": [SequenceOf(Options(DEFAULT_FEATURES + OPTIONAL_FEATURES), min_length=1)],
        "k": [Interval(Integral, MIN_K, None, closed="left"), None],
        "k_range": [SequenceOf(Interval(Integral, MIN_K, None, closed="left"), length=2)],
        "selection_rule": [Options(SELECTION_RULES)],
        "skew_transform": [Options(("log1p", "yeo-johnson"))],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "sample_size": [Interval(Integral, 1, None, closed="left")],
        "fit_sample_size": [Interval(Integral, 1000, None, closed="left"), None],
        "n_threads": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, features=DEFAULT_FEATURES, k=None, k_range=(2, 10), selection_rule="action",
                 skew_transform="log1p", random_state=0, n_init=4, sample_size=10_000, fit_sample_size=200_000,
                 n_threads=1):
        self.features = features
        self.k = k
        self.k_range = k_range
        self.selection_rule = selection_rule
        self.skew_transform = skew_transform
        self.random_state = random_state
        self.n_init = n_init
        self.sample_size = sample_size
        self.fit_sample_size = fit_sample_size
        self.n_threads = n_threads

    def _check_parameters_together(self):
        low, high = self.k_range
        if low >= high:
            raise TierkitError("k_range_order", param=Param("k_range"), value=repr(self.k_range), low=MIN_K)

    def _matrix(self, X) -> np.ndarray:
        require_columns(X, self.features_, "KMeansSegmenter")
        return np.column_stack([numeric_column(X, c, "KMeansSegmenter") for c in self.features_])

    def _columns_in(self, X):
        # profit, when there, is the value the cluster profiles report (learned at fit)
        value = ("profit",) if "profit" in X.columns else ()
        return tuple(dict.fromkeys([*DEFAULT_FEATURES, *self.features, *value]))

    def _columns_out(self):
        return ("cluster", "cluster_name")

    _learns_from_counts = True  # from a sample any engine draws alike

    def _fit(self, X):
        """Choose k (unless given), fit on every customer (or the hash sample), order and name the clusters."""
        self._fit_statistics(FrameStatistics(X, self._who))

    def _fit_statistics(self, statistics):
        from threadpoolctl import threadpool_limits

        columns = self._columns_in(pd.DataFrame(columns=list(statistics.columns)))
        X = statistics.sample(columns, self.fit_sample_size)
        self.fitted_customers_ = len(X)
        with threadpool_limits(limits=int(self.n_threads)):
            self._fit_clusters(X)

    def _fit_clusters(self, X):
        self.features_ = list(self.features)
        values = self._matrix(X)
        n = len(values)
        if self.k is not None and self.k * MIN_CUSTOMERS_PER_CLUSTER > n:
            raise DataError("k_too_few", where="KMeansSegmenter", param=Param("k"), value=self.k,
                            least=self.k * MIN_CUSTOMERS_PER_CLUSTER, per=MIN_CUSTOMERS_PER_CLUSTER, n=n)
        if n < 3:
            raise DataError("too_few_to_cluster", where="KMeansSegmenter", n=n)
        shaper = (FunctionTransformer(clipped_log1p) if self.skew_transform == "log1p"
                  else PowerTransformer(method="yeo-johnson", standardize=False))
        prep = Pipeline([("shape", shaper), ("scale", StandardScaler())]).fit(values)
        Z = prep.transform(values)
        sample = sample_rows(n, self.sample_size, self.random_state)
        if self.k is None:
            separation_on = [f for f in self.features_ if f in VALUE_AND_ACTIVITY]
            columns = [self.features_.index(f) for f in separation_on]
            refitted = {}

            def on_everyone(k, centres):
                # start from the clusters whose figures chose k, so the ones delivered are the ones checked
                model = refitted[k] = KMeans(n_clusters=k, init=centres, n_init=1,
                                             random_state=self.random_state).fit(Z)
                return (np.bincount(model.labels_, minlength=k).min() / n,
                        closest_separation(model.cluster_centers_[:, columns]))

            self.selection_, k, self.k_rule_, start = select_k(
                Z[sample], self.k_range, rule=self.selection_rule, random_state=self.random_state,
                n_init=max(1, self.n_init // 2), separation_columns=columns,
                confirm=on_everyone if len(sample) < n else None, return_centres=True)
            self.k_reason_ = choice_reason(self.selection_, self.selection_rule, separation_on)
            if k not in refitted:  # the vote, or the sample is every customer
                on_everyone(k, start)
            kmeans = refitted[k]
        else:
            self.selection_, k, self.k_rule_ = None, int(self.k), f"given: k={self.k}"
            self.k_reason_ = {"rule": "given", "chosen": k, "why": self.k_rule_}
            kmeans = KMeans(n_clusters=k, init="k-means++", n_init=self.n_init, random_state=self.random_state).fit(Z)
        raw = kmeans.labels_
        frame = pd.DataFrame({c: numeric_column(X, c, "KMeansSegmenter") for c in DEFAULT_FEATURES})
        means = frame.groupby(raw).mean().reindex(range(k))
        sizes = np.bincount(raw, minlength=k)
        order = value_order(means, sizes)  # old numbers, most valuable first
        self.relabel_ = np.empty(k, dtype="int64")
        self.relabel_[order] = np.arange(k)
        labels = self.relabel_[raw]
        clustered = pd.DataFrame({c: numeric_column(X, c, "KMeansSegmenter") for c in self.features_})
        names, self.naming_ = name_clusters(clustered, labels, k)
        self.names_ = names
        self.k_ = k
        self.pipeline_ = Pipeline([("shape", prep.named_steps["shape"]), ("scale", prep.named_steps["scale"]),
                                   ("kmeans", kmeans)])
        value = "profit" if "profit" in X.columns else "monetary"
        table = frame.copy()
        if value != "monetary":
            table[value] = numeric_column(X, value, "KMeansSegmenter")
        self.profiles_ = cluster_profiles(table, labels, names, value=value)
        self.stability_ = None

    def scaled_sample(self, X) -> tuple[np.ndarray, np.ndarray]:
        """The seeded sample of ``X`` in the scaled space, and its cluster numbers.

        The customers k was chosen on (``sample_size`` of them, seeded by ``random_state``),
        transformed and scaled as at fit, with the cluster of each (0 = most valuable): what the
        stability diagnostic (:func:`tierkit.evaluation.stability.assess_stability`) resamples.

        Parameters
        ----------
        X : pandas.DataFrame
            The feature table the segmenter was fitted on.

        Returns
        -------
        Z : ndarray of shape (n, d)
            The sample's scaled features.
        labels : ndarray of int
            Their clusters.
        """
        check_is_fitted(self, "pipeline_")
        values = self._matrix(X)
        sample = sample_rows(len(values), self.sample_size, self.random_state)
        Z = self.pipeline_[:-1].transform(values[sample])
        return Z, self.relabel_[self.pipeline_[-1].predict(Z)]

    def record_stability(self, stability: dict):
        """Keep a stability diagnostic of these clusters: ``stability_``, and per cluster in ``profiles_``.

        Parameters
        ----------
        stability : dict
            :func:`tierkit.evaluation.stability.cluster_stability` of the clusters: its
            ``jaccard`` and ``verdict`` (one per cluster) become the ``jaccard`` and
            ``stability`` columns of ``profiles_``.

        Returns
        -------
        KMeansSegmenter
            self.
        """
        check_is_fitted(self, "pipeline_")
        if len(stability["jaccard"]) != self.k_ or len(stability["verdict"]) != self.k_:
            raise ValueError(f"a stability of {len(stability['jaccard'])} clusters for a segmenter of {self.k_}")
        self.stability_ = dict(stability)
        self.profiles_["jaccard"] = list(stability["jaccard"])
        self.profiles_["stability"] = list(stability["verdict"])
        return self

    def predict(self, X) -> np.ndarray:
        """Cluster number of each customer (0 = most valuable)."""
        check_is_fitted(self, "pipeline_")
        return self.relabel_[self.pipeline_.predict(self._matrix(X))]

    def _transform(self, X) -> pd.DataFrame:
        """``cluster`` and ``cluster_name`` per customer."""
        labels = self.predict(X)
        return pd.DataFrame({"cluster": labels.astype("int64"),
                             "cluster_name": np.asarray(self.names_, dtype=object)[labels]}, index=X.index)

    def centres(self) -> pd.DataFrame:
        """Cluster centres in the scaled space (rows in cluster order)."""
        check_is_fitted(self, "pipeline_")
        centres = self.pipeline_.named_steps["kmeans"].cluster_centers_
        order = np.argsort(self.relabel_)
        return pd.DataFrame(centres[order], columns=self.features_, index=pd.RangeIndex(self.k_, name="cluster"))

    def standards(self) -> dict:
        """Chosen k, rule and its reason, centres, profiles, naming evidence, selection table and stability."""
        check_is_fitted(self, "pipeline_")
        out = {
            "k": self.k_,
            "k_rule": self.k_rule_,
            "features": list(self.features_),
            "skew_transform": self.skew_transform,
            "centres_scaled": self.centres().round(6).to_dict("index"),
            "profiles": self.profiles_.reset_index().to_dict("records"),
        }
        # a model saved before issue 21 has neither
        if hasattr(self, "k_reason_"):
            out["k_reason"] = self.k_reason_
        if hasattr(self, "naming_"):
            out["naming"] = self.naming_.to_dict("records")
        if self.selection_ is not None:
            out["selection"] = self.selection_.reset_index().to_dict("records")
        if self.stability_ is not None:
            out["stability"] = dict(self.stability_)
        return out
