"""Batch scoring of whole customer bases from transaction files.

* :func:`score_transactions` -- one machine, DuckDB, bounded memory (:mod:`.local`);
* :func:`score_transactions_spark` -- Spark SQL and ``mlflow.pyfunc.spark_udf``, same output
  (:mod:`.spark`; needs ``pip install tierkit[spark]`` and Java 17).
"""

from tierkit.scoring.local import score_transactions
from tierkit.scoring.summary import ScoringSummary


def score_transactions_spark(*args, **kwargs):
    """See :func:`tierkit.scoring.spark.score_transactions_spark` (imported on use: pyspark is optional)."""
    from tierkit.scoring.spark import score_transactions_spark as run

    return run(*args, **kwargs)


__all__ = ["ScoringSummary", "score_transactions", "score_transactions_spark"]
