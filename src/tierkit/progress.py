"""How long each step took: one ``logging`` record per finished step, never a print.

The library wraps every step that can take a while (reading a file, building features,
fitting each scheme, grading, writing, the report, logging to MLflow) in :func:`timed`. When the
step finishes, a record ``"<step> in 1.23 s"`` goes to the ``tierkit.progress`` logger at INFO,
with the step's name and its seconds as the record attributes ``step`` and ``seconds``. A step
that raises logs nothing: the error speaks for itself.

What reaches the screen is the application's choice: the command line shows these records on
stderr (see ``tierkit --help``); in Python, ``logging.basicConfig(level=logging.INFO)`` or a
handler on ``tierkit.progress`` shows them.
"""

from __future__ import annotations

import contextlib
import logging
import time

#: The logger of the step records.
log = logging.getLogger("tierkit.progress")


@contextlib.contextmanager
def timed(step: str):
    """Log ``"<step> in <seconds> s"`` on ``tierkit.progress`` when the block ends without an error.

    Parameters
    ----------
    step : str
        What the block does, in the past tense (``"fitted k-means clusters"``).

    Examples
    --------
    >>> import logging
    >>> records = []
    >>> class Keep(logging.Handler):
    ...     def emit(self, record):
    ...         records.append(record)
    >>> log.addHandler(keep := Keep()); log.setLevel(logging.INFO)
    >>> with timed("counted to three"):
    ...     _ = [1, 2, 3]
    >>> records[-1].step, records[-1].getMessage().startswith("counted to three in ")
    ('counted to three', True)
    >>> log.removeHandler(keep); log.setLevel(logging.NOTSET)
    """
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    log.info("%s in %.2f s", step, seconds, extra={"step": step, "seconds": seconds})


@contextlib.contextmanager
def quiet():
    """No step records inside the block: for work that is part of a larger step.

    Saving a model builds a made-up input example and MLflow grades it; with ``-v`` those would
    read as the pipeline reading and grading twice. The enclosing step is still timed.

    Examples
    --------
    >>> import logging
    >>> records = []
    >>> class Keep(logging.Handler):
    ...     def emit(self, record):
    ...         records.append(record.step)
    >>> log.addHandler(keep := Keep()); log.setLevel(logging.INFO)
    >>> with timed("saved the model"), quiet():
    ...     with timed("built features"):
    ...         pass
    >>> records
    ['saved the model']
    >>> log.removeHandler(keep); log.setLevel(logging.NOTSET)
    """
    was = log.disabled
    log.disabled = True
    try:
        yield
    finally:
        log.disabled = was
