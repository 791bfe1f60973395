"""Experiment configs: one YAML (or TOML) file says what to fit, on which data, how.

Example (``experiments/cdnow.yaml``)::

    name: cdnow
    data:
      dataset: cdnow            # or  path: data/transactions.parquet
      columns: {amount: dollar_value, quantity: number_of_cds}
    dates: {calibration_end: 1997-12-31, holdout_end: 1998-06-30, as_of: 1998-06-30}
    time_unit: D
    schemes:
      rfm: {n_bins: 5}
      abc: {scheme: course, basis: rank}
      clusters: {k_range: [2, 10]}
      clv: {horizon: 365, discount_rate: 0.10}
    satisfaction: {synthetic: true, scale: nps, seed: 7}
    mlflow: {experiment: tierkit-cdnow, registered_model: tierkit-cdnow, alias: champion}

Unknown or wrong keys are an error naming the key and the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tierkit.errors import TierkitError
from tierkit.features.definition import check_time_unit, parse_date

SECTIONS = {
    "name": str,
    "description": str,
    "data": dict,
    "dates": dict,
    "time_unit": str,
    "schemes": dict,
    "satisfaction": dict,
    "mlflow": dict,
    "seed": int,
    "lang": str,
}
DATA_KEYS = {"dataset", "path", "columns", "date_format", "timezone", "sep", "encoding", "sheet", "sheet_name", "header",
             "missing_customers", "on_bad_rows", "rejects", "drop_duplicates"}
COLUMN_KEYS = {"customer_id", "date", "amount", "order_id", "quantity", "profit", "price"}
DATE_KEYS = {"as_of", "calibration_end", "holdout_end"}
SCHEME_KEYS = {"rfm", "rfm_classes", "rfm_segments", "abc", "lifecycle", "clusters", "clv", "clv_cs", "value_potential"}
SATISFACTION_KEYS = {"path", "synthetic", "scale", "seed", "aggregate", "window", "columns", "high_threshold"}
MLFLOW_KEYS = {"experiment", "registered_model", "alias", "tracking_uri"}
DATASETS = {"cdnow", "cdnow_sample"}


@dataclass
class ExperimentConfig:
    """A checked experiment config; ``source`` is the file it came from."""

    source: Path
    name: str
    data: dict
    dates: dict
    time_unit: str = "D"
    schemes: dict = field(default_factory=dict)
    satisfaction: dict | None = None
    mlflow: dict = field(default_factory=dict)
    seed: int = 0
    lang: str = "en"
    description: str = ""

    @property
    def experiment_name(self) -> str:
        return self.mlflow.get("experiment", f"tierkit-{self.name}")

    def data_path(self) -> Path | None:
        """The transactions file, resolved against the config's folder."""
        if "path" not in self.data:
            return None
        path = Path(self.data["path"])
        return path if path.is_absolute() else (self.source.parent / path)

    def to_params(self) -> dict:
        """Flat ``section.key`` parameters for MLflow."""
        flat = {}

        def walk(prefix, value):
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(f"{prefix}.{k}" if prefix else str(k), v)
            else:
                flat[prefix] = value

        walk("", {"data": self.data, "dates": self.dates, "time_unit": self.time_unit, "schemes": self.schemes,
                  "satisfaction": self.satisfaction or {}, "seed": self.seed})
        return flat


class _TextDatesLoader(yaml.SafeLoader):
    """YAML loader that keeps dates as text, so tierkit checks them with its own message."""


_TextDatesLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _unknown(keys, allowed, where: str, source: Path):
    extra = sorted(set(keys) - set(allowed))
    if extra:
        raise TierkitError(f"{source}: unknown key {where}{extra[0]!r}; expected one of: {', '.join(sorted(allowed))}")


def load_config(path) -> ExperimentConfig:
    """Read and check an experiment config (``.yaml``, ``.yml`` or ``.toml``).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.yaml")
    >>> _ = open(p, "w").write("name: x\\ndata: {dataset: cdnow}\\ndates: {as_of: 1998-06-30}\\n")
    >>> load_config(p).dates["as_of"]
    '1998-06-30'
    """
    source = Path(path)
    if not source.exists():
        raise TierkitError(f"{source}: no such config file")
    try:
        text = source.read_text(encoding="utf-8")
        raw = tomllib.loads(text) if source.suffix.lower() == ".toml" else yaml.load(text, Loader=_TextDatesLoader)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise TierkitError(f"{source}: not valid {source.suffix[1:] or 'YAML'}: {first}") from None
    if not isinstance(raw, dict):
        raise TierkitError(f"{source}: expected a mapping of sections ({', '.join(SECTIONS)})")
    _unknown(raw, SECTIONS, "", source)
    for key, kind in SECTIONS.items():
        if key in raw and not isinstance(raw[key], kind):
            raise TierkitError(f"{source}: key {key!r} must be a {kind.__name__}, got {raw[key]!r}")
    for key in ("name", "data", "dates"):
        if key not in raw:
            raise TierkitError(f"{source}: missing key {key!r}")
    data = dict(raw["data"])
    _unknown(data, DATA_KEYS, "data.", source)
    if ("dataset" in data) == ("path" in data):
        raise TierkitError(f"{source}: data needs exactly one of 'dataset' ({', '.join(sorted(DATASETS))}) or 'path'")
    if "dataset" in data and data["dataset"] not in DATASETS:
        raise TierkitError(f"{source}: data.dataset {data['dataset']!r} is unknown; expected one of {sorted(DATASETS)}")
    _unknown(data.get("columns", {}) or {}, COLUMN_KEYS, "data.columns.", source)
    dates = {k: str(v) for k, v in raw["dates"].items()}
    _unknown(dates, DATE_KEYS, "dates.", source)
    for key, value in dates.items():
        try:
            parse_date(value, f"dates.{key}")
        except TierkitError as exc:
            raise TierkitError(f"{source}: {exc}") from None
    if "as_of" not in dates and "holdout_end" not in dates:
        raise TierkitError(f"{source}: dates needs 'as_of' (or 'holdout_end')")
    if ("calibration_end" in dates) != ("holdout_end" in dates):
        raise TierkitError(f"{source}: dates.calibration_end and dates.holdout_end go together")
    time_unit = raw.get("time_unit", "D")
    try:
        check_time_unit(time_unit)
    except TierkitError as exc:
        raise TierkitError(f"{source}: {exc}") from None
    schemes = raw.get("schemes", {}) or {}
    _unknown(schemes, SCHEME_KEYS, "schemes.", source)
    for key, value in schemes.items():
        if not isinstance(value, (dict, bool)) and value is not None:
            raise TierkitError(f"{source}: schemes.{key} must be a mapping of parameters or false, got {value!r}")
    satisfaction = raw.get("satisfaction")
    if satisfaction is not None:
        _unknown(satisfaction, SATISFACTION_KEYS, "satisfaction.", source)
        if ("path" in satisfaction) == bool(satisfaction.get("synthetic")):
            raise TierkitError(f"{source}: satisfaction needs exactly one of 'path' or 'synthetic: true'")
    mlflow = raw.get("mlflow", {}) or {}
    _unknown(mlflow, MLFLOW_KEYS, "mlflow.", source)
    if "registered_model" in mlflow:
        from tierkit.mlops.registry import check_registry_names

        try:  # found here, not after the run is logged
            check_registry_names(mlflow["registered_model"], mlflow.get("alias"), where="mlflow.registered_model")
        except TierkitError as exc:
            raise TierkitError(f"{source}: {exc}") from None
    lang = raw.get("lang", "en")
    if lang not in ("en", "zh"):
        raise TierkitError(f"{source}: key 'lang' must be 'en' or 'zh', got {lang!r}")
    return ExperimentConfig(
        source=source, name=raw["name"], data=data, dates=dates, time_unit=time_unit, schemes=schemes,
        satisfaction=satisfaction, mlflow=mlflow, seed=int(raw.get("seed", 0)), lang=lang,
        description=raw.get("description", ""),
    )
