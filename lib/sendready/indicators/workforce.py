"""Training coverage of a staff group: the shared basis of ID06 (SENCOs) and HAW05 (health).

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

COUNTING_NOTE = (
    "The training extract has no person identifier, so completion records are counted, "
    "not people, and the count is capped at the headcount. Records are cumulative: staff "
    "who trained and then left still count, so coverage is overstated where turnover is high. "
    "Headcount is the staff group's total over all organisations at the latest workforce "
    "date on or before the period end."
)


def trained_share(
    data: StagedData, periods: pd.DataFrame, staff_group: str, course: str
) -> pd.DataFrame:
    """Completed ``course`` records of ``staff_group`` on or before each period end, over
    the group's headcount then (see the module docstring for how people are counted)."""
    training = data.require("training")
    workforce = data.require("workforce")
    ends = periods["period_end"].to_numpy(dtype="datetime64[ns]")

    done = training.loc[
        (training["staff_group"] == staff_group) & (training["course"] == course),
        "completed_date",
    ]
    completed = np.sort(done.dropna().to_numpy(dtype="datetime64[ns]"))
    records = np.searchsorted(completed, ends, side="right")

    group = workforce[workforce["staff_group"] == staff_group]
    if group.empty:
        raise NoData(f"the workforce extract has no headcount for the staff group {staff_group}")
    by_date = group.groupby("period")["headcount"].sum().sort_index()
    latest = np.searchsorted(by_date.index.to_numpy(dtype="datetime64[ns]"), ends, "right") - 1
    totals = by_date.to_numpy(dtype=float, na_value=0.0)
    headcount = np.where(latest >= 0, totals[np.clip(latest, 0, None)], 0.0)

    out = periods.copy()
    out["numerator"] = np.minimum(records, headcount)
    out["denominator"] = headcount
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
        numerator=f"{staff_words} completions of {course_words} training on or before the "
        "period end (records, capped at the headcount)",
        denominator=f"{staff_words} headcount at the latest workforce date on or before the "
        "period end",
        notes=COUNTING_NOTE,
    )
