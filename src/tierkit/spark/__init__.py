"""Training on Spark: the session (:mod:`.session`) and the Spark engine of ``tierkit segment`` (:mod:`.training`).

Everything Spark-specific below the commands: :mod:`tierkit.scoring.spark` (``score --engine
spark``), ``tierkit segment --engine spark`` and ``tierkit run`` with ``engine: spark`` use it.
pyspark is optional (``pip install 'tierkit[spark]'`` and Java 17); it is imported on use.
"""
