"""British-style formatting of numbers and dates, checked on hand-worked edge cases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sendready.core.formatting import (
    NO_DATA,
    format_count,
    format_date,
    format_month,
    format_number,
    format_percent,
    format_value,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (58.25, "58.3%"),  # half up; Python's round(58.25, 1) gives 58.2 (binary float)
        (58.24, "58.2%"),
        (0.15, "0.2%"),  # round(0.15, 1) == 0.1 in Python: the float is 0.1499999...
        (2.675, "2.7%"),
        (0.05, "0.1%"),
        (0.04, "0.0%"),
        (0, "0.0%"),
        (100, "100.0%"),
        (99.96, "100.0%"),
        (1234.56, "1,234.6%"),
        (-0.04, "0.0%"),  # no "-0.0%"
        (-12.35, "-12.4%"),  # half up means away from zero, as readers round by hand
        (np.float64(55.2), "55.2%"),
        (np.int64(7), "7.0%"),
    ],
)
def test_format_percent_rounds_half_up_to_one_place(value, expected):
    assert format_percent(value) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_read_no_data(missing):
    assert format_percent(missing) == NO_DATA == "no data"
    assert format_count(missing) == NO_DATA
    assert format_date(missing) == NO_DATA
    assert format_value(missing, "days") == NO_DATA


def test_infinity_is_not_a_figure():
    assert format_percent(float("inf")) == NO_DATA


def test_format_percent_places():
    assert format_percent(58.254, places=2) == "58.25%"
    assert format_percent(58.255, places=2) == "58.26%"
    assert format_percent(58.5, places=0) == "59%"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (1234, "1,234"),
        (1234567, "1,234,567"),
        (2.5, "3"),
        (3.5, "4"),
        (1234.4, "1,234"),
        (np.int64(999), "999"),
        (pd.array([12], dtype="Int64")[0], "12"),
    ],
)
def test_format_count_groups_thousands(value, expected):
    assert format_count(value) == expected


def test_format_number():
    assert format_number(1234.55) == "1,234.6"
    assert format_number(1234.55, 0) == "1,235"


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2019, 3, 31),
        dt.datetime(2019, 3, 31, 14, 5),
        pd.Timestamp("2019-03-31"),
        "2019-03-31",
        np.datetime64("2019-03-31"),
    ],
)
def test_format_date_british_without_leading_zero(value):
    assert format_date(value) == "31 March 2019"


def test_format_date_single_digit_day():
    assert format_date(dt.date(2017, 6, 1)) == "1 June 2017"
    assert format_month(dt.date(2017, 6, 1)) == "June 2017"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (88.0, "percent", "88.0%"),
        (38.5, "days", "38.5 days"),
        (38.0, "days", "38 days"),
        (37.96, "days", "38 days"),  # 38.0 after rounding: no "38.0 days"
        (12.34, "per_10000", "12.3 per 10,000"),
        (1234.5, "gbp", "£1,235"),
        (1234, "count", "1,234"),
        (2.25, "count", "2.3"),
        (5, "anything", "5"),
        (1.0275, "ratio", "1.0"),  # an over-dispersion phi keeps its decimal
        (5.74, "ratio", "5.7"),
    ],
)
def test_format_value_by_unit(value, unit, expected):
    assert format_value(value, unit) == expected
