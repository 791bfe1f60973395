"""Options shared by the commands that read transactions."""

from __future__ import annotations

import functools

import click

from tierkit.transactions import read_transactions


def transaction_options(command):
    """Add the column map options (``--customer-col`` ...) to a command."""
    options = [
        click.option("--customer-col", default="customer_id", show_default=True, help="Column with the customer id."),
        click.option("--date-col", default="date", show_default=True, help="Column with the purchase date or timestamp."),
        click.option("--amount-col", default="amount", show_default=True, help="Column with the net amount (returns negative)."),
        click.option("--order-col", default=None, help="Column with the order id (purchase occasions = distinct orders)."),
        click.option("--quantity-col", default=None, help="Column with the quantity."),
        click.option("--profit-col", default=None, help="Column with the profit (ABC tiers then rank by profit)."),
        click.option("--date-format", default=None, help="strftime format of the dates, e.g. %d/%m/%Y."),
        click.option("--drop-duplicates", is_flag=True, help="Drop rows that repeat another row exactly."),
    ]
    return functools.reduce(lambda cmd, opt: opt(cmd), reversed(options), command)


def read_from_options(path, opts: dict):
    """Read transactions with the column map given on the command line."""
    return read_transactions(
        path,
        customer_id=opts["customer_col"],
        date=opts["date_col"],
        amount=opts["amount_col"],
        order_id=opts["order_col"],
        quantity=opts["quantity_col"],
        profit=opts["profit_col"],
        date_format=opts["date_format"],
        drop_duplicates=opts["drop_duplicates"],
    )


TRANSACTION_OPTION_NAMES = (
    "customer_col", "date_col", "amount_col", "order_col", "quantity_col", "profit_col", "date_format", "drop_duplicates",
)


def pop_transaction_options(kwargs: dict) -> dict:
    """Split the column map options off a command's keyword arguments."""
    return {name: kwargs.pop(name) for name in TRANSACTION_OPTION_NAMES}


def survey_options(command):
    """Add ``--satisfaction`` and the options that read a survey file to a command."""
    options = [
        click.option("--satisfaction", default=None, type=click.Path(dir_okay=False),
                     help="Survey answers: customer_id, date, score (CSV, Parquet or Excel)."),
        click.option("--survey-scale", default="nps", show_default=True, help="nps (0-10), csat (1-5) or MIN-MAX."),
        click.option("--survey-how", type=click.Choice(["latest", "mean"]), default="latest", show_default=True,
                     help="Per customer: the latest answer or the mean in the window."),
        click.option("--survey-window", type=click.IntRange(min=1), default=None,
                     help="Only answers from this many days up to --as-of count."),
        click.option("--cs-threshold", type=click.FloatRange(0, 100), default=70.0, show_default=True,
                     help="CS index (0-100) from which satisfaction is high."),
    ]
    return functools.reduce(lambda cmd, opt: opt(cmd), reversed(options), command)


SURVEY_OPTION_NAMES = ("satisfaction", "survey_scale", "survey_how", "survey_window", "cs_threshold")


def pop_survey_options(kwargs: dict) -> dict:
    """Split the survey options off a command's keyword arguments."""
    return {name: kwargs.pop(name) for name in SURVEY_OPTION_NAMES}


def survey_from_options(opts: dict, as_of):
    """Per-customer satisfaction as of ``as_of`` from ``--satisfaction`` (None without it)."""
    if opts["satisfaction"] is None:
        return None
    from tierkit.satisfaction import customer_satisfaction, read_survey

    answers = read_survey(opts["satisfaction"], scale=opts["survey_scale"])
    return customer_satisfaction(answers, how=opts["survey_how"], window=opts["survey_window"], as_of=as_of)


def model_options(command):
    """Add the CLV and k-means options (``--horizon``, ``--k`` ...) to a command."""
    options = [
        click.option("--clv/--no-clv", "use_clv", default=True, show_default=True,
                     help="Predict CLV (BG/NBD + Gamma-Gamma); needs repeat customers."),
        click.option("--horizon", type=click.FloatRange(min=0, min_open=True), default=365.0, show_default=True,
                     help="CLV horizon in days (converted to the time unit)."),
        click.option("--discount-rate", type=click.FloatRange(min=0), default=0.10, show_default=True,
                     help="Annual discount rate of the CLV (0.10 = 10% a year)."),
        click.option("--clusters/--no-clusters", "use_clusters", default=True, show_default=True,
                     help="Add k-means clusters (cluster, cluster_name)."),
        click.option("--k", type=click.IntRange(min=2), default=None,
                     help="Number of clusters [default: chosen over 2-10]."),
        click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the clustering."),
    ]
    return functools.reduce(lambda cmd, opt: opt(cmd), reversed(options), command)


MODEL_OPTION_NAMES = ("use_clv", "horizon", "discount_rate", "use_clusters", "k", "seed")


def pop_model_options(kwargs: dict) -> dict:
    """Split the model options off a command's keyword arguments."""
    return {name: kwargs.pop(name) for name in MODEL_OPTION_NAMES}


def fit_segmentation(segmentation, features, survey=None):
    """Fit ``segmentation``; a CLV model the data cannot support names the option that skips it."""
    from tierkit.errors import DataError

    try:
        return segmentation.fit(features, survey=survey)
    except DataError as exc:
        if str(exc).startswith("CLVModel:"):
            raise DataError(f"{exc}; --no-clv grades without predicted CLV") from None
        raise


def segmentation_from_options(opts: dict, survey=None, time_unit: str = "D", cs_threshold: float = 70.0):
    """The :class:`tierkit.Segmentation` the command-line options describe."""
    from tierkit.segmentation import build_segmentation

    schemes = {}
    if opts["use_clv"]:
        horizon = opts["horizon"] / 7.0 if time_unit == "W" else opts["horizon"]
        schemes["clv"] = {"horizon": horizon, "discount_rate": opts["discount_rate"]}
        schemes["value_potential"] = {}
        if survey is not None:
            schemes["clv_cs"] = {"cs_threshold": cs_threshold}
    if opts["use_clusters"]:
        schemes["clusters"] = {"k": opts["k"]}
    return build_segmentation(schemes, seed=opts["seed"])


def grade_from_options(transactions, as_of, time_unit: str, kwargs: dict, lang: str | None = None):
    """The flow ``segment`` and ``report`` share: read, compute features, fit every scheme, grade.

    ``kwargs`` holds the transaction, survey and model options (they are taken out of it).
    Returns ``(table, segmentation, features, survey, survey_opts)``.
    """
    from tierkit.features import rfm_features

    tx_opts = pop_transaction_options(kwargs)
    survey_opts = pop_survey_options(kwargs)
    model_opts = pop_model_options(kwargs)
    survey = survey_from_options(survey_opts, as_of)
    tx = read_from_options(transactions, tx_opts)
    features = rfm_features(tx, as_of=as_of, time_unit=time_unit)
    segmentation = segmentation_from_options(model_opts, survey, time_unit, survey_opts["cs_threshold"])
    table = fit_segmentation(segmentation, features, survey).transform(features, lang=lang, survey=survey)
    return table, segmentation, features, survey, survey_opts
