"""How long each step took: one ``logging`` record per finished step, never a print.

The library wraps every step that can take a while (reading a file, building features,
fitting each scheme, grading, writing, the report, logging to MLflow) in :func:`timed`. When the
step finishes, a record ``"<step> in 1.23 s"`` goes to the ``tierkit.progress`` logger at INFO,
with the step's name and its seconds as the record attributes ``step`` and ``seconds``. A step
that raises logs nothing: the error speaks for itself.

A step still running after :data:`HEARTBEAT_SECONDS` logs ``"<step>: still running after 30 s"``
and again every as many seconds (attribute ``running`` True), so a log or a piped ``-v`` run
shows a line at least that often however long a step takes.

What reaches the screen is the application's choice: the command line shows these records on
stderr (see ``tierkit --help``); in Python, ``logging.basicConfig(level=logging.INFO)`` or a
handler on ``tierkit.progress`` shows them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

#: The logger of the step records.
log = logging.getLogger("tierkit.progress")
#: A step still running logs a line this often (seconds).
HEARTBEAT_SECONDS = 30.0


def _heartbeat(step: str, start: float, done: threading.Event) -> None:
    """Log that ``step`` is still running every :data:`HEARTBEAT_SECONDS` until ``done`` is set."""
    while not done.wait(HEARTBEAT_SECONDS):
        seconds = time.perf_counter() - start
        log.info("%s: still running after %.0f s", step, seconds,
                 extra={"step": step, "seconds": seconds, "running": True})


@contextlib.contextmanager
def timed(step: str):
    """Log ``"<step> in <seconds> s"`` on ``tierkit.progress`` when the block ends without an error.

    While the block runs, a line every :data:`HEARTBEAT_SECONDS` says it still is.

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
    done = threading.Event()
    beat = None
    if not log.disabled and log.isEnabledFor(logging.INFO):
        beat = threading.Thread(target=_heartbeat, args=(step, start, done), daemon=True, name="tierkit-heartbeat")
        beat.start()
    try:
        yield
    finally:
        done.set()
        if beat is not None:
            beat.join()
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
