"""Dates as written: one format per column, decided from all its values, parsed the same everywhere.

A date column of text is read with one :class:`DatePattern` for the whole column, never row by
row. Without ``date_format`` the pattern is decided from the column's distinct values
(:func:`decide_date_pattern`):

* ISO dates and timestamps (``2021-04-01``, ``2021-04-01 10:30:00``, ``2021-04-01T10:30+08:00``;
  year first, with ``-``, ``/`` or ``.``);
* ``%Y%m%d`` (``20210401``, also as an integer column);
* day-first or month-first text with a 4-digit year (``01/04/2021``, ``4.1.2021 10:30``) only
  when the values prove which: a first field above 12 makes the column day-first, a second
  field above 12 month-first. When both readings fit every value the column is refused, with
  a value read both ways.

A column that mixes these families is refused too. ``date_format`` (``strftime`` directives)
fixes the pattern instead; values that do not match the chosen pattern are bad rows.

**Time zones.** A timestamp with a written offset (``+08:00``, ``Z``) is taken on its own
clock: ``2021-04-01T23:30-05:00`` is a purchase on 1 April. With ``timezone`` it is first
converted to that zone's clock. Timestamps without an offset are taken as written.

A date *parameter* (``as_of``, ``holdout_end``, a calibration end) has one reading only:
``YYYY-MM-DD`` text or a date (:func:`parse_date`).

Every pattern becomes a regular expression with numbered groups and SQL that validates the
parts arithmetically (months 1-12, days of the month, leap years) and builds the timestamp,
so DuckDB and Spark accept and reject exactly the same values. Regular expressions use only
``[...]`` classes (no backslashes) and are passed to the engines as bound parameters.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from tierkit.errors import DataError, DataWarning, Message, Param, TierkitError

_DATE_FORMAT = Param("date_format")

#: One or more spaces or a ``T`` between the date and the time.
_TIME = (
    "(?:(?:[T]|[ ]+)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,][0-9]+)?)?"
    "(?:[ ]*([AaPp][Mm]))?)?"
)
_OFFSET = "[ ]*([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?"
_TIME_ROLES = {"hour": 4, "minute": 5, "second": 6, "ampm": 7, "offset": 8}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_FULL_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")


@dataclass(frozen=True)
class DatePattern:
    """A regular expression for a whole date value and the role of each of its groups.

    Parameters
    ----------
    name : str
        What it reads, for messages: a :class:`~tierkit.messages.Message` (``"day first"``), rendered in
        the reader's language, or the ``strftime`` format.
    regex : str
        Anchored regular expression, RE2 and Java compatible.
    roles : dict
        Role -> 1-based group: ``year``, ``year2``, ``month``, ``month_name``, ``day``,
        ``hour``, ``hour12``, ``minute``, ``second``, ``ampm``, ``offset``.
    example : str
        How ``strftime`` would write it, for messages.

    Examples
    --------
    >>> p = compile_date_format("%d/%m/%Y")
    >>> p.regex, p.roles["day"], p.roles["month"]
    ('^([0-9]{1,2})[/]([0-9]{1,2})[/]([0-9]{4})$', 1, 2)
    """

    name: str
    regex: str
    roles: dict = field(default_factory=dict)
    example: str = ""

    def read_python(self, value: str):
        """``(year, month, day)`` of ``value`` under this pattern, or None (for messages and tests).

        Examples
        --------
        >>> DAY_FIRST.read_python("03/01/2021"), MONTH_FIRST.read_python("03/01/2021")
        ((2021, 1, 3), (2021, 3, 1))
        """
        match = re.fullmatch(self.regex.strip("^$"), value)
        if match is None:
            return None
        group = match.group
        if "year" in self.roles:
            year = int(group(self.roles["year"]))
        else:
            short = int(group(self.roles["year2"]))
            year = short + (2000 if short < 69 else 1900)
        if "month" in self.roles:
            month = int(group(self.roles["month"]))
        else:
            month = _month_number(group(self.roles["month_name"]))
        day = int(group(self.roles["day"]))
        if month is None or not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
            return None
        return year, month, day


def parse_date(value, name: str) -> dt.date:
    """A date parameter as ``datetime.date``; text must be YYYY-MM-DD (one reading only).

    Examples
    --------
    >>> parse_date("2021-04-01", "as_of")
    datetime.date(2021, 4, 1)
    >>> parse_date("04/01/2021", "as_of")
    Traceback (most recent call last):
    ...
    tierkit.errors.TierkitError: as_of: '04/01/2021' is not a date; expected YYYY-MM-DD such as 2021-04-01
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp) and not pd.isna(value):
        return value.date()
    text = str(value).strip() if isinstance(value, str) else None
    if text is not None and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise TierkitError("not_a_date_option", param=Param(name), value=repr(value))


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _month_number(name: str):
    name = name.lower()
    for i, (short, full) in enumerate(zip(_MONTHS, _FULL_MONTHS, strict=True)):
        if name in (short, full) or (name == "sept" and short == "sep"):
            return i + 1
    return None


ISO = DatePattern(Message("iso_year_first"), "^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})" + _TIME + _OFFSET + "$",
                  {"year": 1, "month": 2, "day": 3, **_TIME_ROLES}, "%Y-%m-%d")
COMPACT = DatePattern("%Y%m%d", "^([0-9]{4})([0-9]{2})([0-9]{2})$", {"year": 1, "month": 2, "day": 3}, "%Y%m%d")
_DM = "^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})" + _TIME + _OFFSET + "$"
DAY_FIRST = DatePattern(Message("day_first"), _DM, {"day": 1, "month": 2, "year": 3, **_TIME_ROLES}, "%d/%m/%Y")
MONTH_FIRST = DatePattern(Message("month_first"), _DM, {"month": 1, "day": 2, "year": 3, **_TIME_ROLES}, "%m/%d/%Y")

_DIRECTIVES = {
    "Y": ("([0-9]{4})", "year"),
    "y": ("([0-9]{2})", "year2"),
    "m": ("([0-9]{1,2})", "month"),
    "d": ("([0-9]{1,2})", "day"),
    "b": ("([A-Za-z]{3,9})", "month_name"),
    "B": ("([A-Za-z]{3,9})", "month_name"),
    "H": ("([0-9]{1,2})", "hour"),
    "I": ("([0-9]{1,2})", "hour12"),
    "M": ("([0-9]{2})", "minute"),
    "S": ("([0-9]{2})", "second"),
    "f": ("[0-9]{1,9}", None),
    "p": ("([AaPp][Mm])", "ampm"),
    "z": ("([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)", "offset"),
    "a": ("[A-Za-z]{2,9}", None),
    "A": ("[A-Za-z]{2,9}", None),
}
_UNSAFE_LITERALS = set("\\]^")


def compile_date_format(date_format: str) -> DatePattern:
    """The :class:`DatePattern` of a ``strftime`` format; one-line error for what it cannot read.

    Supported: ``%Y %y %m %d %b %B %H %I %M %S %f %p %z %a %A %%`` and literal characters.

    Examples
    --------
    >>> compile_date_format("%Y%m%d %H:%M").roles
    {'year': 1, 'month': 2, 'day': 3, 'hour': 4, 'minute': 5}
    >>> compile_date_format("%d/%m")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: date_format '%d/%m': needs a year (%Y or %y), a month (%m, %b or %B) and a day (%d)
    """
    if not isinstance(date_format, str) or not date_format:
        raise DataError("date_format_bad", param=_DATE_FORMAT, format=repr(date_format))
    parts, roles, group, i = ["^"], {}, 0, 0
    while i < len(date_format):
        char = date_format[i]
        if char == "%":
            if i + 1 >= len(date_format):
                raise DataError("date_format_lone", param=_DATE_FORMAT, format=repr(date_format))
            code = date_format[i + 1]
            i += 2
            if code == "%":
                parts.append("[%]")
                continue
            if code not in _DIRECTIVES:
                raise DataError("date_format_directive", param=_DATE_FORMAT, format=repr(date_format),
                                directive="%" + code, supported=" ".join("%" + c for c in _DIRECTIVES))
            regex, role = _DIRECTIVES[code]
            if role is not None:
                if role in roles:
                    raise DataError("date_format_twice", param=_DATE_FORMAT, format=repr(date_format),
                                    directive="%" + code)
                group += 1
                roles[role] = group
                if role == "offset":
                    group += 0  # the offset group has no inner capturing group
            parts.append(regex)
            continue
        if char in _UNSAFE_LITERALS or ord(char) < 32:
            raise DataError("date_format_char", param=_DATE_FORMAT, format=repr(date_format), char=repr(char))
        parts.append(char if char.isalnum() else f"[{char}]")
        i += 1
    parts.append("$")
    has_year = "year" in roles or "year2" in roles
    has_month = "month" in roles or "month_name" in roles
    if not (has_year and has_month and "day" in roles):
        raise DataError("date_format_parts", param=_DATE_FORMAT, format=repr(date_format))
    if "hour12" in roles and "ampm" not in roles:
        raise DataError("date_format_ampm", param=_DATE_FORMAT, format=repr(date_format))
    return DatePattern(date_format, "".join(parts), roles, date_format)


@dataclass(frozen=True)
class DateStats:
    """What the distinct values of a text date column say about its format (see :func:`date_stats_sql`)."""

    values: int
    iso: int
    compact: int
    day_month: int
    first_max: int | None
    second_max: int | None
    example_iso: str | None = None
    example_compact: str | None = None
    example_day_month: str | None = None
    example_first_big: str | None = None
    example_second_big: str | None = None
    example_ambiguous: str | None = None
    example_unknown: str | None = None
    without_offset: int = 0


def date_stats_sql(dialect, relation: str, column: str, value: str) -> tuple[str, dict]:
    """SQL (and its parameters) giving one row of :class:`DateStats` over the distinct values of ``column``.

    ``value`` is an expression of ``column`` giving the stripped text of the date (NULL when empty).
    The cells are grouped first (a group with its count, which no optimiser folds away) so the
    regular expressions run once per distinct cell, not once per row.
    """
    p = dialect.param
    iso, compact, dm = dialect.matches("v", p("tk_iso")), dialect.matches("v", p("tk_compact")), \
        dialect.matches("v", p("tk_dm"))
    first = f"TRY_CAST(regexp_extract(v, {p('tk_dm')}, 1) AS INT)"
    second = f"TRY_CAST(regexp_extract(v, {p('tk_dm')}, 2) AS INT)"
    sql = f"""
SELECT COUNT(*) AS n_values,
       COUNT(*) FILTER (WHERE {iso}) AS n_iso,
       COUNT(*) FILTER (WHERE {compact}) AS n_compact,
       COUNT(*) FILTER (WHERE {dm}) AS n_day_month,
       MAX({first}) FILTER (WHERE {dm}) AS first_max,
       MAX({second}) FILTER (WHERE {dm}) AS second_max,
       MIN(v) FILTER (WHERE {iso}) AS example_iso,
       MIN(v) FILTER (WHERE {compact}) AS example_compact,
       MIN(v) FILTER (WHERE {dm}) AS example_day_month,
       MIN(v) FILTER (WHERE {dm} AND {first} > 12) AS example_first_big,
       MIN(v) FILTER (WHERE {dm} AND {second} > 12) AS example_second_big,
       MIN(v) FILTER (WHERE {dm} AND {first} <= 12 AND {second} <= 12 AND {first} <> {second}) AS example_ambiguous,
       MIN(v) FILTER (WHERE NOT ({iso} OR {compact} OR {dm})) AS example_unknown,
       COUNT(*) FILTER (WHERE ({iso} AND regexp_extract(v, {p('tk_iso')}, {ISO.roles['offset']}) = '')
                           OR ({dm} AND regexp_extract(v, {p('tk_dm')}, {DAY_FIRST.roles['offset']}) = '')
                           OR {compact}) AS without_offset
FROM (SELECT DISTINCT {value} AS v
      FROM (SELECT {dialect.quote(column)}, COUNT(*) AS tk_rows FROM {relation} GROUP BY {dialect.quote(column)})
      distinct_cells WHERE tk_rows > 0) distinct_values
WHERE v IS NOT NULL"""
    return sql, {"tk_iso": ISO.regex, "tk_compact": COMPACT.regex, "tk_dm": DAY_FIRST.regex}


def naive_value_count(kind: str, pattern: DatePattern | None, explicit: bool, stats: DateStats | None):
    """How many distinct dates carry no zone: 0, a count, or None for "all of them".

    ``kind`` is the source column's kind, ``pattern`` its text pattern (None for a typed
    column), ``explicit`` whether the pattern came from ``date_format``.
    """
    if kind == "temporal_tz":
        return 0
    if kind == "temporal" or pattern is None or "offset" not in pattern.roles:
        return None
    if explicit or stats is None:
        return 0  # %z is required by an explicit format
    return stats.without_offset


def warn_naive_timestamps(*, column: str, source: str, timezone: str | None, naive_values: int | None,
                          stacklevel: int = 3) -> None:
    """Warn that ``timezone`` cannot convert timestamps that carry no zone (they are kept as written).

    ``naive_values`` is the number of distinct values without an offset, or None for a column
    whose type has no zone at all.
    """
    import warnings

    if timezone is None or naive_values == 0:
        return
    what = Message("naive_timestamps") if naive_values is None else Message("naive_values", n=naive_values)
    warnings.warn(DataWarning("warn_naive_dates", source=source, column=repr(column), what=what, timezone=timezone,
                              option=Param("timezone")), stacklevel=stacklevel)


def _ymd(pattern: DatePattern, value: str) -> str:
    read = pattern.read_python(value)
    return "not a date" if read is None else "{:04d}-{:02d}-{:02d}".format(*read)


def decide_date_pattern(stats: DateStats, *, column: str, source: str) -> DatePattern:
    """The one pattern of a text date column, or a one-line refusal that names ``date_format``.

    Examples
    --------
    >>> s = DateStats(values=2, iso=0, compact=0, day_month=2, first_max=25, second_max=12)
    >>> decide_date_pattern(s, column="date", source="tx.csv").name
    'day first'
    >>> s = DateStats(values=2, iso=0, compact=0, day_month=2, first_max=4, second_max=3,
    ...               example_ambiguous="03/01/2021")
    >>> decide_date_pattern(s, column="date", source="tx.csv")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: tx.csv: column 'date': '03/01/2021' reads as 2021-01-03 (day first) and as
    2021-03-01 (month first), and no value has a day above 12 to decide; give date_format '%d/%m/%Y' or '%m/%d/%Y'
    """
    where = dict(source=source, column=repr(column), option=_DATE_FORMAT)
    if stats.values == 0:
        return ISO  # no value at all: the rows are counted (and refused) as empty dates
    families = [(n, name, ex) for n, name, ex in (
        (stats.iso, Message("iso_year_first"), stats.example_iso),
        (stats.compact, "%Y%m%d", stats.example_compact),
        (stats.day_month, Message("day_month"), stats.example_day_month),
    ) if n]
    if not families:
        shown = Message("such_as", value=repr(stats.example_unknown)) if stats.example_unknown else ""
        raise DataError("no_known_date", shown=shown, **where)
    if len(families) > 1:
        shown = [Message("date_family", example=repr(ex), name=name, n=n) for n, name, ex in families]
        while len(shown) > 1:
            shown[-2:] = [Message("both", first=shown[-2], second=shown[-1])]
        raise DataError("mixed_dates", shown=shown[0], **where)
    if stats.iso:
        return ISO
    if stats.compact:
        return COMPACT
    first_big = (stats.first_max or 0) > 12
    second_big = (stats.second_max or 0) > 12
    if first_big and second_big:
        raise DataError("day_month_both", first=repr(stats.example_first_big), second=repr(stats.example_second_big),
                        **where)
    if first_big:
        return DAY_FIRST
    if second_big:
        return MONTH_FIRST
    if stats.example_ambiguous:
        v = stats.example_ambiguous
        raise DataError("day_month_unknown", value=repr(v), day_first=_ymd(DAY_FIRST, v),
                        month_first=_ymd(MONTH_FIRST, v), **where)
    # Every value has day == month: both readings give the same dates.
    return DAY_FIRST


def _int(expr: str) -> str:
    return f"TRY_CAST({expr} AS INT)"


def parse_layers(dialect, pattern: DatePattern, value: str, regex_param: str, *,
                 timezone_param: str | None) -> tuple[list, str]:
    """How to read the text column ``value`` under ``pattern``: ``(layers, timestamp)``.

    ``layers`` are lists of ``expr AS name`` added by successive ``SELECT *, ...`` over the
    source: the regular expression's groups, then the parts as integers. ``timestamp`` (over
    the last layer) is the wall clock, NULL when the value is not a date: the parts are
    validated arithmetically (months 1-12, days of the month with leap years, hours, minutes).
    With ``timezone_param`` a value with a written offset is converted to that zone's clock.
    Each part is computed once, in its own layer: written as one expression, the parts would be
    repeated inside each other and the query plan would grow beyond what Spark can optimise.
    """
    roles = pattern.roles
    regex = dialect.param(regex_param)
    groups = [f"{dialect.matches(value, regex)} AS tk_date_match"]
    groups += [f"COALESCE(regexp_extract({value}, {regex}, {int(i)}), '') AS tk_g_{role}" for role, i in roles.items()]
    if "year" in roles:
        year = _int("tk_g_year")
    else:
        year = f"({_int('tk_g_year2')} + CASE WHEN {_int('tk_g_year2')} < 69 THEN 2000 ELSE 1900 END)"
    if "month" in roles:
        month = _int("tk_g_month")
    else:
        names = [(i + 1, [short, full] + (["sept"] if short == "sep" else []))
                 for i, (short, full) in enumerate(zip(_MONTHS, _FULL_MONTHS, strict=True))]
        whens = " ".join("WHEN lower(tk_g_month_name) IN (" + ", ".join(f"'{n}'" for n in spelled) + f") THEN {number}"
                         for number, spelled in names)
        month = f"(CASE {whens} END)"
    ampm = "upper(tk_g_ampm)" if "ampm" in roles else "''"
    hour_role = "hour" if "hour" in roles else "hour12" if "hour12" in roles else None
    raw_hour = f"COALESCE({_int('tk_g_' + hour_role)}, 0)" if hour_role else "0"
    parts = [f"{year} AS tk_year", f"{month} AS tk_month", f"{_int('tk_g_day')} AS tk_day",
             f"{ampm} AS tk_ampm", f"{raw_hour} AS tk_raw_hour",
             (f"COALESCE({_int('tk_g_minute')}, 0)" if "minute" in roles else "0") + " AS tk_minute",
             (f"COALESCE({_int('tk_g_second')}, 0)" if "second" in roles else "0") + " AS tk_second"]
    convert = "offset" in roles and timezone_param is not None
    if convert:
        digits = "regexp_replace(tk_g_offset, '[:]', '')"
        parts.append(f"(CASE WHEN tk_g_offset = '' OR upper(tk_g_offset) = 'Z' THEN 0 ELSE "
                     f"(CASE WHEN substr(tk_g_offset, 1, 1) = '-' THEN -1 ELSE 1 END) * "
                     f"({_int(f'substr({digits}, 2, 2)')} * 60 + COALESCE({_int(f'substr({digits}, 4, 2)')}, 0)) END)"
                     " AS tk_offset_minutes")
    hour = ("(CASE WHEN tk_ampm = 'PM' AND tk_raw_hour < 12 THEN tk_raw_hour + 12 "
            "WHEN tk_ampm = 'AM' AND tk_raw_hour = 12 THEN 0 ELSE tk_raw_hour END)")
    leap = "((tk_year % 4 = 0 AND tk_year % 100 <> 0) OR tk_year % 400 = 0)"
    days_in_month = (f"(CASE WHEN tk_month IN (4, 6, 9, 11) THEN 30 WHEN tk_month = 2 THEN "
                     f"(CASE WHEN {leap} THEN 29 ELSE 28 END) ELSE 31 END)")
    hour_ok = ("(tk_ampm = '' AND tk_raw_hour BETWEEN 0 AND 23 OR tk_ampm <> '' AND tk_raw_hour BETWEEN 1 AND 12)")
    valid = (f"tk_date_match AND tk_year >= 1 AND tk_month BETWEEN 1 AND 12 AND tk_day BETWEEN 1 AND {days_in_month} "
             f"AND {hour_ok} AND tk_minute BETWEEN 0 AND 59 AND tk_second BETWEEN 0 AND 59")
    clock = f"make_timestamp(tk_year, tk_month, tk_day, {hour}, tk_minute, tk_second)"
    if convert:
        utc = dialect.add_minutes(clock, "-tk_offset_minutes")
        converted = dialect.utc_to_zone(utc, dialect.param(timezone_param))
        clock = f"(CASE WHEN tk_g_offset = '' THEN {clock} ELSE {converted} END)"
    return [groups, parts], f"(CASE WHEN {valid} THEN {clock} END)"
