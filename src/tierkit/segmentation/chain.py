"""One fitted segmentation: every scheme's standards, learned together, applied together.

:class:`Segmentation` chains the tier estimators in a fixed order. Each step sees the feature
table plus the columns of the steps before it (segments read the RFM scores, lifecycle may read
``p_alive`` from the CLV model), learns its standards at ``fit`` and applies them unchanged in
``transform``, so next month's base is graded by this month's standards.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from tierkit.errors import DataError, ModelError, TierkitError
from tierkit.features.columns import FeatureColumns
from tierkit.features.durations import as_given, to_time_units
from tierkit.progress import timed
from tierkit.tiers._base import TierTransformer, require_columns
from tierkit.tiers.abc_tiers import ABCClassifier
from tierkit.tiers.clv_cs import CLVCSGrid
from tierkit.tiers.constraints import HasMethods, Options, SequenceOf
from tierkit.tiers.lifecycle import LifecycleStager
from tierkit.tiers.rfm_classes import RFMClassifier
from tierkit.tiers.rfm_scores import RFMScorer
from tierkit.tiers.rfm_segments import RFMSegmenter
from tierkit.tiers.value_potential import ValuePotentialMatrix

#: Step names in the order they run.
STEP_ORDER = ("clv", "rfm", "rfm_classes", "rfm_segments", "abc", "lifecycle", "clusters", "clv_cs",
              "value_potential")
#: What each step fits, for the progress records (:mod:`tierkit.progress`).
STEP_LABELS = {"clv": "CLV (purchase model + Gamma-Gamma)", "rfm": "RFM scores", "rfm_classes": "RFM classes",
               "rfm_segments": "RFM segments", "abc": "ABC tiers", "lifecycle": "lifecycle stages",
               "clusters": "k-means clusters", "clv_cs": "CLV-CS grid", "value_potential": "value-potential matrix"}
#: Steps that run unless switched off (``False``); the others run only when given.
DEFAULT_STEPS = ("rfm", "rfm_classes", "rfm_segments", "abc", "lifecycle")
#: Steps that read the CLV step's output.
NEEDS_CLV = ("clv_cs", "value_potential")
#: Per-customer satisfaction columns (:func:`tierkit.data.surveys.with_satisfaction`): not features.
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


class Segmentation(TierTransformer):
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
        :class:`tierkit.CLVCSGrid` adding ``clv_cs_class``; needs the ``clv`` step and a
        ``cs_index`` column (:func:`tierkit.with_satisfaction`); without one every customer is
        ``unrated``.
    value_potential : estimator or bool, default=False
        :class:`tierkit.ValuePotentialMatrix` adding ``value_potential``; needs ``clv``.
    optional_steps : sequence of str, default=()
        Steps left out, with a warning saying why, when the data cannot support them (a
        :class:`tierkit.DataError` or :class:`tierkit.ModelError` at fit): e.g. ``("clv",
        "clusters")`` grades a base of one-time buyers or of five customers instead of refusing
        it. Steps that need a left-out CLV (``clv_cs``, ``value_potential``) are left out with
        it, and ``LifecycleStager(use_p_alive=True)`` falls back to its recency rules. So
        are they, and with a warning naming the reason and the remedy, when the fitted CLV
        model cannot tell active from lapsed customers (``CLVModel.trust_``, no dropout learned):
        its ranking would be a purchase rate alone.

    Attributes
    ----------
    steps_ : list of (str, estimator)
        The fitted steps in run order.
    skipped_steps_ : dict of str to str
        Steps left out at fit, with the reason.
    feature_columns_ : list of str
        The feature columns seen at fit.
    time_unit_ : str or None
        Time unit of those features (``"D"`` or ``"W"``).
    frequency_of_ : str or None
        What their ``frequency`` counted: ``"orders"`` or ``"purchase_days"``.
    reading_ : dict or None
        How their transactions were read (:func:`tierkit.data.columns.reading_record`), when
        they came from a file or :func:`tierkit.read_transactions`; a saved model applies it
        to the next file.

    Examples
    --------
    >>> f = pd.DataFrame({"recency": [1, 5, 30, 60], "frequency": [5, 2, 1, 1],
    ...     "monetary": [300.0, 80.0, 20.0, 10.0], "frequency_btyd": [4, 1, 0, 0],
    ...     "recency_btyd": [40, 10, 0, 0]}, index=pd.Index(list("abcd"), name="customer_id"))
    >>> Segmentation().fit(f).transform(f)["rfm_class"].tolist()
    ['important_value', 'general_develop', 'general_winback', 'general_winback']

    Labels and strategies are presentation, added to a graded table in a language:

    >>> from tierkit.tiers.schemes import add_labels
    >>> add_labels(Segmentation().fit_transform(f), "zh")["rfm_class_label"].iloc[0]
    '重要价值客户'
    """

    _parameter_constraints = {
        **{name: [HasMethods("fit", "transform"), "boolean", None] for name in STEP_ORDER},
        "optional_steps": [SequenceOf(Options(STEP_ORDER))],
    }

    def __init__(self, rfm=None, rfm_classes=None, rfm_segments=None, abc=None, lifecycle=None, clv=False,
                 clusters=False, clv_cs=False, value_potential=False, optional_steps=()):
        self.rfm = rfm
        self.rfm_classes = rfm_classes
        self.rfm_segments = rfm_segments
        self.abc = abc
        self.lifecycle = lifecycle
        self.clv = clv
        self.clusters = clusters
        self.clv_cs = clv_cs
        self.value_potential = value_potential
        self.optional_steps = optional_steps

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
                raise TierkitError("step_needs_clv", where="Segmentation", step=needs_clv)
        return steps

    def _columns_in(self, X):
        return ()

    def _columns_out(self):
        return tuple(self.get_feature_names_out())

    def _fit(self, X):
        """Fit every step on the feature table ``X`` (one row per customer), in order."""
        self._fit_columns(FeatureColumns.of_frame(X), chunk_size=None)

    def fit_columns(self, source: FeatureColumns, chunk_size: int = 100_000) -> Segmentation:
        """Fit on a feature table read column by column: the standards ``fit`` learns on the whole table.

        Each step is given only the columns it reads (features, and the outputs of earlier
        steps it reads), and earlier steps grade the customers in chunks of ``chunk_size``
        for it; so no table of every customer with every column is held. This is how
        :func:`tierkit.grading.grade_file` trains on a base too large for memory.

        Parameters
        ----------
        source : tierkit.features.columns.FeatureColumns
            The feature table (e.g. :meth:`FeatureColumns.of_parquet`).
        chunk_size : int, default=100_000
            Customers graded at a time by a step whose output a later step reads.

        Returns
        -------
        Segmentation
            self, fitted.

        Examples
        --------
        >>> f = pd.DataFrame({"recency": [1, 5, 30, 60], "frequency": [5, 2, 1, 1],
        ...     "monetary": [300.0, 80.0, 20.0, 10.0], "frequency_btyd": [4, 1, 0, 0],
        ...     "recency_btyd": [40, 10, 0, 0]}, index=pd.Index(list("abcd"), name="customer_id"))
        >>> seg = Segmentation().fit_columns(FeatureColumns.of_frame(f), chunk_size=2)
        >>> seg.transform(f)["rfm_class"].tolist()
        ['important_value', 'general_develop', 'general_winback', 'general_winback']
        """
        self._validate_params()
        if len(source) == 0:
            raise TierkitError("empty_features", where=self._who)
        self._fit_columns(source, chunk_size=chunk_size)
        self._record_input(source.columns, source.attrs)
        return self

    def _fit_columns(self, source: FeatureColumns, chunk_size: int | None) -> None:
        from sklearn.base import clone

        steps = self._steps()
        optional = set(self.optional_steps)
        given = source  # the features as given; ``source`` gains what an engine derives from them
        store = {}  # the outputs of earlier steps that later steps read, by column
        if "clv_cs" in dict(steps) and "cs_index" not in source.columns:
            # every customer unrated when the CLV-CS grid runs without a survey (_with_cs_index)
            store["cs_index"] = pd.Series(np.nan, index=source.index, dtype="float64")
        fitted, added, skipped = [], [], {}
        untrusted = {}  # the CLV step's verdict when it cannot tell active from lapsed customers
        for index, (name, step) in enumerate(steps):
            step = clone(step)
            if name in NEEDS_CLV and "clv" in skipped:
                from tierkit.errors import Message

                skipped[name] = Message("needs_clv_left_out")
                _warn_left_out(name, skipped[name])
                continue
            if name in NEEDS_CLV and untrusted:
                from tierkit.errors import Message

                skipped[name] = Message("clv_untrusted_step", reason=untrusted["reason"], remedy=untrusted["remedy"])
                _warn_left_out(name, skipped[name])
                continue
            if name == "lifecycle" and ("clv" in skipped or untrusted) and getattr(step, "use_p_alive", False):
                step.set_params(use_p_alive=False)
                from tierkit.errors import StepWarning

                warnings.warn(StepWarning("warn_lifecycle_no_clv", where="lifecycle"), stacklevel=4)
            available = list(dict.fromkeys([*source.columns, *store, *added]))
            try:
                with timed(f"fitted {STEP_LABELS[name]}"):
                    reads = _reads(step, available)
                    if isinstance(step, TierTransformer):
                        # the missing-column error names every column there is, as for a whole table
                        require_columns(pd.DataFrame(columns=available), reads, step._who)
                    later = steps[index + 1:]
                    if _learns_from_counts(step, source):
                        # standards from distinct values and their counts (the engine counts): a column
                        # is read only when a later step's fit reads this step's output
                        step.fit_statistics(source.statistics)
                        produced = list(step.get_feature_names_out())
                        kept = {}
                        needed = _needed_later(later, [*available, *produced], produced, source)
                        if needed and hasattr(source.statistics, "derive"):
                            # the engine grades every customer and counts the result: no column is read here
                            source = source.derived(step, needed)
                        elif needed:
                            # read a chunk at a time: no table of every customer is held for the grading
                            kept, produced = self._graded_columns(step, source.frames(reads, store, chunk_size),
                                                                  later, available, source)
                    else:
                        table = source.frame(reads, store)
                        step.fit(table)
                        kept, produced = self._graded_columns(step, _chunks(table, chunk_size), later, available,
                                                              source)
                        del table
            except (DataError, ModelError) as exc:
                if name not in optional:
                    raise
                skipped[name] = exc.as_message()  # keyed: rendered in the reader's language
                _warn_left_out(name, skipped[name])
                continue
            added += [c for c in produced if c not in added]
            store.update(kept)
            fitted.append((name, step))
            verdict = getattr(step, "trust_", None)  # a CLV step of one's own may have none
            if name == "clv" and verdict is not None and not verdict["discriminates"]:
                untrusted = verdict
        self.steps_ = fitted
        self.skipped_steps_ = skipped
        self.columns_added_ = tuple(added)
        self.feature_columns_ = [c for c in given.columns if c not in SURVEY_COLUMNS]
        self.time_unit_ = given.time_unit()
        self.frequency_of_ = source.attrs.get("frequency_of")
        # how the transactions were read (tierkit.data.reading_record): score reads the next file the same way
        self.reading_ = source.attrs.get("reading")

    @staticmethod
    def _graded_columns(step, chunks, later_steps, available: list,
                        source: FeatureColumns | None = None) -> tuple[dict, list]:
        """Grade every customer of the consecutive ``chunks`` (tables) by ``step``: ``(kept, produced)``.

        ``produced`` is every output column; ``kept`` those of them a step of ``later_steps``
        reads, by column. Every customer is graded even when nothing is kept: a step that cannot
        grade the base fails (or is left out) at fit, not later.
        """
        parts, produced, keep = [], None, None
        for chunk in chunks:
            out = step.transform(chunk)
            if produced is None:
                produced = list(out.columns)
                keep = _needed_later(later_steps, [*available, *produced], produced, source)
            parts.append(out[keep])
        joined = parts[0] if len(parts) == 1 else pd.concat(parts)
        return {column: joined[column] for column in keep}, produced

    def _transform(self, X):
        """Features plus every tier column, by the standards learned at fit."""
        with timed(f"graded {len(X):,} customers"):
            table = _with_cs_index(X, dict(self.steps_))
            for _, step in self.steps_:
                table = _join(table, step.transform(table))
        return table

    def step_input(self, X, name: str) -> pd.DataFrame:
        """The table the fitted step ``name`` reads: ``X`` with the columns of the steps before it.

        What that step saw at fit when ``X`` is the feature table the segmentation was fitted
        on (the clusters step may cluster on the CLV step's ``clv``): the stability diagnostic
        (:func:`tierkit.evaluation.stability.assess_stability`) measures the clusters on it.

        Parameters
        ----------
        X : pandas.DataFrame
            A feature table.
        name : str
            A fitted step's name (``"clusters"``, ``"clv"`` ...).

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> f = pd.DataFrame({"recency": rng.uniform(1, 300, 60), "frequency": rng.integers(1, 9, 60),
        ...                   "monetary": rng.uniform(10, 900, 60)})
        >>> seg = Segmentation(lifecycle=False).fit(f)
        >>> [name for name, _ in seg.steps_]
        ['rfm', 'rfm_classes', 'rfm_segments', 'abc']
        >>> list(seg.step_input(f, "rfm_classes").columns)
        ['recency', 'frequency', 'monetary', 'r_score', 'f_score', 'm_score', 'rfm_cell', 'rfm_score']
        """
        check_is_fitted(self, "steps_")
        steps = dict(self.steps_)
        if name not in steps:
            raise KeyError(f"no fitted step {name!r}; the steps are {', '.join(steps)}")
        table = _with_cs_index(X, steps)
        for step_name, step in self.steps_:
            if step_name == name:
                break
            table = _join(table, step.transform(table))
        return table

    def get_feature_names_out(self, input_features=None):
        """The feature columns (``input_features``, default those seen at fit) plus every tier column.

        Parameters
        ----------
        input_features : array-like of str, optional
            The columns of the table given to ``transform``.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self, "steps_")
        given = list(self.feature_names_in_ if input_features is None else input_features)
        return np.asarray(given + [c for c in self.columns_added_ if c not in given], dtype=object)

    def standards(self) -> dict:
        """Every learned standard, by step (see :func:`tierkit.segmentation.standards.segmentation_standards`).

        Returns
        -------
        dict
        """
        from tierkit.segmentation.standards import segmentation_standards

        check_is_fitted(self, "steps_")
        return segmentation_standards(self)

    @property
    def abc_scheme(self) -> str:
        """The ABC scheme of the fitted ``abc`` step (``course`` without one)."""
        from tierkit.tiers.schemes import abc_scheme_of

        step = dict(getattr(self, "steps_", [])).get("abc")
        return abc_scheme_of(step.tier_keys_) if step is not None else "course"

    def named_step(self, name: str):
        """The fitted step called ``name``."""
        check_is_fitted(self, "steps_")
        return dict(self.steps_)[name]


def _chunks(table: pd.DataFrame, chunk_size: int | None):
    """``table`` in consecutive chunks of ``chunk_size`` rows (whole when None)."""
    size = max(len(table) if chunk_size is None else chunk_size, 1)
    for start in range(0, len(table), size):
        yield table.iloc[start:start + size]


def _learns_from_counts(step, source: FeatureColumns | None) -> bool:
    """Whether ``step`` learns from the source's counts: it can, the source counts, and its fit reads only features."""
    if source is None or source.statistics is None or not getattr(step, "_learns_from_counts", False):
        return False
    return set(step._fit_columns_in(pd.DataFrame(columns=source.columns))) <= set(source.statistics.columns)


def _needed_later(later_steps, columns: list, produced, source: FeatureColumns | None = None) -> list:
    """Of ``produced``, the columns some step of ``later_steps`` reads (or would read) while it is fitted.

    That is all a step reads, or, for a step learning from counts, what its fit reads. Asked of
    each step with every column present, so a column a step reads only when it is there
    (``profit`` for ABC, ``p_alive`` for lifecycle) is kept.
    """
    columns = list(dict.fromkeys(columns))
    read = set()
    for _, step in later_steps:
        if _learns_from_counts(step, source):
            read.update(step._fit_columns_in(pd.DataFrame(columns=columns)))
        else:
            read.update(_reads(step, columns))
    return [c for c in produced if c in read]


def _reads(step, columns: list) -> tuple:
    """The columns ``step`` reads of a table with ``columns``: its own declaration, or all of them.

    A step of one's own that is not a :class:`~tierkit.tiers._base.TierTransformer` declares
    nothing, so it is given (and keeps for later) every column, as it would see the whole table.
    """
    if isinstance(step, TierTransformer):
        return tuple(step._columns_in(pd.DataFrame(columns=columns)))
    return tuple(columns)


def _warn_left_out(name: str, reason: str) -> None:
    from tierkit.errors import StepWarning

    warnings.warn(StepWarning("warn_step_left_out", name=name, reason=reason), stacklevel=5)


def _with_cs_index(X: pd.DataFrame, steps: dict) -> pd.DataFrame:
    """``X``, with an empty ``cs_index`` (every customer unrated) when the CLV-CS grid runs without one."""
    if "clv_cs" in steps and "cs_index" not in X.columns:
        table = X.copy()
        table["cs_index"] = float("nan")
        return table
    return X


def at_horizon(segmentation: Segmentation, horizon) -> Segmentation:
    """A copy of a fitted segmentation whose CLV step predicts over ``horizon`` instead.

    Parameters
    ----------
    segmentation : Segmentation
        Fitted, with a ``clv`` step.
    horizon : str, pandas.Timedelta or float
        ``"30D"``, ``"4W"`` or a time delta; a bare number is days, refused when the
        segmentation was fitted on weekly features (see :mod:`tierkit.features.durations`).

    Returns
    -------
    Segmentation
        A shallow copy; ``segmentation`` itself is unchanged.

    Examples
    --------
    >>> at_horizon(Segmentation(), "30D")
    Traceback (most recent call last):
    ...
    sklearn.exceptions.NotFittedError: This Segmentation instance is not fitted yet. ...
    """
    check_is_fitted(segmentation, "steps_")
    if "clv" not in dict(segmentation.steps_):
        from tierkit.errors import Param

        raise TierkitError("no_clv_horizon", param=Param("horizon"))
    copied = copy.copy(segmentation)
    steps = []
    for name, step in segmentation.steps_:
        if name == "clv":
            step = copy.copy(step)
            step.horizon = horizon
            step.settings_ = {**step.settings_, "horizon": to_time_units(horizon, step.time_unit_, "horizon"),
                              "horizon_given": as_given(horizon)}
        steps.append((name, step))
    copied.steps_ = steps
    return copied


def _join(table: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``out``'s columns: same-named ones replaced where they stand, new ones appended.

    Every step keeps one row per input row on the same index (the estimator contract), so the
    columns line up by position.
    """
    replaced = [c for c in out.columns if c in table.columns]
    joined = table.copy() if replaced else table
    for column in replaced:
        joined[column] = out[column].to_numpy()
    new = out[[c for c in out.columns if c not in table.columns]]
    joined = pd.concat([joined, new.set_axis(table.index)], axis=1) if len(new.columns) else joined
    joined.attrs = dict(table.attrs)
    return joined


def build_segmentation(schemes: dict | None = None, *, seed: int = 0, optional_steps=()) -> Segmentation:
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
        from tierkit.errors import Param

        raise TierkitError("unknown_steps", param=Param("schemes"), steps=", ".join(unknown),
                           expected=", ".join(STEP_ORDER))
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
            from tierkit.errors import Param

            raise TierkitError("step_arguments", param=Param(f"schemes.{name}"), reason=str(exc)) from None
    return Segmentation(**kwargs, optional_steps=tuple(optional_steps))
