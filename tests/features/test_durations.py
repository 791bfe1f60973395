"""Durations: one spelling and one meaning for every horizon and threshold."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from conftest import make_tx
from tierkit.errors import TierkitError
from tierkit.features.definition import features_time_unit, time_unit_from_dates
from tierkit.features.durations import as_given, duration_text, parse_duration, to_time_units


@pytest.mark.parametrize("value, expected", [
    ("365D", (365.0, "D")), ("90d", (90.0, "D")), (" 52 W ", (52.0, "W")), ("52weeks", (52.0, "W")),
    ("1 week", (1.0, "W")), ("30 days", (30.0, "D")), ("3.5D", (3.5, "D")), ("365", (365.0, None)),
    (365, (365.0, None)), (np.float64(52.5), (52.5, None)), (pd.Timedelta(weeks=52), (364.0, "D")),
    (dt.timedelta(days=90), (90.0, "D")), (np.timedelta64(14, "D"), (14.0, "D")),
])
def test_spellings(value, expected):
    assert parse_duration(value, "horizon") == expected


@pytest.mark.parametrize("value, message", [
    ("12M", "horizon='12M' is in months, which have no exact number of days; write days or weeks, "
            "e.g. '365D' or '52W'"),
    ("1Y", "horizon='1Y' is in years, which have no exact number of days"),
    ("2 years", "horizon='2 years' is in years"),
    ("abc", "horizon='abc' is not a duration; write days or weeks, e.g. '365D' or '52W'"),
    ("", "horizon='' is not a duration"),
    ("W52", "horizon='W52' is not a duration"),
    ("-5D", "horizon='-5D'; expected a duration > 0, e.g. '365D' or '52W'"),
    ("0D", "horizon='0D'; expected a duration > 0"),
    ("inf", "horizon='inf' is not a duration"),
    ("10h", "horizon='10h': unit 'h' is not days or weeks"),
    (pd.NaT, "horizon=NaT is not a duration"),
    (None, "horizon=None is not a duration"),
    (False, "horizon=False is not a duration"),
    ([52], "horizon=[52] is not a duration"),
])
def test_bad_durations_are_one_line_errors_naming_the_option(value, message):
    with pytest.raises(TierkitError) as info:
        parse_duration(value, "horizon")
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_zero_only_where_allowed():
    assert parse_duration("0D", "at_risk_after", allow_zero=True) == (0.0, "D")
    with pytest.raises(TierkitError, match=r"at_risk_after='-1W'; expected a duration >= 0"):
        parse_duration("-1W", "at_risk_after", allow_zero=True)


def test_conversion_to_the_features_unit():
    assert to_time_units("52W", "W", "horizon") == to_time_units("364D", "W", "horizon") == 52.0
    assert to_time_units("52W", "D", "horizon") == to_time_units(364, "D", "horizon") == 364.0
    assert to_time_units(pd.Timedelta(days=7), "W", "horizon") == 1.0
    assert to_time_units("365", "D", "horizon") == 365.0


def test_a_bare_number_with_weekly_features_is_ambiguous_and_shows_both_readings():
    with pytest.raises(TierkitError) as info:
        to_time_units(52, "W", "horizon")
    assert str(info.value) == 'horizon=52 is ambiguous for features in weeks: write "52W" (52 weeks) or "52D" (52 days)'
    with pytest.raises(TierkitError, match=r'--horizon=365 is ambiguous .* "365W" \(365 weeks\) or "365D"'):
        to_time_units("365", "W", "--horizon")
    with pytest.raises(TierkitError, match=r'at_risk_after=2.5 is ambiguous .* "2.5W"'):
        to_time_units(2.5, "W", "at_risk_after")
    with pytest.raises(TierkitError, match="time_unit: 'M' is not supported"):
        to_time_units("52W", "M", "horizon")


def test_written_back():
    assert duration_text(52.0, "W") == "52W" and duration_text(364.0, "D") == "364D"
    assert parse_duration(duration_text(30.5, "D"), "h") == (30.5, "D")
    assert as_given("52W") == "52W" and as_given(365) == 365.0 and as_given(dt.timedelta(weeks=2)) == "14D"


def test_the_feature_table_proves_its_unit_from_its_purchase_dates():
    tx = make_tx([("a", "2021-03-01", 1.0), ("a", "2021-03-11", 1.0), ("b", "2021-03-20", 1.0)])
    for unit in ("D", "W"):
        f = tk.rfm_features(tx, as_of="2021-04-01", time_unit=unit)
        f.attrs.clear()
        assert time_unit_from_dates(f) == unit == features_time_unit(f)
        f.attrs["time_unit"] = unit
        assert features_time_unit(f) == unit
    one_timers = tk.rfm_features(make_tx([("b", "2021-03-20", 1.0)]), as_of="2021-04-01")
    assert time_unit_from_dates(one_timers) is None  # nobody bought on two days: nothing to prove
    numbers = f.drop(columns=["first_purchase", "last_purchase"])
    numbers.attrs.clear()
    assert time_unit_from_dates(numbers) is None and features_time_unit(numbers) is None
    odd = f.assign(recency_btyd=f["recency_btyd"] * 3)  # neither days nor weeks
    assert time_unit_from_dates(odd) is None
