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

    def __init__(self, index, columns: list, attrs: dict, read, *, rows: int | None = None, statistics=None,
                 batches=None):
        self._index = index
        self.columns = list(columns)
        self.attrs = dict(attrs)
        self._read = read
        self._rows = rows
        #: ``batches(names, size)`` -> the columns ``names`` in consecutive chunks of at most ``size`` customers
        #: (dicts of name to Series), or None: :meth:`frames` then slices :meth:`frame`.
        self._batches = batches
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

        def feature_batches(wanted, size: int):
            for batch in pq.ParquetFile(path).iter_batches(batch_size=size, columns=wanted):
                yield {n: batch.column(n).to_pandas() for n in wanted}

        # the survey's columns are counted from the table, not the file: the counts-only fit is for features
        statistics = ParquetStatistics(path, attrs=attrs, columns=names, memory_limit=memory_limit)
        return cls.of_columns(
            names, rows=rows, attrs=attrs, survey=survey, statistics=statistics, feature_batches=feature_batches,
            read_feature=lambda name: pq.read_table(path, columns=[name]).column(name).to_pandas(),
            read_ids=lambda: pq.read_table(path, columns=["customer_id"]).column("customer_id").to_pandas())

    @classmethod
    def of_columns(cls, names, *, rows: int, attrs: dict, read_feature, read_ids, survey=None, statistics=None,
                   feature_batches=None) -> FeatureColumns:
        """Feature columns an engine reads one at a time, with a survey's columns joined when first read.

        What the Parquet file of features (:meth:`of_parquet`) and the Spark features
        (:func:`tierkit.spark.training.grade_file_spark`) share.

        Parameters
        ----------
        names : list of str
            The feature columns.
        rows : int
            The number of customers.
        attrs : dict
            The feature table's ``attrs``.
        read_feature : callable
            ``read_feature(name)`` -> the column as it comes from the engine, in customer order.
        read_ids : callable
            ``read_ids()`` -> the customer ids in the same order; read only with a survey (without
            one, positions do: a step fitted on columns never needs to know who is who).
        survey : pandas.DataFrame, optional
            Per-customer satisfaction, joined as :func:`tierkit.with_satisfaction` joins it.
        statistics : optional
            The source's statistics (:mod:`tierkit.features.statistics`).
        feature_batches : callable, optional
            ``feature_batches(names, size)`` -> dicts of the columns ``names`` in consecutive chunks.

        Returns
        -------
        FeatureColumns

        Examples
        --------
        >>> data = {"frequency": [2.0, 1.0]}
        >>> source = FeatureColumns.of_columns(["frequency"], rows=2, attrs={}, read_ids=list,
        ...                                    read_feature=lambda name: pd.Series(data[name]))
        >>> source.frame(["frequency"])["frequency"].tolist(), source.index.tolist()
        ([2, 1], [0, 1])
        """
        names = list(names)
        extra, satisfaction = [], {}
        if survey is not None:  # the columns the survey adds (joined to the customers when first read)
            from tierkit.data.surveys import with_satisfaction

            extra = list(with_satisfaction(pd.DataFrame(index=pd.Index([], name="customer_id")), survey).columns)

        def customers() -> pd.Index:
            if survey is None:
                return pd.RangeIndex(rows, name="customer_id")
            return pd.Index(pd.Series(read_ids()).astype("str"), name="customer_id")

        def read(name: str) -> pd.Series:
            if name in extra:
                if not satisfaction:
                    satisfaction.update(with_satisfaction(pd.DataFrame(index=source.index), survey).items())
                return satisfaction[name]
            return typed_feature(name, read_feature(name)).set_axis(source.index)

        batches = None
        if feature_batches is not None:
            def batches(wanted, size: int):
                in_file = [n for n in wanted if n not in extra]
                start = 0
                for chunk in feature_batches(in_file or names[:1], size):
                    stop = start + len(next(iter(chunk.values())))
                    read_now = {n: typed_feature(n, chunk[n]) for n in in_file}
                    yield {n: read_now[n] if n in read_now else read(n).iloc[start:stop] for n in wanted}
                    start = stop

        source = cls(customers, names + extra, attrs, read, rows=rows, statistics=statistics, batches=batches)
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

    def frames(self, names, extra: dict | None = None, chunk_size: int | None = None):
        """:meth:`frame` ``(names, extra)`` in consecutive chunks of ``chunk_size`` customers (one when None).

        Each chunk equals the same rows of :meth:`frame` (index, columns, dtypes and ``attrs``), but a
        source with a file behind it reads the file's columns a chunk at a time, so no feature column
        of every customer is held (``extra`` columns, already held, are sliced).

        Examples
        --------
        >>> f = pd.DataFrame({"recency": [3.0, 9.0, 1.0]}, index=pd.Index(["a", "b", "c"], name="customer_id"))
        >>> [len(chunk) for chunk in FeatureColumns.of_frame(f).frames(["recency"], chunk_size=2)]
        [2, 1]
        """
        extra = extra or {}
        ordered = list(dict.fromkeys(names))
        wanted = [n for n in ordered if n in self.columns and n not in extra]
        if self._batches is None or chunk_size is None or not wanted:
            table = self.frame(names, extra)
            size = max(len(table) if chunk_size is None else chunk_size, 1)
            for start in range(0, len(table), size):
                yield table.iloc[start:start + size]
            return
        index = self.index
        start = 0
        for batch in self._batches(wanted, max(int(chunk_size), 1)):
            stop = start + len(batch[wanted[0]])
            rows = index[start:stop]
            frame = pd.DataFrame({n: batch[n].set_axis(rows) for n in wanted}, index=rows)
            for name, values in extra.items():
                if name in ordered:
                    frame[name] = values.iloc[start:stop]
            frame = frame[[n for n in ordered if n in frame.columns]]
            frame.attrs = dict(self.attrs)
            yield frame
            start = stop
