"""The course's 2x2x2 RFM scheme: 8 customer classes from R, F and M against their means.

A metric is *high* when it is better than or equal to the population mean learned at fit:
recency at or below the mean (bought recently), frequency and monetary at or above it.
Monetary decides important (high M) against general (low M); R and F decide value (high,
high), develop (high R, low F), retain (low R, high F) and win-back (low, low).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from tierkit.tiers._checks import numeric_column, require_columns
from tierkit.tiers.vocabulary import Tier
from tierkit.errors import TierkitError

RFM_CLASSES = (
    Tier("important_value", "Important value", "重要价值客户",
         "VIP treatment and dedicated service", "VIP待遇, 专属服务"),
    Tier("important_develop", "Important develop", "重要发展客户",
         "Promotions to bring them back more often", "促销活动, 提高购买频率"),
    Tier("important_retain", "Important retain", "重要保持客户",
         "Contact proactively, invite to events, prevent churn", "主动联系, 邀请参加活动, 防止流失"),
    Tier("important_winback", "Important win-back", "重要挽留客户",
         "Actively win back and ask for their views", "积极挽回, 征询意见"),
    Tier("general_value", "General value", "一般价值客户",
         "Standard service, good-value products", "标准服务, 推荐高性价比产品"),
    Tier("general_develop", "General develop", "一般发展客户",
         "Raise activity, cross-sell", "提高活跃度, 交叉销售"),
    Tier("general_retain", "General retain", "一般保持客户",
         "Send news of upcoming offers", "发送优惠活动信息"),
    Tier("general_winback", "General win-back", "一般挽留客户",
         "Let them be", "顺其自然, 不投入额外资源"),
)

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


class RFMClassifier(TransformerMixin, BaseEstimator):
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

    def __init__(self, thresholds=None):
        self.thresholds = thresholds

    def fit(self, X, y=None):
        """Learn the population means of recency, frequency and monetary."""
        given = dict(self.thresholds or {})
        unknown = set(given) - {"recency", "frequency", "monetary"}
        if unknown:
            raise TierkitError(f"thresholds: unknown metric(s) {sorted(unknown)}; expected recency, frequency, monetary")
        require_columns(X, ("recency", "frequency", "monetary"), "RFMClassifier")
        if len(X) == 0:
            raise TierkitError("RFMClassifier: cannot fit on an empty feature table")
        self.thresholds_ = {
            m: float(given[m]) if m in given else float(numeric_column(X, m, "RFMClassifier").mean())
            for m in ("recency", "frequency", "monetary")
        }
        return self

    def transform(self, X):
        """``r_high``, ``f_high``, ``m_high`` flags and the ``rfm_class`` key per customer."""
        check_is_fitted(self, "thresholds_")
        require_columns(X, ("recency", "frequency", "monetary"), "RFMClassifier")
        t = self.thresholds_
        r_high = numeric_column(X, "recency", "RFMClassifier") <= t["recency"]
        f_high = numeric_column(X, "frequency", "RFMClassifier") >= t["frequency"]
        m_high = numeric_column(X, "monetary", "RFMClassifier") >= t["monetary"]
        return pd.DataFrame(
            {"r_high": r_high, "f_high": f_high, "m_high": m_high,
             "rfm_class": rfm_class_key(r_high, f_high, m_high)},
            index=X.index,
        )
