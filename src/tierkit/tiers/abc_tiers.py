"""ABC / customer-pyramid tiers by contribution (profit when known, else net revenue).

Two readings of the cut-offs exist in practice and both are here:

* ``basis="rank"`` (default): rank 1 is the largest contributor, rank share = rank / number of
  customers, and a customer is in the first tier whose cut-off is >= its rank share. Tied
  contributions share the best rank among them, so equal values get equal tiers.
* ``basis="value"``: customers in descending order; a customer is in the first tier whose
  cut-off is above the share of total positive contribution held by the customers ranked
  above it (so the largest customer is always in the top tier).

At fit the cut-offs become contribution thresholds (the smallest contribution in each tier and
above); transform grades any later batch by those thresholds unchanged. A customer whose
contribution is negative (a "lead" customer who costs more than they bring) is always in the
lowest tier.

==============  ======================================  ==================  ================
scheme          tiers (keys)                            rank cut-offs       value cut-offs
==============  ======================================  ==================  ================
``course``      high_end, important, ordinary, small    5%, 20%, 50%, 100%  50%, 80%, 95%, 100%
``abc``         A, B, C                                 20%, 50%, 100%      80%, 95%, 100%
``pyramid``     platinum, gold, iron, lead              5%, 20%, 50%, 100%  50%, 80%, 95%, 100%
==============  ======================================  ==================  ================
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from tierkit.errors import Param, TierkitError
from tierkit.features.statistics import Distinct
from tierkit.tiers._base import FrameStatistics, TierTransformer, numeric_column
from tierkit.tiers.constraints import Interval, Options, SequenceOf
from tierkit.words import ABC_TIERS  # noqa: F401  (the scheme's tiers)

RANK_CUTOFFS = {"course": (0.05, 0.20, 0.50, 1.0), "abc": (0.20, 0.50, 1.0), "pyramid": (0.05, 0.20, 0.50, 1.0)}
VALUE_CUTOFFS = {"course": (0.50, 0.80, 0.95, 1.0), "abc": (0.80, 0.95, 1.0), "pyramid": (0.50, 0.80, 0.95, 1.0)}


def tier_thresholds(value: np.ndarray, tier: np.ndarray, keys) -> dict:
    """The smallest non-negative contribution in each tier and above; the last tier gets ``-inf``.

    Parameters
    ----------
    value : ndarray of float
        Each customer's contribution.
    tier : ndarray of int
        Each customer's tier position (0 = best).
    keys : sequence of str
        Tier keys, best first.

    Returns
    -------
    dict of str to float
        ``inf`` for a tier no customer reached.

    Examples
    --------
    >>> tier_thresholds(np.array([900.0, 300, 120, 50]), np.array([0, 1, 1, 2]), ["A", "B", "C"])
    {'A': 900.0, 'B': 120.0, 'C': -inf}
    """
    thresholds = {}
    for k, key in enumerate(list(keys)[:-1]):
        reached = value[(tier <= k) & (value >= 0)]
        thresholds[key] = float(reached.min()) if reached.size else float("inf")
    thresholds[list(keys)[-1]] = float("-inf")
    return thresholds


class ABCClassifier(TierTransformer):
    """Tiers by contribution, cut by rank share or by cumulative value share.

    Parameters
    ----------
    scheme : {"course", "abc", "pyramid"}, default="course"
        Which tiers (see the module table).
    basis : {"rank", "value"}, default="rank"
        Cut-offs as shares of customers by rank, or as cumulative shares of value.
    cutoffs : sequence of float, optional
        Upper cut-off of each tier (ascending, last 1.0); defaults from the table.
    contribution : str, optional
        Feature column to rank by; default ``profit`` when present, else ``monetary``.

    Attributes
    ----------
    thresholds_ : dict of str to float
        Smallest contribution that reaches each tier (``inf`` when no customer did at fit);
        the last tier has ``-inf``.
    contribution_ : str
        The column used.
    tier_keys_ : tuple of str
        The scheme's tier keys, best first.

    Examples
    --------
    >>> f = pd.DataFrame({"monetary": [100.0 - i for i in range(20)]})
    >>> ABCClassifier().fit_transform(f)["abc_tier"].value_counts().to_dict()
    {'small': 10, 'ordinary': 6, 'important': 3, 'high_end': 1}
    """

    _parameter_constraints = {
        "scheme": [Options(ABC_TIERS)],
        "basis": [Options(("rank", "value"))],
        "cutoffs": [SequenceOf(Interval(Real, 0, 1, closed="right")), None],
        "contribution": [str, None],
    }

    def __init__(self, scheme="course", basis="rank", cutoffs=None, contribution=None):
        self.scheme = scheme
        self.basis = basis
        self.cutoffs = cutoffs
        self.contribution = contribution

    def _cutoffs(self) -> np.ndarray:
        """The cut-offs in use: given, or the scheme's for the basis."""
        defaults = RANK_CUTOFFS if self.basis == "rank" else VALUE_CUTOFFS
        return np.asarray(self.cutoffs if self.cutoffs is not None else defaults[self.scheme], dtype="float64")

    def _check_parameters_together(self):
        cutoffs, n = self._cutoffs(), len(ABC_TIERS[self.scheme])
        if cutoffs.shape != (n,) or np.any(np.diff(cutoffs) <= 0) or cutoffs[-1] != 1.0:
            raise TierkitError("abc_cutoffs", param=Param("cutoffs"), value=str(cutoffs.tolist()), n=n)

    def _contribution_column(self, X) -> str:
        if self.contribution is not None:
            return self.contribution
        return "profit" if "profit" in X.columns else "monetary"

    def _columns_in(self, X):
        return (self._contribution_column(X),)

    def _columns_out(self):
        return ("abc_tier",)

    _learns_from_counts = True

    def _fit(self, X):
        """Learn contribution thresholds from the cut-offs on this base."""
        self._fit_statistics(FrameStatistics(X, self._who))

    def _fit_statistics(self, statistics):
        cutoffs = self._cutoffs()
        column = self._contribution_column(pd.DataFrame(columns=list(statistics.columns)))
        values, counts = statistics.distinct(Distinct(column))
        tier = self._tier_at_fit(values, counts, cutoffs)
        self.contribution_ = column
        self.tier_keys_ = tuple(t.key for t in ABC_TIERS[self.scheme])
        self.thresholds_ = tier_thresholds(values, tier, self.tier_keys_)

    def _tier_at_fit(self, values: np.ndarray, counts: np.ndarray, cutoffs: np.ndarray) -> np.ndarray:
        """The tier of each distinct contribution (ascending ``values`` held by ``counts`` customers).

        Customers are ranked by contribution, best first; equal contributions share the rank of
        the first of them, so they share a tier.
        """
        order = np.arange(len(values))[::-1]  # best first
        ranked, held = values[order], counts[order]
        n = int(held.sum())
        # customers ranked above the first customer of each value: those with a larger one
        first_of_tie = np.concatenate([[0], np.cumsum(held)[:-1]])
        if self.basis == "rank":
            share = (first_of_tie + 1) / n
            tier_sorted = np.searchsorted(cutoffs, share - 1e-12, side="left")
        else:
            positive = np.clip(ranked, 0, None) * held
            total = positive.sum()
            above = np.concatenate([[0.0], np.cumsum(positive)[:-1]])
            share = above / total if total > 0 else np.zeros(len(ranked))
            tier_sorted = np.searchsorted(cutoffs, share, side="right")
        tier = np.empty(len(values), dtype="int64")
        tier[order] = np.minimum(tier_sorted, len(cutoffs) - 1)
        tier[values < 0] = len(cutoffs) - 1
        return tier

    def _transform(self, X):
        """``abc_tier`` per customer, by the thresholds learned at fit."""
        value = numeric_column(X, self.contribution_, "ABCClassifier")
        keys = np.array(self.tier_keys_, dtype=object)
        thresholds = np.array([self.thresholds_[k] for k in self.tier_keys_])
        # First tier whose threshold the contribution reaches.
        reached = value[:, None] >= thresholds[None, :]
        tier = reached.argmax(axis=1)
        tier[value < 0] = len(keys) - 1
        return pd.DataFrame({"abc_tier": keys[tier]}, index=X.index)

    def standards(self) -> dict:
        """The contribution column and the threshold of each tier.

        Returns
        -------
        dict
        """
        super().standards()
        return {"contribution": self.contribution_, "scheme": self.scheme, "thresholds": dict(self.thresholds_)}
