r"""The value-potential matrix (客户分级管理图): what a customer has brought against what they may bring.

Historical value is the customer's total profit when known, else total net revenue
(``monetary``); potential is the predicted CLV. Each is split at a value learned at fit (the
median by default) or given; a customer is *high* when strictly above the split, so a mass of
equal values (zero CLV) stays low. The four quadrants:

================  ==================  ==================
value \ potential  high                low
================  ==================  ==================
high              ``star``            ``harvest``
low               ``develop``         ``low_priority``
================  ==================  ==================
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from tierkit.tiers._base import FrameStatistics, TierTransformer, numeric_column
from tierkit.tiers.binning import grade
from tierkit.tiers.constraints import Interval
from tierkit.words import VALUE_POTENTIAL_TIERS  # noqa: F401  (the scheme's tiers)

_QUADRANT = {(True, True): "star", (True, False): "harvest", (False, True): "develop", (False, False): "low_priority"}


class ValuePotentialMatrix(TierTransformer):
    """Four quadrants of historical value x predicted CLV, split at learned medians.

    Parameters
    ----------
    value : str, optional
        Historical value column; default ``profit`` when present, else ``monetary``.
    potential : str, default="clv"
        Potential column (predicted CLV).
    value_split, potential_split : float, optional
        Explicit splits; default the ``quantile`` of the fitted base.
    quantile : float, default=0.5
        Quantile used for learned splits (0.5 = median).

    Attributes
    ----------
    value_split_, potential_split_ : float
        Splits in use; a customer is high when strictly above.
    value_column_ : str
        The value column used.

    Examples
    --------
    >>> f = pd.DataFrame({"monetary": [500.0, 400, 20, 10], "clv": [300.0, 5, 200, 0]})
    >>> ValuePotentialMatrix().fit_transform(f)["value_potential"].tolist()
    ['star', 'harvest', 'develop', 'low_priority']
    """

    _parameter_constraints = {
        "value": [str, None],
        "potential": [str],
        "value_split": [Interval(Real, None, None, closed="neither"), None],
        "potential_split": [Interval(Real, None, None, closed="neither"), None],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(self, value=None, potential="clv", value_split=None, potential_split=None, quantile=0.5):
        self.value = value
        self.potential = potential
        self.value_split = value_split
        self.potential_split = potential_split
        self.quantile = quantile

    def _value_column(self, X) -> str:
        if self.value is not None:
            return self.value
        return "profit" if "profit" in X.columns else "monetary"

    def _columns_in(self, X):
        return (self._value_column(X), self.potential)

    def _columns_out(self):
        return ("value_potential",)

    _learns_from_counts = True  # the splits are quantiles, which every statistics source computes exactly

    def _fit(self, X):
        """Learn the splits of value and potential."""
        self._fit_statistics(FrameStatistics(X, self._who))

    def _fit_statistics(self, statistics):
        column = self._value_column(pd.DataFrame(columns=list(statistics.columns)))
        self.value_column_ = column
        self.potential_column_ = self.potential
        self.value_split_ = float(self.value_split if self.value_split is not None
                                  else statistics.quantiles(column, [self.quantile])[0])
        self.potential_split_ = float(self.potential_split if self.potential_split is not None
                                      else statistics.quantiles(self.potential, [self.quantile])[0])

    def _transform(self, X):
        """``value_potential`` quadrant key per customer."""
        high_value = grade(numeric_column(X, self.value_column_, "ValuePotentialMatrix"), [self.value_split_]) == 2
        potential = numeric_column(X, self.potential_column_, "ValuePotentialMatrix")
        high_potential = grade(potential, [self.potential_split_]) == 2
        keys = np.array([_QUADRANT[(bool(v), bool(p))] for v, p in zip(high_value, high_potential, strict=True)],
                        dtype=object)
        return pd.DataFrame({"value_potential": keys}, index=X.index)

    def standards(self) -> dict:
        """The splits in use, for reports.

        Returns
        -------
        dict
        """
        super().standards()
        return {"value_column": self.value_column_, "value_split": self.value_split_,
                "potential_column": self.potential_column_, "potential_split": self.potential_split_}
