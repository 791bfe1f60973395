"""Older home of the transaction reader; everything now lives in :mod:`tierkit.data`."""

from tierkit.data import (  # noqa: F401
    OPTIONAL_COLUMNS,
    ColumnMap,
    ReadOptions,
    normalize_transactions,
    read_transactions,
)
