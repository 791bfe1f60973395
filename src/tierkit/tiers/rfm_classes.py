"""The course's 2x2x2 RFM scheme: 8 customer classes from R, F and M against their means.

A metric is *high* when it is better than or equal to the population mean learned at fit:
recency at or below the mean (bought recently), frequency and monetary at or above it.
Monetary decides important (high M) against general (low M); R and F decide value (high,
high), develop (high R, low F), retain (low R, high F) and win-back (low, low).
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from tierkit.features.statistics import Distinct, mean_of_counts
from tierkit.tiers._base import FrameStatistics, TierTransformer, numeric_column
from tierkit.tiers.constraints import Interval, MappingOf, Options
from tierkit.words import RFM_CLASSES  # noqa: F401  (the scheme's tiers)

_METRICS = ("recency", "frequency", "monetary")

# (R high, F high, M high) -> key
_CLASS_OF = {
    (True, True, True): "important_value",
    (True, False, True): "important_develop",
    (False, True, True): "important_retain",
    (False, False, True): "important_winback",
    (True, True, False): "general_value",
    (True, False, False): "general_develop",
    (False, True, False): "general_retain",
    (False, False, False): "general_winback",
}


def rfm_class_key(r_high: np.ndarray, f_high: np.ndarray, m_high: np.ndarray) -> np.ndarray:
    """Class key for each customer from three boolean arrays.

    Examples
    --------
    >>> rfm_class_key(np.array([True]), np.array([False]), np.array([True])).tolist()
    ['important_develop']
    """
    code = r_high.astype(int) * 4 + f_high.astype(int) * 2 + m_high.astype(int)
    lookup = np.empty(8, dtype=object)
    for (r, f, m), key in _CLASS_OF.items():
        lookup[int(r) * 4 + int(f) * 2 + int(m)] = key
    return lookup[code]


class RFMClassifier(TierTransformer):
    """The 8 RFM classes of the course, against means learned at fit.

    Parameters
    ----------
    thresholds : dict, optional
        Explicit thresholds ``{"recency": .., "frequency": .., "monetary": ..}`` instead of
        the learned means (any subset).

    Attributes
    ----------
    thresholds_ : dict of str to float
        The thresholds in use (means of the fitted base unless given).

    Examples
    --------
    >>> f = pd.DataFrame({"recency": [10, 30], "frequency": [4, 1], "monetary": [100, 50]})
    >>> RFMClassifier().fit_transform(f)["rfm_class"].tolist()
    ['important_value', 'general_winback']
    """

    _parameter_constraints = {
        "thresholds": [MappingOf(Options(_METRICS), Interval(Real, None, None, closed="neither")), None],
    }

    def __init__(self, thresholds=None):
        self.thresholds = thresholds

    def _columns_in(self, X):
        return _METRICS

    def _columns_out(self):
        return ("r_high", "f_high", "m_high", "rfm_class")

    _learns_from_counts = True

    def _fit(self, X):
        """Learn the population means of recency, frequency and monetary (those not given)."""
        self._fit_statistics(FrameStatistics(X, self._who))

    def _fit_statistics(self, statistics):
        given = dict(self.thresholds or {})
        self.thresholds_ = {
            m: float(given[m]) if m in given else mean_of_counts(*statistics.distinct(Distinct(m)))
            for m in _METRICS
        }

    def _transform(self, X):
        """``r_high``, ``f_high``, ``m_high`` flags and the ``rfm_class`` key per customer."""
        t = self.thresholds_
        r_high = numeric_column(X, "recency", "RFMClassifier") <= t["recency"]
        f_high = numeric_column(X, "frequency", "RFMClassifier") >= t["frequency"]
        m_high = numeric_column(X, "monetary", "RFMClassifier") >= t["monetary"]
        return pd.DataFrame(
            {"r_high": r_high, "f_high": f_high, "m_high": m_high,
             "rfm_class": rfm_class_key(r_high, f_high, m_high)},
            index=X.index,
        )
