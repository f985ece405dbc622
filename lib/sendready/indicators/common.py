"""Counting patterns that more than one indicator family needs.

:mod:`sendready.indicators.periods` holds the basic patterns (events in a period, stocks
at a period end). The helpers here build on them for shapes that recur across families:
yes/no columns where a blank means "not recorded", sums of daily counts, running totals,
rows split by a breakdown, and board meetings assembled from one row per
organisation. Keeping them in one place means a rule (for example "a blank is not a yes")
is decided once and read the same way by every indicator.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np
import pandas as pd

from sendready.indicators.periods import assign_period, stock_count
from sendready.indicators.registry import StagedData

OVERALL = ""  # breakdown label of the whole-area rows (as the engine expects)


def yes(frame: pd.DataFrame, column: str) -> pd.Series:
    """A yes/no column as plain booleans, where blank (or an absent column) means no.

    Why: a review that does not record the young person's part in it, or a meeting that
    does not record who came, has not evidenced it. Counting blanks as "no" keeps the
    denominator honest and makes poor recording visible instead of hiding it.
    """
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].fillna(False).astype(bool)


def code_in(frame: pd.DataFrame, column: str, codes: tuple[str, ...]) -> pd.Series:
    """Plain booleans: the code column holds one of ``codes`` (blank or absent is False)."""
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].isin(codes).fillna(False).astype(bool)


def member_of(values: pd.Series, allowed: pd.Series | Collection) -> pd.Series:
    """Plain booleans: each value appears among ``allowed`` (a blank is never a member).

    Why: identifiers are Arrow-backed strings, and pandas' ``isin`` on those checks the
    allowed values through a Python list (pandas 3.1), which took 14 s for the linkage
    table of a large county's data-quality report; Arrow's own ``is_in`` hashes them and
    takes a fraction of a second. Other dtypes keep pandas' ``isin``.
    """
    allowed = allowed if isinstance(allowed, pd.Series) else pd.Series(list(allowed))
    if not (
        pd.api.types.is_string_dtype(values.dtype) and pd.api.types.is_string_dtype(allowed.dtype)
    ):
        return (values.isin(allowed).fillna(False).astype(bool) & values.notna()).astype(bool)
    import pyarrow as pa
    import pyarrow.compute as pc

    column = pa.array(values.astype("string[pyarrow]"))
    value_set = pa.array(allowed.dropna().astype("string[pyarrow]").unique()).cast(column.type)
    found = pc.fill_null(pc.is_in(column, value_set=value_set), False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def end_of_own_period(dates: pd.Series, periods: pd.DataFrame) -> pd.Series:
    """The end of the period each date falls in (NaT outside every period).

    Why: some successes must be judged "by the end of the period the event belongs to"
    (feedback answered by the period end), so each event needs its own cut-off date.
    """
    idx = assign_period(dates, periods).to_numpy()
    ends = periods["period_end"].to_numpy(dtype="datetime64[ns]")
    cut = np.where(idx >= 0, ends[np.clip(idx, 0, None)], np.datetime64("NaT", "ns"))
    return pd.Series(cut, index=dates.index)


def never(index: pd.Index) -> pd.Series:
    """A blank "closed on" date for every row: for stocks that only ever grow."""
    return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")


def count_by_period_end(periods: pd.DataFrame, dates: pd.Series) -> np.ndarray:
    """Rows dated on or before each period's end (a running total)."""
    return stock_count(periods, dates, never(dates.index))


def sums_by_period(
    events: pd.DataFrame, date_column: str, columns: tuple[str, ...], periods: pd.DataFrame
) -> pd.DataFrame:
    """Totals of ``columns`` over the rows dated in each period.

    Returns the periods with one total per column (NaN where no row falls in the period,
    because a month with no rows at all means no data was supplied, not zero activity),
    and ``months_with_data``: distinct calendar months in the period holding any row.
    """
    idx = assign_period(events[date_column], periods)
    frame = events.loc[idx >= 0, list(columns)].apply(pd.to_numeric).astype(float)
    frame["p"] = idx[idx >= 0]
    frame["month"] = pd.to_datetime(events.loc[idx >= 0, date_column]).dt.to_period("M")
    totals = frame.groupby("p")[list(columns)].sum(min_count=1)
    months = frame.groupby("p")["month"].nunique()
    out = periods.copy()
    for column in columns:
        out[column] = totals[column].reindex(range(len(periods))).to_numpy()
    out["months_with_data"] = months.reindex(range(len(periods)), fill_value=0).to_numpy()
    return out


def with_breakdown(
    events: pd.DataFrame, column: str, rows_for: Callable[[pd.DataFrame], pd.DataFrame]
) -> pd.DataFrame:
    """The whole-area rows plus one set of rows per value of ``column``.

    Args:
        events: The events an indicator counts.
        column: The column to split by (e.g. ``provider``); blank values appear only in
            the whole-area rows.
        rows_for: Turns a subset of ``events`` into rows for every period.

    Returns:
        Rows labelled ``breakdown`` "" (whole area) then ``"<column>=<value>"``.
    """
    frames = [rows_for(events).assign(breakdown=OVERALL)]
    for value, group in events.groupby(column, sort=True, dropna=True):
        frames.append(rows_for(group).assign(breakdown=f"{column}={value}"))
    return pd.concat(frames, ignore_index=True)


def reviews_held(data: StagedData) -> pd.DataFrame:
    """Annual reviews whose meeting has taken place (placed in a period by meeting date)."""
    reviews = data.require("annual_reviews")
    return reviews[reviews["meeting_date"].notna()]


def board_meetings(data: StagedData) -> pd.DataFrame:
    """One row per board meeting, with a yes/no column per organisation that attended.

    A meeting is a (``meeting_date``, ``board``) pair: two boards meeting on the same day
    are two meetings. The governance extract has one row per organisation expected at a
    meeting; an organisation with no row, or a blank ``attended``, was not recorded as
    present and counts as absent.
    """
    governance = data.require("governance")
    present = governance.assign(present=yes(governance, "attended"))
    table = (
        present.groupby(["meeting_date", "board", "organisation"], observed=True)["present"]
        .any()
        .unstack("organisation", fill_value=False)
    )
    return table.astype(bool).reset_index()


def attended_all(meetings: pd.DataFrame, organisations: tuple[str, ...]) -> pd.Series:
    """Plain booleans: every one of ``organisations`` was present at the meeting."""
    present = pd.Series(True, index=meetings.index)
    for organisation in organisations:
        if organisation not in meetings:
            return pd.Series(False, index=meetings.index)
        present &= meetings[organisation]
    return present
