"""Durations (horizons, lifecycle thresholds): one spelling, one meaning, everywhere.

A duration is written with its unit, ``"365D"`` (days) or ``"52W"`` (weeks of 7 days), given
as a :class:`pandas.Timedelta` / :class:`datetime.timedelta`, or as a bare number. The rule for
a bare number is the same in the Python API, the config, the command line and the MLflow
model's parameters:

* with daily features (``time_unit="D"``) a bare number is a count of days;
* with weekly features (``time_unit="W"``) it is ambiguous (52 weeks or 52 days?) and refused,
  naming the option and both readings.

Months and years have no exact number of days, so ``"12M"`` and ``"1Y"`` are refused too:
write ``"365D"`` or ``"52W"``. :func:`to_time_units` is the one conversion to the features'
unit; every option that takes a duration goes through it.

Examples
--------
>>> to_time_units("52W", "W", "horizon"), to_time_units("364D", "W", "horizon")
(52.0, 52.0)
>>> to_time_units(365, "D", "horizon")
365.0
>>> to_time_units(52, "W", "horizon")
Traceback (most recent call last):
...
tierkit.errors.TierkitError: horizon=52 is ambiguous for features in weeks: write "52W" (52 weeks) or "52D" (52 days)
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from tierkit.errors import TierkitError
from tierkit.features.definition import TIME_UNITS, check_time_unit

__all__ = ["parse_duration", "to_time_units", "duration_text", "as_given"]

#: Unit spellings accepted after the number, by the unit they mean.
_UNITS = {"d": "D", "day": "D", "days": "D", "w": "W", "wk": "W", "wks": "W", "week": "W", "weeks": "W"}
#: Spellings of months and years, refused with a message of their own.
_CALENDAR = {"m": "months", "mo": "months", "month": "months", "months": "months",
             "y": "years", "yr": "years", "yrs": "years", "year": "years", "years": "years"}
_PATTERN = re.compile(r"\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*")
_UNIT_WORDS = {"D": "days", "W": "weeks"}


def _not_a_duration(name: str, value) -> TierkitError:
    from tierkit.errors import Param

    return TierkitError("not_a_duration", param=Param(name), value=repr(value))


def _number_text(value: float) -> str:
    """A count as written: 52.0 -> '52', 3.5 -> '3.5'."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def parse_duration(value, name: str, *, allow_zero: bool = False) -> tuple[float, str | None]:
    """Check a duration's spelling: ``(amount, unit)``, with unit ``None`` for a bare number.

    Parameters
    ----------
    value : str, pandas.Timedelta, datetime.timedelta, numpy.timedelta64 or number
        ``"365D"``, ``"52W"`` (case and a space do not matter; ``days`` / ``weeks`` spelt out
        too), a time delta (read in days) or a bare number (its meaning depends on the features'
        unit, see :func:`to_time_units`).
    name : str
        The option, for messages (``"horizon"``, ``"--horizon"`` ...).
    allow_zero : bool, default=False
        Whether 0 is a valid duration (lifecycle thresholds) or it must be more (horizons).

    Returns
    -------
    tuple of (float, str or None)
        The amount and its unit ``"D"`` or ``"W"``; ``None`` for a bare number.

    Raises
    ------
    TierkitError
        One line naming ``name``: not a duration, months or years, not above 0 (or below 0
        with ``allow_zero``), not finite.

    Examples
    --------
    >>> parse_duration("52 weeks", "horizon"), parse_duration(pd.Timedelta(days=90), "horizon")
    ((52.0, 'W'), (90.0, 'D'))
    >>> parse_duration("1Y", "horizon")
    Traceback (most recent call last):
    ...
    tierkit.errors.TierkitError: horizon='1Y' is in years, which have no exact number of days; write days or ...
    """
    unit: str | None
    if isinstance(value, (bool, np.bool_)):
        raise _not_a_duration(name, value)
    if isinstance(value, np.timedelta64):
        value = pd.Timedelta(value)
    if isinstance(value, dt.timedelta):  # pandas.Timedelta too
        if pd.isna(value):
            raise _not_a_duration(name, value)
        amount, unit = value / dt.timedelta(days=1), "D"
    elif isinstance(value, (int, float, np.integer, np.floating)):
        amount, unit = float(value), None
    elif isinstance(value, str):
        match = _PATTERN.fullmatch(value)
        if match is None:
            raise _not_a_duration(name, value)
        word = match.group(2).lower()
        if word in _CALENDAR:
            from tierkit.errors import Param

            raise TierkitError("duration_" + _CALENDAR[word], param=Param(name), value=repr(value))
        if word and word not in _UNITS:
            from tierkit.errors import Param

            raise TierkitError("duration_unit", param=Param(name), value=repr(value), unit=repr(match.group(2)))
        amount, unit = float(match.group(1)), _UNITS.get(word)
    else:
        raise _not_a_duration(name, value)
    if not math.isfinite(amount) or amount < 0 or (amount == 0 and not allow_zero):
        from tierkit.errors import Message, Param

        raise TierkitError("param_invalid", param=Param(name), value=repr(value),
                           expected=Message("a_duration", op=">= 0" if allow_zero else "> 0"))
    return amount, unit


def to_time_units(value, time_unit: str, name: str, *, allow_zero: bool = False) -> float:
    """A duration in the features' time unit: the one conversion every duration option uses.

    Parameters
    ----------
    value : str, pandas.Timedelta, datetime.timedelta or number
        As :func:`parse_duration` reads it. A bare number is days when ``time_unit`` is ``"D"``
        and refused as ambiguous when it is ``"W"``.
    time_unit : {"D", "W"}
        The features' unit.
    name : str
        The option, for messages.
    allow_zero : bool, default=False
        Whether 0 is valid.

    Returns
    -------
    float
        The duration in ``time_unit`` (days / 7 for weeks).

    Examples
    --------
    >>> to_time_units("2W", "D", "at_risk_after"), to_time_units("91D", "W", "horizon")
    (14.0, 13.0)
    """
    days_per_unit = check_time_unit(time_unit)
    amount, unit = parse_duration(value, name, allow_zero=allow_zero)
    if unit is None:
        if time_unit != "D":
            n = _number_text(amount)
            from tierkit.errors import Param

            raise TierkitError("duration_ambiguous_" + _UNIT_WORDS[time_unit], param=Param(name), n=n)
        unit = "D"
    return amount * TIME_UNITS[unit] / days_per_unit


def duration_text(amount: float, time_unit: str) -> str:
    """A duration in ``time_unit`` written with its unit, as :func:`parse_duration` reads it.

    Parameters
    ----------
    amount : float
        The count of ``time_unit``.
    time_unit : {"D", "W"}
        Its unit.

    Returns
    -------
    str

    Examples
    --------
    >>> duration_text(52.0, "W"), duration_text(30.5, "D")
    ('52W', '30.5D')
    """
    check_time_unit(time_unit)
    return f"{_number_text(amount)}{time_unit}"


def as_given(value):
    """A duration as the user wrote it, in plain values for settings and JSON.

    Text and numbers stay as they are (numbers as float); time deltas become days written
    with their unit.

    Parameters
    ----------
    value : str, pandas.Timedelta, datetime.timedelta or number
        A duration :func:`parse_duration` accepts.

    Returns
    -------
    str or float

    Examples
    --------
    >>> as_given("52W"), as_given(365), as_given(pd.Timedelta(weeks=1))
    ('52W', 365.0, '7D')
    """
    if isinstance(value, str):
        return value
    amount, unit = parse_duration(value, "duration")
    return amount if unit is None else duration_text(amount, unit)
