"""``--model``: grade with the standards of a saved model instead of fitting new ones.

``segment``, ``report`` and ``migrate`` refit every cut-off on the base they are given unless
they get ``--model URI``: then the transactions are read by the same reader, the features are
computed by the same definition in the time unit the model was trained in, and the model's
fitted :class:`tierkit.Segmentation` grades them with ``transform``. Two periods graded this
way are cut by one set of standards, so a tier migration between them is a move of the
customer, not of the cut-offs.

The model is found and checked by the rule ``tierkit score`` follows
(:func:`tierkit.scoring.model_spec.load_segmentation`). Options that only mean something when
fitting (``--k``, ``--clv-model``, ``--at-risk-after`` ...) are refused with ``--model``.
"""

from __future__ import annotations

import functools

import click

from tierkit.cli.options import (
    MODEL_OPTION_NAMES,
    features_from_reading,
    pop_model_options,
    pop_survey_options,
    pop_transaction_options,
    survey_from_options,
)
from tierkit.messages import Message

#: Parameters that set how standards are fitted: meaningless when the standards are loaded.
FITTING_OPTION_NAMES = MODEL_OPTION_NAMES + ("cs_threshold", "save_model")


def saved_model_options(command):
    """Add ``--model`` and ``--tracking-uri`` to a command."""
    options = [
        click.option("--model", "model", default=None, metavar="URI",
                     help="Grade with the standards of this saved model, no refit: models:/NAME@ALIAS, "
                          "models:/NAME/VERSION, runs:/RUN_ID/model or a model folder (as for tierkit score). "
                          "The features are computed in the model's time unit."),
        click.option("--tracking-uri", default=None,
                     help="MLflow tracking URI for a models:/ or runs:/ --model "
                          "(default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db)."),
    ]
    return functools.reduce(lambda cmd, opt: opt(cmd), reversed(options), command)


def _given(ctx: click.Context, name: str) -> bool:
    from click.core import ParameterSource

    return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def _flag(ctx: click.Context, name: str) -> str:
    """The flag of parameter ``name`` as it was given (``--no-clv`` rather than ``--clv/--no-clv``)."""
    for param in ctx.command.params:
        if param.name == name:
            value = ctx.params.get(name)
            if getattr(param, "is_bool_flag", False) and param.secondary_opts and value is False:
                return param.secondary_opts[0]
            return max(param.opts, key=len)
    return name


def given_flags(ctx: click.Context, names) -> list[str]:
    """The flags, as spelled on the command line, of the parameters in ``names`` that were given."""
    return [_flag(ctx, name) for name in names if name in ctx.params and _given(ctx, name)]


def refuse_fitting_options(ctx: click.Context, names=FITTING_OPTION_NAMES) -> None:
    """One-line usage error naming every fitting option given together with ``--model``."""
    given = given_flags(ctx, names)
    if given:
        raise click.UsageError(Message("fitting_options_with_model", given=tuple(given), model="--model"))


def model_time_unit(ctx: click.Context, spec, time_unit: str | None) -> str:
    """The time unit of the features: the model's; a different ``--time-unit`` given is refused."""
    if time_unit is not None and _given(ctx, "time_unit") and time_unit != spec.time_unit:
        raise click.UsageError(Message("model_time_unit", option="--time-unit", value=time_unit, model=spec.uri,
                                       unit=spec.time_unit))
    return spec.time_unit


def open_saved_model(uri: str, tracking_uri: str | None = None):
    """``(spec, segmentation)`` of the model at ``uri`` (:func:`tierkit.scoring.model_spec.load_segmentation`)."""
    import tempfile
    from pathlib import Path

    import mlflow

    from tierkit.mlops.experiment import tracking_uri as resolve
    from tierkit.scoring.model_spec import load_segmentation

    mlflow.set_tracking_uri(resolve(tracking_uri))
    with tempfile.TemporaryDirectory(prefix="tierkit-model-") as tmp:
        return load_segmentation(uri, Path(tmp))


#: Transaction option -> the :class:`tierkit.data.ColumnMap` field it names.
COLUMN_FLAGS = {"customer_col": "customer_id", "date_col": "date", "amount_col": "amount", "order_col": "order_id",
                "quantity_col": "quantity", "profit_col": "profit", "price_col": "price"}
#: Transaction option -> the :class:`tierkit.data.ReadOptions` field it sets.
READING_FLAGS = {"sep": "sep", "encoding": "encoding", "sheet": "sheet", "no_header": "header",
                 "date_format": "date_format", "timezone": "timezone", "missing_customers": "missing_customers",
                 "on_bad_rows": "on_bad_rows", "drop_duplicates": "drop_duplicates"}


def saved_reading(ctx: click.Context, spec, tx_args):
    """``(columns, options)`` to read a file for a saved model: the model's, changed by the options given.

    The model's training reading (:func:`tierkit.scoring.model_spec.model_reading`) is the
    default, so next month's file of the same shape needs no option repeated; each transaction
    option given on the command line replaces the model's value (a renamed column, another
    separator); ``--rejects`` is always this run's. An order column against a model trained on
    purchase days is refused in one line.
    """
    from tierkit.scoring.model_spec import model_reading

    return model_reading(spec, *reading_changes(ctx, tx_args))


def reading_changes(ctx: click.Context, tx_args) -> tuple[dict, dict]:
    """The column-map fields and reading options given on the command line, as dicts of changes.

    What :func:`tierkit.scoring.model_spec.model_reading` applies over a model's recorded
    reading; ``rejects`` is always included (this run's file, or None).
    """
    given = {name for name in (*COLUMN_FLAGS, *READING_FLAGS) if _given(ctx, name)}
    read_options = tx_args.read_options()
    columns = {field: getattr(tx_args, flag) for flag, field in COLUMN_FLAGS.items() if flag in given}
    options = {field: getattr(read_options, field) for flag, field in READING_FLAGS.items() if flag in given}
    options["rejects"] = read_options.rejects
    return columns, options


def grade_with_saved(spec, segmentation, transactions, as_of, reading, survey=None, *, lang=None, alerts_lang=None,
                     alerts: bool = False):
    """Grade the customers of ``transactions`` as of ``as_of`` by the saved standards: ``(table, features)``.

    With ``alerts`` through :func:`tierkit.grading.grade`: ``lang`` adds the labels, and the
    alerts (in ``alerts_lang``, default ``lang``, else English) are warned and kept in
    ``table.attrs["alerts"]``; without, the bare graded table (another period of a report).

    ``reading`` is ``(columns, options)`` (:func:`saved_reading`). The features come from
    :func:`tierkit.cli.options.features_from_reading` (the reader and feature definition of
    fitting) in the model's time unit; a model input the file cannot give (``profit``
    without ``--profit-col``) is refused in one line, and a file missing the training file's
    columns names them.
    """
    from tierkit.data.surveys import with_satisfaction
    from tierkit.grading import grade
    from tierkit.scoring.model_spec import model_columns, shaped_as_trained

    with shaped_as_trained(spec):
        features, _ = features_from_reading(transactions, *reading, as_of=as_of, time_unit=spec.time_unit)
    model_columns(spec, list(features.columns), str(transactions))
    if not alerts:
        table = segmentation.transform(with_satisfaction(features, survey) if survey is not None else features)
        table.attrs = dict(features.attrs)
        return table, features
    graded = grade(features, segmentation=segmentation, survey=survey, lang=lang, alerts_lang=alerts_lang)
    return graded.table, features


def grade_from_model(ctx: click.Context, transactions, as_of, kwargs: dict, *, lang: str | None = None,
                     alerts_lang: str | None = None):
    """``grade_from_options`` with ``--model``: read, compute features, grade by the saved standards.

    ``kwargs`` holds the transaction, survey, model and ``--model``/``--tracking-uri`` options
    (they are taken out of it); fitting options given on the command line are refused.
    Returns ``(table, segmentation, features, survey, survey_opts, spec, reading)``, ``reading``
    as :func:`saved_reading` gives it.
    """
    refuse_fitting_options(ctx)
    uri = kwargs.pop("model")
    tracking_uri = kwargs.pop("tracking_uri")
    tx_args = pop_transaction_options(kwargs)
    survey_opts = pop_survey_options(kwargs)
    pop_model_options(kwargs)
    spec, segmentation = open_saved_model(uri, tracking_uri)
    model_time_unit(ctx, spec, ctx.params.get("time_unit"))
    survey = survey_from_options(survey_opts, as_of)
    reading = saved_reading(ctx, spec, tx_args)
    table, features = grade_with_saved(spec, segmentation, transactions, as_of, reading, survey, lang=lang,
                                       alerts_lang=alerts_lang, alerts=True)
    return table, segmentation, features, survey, survey_opts, spec, reading
