"""One fitted segmentation: every scheme's standards, learned together, applied together.

:class:`Segmentation` chains the tier estimators in a fixed order. Each step sees the feature
table plus the columns of the steps before it (segments read the RFM scores, lifecycle may read
``p_alive`` from the CLV model), learns its standards at ``fit`` and applies them unchanged in
``transform``, so next month's base is graded by this month's standards.
"""

from __future__ import annotations

import copy

import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from tierkit.abc import ABC_TIERS, ABCClassifier
from tierkit.errors import TierkitError
from tierkit.labels import check_lang, labels_for
from tierkit.lifecycle import LIFECYCLE_STAGES, LifecycleStager
from tierkit.rfm import RFMScorer
from tierkit.rfm_classes import RFM_CLASSES, RFMClassifier
from tierkit.segments import RFM_SEGMENTS, RFMSegmenter

#: Step names in the order they run.
STEP_ORDER = ("clv", "rfm", "rfm_classes", "rfm_segments", "abc", "lifecycle")


class Segmentation(BaseEstimator):
    """Every tier scheme of tierkit, fitted on one customer base.

    Parameters
    ----------
    rfm : RFMScorer, optional
    rfm_classes : RFMClassifier, optional
    rfm_segments : RFMSegmenter, optional
    abc : ABCClassifier, optional
    lifecycle : LifecycleStager, optional
        Steps; ``None`` uses the step's defaults, ``False`` leaves the step out.
    clv : estimator, optional
        A CLV model adding ``p_alive``, ``clv`` ...; left out unless given.

    Attributes
    ----------
    steps_ : list of (str, estimator)
        The fitted steps in run order.
    feature_columns_ : list of str
        The feature columns seen at fit.

    Examples
    --------
    >>> f = pd.DataFrame({"recency": [1, 5, 30, 60], "frequency": [5, 2, 1, 1],
    ...     "monetary": [300.0, 80.0, 20.0, 10.0], "frequency_btyd": [4, 1, 0, 0],
    ...     "recency_btyd": [40, 10, 0, 0]}, index=pd.Index(list("abcd"), name="customer_id"))
    >>> Segmentation().fit(f).transform(f)["rfm_class"].tolist()
    ['important_value', 'general_develop', 'general_winback', 'general_winback']
    """

    def __init__(self, rfm=None, rfm_classes=None, rfm_segments=None, abc=None, lifecycle=None, clv=False):
        self.rfm = rfm
        self.rfm_classes = rfm_classes
        self.rfm_segments = rfm_segments
        self.abc = abc
        self.lifecycle = lifecycle
        self.clv = clv

    def _steps(self):
        defaults = {
            "clv": None,
            "rfm": RFMScorer,
            "rfm_classes": RFMClassifier,
            "rfm_segments": RFMSegmenter,
            "abc": ABCClassifier,
            "lifecycle": LifecycleStager,
        }
        steps = []
        for name in STEP_ORDER:
            given = getattr(self, name)
            if given is False or (given is None and defaults[name] is None):
                continue
            steps.append((name, given if given is not None else defaults[name]()))
        return steps

    def fit(self, X, y=None):
        """Fit every step on the feature table ``X`` (one row per customer)."""
        if not isinstance(X, pd.DataFrame):
            raise TierkitError(f"Segmentation: expected a DataFrame of features, got {type(X).__name__}")
        if len(X) == 0:
            raise TierkitError("Segmentation: cannot fit on an empty feature table")
        from sklearn.base import clone

        table = X
        fitted = []
        for name, step in self._steps():
            step = clone(step) if hasattr(step, "get_params") else step
            out = step.fit(table).transform(table)
            table = _join(table, out)
            fitted.append((name, step))
        self.steps_ = fitted
        self.feature_columns_ = list(X.columns)
        self.time_unit_ = X.attrs.get("time_unit")
        return self

    def transform(self, X, lang: str | None = None, horizon: float | None = None) -> pd.DataFrame:
        """Features plus every tier column; with ``lang``, label and strategy columns too.

        ``horizon`` overrides the CLV step's horizon for this call (same time unit).
        """
        check_is_fitted(self, "steps_")
        table = X
        for name, step in self.steps_:
            if name == "clv" and horizon is not None:
                step = copy.copy(step)
                step.horizon = horizon
            table = _join(table, step.transform(table))
        if lang is not None:
            table = add_labels(table, lang, abc_scheme=self.abc_scheme)
        return table

    def fit_transform(self, X, y=None, lang: str | None = None):
        return self.fit(X).transform(X, lang=lang)

    @property
    def abc_scheme(self) -> str:
        step = dict(getattr(self, "steps_", [])).get("abc")
        return step.scheme if step is not None else "course"

    def named_step(self, name: str):
        """The fitted step called ``name``."""
        check_is_fitted(self, "steps_")
        return dict(self.steps_)[name]


def _join(table: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``out``'s columns (replacing same-named ones), keeping ``table``'s rows."""
    table = table.drop(columns=[c for c in out.columns if c in table.columns])
    joined = table.join(out, how="left") if len(out) == len(table) and out.index.equals(table.index) else None
    if joined is None:
        joined = pd.concat([table, out.reindex(table.index)], axis=1)
    joined.attrs = dict(table.attrs)
    return joined


def tier_schemes(abc_scheme: str = "course") -> dict:
    """Tier column -> its tiers (keys, labels, strategies)."""
    return {
        "rfm_class": RFM_CLASSES,
        "rfm_segment": RFM_SEGMENTS,
        "abc_tier": ABC_TIERS[abc_scheme],
        "lifecycle_stage": LIFECYCLE_STAGES,
    }


def add_labels(table: pd.DataFrame, lang: str, abc_scheme: str = "course") -> pd.DataFrame:
    """Add ``<column>_label`` and ``<column>_strategy`` beside each tier column present.

    The key columns are untouched: labels change with ``lang``, keys never do.
    """
    check_lang(lang)
    table = table.copy()
    for column, tiers in tier_schemes(abc_scheme).items():
        if column in table.columns:
            table[f"{column}_label"] = labels_for(table[column], tiers, lang)
            table[f"{column}_strategy"] = labels_for(table[column], tiers, lang, what="strategy")
    return table


#: Best-first order of tiers where the scheme's table order is not already best-first.
_BEST_FIRST = {
    "lifecycle_stage": ("loyal", "repeat", "new", "at_risk", "churned", "potential"),
}


def tier_order(column: str, abc_scheme: str = "course") -> list[str]:
    """Tier keys of ``column``, best first (used for top-tier lift and order agreement)."""
    if column in _BEST_FIRST:
        return list(_BEST_FIRST[column])
    return [t.key for t in tier_schemes(abc_scheme)[column]]


def build_segmentation(schemes: dict | None = None, *, seed: int = 0, survey=None) -> Segmentation:
    """A :class:`Segmentation` from a config's ``schemes`` section (``{step: params or false}``).

    Examples
    --------
    >>> build_segmentation({"abc": {"scheme": "abc"}, "lifecycle": False}).abc.scheme
    'abc'
    """
    schemes = dict(schemes or {})
    classes = {
        "rfm": RFMScorer,
        "rfm_classes": RFMClassifier,
        "rfm_segments": RFMSegmenter,
        "abc": ABCClassifier,
        "lifecycle": LifecycleStager,
    }
    kwargs = {}
    for name, cls in classes.items():
        params = schemes.get(name, {})
        if params is False:
            kwargs[name] = False
            continue
        try:
            kwargs[name] = cls(**(params or {}))
        except TypeError as exc:
            raise TierkitError(f"schemes.{name}: {exc}") from None
    return Segmentation(**kwargs)
