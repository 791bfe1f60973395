"""RFM scores: R, F and M each graded 1..5 on quantile edges learned at fit.

Scores are interval grades on edges that stay fixed after fit (the outer edges open, as in
feature-engine's ``EqualFrequencyDiscretiser``), so next month's base is graded by this
month's standards and values outside the training range still get a score.

**Ties.** The inner edges are the 20/40/60/80 % quantiles (for 5 bins). Bins are closed on
the right, ``(e[k-1], e[k]]``, and a value's score is ``1 + the number of inner edges strictly
below it``. Equal values therefore always get equal scores. When quantiles coincide (most
customers buying once), the coinciding bins are empty instead of arbitrary: on CDNOW the
inner frequency edges are ``[1, 1, 1, 2]``, so one-time buyers score F = 1, customers with
two purchase occasions F = 4, and more F = 5; scores 2 and 3 are not used. R is reversed:
the most recent customers score 5.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd

from tierkit.errors import Param, TierkitError
from tierkit.features.statistics import Distinct
from tierkit.tiers._base import FrameStatistics, TierTransformer, numeric_column
from tierkit.tiers.binning import grade, quantile_edges_of_counts
from tierkit.tiers.constraints import Interval, MappingOf, Options, SequenceOf

METRICS = ("recency", "frequency", "monetary")
_SCORE_COLUMNS = {"recency": "r_score", "frequency": "f_score", "monetary": "m_score"}


class RFMScorer(TierTransformer):
    """Grade recency, frequency and monetary value 1..``n_bins`` on edges learned at fit.

    Parameters
    ----------
    n_bins : int, default=5
        Number of grades per metric.
    edges : dict, optional
        Explicit inner edges per metric (``{"recency": [30, 90, 180, 365], ...}``, ascending,
        ``n_bins - 1`` values); metrics not given are learned from the data.
    weights : tuple of 3 floats, default=(1, 1, 1)
        Weights of R, F and M in ``rfm_score``, the weighted mean of the three scores.

    Attributes
    ----------
    bin_edges_ : dict of str to ndarray
        Inner edges per metric; the outer edges are -inf and +inf.

    Examples
    --------
    >>> f = pd.DataFrame({"recency": [1, 5, 9, 20, 40], "frequency": [9, 3, 2, 1, 1],
    ...                   "monetary": [500, 90, 60, 20, 10]})
    >>> RFMScorer().fit_transform(f)["rfm_cell"].tolist()
    ['555', '444', '333', '212', '111']
    """

    _parameter_constraints = {
        "n_bins": [Interval(Integral, 2, 9, closed="both")],
        "edges": [MappingOf(Options(METRICS), SequenceOf(Interval(Real, None, None, closed="neither"))), None],
        "weights": [SequenceOf(Interval(Real, 0, None, closed="left"), length=3)],
    }

    def __init__(self, n_bins=5, edges=None, weights=(1.0, 1.0, 1.0)):
        self.n_bins = n_bins
        self.edges = edges
        self.weights = weights

    def _check_parameters_together(self):
        for metric, values in (self.edges or {}).items():
            values = np.asarray(values, dtype="float64")
            if values.shape != (self.n_bins - 1,) or np.any(np.diff(values) < 0):
                raise TierkitError("ascending_numbers", param=Param(f"edges[{metric!r}]"), value=str(values.tolist()),
                                   n=self.n_bins - 1)
        if sum(self.weights) <= 0:
            raise TierkitError("weights_zero", param=Param("weights"), value=repr(self.weights))

    def _columns_in(self, X):
        return METRICS

    def _columns_out(self):
        return ("r_score", "f_score", "m_score", "rfm_cell", "rfm_score")

    _learns_from_counts = True

    def _fit(self, X):
        """Learn the quantile edges of R, F and M (those not given)."""
        self._fit_statistics(FrameStatistics(X, self._who))

    def _fit_statistics(self, statistics):
        edges = dict(self.edges or {})
        self.bin_edges_ = {
            m: (np.asarray(edges[m], dtype="float64") if m in edges
                else quantile_edges_of_counts(*statistics.distinct(Distinct(m)), self.n_bins))
            for m in METRICS
        }
        self.weights_ = np.asarray(self.weights, dtype="float64")

    def _transform(self, X):
        """``r_score``, ``f_score``, ``m_score``, ``rfm_cell`` and ``rfm_score`` per customer."""
        out = pd.DataFrame(index=X.index)
        for metric in METRICS:
            values = numeric_column(X, metric, "RFMScorer")
            out[_SCORE_COLUMNS[metric]] = grade(values, self.bin_edges_[metric], reverse=metric == "recency")
        out["rfm_cell"] = (
            out["r_score"].astype("str") + out["f_score"].astype("str") + out["m_score"].astype("str")
        )
        scores = out[["r_score", "f_score", "m_score"]].to_numpy(dtype="float64")
        out["rfm_score"] = scores @ self.weights_ / self.weights_.sum()
        return out

    def standards(self) -> dict:
        """The learned edges as plain lists, for reports and model artifacts.

        Returns
        -------
        dict of str to list of float
        """
        super().standards()  # not-fitted check
        return {m: [float(v) for v in e] for m, e in self.bin_edges_.items()}


def rfm_scores(features: pd.DataFrame, **params) -> pd.DataFrame:
    """One-shot :class:`RFMScorer`: fit on ``features`` and grade the same table.

    Parameters
    ----------
    features : pandas.DataFrame
        Features, one row per customer, with ``recency``, ``frequency`` and ``monetary``.
    **params
        Parameters of :class:`RFMScorer` (``n_bins``, ``edges``, ``weights``).

    Returns
    -------
    pandas.DataFrame
        ``r_score``, ``f_score``, ``m_score``, ``rfm_cell`` and ``rfm_score``, one row per row of
        ``features``, on its index.

    Examples
    --------
    >>> f = pd.DataFrame({"recency": [1, 9], "frequency": [3, 1], "monetary": [50, 5]})
    >>> rfm_scores(f, n_bins=2)["rfm_cell"].tolist()
    ['222', '111']
    """
    return RFMScorer(**params).fit_transform(features)
