"""The input contract as SQL: raw source columns in, canonical transactions and a reason per row out.

One definition, run by DuckDB (training and local scoring) and Spark (cluster scoring) through
:mod:`tierkit.data.dialect`. Each row gets the first reason that applies, or none:

===================== ==================================================================
reason                the row
===================== ==================================================================
``missing customer``  has an empty customer id cell (``missing_customers`` decides)
``bad customer``      has a customer id holding a control character (NUL, tab, a line
                      break ...), which no output can carry faithfully
``bad date``          has a date that is empty or not a date in the column's one format
``bad amount``        has an amount that is empty, not a number, not finite, or
                      :func:`amount_limit` or more in magnitude
``bad price``         (price x quantity) has such a price, or a price whose product with
                      the quantity is :func:`amount_limit` or more in magnitude
``bad quantity``      has such a quantity (when a quantity column is mapped)
``bad profit``        has such a profit (when a profit column is mapped)
``missing order``     has an empty order id (when an order column is mapped: a purchase
                      occasion is a distinct order, so a line of no order would count as
                      none, and a customer who bought could get frequency 0)
===================== ==================================================================

Canonical columns: ``customer_id`` (text exactly as written, without surrounding blanks;
``NA``, ``null`` and ``00001`` are ids; a column whose every id is a whole-number float such
as ``12346.0``, the usual export of an integer column with gaps, is read as those integers,
see :func:`float_ids_sql`), ``date`` (the wall-clock timestamp, see
:mod:`tierkit.data.dates`), ``amount`` (double; price x quantity when so mapped),
``order_id`` (text), ``quantity`` and ``profit`` (doubles).

**Amounts are bounded** so that every sum is exact: the feature query sums money in
:data:`tierkit.features.definition.MONEY_TYPE` (a decimal with 6 places), whose values must
stay below :func:`amount_limit` (``10**12`` for ``DECIMAL(18, 6)``); its sums widen to 38
digits, so a customer's total may go far beyond. An amount, a profit or a price x quantity at
or beyond the limit is a bad row, never a traceback in the feature step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from tierkit.data.columns import ColumnMap
from tierkit.data.dates import DatePattern, compile_date_format, parse_layers
from tierkit.errors import DataError, Message, Param

#: Rejection reasons in the order they are tested, and what each field should have held.
REASONS = ("missing customer", "bad customer", "bad date", "bad amount", "bad price", "bad quantity", "bad profit",
           "missing order")
EXPECTED = {
    "missing customer": Message("a_customer_id"),
    "bad customer": Message("a_clean_customer_id"),
    "bad date": Message("a_date"),
    "bad amount": Message("a_number"),
    "bad price": Message("a_number"),
    "bad quantity": Message("a_number"),
    "bad profit": Message("a_number"),
    "missing order": Message("an_order_id"),
}
_REASON_FIELD = {"missing customer": "customer_id", "bad customer": "customer_id", "bad date": "date",
                 "bad amount": "amount", "bad price": "price", "bad quantity": "quantity", "bad profit": "profit",
                 "missing order": "order_id"}
#: Surrounding blanks are not part of a value.
BLANKS = "^[ \t\r\n]+|[ \t\r\n]+$"
#: The parameters of :meth:`tierkit.data.dialect.Dialect.strip`.
BLANK_PARAMS = {"tk_blanks": BLANKS, "tk_padded": "^[ \t\r\n]|[ \t\r\n]$"}
#: What a number written as text looks like (no thousands separators, no hex, no inf/nan).
NUMBER = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
KINDS = ("text", "integer", "number", "temporal", "temporal_tz")
#: Exact type that amounts and profits are summed in by the feature step (:mod:`tierkit.features.definition`):
#: sums do not depend on the order in which threads (or Spark executors) add them, so training, local scoring
#: and Spark agree to the bit. Amounts are rounded to 6 decimals and must stay below :func:`amount_limit`.
MONEY_TYPE = "DECIMAL(18, 6)"
#: A control character (C0 or DEL) anywhere in a customer id makes the row a ``bad customer``.
CONTROL = "[\\x00-\\x1f\\x7f]"
#: A customer id written as a whole-number float (``12346.0``), see :func:`float_ids_sql`.
FLOAT_ID = "^-?[0-9]+[.]0+$"
#: Whole doubles below this magnitude are written as integers (BIGINT holds them; doubles count
#: every integer exactly up to 2**53).
WHOLE_DOUBLE_LIMIT = "1e15"


@lru_cache(maxsize=1)
def amount_limit() -> int:
    """The magnitude every amount, profit and price x quantity must stay below (exclusive).

    One unit of the last place above the largest value
    :data:`MONEY_TYPE` holds (999,999,999,999.999999 for
    ``DECIMAL(18, 6)``): ``10**12``. Each amount below it fits that decimal, so the sums of the
    feature step are exact sums of the amounts as the canonical table holds them (doubles,
    rounded to 6 places), whatever their order.

    Examples
    --------
    >>> amount_limit() == 10 ** 12
    True
    """
    match = re.fullmatch(r"DECIMAL\(\s*([0-9]+)\s*,\s*([0-9]+)\s*\)", MONEY_TYPE)
    if match is None:  # pragma: no cover - a programming error
        raise ValueError(f"MONEY_TYPE {MONEY_TYPE!r} is not DECIMAL(p, s)")
    precision, scale = int(match.group(1)), int(match.group(2))
    return 10 ** (precision - scale)


def _limit_sql() -> str:
    """:func:`amount_limit` as a double literal, spelled alike in DuckDB and Spark."""
    return f"CAST({amount_limit()} AS DOUBLE)"


def reason_field(reason: str) -> str:
    """The canonical field a rejection reason is about."""
    return _REASON_FIELD[reason]


@dataclass(frozen=True)
class ContractPlan:
    """Everything the contract SQL needs to know about one source.

    Parameters
    ----------
    columns : ColumnMap
        Source column of each field (checked).
    kinds : dict
        Source column -> ``text``, ``integer``, ``number``, ``temporal`` (naive timestamp or
        date) or ``temporal_tz`` (an instant with a zone).
    zones : dict
        Source column -> IANA zone of a ``temporal_tz`` column (its own clock).
    date_pattern : DatePattern, optional
        The one pattern of a text or integer date column.
    timezone : str, optional
        Zone to convert zone-aware timestamps to.
    whole_float_ids : bool, default=False
        Every non-empty customer id is a whole-number float (``12346.0``): read them as the
        integers they are (:func:`float_ids_sql` decides).
    """

    columns: ColumnMap
    kinds: dict
    zones: dict = field(default_factory=dict)
    date_pattern: DatePattern | None = None
    timezone: str | None = None
    whole_float_ids: bool = False

    def reasons(self) -> tuple:
        """The reasons that can apply to this source, in order."""
        mapped = self.columns.fields()
        return tuple(r for r in REASONS if _REASON_FIELD[r] in mapped or r == "missing customer")

    def params(self) -> dict:
        """The bound parameters of :func:`checked_sql`."""
        out = {**BLANK_PARAMS, "tk_number": NUMBER, "tk_control": CONTROL}
        if self.date_pattern is not None:
            out["tk_date"] = self.date_pattern.regex
        if self.timezone is not None:
            out["tk_timezone"] = self.timezone
        date_column = self.columns.date
        if self.kinds.get(date_column) == "temporal_tz":
            out["tk_column_zone"] = self.timezone or self.zones.get(date_column) or "UTC"
        return out


def _stripped(dialect, expr: str) -> str:
    return f"NULLIF({dialect.strip(dialect.text(expr))}, '')"


def text_value(dialect, column: str, kind: str) -> str:
    """The text of a source cell as written (numbers without a spurious ``.0``), NULL when empty."""
    q = dialect.quote(column)
    if kind == "number":
        whole = f"CASE WHEN {q} = floor({q}) AND abs({q}) < 1e15 THEN {dialect.text(f'CAST({q} AS BIGINT)')} " \
                f"ELSE {dialect.text(q)} END"
        return f"NULLIF({whole}, '')"
    if kind == "integer":
        return f"NULLIF({dialect.text(q)}, '')"
    return _stripped(dialect, q)


def id_text(dialect, column: str, kind: str, whole_float_ids: bool = False) -> str:
    """The customer id of a source cell as text, NULL when empty.

    Text is taken as written (without surrounding blanks); with ``whole_float_ids`` the
    ``.0`` of ``12346.0`` is dropped. A double column is written as its integers when
    ``whole_float_ids`` (every value is whole), else as each double's text (``3.5``, ``12.0``);
    a NaN is an empty id.
    """
    q = dialect.quote(column)
    if kind == "number":
        finite = dialect.finite(q)
        if whole_float_ids:
            return f"(CASE WHEN {finite} THEN {dialect.text(f'CAST({q} AS BIGINT)')} END)"
        return f"(CASE WHEN {finite} THEN {dialect.text(q)} END)"
    if kind == "text" and whole_float_ids:
        return f"regexp_replace({_stripped(dialect, q)}, '[.]0+$', '')"
    return text_value(dialect, column, kind)


def float_ids_sql(dialect, relation: str, column: str, kind: str) -> tuple[str, str] | None:
    """Two one-row queries that decide whether every customer id is a whole-number float; None if none can be.

    Pandas writes an integer column with gaps as floats (``12346.0``), and a Parquet file or a
    frame may hold ids as doubles. Such ids are read as the integers they are, but only when
    *every* non-empty id of the column has that form: a column mixing ``A12`` and ``3.0``, or
    holding ``3.5``, is left as written.

    The first query finds one non-empty id not of that form (``LIMIT 1``: it stops at the
    first, so an ordinary column costs next to nothing); only when it finds none does the
    second count the distinct ids and give the smallest as an example: ``(ids, example)``.
    Parameters: ``tk_float_id`` (:data:`FLOAT_ID`) and :data:`BLANK_PARAMS`.
    """
    q = dialect.quote(column)
    if kind == "text":
        value, kept = _stripped(dialect, q), "tk_id IS NOT NULL"
        other = f"NOT {dialect.matches('tk_id', dialect.param('tk_float_id'))}"
    elif kind == "number":
        value, kept = f"CAST({q} AS DOUBLE)", dialect.finite("tk_id")
        other = f"NOT (tk_id = floor(tk_id) AND abs(tk_id) < {WHOLE_DOUBLE_LIMIT})"
    else:
        return None
    ids = f"(SELECT {value} AS tk_id FROM {relation}) tk_ids WHERE {kept}"
    return f"SELECT 1 FROM {ids} AND {other} LIMIT 1", f"SELECT COUNT(DISTINCT tk_id), MIN(tk_id) FROM {ids}"


def _number_layers(dialect, field: str, column: str, kind: str) -> tuple[list, list, str]:
    """(text layer, number layer, final expression) of a numeric field: a finite double or NULL.

    Amounts and profits (the summed fields) must also stay below :func:`amount_limit`.
    """
    q = dialect.quote(column)
    bounded = field in ("amount", "profit")
    if kind in ("number", "integer"):
        return [], [f"CAST({q} AS DOUBLE) AS tk_n_{field}"], _finite(dialect, f"tk_n_{field}", bounded)
    if kind == "text":
        text = f"tk_t_{field}"
        number = (f"(CASE WHEN {dialect.matches(text, dialect.param('tk_number'))} THEN TRY_CAST({text} AS DOUBLE) "
                  f"END) AS tk_n_{field}")
        return [f"{text_value(dialect, column, kind)} AS {text}"], [number], _finite(dialect, f"tk_n_{field}",
                                                                                     bounded)
    return [], [], "CAST(NULL AS DOUBLE)"


def _finite(dialect, column: str, bounded: bool = False) -> str:
    below = f" AND abs({column}) < {_limit_sql()}" if bounded else ""
    return f"(CASE WHEN {dialect.finite(column)}{below} THEN {column} END)"


def canonical_layers(dialect, plan: ContractPlan) -> tuple[list, dict]:
    """``(layers, exprs)``: the layers of columns over the source and the canonical expressions.

    ``layers`` are the columns added by successive ``SELECT *, ...`` over the source; ``exprs``
    maps each canonical field to its SQL expression over the last layer.

    Each intermediate value (a cell's stripped text, a regular expression group, a date part)
    is computed once in its own layer, so no engine repeats the costly parts.
    """
    fields = plan.columns.fields()
    kinds = plan.kinds
    text_layer, second, third = [], [], []
    exprs = {}
    id_column = fields["customer_id"]
    text_layer.append(f"{id_text(dialect, id_column, kinds[id_column], plan.whole_float_ids)} AS tk_t_customer_id")
    exprs["customer_id"] = "tk_t_customer_id"
    date_column = fields["date"]
    date_kind = kinds[date_column]
    if date_kind == "temporal":
        exprs["date"] = f"CAST({dialect.quote(date_column)} AS TIMESTAMP)"
    elif date_kind == "temporal_tz":
        exprs["date"] = dialect.instant_to_zone(dialect.quote(date_column), dialect.param("tk_column_zone"))
    else:
        exprs["date"] = "tk_date_value"  # joined from the dictionary of distinct values, see checked_sql
    numeric = ["amount" if "amount" in fields else "price"] + [n for n in ("quantity", "profit") if n in fields]
    for name in numeric:
        texts, numbers, exprs[name] = _number_layers(dialect, name, fields[name], kinds[fields[name]])
        text_layer += texts
        second += numbers
    if "order_id" in fields:
        text_layer.append(f"{text_value(dialect, fields['order_id'], kinds[fields['order_id']])} AS tk_t_order_id")
        exprs["order_id"] = "tk_t_order_id"
    layers = [layer for layer in (text_layer, second, third) if layer]
    return layers, exprs


def date_dictionary_sql(dialect, relation: str, plan: ContractPlan) -> str:
    """The distinct values of a text date column with their timestamps: ``tk_date_key``, ``tk_date_value``.

    A date column has few distinct values (one per day, or per second of trading): each is
    parsed once, and rows get theirs by a join, instead of running the regular expression on
    every row.
    """
    column = plan.columns.date
    kind = plan.kinds[column]
    if plan.date_pattern is None:
        raise ValueError("a text date column needs a date pattern")
    q = dialect.quote(column)
    layers = [[f"{text_value(dialect, column, kind)} AS tk_t_date"]]
    (groups, parts), value = parse_layers(dialect, plan.date_pattern, "tk_t_date", "tk_date",
                                          timezone_param="tk_timezone" if plan.timezone else None)
    layers += [groups, parts]
    distinct = f"(SELECT DISTINCT {q} FROM {relation} WHERE {q} IS NOT NULL) tk_distinct_dates"
    return f"SELECT {dialect.text(q)} AS tk_date_key, {value} AS tk_date_value FROM {layered(distinct, layers)}"


def with_dates(dialect, relation: str, plan: ContractPlan) -> str:
    """``relation`` with ``tk_date_value`` joined from :func:`date_dictionary_sql` (text date columns only)."""
    if plan.kinds[plan.columns.date] in ("temporal", "temporal_tz"):
        return relation
    key = dialect.text(f"tk_src.{dialect.quote(plan.columns.date)}")
    return (f"(SELECT tk_src.*, tk_dates.tk_date_value FROM {relation} tk_src LEFT JOIN "
            f"({date_dictionary_sql(dialect, relation, plan)}) tk_dates ON {key} = tk_dates.tk_date_key) tk_with_dates")


def layered(relation: str, layers: list) -> str:
    """``relation`` with each layer of ``expr AS name`` added by a ``SELECT *, ...`` of its own."""
    for i, layer in enumerate(layers):
        relation = f"(SELECT *, {', '.join(layer)} FROM {relation}) tk_layer_{i}"
    return relation


def checked_sql(dialect, relation: str, plan: ContractPlan, *, keep: tuple = ()) -> str:
    """SQL over ``relation`` giving the canonical columns and ``reason`` (NULL for a good row).

    ``keep`` names extra columns of ``relation`` passed through unchanged (a line number).
    """
    layers, exprs = canonical_layers(dialect, plan)
    inner = ", ".join([f"{expr} AS {name}" for name, expr in exprs.items()] + [dialect.quote(k) for k in keep])
    cases = []
    for reason in plan.reasons():
        name = _REASON_FIELD[reason]
        if reason == "bad customer":
            cases.append(f"WHEN {dialect.matches(name, dialect.param('tk_control'))} THEN '{reason}'")
        else:
            cases.append(f"WHEN {name} IS NULL THEN '{reason}'")
        if reason == "bad quantity" and "price" in exprs:
            # each is finite; their product must stay below the limit too (1e200 x 1e200 is inf)
            cases.append(f"WHEN NOT (abs(price * quantity) < {_limit_sql()}) THEN 'bad price'")
    amount = "amount" if "amount" in exprs else "price * quantity"
    outputs = ["customer_id", "date", f"{amount} AS amount"]
    outputs += [name for name in ("order_id", "quantity", "profit") if name in exprs]
    outputs += [dialect.quote(k) for k in keep]
    return (f"SELECT {', '.join(outputs)}, CASE {' '.join(cases)} END AS reason "
            f"FROM (SELECT {inner} FROM {layered(with_dates(dialect, relation, plan), layers)}) parsed")


def date_sql(dialect, relation: str, plan: ContractPlan) -> str:
    """SQL over ``relation`` giving only the canonical ``date`` of each row (for survey files)."""
    layers, exprs = canonical_layers(dialect, plan)
    return f"SELECT {exprs['date']} AS date FROM {layered(with_dates(dialect, relation, plan), layers)}"


def date_rule_sql(dialect, relation: str, plan: ContractPlan, pattern: DatePattern | None = None,
                  regex_param: str = "tk_date") -> str:
    """One row: the rows with a non-empty date, how many of them ``pattern`` does not read, and one such value.

    ``pattern`` is the plan's by default; its regular expression is the parameter
    ``regex_param``. Each distinct cell is parsed once, with its count of rows.
    """
    pattern = pattern or plan.date_pattern
    column = plan.columns.date
    q = dialect.quote(column)
    cells = f"(SELECT {q}, COUNT(*) AS tk_rows FROM {relation} WHERE {q} IS NOT NULL GROUP BY {q}) tk_date_cells"
    layers = [[f"{text_value(dialect, column, plan.kinds[column])} AS tk_t_date"]]
    (groups, parts), value = parse_layers(dialect, pattern, "tk_t_date", regex_param, timezone_param=None)
    inner = f"SELECT tk_t_date, tk_rows, {value} AS tk_v FROM {layered(cells, layers + [groups, parts])}"
    failed = "tk_t_date IS NOT NULL AND tk_v IS NULL"
    return (f"SELECT COALESCE(SUM(tk_rows) FILTER (WHERE tk_t_date IS NOT NULL), 0) AS n_dates, "
            f"COALESCE(SUM(tk_rows) FILTER (WHERE {failed}), 0) AS n_failed, "
            f"MIN(tk_t_date) FILTER (WHERE {failed}) AS example FROM ({inner}) tk_date_rule")


def counts_sql(dialect, checked: str, plan: ContractPlan) -> str:
    """One row: rows read, rows per reason (in :meth:`ContractPlan.reasons` order), good rows after ``tk_as_of``."""
    parts = ["COUNT(*) AS rows_read"]
    parts += [f"COUNT(*) FILTER (WHERE reason = '{r}') AS n_{i}" for i, r in enumerate(plan.reasons())]
    parts.append(f"COUNT(*) FILTER (WHERE reason IS NULL AND CAST(date AS DATE) > CAST({dialect.param('tk_as_of')} "
                 "AS DATE)) AS after_as_of")
    return f"SELECT {', '.join(parts)} FROM {checked}"


def first_occurrences(sql: str, columns: tuple) -> str:
    """The rows of ``sql`` with each distinct value of ``columns`` once, the first by ``tk_part, tk_line``.

    Under ``drop_duplicates`` a row repeated in text parts is one row; it is named at its first
    line.

    Examples
    --------
    >>> first_occurrences("SELECT * FROM t", ("tk_src_0",))[:60]
    'SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY tk_'
    """
    return (f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY {', '.join(columns)} ORDER BY tk_part, "
            f"tk_line) AS tk_nth FROM ({sql}) tk_rows) tk_first WHERE tk_nth = 1")


def valid_sql(checked: str, plan: ContractPlan) -> str:
    """The good rows of a checked relation, in canonical columns."""
    names = ["customer_id", "date", "amount"] + [n for n in ("order_id", "quantity", "profit")
                                                 if n in plan.columns.fields()]
    return f"SELECT {', '.join(names)} FROM {checked} WHERE reason IS NULL"


# -- rules decided over a whole column (run by either engine through ``fetch``) ------------------
#
# ``fetch(sql, params)`` runs one query with its bound parameters and returns its rows as tuples.


def decide_float_ids(fetch, dialect, relation: str, column: str, kind: str, source: str) -> str | None:
    """The note to give when every non-empty customer id is a whole-number float, else None.

    A note means the ids are read as integers (``ContractPlan(whole_float_ids=True)``); it says
    how many distinct ids were so written, with an example.
    """
    queries = float_ids_sql(dialect, relation, column, kind)
    if queries is None:
        return None
    params = {**BLANK_PARAMS, "tk_float_id": FLOAT_ID}
    if fetch(queries[0], params):
        return None
    count, example = fetch(queries[1], params)[0]
    if not count:
        return None
    if kind == "number":
        written, whole = repr(float(example)), str(int(example))
    else:
        written, whole = str(example), re.sub(r"[.]0+$", "", str(example))
    return Message("float_ids", source=source, column=repr(column), count=int(count), written=repr(written),
                   whole=repr(whole))


def swapped_day_month(date_format: str) -> str | None:
    """``date_format`` with ``%d`` and ``%m`` swapped, or None when it lacks one of them.

    Examples
    --------
    >>> swapped_day_month("%d/%m/%Y %H:%M"), swapped_day_month("%Y%m%d"), swapped_day_month("%b %d %Y")
    ('%m/%d/%Y %H:%M', '%Y%d%m', None)
    """
    if "%d" not in date_format or "%m" not in date_format:
        return None
    return date_format.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


#: A date rule that rejects more than this share of a column's non-empty dates refuses the column.
DATE_RULE_MAJORITY = 0.5


def check_date_rule(fetch, dialect, relation: str, plan: ContractPlan, source: str,
                    date_format: str | None = None, on_bad_rows: str = "skip") -> None:
    """Refuse the date column when its rule rejects most of it, even when bad rows are skipped.

    A format that rejects more than :data:`DATE_RULE_MAJORITY` of the non-empty dates is not
    the column's, and the dates it does read are suspect (``12/05/2011`` of a month-first file
    read day first is 12 May instead of 5 December). The one-line refusal names the column,
    the rule, how many dates failed and one of them, and the format with day and month swapped
    when that reads every date. A few bad dates are left to the bad-row policy.

    With ``on_bad_rows="error"`` the file is refused anyway, at its first bad date; this
    refusal replaces that one only when it can name the format that reads every date.
    """
    n_dates, n_failed, example = fetch(date_rule_sql(dialect, relation, plan),
                                       {**BLANK_PARAMS, "tk_date": plan.date_pattern.regex})[0]
    if not n_failed or n_failed <= DATE_RULE_MAJORITY * n_dates:
        return
    rule = (Message("named_format", param=Param("date_format"), format=repr(date_format)) if date_format
            else Message("the_columns_format", name=plan.date_pattern.name))
    hint = Message("give_date_format", option=Param("date_format"))
    other = swapped_day_month(date_format) if date_format else None
    if other is not None:
        pattern = compile_date_format(other)
        _, other_failed, _ = fetch(date_rule_sql(dialect, relation, plan, pattern, "tk_date_other"),
                                   {**BLANK_PARAMS, "tk_date_other": pattern.regex})[0]
        if not other_failed:
            hint = Message("reads_them_all", format=repr(other))
    if on_bad_rows != "skip" and hint.key != "reads_them_all":
        return  # the first bad date is the better message
    raise DataError("date_rule", source=source, column=repr(plan.columns.date), n=int(n_failed), total=int(n_dates),
                    rule=rule, example=repr(example), hint=hint)
