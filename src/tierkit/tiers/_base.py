"""The contract every tier estimator keeps, written once.

:class:`TierTransformer` is the base of the rule-based tier estimators, :class:`tierkit.CLVModel`
and :class:`tierkit.KMeansSegmenter`:

* ``__init__`` stores parameters and nothing else (scikit-learn's ``get_params`` / ``clone``);
* ``fit(X)`` checks the parameters (against ``_parameter_constraints``, declared once per
  estimator: :mod:`tierkit.tiers.constraints`) and the frame (a DataFrame, not empty, the columns
  the estimator reads present and numeric), learns attributes ending in ``_`` and records
  ``feature_names_in_`` / ``n_features_in_``;
* ``transform(X)`` reads only fitted state and returns a DataFrame with one row per input row,
  on the input's index, whose columns are ``get_feature_names_out()``; so
  ``set_output(transform="pandas")`` and :class:`sklearn.pipeline.Pipeline` work unchanged;
* ``standards()`` gives the learned standards as plain values, for reports and model artifacts.

Transform needs the columns the estimator reads (``columns_in_``); other columns may differ
from fit: a feature table grows columns (holdout, survey) without changing any tier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from tierkit.errors import DataError, Message, TierkitError
from tierkit.features.definition import FREQUENCY_OF, FREQUENCY_REMEDY, features_time_unit
from tierkit.features.statistics import Distinct, counts_of, hash_sample_positions
from tierkit.tiers.constraints import validate_params


def shown(value):
    """A cell value as a message shows it: numpy scalars as plain Python values.

    Examples
    --------
    >>> repr(shown(np.float64(2.5)))
    '2.5'
    """
    return value.item() if isinstance(value, np.generic) else value


def require_frame(X, who: str) -> pd.DataFrame:
    """``X`` itself when it is a DataFrame; otherwise a one-line error.

    Examples
    --------
    >>> require_frame([[1, 2]], "RFMScorer")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: RFMScorer: expected a pandas DataFrame of features with named columns, got list
    """
    if not isinstance(X, pd.DataFrame):
        raise DataError("not_a_frame", where=who, got=type(X).__name__)
    return X


def require_columns(features: pd.DataFrame, columns, who: str, what: str = "feature column") -> None:
    """Raise a one-line error naming the missing columns and the ones present.

    ``what`` names the kind of column in the message (``"feature column"``, ``"column"``).

    Examples
    --------
    >>> require_columns(pd.DataFrame({"recency": [1]}), ["recency", "monetary"], "RFMScorer")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: RFMScorer: missing feature column(s) 'monetary'; present: recency
    """
    require_frame(features, who)
    missing = [c for c in columns if c not in features.columns]
    if missing:
        raise DataError("missing_feature_columns" if what == "feature column" else "missing_columns", where=who,
                        missing=", ".join(map(repr, missing)), present=", ".join(map(str, features.columns)))


def numeric_column(features: pd.DataFrame, column: str, who: str) -> np.ndarray:
    """A feature column as float64; NaN or non-numbers are a one-line error naming the customer.

    Examples
    --------
    >>> numeric_column(pd.DataFrame({"monetary": [1, 2]}), "monetary", "ABCClassifier").tolist()
    [1.0, 2.0]
    """
    try:
        values = pd.to_numeric(features[column], errors="raise").astype("float64").to_numpy()
    except (ValueError, TypeError):
        values = pd.to_numeric(features[column], errors="coerce").astype("float64").to_numpy()
    bad = ~np.isfinite(values)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError("not_finite", where=who, column=repr(column), customer=repr(features.index[pos]),
                        value=repr(shown(features[column].iloc[pos])))
    return values


class FrameStatistics:
    """The statistics of a pandas feature table.

    Parameters
    ----------
    frame : pandas.DataFrame
        Features, one row per customer.
    who : str, default="tierkit"
        The estimator asking, named in the error for a value that is not a finite number.

    Examples
    --------
    >>> f = pd.DataFrame({"frequency": [1, 3, 3]}, index=pd.Index(list("abc"), name="customer_id"))
    >>> v, c = FrameStatistics(f).distinct(Distinct("frequency"))
    >>> v.tolist(), c.tolist()
    ([1.0, 3.0], [1, 2])
    """

    def __init__(self, frame: pd.DataFrame, who: str = "tierkit"):
        self.frame = frame
        self.who = who
        self.columns = list(frame.columns)
        self.attrs = dict(frame.attrs)

    def __len__(self) -> int:
        return len(self.frame)

    def time_unit(self) -> str | None:
        """The features' time unit (:func:`tierkit.features.definition.features_time_unit`)."""
        return features_time_unit(self.frame)

    def distinct(self, request: Distinct) -> tuple[np.ndarray, np.ndarray]:
        """``(values, counts)`` of ``request``, values ascending."""
        values = numeric_column(self.frame, request.column, self.who)
        keep = None
        if request.where is not None:
            keep = numeric_column(self.frame, request.where, self.who) > request.above
        if request.over is not None:
            over = numeric_column(self.frame, request.over, self.who)
            if keep is None:
                keep = over != 0
            values = values[keep] / over[keep]
        elif keep is not None:
            values = values[keep]
        return counts_of(values)

    def quantiles(self, column: str, quantiles) -> np.ndarray:
        """``numpy.quantile`` of a column (its default, linear method).

        Examples
        --------
        >>> FrameStatistics(pd.DataFrame({"clv": [1.0, 2, 10]})).quantiles("clv", [0.5]).tolist()
        [2.0]
        """
        return np.quantile(numeric_column(self.frame, column, self.who), np.asarray(quantiles, dtype="float64"))

    def sample(self, columns, size: int | None) -> pd.DataFrame:
        """The ``columns`` of every customer (in the table's order), or of ``size`` chosen by a hash of the id.

        The customers with the smallest :func:`~tierkit.features.statistics.hash_keys`, in id
        order: the sample every engine draws alike.

        Examples
        --------
        >>> f = pd.DataFrame({"monetary": [1.0, 2, 3, 4]}, index=pd.Index(list("abcd"), name="customer_id"))
        >>> FrameStatistics(f).sample(["monetary"], 2).index.tolist()
        ['a', 'c']
        """
        if size is None or size >= len(self.frame):
            return self.frame[list(columns)]
        frame = self.frame.iloc[hash_sample_positions(self.frame.index, size)][list(columns)]
        frame.index = frame.index.astype(str)
        return frame

    def rows(self, columns, positive=()) -> tuple[np.ndarray, np.ndarray]:
        """The distinct rows of ``columns`` among customers whose ``positive`` columns are > 0, and their counts.

        Rows come sorted lexicographically.

        Examples
        --------
        >>> f = pd.DataFrame({"x": [1, 0, 1], "t": [5.0, 0, 5]})
        >>> rows, counts = FrameStatistics(f).rows(["x", "t"], positive=["x"])
        >>> rows.tolist(), counts.tolist()
        ([[1.0, 5.0]], [2])
        """
        stacked = np.column_stack([numeric_column(self.frame, c, self.who) for c in columns])
        keep = np.ones(len(self.frame), dtype=bool)
        for column in positive:
            keep &= numeric_column(self.frame, column, self.who) > 0
        stacked = stacked[keep]
        if len(stacked) == 0:
            return np.empty((0, len(columns))), np.empty(0, dtype="int64")
        rows, counts = np.unique(stacked, axis=0, return_counts=True)
        return rows, counts.astype("int64")



class TierTransformer(TransformerMixin, BaseEstimator):
    """Base class of tierkit's estimators: DataFrame in, one row out per row in.

    Subclasses declare ``_parameter_constraints`` (a rule list for every ``__init__`` parameter,
    :mod:`tierkit.tiers.constraints`) and implement ``_check_parameters_together()`` (optional: rules
    between parameters), ``_columns_in(X)`` (the columns read), ``_fit(X)`` (learn ``*_``
    attributes), ``_transform(X)`` (the new columns) and ``_columns_out()`` (their names, fixed
    once fitted).

    Examples
    --------
    >>> class Big(TierTransformer):
    ...     def _columns_in(self, X):
    ...         return ("monetary",)
    ...     def _fit(self, X):
    ...         self.split_ = float(X["monetary"].median())
    ...     def _transform(self, X):
    ...         return pd.DataFrame({"big": X["monetary"] > self.split_}, index=X.index)
    ...     def _columns_out(self):
    ...         return ("big",)
    >>> f = pd.DataFrame({"monetary": [1.0, 5.0, 9.0]}, index=list("abc"))
    >>> Big().fit(f).transform(f)["big"].tolist()
    [False, False, True]
    >>> Big().fit(f).get_feature_names_out().tolist()
    ['big']
    """

    #: ``{parameter: [rule, ...]}``: a value is valid when it satisfies one rule (:mod:`tierkit.tiers.constraints`).
    _parameter_constraints: dict = {}

    def _validate_params(self) -> None:
        """Check the parameters: each against its constraints, then the rules between them (called by fit)."""
        validate_params(self)
        self._check_parameters_together()

    def _check_parameters_together(self) -> None:
        """Rules no single parameter's constraint states: ``edges`` has ``n_bins - 1`` values, a grid every cell."""

    def _columns_in(self, X: pd.DataFrame) -> tuple:
        raise NotImplementedError

    def _fit(self, X: pd.DataFrame) -> None:
        raise NotImplementedError

    def _transform(self, X: pd.DataFrame) -> pd.DataFrame:
        raise NotImplementedError

    def _columns_out(self) -> tuple:
        raise NotImplementedError

    @property
    def _who(self) -> str:
        return type(self).__name__

    def fit(self, X, y=None):
        """Learn the standards from a feature table (one row per customer).

        Parameters
        ----------
        X : pandas.DataFrame
            Features, one row per customer, with the columns the estimator reads.
        y : None
            Ignored; present for scikit-learn's API.

        Returns
        -------
        self
        """
        self._validate_params()
        X = require_frame(X, self._who)
        columns = tuple(self._columns_in(X))
        require_columns(X, columns, self._who)
        if len(X) == 0:
            raise TierkitError("empty_features", where=self._who)
        self._fit(X)
        self._record_input(X.columns, X.attrs, columns)
        return self

    #: True for an estimator whose standards are functions of :class:`~tierkit.features.statistics.Distinct`
    #: counts (it implements ``_fit_statistics``): it learns from any engine's counts (:meth:`fit_statistics`).
    _learns_from_counts = False

    def _fit_statistics(self, statistics) -> None:
        raise NotImplementedError

    def _fit_columns_in(self, X: pd.DataFrame) -> tuple:
        """The columns ``fit`` reads (default: all ``transform`` reads; fewer for a step learning nothing from some)."""
        return tuple(self._columns_in(X))

    def fit_statistics(self, statistics):
        """Learn the standards from a source of feature statistics instead of a table.

        For the estimators whose standards are functions of distinct feature values and their
        counts (``_learns_from_counts``): the source may count with pandas, DuckDB or Spark
        (:mod:`tierkit.features.statistics`), and the standards are those ``fit`` learns on the
        same customers, to the bit.

        Parameters
        ----------
        statistics : FrameStatistics, ParquetStatistics or SparkStatistics
            Answers ``distinct(Distinct(...))``; has ``columns``, ``attrs`` and ``len()``.

        Returns
        -------
        self

        Examples
        --------
        >>> from tierkit.tiers.rfm_scores import RFMScorer
        >>> f = pd.DataFrame({"recency": [1.0, 5, 30, 60], "frequency": [5, 2, 1, 1],
        ...                   "monetary": [300.0, 80, 20, 10]})
        >>> RFMScorer().fit_statistics(FrameStatistics(f)).bin_edges_["frequency"].round(6).tolist()
        [1.0, 1.2, 1.8, 3.2]
        """
        if not self._learns_from_counts:
            raise TypeError(f"{self._who} learns from a feature table, not from counts; use fit")
        self._validate_params()
        present = pd.DataFrame(columns=list(statistics.columns))
        require_columns(present, self._fit_columns_in(present), self._who)
        columns = tuple(self._columns_in(present))
        if len(statistics) == 0:
            raise TierkitError("empty_features", where=self._who)
        self._fit_statistics(statistics)
        self._record_input(statistics.columns, statistics.attrs, columns)
        return self

    def _record_input(self, names, attrs: dict, columns: tuple = ()) -> None:
        """Remember what the standards were learned on: the table's columns, time unit and frequency basis."""
        self.features_time_unit_ = attrs.get("time_unit")  # "D", "W", or None when nothing says
        self.features_frequency_of_ = attrs.get("frequency_of")  # "orders", "purchase_days" or None
        self.columns_in_ = tuple(columns)
        self.feature_names_in_ = np.asarray([str(c) for c in names], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)

    def transform(self, X):
        """Grade a feature table by the standards learned at fit.

        Parameters
        ----------
        X : pandas.DataFrame
            Features with at least the columns read at fit (``columns_in_``).

        Returns
        -------
        pandas.DataFrame
            One row per row of ``X``, on its index; columns ``get_feature_names_out()``.
        """
        check_is_fitted(self, "columns_in_")
        X = require_frame(X, self._who)
        require_columns(X, self.columns_in_, self._who)
        fitted, given = getattr(self, "features_time_unit_", None), X.attrs.get("time_unit")
        if fitted is not None and given is not None and given != fitted:
            raise DataError("standards_unit", where=self._who, given=repr(given), fitted=repr(fitted),
                            hint=Message("compute_in_unit", unit=repr(fitted)))
        fitted, given = getattr(self, "features_frequency_of_", None), X.attrs.get("frequency_of")
        if fitted is not None and given is not None and given != fitted:
            raise DataError("standards_frequency", where=self._who, given=FREQUENCY_OF[given],
                            fitted=FREQUENCY_OF[fitted], remedy=FREQUENCY_REMEDY[fitted])
        out = self._transform(X)
        if len(out) != len(X) or not out.index.equals(X.index):
            raise AssertionError(f"{self._who}.transform must return one row per input row")  # a bug, not user input
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the columns ``transform`` returns.

        Parameters
        ----------
        input_features : array-like of str, optional
            Ignored (the output columns do not depend on them); present for scikit-learn.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self, "columns_in_")
        return np.asarray(list(self._columns_out()), dtype=object)

    def standards(self) -> dict:
        """The learned standards as plain values, by name.

        Returns
        -------
        dict
            Fitted attributes (names ending in ``_``) other than the frame bookkeeping.
        """
        check_is_fitted(self, "columns_in_")
        skip = {"columns_in_", "feature_names_in_", "n_features_in_"}
        return {k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("_") and k not in skip}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.string = False
        tags.requires_fit = True
        tags.transformer_tags.preserves_dtype = []
        return tags
