r"""The CLV-CS grid (客户终身价值 x 客户满意度): predicted value against satisfaction.

CLV level ``high`` / ``medium`` / ``low`` comes from CLV edges (tertiles learned at fit, or
given); CS level ``high`` / ``low`` from the CS index (0..100, see
:mod:`tierkit.data.surveys`) against a threshold, 70 by default, i.e. NPS 7+ or CSAT 4+.
The six cells:

============  ===========  ===============  =====================================================
CLV \ CS      high                          low
============  ===========  ===============  =====================================================
high          ``core`` 核心客户               ``at_risk_key`` 重点挽留客户
medium        ``growth`` 成长客户             ``fragile`` 波动客户
low           ``advocate`` 口碑客户           ``marginal`` 边缘客户
============  ===========  ===============  =====================================================

Satisfaction is a column of the feature table, ``cs_index`` (missing = no answer):
:func:`tierkit.data.surveys.with_satisfaction` joins a survey's per-customer table onto the
features. A customer without a survey answer has ``cs_level = "unrated"`` and ``clv_cs_class =
"unrated"``: satisfaction is never guessed silently. ``unrated="impute"`` is the one
explicit alternative: the median CS index of the rated customers of the same CLV level
(learned at fit), flagged in ``cs_imputed``.

CLV levels are interval grades like the RFM scores: with inner edges ``e``, a CLV in
``(-inf, e[0]]`` is the lowest level, ``(e[-1], inf)`` the highest, so equal CLVs always share
a level.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from tierkit.errors import DataError, Message, Param, TierkitError
from tierkit.tiers._base import TierTransformer, numeric_column, shown
from tierkit.tiers.binning import grade, quantile_edges
from tierkit.tiers.constraints import Interval, Options, SequenceOf
from tierkit.words import CLV_CS_CLASSES  # noqa: F401  (the scheme's tiers)

DEFAULT_CLASSES = {
    ("high", "high"): "core",
    ("high", "low"): "at_risk_key",
    ("medium", "high"): "growth",
    ("medium", "low"): "fragile",
    ("low", "high"): "advocate",
    ("low", "low"): "marginal",
}
CS_LEVELS = ("high", "low")


class CLVCSGrid(TierTransformer):
    """Six classes from CLV level (tertiles) x satisfaction level (CS index threshold).

    Parameters
    ----------
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
    >>> from tierkit.data.surveys import with_satisfaction
    >>> CLVCSGrid().fit_transform(with_satisfaction(f, cs))["clv_cs_class"].tolist()
    ['advocate', 'marginal', 'growth', 'fragile', 'unrated', 'core']
    """

    _parameter_constraints = {
        "clv": [str],
        "clv_edges": [SequenceOf(Interval(Real, None, None, closed="neither")), None],
        "clv_quantiles": [SequenceOf(Interval(Real, 0, 1, closed="neither"))],
        "clv_levels": [SequenceOf(str, min_length=2)],
        "cs_threshold": [Interval(Real, 0, 100, closed="both", what=Message("a_cs_index"))],
        "classes": [dict, None],
        "unrated": [Options(("keep", "impute"))],
    }

    def __init__(self, clv="clv", clv_edges=None, clv_quantiles=(1 / 3, 2 / 3),
                 clv_levels=("high", "medium", "low"), cs_threshold=70.0, classes=None, unrated="keep"):
        self.clv = clv
        self.clv_edges = clv_edges
        self.clv_quantiles = clv_quantiles
        self.clv_levels = clv_levels
        self.cs_threshold = cs_threshold
        self.classes = classes
        self.unrated = unrated

    def _check_parameters_together(self):
        levels = tuple(self.clv_levels)
        if len(set(levels)) != len(levels):
            raise TierkitError("clv_levels", param=Param("clv_levels"), value=repr(self.clv_levels))
        if self.clv_edges is None:
            q = np.asarray(self.clv_quantiles, dtype="float64")
            if q.shape != (len(levels) - 1,) or np.any(np.diff(q) <= 0):
                raise TierkitError("clv_quantiles", param=Param("clv_quantiles"), value=repr(self.clv_quantiles),
                                   n=len(levels) - 1)
        else:
            e = np.asarray(self.clv_edges, dtype="float64")
            if e.shape != (len(levels) - 1,) or np.any(np.diff(e) < 0):
                raise TierkitError("ascending_numbers", param=Param("clv_edges"), value=repr(self.clv_edges),
                                   n=len(levels) - 1)
        if self.classes is None and levels != ("high", "medium", "low"):
            raise TierkitError("classes_needed", param=Param("classes"), levels=str(levels))
        classes, wanted = self._classes(), {(c, s) for c in levels for s in CS_LEVELS}
        if set(classes) != wanted:
            raise TierkitError("classes_pairs", param=Param("classes"), missing=str(sorted(wanted - set(classes))),
                               extra=str(sorted(set(classes) - wanted, key=str)))

    def _classes(self) -> dict:
        """The classes in use: given, or the six of the default levels."""
        return dict(self.classes) if self.classes is not None else dict(DEFAULT_CLASSES)

    def _columns_in(self, X):
        return (self.clv, "cs_index")

    def _columns_out(self):
        imputed = ("cs_imputed", "cs_index") if self.unrated_ == "impute" else ()
        return imputed + ("cs_level", "clv_level", "clv_cs_class")

    def _cs_index(self, X) -> np.ndarray:
        """The ``cs_index`` column as floats (missing = no answer), checked to lie in 0..100."""
        cs = pd.to_numeric(X["cs_index"], errors="coerce").astype("float64").to_numpy(copy=True)
        given = X["cs_index"].notna().to_numpy()
        bad = (given & np.isnan(cs)) | (cs < 0) | (cs > 100)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise DataError("not_cs_index", where="CLVCSGrid", column="'cs_index'", customer=repr(X.index[pos]),
                            value=repr(shown(X["cs_index"].iloc[pos])))
        return cs

    def _clv_level(self, clv: np.ndarray) -> np.ndarray:
        # Edges ascend while levels run best -> worst: a higher grade is a better level.
        names = np.array(self.clv_levels_[::-1], dtype=object)
        return names[grade(clv, self.clv_edges_) - 1]

    def _fit(self, X):
        """Learn the CLV edges (and, with ``unrated="impute"``, the medians to impute)."""
        levels, classes = tuple(self.clv_levels), self._classes()
        clv = numeric_column(X, self.clv, "CLVCSGrid")
        self.clv_column_, self.cs_threshold_, self.unrated_ = self.clv, float(self.cs_threshold), self.unrated
        if self.clv_edges is not None:
            self.clv_edges_ = np.asarray(self.clv_edges, dtype="float64")
        else:
            self.clv_edges_ = quantile_edges(clv, self.clv_quantiles)
        self.clv_levels_ = levels
        self.classes_ = classes
        if self.unrated == "impute":
            cs = self._cs_index(X)
            level = self._clv_level(clv)
            self.imputed_cs_index_ = {}
            for name in levels:
                rated = cs[(level == name) & ~np.isnan(cs)]
                if rated.size == 0:
                    raise TierkitError("no_rated_at_level", where="CLVCSGrid(unrated='impute')", level=repr(name))
                self.imputed_cs_index_[name] = float(np.median(rated))

    def _transform(self, X):
        """``cs_level``, ``clv_level`` and ``clv_cs_class`` per customer.

        With ``unrated="impute"`` also ``cs_imputed`` and the imputed ``cs_index``.
        """
        clv = numeric_column(X, self.clv_column_, "CLVCSGrid")
        cs = self._cs_index(X)
        clv_level = self._clv_level(clv)
        out = pd.DataFrame(index=X.index)
        if self.unrated_ == "impute":
            missing = np.isnan(cs)
            cs[missing] = [self.imputed_cs_index_[lv] for lv in clv_level[missing]]
            out["cs_imputed"] = missing
            out["cs_index"] = cs
        rated = ~np.isnan(cs)
        cs_level = np.where(rated, np.where(np.nan_to_num(cs) >= self.cs_threshold_, "high", "low"), "unrated")
        cs_level = cs_level.astype(object)
        cls = np.array([self.classes_.get((c, s), "unrated") for c, s in zip(clv_level, cs_level, strict=True)],
                       dtype=object)
        out["cs_level"] = cs_level
        out["clv_level"] = clv_level
        out["clv_cs_class"] = cls
        return out

    def standards(self) -> dict:
        """The edges and threshold in use, for reports.

        Returns
        -------
        dict
        """
        super().standards()
        return {
            "clv_edges": [float(e) for e in self.clv_edges_],
            "clv_levels": list(self.clv_levels_),
            "cs_threshold": self.cs_threshold_,
            "unrated": self.unrated_,
        }
