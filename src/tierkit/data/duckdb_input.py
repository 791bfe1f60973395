"""The input contract run by DuckDB: a file or a frame becomes the view ``tk_tx`` of good rows.

Training (:func:`tierkit.read_transactions`, :func:`tierkit.file_features`) and local
scoring share this class; Spark scoring runs the same SQL (:mod:`tierkit.data.spark_input`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
import warnings
from pathlib import Path

import duckdb
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
from tierkit.data.dialect import DUCKDB
from tierkit.data.files import WHITESPACE, TransactionFile, describe_file, width_error
from tierkit.data.report import BadRow, ReadReport, rejects_frame, report_from_counts, row_location, settle
from tierkit.errors import DataError, DataWarning, Message, MissingColumnsError, Param
from tierkit.threads import available_cores

#: Scratch folders (spill files, re-encoded copies) are named after the process that made them.
SCRATCH_PREFIX = "tierkit-read-"


def remove_stale_scratch() -> None:
    """Remove scratch folders left by tierkit processes that no longer run (killed runs)."""
    base = Path(tempfile.gettempdir())
    for folder in base.glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name[len(SCRATCH_PREFIX):].split("-")[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # another user's process is alive


def run_interruptible(con, sql, phase: str, progress):
    """Run ``sql`` on ``con`` in a worker thread, reporting progress.

    ``sql`` is SQL text, or a function of no arguments that uses ``con``. Ctrl-C interrupts
    DuckDB, then re-raises.

    Returns the connection (results are fetched from it).
    """
    done = threading.Event()
    error = []

    def work():
        try:
            sql() if callable(sql) else con.execute(sql)
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)
        finally:
            done.set()

    # Not a daemon: a thread still inside DuckDB when the interpreter exits would be torn down
    # mid-query, which aborts the process (SIGABRT); the interpreter waits for this one instead.
    thread = threading.Thread(target=work, name=f"tierkit-{phase}")
    try:
        thread.start()
        while not done.wait(0.2):
            try:
                percent = con.query_progress()
            except duckdb.Error:
                percent = -1
            if percent is not None and percent >= 0:
                progress(phase, int(percent), 100)
    except BaseException:
        # Interrupt until the worker is done: it may be between two statements when the signal
        # comes, and the next one must be stopped too.
        while thread.is_alive():
            con.interrupt()
            thread.join(0.05)
        raise
    thread.join()
    if error:
        raise error[0]
    progress(phase, 100, 100)
    return con


def duckdb_kind(type_name: str) -> str:
    """How a DuckDB column type is read: ``text``, ``integer``, ``number``, ``temporal`` or ``temporal_tz``."""
    name = str(type_name).upper()
    if name.startswith(("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")):  # TIMESTAMPTZ_NS: pandas' default
        return "temporal_tz"
    if name.startswith(("TIMESTAMP", "DATE")):
        return "temporal"
    if name in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                "UBIGINT"):
        return "integer"
    if name.startswith(("FLOAT", "DOUBLE", "DECIMAL", "REAL")):
        return "number"
    if name == "BOOLEAN":
        return "boolean"
    return "text"


def parquet_zones(files) -> dict:
    """Column -> time zone of the zone-aware timestamp columns of a Parquet file (from its footer)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    zones = {}
    for f in pq.read_schema(files[0]):
        if pa.types.is_timestamp(f.type) and f.type.tz is not None:
            zones[f.name] = f.type.tz
    return zones


def check_columns(source: str, present: list, columns: ColumnMap, header: bool = True) -> None:
    """One-line error naming the mapped columns the source lacks, and those it has."""
    missing = [name for name in columns.fields().values() if name not in present]
    if not missing:
        return
    if header and present and all(_looks_like_data(p) for p in present[:3]):
        raise MissingColumnsError(source, missing, present, key="missing_column_data", option=Param("header=False"))
    raise MissingColumnsError(source, missing, present)


def check_duplicate_columns(source: str, written: list, present: list, columns: ColumnMap) -> None:
    """One-line error when a column the map reads appears more than once in the source.

    ``written`` are the source's column names as written, ``present`` the names the engine
    gave them (it renames repeats, ``amount`` to ``amount_1``), in the same order. Only the
    mapped columns matter: a repeated column the map does not read (two ``note`` columns of an
    export) is never looked at, and refusing it would make users edit files for nothing; a
    repeated mapped column cannot be read without guessing which one is meant.
    """
    written = [str(name) for name in written]
    for field, name in columns.fields().items():
        positions = [i + 1 for i, w in enumerate(written) if w == name]
        if len(positions) > 1:
            shown = Message("both", first=", ".join(map(str, positions[:-1])), second=positions[-1])
            raise DataError("column_repeated", source=source, column=repr(name), n=len(positions), shown=shown,
                            field=field)
        if positions and len(present) == len(written) and present[positions[0] - 1] != name:
            # the engine's name for a repeated column took this one's name
            raise DataError("column_renamed", source=source, column=repr(name), n=positions[0])


def unique_names(names: list) -> list:
    """``names`` as text with repeats made unique (``note``, ``note_2`` ...), never taking a name already there.

    Examples
    --------
    >>> unique_names(["a", "note", "note", "note_2", 3])
    ['a', 'note', 'note_3', 'note_2', '3']
    """
    names = [str(n) for n in names]
    taken = set(names)
    out, seen = [], set()
    for name in names:
        new = name
        k = 2
        while new in seen or (new != name and new in taken):
            new = f"{name}_{k}"
            k += 1
        seen.add(new)
        out.append(new)
    return out


def _looks_like_data(name: str) -> bool:
    text = str(name).strip()
    return bool(text) and (text[0].isdigit() or text[0] in "+-.")


def frame_kinds(frame: pd.DataFrame) -> tuple[dict, dict]:
    """Kinds and zones of a pandas frame's columns."""
    kinds, zones = {}, {}
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            kinds[name], zones[name] = "temporal_tz", str(dtype.tz)
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            kinds[name] = "temporal"
        elif pd.api.types.is_bool_dtype(dtype):
            kinds[name] = "boolean"
        elif pd.api.types.is_integer_dtype(dtype):
            kinds[name] = "integer"
        elif pd.api.types.is_numeric_dtype(dtype):
            kinds[name] = "number"
        else:
            kinds[name] = "text"
    return kinds, zones


def _as_text_frame(frame: pd.DataFrame, kinds: dict) -> pd.DataFrame:
    """Object columns as text (each cell as written; None stays missing) so DuckDB reads one type.

    The cells are taken by position: row ``i`` of the result is row ``i`` of ``frame`` whatever
    its index (gaps left by a filter, repeated or text labels, several levels, any order). The
    index labels nothing here; aligning the columns on it would move, lose or refuse rows.
    """
    index = pd.RangeIndex(len(frame))
    out = {}
    for name in frame.columns:
        col = pd.Series(frame[name].array, index=index, copy=False)
        if kinds[name] == "text" and not pd.api.types.is_string_dtype(col.dtype) or col.dtype == object:
            col = col.map(_cell_text, na_action="ignore").astype("str")
        out[str(name)] = col
    return pd.DataFrame(out, index=index)


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def read_excel_frame(source: TransactionFile) -> pd.DataFrame:
    """One sheet of a workbook as a frame; every column keeps one type (mixed cells become text).

    Repeated header names are made unique (:func:`unique_names`); ``attrs["tk_written_names"]``
    keeps the header as written, for :func:`check_duplicate_columns`.
    """
    try:
        # only an empty cell is missing: text such as 'NA', 'null' or '#N/A' is a value, as in a CSV file
        raw = pd.read_excel(source.files[0], sheet_name=source.sheet, dtype=object, header=None, engine="openpyxl",
                            keep_default_na=False, na_values=[""])
    except ValueError as exc:
        raise DataError("sheet_missing", path=source.path, detail=str(exc).splitlines()[0],
                        option=Param("sheet")) from None
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError("unreadable_as", path=source.path, kind=".xlsx", reason=reason) from None
    if source.header:
        # the header as written (pandas would rename a repeated name to ``name.1``)
        written = ["" if pd.isna(v) else _cell_text(v) for v in raw.iloc[0]] if len(raw) else []
        written = [w if w else f"Unnamed: {i}" for i, w in enumerate(written)]
        raw = raw.iloc[1:].reset_index(drop=True)
    else:
        written = [str(i + 1) for i in range(raw.shape[1])]
    names = unique_names(written)
    out = {}
    for position, name in enumerate(names):
        col = raw.iloc[:, position]
        values = col.dropna()
        if len(values) and all(isinstance(v, pd.Timestamp) or type(v).__name__ == "datetime" for v in values):
            out[name] = pd.to_datetime(col)
        elif len(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            out[name] = col.astype("float64")
        else:
            out[name] = col.map(_cell_text, na_action="ignore").astype("str")
    frame = pd.DataFrame(out, columns=names)
    frame.attrs["tk_written_names"] = written
    return frame


class DuckDBInput(contextlib.AbstractContextManager):
    """A DuckDB session that reads one transaction source under the contract.

    Use as a context manager; :meth:`load_file` or :meth:`load_frame` creates the view
    ``tk_tx`` of good canonical rows and returns the :class:`ReadReport`.

    Parameters
    ----------
    memory_limit : str, optional
        DuckDB memory limit before spilling to the scratch folder.
    threads : int, optional
        DuckDB threads (default: the cores this process may use, :func:`tierkit.threads.available_cores`).
    """

    def __init__(self, *, memory_limit: str | None = None, threads: int | None = None, progress=None):
        remove_stale_scratch()
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        self.progress = progress
        config = {"temp_directory": str(self.scratch / "spill")}
        if memory_limit:
            config["memory_limit"] = memory_limit
        # DuckDB counts the machine's cores, not the ones this process may use
        config["threads"] = threads or available_cores()
        self.con = duckdb.connect(config=config)
        self.con.execute("SET TimeZone = 'UTC'")
        self.source = None
        self.plan = None
        self.date_stats = None
        self._frame = None
        self.parts = ()

    def __exit__(self, *exc):
        self.close()
        return None

    def close(self) -> None:
        """Close the connection and remove the scratch folder (spill files, re-encoded copies)."""
        with contextlib.suppress(Exception):
            self.con.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def run(self, sql, phase: str):
        """Run ``sql`` (text, or a function using the connection); Ctrl-C stops it cleanly.

        DuckDB's progress is reported as ``progress(phase, percent, 100)``.
        """
        if self.progress is None:
            return sql() if callable(sql) else self.con.execute(sql)
        return run_interruptible(self.con, sql, phase, self.progress)

    # -- sources ---------------------------------------------------------------------------

    def _set_params(self, params: dict) -> None:
        for name, value in params.items():
            self.con.execute(f"SET VARIABLE {name} = ?", [value])

    def _open(self, source: TransactionFile) -> tuple[list, dict, dict]:
        con = self.con
        zones = {}
        try:
            if source.kind == "parquet":
                rel = con.read_parquet(list(source.files), union_by_name=True)
                zones = parquet_zones(source.files)
            elif source.kind == "xlsx":
                self._frame = read_excel_frame(source)
                rel = con.from_df(self._frame)
            elif not source.parts:
                rel = self._text(list(source.files), source)
        except duckdb.Error as exc:
            raise read_error(source, exc) from None
        if source.kind == "parquet":
            rel.create_view("tk_raw", replace=True)
        elif source.parts:
            self._read_parts(source)
        else:
            # Text is parsed once, into a columnar table in file order; every later pass (the
            # date dictionary, the checks, the features) scans that instead of the text.
            rel.create_view("tk_text", replace=True)
            try:
                self.run("CREATE OR REPLACE TEMP TABLE tk_raw AS SELECT * FROM tk_text", "reading")
            except duckdb.InterruptException:
                raise
            except duckdb.Error as exc:
                raise read_error(source, exc) from None
        described = con.execute("DESCRIBE tk_raw").fetchall()
        names = [row[0] for row in described]
        kinds = {row[0]: duckdb_kind(row[1]) for row in described}
        return names, kinds, zones

    def _text(self, files: list, source: TransactionFile):
        """A relation of the text ``files`` as text columns, named as the source's (by position without a header)."""
        con = self.con
        if source.sep == WHITESPACE:
            lines = con.read_csv(files, header=source.header, sep="\x1f", quotechar="", all_varchar=True,
                                 columns={"tk_line_text": "VARCHAR"} if not source.header else None)
            return self._split_whitespace(lines, source)
        # RFC 4180 quoting, said rather than sniffed, as Spark is told the same
        rel = con.read_csv(files, header=source.header, sep=source.sep, all_varchar=True, quotechar='"',
                           escapechar='"')
        if not source.header:
            rel = rel.project(", ".join(f'{DUCKDB.quote(n)} AS {DUCKDB.quote(str(i + 1))}'
                                        for i, n in enumerate(rel.columns)))
        return rel

    def _read_parts(self, source: TransactionFile) -> None:
        """Parse text parts one by one into the table ``tk_parts``, each row with its part and line.

        ``tk_part`` is the part's position in ``source.parts``, ``tk_line`` the row's line in
        its part (file order within a part, as a single file's lines are numbered). The view
        ``tk_raw`` shows the source columns only.
        """
        first_line = 2 if source.header else 1
        for number, (file, part) in enumerate(zip(source.files, source.parts, strict=True)):
            numbered = (f"SELECT {number} AS tk_part, row_number() OVER () + {first_line - 1} AS tk_line, * "
                        "FROM tk_text")
            try:
                self._text([file], source).create_view("tk_text", replace=True)
                self.run(f"CREATE OR REPLACE TEMP TABLE tk_parts AS {numbered}" if number == 0
                         else f"INSERT INTO tk_parts {numbered}", "reading")
            except duckdb.InterruptException:
                raise
            except duckdb.Error as exc:
                raise read_error(source, exc, part) from None
        self.con.execute("CREATE OR REPLACE TEMP VIEW tk_raw AS SELECT * EXCLUDE (tk_part, tk_line) FROM tk_parts")

    def _split_whitespace(self, lines, source: TransactionFile):
        lines.create_view("tk_lines", replace=True)
        column = lines.columns[0]
        self._set_params({"tk_blanks_split": "[ \t]+", **BLANK_PARAMS})
        fields = DUCKDB.split_fields(DUCKDB.strip(DUCKDB.quote(column)),
                                     DUCKDB.param("tk_blanks_split"))
        select = ", ".join(f"{DUCKDB.element('tk_fields', i + 1)} AS {DUCKDB.quote(name)}"
                           for i, name in enumerate(source.header_names))
        return self.con.sql(f"SELECT {select} FROM (SELECT {fields} AS tk_fields FROM tk_lines)")

    # -- the contract ----------------------------------------------------------------------

    def load_file(self, path, columns: ColumnMap | None = None, options: ReadOptions | None = None,
                  as_of=None) -> ReadReport:
        """Read ``path`` under the contract; the good rows are then the view ``tk_tx``.

        With ``as_of`` the report also counts the good rows after it (``after_as_of``).
        """
        options = (options or ReadOptions()).checked()
        source = describe_file(path, sep=options.sep, encoding=options.encoding, header=options.header,
                               sheet=options.sheet, scratch=self.scratch)
        if source.remote:
            raise DataError("uri_local", path=path)
        # text parts are parsed one by one, so that a row is named by its part and line
        self.parts = source.parts if source.kind == "csv" else ()
        names, kinds, zones = self._open(source)
        located = source.kind == "csv"
        return self._load(str(source.path), names, kinds, zones, columns, options, header=source.header,
                          first_line=2 if (source.header and located) else 1, unit="line" if located else "row",
                          as_of=as_of, materialise=source.kind != "parquet", written=written_names(source, self._frame),
                          announce_float_ids=source.kind != "xlsx")

    def load_frame(self, frame: pd.DataFrame, columns: ColumnMap | None = None, options: ReadOptions | None = None,
                   source: str = "transactions") -> ReadReport:
        """Read a pandas frame under the contract; the good rows are then the view ``tk_tx``.

        The frame is read by position and column, never through its index (:func:`_as_text_frame`):
        the good rows come out in frame order, and a message names a row by its 1-based position
        (``row 1`` is the first row), as for a Parquet file.
        """
        options = (options or ReadOptions()).checked()
        written = [str(c) for c in frame.columns]
        names = unique_names(written)
        if names != list(frame.columns):
            # repeated (or non-text) labels: unique text names, the cells untouched; a repeated
            # mapped column is refused by _load
            frame = frame.set_axis(names, axis=1)
        kinds, zones = frame_kinds(frame)
        self.parts = ()
        self._frame = _as_text_frame(frame, kinds)
        self.con.from_df(self._frame).create_view("tk_raw", replace=True)
        return self._load(source, names, kinds, zones, columns, options, header=True, first_line=1, unit="row",
                          written=written)

    def _fetch(self, sql: str, params: dict) -> list:
        self._set_params(params)
        return self.con.execute(sql).fetchall()

    def _load(self, source, names, kinds, zones, columns, options, *, header, first_line, unit, as_of=None,
              materialise=True, written=None, announce_float_ids=True) -> ReadReport:
        columns = (columns or ColumnMap()).checked()
        check_duplicate_columns(source, written or names, names, columns)
        check_columns(source, names, columns, header=header)
        fields = columns.fields()
        for name, column in fields.items():
            if kinds[column] == "boolean":
                expected = Message("a_date" if name == "date" else "text" if name in ("customer_id", "order_id")
                                   else "numbers")
                raise DataError("boolean_column", source=source, column=repr(column), expected=expected)
        pattern = None
        date_kind = kinds[columns.date]
        if date_kind in ("text", "integer", "number"):
            if options.date_format is not None:
                pattern = compile_date_format(options.date_format)
            else:
                pattern = self._decide_dates(source, columns.date, date_kind)
        float_ids = decide_float_ids(self._fetch, DUCKDB, "tk_raw", columns.customer_id, kinds[columns.customer_id],
                                     source)
        plan = ContractPlan(columns, kinds, zones, pattern, options.timezone, whole_float_ids=float_ids is not None)
        self.plan = plan
        warn_naive_timestamps(column=columns.date, source=source, timezone=options.timezone, stacklevel=4,
                              naive_values=naive_value_count(date_kind, pattern, options.date_format is not None,
                                                             self.date_stats))
        self._set_params(plan.params())
        relation = "tk_raw"
        if options.drop_duplicates:
            self.con.execute("CREATE OR REPLACE TEMP VIEW tk_unique AS SELECT DISTINCT * FROM tk_raw")
            relation = "tk_unique"
        # Parsing text is the costly part: do it once, into a columnar temporary table. Parquet
        # is cheap to scan twice and may be far larger than memory, so it stays a view.
        kind = "TABLE" if materialise else "VIEW"
        self.con.execute(f"CREATE OR REPLACE TEMP {kind} tk_checked AS {checked_sql(DUCKDB, relation, plan)}")
        self._set_params({"tk_as_of": str(as_of) if as_of is not None else "9999-12-31"})
        row = self.run(counts_sql(DUCKDB, "tk_checked", plan), "checking").fetchall()[0]
        report = report_from_counts(source, row, plan.reasons(), pattern.name if pattern else None)
        if pattern is not None and report.rejected.get("bad date"):
            check_date_rule(self._fetch, DUCKDB, relation, plan, source, options.date_format,
                            options.on_bad_rows)
        settle(report, options, first_bad=lambda wanted: self._first_bad(relation, wanted, first_line, unit),
               rejected_rows=lambda: self.rejected_rows(relation, names, first_line, unit), stacklevel=4)
        if float_ids is not None:
            report.notes.append(float_ids)
            if announce_float_ids:
                warnings.warn(DataWarning(float_ids), stacklevel=4)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW tk_tx AS {valid_sql('tk_checked', plan)}")
        return report

    def _decide_dates(self, source: str, column: str, kind: str, label: str | None = None):
        sql, params = date_stats_sql(DUCKDB, "tk_raw", column, _text_expr(column, kind))
        self._set_params({**BLANK_PARAMS, **params})
        row = self.con.execute(sql).fetchall()[0]
        stats = DateStats(*row)
        self.date_stats = stats
        return decide_date_pattern(stats, column=label or column, source=source)

    def _numbered(self, relation: str, first_line: int, extra: str) -> tuple[str, tuple]:
        """``relation`` in file order with its location columns and ``extra``; ``(sql, location columns)``.

        A single source numbers its rows (``tk_line``) as they come; text parts carry their part
        and line from the start (``tk_parts``), and every row of the parts is there, so that a
        row repeated under ``drop_duplicates`` is found at its first line.
        """
        if self.parts:
            return f"(SELECT *, {extra} FROM tk_parts)", ("tk_part", "tk_line")
        return (f"(SELECT row_number() OVER () + {int(first_line) - 1} AS tk_line, *, {extra} FROM {relation})",
                ("tk_line",))

    def _located(self, relation: str, first_line: int) -> tuple[str, tuple]:
        """SQL of the checked rows with their location (file order) and the raw text of each mapped column."""
        plan = self.plan
        raw_cols = ", ".join(f"{DUCKDB.text(DUCKDB.quote(c))} AS {DUCKDB.quote('tk_raw_' + f)}"
                             for f, c in plan.columns.fields().items())
        numbered, location = self._numbered(relation, first_line, raw_cols)
        keep = location + tuple("tk_raw_" + f for f in plan.columns.fields())
        return checked_sql(DUCKDB, numbered, plan, keep=keep), location

    def _first_bad(self, relation: str, wanted: tuple, first_line: int, unit: str) -> BadRow:
        self.con.execute("SET preserve_insertion_order = true")
        listed = ", ".join(f"'{r}'" for r in wanted)  # reasons are tierkit's own constants
        located, location = self._located(relation, first_line)
        row = self.con.execute(f"SELECT * FROM ({located}) WHERE reason IN ({listed}) "
                               f"ORDER BY {', '.join(location)} LIMIT 1").df().iloc[0]
        field = reason_field(row["reason"])
        column = self.plan.columns.fields()[field]
        value = row["tk_raw_" + field]
        part = self.parts[int(row["tk_part"])] if self.parts else None
        return BadRow(row["reason"], column, row_location(unit, row["tk_line"], part),
                      None if pd.isna(value) else str(value))

    def rejected_rows(self, relation: str, names: list, first_line: int, unit: str) -> pd.DataFrame:
        """Every row left out, in file order: its line, reason and raw cells.

        Rows of text parts also give their part (a first column ``file``).
        """
        self.con.execute("SET preserve_insertion_order = true")
        raw = ", ".join(f"{DUCKDB.text(DUCKDB.quote(n))} AS {DUCKDB.quote('tk_src_' + str(i))}"
                        for i, n in enumerate(names))
        numbered, location = self._numbered(relation, first_line, raw)
        cells = tuple(f"tk_src_{i}" for i in range(len(names)))
        checked = checked_sql(DUCKDB, numbered, self.plan, keep=location + cells)
        sql = f"SELECT * FROM ({checked}) WHERE reason IS NOT NULL"
        if self.parts and relation != "tk_raw":
            sql = first_occurrences(sql, cells)  # drop_duplicates: a repeated row once
        frame = self.con.execute(f"SELECT * FROM ({sql}) tk_rejected ORDER BY {', '.join(location)}").df()
        return rejects_frame(frame, names, unit, self.parts)

    # -- results ---------------------------------------------------------------------------

    def transactions(self) -> pd.DataFrame:
        """The good rows as tierkit's canonical transaction frame."""
        # through Arrow: four times faster than DuckDB's own conversion for text columns
        frame = self.con.sql("SELECT * FROM tk_tx").to_arrow_table().to_pandas()
        frame["customer_id"] = frame["customer_id"].astype("str")
        if "order_id" in frame.columns:
            frame["order_id"] = frame["order_id"].astype("str")
        frame["date"] = frame["date"].astype("datetime64[us]")
        return frame


def _text_expr(column: str, kind: str) -> str:
    from tierkit.data.contract import text_value

    return text_value(DUCKDB, column, kind)


def _first_line(exc) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def written_names(source: TransactionFile, frame: pd.DataFrame | None = None) -> list | None:
    """The source's column names as written (repeats included), or None when the engine's are those."""
    if source.kind == "xlsx" and frame is not None:
        return frame.attrs.get("tk_written_names")
    if source.kind == "parquet" and not source.remote:
        import pyarrow.parquet as pq

        return list(pq.read_schema(source.files[0]).names)
    return list(source.written_names) or None


def read_error(source: TransactionFile, exc, part: str | None = None) -> DataError:
    """The one-line refusal of a DuckDB error while reading ``source``; a line of the wrong width is named.

    ``part`` names the text part being read, when the source is a folder or glob of them.
    """
    text = str(exc)
    path = part or source.path
    line = re.search(r"CSV Error on Line: ([0-9]+)", text)
    widths = re.search(r"Expected Number of Columns: ([0-9]+) Found: ([0-9]+)", text)
    if source.kind == "csv" and line and widths:
        original = re.search(r"Original Line: ?(.*)", text)
        return width_error(path, source.sep, int(line.group(1)), int(widths.group(2)),
                           int(widths.group(1)), source.header, original.group(1) if original else None)
    where = Message("in_parentheses", text=Message("line", n=int(line.group(1)))) if line else ""
    return DataError("unreadable_as", path=path, kind=source.kind + where, reason=_first_line(exc))


def parse_date_values(values: pd.Series, column: str, source: str, date_format: str | None, where):
    """Timestamps of one date column under the contract's date rules (used for survey files).

    The column's one format is decided as for transactions; the first value that is not a date
    is a one-line error naming ``where(position)``.
    """
    frame = pd.DataFrame({"tk_value": values.reset_index(drop=True)})
    columns = ColumnMap(customer_id="tk_value", date="tk_value", amount="tk_value")
    kinds, zones = frame_kinds(frame)
    kind = kinds["tk_value"]
    with DuckDBInput() as reader:
        reader._frame = _as_text_frame(frame, kinds)
        reader.con.from_df(reader._frame).create_view("tk_raw", replace=True)
        pattern = None
        if kind in ("text", "integer", "number"):
            pattern = (compile_date_format(date_format) if date_format is not None
                       else reader._decide_dates(source, "tk_value", kind, label=column))
        plan = ContractPlan(columns, kinds, zones, pattern)
        reader._set_params(plan.params())
        from tierkit.data.contract import date_sql

        parsed = reader.con.execute(date_sql(DUCKDB, "tk_raw", plan)).df()["date"]
    parsed = parsed.astype("datetime64[us]")
    bad = parsed.isna().to_numpy()
    if bad.any():
        import numpy as np

        pos = int(np.flatnonzero(bad)[0])
        shown = Message("empty") if pd.isna(values.iloc[pos]) else repr(str(values.iloc[pos]))
        expected = (Message("format", format=repr(date_format)) if date_format else
                    Message("a_date_named", name=pattern.name if pattern else "date"))
        raise DataError("not_a_date_value", source=source, column=repr(column), location=where(pos), value=shown,
                        expected=expected, count=int(bad.sum()))
    return parsed.to_numpy()
