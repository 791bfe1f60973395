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
"""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
import warnings
from pathlib import Path

import joblib
import mlflow.pyfunc
import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE

from tierkit.errors import DataError, ModelError, TierkitError
from tierkit.segmentation.chain import at_horizon
from tierkit.segmentation.standards import MODEL_FORMAT, dumps, segmentation_standards

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
            raise ModelError(f"requirements: {name} is not installed; tierkit needs it to log a model") from None
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


def check_model_format(standards: dict, source: str = "model") -> None:
    """Refuse a model saved in a layout this tierkit cannot read."""
    from tierkit._version import __version__

    found = standards.get("model_format")
    if found != MODEL_FORMAT:
        raise ModelError(
            f"{source}: saved by tierkit {standards.get('tierkit_version', '?')} in model format {found}; "
            f"this tierkit {__version__} reads format {MODEL_FORMAT}. Re-train the model with this tierkit, "
            f"or install tierkit {standards.get('tierkit_version', '?')} to use it"
        )


def _customer_ids(values: pd.Series) -> pd.Series:
    """Customer ids as text: ``4`` and ``4.0`` (an integer column that met a missing value) are ``"4"``."""
    if values.isna().any():
        raise TierkitError(f"model input: customer_id is missing in {int(values.isna().sum())} row(s)")
    if values.dtype.kind == "f" and bool((values == np.floor(values)).all()):
        values = values.astype("int64")
    elif values.dtype == object:
        values = values.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v)
    return values.astype("str")


def _numbers(values: pd.Series, column: str) -> pd.Series:
    """A feature column as float64; one-line error naming the first value that is not a number."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        raise TierkitError(f"model input: column {column!r} holds {values[bad].iloc[0]!r}, not a number")
    return numbers.astype("float64")


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

    def load_context(self, context):
        """Load the fitted segmentation and its standards from the model's artifacts.

        Parameters
        ----------
        context : mlflow.pyfunc.PythonModelContext
            Gives the paths of the ``segmentation`` and ``standards`` artifacts.
        """
        standards = json.loads(Path(context.artifacts["standards"]).read_text(encoding="utf-8"))
        check_model_format(standards, source=str(Path(context.artifacts["standards"]).parent))
        self.segmentation = joblib.load(context.artifacts["segmentation"])
        self.input_columns = standards["input_columns"]
        self.output_columns = standards["output_columns"]
        self.time_unit = standards.get("time_unit") or "D"

    def predict(self, context, model_input: pd.DataFrame, params=None):
        """Grade the customers of a feature table, or of raw transactions.

        Input the model cannot use raises :class:`InvalidModelInput` (or
        :class:`InvalidModelData`): tierkit's one-line reason, which is also an MLflow
        ``INVALID_PARAMETER_VALUE``, so ``mlflow models serve`` answers 400 with that reason as
        its ``message``.

        Parameters
        ----------
        context : mlflow.pyfunc.PythonModelContext
            Not used; the artifacts were read by :meth:`load_context`.
        model_input : pandas.DataFrame
            With ``input="features"``: one row per customer, ``customer_id`` and the model's
            input columns. With ``input="transactions"``: one row per purchase line,
            ``customer_id``, ``date``, ``amount`` (and ``order_id``, ``profit`` when the model
            was trained with them).
        params : dict, optional
            ``input``: ``"features"`` (default) or ``"transactions"``; ``as_of``: the
            observation date of transactions (required with them); ``on_bad_rows``
            (``"error"`` or ``"skip"``), ``missing_customers`` (``"error"`` or ``"drop"``) and
            ``date_format``: the reader's options for transactions; ``lang``: ``"en"`` or
            ``"zh"`` adds label and strategy columns; ``horizon``: ``"180D"`` (or ``"26W"``) to
            predict CLV over another horizon than the fitted one.

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
        params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        kind = params.get("input", "features")
        if kind not in INPUT_KINDS:
            raise TierkitError(f"params: input {kind!r}; expected 'features' or 'transactions'")
        if kind == "transactions":
            features = self._features_of_transactions(model_input, params)
        else:
            features = self._features(model_input)
        horizon = params.get("horizon")
        segmentation = self.segmentation if horizon is None else at_horizon(self.segmentation, horizon)
        table = segmentation.transform(features)
        columns = [c for c in self.output_columns if c in table.columns]
        if "lang" in params:
            from tierkit.tiers.schemes import add_labels

            labelled = add_labels(table[columns], params["lang"])
            columns = [*columns, *[c for c in labelled.columns if c not in columns]]
            table = labelled
        return json_safe(table[columns].reset_index())

    def _features(self, model_input: pd.DataFrame) -> pd.DataFrame:
        """The feature table of a ``"features"`` input: ids as text, numbers as float."""
        needed = ["customer_id", *[c for c in self.input_columns if c != "cs_index"]]
        missing = [c for c in needed if c not in model_input.columns]
        if missing:
            raise TierkitError(f"model input: missing column(s) {', '.join(missing)}")
        columns = [c for c in self.input_columns if c in model_input.columns]
        features = pd.DataFrame({c: _numbers(model_input[c], c) for c in columns}, index=model_input.index)
        features.index = pd.Index(_customer_ids(model_input["customer_id"]), name="customer_id")
        return features

    def _features_of_transactions(self, model_input: pd.DataFrame, params: dict) -> pd.DataFrame:
        """The feature table of a ``"transactions"`` input, by the reader's contract and feature definition."""
        from tierkit.data import ColumnMap, normalize_transactions
        from tierkit.features.definition import rfm_features

        if "as_of" not in params:
            raise TierkitError("params: as_of is required with input='transactions' (e.g. '2024-01-31')")
        wanted = ["customer_id", "date", "amount", *(["profit"] if "profit" in self.input_columns else [])]
        missing = [c for c in wanted if c not in model_input.columns]
        if missing:
            raise TierkitError(f"model input: transactions need column(s) {', '.join(missing)}")
        order_id = "order_id" if "order_id" in model_input.columns else None
        columns = ColumnMap(order_id=order_id, profit="profit" if "profit" in wanted else None)
        tx = normalize_transactions(
            model_input[[*wanted, *([order_id] if order_id else [])]], columns=columns, source="model input",
            date_format=params.get("date_format"), on_bad_rows=params.get("on_bad_rows", "error"),
            missing_customers=params.get("missing_customers", "error"),
        )
        features = rfm_features(tx, as_of=params["as_of"], time_unit=self.time_unit)
        return features[[c for c in self.input_columns if c in features.columns]]


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


def build_signature(segmentation, input_columns, output: pd.DataFrame, horizon):
    """The model's signature: inputs of any type, outputs from a prediction, the parameters.

    ``customer_id`` is the one required input; the feature and transaction columns are optional
    in the signature (which kind is needed depends on the ``input`` parameter, and
    :meth:`SegmentationModel.predict` checks it), typed ``any`` so that integers and floats both
    pass MLflow's schema check (it refuses ``int64`` for ``double``).
    """
    from mlflow.models import ModelSignature, infer_signature
    from mlflow.types.schema import AnyType, ColSpec, ParamSchema, ParamSpec, Schema

    optional = [*input_columns, *[c for c in TRANSACTION_COLUMNS if c not in input_columns]]
    inputs = Schema([ColSpec(AnyType(), "customer_id"), *[ColSpec(AnyType(), c, required=False) for c in optional]])
    params = [ParamSpec("input", "string", "features"), ParamSpec("as_of", "string", ""),
              ParamSpec("lang", "string", ""), ParamSpec("on_bad_rows", "string", "error"),
              ParamSpec("missing_customers", "string", "error"), ParamSpec("date_format", "string", "")]
    default = horizon_param(segmentation, horizon)
    if default is not None:
        params.insert(0, ParamSpec("horizon", "string", default))  # first, as in models of earlier versions
    with warnings.catch_warnings():
        # Scores are integers by design and never missing: MLflow's hint does not apply.
        warnings.filterwarnings("ignore", message=".*Integer columns in Python cannot represent missing values.*")
        outputs = infer_signature(output).inputs
    return ModelSignature(inputs=inputs, outputs=outputs, params=ParamSchema(params))


@contextlib.contextmanager
def model_parts(segmentation, features: pd.DataFrame, horizon=None):
    """Everything an MLflow pyfunc model of ``segmentation`` is made of, built in one place.

    Yields the keyword arguments of ``mlflow.pyfunc.save_model`` / ``log_model`` (python model,
    artifacts written to a temporary folder that lives as long as the context, code, signature,
    input example and requirements); :func:`log_segmentation_model` and
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
    import tierkit
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
            "code_paths": [str(Path(tierkit.__file__).parent)],
            "signature": build_signature(segmentation, input_columns, table[output_columns].reset_index(), horizon),
            "input_example": example,
            "pip_requirements": pinned_requirements(),
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
