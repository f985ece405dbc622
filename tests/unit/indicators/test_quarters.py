"""The previous quarter read from the indicator table's monthly rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.indicator_tables import NUMS, PREVIOUS, monthly_table
from helpers.indicator_tables import monthly_table as _table
from helpers.quarters_reference import composition_row_by_row as _composition_row_by_row
from sendready.indicators.quarters import (
    previous_quarter,
    quarter_composition,
    quarter_kind,
)


@pytest.fixture(scope="module")
def table():
    return _table(NUMS)


# --- previous quarter -------------------------------------------------------------------------


def test_previous_quarter_of_a_flow_indicator_is_the_sum_of_its_three_months(table):
    assert quarter_kind(table, "EHC01") == "flow"
    previous = previous_quarter(table, "EHC01")
    assert (previous["numerator"], previous["denominator"]) == PREVIOUS
    assert previous["period_end"] == pd.Timestamp("2018-12-31")
    assert previous["value"] == pytest.approx(70.0)


def test_previous_quarter_of_a_stock_indicator_is_the_month_before_the_quarter():
    nums = list(range(100, 136))  # active plans at each month end, rising by one
    stock = _table(
        nums,
        den=0,
        indicator_id="EHC09",
        title="Active EHC plans",
        quarter=(135, 0),
        statistic="count",
    )
    stock["denominator"] = pd.array([pd.NA] * len(stock), dtype="Float64")
    stock["value"] = stock["numerator"]
    stock["no_data"] = False
    assert quarter_kind(stock, "EHC09") == "stock"
    previous = previous_quarter(stock, "EHC09")
    assert previous["numerator"] == 132  # December 2018, the 33rd month: 100 + 32
    assert previous["period_end"] == pd.Timestamp("2018-12-31")


def test_previous_quarter_is_unknown_when_neither_reading_fits_or_taken_from_a_saved_table(table):
    odd = _table(NUMS, quarter=(40, 60))  # matches neither the sum (43) nor March (14)
    assert quarter_kind(odd, "EHC01") == "unknown"
    assert previous_quarter(odd, "EHC01") is None
    saved = _table(NUMS[:-3], quarter=(41, 60))  # last period's run, ending December 2018
    row = previous_quarter(table, "EHC01", previous_table=saved)
    assert (row["numerator"], row["period_end"]) == (41, pd.Timestamp("2018-12-31"))


def test_a_quarter_that_fits_both_readings_is_unknown():
    # Only March 2019 had cases: the sum of the months and the last month are both 5 of
    # 10, so the table cannot say which kind the indicator is.
    nums = NUMS[:-3] + [0, 0, 5]
    table = _table(nums, den=20)
    months = table.index[table["period_type"] == "month"][-3:]
    table.loc[months, "denominator"] = [0.0, 0.0, 10.0]
    table.loc[table.index[-1], ["numerator", "denominator"]] = [5.0, 10.0]
    assert quarter_kind(table, "EHC01") == "unknown"
    assert previous_quarter(table, "EHC01") is None


def test_no_previous_quarter_for_a_median():
    # Case counts add up over months, but a median of medians is not the quarter's median.
    medians = _table(NUMS, statistic="median")
    medians["numerator"] = pd.array([pd.NA] * len(medians), dtype="Float64")
    assert quarter_kind(medians, "EHC01") == "flow"
    assert previous_quarter(medians, "EHC01") is None


def _users(nums, quarter_value):
    """Website users a month (statistic "sum"), with the quarter row's value given."""
    users = _table(
        nums,
        den=0,
        indicator_id="LO01",
        title="Local offer website users per month",
        statistic="sum",
    )
    users["denominator"] = pd.array([pd.NA] * len(users), dtype="Float64")
    users["value"] = users["numerator"]
    users.loc[users.index[-1], "value"] = quarter_value
    users["no_data"] = False
    return users


def test_previous_quarter_of_a_monthly_average_is_a_monthly_average():
    # LO01 shows its quarter as the average month: Jan-Mar 2019 are 1,745, 1,713 and
    # 1,806 (5,264 in all, 1,754.7 a month); Oct-Dec 2018 are 1,837, 1,782 and 1,407
    # (5,026 in all), so the previous quarter reads 5,026 / 3 = 1,675.3 a month.
    nums = [1500] * 30 + [1837, 1782, 1407, 1745, 1713, 1806]
    users = _users(nums, 5264 / 3)
    assert quarter_kind(users, "LO01") == "flow"
    previous = previous_quarter(users, "LO01")
    assert previous["value"] == pytest.approx(5026 / 3)
    assert previous["numerator"] == 5026  # the counts stay the months' total


def test_previous_quarter_of_a_three_month_total_is_a_total():
    nums = [1500] * 30 + [1837, 1782, 1407, 1745, 1713, 1806]
    users = _users(nums, 5264)
    assert previous_quarter(users, "LO01")["value"] == pytest.approx(5026)
    # A quarter value that is neither the total nor the average: no previous quarter.
    assert previous_quarter(_users(nums, 1000), "LO01") is None


# --- quarter composition against a row-by-row reading --------------------------------------


def _random_table(seed: int) -> pd.DataFrame:
    """Several breakdowns and two quarters, some quarters sums of their months, some last
    months, some neither; blank counts, missing months and a breakdown with no months."""
    rng = np.random.default_rng(seed)
    parts = []
    for b, label in enumerate(["", "school 1", "school 2", "school 3", "no months"]):
        nums = [float(x) for x in rng.integers(0, 9, 12)]
        part = monthly_table(nums, den=10, quarter=(sum(nums[-3:]), 30))
        if b % 2:  # a stock: the quarter holds the last month's counts
            part.loc[part["period_type"] == "quarter", ["numerator", "denominator"]] = [
                nums[-1],
                10.0,
            ]
        if b == 3:
            part.loc[part.index[4], "numerator"] = pd.NA  # a blank month
            part = part.drop(index=part.index[10])  # a month missing
        if label == "no months":
            part = part[part["period_type"] == "quarter"]
        earlier = part[part["period_type"] == "quarter"].copy()
        earlier["period_start"] -= pd.DateOffset(months=3)
        earlier["period_end"] = earlier["period_start"] + pd.offsets.QuarterEnd(0)
        earlier["numerator"] = float(rng.integers(0, 25))
        parts.append(pd.concat([part, earlier]).assign(breakdown=label))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("seed", range(6))
def test_quarter_composition_matches_the_row_by_row_reading(seed):
    rows = _random_table(seed)
    fast = quarter_composition(rows)
    slow = _composition_row_by_row(rows)
    assert set(fast.index) == set(slow)
    for label, (covered, flow, stock, months) in slow.items():
        got = fast.loc[label]
        assert (
            bool(got["covered"]),
            bool(got["flow"]),
            bool(got["stock"]),
            list(got["months"]),
        ) == (covered, flow, stock, months), label
    # The random tables do exercise every outcome.
    assert fast["covered"].any() and not fast["covered"].all()
    assert fast["flow"].any() and fast["stock"].any()


def test_quarter_composition_ignores_blank_breakdowns_and_refuses_repeated_labels():
    rows = monthly_table([5, 6, 7, 8])
    blank = rows.assign(breakdown=pd.NA)
    assert not quarter_composition(blank)["covered"].any()
    with pytest.raises(ValueError, match="unique"):
        quarter_composition(pd.concat([rows, rows]))
