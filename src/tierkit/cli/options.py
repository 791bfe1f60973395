"""Options shared by the commands that read transactions."""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass

import click

from tierkit.cli.choices import CLV_MODELS, PRIORS, click_type
from tierkit.clusters.segmenter import KMeansSegmenter
from tierkit.clv.model import CLVModel
from tierkit.data import ColumnMap, ReadOptions
from tierkit.errors import DataError, Param

#: Library parameter names as the command line spells them: a message renders each parameter it names
#: (a :class:`tierkit.messages.Param`) from this table, so no text is rewritten.
OPTION_FLAGS = {
    "engine": "--engine",
    "date_format": "--date-format",
    "missing_customers": "--missing-customers",
    "on_bad_rows": "--on-bad-rows",
    "timezone": "--timezone",
    "encoding": "--encoding",
    "sep": "--sep",
    "sheet": "--sheet",
    "header=False": "--no-header",
    "as_of": "--as-of",
    "memory_limit": "--memory-limit",
    "bgnbd_penalizer": "--bgnbd-penalizer",
    "clv_model": "--clv-model",
    "gg_penalizer": "--gg-penalizer",
    "prior=": "--prior=",
    "at_risk_after": "--at-risk-after",
    "churned_after": "--churned-after",
    "rejects": "--rejects",
    "scale": "--survey-scale",
}


@dataclass(frozen=True)
class TransactionArgs:
    """The transaction options of a command: the column map and how to read the file."""

    customer_col: str = "customer_id"
    date_col: str = "date"
    amount_col: str | None = "amount"
    order_col: str | None = None
    quantity_col: str | None = None
    profit_col: str | None = None
    price_col: str | None = None
    date_format: str | None = None
    timezone: str | None = None
    sep: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    no_header: bool = False
    missing_customers: str = "error"
    on_bad_rows: str = "error"
    rejects: str | None = None
    drop_duplicates: bool = False

    def columns(self) -> ColumnMap:
        """The column map these options describe."""
        # checked(): the default amount column gives way to price x quantity
        return ColumnMap(self.customer_col, self.date_col, self.amount_col, self.order_col, self.quantity_col,
                         self.profit_col, self.price_col).checked()

    def read_options(self) -> ReadOptions:
        """The reading options these options describe."""
        sep = {"tab": "\t", "\\t": "\t"}.get(self.sep, self.sep) if self.sep is not None else None
        sheet = _sheet_index(self.sheet)
        return ReadOptions(sep=sep, encoding=self.encoding, sheet=sheet, header=not self.no_header,
                           date_format=self.date_format, timezone=self.timezone,
                           missing_customers=self.missing_customers, on_bad_rows=self.on_bad_rows,
                           rejects=self.rejects, drop_duplicates=self.drop_duplicates).checked()


def _sheet_index(sheet: str | None) -> str | int:
    """``--sheet`` as the reader takes it: a name, or a 1-based number made 0-based.

    Examples
    --------
    >>> _sheet_index(None), _sheet_index("2"), _sheet_index("Sales")
    (0, 1, 'Sales')
    >>> _sheet_index("0")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: sheet '0': expected a worksheet name or a number from 1 (the first worksheet)
    """
    import re

    if sheet is None:
        return 0
    if re.fullmatch(r"-?\d+", sheet):
        number = int(sheet)
        if number < 1:
            # "0" would be position -1, the last sheet; a number is 1-based, as the help says
            raise DataError("sheet_number", param=Param("sheet"), value=repr(sheet))
        return number - 1
    return sheet


TRANSACTION_OPTION_NAMES = tuple(TransactionArgs.__dataclass_fields__)


def transaction_options(command):
    """Add the options that say how to read the transactions (``--customer-col`` ...) to a command."""
    options = [
        click.option("--customer-col", default="customer_id", show_default=True,
                     help="Column with the customer id (a 1-based position with --no-header)."),
        click.option("--date-col", default="date", show_default=True,
                     help="Column with the purchase date or timestamp."),
        click.option("--amount-col", default="amount", show_default=True,
                     help="Column with the net amount (returns negative)."),
        click.option("--price-col", default=None, help="Column with the unit price: amount = price x --quantity-col."),
        click.option("--quantity-col", default=None, help="Column with the quantity."),
        click.option("--order-col", default=None,
                     help="Column with the order id (purchase occasions = distinct orders)."),
        click.option("--profit-col", default=None, help="Column with the profit (ABC tiers then rank by profit)."),
        click.option("--date-format", default=None,
                     help="strftime format of the dates, e.g. %d/%m/%Y [default: decided from all values; refused when "
                          "two readings fit]."),
        click.option("--timezone", default=None,
                     help="Convert time-zone-aware timestamps to this zone's clock (IANA name, e.g. Asia/Shanghai)."),
        click.option("--sep", default=None, help="Field separator: , ; | tab or whitespace [default: sniffed]."),
        click.option("--encoding", default=None,
                     help="Text encoding, e.g. gbk, latin-1 [default: UTF-8, with or without BOM]."),
        click.option("--sheet", default=None,
                     help="Sheet of an .xlsx file: name or 1-based number [default: the first]."),
        click.option("--no-header", is_flag=True,
                     help="The file has no header line; name columns by position (1, 2, ...)."),
        click.option("--missing-customers", type=click.Choice(["error", "drop"]), default="error", show_default=True,
                     help="Rows without a customer id (guest checkouts): refuse the file, or leave them out."),
        click.option("--on-bad-rows", type=click.Choice(["error", "skip"]), default="error", show_default=True,
                     help="Rows with a bad date or number: refuse the file, or leave them out (see --rejects)."),
        click.option("--rejects", default=None, type=click.Path(dir_okay=False),
                     help="Write the rows left out, with line and reason, to this CSV file."),
        click.option("--drop-duplicates", is_flag=True, help="Drop rows that repeat another row in every column."),
    ]
    return functools.reduce(lambda cmd, opt: opt(cmd), reversed(options), command)


def pop_transaction_options(kwargs: dict) -> TransactionArgs:
    """Split the transaction options off a command's keyword arguments."""
    return TransactionArgs(**{name: kwargs.pop(name) for name in TRANSACTION_OPTION_NAMES})


def read_from_options(path, args: TransactionArgs):
    """Read transactions with the options given on the command line."""
    from tierkit.data import read_file

    return read_file(path, args.columns(), args.read_options())


def read_summary(report: dict | None, lang: str = "en") -> list[str]:
    """The reading summary lines (rows read, kept, left out by reason) of a read report's ``as_dict()``."""
    from tierkit.data import ReadReport

    if not report:
        return []
    return ReadReport(report["source"], report["rows_read"], report["rejected"],
                      date_format=report["date_format"], rejects_path=report["rejects_path"]).lines(lang)


def features_from_options(path, args: TransactionArgs, *, as_of, time_unit: str = "D", holdout_end=None):
    """Features straight from the file (:func:`tierkit.features.definition.file_features`): ``(features, report)``.

    A file in which no customer bought anything up to ``as_of`` (returns only) is refused, as
    ``score`` refuses it, rather than graded into an empty table.
    """
    return features_from_reading(path, args.columns(), args.read_options(), as_of=as_of, time_unit=time_unit,
                                 holdout_end=holdout_end)


def features_from_reading(path, columns, options, *, as_of, time_unit: str = "D", holdout_end=None):
    """:func:`features_from_options` with the column map and reading options as objects."""
    from tierkit.errors import no_purchase_error
    from tierkit.features.definition import file_features, parse_date

    features, report = file_features(path, as_of, columns=columns, options=options,
                                     time_unit=time_unit, holdout_end=holdout_end)
    if len(features) == 0:
        raise no_purchase_error(report.source, parse_date(as_of, "as_of"))
    return features, report


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
    from tierkit.data.surveys import customer_satisfaction, read_survey

    answers = read_survey(opts["satisfaction"], scale=opts["survey_scale"])
    return customer_satisfaction(answers, how=opts["survey_how"], window=opts["survey_window"], as_of=as_of)


#: How the duration options (``--horizon``, ``--at-risk-after``, ``--churned-after``) are written.
DURATION_HELP = ("Durations are days (D) or weeks (W); a bare number is days with --time-unit D and "
                 "refused with W; months and years are refused.")


def _checked_date(ctx, param, value):
    """Refuse a badly written date option before anything is read (the value is kept as given)."""
    from tierkit.features.definition import parse_date

    if value is not None:
        parse_date(value, f"--{param.name.replace('_', '-')}")
    return value


#: ``--as-of``, shared by every command that grades as of a date; checked before the file is read.
AS_OF_OPTION = click.option("--as-of", required=True, callback=_checked_date,
                            help="Observation date (YYYY-MM-DD); later transactions are left out.")


def _checked_currency(ctx, param, value):
    """Refuse a currency that is not a short code or sign, in one line, before anything is read."""
    from tierkit.errors import TierkitError
    from tierkit.output import check_currency

    try:
        return check_currency(value, "--currency")
    except TierkitError as exc:
        raise click.BadParameter(exc.render("en", where=False), ctx, param) from exc


#: ``--currency``, shared by the commands that write money figures (``segment``, ``report``).
CURRENCY_OPTION = click.option(
    "--currency", default=None, callback=_checked_currency, metavar="CODE",
    help="Currency of the money figures (monetary, clv ...), shown in their headers and formats: a code or sign "
         "of at most 5 letters or currency signs, e.g. USD, RMB, ¥, HK$ [default: none shown].")


#: ``--prior``, shared by every command that fits CLV.
PRIOR_OPTION = click.option(
    "--prior", type=click.Choice(PRIORS), default="auto", show_default=True,
    help="CLV parameter estimation: auto = maximum likelihood, and a weak prior where the likelihood has no "
         "interior optimum (no dropout seen, every spend the same); weak = always the prior; none = maximum "
         "likelihood only, refusing such a fit (as lifetimes).")


def model_options(command):
    """Add the CLV and k-means options (``--horizon``, ``--k`` ...) to a command."""
    options = [
        click.option("--clv/--no-clv", "use_clv", default=None,
                     help="Predict CLV (purchase model + Gamma-Gamma) or not [default: when the data allow; "
                          "otherwise left out with a warning]. --clv makes a CLV the data cannot support an error."),
        click.option("--clv-model", type=click.Choice(CLV_MODELS), default="mbgnbd",
                     show_default=True,
                     help="CLV purchase model: BG/NBD, MBG/NBD, Pareto/NBD, or auto (the highest likelihood of "
                          "the three; Pareto/NBD makes it slower). BG/NBD counts every one-time buyer as alive."),
        click.option("--bgnbd-penalizer", type=click_type(CLVModel, "bgnbd_penalizer"), default=0.0, show_default=True,
                     help="L2 penalty of the purchase model's fit (try 0.001 when it does not converge)."),
        click.option("--gg-penalizer", type=click_type(CLVModel, "gg_penalizer"), default=0.0, show_default=True,
                     help="L2 penalty of the Gamma-Gamma fit."),
        PRIOR_OPTION,
        click.option("--at-risk-after", default=None, metavar="DURATION",
                     help="Lifecycle: time without a purchase after which a customer is at risk, e.g. 60D or 8W "
                          f"[default: from the purchase gaps; 90D without repeat customers]. {DURATION_HELP}"),
        click.option("--churned-after", default=None, metavar="DURATION",
                     help="Lifecycle: time without a purchase after which a customer has churned, e.g. 180D or 26W "
                          "[default: twice --at-risk-after; 180D without repeat customers]."),
        click.option("--horizon", default="365D", show_default=True, metavar="DURATION",
                     help=f"CLV horizon: 365D (days) or 52W (weeks). {DURATION_HELP}"),
        click.option("--discount-rate", type=click_type(CLVModel, "discount_rate"), default=0.10, show_default=True,
                     help="Annual discount rate of the CLV (0.10 = 10% a year)."),
        click.option("--clv-interval", type=click_type(CLVModel, "interval"),
                     default=None, metavar="LEVEL",
                     help="Add per-customer intervals of expected purchases and CLV at this coverage, e.g. 0.9 "
                          "(expected_purchases_low/high, clv_low/clv_high), from the parameters' uncertainty: "
                          "where the model's expectation would lie with the true parameters."),
        click.option("--clv-predictive", type=click_type(CLVModel, "predictive"),
                     default=None, metavar="LEVEL",
                     help="Add per-customer predictive intervals at this coverage, e.g. 0.9 "
                          "(purchases_predictive_low/high, clv_predictive_low/high): the range of what the customer "
                          "will actually buy and be worth over the horizon, their own randomness included."),
        click.option("--clusters/--no-clusters", "use_clusters", default=None,
                     help="Add k-means clusters (cluster, cluster_name) [default: when the base is large enough "
                          "for the k range; otherwise left out with a warning]."),
        click.option("--k", type=click_type(KMeansSegmenter, "k"), default=None,
                     help="Number of clusters [default: chosen over 2-10]."),
        click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the clustering."),
    ]
    return functools.reduce(lambda cmd, opt: opt(cmd), reversed(options), command)


MODEL_OPTION_NAMES = ("use_clv", "clv_model", "bgnbd_penalizer", "gg_penalizer", "prior", "at_risk_after",
                      "churned_after", "horizon", "discount_rate", "clv_interval", "clv_predictive", "use_clusters",
                      "k", "seed")


def pop_model_options(kwargs: dict) -> dict:
    """Split the model options off a command's keyword arguments."""
    return {name: kwargs.pop(name) for name in MODEL_OPTION_NAMES}


def segmentation_from_options(opts: dict, survey=None, time_unit: str = "D", cs_threshold: float = 70.0):
    """The :class:`tierkit.Segmentation` the command-line options describe."""
    from tierkit.features.durations import to_time_units
    from tierkit.segmentation.chain import build_segmentation

    schemes = {}
    lifecycle = {}
    for name in ("at_risk_after", "churned_after"):
        if opts[name] is not None:  # checked here, so the message names the flag; the estimator converts
            to_time_units(opts[name], time_unit, OPTION_FLAGS[name], allow_zero=True)
            lifecycle[name] = opts[name]
    if lifecycle:
        schemes["lifecycle"] = lifecycle
    if opts["use_clv"] is not False:  # None: when the data allow
        to_time_units(opts["horizon"], time_unit, "--horizon")
        schemes["clv"] = {"horizon": opts["horizon"], "discount_rate": opts["discount_rate"],
                          "bgnbd_penalizer": opts["bgnbd_penalizer"], "gg_penalizer": opts["gg_penalizer"],
                          "model": opts["clv_model"], "prior": opts["prior"]}
        if opts.get("clv_interval") is not None:
            schemes["clv"]["interval"] = opts["clv_interval"]
        if opts.get("clv_predictive") is not None:
            schemes["clv"]["predictive"] = opts["clv_predictive"]
        schemes["value_potential"] = {}
        if survey is not None:
            schemes["clv_cs"] = {"cs_threshold": cs_threshold}
    if opts["use_clusters"] is not False:
        schemes["clusters"] = {"k": opts["k"]}
    optional = [name for name, given in (("clv", opts["use_clv"]), ("clusters", opts["use_clusters"])) if given is None]
    return build_segmentation(schemes, seed=opts["seed"], optional_steps=optional)


@dataclass(frozen=True)
class GradingOptions:
    """A grading command's options, split off its keyword arguments: how to read, the survey, the schemes."""

    tx_args: TransactionArgs
    survey_opts: dict
    survey: object
    segmentation: object

    @classmethod
    def pop(cls, kwargs: dict, as_of, time_unit: str) -> GradingOptions:
        """Take the transaction, survey and model options out of ``kwargs``; read the survey; build the schemes."""
        tx_args = pop_transaction_options(kwargs)
        survey_opts = pop_survey_options(kwargs)
        model_opts = pop_model_options(kwargs)
        survey = survey_from_options(survey_opts, as_of)
        return cls(tx_args, survey_opts, survey,
                   segmentation_from_options(model_opts, survey, time_unit, survey_opts["cs_threshold"]))

    def reading(self) -> dict:
        """The reader's keyword arguments (``columns``, ``options``)."""
        return {"columns": self.tx_args.columns(), "options": self.tx_args.read_options()}


@contextlib.contextmanager
def clv_remedy():
    """A CLV model the data cannot support is refused naming the option that skips it."""
    try:
        yield
    except DataError as exc:
        if exc.where == "CLVModel":  # the CLV model's own refusal (its key and values kept)
            raise DataError("no_clv_remedy", message=exc.as_message()) from None
        raise


def grade_file_from_options(transactions, out, as_of, time_unit: str, kwargs: dict, *, lang: str | None = None,
                            headers: str = "keys", currency: str | None = None, memory_limit: str = "1GB",
                            engine: str = "local", spark_master: str | None = None):
    """``segment``'s flow: learn every scheme's standards from the file and grade it into ``out`` in chunks.

    :func:`tierkit.grading.grade_file` (``engine="local"``) or
    :func:`tierkit.spark.training.grade_file_spark` (``engine="spark"``) with the command's
    options (taken out of ``kwargs``); a CLV model the data cannot support names the option that
    skips it. Returns the :class:`tierkit.grading.GradedFile`.
    """
    given = GradingOptions.pop(kwargs, as_of, time_unit)
    with clv_remedy():
        if engine == "spark":
            from tierkit.data.files import require_source
            from tierkit.spark.session import default_spark_session
            from tierkit.spark.training import grade_file_spark

            require_source(transactions)  # before a Spark session starts
            return grade_file_spark(transactions, out, as_of=as_of, segmentation=given.segmentation,
                                    spark=default_spark_session(master=spark_master), time_unit=time_unit,
                                    survey=given.survey, lang=lang, headers=headers, currency=currency,
                                    **given.reading())
        from tierkit.grading import grade_file

        return grade_file(transactions, out, as_of=as_of, segmentation=given.segmentation, time_unit=time_unit,
                          survey=given.survey, lang=lang, headers=headers, currency=currency,
                          memory_limit=memory_limit, **given.reading())


def grade_from_options(transactions, as_of, time_unit: str, kwargs: dict, lang: str | None = None,
                       alerts_lang: str | None = None, stability: bool = False):
    """``report``'s flow: :func:`tierkit.grading.grade` with the command's options.

    ``kwargs`` holds the transaction, survey and model options (they are taken out of it).
    ``lang`` adds the tier labels in that language; the alerts are warned (and kept in
    ``table.attrs["alerts"]``) in ``alerts_lang``, default ``lang``, else English.
    ``stability`` measures the clusters' bootstrap stability (a diagnostic, for ``report``).
    A CLV model the data cannot support names the option that skips it.
    Returns ``(table, segmentation, features, survey, survey_opts)``.
    """
    from tierkit.grading import grade

    given = GradingOptions.pop(kwargs, as_of, time_unit)
    with clv_remedy():
        graded = grade(transactions, as_of=as_of, segmentation=given.segmentation, survey=given.survey, lang=lang,
                       alerts_lang=alerts_lang, time_unit=time_unit, stability=stability, **given.reading())
    return graded.table, graded.segmentation, graded.features, given.survey, given.survey_opts
