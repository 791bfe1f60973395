"""The fitted segmentation as an MLflow pyfunc model that predicts in a fresh process.

The model's input is the customer feature table (``customer_id`` and the numeric feature
columns, cast to float), its output every score, tier and CLV column. tierkit's own code
travels inside the model (``code/tierkit``), so ``mlflow.pyfunc.load_model(uri)`` works in a
process that never imported tierkit; the fitted segmentation is a joblib artifact, and its
standards a readable JSON artifact (``standards.json``). ``horizon`` is a text signature
parameter written with its unit, ``"180D"`` or ``"26W"`` (:mod:`tierkit.features.durations`).
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
import pandas as pd

from tierkit.errors import ModelError, TierkitError
from tierkit.segmentation.chain import at_horizon
from tierkit.segmentation.standards import MODEL_FORMAT, dumps, segmentation_standards

log = logging.getLogger(__name__)

#: Feature columns a model may take as input, in this order.
INPUT_FEATURES = (
    "recency", "frequency", "monetary", "tenure", "frequency_btyd", "recency_btyd", "T", "monetary_btyd",
    "profit", "cs_index",
)
#: Packages a fresh environment needs to run the model (tierkit's code travels with it).
PIP_REQUIREMENTS = (
    "numpy", "pandas", "scipy", "scikit-learn", "joblib", "duckdb", "pyarrow", "click", "rich", "pyyaml",
    "matplotlib", "lifetimes==0.11.3",
)


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

    def predict(self, context, model_input: pd.DataFrame, params=None):
        """Grade the customers of a feature table.

        Parameters
        ----------
        context : mlflow.pyfunc.PythonModelContext
            Not used; the artifacts were read by :meth:`load_context`.
        model_input : pandas.DataFrame
            One row per customer: ``customer_id`` and the model's input columns.
        params : dict, optional
            ``{"horizon": "180D"}`` (or ``"26W"``) to predict CLV over another horizon than the
            fitted one; a bare number is days, refused for a model fitted on weekly features.

        Returns
        -------
        pandas.DataFrame
            ``customer_id`` and the model's output columns, one row per customer.
        """
        # The DataFrame hint also tells MLflow that the signature comes from the logged example.
        if not isinstance(model_input, pd.DataFrame):
            model_input = pd.DataFrame(model_input)
        missing = [c for c in ["customer_id"] + [c for c in self.input_columns if c != "cs_index"]
                   if c not in model_input.columns]
        if missing:
            raise TierkitError(f"model input: missing column(s) {', '.join(missing)}")
        features = model_input.copy()
        features["customer_id"] = features["customer_id"].astype("str")
        features = features.set_index("customer_id")
        for column in features.columns:
            features[column] = features[column].astype("float64")
        horizon = (params or {}).get("horizon")
        segmentation = self.segmentation if horizon is None else at_horizon(self.segmentation, horizon)
        table = segmentation.transform(features)
        out = table[[c for c in self.output_columns if c in table.columns]].reset_index()
        return out


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


def build_signature(segmentation, example: pd.DataFrame, output: pd.DataFrame, horizon):
    """Input schema from the example, output schema from its prediction, ``horizon`` as a parameter."""
    from mlflow.models import infer_signature

    default = horizon_param(segmentation, horizon)
    params = {"horizon": default} if default is not None else None
    with warnings.catch_warnings():
        # Scores are integers by design and never missing: MLflow's hint does not apply.
        warnings.filterwarnings("ignore", message=".*Integer columns in Python cannot represent missing values.*")
        return infer_signature(example, output, params=params)


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
        The feature table it was fitted on (the first rows become the input example).
    horizon : str, pandas.Timedelta or float, optional
        Default CLV horizon (``"365D"``, ``"52W"``), exposed as the model's text ``horizon``
        parameter.

    Yields
    ------
    dict
    """
    import tierkit

    example_full = model_input(features)
    input_columns = [c for c in example_full.columns if c != "customer_id"]
    example = example_full.head(5)
    table = segmentation.transform(features.head(5))
    output_columns = [c for c in table.columns if c not in features.columns and c != "customer_id"]
    standards = segmentation_standards(segmentation)
    standards.update(input_columns=input_columns, output_columns=output_columns)
    with tempfile.TemporaryDirectory() as tmp:
        joblib.dump(segmentation, Path(tmp) / "segmentation.joblib")
        (Path(tmp) / "standards.json").write_text(dumps(standards), encoding="utf-8")
        yield {
            "python_model": SegmentationModel(),
            "artifacts": {"segmentation": str(Path(tmp) / "segmentation.joblib"),
                          "standards": str(Path(tmp) / "standards.json")},
            "code_paths": [str(Path(tierkit.__file__).parent)],
            "signature": build_signature(segmentation, example, table[output_columns].reset_index(), horizon),
            "input_example": example,
            "pip_requirements": list(PIP_REQUIREMENTS),
        }


def log_segmentation_model(segmentation, features: pd.DataFrame, *, name: str = "model",
                           registered_model_name: str | None = None, horizon=None):
    """Log a fitted segmentation as a pyfunc model in the active MLflow run; return its info.

    Parameters
    ----------
    segmentation : tierkit.Segmentation
        Fitted.
    features : pandas.DataFrame
        The features it was fitted on; the first rows are the input example.
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
