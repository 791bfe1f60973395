"""Errors a user can act on, and tierkit's warnings: both carried as data, rendered from one catalogue.

Every mistake in a user's input (a missing column, an unparseable date, a bad parameter)
raises a subclass of :class:`TierkitError`. Its message is one line that names the file,
column, row or value and says what is expected. The command line turns these into that one
line on stderr and exit status 2, without a traceback.

An error (and a :class:`TierkitWarning`) is raised with a key of
:data:`tierkit.messages.MESSAGES` and the values of its placeholders::

    raise DataError("no_separator", path=path, option=Param("sep"))

It keeps them as ``key`` and ``values``, and ``param`` names the parameter, column or file it
concerns. ``str(err)`` is the English text (an alert's, the language it was asked in);
``err.render("zh")`` the Chinese, rendered from the
key (never matched back from the English); the command line renders parameters as its flags.
``where`` (an estimator's name) is put before the text, ``"KMeansSegmenter: k=1; ..."``; see
:mod:`tierkit.messages` for the rule every message follows. Every raise in tierkit is keyed
(``tests/test_messages.py`` fails on one that is not); a plain English string is still accepted,
for code outside tierkit (its ``key`` is ``None`` and it renders as that string in every language).

Warnings have categories, so they are filtered by class, never by their text:

* :class:`DataWarning` -- what reading left out or took as given (rows left out, ids written
  as ``12346.0``, naive timestamps, an ``as_of`` outside the transactions);
* :class:`LaterTransactionsWarning` -- transactions after ``as_of`` left out (a
  :class:`DataWarning` that the steps fitting on a calibration period expect and silence);
* :class:`FitWarning` -- a model fitted otherwise than asked (a prior, a constant fit, a penalty
  that moved the parameters, defaults for thresholds it could not learn);
* :class:`StepWarning` -- a step of the segmentation left out or run in a simpler way;
* :class:`AlertWarning` -- the alerts on a grading (:mod:`tierkit.evaluation.alerts`);
* :class:`FontWarning` -- characters no font draws.
"""

from tierkit.messages import MESSAGES, Message, Param, render

__all__ = ["TierkitError", "DataError", "ModelError", "MissingColumnsError", "no_purchase_error",
           "TierkitWarning", "DataWarning", "LaterTransactionsWarning", "FitWarning", "StepWarning",
           "AlertWarning", "FontWarning", "Message", "Param"]

#: Values that name what a message concerns, in the order looked for when no ``param`` is given.
_CONCERNS = ("param", "column", "path", "source", "option")


class _Keyed:
    """A message key with its values (or, while not yet keyed, a plain text); shared by errors and warnings."""

    key: str | None
    values: dict
    where: str | None

    def _keep(self, key_or_text, where, values) -> str:
        text = str(key_or_text)
        self.key = text if text in MESSAGES and not isinstance(key_or_text, Message) else None
        if isinstance(key_or_text, Message):  # a keyed part given whole
            self.key, values = key_or_text.key, {**key_or_text.values, **values}
        self.values, self.where = dict(values), where
        self._text = None if self.key is not None else text
        if self._text is not None and values:
            raise TypeError(f"{text!r} is not a key of tierkit.messages.MESSAGES, so it takes no values")
        # the text: English, or the language of a message given whole in one (an alert in --lang)
        return self.render(getattr(key_or_text, "lang", "en"))

    @property
    def param(self) -> str | None:
        """The parameter, column or file the message concerns (``None`` when it names none)."""
        for name in _CONCERNS:
            if self.values.get(name) is not None:
                return str(self.values[name])
        return None

    def as_message(self):
        """The message as a :class:`~tierkit.messages.Message` (its ``where`` included), to nest in another.

        A message raised without a key gives its text.
        """
        if self.key is None:
            return self._text if not self.where else f"{self.where}: {self._text}"
        inner = Message(self.key, **self.values)
        return Message("where_text", where=self.where, text=inner) if self.where else inner

    def render(self, lang: str = "en", *, flags: dict | None = None, where: bool = True) -> str:
        """The message in ``lang``.

        Parameters
        ----------
        lang : {"en", "zh"}
            Anything but ``"zh"`` gives English.
        flags : dict, optional
            Parameter name -> command-line flag (the command line's table), for the parameters named.
        where : bool, default=True
            Whether to begin with the estimator it concerns (``"KMeansSegmenter: "``).

        Returns
        -------
        str
        """
        text = self._text if self.key is None else render(self.key, self.values, lang, flags)
        return f"{self.where}: {text}" if where and self.where else text


class TierkitError(_Keyed, ValueError):
    """A problem with the user's input or parameters, explained in one line.

    Parameters
    ----------
    key_or_text : str
        A key of :data:`tierkit.messages.MESSAGES` (or, for sites not yet keyed, the English text).
    where : str, optional
        The estimator the message concerns, put before it.
    **values
        The values of the key's placeholders.

    Examples
    --------
    >>> number = Message("described", what=Message("a_whole_number"), bounds=Message("from_to", low=2, high=9))
    >>> err = TierkitError("param_invalid", where="RFMScorer", param=Param("n_bins"), value="1", expected=number)
    >>> str(err), err.key, err.param
    ('RFMScorer: n_bins=1; expected a whole number from 2 to 9', 'param_invalid', 'n_bins')
    >>> err.render("zh")
    'RFMScorer: n_bins=1; 应为 2 到 9 之间的整数'
    """

    def __init__(self, key_or_text: str = "", /, *, where: str | None = None, **values):
        super().__init__(self._keep(key_or_text, where, values))

    def __reduce__(self):
        return _rebuilt, (type(self), self.key, self._text, self.where, self.values, self.__dict__)


def _rebuilt(cls, key, text, where, values, state):
    new = Exception.__new__(cls)
    Exception.__init__(new, text if key is None else render(key, values, "en"))
    new.__dict__.update(state)
    return new


class DataError(TierkitError):
    """Input data that tierkit cannot use (missing column, bad value, empty file)."""


class ModelError(TierkitError):
    """A model that cannot be fitted or used as asked (too little data, incompatible version)."""


class MissingColumnsError(DataError):
    """A source that lacks columns the column map names; the message lists those it has.

    Parameters
    ----------
    source : str
        The file or frame read.
    missing, present : list of str
        The mapped columns it lacks, and the columns it has.
    key : str, default="missing_column"
        The message: ``"missing_column_data"`` adds that the first line looks like data,
        ``"missing_survey_column"`` says what a survey needs.
    **values
        Further values of the message (the ``option`` of ``"missing_column_data"``).

    Examples
    --------
    >>> err = MissingColumnsError("tx.csv", ["CustomerID"], ["customer_id", "date"])
    >>> str(err), err.missing, err.param
    ("tx.csv: missing column 'CustomerID'; columns present: customer_id, date", ['CustomerID'], 'CustomerID')
    >>> err.render("zh")
    "tx.csv: 缺少列 'CustomerID'; 现有列: customer_id, date"
    """

    def __init__(self, source: str, missing: list, present: list, key: str = "missing_column", **values):
        self.source, self.missing, self.present = source, list(missing), list(present)
        super().__init__(key, source=source, missing=", ".join(repr(m) for m in self.missing),
                         present=", ".join(map(str, self.present)) or Message("none"), **values)

    @property
    def param(self) -> str | None:
        """The first missing column."""
        return self.missing[0] if self.missing else None


def no_purchase_error(source, as_of) -> DataError:
    """The refusal of a file in which no customer bought anything up to ``as_of`` (returns only).

    ``segment``, ``score`` and every command that grades use this one line, so a file of returns
    alone never becomes an empty result with exit status 0.

    Parameters
    ----------
    source : str
        The file (or frame) read.
    as_of : date-like
        The observation date.

    Returns
    -------
    DataError

    Examples
    --------
    >>> str(no_purchase_error("tx.csv", "2021-04-01"))
    'tx.csv: no customer has a purchase on or before as_of 2021-04-01 (returns alone are not purchases); \
nothing to grade'
    """
    return DataError("no_purchase", source=source, option=Param("as_of"), as_of=as_of)


#: Marks a tierkit error carried out of a Spark worker inside the worker's exception text.
_CARRIED = "tierkit-error:"


def carried(exc: TierkitError) -> RuntimeError:
    """A worker-side tierkit error as an exception whose text carries it to the driver (see :func:`uncarried`).

    Spark gives the driver only the text of an exception raised in a Python worker; the error
    pickled into that text keeps its class, key and values.

    Parameters
    ----------
    exc : TierkitError
        Raised in the worker.

    Returns
    -------
    RuntimeError
        To raise in the worker instead (``raise carried(exc) from None``).

    Examples
    --------
    >>> error = DataError("no_purchase", source="tx.csv", option=Param("as_of"), as_of="2021-04-01")
    >>> uncarried(Exception("worker failed: " + str(carried(error)) + " (task 3)")).key
    'no_purchase'
    """
    import base64
    import pickle

    return RuntimeError(_CARRIED + base64.b64encode(pickle.dumps(exc)).decode("ascii") + ":")


def uncarried(exc: BaseException) -> TierkitError | None:
    """The tierkit error :func:`carried` put in ``exc``'s text, or None.

    Parameters
    ----------
    exc : BaseException
        What the driver caught (e.g. pyspark's ``PythonException``).

    Returns
    -------
    TierkitError or None
    """
    import base64
    import binascii
    import pickle
    import re

    found = re.search(re.escape(_CARRIED) + r"([A-Za-z0-9+/=]+):", str(exc))
    if found is None:
        return None
    try:
        error = pickle.loads(base64.b64decode(found.group(1)))
    except (binascii.Error, pickle.UnpicklingError, EOFError):
        return None
    return error if isinstance(error, TierkitError) else None


class TierkitWarning(_Keyed, UserWarning):
    """A warning of tierkit: a key of :data:`tierkit.messages.MESSAGES` with its values, or a plain text.

    Warn with an instance, so the category is the class: ``warnings.warn(DataWarning(...), stacklevel=2)``.

    Examples
    --------
    >>> w = DataWarning("warn_missing_customers", source="tx.csv", count=3)
    >>> str(w), w.render("zh"), isinstance(w, UserWarning)
    ('tx.csv: 3 row(s) without a customer id left out', 'tx.csv: 3 行没有客户编号, 已排除', True)
    """

    def __init__(self, key_or_text: str = "", /, *, where: str | None = None, **values):
        super().__init__(self._keep(key_or_text, where, values))


class DataWarning(TierkitWarning):
    """What reading left out or took as given."""


class LaterTransactionsWarning(DataWarning):
    """Transactions after ``as_of`` left out (expected, and silenced, when fitting on a calibration period)."""


class FitWarning(TierkitWarning):
    """A model fitted otherwise than asked."""


class StepWarning(TierkitWarning):
    """A step of the segmentation left out, or run in a simpler way."""


class AlertWarning(TierkitWarning):
    """An alert on a grading: something to know before acting on its tiers."""


class FontWarning(TierkitWarning):
    """Characters that no font available draws."""


_PARAMETERS = """
    Parameters
    ----------
    key_or_text : str
        A key of :data:`tierkit.messages.MESSAGES` (or, for sites not yet keyed, the English text).
    where : str, optional
        The estimator the message concerns, put before it.
    **values
        The values of the key's placeholders.
"""
for _cls in (DataError, ModelError, TierkitWarning, DataWarning, LaterTransactionsWarning, FitWarning, StepWarning,
             AlertWarning, FontWarning):  # the constructor of their base, documented on each
    _cls.__doc__ = _cls.__doc__.rstrip() + "\n" + _PARAMETERS
