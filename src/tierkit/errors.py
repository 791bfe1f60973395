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
