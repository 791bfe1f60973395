"""Batch scoring of whole customer bases from transaction files.

* :func:`score_transactions` -- one machine, DuckDB, bounded memory (:mod:`.local`);
* :func:`score_transactions_spark` -- Spark SQL and ``mlflow.pyfunc.spark_udf``, same output
  (:mod:`.spark`; needs ``pip install tierkit[spark]`` and Java 17).
"""

from tierkit.scoring.local import score_transactions
from tierkit.scoring.summary import ScoringSummary


def score_transactions_spark(*args, **kwargs):
    """Score transactions with Spark: :func:`tierkit.scoring.spark.score_transactions_spark`.

    The Spark engine is imported on use: pyspark is optional.

    Parameters
    ----------
    *args, **kwargs
        Passed to :func:`tierkit.scoring.spark.score_transactions_spark`.

    Returns
    -------
    ScoringSummary
        What the job did.
    """
    from tierkit.scoring.spark import score_transactions_spark as run

    return run(*args, **kwargs)


__all__ = ["ScoringSummary", "score_transactions", "score_transactions_spark"]
