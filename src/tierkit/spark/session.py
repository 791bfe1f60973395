"""The Spark session tierkit runs on: the running one, ``spark-submit``'s, or a local one set up for tierkit."""

from __future__ import annotations

import os
import sys

from tierkit.errors import TierkitError


def require_pyspark() -> None:
    """Refuse in one line, naming the extra to install, when pyspark is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise TierkitError("needs_pyspark", package="pyspark", command="pip install 'tierkit[spark]'") from None


def local_spark_session(master: str = "local[2]", driver_memory: str = "1g", app_name: str = "tierkit-score"):
    """A Spark session on this machine, set up for scoring (UTC, no UI, few shuffle partitions).

    The driver listens on 127.0.0.1 only (``spark.driver.host`` and ``spark.driver.bindAddress``):
    a local session has no reason to accept unauthenticated connections from the network. When
    a session already runs (``spark-submit``, a notebook), that one is returned.
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    # Local workers must run this interpreter (the one with tierkit's packages), not the first
    # python3 on PATH; pyspark reads only the environment variable for that.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # Every server socket of a local JVM (driver, block manager, the Python workers' sockets) on
    # the loopback interface only, unless the caller chose otherwise.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (
        SparkSession.builder.master(master).appName(app_name)
        .config("spark.driver.memory", driver_memory)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def default_spark_session(master: str | None = None):
    """The session to score with: the running one, ``spark-submit``'s, else a local one on ``master``.

    Under ``spark-submit`` the cluster's master and settings are kept (``--master`` is
    ignored there); in a plain Python process a local session is started
    (:func:`local_spark_session`, ``local[*]`` unless ``master`` says otherwise).
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if os.environ.get("PYSPARK_GATEWAY_PORT"):
        # Launched by spark-submit: its JVM and configuration already exist.
        spark = SparkSession.builder.appName("tierkit-score").getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        return spark
    return local_spark_session(master=master or "local[*]")
