"""Period ends and dates in words, without pandas (the re-run path must stay light).

Period ends arrive as ISO strings from the command line and from papermill parameters,
as ``datetime.date`` from code, and as ``pd.Timestamp`` from the indicator tables; all of
them mean a calendar day.
"""

from __future__ import annotations

import datetime as dt


def iso_date(value: dt.date | str) -> dt.date:
    """The calendar day a period end names (a time of day, if any, is dropped).

    Raises:
        ValueError: the text is not an ISO date or date-time.
    """
    if isinstance(value, dt.datetime):  # pd.Timestamp is a datetime too
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.datetime.fromisoformat(text).date()


def long_date(value: dt.date | str) -> str:
    """A day as ``"31 March 2019"``: no leading zero, month in full, any platform."""
    day = iso_date(value)
    return f"{day.day} {day:%B %Y}"


def latest_quarter_end(on_or_before: dt.date | str) -> dt.date:
    """The last day of the latest calendar quarter ending on or before a date."""
    day = iso_date(on_or_before)
    first_month = (day.month - 1) // 3 * 3 + 1
    quarter_start = dt.date(day.year, first_month, 1)
    next_start = (
        dt.date(day.year + 1, 1, 1) if first_month == 10 else dt.date(day.year, first_month + 3, 1)
    )
    quarter_end = next_start - dt.timedelta(days=1)
    return day if day == quarter_end else quarter_start - dt.timedelta(days=1)
