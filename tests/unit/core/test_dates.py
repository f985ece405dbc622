"""Period ends and dates in words without pandas (dates.py), checked against pandas."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sendready.core.dates import iso_date, latest_quarter_end, long_date


@pytest.mark.parametrize(
    "value",
    [
        "2019-03-31",
        " 2019-03-31 ",
        "2019-03-31T00:00:00",
        "2019-03-31 17:45:00",
        dt.date(2019, 3, 31),
        dt.datetime(2019, 3, 31, 23, 59),
        pd.Timestamp("2019-03-31 12:00"),
    ],
)
def test_iso_date_reads_every_form_a_period_end_arrives_in(value):
    assert iso_date(value) == dt.date(2019, 3, 31)


@pytest.mark.parametrize("text", ["31/03/2019", "2019-02-30", "", "next Tuesday"])
def test_iso_date_refuses_what_is_not_an_iso_date(text):
    with pytest.raises(ValueError):
        iso_date(text)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2019-03-31", "31 March 2019"),
        ("2024-01-05", "5 January 2024"),
        (dt.date(2017, 9, 1), "1 September 2017"),
    ],
)
def test_long_date_has_no_leading_zero_and_the_month_in_full(value, words):
    assert long_date(value) == words


def test_latest_quarter_end_agrees_with_pandas_on_every_day_of_three_years():
    # A second method: pandas' quarter-end offsets, which the suite used before.
    for stamp in pd.date_range("2018-01-01", "2020-12-31", freq="D"):
        expected = (stamp + pd.offsets.QuarterEnd(0)).normalize()
        if expected > stamp:
            expected = (stamp - pd.offsets.QuarterEnd(1)).normalize()
        assert latest_quarter_end(stamp.date()) == expected.date(), stamp
