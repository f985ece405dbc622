"""SEND training of mainstream school staff by phase, over a rolling 12 months (TRN01-TRN02).

Inspectors in several areas found low uptake of SEND training by mainstream primary and
secondary staff. The share is of teachers in schools of the phase: training records
(graduated approach) completed in the 12 months to each period end, over the phase's
teacher headcount at the latest workforce date on or before it. Both extracts carry the
school's phase. The training extract has no person identifier, so records are counted,
not people, and the count is capped at the headcount.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from sendready.indicators.registry import IndicatorDefinition, NoData, StagedData, register

COURSES = ("graduated_approach",)
STAFF_GROUP = "teacher"
# Rolling window: completions on the period end and the 364 days before it.
WINDOW_DAYS = 365


def trained_in_phase(data: StagedData, periods: pd.DataFrame, phase: str) -> pd.DataFrame:
    """Teachers' SEND training records in the 12 months to each period end, over the
    phase's teacher headcount then."""
    training = data.require("training")
    workforce = data.require("workforce")
    ends = periods["period_end"].to_numpy(dtype="datetime64[ns]")
    done = training.loc[
        (training["staff_group"] == STAFF_GROUP)
        & training["course"].isin(COURSES)
        & (training["phase"] == phase),
        "completed_date",
    ]
    completed = np.sort(done.dropna().to_numpy(dtype="datetime64[ns]"))
    window = np.timedelta64(WINDOW_DAYS, "D")
    records = np.searchsorted(completed, ends, "right") - np.searchsorted(
        completed, ends - window, "right"
    )
    staff = workforce[(workforce["staff_group"] == STAFF_GROUP) & (workforce["phase"] == phase)]
    if staff.empty:
        raise NoData(f"the workforce extract has no teacher headcount for {phase} schools")
    by_date = staff.groupby("period")["headcount"].sum().sort_index()
    latest = np.searchsorted(by_date.index.to_numpy(dtype="datetime64[ns]"), ends, "right") - 1
    totals = by_date.to_numpy(dtype=float, na_value=0.0)
    headcount = np.where(latest >= 0, totals[np.clip(latest, 0, None)], 0.0)
    out = periods.copy()
    out["numerator"] = np.minimum(records, headcount)
    out["denominator"] = headcount
    return out


def _definition(indicator_id: str, phase: str) -> IndicatorDefinition:
    return IndicatorDefinition(
        id=indicator_id,
        title=f"Teachers in {phase} schools trained in SEND in the last 12 months",
        sources=("training", "workforce"),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=(),
        compute=partial(trained_in_phase, phase=phase),
        numerator=f"teachers' SEND training records (graduated approach) at {phase} schools "
        "completed in the 12 months to the period end (records, capped at the headcount)",
        denominator=f"teachers at {phase} schools at the latest workforce date on or before "
        "the period end",
        columns={
            "training": ("staff_group", "course", "phase", "completed_date"),
            "workforce": ("staff_group", "phase", "period", "headcount"),
        },
        notes="A rolling 12 months: records completed on the period end and the 364 days "
        "before it. The training extract has no person identifier, so records are counted, "
        "not people, capped at the headcount; a teacher trained twice in a year counts twice. "
        "Phase is the school's phase in both extracts; all-through and middle schools are "
        "in neither figure.",
    )


register(_definition("TRN01", "primary"))
register(_definition("TRN02", "secondary"))
