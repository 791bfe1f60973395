"""Experiment configs: one YAML (or TOML) file says what to fit, on which data, how.

Example (``experiments/cdnow.yaml``, the bundled CDNOW data)::

    name: cdnow
    data: {dataset: cdnow}      # or cdnow_sample; your own file: data.path (below)
    dates: {calibration_end: 1997-12-31, holdout_end: 1998-06-30, as_of: 1998-06-30}
    time_unit: D
    schemes:
      rfm: {n_bins: 5}
      abc: {scheme: course, basis: rank}
      clusters: {k_range: [2, 10]}
      clv: {horizon: 365D, discount_rate: 0.10}   # 365 days (52W: 52 weeks)
    satisfaction: {synthetic: true, scale: nps, seed: 7}
    mlflow: {experiment: tierkit-cdnow, registered_model: tierkit-cdnow, alias: champion}

**Your own file.** ``data.path`` names it; every other key of ``data`` is a keyword parameter
of :func:`tierkit.read_transactions`, with the same name and meaning (the experiment calls
``read_transactions(path, **data)``):

=================== ==================================================================
source columns      ``customer_id``, ``date``, ``amount``, ``order_id``, ``quantity``,
                    ``profit``, ``price`` (no ``amount``: give ``price`` and ``quantity``)
reading options     ``date_format``, ``timezone``, ``sep``, ``encoding``, ``sheet`` (a name,
                    or a position counted from 0 as in pandas), ``header``,
                    ``missing_customers``, ``on_bad_rows``, ``rejects``, ``drop_duplicates``
=================== ==================================================================

A complete config for a file with raw columns, the UCI Online Retail data
(``experiments/online_retail.yaml``)::

    name: online_retail
    data:
      path: ../tests/data/online_retail.parquet   # relative to the config's folder
      customer_id: CustomerID
      date: InvoiceDate
      order_id: InvoiceNo      # a purchase occasion is one invoice
      price: UnitPrice         # no amount column: amount = price x quantity; a cancellation
      quantity: Quantity       # (invoice C...) has a negative quantity: a return
      missing_customers: drop  # guest checkouts (no CustomerID) left out and counted
      # a CSV export of it also needs its layout, e.g.
      # encoding: latin-1
      # date_format: "%m/%d/%Y %H:%M"   # 12/1/2010 8:26
    dates: {calibration_end: 2011-08-31, holdout_end: 2011-12-09, as_of: 2011-12-10}
    schemes:
      clv: {horizon: 365D}
      clusters: {k_range: [2, 10]}
      value_potential: {}
    mlflow: {experiment: tierkit-online-retail}

Each key has one spelling: ``data.columns`` (a mapping of earlier versions) and
``data.sheet_name`` are refused with the key that replaced them.

Every section is a pydantic model (:class:`ExperimentConfig` and the ``*Section`` and
``*Params`` classes below) that refuses unknown keys. :func:`load_config` checks everything
that can be checked without fitting -- types, ranges, the order of the dates, the data and
survey files, the scheme parameters (typed, bounded and checked by each estimator's
``_parameter_constraints`` and its own check), the registry
names -- so a wrong config fails before any MLflow run exists. A mistake is one
:class:`~tierkit.errors.TierkitError` line naming the file and the key; an unknown key lists
the keys of its section, written in full as config keys::

    experiments/x.yaml: schemes.rfm.n_bins: expected an integer >= 2 and <= 9, got 'five'
    experiments/x.yaml: data.sheet_nam: unknown key; expected one of: data.dataset, data.path, ...

The sections also read like the plain mappings of earlier versions: ``config.dates["as_of"]``,
``"path" in config.data`` and ``config.mlflow.get("alias")`` see the keys the file gave.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tomllib
import types
import typing
from numbers import Integral
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    field_validator,
    model_validator,
)

from tierkit.clusters.segmenter import KMeansSegmenter
from tierkit.clv.model import CLVModel
from tierkit.data.columns import ColumnMap, ReadOptions
from tierkit.data.files import is_pattern, matching_files
from tierkit.errors import Param, TierkitError
from tierkit.features.definition import parse_date
from tierkit.messages import Message
from tierkit.tiers.abc_tiers import ABCClassifier
from tierkit.tiers.clv_cs import CLVCSGrid
from tierkit.tiers.constraints import Duration, Interval, MappingOf, Options, SequenceOf, constraints_of
from tierkit.tiers.lifecycle import LifecycleStager
from tierkit.tiers.rfm_classes import RFMClassifier
from tierkit.tiers.rfm_scores import RFMScorer
from tierkit.tiers.rfm_segments import RFMSegmenter
from tierkit.tiers.value_potential import ValuePotentialMatrix

#: The bundled datasets a config may name as ``data.dataset``.
DATASETS = ("cdnow", "cdnow_sample")

__all__ = [
    "ExperimentConfig", "load_config", "DataSection", "DatesSection", "SchemesSection",
    "SatisfactionSection", "SurveyColumnsSection", "MlflowSection", "RFMParams", "RFMClassesParams",
    "RFMSegmentsParams", "ABCParams", "LifecycleParams", "ClustersParams", "CLVParams", "CLVCSParams",
    "ValuePotentialParams",
]


class ConfigError(ValueError):
    """A mistake found by a validator; ``key`` (optional) is the key below the section it is in.

    ``message`` is a keyed :class:`~tierkit.messages.Message` (its ``str`` the English text), so
    the line renders in the reader's language; ``str()`` of the error is its English text.
    """

    def __init__(self, message: Message, key: str | None = None):
        super().__init__(message)
        self.message, self.key = message, key


class _Trimmed(Message):
    """A keyed message without its leading ``prefix`` in every language (``columns: `` in a config)."""

    def __new__(cls, message: Message, prefix: str):
        self = str.__new__(cls, str(message).removeprefix(prefix))
        self.key, self.values, self.lang, self.prefix = message.key, message.values, "en", prefix
        return self

    def render(self, lang: str = "en", flags: dict | None = None) -> str:
        return super().render(lang, flags).removeprefix(self.prefix)


def _keyed(exc: TierkitError, prefix: str = "") -> Message | str:
    """A tierkit error's text (without its ``where``) as a message that renders in any language."""
    if exc.key is None:
        return str(exc).removeprefix(prefix)
    message = Message(exc.key, **exc.values)
    return _Trimmed(message, prefix) if prefix else message


def _plain(value):
    """A section (or a list / mapping of them) as plain Python values, keeping only the keys given."""
    if isinstance(value, Section):
        return value.as_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class Section(BaseModel):
    """A config section: typed attributes, unknown keys refused, and read-only mapping access.

    ``section["key"]``, ``section.get("key")``, ``"key" in section``, ``keys()`` and ``items()``
    see only the keys the file gave, as plain values (nested sections as dicts).

    Examples
    --------
    >>> s = MlflowSection(experiment="tierkit-x")
    >>> s.experiment, s["experiment"], "alias" in s, s.get("alias", "champion")
    ('tierkit-x', 'tierkit-x', False, 'champion')
    """

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=False)

    def as_dict(self) -> dict:
        """The keys the file gave, as a plain (nested) dict.

        Returns
        -------
        dict
            Section keys in declaration order; nested sections as dicts.
        """
        given = self.model_fields_set
        return {name: _plain(getattr(self, name)) for name in type(self).model_fields if name in given}

    def __getitem__(self, key: str):
        values = self.as_dict()
        if key not in values:
            raise KeyError(key)
        return values[key]

    def get(self, key: str, default=None):
        """The value of ``key`` if the file gave it, else ``default``."""
        return self.as_dict().get(key, default)

    def __contains__(self, key) -> bool:
        return key in self.as_dict()

    def keys(self):
        """The keys the file gave."""
        return self.as_dict().keys()

    def items(self):
        """(key, plain value) of the keys the file gave."""
        return self.as_dict().items()

    def __len__(self) -> int:
        return len(self.as_dict())


def _base(info: ValidationInfo) -> Path:
    """The folder relative paths in the config are resolved against."""
    return Path((info.context or {}).get("base", "."))


def _resolve(path: str, info: ValidationInfo) -> Path:
    path = Path(path)
    return path if path.is_absolute() else _base(info) / path


def _check_readable(path: str, info: ValidationInfo, key: str, what: Message, pattern: bool = False) -> None:
    where = _resolve(path, info)
    if pattern and is_pattern(where):  # a glob of parts, read as the reader reads it
        if not matching_files(where):
            raise ConfigError(Message("config_no_match", pattern=repr(str(where))), key=key)
        return
    if not where.exists():
        raise ConfigError(Message("config_file_missing", what=what, path=repr(str(where))), key=key)
    if not os.access(where, os.R_OK | (os.X_OK if where.is_dir() else 0)):
        raise ConfigError(Message("config_file_unreadable", what=what, path=repr(str(where))), key=key)


# ----------------------------------------------------------------------------------------- data

#: Keys of ``data`` that name source columns: the fields of :class:`tierkit.ColumnMap`.
COLUMN_KEYS = tuple(f.name for f in dataclasses.fields(ColumnMap))
#: Keys of ``data`` that say how to read the file: the fields of :class:`tierkit.ReadOptions`.
READ_OPTION_KEYS = tuple(f.name for f in dataclasses.fields(ReadOptions))


def _yaml_value(value) -> str:
    return "null" if value is None else str(value)


class DataSection(Section):
    r"""``data``: a bundled ``dataset``, or a file ``path`` and how to read it.

    With ``path``, every other key is a keyword parameter of :func:`tierkit.read_transactions`,
    spelled as in Python and meaning the same: the source columns ``customer_id``, ``date``,
    ``amount``, ``order_id``, ``quantity``, ``profit``, ``price`` and the reading options
    ``date_format``, ``timezone``, ``sep``, ``encoding``, ``sheet`` (a name, or a position
    counted from 0 as in pandas), ``header``, ``missing_customers``, ``on_bad_rows``,
    ``rejects``, ``drop_duplicates``. ``path`` is a file, a folder of Parquet or CSV parts, or
    a glob pattern of them (``exports/2024-*.csv``), as for ``read_transactions``; a relative
    one is resolved against the config's folder and must exist and be readable (a pattern must
    match a file); ``rejects`` is written where
    :func:`~tierkit.read_transactions` writes it (relative to the working folder). A bundled
    dataset is read as it is, so it takes none of these keys.

    Examples
    --------
    >>> DataSection(dataset="cdnow_sample")["dataset"]
    'cdnow_sample'
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "retail.csv")
    >>> _ = open(p, "w").write("CustomerID,InvoiceDate,UnitPrice,Quantity\n")
    >>> DataSection(path=p, customer_id="CustomerID", price="UnitPrice", quantity="Quantity",
    ...             missing_customers="drop").read_arguments()
    {'customer_id': 'CustomerID', 'quantity': 'Quantity', 'price': 'UnitPrice', 'missing_customers': 'drop'}
    """

    dataset: Literal["cdnow", "cdnow_sample"] | None = None
    path: str | None = None
    # the source columns (tierkit.ColumnMap), in the order of read_transactions' parameters
    customer_id: str = "customer_id"
    date: str = "date"
    amount: str | None = "amount"
    order_id: str | None = None
    quantity: str | None = None
    profit: str | None = None
    price: str | None = None
    # the reading options (tierkit.ReadOptions), in the reader's order
    date_format: str | None = None
    timezone: str | None = None
    sep: str | None = None
    encoding: str | None = None
    sheet: str | int = 0
    header: bool = True
    missing_customers: Literal["error", "drop"] = "error"
    on_bad_rows: Literal["error", "skip"] = "error"
    rejects: str | None = None
    drop_duplicates: bool = False

    @model_validator(mode="before")
    @classmethod
    def _one_spelling(cls, raw):
        """Spellings of earlier versions, refused with the key that replaces them."""
        if not isinstance(raw, dict):
            return raw
        if "columns" in raw:
            given = raw["columns"]
            example = (", ".join(f"data.{k}: {_yaml_value(v)}" for k, v in given.items())
                       if isinstance(given, dict) and given else "data.customer_id: CustomerID, data.date: InvoiceDate")
            raise ConfigError(Message("config_columns_key", example=example), key="columns")
        if "sheet_name" in raw:
            raise ConfigError(Message("config_sheet_name_key"), key="sheet_name")
        return raw

    @field_validator("sheet")
    @classmethod
    def _sheet(cls, value):
        if isinstance(value, int) and value < 0:
            raise ConfigError(Message("config_sheet_position", value=repr(value)))
        return value

    @model_validator(mode="after")
    def _checked(self, info: ValidationInfo):
        given = self.model_fields_set
        if ("dataset" in given and self.dataset is not None) == ("path" in given and self.path is not None):
            raise ConfigError(Message("config_dataset_or_path", datasets=DATASETS))
        if self.path is not None:
            _check_readable(self.path, info, "path", Message("config_word_file"), pattern=True)
        from tierkit.errors import DataError

        reading = self.read_arguments()
        try:
            ReadOptions(**{k: v for k, v in reading.items() if k in READ_OPTION_KEYS}).checked()
        except DataError as exc:
            key = str(exc).split(" ", 1)[0].rstrip(":")
            raise ConfigError(_keyed(exc), key=key if key in READ_OPTION_KEYS else None) from None
        try:
            ColumnMap(**{k: v for k, v in reading.items() if k in COLUMN_KEYS}).checked()
        except DataError as exc:  # "columns: ..." -- in a config the columns are keys of data itself
            raise ConfigError(_keyed(exc, "columns: ")) from None
        if self.dataset is not None and reading:
            first = next(iter(reading))
            raise ConfigError(Message("config_dataset_as_is", key=f"data.{first}"), key=first)
        return self

    def read_arguments(self) -> dict:
        """The keyword arguments of :func:`tierkit.read_transactions` the file gave (all but ``path``).

        Returns
        -------
        dict
            ``{parameter: value}`` in the order of the reader's parameters.
        """
        return {k: v for k, v in self.as_dict().items() if k not in ("dataset", "path")}


# ---------------------------------------------------------------------------------------- dates


class DatesSection(Section):
    """``dates``: ``as_of`` (the final model's date); ``calibration_end``, ``holdout_end`` (holdout comparison).

    Dates are text ``YYYY-MM-DD`` (TOML dates are accepted and kept as that text), checked by
    :func:`tierkit.features.definition.parse_date`. ``calibration_end`` must come before
    ``holdout_end`` and not after ``as_of``.

    Examples
    --------
    >>> DatesSection(as_of="1998-06-30")["as_of"]
    '1998-06-30'
    """

    as_of: str | None = None
    calibration_end: str | None = None
    holdout_end: str | None = None

    @field_validator("as_of", "calibration_end", "holdout_end", mode="before")
    @classmethod
    def _date(cls, value, info: ValidationInfo):
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()[:10]
        if not isinstance(value, str):
            raise ConfigError(Message("config_date", value=repr(value)))
        parse_date(value, f"dates.{info.field_name}")  # one line naming the key
        return value

    @model_validator(mode="after")
    def _order(self):
        if self.as_of is None and self.holdout_end is None:
            raise ConfigError(Message("config_needs_as_of"))
        if (self.calibration_end is None) != (self.holdout_end is None):
            raise ConfigError(Message("config_dates_together"))
        if self.calibration_end is not None:
            calibration_end = parse_date(self.calibration_end, "calibration_end")
            if parse_date(self.holdout_end, "holdout_end") <= calibration_end:
                raise ConfigError(Message("config_date_after", value=self.holdout_end,
                                          calibration_end=self.calibration_end), key="holdout_end")
            as_of = self.as_of if self.as_of is not None else self.holdout_end
            if parse_date(as_of, "as_of") < calibration_end:
                raise ConfigError(Message("config_date_not_before", value=as_of,
                                          calibration_end=self.calibration_end), key="as_of")
        return self


# -------------------------------------------------------------------------------------- schemes


def _field_type(rule):
    """The pydantic type of one constraint rule (:mod:`tierkit.tiers.constraints`); None if no file can write it."""
    if rule == "boolean":
        return bool
    if isinstance(rule, Interval):
        bounds = {("ge" if rule.left_closed else "gt"): rule.left} if rule.left is not None else {}
        if rule.right is not None:
            bounds["le" if rule.right_closed else "lt"] = rule.right
        if rule.type is Integral:
            return Annotated[int, Field(**bounds)]
        return Annotated[float, Field(**bounds, allow_inf_nan=False)]
    if isinstance(rule, Options):
        return Literal[rule.values]
    if isinstance(rule, Duration):  # text or a number; the estimator's own check reads the spelling
        return int | float | str
    if isinstance(rule, SequenceOf):
        lengths = {"min_length": rule.length if rule.length is not None else rule.min_length,
                   "max_length": rule.length}
        lengths = {k: v for k, v in lengths.items() if v is not None}
        items = list[_field_type(rule.item)]
        return Annotated[items, Field(**lengths)] if lengths else items
    if isinstance(rule, MappingOf):
        return dict[_field_type(rule.keys), _field_type(rule.values)]
    if rule is str:
        return str
    if rule is dict:
        return dict[Any, Any]
    return None  # a DataFrame, an estimator: not in a file


def _allowed(estimator, name: str):
    """The type of a config key: ``estimator``'s ``_parameter_constraints[name]`` as a pydantic type.

    The bounds and options are the estimator's own, so the config cannot drift from them; a
    single rule's bounds stay on the field itself, for the messages (``>= 2 and <= 9``).

    Examples
    --------
    >>> typing.get_args(_allowed(ABCClassifier, "basis"))
    ('rank', 'value')
    """
    rules = constraints_of(estimator)[name]
    members = [t for t in (_field_type(rule) for rule in rules if rule is not None) if t is not None]
    if None in rules:
        members.append(type(None))
    if len(members) == 1:
        return members[0]
    if len(members) == 2 and type(None) in members and typing.get_origin(members[0]) is Annotated:
        inner, *metadata = typing.get_args(members[0])  # the bounds on the field itself, for _describe
        return Annotated[(inner | None, *metadata)]
    return Union[tuple(members)]  # noqa: UP007 -- computed members: no `|` spelling


class _Params(Section):
    """Parameters of one scheme's estimator: types, bounds and options from its ``_parameter_constraints``.

    Each key's type comes from the estimator (:func:`_allowed`), and the estimator's own check
    (``_validate_params``: every constraint, then the rules between parameters) runs on the
    parameters the file gave, so a config refuses what the estimator refuses, before any fit.
    """

    #: The estimator these are parameters of (set per subclass).
    estimator_class: typing.ClassVar[type]

    def estimator(self):
        """The estimator built with the parameters the file gave.

        Returns
        -------
        estimator
            A new, unfitted estimator of the scheme.
        """
        return self.estimator_class(**self.as_dict())

    @model_validator(mode="after")
    def _estimator_checks(self):
        try:
            self.estimator()._validate_params()
            self._more_checks()
        except TierkitError as exc:
            # the key the error names (its param), and its text without the estimator ("k=1; expected ...")
            key = exc.param if exc.param in type(self).model_fields else None
            raise ConfigError(_keyed(exc), key=key) from None
        return self

    def _more_checks(self) -> None:
        """Checks the estimator does only at fit (raise TierkitError naming the parameter)."""


class RFMParams(_Params):
    """``schemes.rfm``: :class:`tierkit.RFMScorer` parameters.

    Examples
    --------
    >>> RFMParams(n_bins=4).estimator().n_bins
    4
    """

    estimator_class: typing.ClassVar[type] = RFMScorer
    n_bins: _allowed(RFMScorer, "n_bins") = 5
    edges: _allowed(RFMScorer, "edges") = None
    weights: _allowed(RFMScorer, "weights") = [1.0, 1.0, 1.0]


class RFMClassesParams(_Params):
    """``schemes.rfm_classes``: :class:`tierkit.RFMClassifier` parameters (fixed thresholds per metric)."""

    estimator_class: typing.ClassVar[type] = RFMClassifier
    thresholds: _allowed(RFMClassifier, "thresholds") = None


class RFMSegmentsParams(_Params):
    """``schemes.rfm_segments``: :class:`tierkit.RFMSegmenter` parameters (a full 5x5 ``grid``)."""

    estimator_class: typing.ClassVar[type] = RFMSegmenter
    grid: _allowed(RFMSegmenter, "grid") = None


class ABCParams(_Params):
    """``schemes.abc``: :class:`tierkit.ABCClassifier` parameters."""

    estimator_class: typing.ClassVar[type] = ABCClassifier
    scheme: _allowed(ABCClassifier, "scheme") = "course"
    basis: _allowed(ABCClassifier, "basis") = "rank"
    cutoffs: _allowed(ABCClassifier, "cutoffs") = None
    contribution: _allowed(ABCClassifier, "contribution") = None


class LifecycleParams(_Params):
    """``schemes.lifecycle``: :class:`tierkit.LifecycleStager` parameters (``None`` = learned at fit)."""

    estimator_class: typing.ClassVar[type] = LifecycleStager
    at_risk_after: _allowed(LifecycleStager, "at_risk_after") = None
    churned_after: _allowed(LifecycleStager, "churned_after") = None
    loyal_min_purchases: _allowed(LifecycleStager, "loyal_min_purchases") = None
    use_p_alive: _allowed(LifecycleStager, "use_p_alive") = False
    at_risk_p_alive: _allowed(LifecycleStager, "at_risk_p_alive") = 0.5
    churned_p_alive: _allowed(LifecycleStager, "churned_p_alive") = 0.2
    new_within: _allowed(LifecycleStager, "new_within") = None

    def _more_checks(self) -> None:
        """The thresholds' order whatever the features' unit (the estimator checks it in that unit at fit)."""
        from tierkit.features.durations import parse_duration

        def days(name):  # for the order only: a bare number reads as days either way (weeks refuse it later)
            amount, unit = parse_duration(getattr(self, name), name, allow_zero=True)
            return amount * (7 if unit == "W" else 1)

        if self.at_risk_after is not None and self.churned_after is not None \
                and days("at_risk_after") > days("churned_after"):
            raise TierkitError("not_below", param=Param("churned_after"), value=repr(self.churned_after),
                               other=Param("at_risk_after"), other_value=repr(self.at_risk_after))
        if self.new_within is not None and self.churned_after is not None \
                and days("new_within") > days("churned_after"):
            raise TierkitError("not_above", param=Param("new_within"), value=repr(self.new_within),
                               other=Param("churned_after"), other_value=repr(self.churned_after))


class ClustersParams(_Params):
    """``schemes.clusters``: :class:`tierkit.KMeansSegmenter` parameters (``random_state`` defaults to ``seed``)."""

    estimator_class: typing.ClassVar[type] = KMeansSegmenter
    features: _allowed(KMeansSegmenter, "features") = ["recency", "frequency", "monetary"]
    k: _allowed(KMeansSegmenter, "k") = None
    k_range: _allowed(KMeansSegmenter, "k_range") = [2, 10]
    selection_rule: _allowed(KMeansSegmenter, "selection_rule") = "action"
    skew_transform: _allowed(KMeansSegmenter, "skew_transform") = "log1p"
    random_state: _allowed(KMeansSegmenter, "random_state") = None
    n_init: _allowed(KMeansSegmenter, "n_init") = 4
    sample_size: _allowed(KMeansSegmenter, "sample_size") = 10_000


class CLVParams(_Params):
    """``schemes.clv``: :class:`tierkit.CLVModel` parameters (``horizon``: ``365D`` days or ``52W`` weeks)."""

    estimator_class: typing.ClassVar[type] = CLVModel
    horizon: _allowed(CLVModel, "horizon") = "365D"
    discount_rate: _allowed(CLVModel, "discount_rate") = 0.10
    margin: _allowed(CLVModel, "margin") = 1.0
    acquisition_cost: _allowed(CLVModel, "acquisition_cost") = 0.0
    discount_steps: _allowed(CLVModel, "discount_steps") = None
    bgnbd_penalizer: _allowed(CLVModel, "bgnbd_penalizer") = 0.0
    gg_penalizer: _allowed(CLVModel, "gg_penalizer") = 0.0
    time_unit: _allowed(CLVModel, "time_unit") = None
    model: _allowed(CLVModel, "model") = "mbgnbd"
    prior: _allowed(CLVModel, "prior") = "auto"
    interval: _allowed(CLVModel, "interval") = None
    predictive: _allowed(CLVModel, "predictive") = None


class CLVCSParams(_Params):
    """``schemes.clv_cs``: :class:`tierkit.CLVCSGrid` parameters (the survey comes from ``satisfaction``)."""

    estimator_class: typing.ClassVar[type] = CLVCSGrid
    clv: _allowed(CLVCSGrid, "clv") = "clv"
    clv_edges: _allowed(CLVCSGrid, "clv_edges") = None
    clv_quantiles: _allowed(CLVCSGrid, "clv_quantiles") = [1 / 3, 2 / 3]
    clv_levels: _allowed(CLVCSGrid, "clv_levels") = ["high", "medium", "low"]
    cs_threshold: _allowed(CLVCSGrid, "cs_threshold") = 70.0
    classes: _allowed(CLVCSGrid, "classes") = None
    unrated: _allowed(CLVCSGrid, "unrated") = "keep"


class ValuePotentialParams(_Params):
    """``schemes.value_potential``: :class:`tierkit.ValuePotentialMatrix` parameters."""

    estimator_class: typing.ClassVar[type] = ValuePotentialMatrix
    value: _allowed(ValuePotentialMatrix, "value") = None
    potential: _allowed(ValuePotentialMatrix, "potential") = "clv"
    value_split: _allowed(ValuePotentialMatrix, "value_split") = None
    potential_split: _allowed(ValuePotentialMatrix, "potential_split") = None
    quantile: _allowed(ValuePotentialMatrix, "quantile") = 0.5


def _switch(value, handler):
    """A scheme is its parameters (a mapping), ``true``/empty (defaults) or ``false`` (left out)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (dict, BaseModel)):
        return handler(value)
    raise ConfigError(Message("config_switch", value=repr(value)))


def _Scheme(params):  # noqa: N802 -- a type alias factory
    return Annotated[params, WrapValidator(_switch), PlainSerializer(_plain)]


class SchemesSection(Section):
    """``schemes``: which schemes run and with which parameters.

    Each key is a mapping of the estimator's parameters, ``true`` or empty (its defaults), or
    ``false`` (left out). ``rfm``, ``rfm_classes``, ``rfm_segments``, ``abc`` and
    ``lifecycle`` run unless ``false``; the others only when given. ``clv_cs`` and
    ``value_potential`` need ``clv``; ``lifecycle.use_p_alive`` needs ``clv`` too.

    Examples
    --------
    >>> SchemesSection.model_validate({"rfm": {"n_bins": 4}, "lifecycle": False}).as_dict()
    {'rfm': {'n_bins': 4}, 'lifecycle': False}
    """

    clv: _Scheme(CLVParams) = None
    rfm: _Scheme(RFMParams) = None
    rfm_classes: _Scheme(RFMClassesParams) = None
    rfm_segments: _Scheme(RFMSegmentsParams) = None
    abc: _Scheme(ABCParams) = None
    lifecycle: _Scheme(LifecycleParams) = None
    clusters: _Scheme(ClustersParams) = None
    clv_cs: _Scheme(CLVCSParams) = None
    value_potential: _Scheme(ValuePotentialParams) = None

    def enabled(self, name: str) -> bool:
        """Whether scheme ``name`` runs (the rules of :func:`tierkit.segmentation.chain.build_segmentation`).

        Parameters
        ----------
        name : str
            A scheme (step) name.

        Returns
        -------
        bool
        """
        from tierkit.segmentation.chain import DEFAULT_STEPS

        if name not in self.model_fields_set:
            return name in DEFAULT_STEPS
        return getattr(self, name) is not False

    @model_validator(mode="after")
    def _needs_clv(self):
        for name in ("clv_cs", "value_potential"):
            if self.enabled(name) and not self.enabled("clv"):
                raise ConfigError(Message("config_needs_clv"), key=name)
        lifecycle = self.lifecycle
        if isinstance(lifecycle, LifecycleParams) and lifecycle.use_p_alive and not self.enabled("clv"):
            raise ConfigError(Message("config_p_alive_needs_clv"), key="lifecycle")
        return self


# --------------------------------------------------------------------------- satisfaction, mlflow


class SurveyColumnsSection(Section):
    """``satisfaction.columns``: source columns of the survey file (see :func:`tierkit.read_survey`)."""

    customer_id: str = "customer_id"
    date: str = "date"
    score: str = "score"
    date_format: str | None = None
    sheet_name: str | int = 0


class SatisfactionSection(Section):
    """``satisfaction``: a survey file (``path``) or a seeded synthetic survey (``synthetic: true``).

    Examples
    --------
    >>> SatisfactionSection(synthetic=True, scale="nps", seed=7).get("scale")
    'nps'
    """

    path: str | None = None
    synthetic: bool = False
    scale: str | list[float] = "nps"
    seed: int | None = None
    aggregate: Literal["latest", "mean"] = "latest"
    window: int | None = Field(None, ge=1)
    columns: SurveyColumnsSection | None = None
    high_threshold: float | None = Field(None, ge=0, le=100)

    @model_validator(mode="after")
    def _checked(self, info: ValidationInfo):
        if (self.path is not None) == bool(self.synthetic):
            raise ConfigError(Message("config_survey_source"))
        if self.path is not None:
            _check_readable(self.path, info, "path", Message("config_word_survey_file"))
        from tierkit.data.surveys import survey_scale

        try:
            survey_scale(self.scale)
        except TierkitError as exc:
            raise ConfigError(_keyed(exc), key="scale") from None
        return self


class MlflowSection(Section):
    """``mlflow``: the experiment name, the registered model and its alias, the tracking URI."""

    experiment: str | None = None
    registered_model: str | None = None
    alias: str | None = None
    tracking_uri: str | None = None

    @model_validator(mode="after")
    def _registry_names(self):
        from tierkit.mlops.registry import check_registry_names

        if self.registered_model is not None or self.alias is not None:
            # found here, not after the run is logged
            check_registry_names(self.registered_model if self.registered_model is not None else "model",
                                 self.alias, where="mlflow.registered_model")
        return self


# --------------------------------------------------------------------------------------- config


class ExperimentConfig(Section):
    r"""A checked experiment config; ``source`` is the file it came from.

    Build one with :func:`load_config`. Sections are typed (``config.dates.as_of``) and read
    like mappings of the keys the file gave (``config.dates["as_of"]``).

    Attributes
    ----------
    name, description : str
        The experiment's name (the MLflow run name) and a one-line description.
    data : DataSection
    dates : DatesSection
    time_unit : {"D", "W"}
    schemes : SchemesSection
    satisfaction : SatisfactionSection or None
    mlflow : MlflowSection
    seed : int
    lang : {"en", "zh"}
    currency : str or None
        The money figures' currency (``currency: USD``, ``currency: ¥``; at most 5 letters or
        currency signs, :func:`tierkit.output.check_currency`): carried as the graded table's
        ``attrs["currency"]``, shown in the headers and formats of its money columns. Top level,
        beside ``lang``: one spelling for every output.
    engine : {"local", "spark"}
        Where the final segmentation learns its standards: on this machine, or from Spark's
        features and counts (:func:`tierkit.spark.training.fit_segmentation_spark`; the running
        session, ``spark-submit``'s, or a local one). The run, the model and the report are the same.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.yaml")
    >>> _ = open(p, "w").write("name: x\ndata: {dataset: cdnow}\ndates: {as_of: 1998-06-30}\n")
    >>> config = load_config(p)
    >>> config.experiment_name, config.dates.as_of, config.schemes.enabled("rfm")
    ('tierkit-x', '1998-06-30', True)
    """

    name: str = Field(min_length=1)
    description: str = ""
    data: DataSection
    dates: DatesSection
    time_unit: Literal["D", "W"] = Field("D", description="'D' (days) or 'W' (weeks)")
    schemes: SchemesSection = Field(default_factory=SchemesSection)
    satisfaction: SatisfactionSection | None = None
    mlflow: MlflowSection = Field(default_factory=MlflowSection)
    seed: int = 0
    lang: Literal["en", "zh"] = "en"
    currency: str | None = None
    engine: Literal["local", "spark"] = Field("local", description="'local' or 'spark'")

    _source: Path = PrivateAttr(default=Path("config.yaml"))

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value):
        from tierkit.output import check_currency

        try:
            return check_currency(value, "currency")
        except TierkitError as exc:
            raise ConfigError(_keyed(exc, "currency: ")) from None

    @model_validator(mode="after")
    def _remember_source(self, info: ValidationInfo):
        self._source = Path((info.context or {}).get("source", "config.yaml"))
        return self

    @model_validator(mode="after")
    def _durations_in_unit(self):
        """Durations converted to the features' unit here: a bare number with weekly features is refused."""
        from tierkit.features.durations import to_time_units

        checks = []
        if isinstance(self.schemes.clv, CLVParams):
            checks.append(("clv", "horizon", self.schemes.clv.horizon, self.schemes.clv.time_unit, False))
        if isinstance(self.schemes.lifecycle, LifecycleParams):
            checks += [("lifecycle", name, getattr(self.schemes.lifecycle, name), None, True)
                       for name in ("at_risk_after", "churned_after", "new_within")]
        for scheme, name, value, unit, zero in checks:
            if value is None:
                continue
            try:
                to_time_units(value, unit or self.time_unit, name, allow_zero=zero)
            except TierkitError as exc:
                raise ConfigError(Message("config_in_section", path=f"schemes.{scheme}", text=_keyed(exc)),
                                  key=f"schemes.{scheme}.{name}") from None
        return self

    @property
    def source(self) -> Path:
        """The config file."""
        return self._source

    @property
    def experiment_name(self) -> str:
        """``mlflow.experiment``, else ``tierkit-<name>``."""
        return self.mlflow.experiment or f"tierkit-{self.name}"

    def data_path(self) -> Path | None:
        """The transactions file, resolved against the config's folder (None for a bundled dataset).

        Returns
        -------
        pathlib.Path or None
        """
        if self.data.path is None:
            return None
        path = Path(self.data.path)
        return path if path.is_absolute() else (self.source.parent / path)

    def survey_path(self) -> Path | None:
        """The survey file, resolved against the config's folder (None without one).

        Returns
        -------
        pathlib.Path or None
        """
        if self.satisfaction is None or self.satisfaction.path is None:
            return None
        path = Path(self.satisfaction.path)
        return path if path.is_absolute() else (self.source.parent / path)

    def scheme_params(self) -> dict:
        """The ``schemes`` section as :func:`~tierkit.segmentation.chain.build_segmentation` takes it.

        Returns
        -------
        dict
            ``{scheme: params dict, True, False or None}`` for the schemes the file gave.
        """
        return self.schemes.as_dict()

    def to_params(self) -> dict:
        """Flat ``section.key`` parameters for MLflow.

        Returns
        -------
        dict
            ``{"data.dataset": "cdnow", "schemes.rfm.n_bins": 5, ...}``.
        """
        flat = {}

        def walk(prefix, value):
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(f"{prefix}.{k}" if prefix else str(k), v)
            else:
                flat[prefix] = value

        walk("", {"data": self.data.as_dict(), "dates": self.dates.as_dict(), "time_unit": self.time_unit,
                  "schemes": self.schemes.as_dict(),
                  "satisfaction": self.satisfaction.as_dict() if self.satisfaction else {}, "seed": self.seed})
        return flat

    def checked(self) -> ExperimentConfig:
        """Check the config again as a whole (after changes such as ``config.lang = "zh"``).

        Files are looked at again too: a data file removed since loading is found here.

        Returns
        -------
        ExperimentConfig
            A new, checked config from the same source.

        Raises
        ------
        TierkitError
            One line naming the file and the key.
        """
        return _validated(self.as_dict(), self.source)


# ------------------------------------------------------------------------------------- messages


def _unwrap(annotation):
    """``(types, is_optional)`` of an annotation: Optional and Annotated stripped, unions split."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return members, len(members) < len(typing.get_args(annotation))
    return [annotation], False


def _section_of(annotation):
    """The Section class inside an annotation, if any."""
    members, _ = _unwrap(annotation)
    for member in members:
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None


#: What a value of a type is, in words (keys of the catalogue): ``an integer``, ``a list of integers``.
_NAMES = {int: "config_an_integer", float: "config_a_number", bool: "config_true_false", str: "config_text",
          dict: "config_a_mapping", list: "config_a_list", Any: "config_a_value"}
_PLURAL = {int: "config_integers", float: "config_numbers", bool: "config_true_false_values", str: "config_texts"}
#: A field's description (``Field(description=...)``) -> its key in the catalogue.
_DESCRIPTIONS = {"'D' (days) or 'W' (weeks)": "config_time_unit", "'local' or 'spark'": "config_engine"}


def _joined(parts: list, key: str):
    """``parts`` joined by the catalogue's ``key`` (``{a} or {b}``), in any language; None for no parts."""
    joined = None
    for part in parts:
        joined = part if joined is None else Message(key, a=joined, b=part)
    return joined


def _describe_type(annotation) -> Message:
    members, _ = _unwrap(annotation)
    words = []
    for member in members:
        origin = typing.get_origin(member)
        if origin is Literal:
            words.append(Message("config_one_of", options=", ".join(repr(a) for a in typing.get_args(member))))
        elif origin is list:
            (item,) = typing.get_args(member) or (Any,)
            inner, _ = _unwrap(item)
            inner = inner[0]
            if typing.get_origin(inner) is Literal:
                words.append(Message("config_list_of", items=", ".join(repr(a) for a in typing.get_args(inner))))
            else:
                words.append(Message("config_list_of", items=Message(_PLURAL.get(inner, "config_values"))))
        elif origin is dict:
            words.append(Message("config_a_mapping"))
        elif isinstance(member, type) and issubclass(member, _Params):
            words.append(Message("config_parameters_switch"))
        elif isinstance(member, type) and issubclass(member, BaseModel):
            words.append(Message("config_a_mapping"))
        elif member in _NAMES:
            words.append(Message(_NAMES[member]))
        else:  # a type's name, an identifier
            words.append(getattr(member, "__name__", str(member)))
    return _joined(words, "config_or")


def _bounds(field) -> Message | None:
    """The field's numeric bounds as text: ``>= 2 and <= 9``; None without bounds."""
    parts = []
    for item in field.metadata:
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(item, attr, None)
            if value is not None:
                parts.append(f"{sign} {value}")
    return _joined(parts, "config_and")


def _describe(field) -> Message:
    """What a field expects, in words: ``an integer >= 2 and <= 9``."""
    if field.description:
        key = _DESCRIPTIONS.get(field.description)
        return Message(key) if key else field.description
    text = _describe_type(field.annotation)
    bounds = _bounds(field)
    low = next((m.min_length for m in field.metadata if getattr(m, "min_length", None) is not None), None)
    high = next((m.max_length for m in field.metadata if getattr(m, "max_length", None) is not None), None)
    if isinstance(text, Message) and text.key == "config_list_of":
        if low is not None and low == high:
            text = Message("config_list_of_n", n=low, items=text.values["items"])
        elif low:
            text = Message("config_at_least", what=text, n=low)
    return Message("config_bounded", what=text, bounds=bounds) if bounds else text


def _walk(loc) -> tuple[list[str], Any, type | None, bool]:
    """Follow an error location through the models: (path parts, field, parent model, exact)."""
    model, field, parent, parts, exact = ExperimentConfig, None, None, [], True
    for element in loc:
        if element == "[key]":  # pydantic's mark of a mapping key (not a value) that failed
            exact = False
            continue
        if model is not None and isinstance(element, str) and element in model.model_fields:
            field = model.model_fields[element]
            parent = model
            parts.append(element)
            model = _section_of(field.annotation)
            exact = True
            continue
        if isinstance(element, int):
            parts[-1:] = [f"{parts[-1]}[{element}]"] if parts else [f"[{element}]"]
            exact = False
            continue
        if field is not None and typing.get_origin(_unwrap(field.annotation)[0][0]) is dict:
            parts.append(str(element))  # a key of a mapping-typed parameter
            exact = False
            continue
        if model is not None:  # an unknown key
            parts.append(str(element))
            return parts, None, model, False
        # otherwise a union member's tag: not part of the user's key path
    return parts, field, parent, exact


def _keys(section: type | None, where: list[str]) -> list[str]:
    """The config keys of ``section``, written as full key paths (``data.sheet``) when it is nested.

    Spelled in full, they read as the keys of the file they are (never as command-line flags,
    which share some names: ``tierkit run`` shows the message as it is).

    Examples
    --------
    >>> _keys(MlflowSection, ["mlflow"])
    ['mlflow.experiment', 'mlflow.registered_model', 'mlflow.alias', 'mlflow.tracking_uri']
    """
    names = list(section.model_fields) if section is not None else []
    prefix = ".".join(where)
    return [f"{prefix}.{name}" for name in names] if prefix else names


def _error_text(exc) -> Message | str:
    """The text of a validator's error as a keyed message (a parser's or pydantic's own words as they are)."""
    if isinstance(exc, ConfigError):
        return exc.message
    if isinstance(exc, TierkitError):
        return exc.as_message()
    return Message("config_other_words", text=" ".join(str(exc).split()))


def _message(error: dict) -> tuple[str, Message]:
    """(key path, one-line text) of one pydantic error; the text is keyed, so it renders in any language."""
    kind, loc = error["type"], error["loc"]
    parts, field, parent, exact = _walk(loc)
    path = ".".join(parts)
    if kind == "extra_forbidden":
        return path, Message("config_unknown_key", path=path, keys=tuple(_keys(parent, parts[:-1])))
    if kind == "missing":
        what = _describe(field) if field is not None else Message("config_a_value")
        return path, Message("config_missing_key", path=path, what=what)
    if kind == "value_error":
        exc = error.get("ctx", {}).get("error")
        text = _error_text(exc) if exc is not None else Message("config_other_words", text=error["msg"])
        key = exc.key if isinstance(exc, ConfigError) else None  # a TierkitError's key is its message's
        full = f"{path}.{key}" if key and path else (key or path)
        if not full or text.startswith(full):
            return full, text
        if key and text.startswith(key):
            return full, Message("config_in_section", path=path, text=text) if path else text
        return full, Message("config_at", path=full, text=text)
    got = error.get("input")
    if field is not None and exact:
        return path, Message("config_expected", path=path, what=_describe(field), got=repr(got))
    # what was expected, by pydantic's error type; another type keeps pydantic's own words, without
    # its "Input should be" (pydantic has no other field for them), quoted as pydantic's in Chinese
    key = _EXPECTED_BY_TYPE.get(kind)
    what = Message(key) if key else Message("config_other_words",
                                            text=re.sub(r"^Input should be (a valid )?", "", error["msg"]))
    return path, Message("config_expected", path=path, what=what, got=repr(got))


#: pydantic's error type -> what a config key of that type expects (a key of the catalogue).
_EXPECTED_BY_TYPE = {"int_type": "config_an_integer", "int_parsing": "config_an_integer",
                     "int_from_float": "config_an_integer", "float_type": "config_a_number",
                     "float_parsing": "config_a_number", "bool_type": "config_true_false",
                     "bool_parsing": "config_true_false", "string_type": "config_text",
                     "dict_type": "config_a_mapping", "list_type": "config_a_list"}


def _one_line(exc: ValidationError) -> Message:
    """Every error of ``exc`` once per key path, on one line joined by ``; `` (a message in any language)."""
    seen, lines = set(), []
    for error in exc.errors(include_url=False):
        path, text = _message(error)
        if path not in seen:
            seen.add(path)
            lines.append(text)
    return _joined(lines, "config_join")


# ---------------------------------------------------------------------------------------- files


class _TextDatesLoader(yaml.SafeLoader):
    """YAML loader that keeps dates as text, so tierkit checks them with its own message."""


_TextDatesLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _validated(raw: dict, source: Path) -> ExperimentConfig:
    try:
        return ExperimentConfig.model_validate(raw, context={"source": source, "base": source.parent})
    except ValidationError as exc:
        raise TierkitError("config_invalid", path=source, text=_one_line(exc)) from None


def load_config(path) -> ExperimentConfig:
    r"""Read and check an experiment config (``.yaml``, ``.yml`` or ``.toml``).

    Everything that can be checked without fitting is checked here (module docs), so a wrong
    config fails before any MLflow run exists.

    Parameters
    ----------
    path : str or Path
        The config file.

    Returns
    -------
    ExperimentConfig
        The checked config.

    Raises
    ------
    TierkitError
        One line naming the file, the key path and what is expected, e.g.
        ``x.yaml: schemes.rfm.n_bins: expected an integer >= 2 and <= 9, got 'five'``.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.yaml")
    >>> _ = open(p, "w").write("name: x\ndata: {dataset: cdnow}\ndates: {as_of: 1998-06-30}\n")
    >>> load_config(p).dates["as_of"]
    '1998-06-30'
    """
    source = Path(path)
    if not source.exists():
        raise TierkitError("no_config", path=source)
    try:
        text = source.read_text(encoding="utf-8")
        raw = tomllib.loads(text) if source.suffix.lower() == ".toml" else yaml.load(text, Loader=_TextDatesLoader)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise TierkitError("config_unparsed", path=source, kind=source.suffix[1:] or "YAML", reason=first) from None
    if not isinstance(raw, dict):
        raise TierkitError("config_not_mapping", path=source, sections=tuple(ExperimentConfig.model_fields))
    return _validated(raw, source)
