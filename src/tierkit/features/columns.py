"""A feature table read column by column: what fitting needs of a base too large to hold whole.

:class:`FeatureColumns` gives a step of a segmentation the columns it reads, and only those, with
the customers' index and the table's ``attrs``: from a pandas feature table (the columns are
already there) or from the Parquet file of features :func:`tierkit.grading.grade_file` writes
(each column read when asked, in the dtype :func:`tierkit.features.definition.finish_features`
gives it). :meth:`tierkit.Segmentation.fit` learns from either the same way.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tierkit.features.definition import typed_feature


class FeatureColumns:
    """The columns of a feature table, one row per customer, read when asked for.

    Parameters
    ----------
    index : pandas.Index
        The customers (``customer_id``).
    columns : list of str
        The feature columns there are.
    attrs : dict
        The table's ``attrs`` (``time_unit``, ``frequency_of``, ``as_of`` ...).
    read : callable
        ``read(name)`` -> the column ``name`` as a Series on ``index``.

    Examples
    --------
    >>> f = pd.DataFrame({"recency": [3.0, 9.0], "frequency": [2, 1]}, index=pd.Index(["a", "b"], name="customer_id"))
    >>> f.attrs["time_unit"] = "D"
    >>> source = FeatureColumns.of_frame(f)
    >>> source.frame(["frequency"]).to_dict(), source.frame([]).attrs["time_unit"]
    ({'frequency': {'a': 2, 'b': 1}}, 'D')
    """

    def __init__(self, index, columns: list, attrs: dict, read, *, rows: int | None = None, statistics=None):
        self._index = index
        self.columns = list(columns)
        self.attrs = dict(attrs)
        self._read = read
        self._rows = rows
        #: A source of :class:`~tierkit.features.statistics.Distinct` counts of these columns, or None:
        #: the steps that learn from counts learn from it without reading any column.
        self.statistics = statistics

    @property
    def index(self) -> pd.Index:
        """The customers (``customer_id``), read when first asked for."""
        if callable(self._index):
            self._index = self._index()
        return self._index

    def __len__(self) -> int:
        return self._rows if self._rows is not None else len(self.index)

    def time_unit(self) -> str | None:
        """The features' time unit: ``attrs["time_unit"]``, else what their dates prove."""
        from tierkit.features.definition import features_time_unit

        return self.attrs.get("time_unit") or features_time_unit(self.frame([]))

    @classmethod
    def of_frame(cls, frame: pd.DataFrame) -> FeatureColumns:
        """The columns of a feature table in memory (no copy)."""
        return cls(frame.index, [c for c in frame.columns], frame.attrs, lambda name: frame[name])

    @classmethod
    def of_parquet(cls, path, *, attrs: dict, survey=None, memory_limit: str = "1GB") -> FeatureColumns:
        """The columns of a Parquet file of features (``customer_id`` and the feature columns, by customer).

        Parameters
        ----------
        path : str or Path
            Written by :func:`tierkit.grading.write_feature_file`.
        attrs : dict
            The feature table's ``attrs``.
        survey : pandas.DataFrame, optional
            Per-customer satisfaction, joined as :func:`tierkit.with_satisfaction` joins it.
        memory_limit : str, default="1GB"
            DuckDB's memory limit when it counts distinct values (:class:`ParquetStatistics`).
        """
        import pyarrow.parquet as pq

        from tierkit.features.statistics import ParquetStatistics

        path = Path(path)
        meta = pq.ParquetFile(path)
        names = [n for n in meta.schema_arrow.names if n != "customer_id"]
        rows = meta.metadata.num_rows
        del meta

        def customers() -> pd.Index:
            if survey is None:  # positions do: a step fitted on columns never needs to know who is who
                return pd.RangeIndex(rows, name="customer_id")
            ids = pq.read_table(path, columns=["customer_id"]).column("customer_id").to_pandas().astype("str")
            return pd.Index(ids, name="customer_id")

        satisfaction = {}
        extra = []
        if survey is not None:  # the columns the survey adds (joined to the customers when first read)
            from tierkit.data.surveys import with_satisfaction

            extra = list(with_satisfaction(pd.DataFrame(index=pd.Index([], name="customer_id")), survey).columns)

        def read(name: str) -> pd.Series:
            if name in extra:
                if not satisfaction:
                    satisfaction.update(with_satisfaction(pd.DataFrame(index=source.index), survey).items())
                return satisfaction[name]
            values = pq.read_table(path, columns=[name]).column(name).to_pandas()
            return typed_feature(name, values).set_axis(source.index)

        # the survey's columns are counted from the table, not the file: the counts-only fit is for features
        statistics = ParquetStatistics(path, attrs=attrs, columns=names, memory_limit=memory_limit)
        source = cls(customers, names + extra, attrs, read, rows=rows, statistics=statistics)
        return source

    def derived(self, step, names) -> FeatureColumns:
        """These columns and ``names``, the outputs of the fitted ``step``, graded where the statistics are counted.

        For a source whose statistics can ``derive`` (Spark): the engine grades every customer by
        ``step`` and counts the result, so a later step learning from counts (the value-potential
        split on ``clv``) reads nothing; a column is collected only when a later step reads it.
        """
        statistics = self.statistics.derive(step, names)
        names = list(names)
        base = self._read

        def read(name: str) -> pd.Series:
            if name in names:
                return statistics.column(name).set_axis(self.index)
            return base(name)

        return FeatureColumns(lambda: self.index, [*self.columns, *names], self.attrs, read, rows=len(self),
                              statistics=statistics)

    def frame(self, names, extra: dict | None = None) -> pd.DataFrame:
        """A table of the columns ``names`` (those there are), plus ``extra`` columns, with ``attrs``.

        Parameters
        ----------
        names : iterable of str
            Feature columns wanted; names the table lacks are left out (the step that reads
            them then names them in its missing-column error).
        extra : dict of str to Series, optional
            More columns on the same index (the outputs of earlier steps).
        """
        extra = extra or {}
        wanted = [n for n in dict.fromkeys(names) if n in self.columns and n not in extra]
        frame = pd.DataFrame({n: self._read(n) for n in wanted}, index=self.index)
        for name, values in extra.items():
            if name in dict.fromkeys(names):
                frame[name] = values
        frame = frame[[n for n in dict.fromkeys(names) if n in frame.columns]]
        frame.attrs = dict(self.attrs)
        return frame
