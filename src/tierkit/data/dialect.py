"""The few SQL spellings that differ between DuckDB and Spark SQL, each written once per engine.

Every rule of the input contract is one SQL expression built by :mod:`tierkit.data.contract`
from these pieces, so DuckDB (training and local scoring) and Spark (cluster scoring) run the
same definition. User values (regular expressions derived from a date format, zone names)
never enter the SQL text: they are bound parameters (session variables set through the
client API in DuckDB, named arguments ``:name`` in Spark), and column names are quoted identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """How one engine spells identifiers, parameters and a handful of functions.

    Examples
    --------
    >>> DUCKDB.quote('a"b'), SPARK.quote("a`b")
    ('"a""b"', '`a``b`')
    >>> DUCKDB.param("p"), SPARK.param("p")
    ("getvariable('p')", ':p')
    """

    name: str

    def quote(self, identifier: str) -> str:
        """A quoted identifier (any name, quotes doubled)."""
        if self.name == "spark":
            return "`" + identifier.replace("`", "``") + "`"
        return '"' + identifier.replace('"', '""') + '"'

    def param(self, name: str) -> str:
        """The placeholder of the bound parameter ``name``."""
        # DuckDB views cannot hold prepared parameters; session variables serve the same purpose.
        return f":{name}" if self.name == "spark" else f"getvariable('{name}')"

    def text(self, expr: str) -> str:
        """``expr`` as text."""
        return f"CAST({expr} AS STRING)" if self.name == "spark" else f"CAST({expr} AS VARCHAR)"

    def matches(self, expr: str, pattern: str) -> str:
        """True when the regular expression ``pattern`` (a parameter) matches part of ``expr``."""
        if self.name == "spark":
            return f"({expr} RLIKE {pattern})"
        return f"regexp_matches({expr}, {pattern})"

    def strip(self, expr: str) -> str:
        """``expr`` without leading and trailing blanks (space, tab, CR, LF).

        Uses the parameters ``tk_blanks`` (the blanks to remove) and ``tk_padded`` (a value that
        starts or ends with one): the replacement runs only on the few padded values.
        """
        padded = self.matches(expr, self.param("tk_padded"))
        if self.name == "spark":
            replaced = f"regexp_replace({expr}, {self.param('tk_blanks')}, '')"
        else:
            replaced = f"regexp_replace({expr}, {self.param('tk_blanks')}, '', 'g')"
        return f"(CASE WHEN {padded} THEN {replaced} ELSE {expr} END)"

    def finite(self, expr: str) -> str:
        """True for a finite double."""
        if self.name == "spark":
            return f"(NOT isnan({expr}) AND abs({expr}) != CAST('Infinity' AS DOUBLE))"
        return f"isfinite({expr})"

    def days_between(self, start: str, end: str) -> str:
        """Whole days from date ``start`` to date ``end``.

        Examples
        --------
        >>> DUCKDB.days_between("a", "b"), SPARK.days_between("a", "b")
        ("date_diff('day', a, b)", 'datediff(b, a)')
        """
        if self.name == "spark":
            return f"datediff({end}, {start})"
        return f"date_diff('day', {start}, {end})"

    def add_minutes(self, ts: str, minutes: str) -> str:
        """Timestamp ``ts`` plus a whole number of minutes."""
        if self.name == "spark":
            return f"timestampadd(MINUTE, {minutes}, {ts})"
        return f"({ts} + to_minutes(CAST({minutes} AS BIGINT)))"

    def utc_to_zone(self, ts: str, zone: str) -> str:
        """The wall clock in ``zone`` (a parameter) at the UTC instant ``ts`` (a naive timestamp)."""
        if self.name == "spark":
            return f"from_utc_timestamp({ts}, {zone})"
        return f"timezone({zone}, CAST({ts} AS TIMESTAMPTZ))"

    def instant_to_zone(self, ts: str, zone: str) -> str:
        """The wall clock in ``zone`` at the instant ``ts`` (a time-zone aware timestamp)."""
        if self.name == "spark":
            # Spark's TIMESTAMP is an instant shown in the session zone, which tierkit sets to UTC.
            return f"from_utc_timestamp({ts}, {zone})"
        return f"timezone({zone}, {ts})"

    def split_fields(self, expr: str, pattern: str) -> str:
        """An array of the fields of ``expr`` split on ``pattern`` (a parameter)."""
        if self.name == "spark":
            return f"split({expr}, {pattern})"
        return f"regexp_split_to_array({expr}, {pattern})"

    def element(self, array: str, position: int) -> str:
        """The 1-based ``position`` of an array, NULL past its end."""
        if self.name == "spark":
            return f"try_element_at({array}, {int(position)})"
        return f"{array}[{int(position)}]"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")
