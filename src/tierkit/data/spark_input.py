"""The input contract run by Spark SQL: the same SQL as :mod:`tierkit.data.duckdb_input`.

The file is described once by :func:`tierkit.data.files.describe_file` (separator, encoding,
header), read by Spark's own readers as text columns, and checked by the very SQL of
:mod:`tierkit.data.contract` in the Spark dialect, with user values as named parameters.
The good rows are then the temporary view ``tk_tx``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from tierkit.data.columns import ColumnMap, ReadOptions
from tierkit.data.contract import (
    BLANK_PARAMS,
    ContractPlan,
    check_date_rule,
    checked_sql,
    counts_sql,
    decide_float_ids,
    first_occurrences,
    reason_field,
    valid_sql,
)
from tierkit.data.dates import (
    DateStats,
    compile_date_format,
    date_stats_sql,
    decide_date_pattern,
    naive_value_count,
    warn_naive_timestamps,
)
from tierkit.data.dialect import SPARK
from tierkit.data.duckdb_input import (
    check_columns,
    check_duplicate_columns,
    parquet_zones,
    read_excel_frame,
    written_names,
)
from tierkit.data.files import WHITESPACE, TransactionFile, describe_file
from tierkit.data.report import BadRow, ReadReport, rejects_frame, report_from_counts, row_location, settle
from tierkit.errors import DataError


def spark_kind(data_type) -> str:
    """How a Spark column type is read (see :func:`tierkit.data.duckdb_input.duckdb_kind`)."""
    from pyspark.sql import types as T

    if isinstance(data_type, T.TimestampType):
        return "temporal_tz"  # an instant, shown in the session zone
    if isinstance(data_type, (T.TimestampNTZType, T.DateType)):
        return "temporal"
    if isinstance(data_type, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        return "integer"
    if isinstance(data_type, (T.FloatType, T.DoubleType, T.DecimalType)):
        return "number"
    if isinstance(data_type, T.BooleanType):
        return "boolean"
    return "text"


#: How a Spark DataFrame given instead of a file is named in messages.
SPARK_FRAME = "<Spark DataFrame>"


def is_spark_frame(value) -> bool:
    """Whether ``value`` is a Spark DataFrame (classic or Spark Connect), without importing pyspark.

    Examples
    --------
    >>> is_spark_frame("sales.csv")
    False
    """
    kind = type(value)
    return kind.__name__ == "DataFrame" and kind.__module__.startswith("pyspark.sql")


def _first_line(exc) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class SparkInput:
    """Read one transaction source under the contract with a Spark session.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        Its session time zone must be UTC while the job runs (the scorer sets it).
    scratch : Path
        Folder for a re-encoded copy of a text file.
    """

    def __init__(self, spark, scratch: Path):
        self.spark = spark
        self.scratch = Path(scratch)
        self.plan = None
        self.params = {}
        self._frame = None
        self.source = None
        self.parts = ()
        self._given = None

    def sql(self, text: str, params: dict | None = None):
        """A DataFrame of ``text`` with the bound parameters."""
        args = {**self.params, **(params or {})}
        used = {k: v for k, v in args.items() if f":{k}" in text}
        return self.spark.sql(text, args=used) if used else self.spark.sql(text)

    def _open(self, source: TransactionFile):
        from pyspark.errors import PySparkException

        spark = self.spark
        zones = {}
        try:
            if source.kind == "dataframe":
                raw = self._given
            elif source.kind == "parquet":
                raw = spark.read.parquet(*source.files)
                if not source.remote:
                    zones = parquet_zones(source.files)
            elif source.kind == "xlsx":
                self._frame = read_excel_frame(source)
                raw = spark.createDataFrame(self._frame)
            else:
                # text parts are read as one list here; they are read one by one only to locate rows
                raw = self._text(list(source.files), source)
        except PySparkException as exc:
            raise DataError("unreadable_as", path=source.path, kind=source.kind, reason=_first_line(exc)) from None
        raw.createOrReplaceTempView("tk_raw")
        names = list(raw.columns)
        kinds = {f.name: spark_kind(f.dataType) for f in raw.schema.fields}
        for name, kind in kinds.items():
            if kind == "temporal_tz" and name not in zones:
                zones[name] = "UTC"
        return raw, names, kinds, zones

    def _text(self, files: list, source: TransactionFile, view: str = "tk_lines"):
        """A DataFrame of the text ``files`` as text columns, named as the source's (by position without a header)."""
        reader = (self.spark.read.option("header", source.header).option("inferSchema", False)
                  .option("mode", "FAILFAST").option("encoding", "UTF-8"))
        if source.sep == WHITESPACE:
            lines = reader.option("sep", "\x1f").option("quote", "\u0000").csv(files)
            return self._split_whitespace(lines, source, view)
        # RFC 4180 quoting (Spark's default escape is a backslash; DuckDB's a doubled quote)
        raw = reader.option("sep", source.sep).option("quote", '"').option("escape", '"').csv(files)
        if not source.header:
            raw = raw.toDF(*[str(i + 1) for i in range(len(raw.columns))])
        elif raw.columns and raw.columns[0].startswith("\ufeff"):
            raw = raw.withColumnRenamed(raw.columns[0], raw.columns[0][1:])
        return raw

    def _split_whitespace(self, lines, source: TransactionFile, view: str = "tk_lines"):
        lines.toDF("tk_line_text").createOrReplaceTempView(view)
        fields = SPARK.split_fields(SPARK.strip("tk_line_text"),  # noqa: B005 (the dialect's SQL trim, not str.strip)
                                    SPARK.param("tk_blanks_split"))
        select = ", ".join(f"{SPARK.element('tk_fields', i + 1)} AS {SPARK.quote(name)}"
                           for i, name in enumerate(source.header_names))
        return self.spark.sql(f"SELECT {select} FROM (SELECT {fields} AS tk_fields FROM {view})",
                              args={**BLANK_PARAMS, "tk_blanks_split": "[ \t]+"})

    def load_file(self, path, columns: ColumnMap | None = None, options: ReadOptions | None = None,
                  as_of=None) -> ReadReport:
        """Read ``path`` under the contract; the good rows are then the temporary view ``tk_tx``.

        ``path`` may also be a Spark DataFrame of transactions (its columns typed, as a Parquet
        file's are): it is checked by the same contract, and a bad row is named by its position
        in the DataFrame.
        """
        from pyspark.errors import PySparkException

        options = (options or ReadOptions()).checked()
        columns = (columns or ColumnMap()).checked()
        if is_spark_frame(path):
            self._given = path
            source = TransactionFile(path=Path(SPARK_FRAME), kind="dataframe", files=())
        else:
            source = describe_file(path, sep=options.sep, encoding=options.encoding, header=options.header,
                                   sheet=options.sheet, scratch=self.scratch)
        name = str(source.path)
        self.source = source
        self.parts = source.parts if source.kind == "csv" else ()
        raw, names, kinds, zones = self._open(source)
        check_duplicate_columns(name, written_names(source, self._frame) or names, names, columns)
        check_columns(name, names, columns, header=source.header)
        for column in columns.fields().values():
            if kinds[column] == "boolean":
                raise DataError("boolean_column_spark", source=name, column=repr(column))
        pattern = stats = None
        if kinds[columns.date] in ("text", "integer", "number"):
            if options.date_format is not None:
                pattern = compile_date_format(options.date_format)
            else:
                from tierkit.data.contract import text_value

                sql, params = date_stats_sql(SPARK, "tk_raw", columns.date,
                                             text_value(SPARK, columns.date, kinds[columns.date]))
                try:
                    row = self.sql(sql, {**BLANK_PARAMS, **params}).collect()[0]
                except PySparkException as exc:
                    raise DataError("unreadable_as", path=name, kind=source.kind, reason=_first_line(exc)) from None
                stats = DateStats(*tuple(row))
                pattern = decide_date_pattern(stats, column=columns.date, source=name)
        warn_naive_timestamps(column=columns.date, source=name, timezone=options.timezone, stacklevel=3,
                              naive_values=naive_value_count(kinds[columns.date], pattern,
                                                             options.date_format is not None, stats))
        try:
            float_ids = decide_float_ids(self._fetch, SPARK, "tk_raw", columns.customer_id,
                                         kinds[columns.customer_id], name)
        except PySparkException as exc:
            raise DataError("unreadable_as", path=name, kind=source.kind, reason=_first_line(exc)) from None
        plan = ContractPlan(columns, kinds, zones, pattern, options.timezone, whole_float_ids=float_ids is not None)
        self.plan = plan
        self.params = {**plan.params(), "tk_as_of": str(as_of) if as_of is not None else "9999-12-31"}
        relation = "tk_raw"
        if options.drop_duplicates:
            self.spark.sql("SELECT DISTINCT * FROM tk_raw").createOrReplaceTempView("tk_unique")
            relation = "tk_unique"
        self.sql(checked_sql(SPARK, relation, plan)).createOrReplaceTempView("tk_checked")
        try:
            row = tuple(self.sql(counts_sql(SPARK, "tk_checked", plan)).collect()[0])
        except PySparkException as exc:
            raise DataError("unreadable_as", path=name, kind=source.kind, reason=_first_line(exc)) from None
        report = report_from_counts(name, row, plan.reasons(), pattern.name if pattern else None)
        if pattern is not None and report.rejected.get("bad date"):
            check_date_rule(self._fetch, SPARK, relation, plan, name, options.date_format, options.on_bad_rows)
        located = source.kind == "csv"
        first_line = 2 if (source.header and located) else 1
        unit = "line" if located else "row"
        settle(report, options, first_bad=lambda wanted: self._first_bad(relation, wanted, first_line, unit),
               rejected_rows=lambda: self.rejected_rows(relation, names, first_line, unit), stacklevel=4)
        if float_ids is not None:
            report.notes.append(float_ids)
            if source.kind != "xlsx":
                from tierkit.errors import DataWarning

                warnings.warn(DataWarning(float_ids), stacklevel=2)
        self.spark.sql(valid_sql("tk_checked", plan)).createOrReplaceTempView("tk_tx")
        return report

    def _fetch(self, text: str, params: dict) -> list:
        return [tuple(row) for row in self.sql(text, params).collect()]

    def _numbered(self, relation: str, first_line: int, extra: dict) -> tuple[str, tuple]:
        """A view of ``relation`` in file order with its location and text copies of some columns.

        Returns the view's name and its location columns: ``tk_line``, and for text parts
        ``tk_part`` first. Text parts are read again one by one and each numbered on its own
        (Spark packs the files of one read into tasks by size, not in their order); every row
        of the parts is there, so that a row repeated under ``drop_duplicates`` is found at its
        first line.
        """
        from functools import reduce

        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        if self.parts:
            location = ("tk_part", "tk_line")
            frames = []
            for number, file in enumerate(self.source.files):
                part = self._text([file], self.source, view=f"tk_lines_{number}")
                schema = T.StructType(part.schema.fields + [T.StructField("tk_part", T.IntegerType()),
                                                            T.StructField("tk_line", T.LongType())])
                rows = part.rdd.zipWithIndex().map(
                    lambda pair, number=number: (*pair[0], number, pair[1] + first_line))
                frames.append(self.spark.createDataFrame(rows, schema))
            frame = reduce(lambda a, b: a.union(b), frames)
        else:
            location = ("tk_line",)
            frame = self.spark.table(relation)
            schema = T.StructType(frame.schema.fields + [T.StructField("tk_line", T.LongType())])
            numbered = frame.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1] + first_line))
            frame = self.spark.createDataFrame(numbered, schema)
        for alias, column in extra.items():
            frame = frame.withColumn(alias, F.col(SPARK.quote(column)).cast("string"))
        frame.createOrReplaceTempView("tk_numbered")
        return "tk_numbered", location

    def _first_bad(self, relation: str, wanted: tuple, first_line: int, unit: str) -> BadRow:
        fields = self.plan.columns.fields()
        view, location = self._numbered(relation, first_line, {f"tk_raw_{f}": c for f, c in fields.items()})
        keep = location + tuple("tk_raw_" + f for f in fields)
        listed = ", ".join(f"'{r}'" for r in wanted)  # reasons are tierkit's own constants
        row = self.sql(f"SELECT * FROM ({checked_sql(SPARK, view, self.plan, keep=keep)}) "
                       f"WHERE reason IN ({listed}) ORDER BY {', '.join(location)} LIMIT 1").collect()[0].asDict()
        field = reason_field(row["reason"])
        value = row["tk_raw_" + field]
        part = self.parts[int(row["tk_part"])] if self.parts else None
        return BadRow(row["reason"], fields[field], row_location(unit, row["tk_line"], part), value)

    def rejected_rows(self, relation: str, names: list, first_line: int, unit: str) -> pd.DataFrame:
        """Every row left out, in file order: its line, reason and raw cells (as the DuckDB reader gives)."""
        view, location = self._numbered(relation, first_line, {f"tk_src_{i}": n for i, n in enumerate(names)})
        cells = tuple(f"tk_src_{i}" for i in range(len(names)))
        sql = (f"SELECT * FROM ({checked_sql(SPARK, view, self.plan, keep=location + cells)}) "
               "WHERE reason IS NOT NULL")
        if self.parts and relation != "tk_raw":
            sql = first_occurrences(sql, cells)  # drop_duplicates: a repeated row once
        result = self.sql(f"SELECT * FROM ({sql}) tk_rejected ORDER BY {', '.join(location)}")
        rows = pd.DataFrame([tuple(r) for r in result.collect()], columns=result.columns)
        return rejects_frame(rows, names, unit, self.parts)
