"""Errors a user can act on.

Every mistake in a user's input (a missing column, an unparseable date, a bad parameter)
raises a subclass of :class:`TierkitError`. Its message is one line that names the file,
column, row or value and says what is expected. The command line turns these into that one
line on stderr and exit status 2, without a traceback.
"""


class TierkitError(ValueError):
    """A problem with the user's input or parameters, explained in one line."""


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
    hint : str, default=""
        Appended to the message (``"; ..."``).

    Examples
    --------
    >>> err = MissingColumnsError("tx.csv", ["CustomerID"], ["customer_id", "date"])
    >>> str(err), err.missing
    ("tx.csv: missing column 'CustomerID'; columns present: customer_id, date", ['CustomerID'])
    """

    def __init__(self, source: str, missing: list, present: list, hint: str = ""):
        self.source, self.missing, self.present = source, list(missing), list(present)
        super().__init__(f"{source}: missing column {', '.join(repr(m) for m in self.missing)}; columns present: "
                         f"{', '.join(map(str, self.present)) or 'none'}{hint}")


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
    return DataError(f"{source}: no customer has a purchase on or before as_of {as_of} "
                     "(returns alone are not purchases); nothing to grade")
