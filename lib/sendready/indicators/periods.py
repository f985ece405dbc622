"""Reporting periods and the counting patterns every indicator is built from.

Indicators are computed "as at" a period end from staged tables that may hold later
records (an extract is taken after the period closes). Every helper here only counts
events dated within a period, and stock measures are taken at the period's last day, so
nothing recorded after the period end can leak into its figures.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def as_timestamp(value: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    """A period end as a normalised timestamp (dates arrive as ISO strings from papermill)."""
    return pd.Timestamp(value).normalize()


def monthly_periods(start: dt.date | str, end: dt.date | str) -> pd.DataFrame:
    """Calendar months from the month containing ``start`` to the one containing ``end``.

    The last month is cut at ``end`` so that a period end in mid-month counts nothing
    after it.

    Returns:
        Frame with ``period_start`` and ``period_end`` (inclusive), oldest first.
    """
    start_ts, end_ts = as_timestamp(start), as_timestamp(end)
    if end_ts < start_ts:
        raise ValueError(f"period end {end_ts.date()} falls before series start {start_ts.date()}")
    starts = pd.date_range(start_ts.to_period("M").start_time, end_ts, freq="MS")
    ends = (starts + pd.offsets.MonthEnd(0)).where(
        starts + pd.offsets.MonthEnd(0) <= end_ts, end_ts
    )
    return pd.DataFrame({"period_start": starts, "period_end": ends})


def quarter_period(period_end: dt.date | str) -> pd.DataFrame:
    """The three months that end on ``period_end`` (the reporting quarter).

    Counted back from the day after the end: 30 June less three months would be 30 March,
    and a quarter to 30 June starting on 31 March would count that day twice.
    """
    end_ts = as_timestamp(period_end)
    start_ts = end_ts + pd.Timedelta(days=1) - pd.DateOffset(months=3)
    return pd.DataFrame({"period_start": [start_ts], "period_end": [end_ts]})


def assign_period(dates: pd.Series, periods: pd.DataFrame) -> pd.Series:
    """Index (position in ``periods``) of the period each date falls in; -1 outside all.

    Periods must be sorted and must not overlap.
    """
    values = pd.to_datetime(dates).to_numpy(dtype="datetime64[ns]")
    starts = periods["period_start"].to_numpy(dtype="datetime64[ns]")
    ends = periods["period_end"].to_numpy(dtype="datetime64[ns]")
    pos = np.searchsorted(starts, values, side="right") - 1
    valid = ~np.isnat(values) & (pos >= 0)
    pos_clipped = np.clip(pos, 0, len(periods) - 1)
    valid &= values <= ends[pos_clipped]
    return pd.Series(np.where(valid, pos, -1), index=dates.index)


def flow_proportion(
    events: pd.DataFrame, date_column: str, success: pd.Series, periods: pd.DataFrame
) -> pd.DataFrame:
    """Numerator and denominator of a proportion of events, by the period of ``date_column``.

    Args:
        events: One row per event already restricted to the denominator population.
        date_column: The date that places an event in a period (e.g. the date a plan was
            issued, as DfE counts the 20-week measure by month of issue).
        success: Boolean per event: counts towards the numerator.
        periods: From :func:`monthly_periods` or :func:`quarter_period`.
    """
    idx = assign_period(events[date_column], periods)
    frame = pd.DataFrame({"p": idx, "success": success.fillna(False).astype(bool)})
    frame = frame[frame["p"] >= 0]
    grouped = frame.groupby("p")["success"].agg(["sum", "count"])
    out = periods.copy()
    out["numerator"] = grouped["sum"].reindex(range(len(periods)), fill_value=0).to_numpy()
    out["denominator"] = grouped["count"].reindex(range(len(periods)), fill_value=0).to_numpy()
    return out


def flow_count(events: pd.DataFrame, date_column: str, periods: pd.DataFrame) -> pd.DataFrame:
    """Count of events by the period of ``date_column`` (no denominator)."""
    idx = assign_period(events[date_column], periods)
    counts = pd.Series(idx[idx >= 0]).value_counts()
    out = periods.copy()
    out["numerator"] = counts.reindex(range(len(periods)), fill_value=0).to_numpy()
    out["denominator"] = pd.NA
    return out


def flow_median(
    events: pd.DataFrame, date_column: str, values: pd.Series, periods: pd.DataFrame
) -> pd.DataFrame:
    """Median of ``values`` over events in each period, with the count as denominator."""
    idx = assign_period(events[date_column], periods)
    frame = pd.DataFrame({"p": idx, "v": pd.to_numeric(values, errors="coerce")})
    frame = frame[(frame["p"] >= 0) & frame["v"].notna()]
    grouped = frame.groupby("p")["v"].agg(["median", "count"])
    out = periods.copy()
    out["value"] = grouped["median"].reindex(range(len(periods))).to_numpy()
    out["numerator"] = pd.NA
    out["denominator"] = grouped["count"].reindex(range(len(periods)), fill_value=0).to_numpy()
    return out


def stock_at_period_end(
    periods: pd.DataFrame, open_from: pd.Series, open_until: pd.Series
) -> np.ndarray:
    """Boolean matrix (periods x rows): row is open on each period's last day.

    A row is open on day ``d`` when ``open_from <= d`` and ``open_until`` is blank or after
    ``d`` (so a plan that ceases on the last day of a month no longer counts at month end).
    Memory is periods x rows booleans: fine for a few hundred thousand rows and 36-60
    months; callers with more rows should aggregate first.
    """
    ends = periods["period_end"].to_numpy(dtype="datetime64[ns]")[:, None]
    start = pd.to_datetime(open_from).to_numpy(dtype="datetime64[ns]")[None, :]
    until = pd.to_datetime(open_until).to_numpy(dtype="datetime64[ns]")[None, :]
    started = ~np.isnat(start) & (start <= ends)
    not_closed = np.isnat(until) | (until > ends)
    return started & not_closed


def days_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """Whole days from ``earlier`` to ``later`` as a nullable integer."""
    delta = pd.to_datetime(later) - pd.to_datetime(earlier)
    return (delta.dt.days).astype("Int64")


def stock_count(periods: pd.DataFrame, open_from: pd.Series, open_until: pd.Series) -> np.ndarray:
    """Rows open on each period's last day, counted without a periods x rows matrix.

    The same rule as :func:`stock_at_period_end` (open from ``open_from``, closed on
    ``open_until``), summed over rows: the count open on day ``d`` is the rows opened on or
    before ``d`` less the rows also closed on or before ``d``. Two sorted arrays and a
    binary search per period keep memory linear in the rows, so sources of hundreds of
    thousands of rows (health referrals at scale) need no aggregation first.
    """
    ends = periods["period_end"].to_numpy(dtype="datetime64[ns]")
    start = pd.to_datetime(open_from).to_numpy(dtype="datetime64[ns]")
    until = pd.to_datetime(open_until).to_numpy(dtype="datetime64[ns]")
    closes = ~np.isnat(until)
    # A row closed on or before the day it opened is never open on any day.
    counted = ~np.isnat(start) & ~(closes & (until <= start))
    opened = np.sort(start[counted])
    closed = np.sort(until[counted & closes])
    return np.searchsorted(opened, ends, side="right") - np.searchsorted(closed, ends, side="right")


def stock_proportion(
    rows: pd.DataFrame, open_from: str, open_until: str, success: pd.Series, periods: pd.DataFrame
) -> pd.DataFrame:
    """Numerator and denominator of a proportion of a stock taken on each period's last day.

    The stock counterpart of :func:`flow_proportion`: e.g. plans with a personal budget
    among the plans active at month end.

    Args:
        rows: One row per item of the stock (plan, package, contract).
        open_from: Column holding the day the item joins the stock.
        open_until: Column holding the day it leaves (blank while still open).
        success: Boolean per row: counts towards the numerator; blank counts as no.
        periods: From :func:`monthly_periods` or :func:`quarter_period`.
    """
    hit = success.fillna(False).astype(bool).to_numpy()
    out = periods.copy()
    out["numerator"] = stock_count(periods, rows[open_from][hit], rows[open_until][hit])
    out["denominator"] = stock_count(periods, rows[open_from], rows[open_until])
    return out
