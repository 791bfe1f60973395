"""The input contract as SQL: raw source columns in, canonical transactions and a reason per row out.

One definition, run by DuckDB (training and local scoring) and Spark (cluster scoring) through
:mod:`tierkit.data.dialect`. Each row gets the first reason that applies, or none:

===================== ==================================================================
reason                the row
===================== ==================================================================
``missing customer``  has an empty customer id cell (``missing_customers`` decides)
``bad date``          has a date that is empty or not a date in the column's one format
``bad amount``        has an amount that is empty, not a number, or not finite
``bad price``         (price x quantity) has such a price
``bad quantity``      has such a quantity (when a quantity column is mapped)
``bad profit``        has such a profit (when a profit column is mapped)
===================== ==================================================================

Canonical columns: ``customer_id`` (text exactly as written, without surrounding blanks;
``NA``, ``null`` and ``00001`` are ids), ``date`` (the wall-clock timestamp, see
:mod:`tierkit.data.dates`), ``amount`` (double; price x quantity when so mapped),
``order_id`` (text, may be empty), ``quantity`` and ``profit`` (doubles).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tierkit.data.columns import ColumnMap
from tierkit.data.dates import DatePattern, parse_layers

#: Rejection reasons in the order they are tested, and what each field should have held.
REASONS = ("missing customer", "bad date", "bad amount", "bad price", "bad quantity", "bad profit")
EXPECTED = {
    "missing customer": "a customer id",
    "bad date": "a date",
    "bad amount": "a number",
    "bad price": "a number",
    "bad quantity": "a number",
    "bad profit": "a number",
}
_REASON_FIELD = {"missing customer": "customer_id", "bad date": "date", "bad amount": "amount",
                 "bad price": "price", "bad quantity": "quantity", "bad profit": "profit"}
#: Surrounding blanks are not part of a value.
BLANKS = "^[ \t\r\n]+|[ \t\r\n]+$"
#: The parameters of :meth:`tierkit.data.dialect.Dialect.strip`.
BLANK_PARAMS = {"tk_blanks": BLANKS, "tk_padded": "^[ \t\r\n]|[ \t\r\n]$"}
#: What a number written as text looks like (no thousands separators, no hex, no inf/nan).
NUMBER = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
KINDS = ("text", "integer", "number", "temporal", "temporal_tz")


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
    """

    columns: ColumnMap
    kinds: dict
    zones: dict = field(default_factory=dict)
    date_pattern: DatePattern | None = None
    timezone: str | None = None

    def reasons(self) -> tuple:
        """The reasons that can apply to this source, in order."""
        mapped = self.columns.fields()
        return tuple(r for r in REASONS if _REASON_FIELD[r] in mapped or r == "missing customer")

    def params(self) -> dict:
        """The bound parameters of :func:`checked_sql`."""
        out = {**BLANK_PARAMS, "tk_number": NUMBER}
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


def _number_layers(dialect, field: str, column: str, kind: str) -> tuple[list, list, str]:
    """(text layer, number layer, final expression) of a numeric field: a finite double or NULL."""
    q = dialect.quote(column)
    if kind in ("number", "integer"):
        return [], [f"CAST({q} AS DOUBLE) AS tk_n_{field}"], _finite(dialect, f"tk_n_{field}")
    if kind == "text":
        text = f"tk_t_{field}"
        number = (f"(CASE WHEN {dialect.matches(text, dialect.param('tk_number'))} THEN TRY_CAST({text} AS DOUBLE) "
                  f"END) AS tk_n_{field}")
        return [f"{text_value(dialect, column, kind)} AS {text}"], [number], _finite(dialect, f"tk_n_{field}")
    return [], [], "CAST(NULL AS DOUBLE)"


def _finite(dialect, column: str) -> str:
    return f"(CASE WHEN {dialect.finite(column)} THEN {column} END)"


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
    text_layer.append(f"{text_value(dialect, id_column, kinds[id_column])} AS tk_t_customer_id")
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
        cases.append(f"WHEN {name} IS NULL THEN '{reason}'")
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


def counts_sql(dialect, checked: str, plan: ContractPlan) -> str:
    """One row: rows read, rows per reason (in :meth:`ContractPlan.reasons` order), good rows after ``tk_as_of``."""
    parts = ["COUNT(*) AS rows_read"]
    parts += [f"COUNT(*) FILTER (WHERE reason = '{r}') AS n_{i}" for i, r in enumerate(plan.reasons())]
    parts.append(f"COUNT(*) FILTER (WHERE reason IS NULL AND CAST(date AS DATE) > CAST({dialect.param('tk_as_of')} "
                 "AS DATE)) AS after_as_of")
    return f"SELECT {', '.join(parts)} FROM {checked}"


def valid_sql(checked: str, plan: ContractPlan) -> str:
    """The good rows of a checked relation, in canonical columns."""
    names = ["customer_id", "date", "amount"] + [n for n in ("order_id", "quantity", "profit")
                                                 if n in plan.columns.fields()]
    return f"SELECT {', '.join(names)} FROM {checked} WHERE reason IS NULL"
