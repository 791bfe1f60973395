"""Opening an MLflow tracking store safely when several tierkit processes start at once.

MLflow creates (and migrates) a SQLite store the first time a process touches it. Two processes
doing that at once race on the schema migration and one of them crashes ("duplicate column
name"). :func:`open_tracking_store` does the first touch under an exclusive lock on a file
beside the database, so the second process waits and then finds the store ready.
"""

from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path

SQLITE_PREFIX = "sqlite:///"


@contextlib.contextmanager
def _store_lock(uri: str):
    if not uri.startswith(SQLITE_PREFIX):
        yield
        return
    database = Path(uri[len(SQLITE_PREFIX):])
    lock = database.with_name(database.name + ".lock")
    if not lock.parent.is_dir():
        yield  # MLflow reports the missing folder itself
        return
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_tracking_store(uri: str) -> str:
    """Point MLflow at ``uri`` and make sure its store exists, one process at a time; return ``uri``.

    Examples
    --------
    >>> import tempfile, os
    >>> uri = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "mlflow.db")
    >>> open_tracking_store(uri) == uri
    True
    """
    import mlflow

    mlflow.set_tracking_uri(uri)
    with _store_lock(uri):
        # the first query creates and migrates a new store
        mlflow.MlflowClient(tracking_uri=uri).search_experiments(max_results=1)
    return uri
