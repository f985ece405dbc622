"""Training coverage of a staff group: the shared basis of ID06 (SENCOs) and HAW05 (health).

Coverage is a rolling twelve-month measure: completions in the twelve months to each
period end, over the headcount then. A cumulative count (every completion ever, over
today's headcount) can only rise: staff who trained years ago and have since left keep
counting, so the series climbs by construction and a control chart reads the climb as
improvement. Over a rolling year, training that is not repeated drops out, so the
measure falls when training stops and rises only while it keeps pace with the staff
group.

The training extract holds one row per completion with no person identifier, so people
cannot be counted: completion records are counted instead, and the count is capped at the
headcount so that a member of staff who attended twice cannot take coverage over 100%.
The headcount comes from the workforce extract at the latest headcount date on or before
each period end (summed over organisations), because workforce returns are made a few
times a year rather than monthly.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from sendready.indicators.registry import IndicatorDefinition, NoData, StagedData

# Completions count for this long: the rolling window of the measure.
WINDOW = pd.DateOffset(months=12)

COUNTING_NOTE = (
    "A rolling twelve-month measure: completions in the twelve months to the period end "
    "count, so training more than a year old drops out and the figure does not rise merely "
    "because records accumulate. The training extract has no person identifier, so "
    "completion records are counted, not people, and the count is capped at the headcount; "
    "staff who trained within the year and then left still count. Headcount is the staff "
    "group's total over all organisations at the latest workforce date on or before the "
    "period end."
)


def trained_share(
    data: StagedData, periods: pd.DataFrame, staff_group: str, course: str
) -> pd.DataFrame:
    """Completed ``course`` records of ``staff_group`` in the twelve months to each period
    end (after the same day a year earlier, up to and including the period end), over the
    group's headcount then (see the module docstring for how people are counted)."""
    training = data.require("training")
    workforce = data.require("workforce")
    ends = periods["period_end"].to_numpy(dtype="datetime64[ns]")

    done = training.loc[
        (training["staff_group"] == staff_group) & (training["course"] == course),
        "completed_date",
    ]
    completed = np.sort(done.dropna().to_numpy(dtype="datetime64[ns]"))
    starts = (pd.DatetimeIndex(ends) - WINDOW).to_numpy(dtype="datetime64[ns]")
    records = np.searchsorted(completed, ends, side="right") - np.searchsorted(
        completed, starts, side="right"
    )

    group = workforce[workforce["staff_group"] == staff_group]
    if group.empty:
        raise NoData(f"the workforce extract has no headcount for the staff group {staff_group}")
    by_date = group.groupby("period")["headcount"].sum().sort_index()
    latest = np.searchsorted(by_date.index.to_numpy(dtype="datetime64[ns]"), ends, "right") - 1
    totals = by_date.to_numpy(dtype=float, na_value=0.0)
    headcount = np.where(latest >= 0, totals[np.clip(latest, 0, None)], 0.0)

    # A rolling year that starts before the extract's first record is not a year: the
    # count would climb while the window fills, and read as improvement. Such periods
    # have no figure (the extract's coverage is taken to start at its first record).
    first = training["completed_date"].min()
    partial_year = starts < np.datetime64(first) if pd.notna(first) else np.zeros(len(ends), bool)
    out = periods.copy()
    out["numerator"] = np.where(partial_year, 0, np.minimum(records, headcount))
    out["denominator"] = np.where(partial_year, 0, headcount)
    out["no_data_reason"] = np.where(
        partial_year,
        f"the training extract starts on {pd.Timestamp(first).day} "
        f"{pd.Timestamp(first):%B %Y}, less than twelve "
        "months before the period end"
        if pd.notna(first)
        else "",
        "",
    )
    return out


def training_indicator(
    indicator_id: str,
    title: str,
    weakness: str,
    staff_group: str,
    course: str,
    staff_words: str,
    course_words: str,
) -> IndicatorDefinition:
    """The definition of a "share of a staff group trained on a course" indicator."""
    return IndicatorDefinition(
        id=indicator_id,
        title=title,
        sources=("training", "workforce"),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=(weakness,),
        compute=partial(trained_share, staff_group=staff_group, course=course),
        numerator=f"{staff_words} completions of {course_words} training in the twelve "
        "months to the period end (records, capped at the headcount)",
        denominator=f"{staff_words} headcount at the latest workforce date on or before the "
        "period end",
        notes=COUNTING_NOTE,
    )
