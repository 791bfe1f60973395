"""What a scoring job needs to know about a tierkit model before it reads any transaction.

A model URI (``models:/NAME@ALIAS``, ``models:/NAME/VERSION``, ``runs:/RUN_ID/model``, or a
local model folder) is fetched once into a local folder; its ``standards.json`` gives the
time unit the features must be computed in and the input columns, its signature the output
columns and their types. The scorers load the model from that folder, so a registry alias
that moves during a job cannot mix two versions in one output.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

from tierkit.data.columns import ColumnMap, ReadOptions
from tierkit.errors import DataError, Message, MissingColumnsError, ModelError
from tierkit.features.definition import check_time_unit
from tierkit.segmentation.standards import check_model_format

#: numpy/pandas dtype of each MLflow signature type in the output table.
_DTYPES = {"string": "str", "long": "int64", "integer": "int64", "double": "float64", "float": "float64",
           "boolean": "bool"}


@dataclass(frozen=True)
class ModelSpec:
    """A tierkit model fetched to ``path`` with what scoring needs from it."""

    uri: str
    path: Path
    time_unit: str
    input_columns: tuple
    output_columns: tuple
    output_types: tuple  # MLflow type names, one per output column
    segmentation_file: Path | None = None  # the fitted segmentation (joblib artifact)
    frequency_of: str | None = None  # "orders" or "purchase_days"; None for models saved before it was recorded
    reading: dict | None = None  # how training read its transactions (tierkit.data.columns.reading_record)

    def output_dtypes(self) -> dict[str, str]:
        """Output column -> pandas dtype."""
        return {c: _DTYPES.get(t, "object") for c, t in zip(self.output_columns, self.output_types, strict=True)}

    def spark_schema(self) -> str:
        """The output as a Spark DDL schema string (the ``spark_udf`` result type)."""
        spark = {"string": "string", "long": "bigint", "integer": "int", "double": "double", "float": "float",
                 "boolean": "boolean"}
        return ", ".join(f"`{c}` {spark.get(t, 'string')}"
                         for c, t in zip(self.output_columns, self.output_types, strict=True))


def fetch_model(uri: str, dst: Path) -> ModelSpec:
    """Fetch the model at ``uri`` into ``dst`` (a local folder is used in place) and read its spec."""
    import mlflow
    from mlflow.exceptions import MlflowException
    from mlflow.models import Model

    local = Path(uri)
    if not local.is_dir():
        if "://" not in uri and ":/" not in uri:
            raise ModelError("model_no_folder", model=repr(uri))
        try:
            local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(dst)))
        except (MlflowException, OSError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ModelError("model_fetch", model=repr(uri), tracking=mlflow.get_tracking_uri(), reason=first) from None
    if not (local / "MLmodel").is_file():
        raise ModelError("model_no_mlmodel", model=repr(uri), path=local)
    meta = Model.load(str(local / "MLmodel"))
    artifacts = meta.flavors.get("python_function", {}).get("artifacts", {}) or {}
    standards_path = artifacts.get("standards", {}).get("path")
    if standards_path is None or not (local / standards_path).is_file():
        raise ModelError("model_not_tierkit", model=repr(uri), artifact="standards.json")
    standards = json.loads((local / standards_path).read_text(encoding="utf-8"))
    check_model_format(standards, source=f"model {uri!r}")
    time_unit = standards.get("time_unit") or "D"
    check_time_unit(time_unit)
    if meta.signature is None or meta.signature.outputs is None:
        raise ModelError("model_no_signature", model=repr(uri))
    outputs = meta.signature.outputs.to_dict()
    return ModelSpec(
        uri=uri,
        path=local,
        time_unit=time_unit,
        input_columns=tuple(standards["input_columns"]),
        output_columns=tuple(o["name"] for o in outputs),
        output_types=tuple(o["type"] for o in outputs),
        segmentation_file=local / artifacts["segmentation"]["path"] if "segmentation" in artifacts else None,
        frequency_of=standards.get("frequency_of"),
        reading=standards.get("reading"),
    )


def load_segmentation(uri: str, dst: Path):
    """The fitted :class:`tierkit.Segmentation` of the model at ``uri``: ``(spec, segmentation)``.

    The model is found and checked by :func:`fetch_model`, the rule ``tierkit score`` follows
    (a registry alias, a run, a local folder; the model format; the time unit), then its
    ``segmentation`` artifact is loaded, so its standards grade a new feature table with
    ``transform`` and no refit.

    Parameters
    ----------
    uri : str
        ``models:/NAME@ALIAS``, ``models:/NAME/VERSION``, ``runs:/RUN_ID/model`` or a local
        model folder (:func:`tierkit.mlops.export.save_segmentation_model`).
    dst : Path
        Folder a remote model is downloaded into.

    Returns
    -------
    spec : ModelSpec
    segmentation : tierkit.Segmentation
        Fitted; ``time_unit_`` is the unit of the features it was fitted on.

    Raises
    ------
    tierkit.errors.ModelError
        No such model, not a tierkit model, another model format, or no segmentation artifact.
    """
    import joblib

    spec = fetch_model(uri, dst)
    if spec.segmentation_file is None or not spec.segmentation_file.is_file():
        raise ModelError("model_not_tierkit", model=repr(uri), artifact="segmentation")
    segmentation = joblib.load(spec.segmentation_file)
    return spec, segmentation


def model_columns(spec: ModelSpec, available: list[str], source: str) -> list[str]:
    """The model's input columns the feature table provides; one-line error when one is missing."""
    missing = [c for c in spec.input_columns if c not in available and c != "cs_index"]
    if missing:
        hint = Message("map_profit") if "profit" in missing else ""
        raise ModelError("model_needs_input", model=repr(spec.uri), missing=", ".join(map(repr, missing)),
                         source=source, hint=hint)
    return [c for c in spec.input_columns if c in available]


def model_reading(spec: ModelSpec, columns=None, options=None) -> tuple[ColumnMap, ReadOptions]:
    """How to read a file for the model: its training's reading, with what the caller gives instead.

    A model records how training read its transactions (the column map, price x quantity, the
    order column, the date format, separator, encoding, sheet and the bad-row policies), so the
    next file of the same shape is read the same way with nothing repeated.

    Parameters
    ----------
    spec : ModelSpec
        The model (:func:`fetch_model`).
    columns : ColumnMap or dict, optional
        A whole column map to use instead of the model's, or a dict of the fields to change
        (``{"amount": "Revenue"}`` replaces price x quantity; ``{"price": ...}`` replaces the
        amount column). None: the model's.
    options : ReadOptions or dict, optional
        Whole reading options, or a dict of those to change. None: the model's. ``rejects``
        is never recorded: it comes from here.

    Returns
    -------
    columns : ColumnMap
    options : ReadOptions

    Raises
    ------
    DataError
        The columns contradict the model: an order column for a model trained on purchase
        days, or none for a model trained on distinct orders.

    Examples
    --------
    >>> from tierkit.data.columns import reading_record
    >>> spec = ModelSpec("m", Path("m"), "D", (), (), (), frequency_of="purchase_days",
    ...                  reading=reading_record(ColumnMap(customer_id="CustomerID", amount=None,
    ...                                         price="UnitPrice", quantity="Quantity"), None))
    >>> cols, opts = model_reading(spec)
    >>> cols.customer_id, cols.price
    ('CustomerID', 'UnitPrice')
    >>> model_reading(spec, {"amount": "Revenue"})[0].price is None
    True
    >>> model_reading(spec, {"order_id": "InvoiceNo"})
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: order column 'InvoiceNo': the model 'm' counts frequency as purchase days (no \
order column); leave the order column out (--order-col; order_id)
    """
    from dataclasses import replace

    from tierkit.data.columns import reading_from_record

    recorded_columns, recorded_options = (reading_from_record(spec.reading) if spec.reading
                                          else (ColumnMap(), ReadOptions()))
    if isinstance(columns, dict):
        changes = dict(columns)
        if "amount" in changes and "price" not in changes:
            changes.setdefault("quantity", None)
            changes["price"] = None
        elif "price" in changes and "amount" not in changes:
            changes["amount"] = None
        columns = replace(recorded_columns, **changes)
    columns = (columns if columns is not None else recorded_columns).checked()
    if isinstance(options, dict):
        options = replace(recorded_options, **options)
    options = (options if options is not None else recorded_options).checked()
    check_frequency_of(spec, columns)
    return columns, options


def check_frequency_of(spec: ModelSpec, columns: ColumnMap) -> None:
    """One-line error when ``columns`` would count ``frequency`` another way than the model was trained on.

    The rule is :func:`tierkit.features.definition.check_frequency_of`, which the served model
    applies too.
    """
    from tierkit.features.definition import check_frequency_of as check

    check(spec.frequency_of, columns.order_id, f"the model {spec.uri!r}")


@contextlib.contextmanager
def shaped_as_trained(spec: ModelSpec):
    """Add to a missing-column error the columns the model's training file had.

    Examples
    --------
    >>> from tierkit.errors import MissingColumnsError
    >>> spec = ModelSpec("m", Path("m"), "D", (), (), (), reading={"columns": {"customer_id": "CustomerID"}})
    >>> with shaped_as_trained(spec):
    ...     raise MissingColumnsError("may.csv", ["CustomerID"], ["id", "day"])
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: may.csv: missing column 'CustomerID'; columns present: id, day; the model 'm' reads \
files shaped as its training file (columns CustomerID); for a file of another shape give its column options \
(--customer-col ...)
    """
    try:
        yield
    except MissingColumnsError as exc:
        if not spec.reading:
            raise
        trained = [name for name in spec.reading.get("columns", {}).values() if name is not None]
        raise DataError("model_file_shape", message=exc.as_message(), model=repr(spec.uri),
                        columns=", ".join(trained)) from None
