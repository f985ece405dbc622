"""Placement history: moves from mainstream to a special school (PLC02).

Inspectors in several areas found children with EHC plans placed in special schools who
need not be, and mainstream schools unable to keep children whose needs they could meet.
PLC01 (new plans naming a special school) is a plain proportion, declared in
``definitions/outcomes.yaml``; PLC02 follows each plan from its first placement, which the
vocabulary cannot say, so it is here.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.periods import flow_proportion
from sendready.indicators.registry import IndicatorDefinition, StagedData, register

MAINSTREAM = ("mainstream", "resourced_provision")
SPECIAL = ("special", "independent_special")
# A move on day 365 after the first placement began is within 12 months; day 366 is not.
WITHIN_DAYS = 365


def moved_to_special(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    """New plans whose first placement was mainstream, and of those the ones that moved to a
    special school within 12 months, by the month the 12 months ended."""
    placements = data.require("placements")
    first = placements[
        (placements["reason"] == "new_plan") & placements["setting_type"].isin(MAINSTREAM)
    ]
    later = placements[placements["setting_type"].isin(SPECIAL)][["plan_id", "start_date"]]
    joined = first[["plan_id", "start_date"]].merge(
        later, on="plan_id", how="left", suffixes=("", "_special")
    )
    days = (joined["start_date_special"] - joined["start_date"]).dt.days
    joined["moved"] = (days > 0) & (days <= WITHIN_DAYS)
    cohort = joined.groupby(["plan_id", "start_date"], as_index=False)["moved"].any()
    cohort["year_ends"] = cohort["start_date"] + pd.Timedelta(days=WITHIN_DAYS)
    return flow_proportion(cohort, "year_ends", cohort["moved"], periods)


register(
    IndicatorDefinition(
        id="PLC02",
        title="Moves from mainstream to a special school within 12 months of a new plan",
        sources=("placements",),
        unit="percent",
        direction="down",
        statistic="proportion",
        weaknesses=(),
        compute=moved_to_special,
        numerator="new plans whose first placement was mainstream (or resourced provision) "
        "and whose child moved to a special school within 365 days",
        denominator="new plans whose first placement was mainstream and whose first 12 months "
        "ended in the period",
        columns={"placements": ("plan_id", "reason", "setting_type", "start_date")},
        notes="Placed in the month the plan's first 12 months end, so every plan counted has "
        "had its full year. A move on day 365 counts; a later move does not. Special schools "
        "are maintained and independent special schools.",
    )
)
