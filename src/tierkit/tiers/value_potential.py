"""The value-potential matrix (客户分级管理图): what a customer has brought against what they may bring.

Historical value is the customer's total profit when known, else total net revenue
(``monetary``); potential is the predicted CLV. Each is split at a value learned at fit (the
median by default) or given; a customer is *high* when strictly above the split, so a mass of
equal values (zero CLV) stays low. The four quadrants:

================  ==================  ==================
value \\ potential  high                low
================  ==================  ==================
high              ``star``            ``harvest``
low               ``develop``         ``low_priority``
================  ==================  ==================
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from tierkit.tiers._checks import numeric_column, require_columns
from tierkit.errors import TierkitError
from tierkit.tiers.vocabulary import Tier

VALUE_POTENTIAL_TIERS = (
    Tier("star", "Star (high value, high potential)", "明星客户 (高价值, 高潜力)",
         "Invest: strategic relationship, dedicated service, retain at all costs",
         "重点投入: 战略合作, 专属服务, 全力保持"),
    Tier("harvest", "Harvest (high value, low potential)", "收获客户 (高价值, 低潜力)",
         "Maintain efficiently: keep the relationship, limit new spending",
         "高效维持: 保持关系, 控制新增投入"),
    Tier("develop", "Develop (low value, high potential)", "潜力客户 (低价值, 高潜力)",
         "Grow: targeted offers, cross-sell, build the relationship",
         "重点培养: 定向优惠, 交叉销售, 建立关系"),
    Tier("low_priority", "Low priority (low value, low potential)", "低优先级客户 (低价值, 低潜力)",
         "Serve at minimal cost through self-service channels", "以最低成本通过自助渠道服务"),
)

_QUADRANT = {(True, True): "star", (True, False): "harvest", (False, True): "develop", (False, False): "low_priority"}


class ValuePotentialMatrix(TransformerMixin, BaseEstimator):
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

    def fit(self, X, y=None):
        """Learn the splits of value and potential."""
        if isinstance(self.quantile, bool) or not isinstance(self.quantile, (int, float, np.number)) \
                or not 0 < self.quantile < 1:
            raise TierkitError(f"quantile: {self.quantile!r} must be strictly between 0 and 1")
        for name in ("value_split", "potential_split"):
            given = getattr(self, name)
            if given is not None and not np.isfinite(np.asarray(given, dtype="float64")):
                raise TierkitError(f"{name}: {given!r} must be a finite number")
        column = self._value_column(X)
        require_columns(X, (column, self.potential), "ValuePotentialMatrix")
        if len(X) == 0:
            raise TierkitError("ValuePotentialMatrix: cannot fit on an empty feature table")
        value = numeric_column(X, column, "ValuePotentialMatrix")
        potential = numeric_column(X, self.potential, "ValuePotentialMatrix")
        self.value_column_ = column
        self.value_split_ = float(self.value_split if self.value_split is not None else np.quantile(value, self.quantile))
        self.potential_split_ = float(
            self.potential_split if self.potential_split is not None else np.quantile(potential, self.quantile)
        )
        return self

    def transform(self, X):
        """``value_potential`` quadrant key per customer."""
        check_is_fitted(self, "value_split_")
        require_columns(X, (self.value_column_, self.potential), "ValuePotentialMatrix")
        high_value = numeric_column(X, self.value_column_, "ValuePotentialMatrix") > self.value_split_
        high_potential = numeric_column(X, self.potential, "ValuePotentialMatrix") > self.potential_split_
        keys = np.array([_QUADRANT[(v, p)] for v, p in zip(high_value, high_potential)], dtype=object)
        return pd.DataFrame({"value_potential": keys}, index=X.index)

    def standards(self) -> dict:
        """The splits in use, for reports."""
        check_is_fitted(self, "value_split_")
        return {"value_column": self.value_column_, "value_split": self.value_split_,
                "potential_column": self.potential, "potential_split": self.potential_split_}
