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

from tierkit.tiers.abc_tiers import ABCClassifier
from tierkit.tiers.clv_cs import CLVCSGrid
from tierkit.errors import TierkitError
from tierkit.tiers.lifecycle import LifecycleStager
from tierkit.tiers.rfm_scores import RFMScorer
from tierkit.tiers.rfm_classes import RFMClassifier
from tierkit.tiers.schemes import add_labels, tier_order, tier_schemes  # noqa: F401  (re-exported)
from tierkit.tiers.rfm_segments import RFMSegmenter
from tierkit.tiers.value_potential import ValuePotentialMatrix

#: Step names in the order they run.
STEP_ORDER = ("clv", "rfm", "rfm_classes", "rfm_segments", "abc", "lifecycle", "clusters", "clv_cs",
              "value_potential")
#: Steps that run unless switched off (``False``); the others run only when given.
DEFAULT_STEPS = ("rfm", "rfm_classes", "rfm_segments", "abc", "lifecycle")
#: Per-customer satisfaction columns that :meth:`Segmentation.fit` and ``transform`` take from ``survey``.
SURVEY_COLUMNS = ("cs_index", "cs_score", "nps_group")


def _default_step(name: str):
    """A new estimator with default parameters for step ``name``."""
    if name == "clv":
        from tierkit.clv import CLVModel

        return CLVModel()
    if name == "clusters":
        from tierkit.clusters import KMeansSegmenter

        return KMeansSegmenter()
    return {
        "rfm": RFMScorer,
        "rfm_classes": RFMClassifier,
        "rfm_segments": RFMSegmenter,
        "abc": ABCClassifier,
        "lifecycle": LifecycleStager,
        "clv_cs": CLVCSGrid,
        "value_potential": ValuePotentialMatrix,
    }[name]()


class Segmentation(BaseEstimator):
    """Every tier scheme of tierkit, fitted on one customer base.

    Parameters
    ----------
    rfm, rfm_classes, rfm_segments, abc, lifecycle : estimator or bool, optional
        The rule-based steps; ``None`` or ``True`` uses the step's defaults, ``False`` leaves
        it out.
    clv : estimator or bool, default=False
        A CLV model (:class:`tierkit.CLVModel`) adding ``expected_purchases``, ``p_alive``,
        ``expected_spend`` and ``clv``; it runs first, so lifecycle stages may use ``p_alive``.
    clusters : estimator or bool, default=False
        :class:`tierkit.KMeansSegmenter` adding ``cluster`` and ``cluster_name``.
    clv_cs : estimator or bool, default=False
        :class:`tierkit.CLVCSGrid` adding ``clv_cs_class``; needs the ``clv`` step and
        satisfaction (``survey`` at fit/transform, or a ``cs_index`` column).
    value_potential : estimator or bool, default=False
        :class:`tierkit.ValuePotentialMatrix` adding ``value_potential``; needs ``clv``.

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

    def __init__(self, rfm=None, rfm_classes=None, rfm_segments=None, abc=None, lifecycle=None, clv=False,
                 clusters=False, clv_cs=False, value_potential=False):
        self.rfm = rfm
        self.rfm_classes = rfm_classes
        self.rfm_segments = rfm_segments
        self.abc = abc
        self.lifecycle = lifecycle
        self.clv = clv
        self.clusters = clusters
        self.clv_cs = clv_cs
        self.value_potential = value_potential

    def _steps(self):
        steps = []
        for name in STEP_ORDER:
            given = getattr(self, name)
            if given is False or (given is None and name not in DEFAULT_STEPS):
                continue
            steps.append((name, _default_step(name) if given is None or given is True else given))
        names = [n for n, _ in steps]
        for needs_clv in ("clv_cs", "value_potential"):
            if needs_clv in names and "clv" not in names:
                raise TierkitError(f"Segmentation: the {needs_clv} step needs predicted CLV; add clv=CLVModel()")
        return steps

    def fit(self, X, y=None, survey=None):
        """Fit every step on the feature table ``X`` (one row per customer).

        ``survey``: per-customer satisfaction (:func:`tierkit.customer_satisfaction`) for the
        CLV-CS grid; customers without an answer are ``unrated``.
        """
        if not isinstance(X, pd.DataFrame):
            raise TierkitError(f"Segmentation: expected a DataFrame of features, got {type(X).__name__}")
        if len(X) == 0:
            raise TierkitError("Segmentation: cannot fit on an empty feature table")
        from sklearn.base import clone

        steps = self._steps()
        table = _with_survey(X, survey, dict(steps))
        fitted = []
        for name, step in steps:
            step = clone(step) if hasattr(step, "get_params") else step
            out = step.fit(table).transform(table)
            table = _join(table, out)
            fitted.append((name, step))
        self.steps_ = fitted
        self.feature_columns_ = [c for c in X.columns if c not in SURVEY_COLUMNS]
        self.time_unit_ = X.attrs.get("time_unit")
        return self

    def transform(self, X, lang: str | None = None, horizon: float | None = None, survey=None) -> pd.DataFrame:
        """Features plus every tier column; with ``lang``, label and strategy columns too.

        ``horizon`` overrides the CLV step's horizon for this call (same time unit);
        ``survey`` gives this batch's satisfaction (else a ``cs_index`` column, else unrated).
        """
        check_is_fitted(self, "steps_")
        table = _with_survey(X, survey, dict(self.steps_))
        for name, step in self.steps_:
            if name == "clv" and horizon is not None:
                step = copy.copy(step)
                step.horizon = horizon
            table = _join(table, step.transform(table))
        if lang is not None:
            table = add_labels(table, lang, abc_scheme=self.abc_scheme)
        return table

    def fit_transform(self, X, y=None, lang: str | None = None, survey=None):
        return self.fit(X, survey=survey).transform(X, lang=lang, survey=survey)

    @property
    def abc_scheme(self) -> str:
        step = dict(getattr(self, "steps_", [])).get("abc")
        return step.scheme if step is not None else "course"

    def named_step(self, name: str):
        """The fitted step called ``name``."""
        check_is_fitted(self, "steps_")
        return dict(self.steps_)[name]


def _with_survey(X: pd.DataFrame, survey, steps: dict) -> pd.DataFrame:
    """``X`` with the survey's satisfaction columns (``cs_index`` missing = no answer)."""
    if survey is None and "clv_cs" in steps and "cs_index" not in X.columns:
        table = X.copy()
        table["cs_index"] = float("nan")
        return table
    if survey is None:
        return X
    if not isinstance(survey, pd.DataFrame) or "cs_index" not in survey.columns:
        raise TierkitError("survey: expected the per-customer table of customer_satisfaction() with a cs_index column")
    columns = [c for c in SURVEY_COLUMNS if c in survey.columns]
    answers = survey[columns].copy()
    answers.index = answers.index.astype("str")
    answers = answers.reindex(X.index.astype("str"))
    answers.index = X.index
    return _join(X, answers)


def _join(table: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``out``'s columns (replacing same-named ones), keeping ``table``'s rows."""
    table = table.drop(columns=[c for c in out.columns if c in table.columns])
    joined = table.join(out, how="left") if len(out) == len(table) and out.index.equals(table.index) else None
    if joined is None:
        joined = pd.concat([table, out.reindex(table.index)], axis=1)
    joined.attrs = dict(table.attrs)
    return joined


def build_segmentation(schemes: dict | None = None, *, seed: int = 0) -> Segmentation:
    """A :class:`Segmentation` from a config's ``schemes`` section (``{step: params, true or false}``).

    The rule-based steps run unless ``false``; ``clv``, ``clusters``, ``clv_cs`` and
    ``value_potential`` run when present. ``seed`` is the clusters' ``random_state`` unless set.

    Examples
    --------
    >>> build_segmentation({"abc": {"scheme": "abc"}, "lifecycle": False}).abc.scheme
    'abc'
    """
    schemes = dict(schemes or {})
    unknown = sorted(set(schemes) - set(STEP_ORDER))
    if unknown:
        raise TierkitError(f"schemes: unknown step(s) {', '.join(unknown)}; expected some of {', '.join(STEP_ORDER)}")
    kwargs = {}
    for name in STEP_ORDER:
        params = schemes.get(name, {} if name in DEFAULT_STEPS else False)
        if params is False:
            kwargs[name] = False
            continue
        params = {} if params is True or params is None else dict(params)
        if name == "clusters":
            params.setdefault("random_state", seed)
        try:
            kwargs[name] = type(_default_step(name))(**params)
        except TypeError as exc:
            raise TierkitError(f"schemes.{name}: {exc}") from None
    return Segmentation(**kwargs)
