"""The CLV-CS grid (客户终身价值 x 客户满意度): predicted value against satisfaction.

CLV level ``high`` / ``medium`` / ``low`` comes from CLV edges (tertiles learned at fit, or
given); CS level ``high`` / ``low`` from the CS index (0..100, see
:mod:`tierkit.data.surveys`) against a threshold, 70 by default, i.e. NPS 7+ or CSAT 4+.
The six cells:

============  ===========  ===============  =====================================================
CLV \\ CS      high                          low
============  ===========  ===============  =====================================================
high          ``core`` 核心客户               ``at_risk_key`` 重点挽留客户
medium        ``growth`` 成长客户             ``fragile`` 波动客户
low           ``advocate`` 口碑客户           ``marginal`` 边缘客户
============  ===========  ===============  =====================================================

A customer without a survey answer has ``cs_level = "unrated"`` and ``clv_cs_class =
"unrated"``: satisfaction is never guessed silently. ``unrated="impute"`` is the one
explicit alternative: the median CS index of the rated customers of the same CLV level
(learned at fit), flagged in ``cs_imputed``.

CLV levels are interval grades like the RFM scores: with inner edges ``e``, a CLV in
``(-inf, e[0]]`` is the lowest level, ``(e[-1], inf)`` the highest, so equal CLVs always share
a level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from tierkit.tiers._checks import numeric_column, require_columns
from tierkit.errors import DataError, TierkitError
from tierkit.tiers.vocabulary import Tier

CLV_CS_CLASSES = (
    Tier("core", "Core", "核心客户",
         "Keep and reward: co-create, priority service", "保持与奖励: 共创, 优先服务"),
    Tier("at_risk_key", "Key at risk", "重点挽留客户",
         "Fix their problems first; assign an account manager", "优先解决问题, 指派客户经理"),
    Tier("growth", "Growth", "成长客户",
         "Upsell and cross-sell", "向上销售与交叉销售"),
    Tier("fragile", "Fragile", "波动客户",
         "Repair the experience before selling more", "先修复体验, 再推动销售"),
    Tier("advocate", "Advocate", "口碑客户",
         "Low-cost care, referral programmes", "低成本维护, 推荐计划"),
    Tier("marginal", "Marginal", "边缘客户",
         "Standard low-cost service", "标准低成本服务"),
    Tier("unrated", "Unrated (no survey answer)", "未评价客户 (无满意度数据)",
         "Ask for feedback: invite to the survey", "收集反馈: 邀请参与满意度调查"),
)

DEFAULT_CLASSES = {
    ("high", "high"): "core",
    ("high", "low"): "at_risk_key",
    ("medium", "high"): "growth",
    ("medium", "low"): "fragile",
    ("low", "high"): "advocate",
    ("low", "low"): "marginal",
}
CS_LEVELS = ("high", "low")


def _as_cs_table(survey, who: str) -> pd.DataFrame:
    """A per-customer satisfaction table (index = customer id, a ``cs_index`` column)."""
    if isinstance(survey, pd.Series):
        survey = survey.rename("cs_index").to_frame()
    if not isinstance(survey, pd.DataFrame):
        raise TierkitError(f"{who}: survey must be a per-customer DataFrame with a cs_index column, "
                           f"got {type(survey).__name__}")
    if "cs_index" not in survey.columns:
        raise DataError(
            f"{who}: the survey table has no 'cs_index' column (columns: {', '.join(map(str, survey.columns))}); "
            "turn survey answers into one row per customer with tierkit.data.surveys.customer_satisfaction()"
        )
    if survey.index.has_duplicates:
        dup = survey.index[survey.index.duplicated()][0]
        raise DataError(f"{who}: customer {dup!r} appears more than once in the survey table; "
                        "expected one row per customer (customer_satisfaction())")
    values = pd.to_numeric(survey["cs_index"], errors="coerce")
    bad = values.notna() & ((values < 0) | (values > 100))
    if bad.any():
        raise DataError(f"{who}: column 'cs_index', customer {bad.idxmax()!r}: value "
                        f"{survey['cs_index'][bad.idxmax()]!r} is outside 0..100")
    out = survey.copy()
    out.index = out.index.astype("str")
    return out


class CLVCSGrid(TransformerMixin, BaseEstimator):
    """Six classes from CLV level (tertiles) x satisfaction level (CS index threshold).

    Parameters
    ----------
    survey : pandas.DataFrame or Series, optional
        Per-customer satisfaction from :func:`tierkit.data.surveys.customer_satisfaction`
        (index customer id, column ``cs_index``; ``cs_score`` and ``nps_group`` are carried
        along). Without it, the feature table's own ``cs_index`` column is used.
    clv : str, default="clv"
        The CLV column.
    clv_edges : sequence of float, optional
        Inner CLV edges, ascending (one fewer than ``clv_levels``); default learned at fit
        at ``clv_quantiles``.
    clv_quantiles : sequence of float, default=(1/3, 2/3)
        Quantiles of CLV that become the edges at fit.
    clv_levels : sequence of str, default=("high", "medium", "low")
        Level names from best to worst.
    cs_threshold : float, default=70
        CS index from which satisfaction is ``high``.
    classes : dict, optional
        ``{(clv_level, cs_level): key}`` for every pair; default the six classes above.
    unrated : {"keep", "impute"}, default="keep"
        ``"keep"``: customers without an answer are ``unrated``. ``"impute"``: they get the
        median CS index of the rated customers of their CLV level at fit (``cs_imputed``).

    Attributes
    ----------
    clv_edges_ : ndarray
        Inner CLV edges in use.
    imputed_cs_index_ : dict of str to float
        Median CS index per CLV level (only with ``unrated="impute"``).

    Examples
    --------
    >>> f = pd.DataFrame({"clv": [10.0, 20, 30, 40, 50, 60]}, index=list("abcdef"))
    >>> cs = pd.DataFrame({"cs_index": [90.0, 20, 80, 50, 100]}, index=list("abcdf"))
    >>> CLVCSGrid(survey=cs).fit_transform(f)["clv_cs_class"].tolist()
    ['advocate', 'marginal', 'growth', 'fragile', 'unrated', 'core']
    """

    def __init__(self, survey=None, clv="clv", clv_edges=None, clv_quantiles=(1 / 3, 2 / 3),
                 clv_levels=("high", "medium", "low"), cs_threshold=70.0, classes=None, unrated="keep"):
        self.survey = survey
        self.clv = clv
        self.clv_edges = clv_edges
        self.clv_quantiles = clv_quantiles
        self.clv_levels = clv_levels
        self.cs_threshold = cs_threshold
        self.classes = classes
        self.unrated = unrated

    def _check_params(self):
        levels = tuple(self.clv_levels)
        if len(levels) < 2 or len(set(levels)) != len(levels):
            raise TierkitError(f"clv_levels: {self.clv_levels!r} must be at least 2 distinct names")
        if self.clv_edges is None:
            q = np.asarray(self.clv_quantiles, dtype="float64")
            if q.shape != (len(levels) - 1,) or np.any(np.diff(q) <= 0) or q.min() <= 0 or q.max() >= 1:
                raise TierkitError(f"clv_quantiles: {self.clv_quantiles!r} must be {len(levels) - 1} "
                                   "increasing numbers strictly between 0 and 1")
        else:
            e = np.asarray(self.clv_edges, dtype="float64")
            if e.shape != (len(levels) - 1,) or np.any(np.diff(e) < 0) or not np.isfinite(e).all():
                raise TierkitError(f"clv_edges: {self.clv_edges!r} must be {len(levels) - 1} ascending numbers")
        if isinstance(self.cs_threshold, bool) or not isinstance(self.cs_threshold, (int, float, np.number)) \
                or not 0 <= self.cs_threshold <= 100:
            raise TierkitError(f"cs_threshold: {self.cs_threshold!r} must be a CS index from 0 to 100")
        if self.unrated not in ("keep", "impute"):
            raise TierkitError(f"unrated: {self.unrated!r} is not supported; expected 'keep' or 'impute'")
        classes = dict(self.classes) if self.classes is not None else None
        if classes is None:
            if levels != ("high", "medium", "low"):
                raise TierkitError(f"classes: give a class for every (clv_level, cs_level) pair of the levels {levels}")
            classes = dict(DEFAULT_CLASSES)
        wanted = {(c, s) for c in levels for s in CS_LEVELS}
        if set(classes) != wanted:
            raise TierkitError(f"classes: must map every (clv_level, cs_level) pair exactly once; missing "
                               f"{sorted(wanted - set(classes))}, extra {sorted(set(classes) - wanted, key=str)}")
        return levels, classes

    def _satisfaction(self, X, survey) -> pd.DataFrame:
        """Per-customer satisfaction columns aligned on ``X``'s rows (missing = no answer)."""
        if survey is None:
            if "cs_index" not in X.columns:
                raise DataError("CLVCSGrid: no satisfaction data; give survey= (customer_satisfaction()) "
                                "or a cs_index column")
            table = X[[c for c in ("cs_index", "cs_score", "nps_group") if c in X.columns]]
        else:
            table = _as_cs_table(survey, "CLVCSGrid")
            table = table[[c for c in ("cs_index", "cs_score", "nps_group") if c in table.columns]]
            table = table.reindex(X.index.astype("str"))
            table.index = X.index
        table = table.copy()
        table["cs_index"] = pd.to_numeric(table["cs_index"], errors="coerce").astype("float64")
        return table

    def _clv_level(self, clv: np.ndarray) -> np.ndarray:
        # Edges ascend while levels run best -> worst: more edges below = better level.
        above = np.searchsorted(self.clv_edges_, clv, side="left")
        names = np.array(self.clv_levels_[::-1], dtype=object)
        return names[above]

    def fit(self, X, y=None, survey=None):
        """Learn the CLV edges (and, with ``unrated="impute"``, the medians to impute)."""
        levels, classes = self._check_params()
        require_columns(X, (self.clv,), "CLVCSGrid")
        if len(X) == 0:
            raise TierkitError("CLVCSGrid: cannot fit on an empty feature table")
        clv = numeric_column(X, self.clv, "CLVCSGrid")
        if self.clv_edges is not None:
            self.clv_edges_ = np.asarray(self.clv_edges, dtype="float64")
        else:
            self.clv_edges_ = np.quantile(clv, np.asarray(self.clv_quantiles, dtype="float64"))
        self.clv_levels_ = levels
        self.classes_ = classes
        survey = survey if survey is not None else self.survey
        if self.unrated == "impute":
            cs = self._satisfaction(X, survey)["cs_index"].to_numpy()
            level = self._clv_level(clv)
            self.imputed_cs_index_ = {}
            for name in levels:
                rated = cs[(level == name) & ~np.isnan(cs)]
                if rated.size == 0:
                    raise TierkitError(f"CLVCSGrid(unrated='impute'): no rated customer at CLV level {name!r} "
                                       "to take a median from")
                self.imputed_cs_index_[name] = float(np.median(rated))
        return self

    def transform(self, X, survey=None):
        """Add ``cs_index``, ``cs_level``, ``clv_level`` and ``clv_cs_class`` per customer.

        ``survey`` replaces the one given at construction (a newer wave of answers).
        """
        check_is_fitted(self, "clv_edges_")
        require_columns(X, (self.clv,), "CLVCSGrid")
        clv = numeric_column(X, self.clv, "CLVCSGrid")
        sat = self._satisfaction(X, survey if survey is not None else self.survey)
        cs = sat["cs_index"].to_numpy(copy=True)
        clv_level = self._clv_level(clv)
        out = pd.DataFrame(index=X.index)
        if self.unrated == "impute":
            missing = np.isnan(cs)
            cs[missing] = [self.imputed_cs_index_[lv] for lv in clv_level[missing]]
            out["cs_imputed"] = missing
        rated = ~np.isnan(cs)
        cs_level = np.where(rated, np.where(np.nan_to_num(cs) >= self.cs_threshold, "high", "low"), "unrated")
        cs_level = cs_level.astype(object)
        cls = np.array([self.classes_.get((c, s), "unrated") for c, s in zip(clv_level, cs_level)], dtype=object)
        out["cs_index"] = cs
        for column in ("cs_score", "nps_group"):
            if column in sat.columns:
                out[column] = sat[column].to_numpy()
        out["cs_level"] = cs_level
        out["clv_level"] = clv_level
        out["clv_cs_class"] = cls
        return out

    def standards(self) -> dict:
        """The edges and threshold in use, for reports."""
        check_is_fitted(self, "clv_edges_")
        return {
            "clv_edges": [float(e) for e in self.clv_edges_],
            "clv_levels": list(self.clv_levels_),
            "cs_threshold": float(self.cs_threshold),
            "unrated": self.unrated,
        }
