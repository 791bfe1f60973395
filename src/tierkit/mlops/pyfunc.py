"""The fitted segmentation as an MLflow pyfunc model that predicts in a fresh process.

The model takes one of two inputs, chosen by the ``input`` parameter:

* ``"features"`` (default): the customer feature table, ``customer_id`` and the numeric
  feature columns of :func:`tierkit.rfm_features`;
* ``"transactions"``: raw transactions (``customer_id``, ``date``, ``amount``, and ``order_id``
  / ``profit`` when the model was trained with them) with an ``as_of`` parameter; the model
  checks them under the reader's contract (:func:`tierkit.normalize_transactions`) and builds
  the features with :func:`tierkit.rfm_features`, in the model's time unit: the rules of
  training, not a copy of them.

Input columns are typed ``any`` in the signature, so integer and float numbers (pandas
``int64``, Spark ``bigint``, JSON ``4`` or ``4.0``) and integer or text customer ids are all
accepted; :meth:`SegmentationModel.predict` then checks and converts them itself (numbers to
float, ids to text) and names the column of a value that is not a number. The output is every
score, tier and CLV column (``lang="en"`` or ``"zh"`` adds ``<column>_label`` and
``<column>_strategy``); a missing or non-finite value is ``None``, so ``mlflow models serve``
answers ``null``, never the ``NaN`` strict JSON parsers refuse.

tierkit's own code travels inside the model (``code/tierkit``), so
``mlflow.pyfunc.load_model(uri)`` works in a process that never imported tierkit; the fitted
segmentation is a joblib artifact, and its standards a readable JSON artifact
(``standards.json``). ``horizon`` is a text signature parameter written with its unit,
``"180D"`` or ``"26W"`` (:mod:`tierkit.features.durations`). The requirements are pinned to
the versions of the training environment (the pickle is tied to the scikit-learn that made it)
and the input example is made-up customers, never rows of the training data.

Every row of a ``"features"`` input is checked against the feature definition
(:data:`FEATURE_RULES`, :data:`FEATURE_RELATIONS`): ``frequency`` a whole number >= 1,
``recency`` >= 0 and at most ``tenure``, ``recency_btyd`` at most ``T`` ...; a boolean is not a
number. The first bad row is refused in one line naming the column, the row (its 0-based
position in the request), the value and what is expected.

A request's work is bounded before any of it is done: at most :data:`MAX_REQUEST_ROWS` rows
and a ``horizon`` of at most :data:`MAX_HORIZON_DAYS` days (or the model's own, if longer).
Both limits are the model's ``model_config`` (``max_rows``, ``max_horizon_days``), so they can
be changed where the model is loaded: ``mlflow.pyfunc.load_model(uri, model_config={"max_rows":
200000})``, or for ``mlflow models serve`` the environment variable
``MLFLOW_PYFUNC_INFERENCE_CONFIG='{"max_rows": 200000}'``. MLflow's scoring server parses the
whole JSON body into a DataFrame before the model is called, so the size of a body is bounded in
front of the server (a proxy's body limit), not here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import joblib
import mlflow.pyfunc
import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE

from tierkit.errors import DataError, ModelError, TierkitError
from tierkit.features.definition import TIME_UNITS
from tierkit.messages import Message
from tierkit.segmentation.chain import at_horizon
from tierkit.segmentation.standards import check_model_format, dumps, segmentation_standards

log = logging.getLogger(__name__)

#: Feature columns a model may take as input, in this order.
INPUT_FEATURES = (
    "recency", "frequency", "monetary", "tenure", "frequency_btyd", "recency_btyd", "T", "monetary_btyd",
    "profit", "cs_index",
)
#: Columns of the ``"transactions"`` input besides ``customer_id`` (``profit`` is also a feature name).
TRANSACTION_COLUMNS = ("date", "amount", "order_id", "profit")
#: The two kinds of input, the value of the ``input`` parameter.
INPUT_KINDS = ("features", "transactions")
#: tierkit's runtime dependencies (pyproject.toml), pinned in the model to the versions that trained it.
RUNTIME_REQUIREMENTS = (
    "mlflow", "numpy", "pandas", "scipy", "scikit-learn", "lifetimes", "joblib", "duckdb", "pyarrow", "openpyxl",
    "click", "rich", "matplotlib", "pyyaml", "pydantic", "kneed", "threadpoolctl", "jinja2",
)
#: Kept for callers of the old name: the unpinned package names.
PIP_REQUIREMENTS = RUNTIME_REQUIREMENTS

#: Rows one call (one request to the served model) may hold; beyond, it is refused before any work.
#: The default chunk of ``tierkit score``, which calls the model in-process, chunk by chunk.
MAX_REQUEST_ROWS = 100_000
#: The longest CLV ``horizon`` a call may ask for, in days: 10 years of 365.25 days, rounded up.
#: CLV sums the discounted purchases of every month of the horizon, so the work grows with it.
MAX_HORIZON_DAYS = 3653
#: The limits as the model's ``model_config``, logged with it so that the place that loads it can change them.
MODEL_CONFIG = {"max_rows": MAX_REQUEST_ROWS, "max_horizon_days": MAX_HORIZON_DAYS}


def _at_least(low: float, whole: bool = False) -> Callable[[np.ndarray], np.ndarray]:
    """The test of a finite number >= ``low`` (and whole): ``True`` where a value passes."""
    def test(values: np.ndarray) -> np.ndarray:
        good = np.isfinite(values) & (values >= low)
        return good & (values == np.round(values)) if whole else good

    return test


def _cs_index(values: np.ndarray) -> np.ndarray:
    """The test of a CS index: 0 to 100, or missing (a customer who did not answer)."""
    return np.isnan(values) | ((values >= 0) & (values <= 100))


#: What each feature column of a ``"features"`` input holds, by the definition of
#: :mod:`tierkit.features.definition` (times in the model's unit): what is expected, and its test.
FEATURE_RULES: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "recency": (Message("rule_recency"), _at_least(0)),
    "frequency": (Message("rule_frequency"), _at_least(1, whole=True)),
    "monetary": (Message("rule_monetary"), np.isfinite),
    "tenure": (Message("rule_tenure"), _at_least(0)),
    "frequency_btyd": (Message("rule_frequency_btyd"), _at_least(0, whole=True)),
    "recency_btyd": (Message("rule_recency_btyd"), _at_least(0)),
    "T": (Message("rule_tenure"), _at_least(0)),
    "monetary_btyd": (Message("rule_monetary_btyd"), np.isfinite),
    "profit": (Message("rule_profit"), np.isfinite),
    "cs_index": (Message("rule_cs_index"), _cs_index),
}
#: Relations between two feature columns that the definition makes hold for every customer:
#: ``(column, other, the key of what is expected of column (its {name} and {value}: other's), test of both columns)``.
FEATURE_RELATIONS: tuple[tuple[str, str, str, Callable[[np.ndarray, np.ndarray], np.ndarray]], ...] = (
    ("recency", "tenure", "rule_at_most", lambda value, other: value <= other),
    ("recency_btyd", "T", "rule_at_most", lambda value, other: value <= other),
    ("T", "tenure", "rule_equal_to", lambda value, other: np.isclose(value, other, rtol=1e-9, atol=1e-9)),
    ("recency_btyd", "frequency_btyd", "rule_zero_one_day", lambda value, other: (other > 0) | (value == 0)),
    ("monetary_btyd", "frequency_btyd", "rule_zero_no_repeat", lambda value, other: (other > 0) | (value == 0)),
)


def pinned_requirements(names=RUNTIME_REQUIREMENTS) -> list[str]:
    """``name==version`` of each package as installed here (the environment that trains the model).

    Examples
    --------
    >>> import sklearn
    >>> pinned_requirements(["scikit-learn"]) == [f"scikit-learn=={sklearn.__version__}"]
    True
    """
    from importlib.metadata import PackageNotFoundError, version

    pins = []
    for name in names:
        try:
            pins.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            raise ModelError("not_installed_to_log", where="requirements", package=name) from None
    return pins


def model_input(features: pd.DataFrame, columns=None) -> pd.DataFrame:
    """The pyfunc input for a feature table: ``customer_id`` then numeric features as float.

    Examples
    --------
    >>> f = pd.DataFrame({"recency": [3], "frequency": [2]}, index=pd.Index(["a"], name="customer_id"))
    >>> model_input(f).dtypes.astype(str).tolist()
    ['str', 'float64', 'float64']
    """
    columns = [c for c in (columns or INPUT_FEATURES) if c in features.columns]
    frame = features[columns].astype("float64")
    frame.insert(0, "customer_id", features.index.astype("str"))
    return frame.reset_index(drop=True)


def example_transactions(as_of, profit: bool = False) -> pd.DataFrame:
    """Made-up transactions of three customers before ``as_of``: the model's input example.

    A repeat buyer, a one-time buyer and a lapsed one; their features come from
    :func:`tierkit.rfm_features`, so they satisfy the feature definition by construction.

    Examples
    --------
    >>> example_transactions("2024-01-31")["customer_id"].unique().tolist()
    ['example-1', 'example-2', 'example-3']
    """
    days_before = [300, 120, 10, 200, 400, 380]
    tx = pd.DataFrame({
        "customer_id": ["example-1"] * 3 + ["example-2"] + ["example-3"] * 2,
        "date": [pd.Timestamp(str(as_of)) - pd.Timedelta(days=d) for d in days_before],
        "amount": [40.0, 25.5, 60.0, 15.0, 80.0, 20.0],
    })
    if profit:
        tx["profit"] = (tx["amount"] * 0.3).round(2)
    return tx


def example_features(features: pd.DataFrame, time_unit: str | None = None) -> pd.DataFrame:
    """The model's input example: the feature table of :func:`example_transactions`, as model input.

    Same columns and time unit (``time_unit``, else the one ``features`` shows) as ``features``
    (the training table), no row of it.

    Examples
    --------
    >>> import tierkit as tk
    >>> f = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30", time_unit="W")
    >>> example = example_features(f)
    >>> example["customer_id"].tolist(), example["frequency"].tolist()
    (['example-1', 'example-2', 'example-3'], [3.0, 1.0, 2.0])
    """
    from tierkit.features.definition import features_time_unit, rfm_features

    as_of = features.attrs.get("as_of") or "2024-01-31"
    time_unit = time_unit or features_time_unit(features) or "D"
    made_up = rfm_features(example_transactions(as_of, profit="profit" in features.columns), as_of=as_of,
                           time_unit=time_unit)
    if "cs_index" in features.columns:
        made_up["cs_index"] = [80.0, 50.0, 20.0]
    return model_input(made_up, [c for c in INPUT_FEATURES if c in features.columns])


def json_safe(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every missing or non-finite value as ``None`` (JSON ``null``).

    Columns holding such a value become ``object`` columns; the others keep their dtype. MLflow's
    scoring server writes a float ``NaN`` as a bare ``NaN``, which strict JSON parsers refuse.

    Examples
    --------
    >>> json_safe(pd.DataFrame({"x": [1.0, float("nan"), float("inf")], "y": [1, 2, 3]})).to_dict("list")
    {'x': [1.0, None, None], 'y': [1, 2, 3]}
    """
    out = table.copy()
    for column in out.columns:
        values = out[column]
        bad = np.array(values.isna(), dtype=bool)  # a copy: pandas' arrays are read-only
        if values.dtype.kind == "f":
            bad |= ~np.isfinite(values.to_numpy())
        if bad.any():
            cells = np.array(values.astype(object), dtype=object)
            cells[bad] = None
            out[column] = pd.Series(cells, index=out.index, dtype=object)
    return out


def _shown(value):
    """A request's value as a message shows it: numpy scalars as plain Python values, missing as ``None``."""
    if isinstance(value, np.generic):
        value = value.item()
    return None if not isinstance(value, str) and pd.isna(value) else value


def _bad_row(column: str, bad: np.ndarray, values: pd.Series, expected: Message) -> DataError:
    """The one-line refusal of the first row flagged in ``bad``: column, row, value, what is expected."""
    rows = np.flatnonzero(bad)
    more = Message("bad_rows_in_all", n=len(rows)) if len(rows) > 1 else ""
    return DataError("input_value", where="model input", column=repr(column), location=Message("row", n=int(rows[0])),
                     value=repr(_shown(values.iloc[rows[0]])), expected=expected, more=more)


def check_rows(rows: int, max_rows: int) -> None:
    """Refuse a call of more than ``max_rows`` rows, before any work on them.

    Parameters
    ----------
    rows : int
        Rows of the call (the request's input).
    max_rows : int
        The most it may have (the model's ``max_rows``, :data:`MAX_REQUEST_ROWS` by default).

    Raises
    ------
    TierkitError
        One line naming the count and the limit.

    Examples
    --------
    >>> check_rows(1_000_001, MAX_REQUEST_ROWS)
    Traceback (most recent call last):
    ...
    tierkit.errors.TierkitError: model input: 1,000,001 rows; the model takes at most 100,000 rows per call ...
    """
    if rows > max_rows:
        raise TierkitError("too_many_rows", where="model input", rows=rows, max_rows=max_rows)


def check_horizon(segmentation, horizon, max_days: float) -> None:
    """Refuse a CLV ``horizon`` longer than ``max_days`` days (or than the model's own), before any work.

    A segmentation without a CLV step is left to :func:`tierkit.segmentation.chain.at_horizon`,
    which refuses any horizon. Checked before the features are built: the work of CLV grows with
    the horizon (one discounting step per month of it).

    Parameters
    ----------
    segmentation : tierkit.Segmentation
        Fitted; its CLV step gives the time unit and the fitted horizon.
    horizon : str, pandas.Timedelta or float
        The ``horizon`` parameter of the call, as :func:`tierkit.features.durations.to_time_units`
        reads it.
    max_days : float
        The longest horizon in days (the model's ``max_horizon_days``); the fitted horizon is
        allowed when longer.

    Raises
    ------
    TierkitError
        One line naming the horizon, its length in days and the limit.

    Examples
    --------
    >>> check_horizon(None, "99999999W", MAX_HORIZON_DAYS) is None  # no CLV step: nothing to bound
    True
    """
    from tierkit.features.durations import to_time_units

    clv = dict(getattr(segmentation, "steps_", [])).get("clv")
    if clv is None:
        return
    per_unit = TIME_UNITS[clv.time_unit_]
    days = to_time_units(horizon, clv.time_unit_, "params: horizon") * per_unit
    limit = max(float(max_days), clv.settings_["horizon"] * per_unit)
    if days > limit:
        raise TierkitError("horizon_too_long", where="params", param="horizon", value=repr(horizon), days=days,
                           limit=limit)


def _limit(config: dict, key: str) -> int:
    """A limit of the model's ``model_config``: a whole number >= 1, else a one-line :class:`ModelError`."""
    value = config.get(key, MODEL_CONFIG[key])
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ModelError("param_invalid", where="model_config", param=key, value=repr(value),
                         expected=Message("described", what=Message("a_whole_number"),
                                          bounds=Message("bound", op=">=", n=1)))
    return int(value)


def _customer_ids(values: pd.Series) -> pd.Series:
    """Customer ids as text: ``4`` and ``4.0`` (an integer column that met a missing value) are ``"4"``.

    A missing id, or an id in two rows (the features are one row per customer), is refused.
    """
    missing = values.isna().to_numpy()
    if missing.any():
        raise _bad_row("customer_id", missing, values, Message("a_customer_id_text"))
    if values.dtype.kind == "f" and bool((values == np.floor(values)).all()):
        values = values.astype("int64")
    elif values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) != "string":
        values = values.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v)
    ids = values.astype("str")
    repeated = ids.duplicated().to_numpy()
    if repeated.any():
        first = int(np.flatnonzero(ids.to_numpy() == ids.iloc[np.flatnonzero(repeated)[0]])[0])
        raise _bad_row("customer_id", repeated, values, Message("one_row_per_customer", n=first))
    return ids


#: What pandas infers of an object column holding no boolean (a fast path: looking at each value costs).
_WITHOUT_BOOLEANS = ("floating", "integer", "mixed-integer-float", "decimal", "string", "empty")


def _booleans(values: pd.Series) -> np.ndarray:
    """Where ``values`` holds a boolean (JSON ``true``), which is not a number here."""
    if values.dtype.kind == "b" or isinstance(values.dtype, pd.BooleanDtype):
        return values.notna().to_numpy()
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in _WITHOUT_BOOLEANS:
        return values.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
    return np.zeros(len(values), dtype=bool)


def _numbers(values: pd.Series, column: str) -> np.ndarray:
    """A feature column as float64, every row checked against :data:`FEATURE_RULES`.

    Numbers and numeric text are read as numbers; a boolean, other text or a value outside the
    column's definition is refused in one line naming the column, the row and the value.

    Examples
    --------
    >>> _numbers(pd.Series([3, 4.0, "5"]), "frequency").tolist()
    [3.0, 4.0, 5.0]
    >>> _numbers(pd.Series([3, 2.5]), "frequency")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: model input: column 'frequency', row 1: value 2.5; expected a whole number >= 1 ...
    """
    expected, test = FEATURE_RULES[column]
    booleans = _booleans(values)
    numbers = pd.to_numeric(values.where(~booleans), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = booleans | (values.notna().to_numpy() & np.isnan(numbers)) | ~test(numbers)
    if bad.any():
        raise _bad_row(column, bad, values, expected)
    return numbers


def check_relations(numbers: dict, given: pd.DataFrame) -> None:
    """Refuse the first row where two columns break a relation of :data:`FEATURE_RELATIONS`.

    Parameters
    ----------
    numbers : dict of str to numpy.ndarray
        The checked feature columns, by name (:func:`_numbers`).
    given : pandas.DataFrame
        The input as sent, for the values the message shows.

    Raises
    ------
    DataError
        One line naming the column, the row, its value and the relation expected.
    """
    for column, other, expected, test in FEATURE_RELATIONS:
        if column in numbers and other in numbers:
            bad = ~test(numbers[column], numbers[other])
            if bad.any():
                shown = _shown(given[other].iloc[np.flatnonzero(bad)[0]])
                raise _bad_row(column, bad, given[column], Message(expected, name=other, value=repr(shown)))


class InvalidModelInput(TierkitError, MlflowException):
    """Input or parameters the served model cannot use, answered with HTTP 400.

    A :class:`~tierkit.errors.TierkitError` and an MLflow ``INVALID_PARAMETER_VALUE``: MLflow's
    scoring server puts its one-line reason in the response's ``message``.
    """

    def __init__(self, message: str):
        MlflowException.__init__(self, message, error_code=INVALID_PARAMETER_VALUE)


class InvalidModelData(DataError, MlflowException):
    """Data the served model cannot use (a bad date, a missing column), answered with HTTP 400.

    A :class:`~tierkit.errors.DataError` and an MLflow ``INVALID_PARAMETER_VALUE``.
    """

    def __init__(self, message: str):
        MlflowException.__init__(self, message, error_code=INVALID_PARAMETER_VALUE)


class SegmentationModel(mlflow.pyfunc.PythonModel):
    """pyfunc wrapper around a fitted :class:`tierkit.Segmentation` (see module docs)."""

    #: Limits of one call, until :meth:`load_context` reads the model's ``model_config``.
    max_rows = MAX_REQUEST_ROWS
    max_horizon_days = MAX_HORIZON_DAYS

    def load_context(self, context):
        """Load the fitted segmentation and its standards from the model's artifacts, and the limits.

        Parameters
        ----------
        context : mlflow.pyfunc.PythonModelContext
            Gives the paths of the ``segmentation`` and ``standards`` artifacts, and the
            ``model_config`` (``max_rows``, ``max_horizon_days``; :data:`MODEL_CONFIG` where
            not given).
        """
        standards = json.loads(Path(context.artifacts["standards"]).read_text(encoding="utf-8"))
        check_model_format(standards, source=str(Path(context.artifacts["standards"]).parent))
        config = getattr(context, "model_config", None) or {}
        self.max_rows = _limit(config, "max_rows")
        self.max_horizon_days = _limit(config, "max_horizon_days")
        self.segmentation = joblib.load(context.artifacts["segmentation"])
        self.input_columns = standards["input_columns"]
        self.output_columns = standards["output_columns"]
        self.time_unit = standards.get("time_unit") or "D"

    def predict(self, context, model_input: pd.DataFrame, params=None):
        """Grade the customers of a feature table, or of raw transactions.

        Input the model cannot use raises :class:`InvalidModelInput` (or
        :class:`InvalidModelData`): tierkit's one-line reason, which is also an MLflow
        ``INVALID_PARAMETER_VALUE``, so ``mlflow models serve`` answers 400 with that reason as
        its ``message``. The limits (rows, horizon) are checked first, before any work; then
        every row of a ``"features"`` input (:func:`_numbers`, :func:`check_relations`).

        Parameters
        ----------
        context : mlflow.pyfunc.PythonModelContext
            Not used; the artifacts were read by :meth:`load_context`.
        model_input : pandas.DataFrame
            With ``input="features"``: one row per customer, ``customer_id`` and the model's
            input columns. With ``input="transactions"``: one row per purchase line,
            ``customer_id``, ``date``, ``amount`` (and ``order_id``, ``profit`` when the model
            was trained with them). At most ``max_rows`` rows (:data:`MAX_REQUEST_ROWS`).
        params : dict, optional
            ``input``: ``"features"`` (default) or ``"transactions"``; ``as_of``: the
            observation date of transactions (required with them); ``on_bad_rows``
            (``"error"`` or ``"skip"``), ``missing_customers`` (``"error"`` or ``"drop"``) and
            ``date_format``: the reader's options for transactions; ``lang``: ``"en"`` or
            ``"zh"`` adds label and strategy columns; ``horizon``: ``"180D"`` (or ``"26W"``) to
            predict CLV over another horizon than the fitted one, at most ``max_horizon_days``
            days (:data:`MAX_HORIZON_DAYS`) or the fitted one.

        Returns
        -------
        pandas.DataFrame
            ``customer_id`` and the model's output columns, one row per customer; missing
            values are ``None``.
        """
        try:
            return self._predict(model_input, params)
        except DataError as exc:
            raise InvalidModelData(str(exc)) from None
        except ModelError:
            raise
        except TierkitError as exc:
            raise InvalidModelInput(str(exc)) from None

    def _predict(self, model_input, params):
        # The DataFrame hint also tells MLflow that the signature comes from the logged example.
        if not isinstance(model_input, pd.DataFrame):
            model_input = pd.DataFrame(model_input)
        check_rows(len(model_input), self.max_rows)
        params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        kind = params.get("input", "features")
        if kind not in INPUT_KINDS:
            raise TierkitError("param_semicolon_expected", where="params", param="input", value=repr(kind),
                               expected=Message("either_or", first="'features'", last="'transactions'"))
        segmentation = self._at_horizon(params.get("horizon"))
        if kind == "transactions":
            features = self._features_of_transactions(model_input, params)
        else:
            features = self._features(model_input)
        table = segmentation.transform(features)
        columns = [c for c in self.output_columns if c in table.columns]
        if "lang" in params:
            from tierkit.tiers.schemes import add_labels

            labelled = add_labels(table[columns], params["lang"])
            columns = [*columns, *[c for c in labelled.columns if c not in columns]]
            table = labelled
        return json_safe(table[columns].reset_index())

    def _at_horizon(self, horizon):
        """The segmentation predicting CLV over ``horizon`` (``None``: the fitted one), checked against the limit."""
        if horizon is None:
            return self.segmentation
        check_horizon(self.segmentation, horizon, self.max_horizon_days)
        return at_horizon(self.segmentation, horizon)

    def _features(self, model_input: pd.DataFrame) -> pd.DataFrame:
        """The feature table of a ``"features"`` input, every row checked: ids as text, numbers as float."""
        needed = ["customer_id", *[c for c in self.input_columns if c != "cs_index"]]
        missing = [c for c in needed if c not in model_input.columns]
        if missing:
            raise TierkitError("missing_columns_only", where="model input", missing=tuple(missing))
        ids = _customer_ids(model_input["customer_id"])
        numbers = {c: _numbers(model_input[c], c) for c in self.input_columns if c in model_input.columns}
        check_relations(numbers, model_input)
        return pd.DataFrame(numbers, index=pd.Index(ids, name="customer_id"))

    def _features_of_transactions(self, model_input: pd.DataFrame, params: dict) -> pd.DataFrame:
        """The feature table of a ``"transactions"`` input, by the reader's contract and feature definition."""
        from tierkit.data import normalize_transactions
        from tierkit.features.definition import rfm_features

        if "as_of" not in params:
            raise TierkitError("as_of_with_transactions", where="params", param="as_of")
        columns, options = self._transaction_reading(list(model_input.columns))
        sources = list(columns.fields().values())
        tx = normalize_transactions(
            model_input[sources], columns=columns, source="model input",
            date_format=params.get("date_format", options.date_format),
            timezone=options.timezone,
            on_bad_rows=params.get("on_bad_rows", options.on_bad_rows),
            missing_customers=params.get("missing_customers", options.missing_customers),
            drop_duplicates=options.drop_duplicates,
        )
        features = rfm_features(tx, as_of=params["as_of"], time_unit=self.time_unit)
        return features[[c for c in self.input_columns if c in features.columns]]

    def _transaction_reading(self, present: list) -> tuple:
        """``(columns, options)`` of a transactions input: as training read its file, or canonical.

        A model that recorded how training read its transactions (``reading_`` of the
        segmentation, :func:`tierkit.data.columns.reading_record`) takes rows shaped like that
        file (``CustomerID``, ``InvoiceDate``, ``UnitPrice`` x ``Quantity`` ...) with its date
        format and policies; rows with the canonical columns (``customer_id``, ``date``,
        ``amount``, ``order_id``, ``profit``) are read as before. Either way, an order column
        against standards learned on purchase days (or none against orders) is refused, as
        ``tierkit score`` refuses it.
        """
        from tierkit.data import ColumnMap, ReadOptions
        from tierkit.data.columns import reading_from_record
        from tierkit.features.definition import check_frequency_of

        record = getattr(self.segmentation, "reading_", None)
        frequency_of = getattr(self.segmentation, "frequency_of_", None)
        wants_profit = "profit" in self.input_columns
        if record:
            columns, options = reading_from_record(record)
            if all(name in present for name in columns.fields().values()):
                check_frequency_of(frequency_of, columns.order_id, "the model")
                return columns, options
        wanted = ["customer_id", "date", "amount", *(["profit"] if wants_profit else [])]
        missing = [c for c in wanted if c not in present]
        if missing:
            trained = training_file_columns(self.segmentation)
            shaped = Message("or_training_columns", columns=tuple(trained)) if trained else ""
            raise TierkitError("transactions_need_columns", where="model input", missing=tuple(missing), shaped=shaped)
        order_id = "order_id" if "order_id" in present else None
        check_frequency_of(frequency_of, order_id, "the model")
        return ColumnMap(order_id=order_id, profit="profit" if wants_profit else None), ReadOptions()


def horizon_param(segmentation, horizon) -> str | None:
    """The ``horizon`` parameter's default: ``horizon`` written with its unit (``365`` -> ``"365D"``).

    Checked against the time unit of the segmentation's CLV step, so a bare number for a weekly
    model is refused here, when the model is logged, not when it is served.

    Examples
    --------
    >>> horizon_param(None, None) is None
    True
    """
    if horizon is None:
        return None
    from tierkit.features.durations import duration_text, parse_duration, to_time_units

    clv = dict(getattr(segmentation, "steps_", [])).get("clv")
    unit = getattr(clv, "time_unit_", "D")
    amount = to_time_units(horizon, unit, "horizon")
    given, given_unit = parse_duration(horizon, "horizon")
    return duration_text(given, given_unit) if given_unit is not None else duration_text(amount, unit)


def training_file_columns(segmentation) -> list[str]:
    """The source columns of the file the segmentation was trained on, when it recorded them.

    Examples
    --------
    >>> training_file_columns(None)
    []
    """
    record = getattr(segmentation, "reading_", None) or {}
    return [name for name in (record.get("columns") or {}).values() if name is not None]


def build_signature(segmentation, input_columns, output: pd.DataFrame, horizon):
    """The model's signature: inputs of any type, outputs from a prediction, the parameters.

    ``customer_id`` is the one required input (optional too when the model recorded the columns
    of its training file, whose rows carry their own customer column: those columns are
    optional inputs); the feature and transaction columns are optional
    in the signature (which kind is needed depends on the ``input`` parameter, and
    :meth:`SegmentationModel.predict` checks it), typed ``any`` so that integers and floats both
    pass MLflow's schema check (it refuses ``int64`` for ``double``).
    """
    from mlflow.models import ModelSignature, infer_signature
    from mlflow.types.schema import AnyType, ColSpec, ParamSchema, ParamSpec, Schema

    optional = [*input_columns, *[c for c in TRANSACTION_COLUMNS if c not in input_columns]]
    trained = [c for c in training_file_columns(segmentation) if c not in optional and c != "customer_id"]
    # rows shaped like the training file carry its customer column instead of customer_id
    id_required = not trained
    inputs = Schema([ColSpec(AnyType(), "customer_id", required=id_required),
                     *[ColSpec(AnyType(), c, required=False) for c in [*optional, *trained]]])
    params = [ParamSpec("input", "string", "features"), ParamSpec("as_of", "string", ""),
              ParamSpec("lang", "string", ""), ParamSpec("on_bad_rows", "string", "error"),
              ParamSpec("missing_customers", "string", "error"), ParamSpec("date_format", "string", "")]
    default = horizon_param(segmentation, horizon)
    if default is not None:
        params.insert(0, ParamSpec("horizon", "string", default))  # first, as in models of earlier versions
    with warnings.catch_warnings():
        # Scores are integers by design and never missing: MLflow's hint does not apply.
        # (its one UserWarning there, filtered by module: never by its text)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"mlflow\.types\.utils")
        outputs = infer_signature(output).inputs
    return ModelSignature(inputs=inputs, outputs=outputs, params=ParamSchema(params))


@contextlib.contextmanager
def model_parts(segmentation, features: pd.DataFrame, horizon=None):
    """Everything an MLflow pyfunc model of ``segmentation`` is made of, built in one place.

    Yields the keyword arguments of ``mlflow.pyfunc.save_model`` / ``log_model`` (python model,
    artifacts written to a temporary folder that lives as long as the context, code, signature,
    input example, requirements and the limits as ``model_config``); :func:`log_segmentation_model` and
    :func:`tierkit.mlops.export.save_segmentation_model` differ only in where they put it.

    Parameters
    ----------
    segmentation : tierkit.Segmentation
        Fitted.
    features : pandas.DataFrame
        The feature table it was fitted on. Only its columns, time unit and the output types
        of its first rows are used: the input example is made-up customers
        (:func:`example_features`).
    horizon : str, pandas.Timedelta or float, optional
        Default CLV horizon (``"365D"``, ``"52W"``), exposed as the model's text ``horizon``
        parameter.

    Yields
    ------
    dict
    """
    from tierkit.progress import quiet

    with quiet():  # the example's features and MLflow's grading of it are part of saving the model
        example = example_features(features, getattr(segmentation, "time_unit_", None))
        table = segmentation.transform(features.head(50))
    input_columns = [c for c in example.columns if c != "customer_id"]
    output_columns = [c for c in table.columns if c not in features.columns and c != "customer_id"]
    standards = segmentation_standards(segmentation)
    standards.update(input_columns=input_columns, output_columns=output_columns)
    with tempfile.TemporaryDirectory() as tmp, quiet():
        joblib.dump(segmentation, Path(tmp) / "segmentation.joblib")
        (Path(tmp) / "standards.json").write_text(dumps(standards), encoding="utf-8")
        yield {
            "python_model": SegmentationModel(),
            "artifacts": {"segmentation": str(Path(tmp) / "segmentation.joblib"),
                          "standards": str(Path(tmp) / "standards.json")},
            "code_paths": [str(Path(__file__).parent.parent)],  # the tierkit package folder
            "signature": build_signature(segmentation, input_columns, table[output_columns].reset_index(), horizon),
            "input_example": example,
            "pip_requirements": pinned_requirements(),
            "model_config": dict(MODEL_CONFIG),
        }


def log_segmentation_model(segmentation, features: pd.DataFrame, *, name: str = "model",
                           registered_model_name: str | None = None, horizon=None):
    """Log a fitted segmentation as a pyfunc model in the active MLflow run; return its info.

    Parameters
    ----------
    segmentation : tierkit.Segmentation
        Fitted.
    features : pandas.DataFrame
        The features it was fitted on (columns and time unit; the input example is made up).
    name : str, default="model"
        The model's name in the run.
    registered_model_name : str, optional
        Also register it under this name.
    horizon : str, pandas.Timedelta or float, optional
        Default CLV horizon of the ``horizon`` parameter (``"365D"``, ``"52W"``).

    Returns
    -------
    mlflow.models.model.ModelInfo
    """
    with model_parts(segmentation, features, horizon) as parts:
        return mlflow.pyfunc.log_model(name=name, registered_model_name=registered_model_name, **parts)
