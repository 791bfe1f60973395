"""Shared input checks for the tier estimators: the feature columns they read."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.errors import DataError


def require_columns(features: pd.DataFrame, columns, who: str) -> None:
    """Raise a one-line error naming the missing feature columns and the ones present."""
    if not isinstance(features, pd.DataFrame):
        raise DataError(f"{who}: expected a pandas DataFrame of features, got {type(features).__name__}")
    missing = [c for c in columns if c not in features.columns]
    if missing:
        raise DataError(
            f"{who}: missing feature column(s) {', '.join(map(repr, missing))}; "
            f"present: {', '.join(map(str, features.columns))}"
        )


def numeric_column(features: pd.DataFrame, column: str, who: str) -> np.ndarray:
    """A feature column as float64; NaN or non-numbers are a one-line error naming the customer."""
    try:
        values = pd.to_numeric(features[column], errors="raise").astype("float64").to_numpy()
    except (ValueError, TypeError):
        values = pd.to_numeric(features[column], errors="coerce").astype("float64").to_numpy()
    bad = ~np.isfinite(values)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{who}: column {column!r}, customer {features.index[pos]!r}: value "
            f"{features[column].iloc[pos]!r} is not a finite number"
        )
    return values
