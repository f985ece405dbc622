"""When a published figure could first have been read: a pack knows nothing after its
period end.

DfE's "Education, health and care plans" release comes out once a year, in June. The
release of year R gives the caseload on the January census of year R (periods such as
``2025-01``, filed as academic years) and the activity of calendar year R - 1 (requests,
assessments and plans issued within 20 weeks: periods such as ``2024``). So the figure
for calendar year Y is published in June Y + 1, and the January census of year Y in
June Y. The day in June has varied from year to year, so a figure is counted as
published on 30 June of its release year: a pack whose period ends earlier than that
never shows it, and a pack ending on 30 June or later does.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

RELEASE_MONTH, RELEASE_DAY = 6, 30  # the latest day in June the release could come out


def published_on(period: str, time_identifier: str) -> dt.date:
    """The day a figure counts as published (module docstring).

    Args:
        period: ``YYYY`` (a calendar year) or ``YYYY-MM`` (a census month).
        time_identifier: The release's ``time_identifier``; ``Calendar year`` figures
            come out the year after, everything else (census counts) the same year.
    """
    year = int(str(period)[:4])
    if str(time_identifier).strip().lower() == "calendar year":
        year += 1
    return dt.date(year, RELEASE_MONTH, RELEASE_DAY)


def published_by(values: pd.DataFrame, period_end: object) -> pd.DataFrame:
    """The rows of ``values`` (``period``, ``time_identifier``) published by ``period_end``."""
    end = pd.Timestamp(period_end).date()
    pairs = values[["period", "time_identifier"]].drop_duplicates()
    known = {
        (p, t) for p, t in pairs.itertuples(index=False, name=None) if published_on(p, t) <= end
    }
    keep = [
        (p, t) in known for p, t in zip(values["period"], values["time_identifier"], strict=True)
    ]
    return values[keep]
