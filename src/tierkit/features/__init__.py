"""RFM features as of an observation date.

One definition (:mod:`.definition`), run by DuckDB for training and local scoring and by Spark
for Spark scoring (:mod:`.engines`).
"""

from tierkit.features.definition import FEATURE_COLUMNS, TIME_UNITS, feature_sql, file_features, rfm_features

__all__ = ["FEATURE_COLUMNS", "TIME_UNITS", "feature_sql", "file_features", "rfm_features"]
