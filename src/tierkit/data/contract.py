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
from tierkit.data.dates import DatePattern, parse_sql

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
        out = {"tk_blanks": BLANKS, "tk_number": NUMBER}
        if self.date_pattern is not None:
            out["tk_date"] = self.date_pattern.regex
        if self.timezone is not None:
            out["tk_timezone"] = self.timezone
        date_column = self.columns.date
        if self.kinds.get(date_column) == "temporal_tz":
            out["tk_column_zone"] = self.timezone or self.zones.get(date_column) or "UTC"
        return out


def _stripped(dialect, expr: str) -> str:
    return f"NULLIF({dialect.strip(dialect.text(expr), dialect.param('tk_blanks'))}, '')"


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


def number_value(dialect, column: str, kind: str) -> str:
    """A finite double from a source cell, NULL otherwise."""
    q = dialect.quote(column)
    if kind in ("number", "integer"):
        value = f"CAST({q} AS DOUBLE)"
    elif kind == "text":
        text = _stripped(dialect, q)
        value = f"(CASE WHEN {dialect.matches(text, dialect.param('tk_number'))} THEN TRY_CAST({text} AS DOUBLE) END)"
    else:
        return "CAST(NULL AS DOUBLE)"
    return f"(CASE WHEN {dialect.finite(value)} THEN {value} END)"


def date_value(dialect, plan: ContractPlan) -> str:
    """The wall-clock timestamp of the date cell, NULL when it is not a date."""
    column = plan.columns.date
    kind = plan.kinds[column]
    q = dialect.quote(column)
    if kind == "temporal":
        return f"CAST({q} AS TIMESTAMP)"
    if kind == "temporal_tz":
        return dialect.instant_to_zone(q, dialect.param("tk_column_zone"))
    if plan.date_pattern is None:
        raise ValueError("a text date column needs a date pattern")
    return parse_sql(dialect, plan.date_pattern, text_value(dialect, column, kind), "tk_date",
                     timezone_param="tk_timezone" if plan.timezone else None)


def canonical_exprs(dialect, plan: ContractPlan) -> dict:
    """Canonical field -> SQL expression over the raw source columns."""
    fields = plan.columns.fields()
    kinds = plan.kinds
    exprs = {
        "customer_id": text_value(dialect, fields["customer_id"], kinds[fields["customer_id"]]),
        "date": date_value(dialect, plan),
    }
    if "amount" in fields:
        exprs["amount"] = number_value(dialect, fields["amount"], kinds[fields["amount"]])
    else:
        exprs["price"] = number_value(dialect, fields["price"], kinds[fields["price"]])
    if "order_id" in fields:
        exprs["order_id"] = text_value(dialect, fields["order_id"], kinds[fields["order_id"]])
    for name in ("quantity", "profit"):
        if name in fields:
            exprs[name] = number_value(dialect, fields[name], kinds[fields[name]])
    return exprs


def checked_sql(dialect, relation: str, plan: ContractPlan, *, keep: tuple = ()) -> str:
    """SQL over ``relation`` giving the canonical columns and ``reason`` (NULL for a good row).

    ``keep`` names extra columns of ``relation`` passed through unchanged (a line number).
    """
    exprs = canonical_exprs(dialect, plan)
    inner = ", ".join([f"{expr} AS {name}" for name, expr in exprs.items()] + [dialect.quote(k) for k in keep])
    cases = []
    for reason in plan.reasons():
        name = {"missing customer": "customer_id"}.get(reason, _REASON_FIELD[reason])
        cases.append(f"WHEN {name} IS NULL THEN '{reason}'")
    amount = "amount" if "amount" in exprs else "price * quantity"
    outputs = ["customer_id", "date", f"{amount} AS amount"]
    outputs += [name for name in ("order_id", "quantity", "profit") if name in exprs]
    outputs += [dialect.quote(k) for k in keep]
    return (f"SELECT {', '.join(outputs)}, CASE {' '.join(cases)} END AS reason "
            f"FROM (SELECT {inner} FROM {relation}) parsed")


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
