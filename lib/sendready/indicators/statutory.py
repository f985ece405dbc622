"""Statutory EHC process indicators (EHC01-EHC09, docs/indicators.md).

Clocks follow the SEND Regulations 2014 (docs/domain.md, statutory timescales): 6 weeks
= 42 days from the request (reg 5(1)); 16 weeks = 112 days to a decision not to issue
(reg 10); 20 weeks = 140 days to the final plan (reg 13(2)); 4 weeks = 28 days from
review meeting to decision (reg 20(10)); about 12 weeks = 84 days to an amended plan
(R (L) v Devon CC [2022] EWHC 493). A step taken on the last allowed day is on time: day
140 counts, day 141 does not.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.periods import (
    days_between,
    flow_proportion,
    stock_at_period_end,
)
from sendready.indicators.registry import IndicatorDefinition, StagedData, register

TWENTY_WEEKS = 140
SIX_WEEKS = 42
SIXTEEN_WEEKS = 112
FIFTY_TWO_WEEKS = 364
FOUR_WEEKS = 28
TWELVE_WEEKS = 84


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    """A yes/no column where blank means no (mediation, tribunal)."""
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].fillna(False).astype(bool)


def _plans_issued(data: StagedData) -> pd.DataFrame:
    requests = data.require("ehc_requests")
    issued = requests[requests["plan_issued_date"].notna()].copy()
    issued["days_to_issue"] = days_between(issued["plan_issued_date"], issued["received_date"])
    return issued


def twenty_week_timeliness(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    # DfE's measure excludes reg 10(4) exceptions and, in the person-level collection,
    # cases that went to mediation or tribunal; it counts by the month of issue.
    issued = _plans_issued(data)
    excluded = (
        issued["exception_20wk"].notna() | _flag(issued, "mediation") | _flag(issued, "tribunal")
    )
    counted = issued[~excluded]
    return flow_proportion(
        counted, "plan_issued_date", counted["days_to_issue"] <= TWENTY_WEEKS, periods
    )


def issued_after_52_weeks(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    issued = _plans_issued(data)
    return flow_proportion(
        issued, "plan_issued_date", issued["days_to_issue"] > FIFTY_TWO_WEEKS, periods
    )


def _decisions(data: StagedData) -> pd.DataFrame:
    requests = data.require("ehc_requests")
    # A withdrawn request is not a decision on whether to assess.
    return requests[
        requests["decision"].isin(["assess", "not_assess"]) & requests["decision_date"].notna()
    ]


def six_week_decisions(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    decided = _decisions(data)
    days = days_between(decided["decision_date"], decided["received_date"])
    return flow_proportion(decided, "decision_date", days <= SIX_WEEKS, periods)


def requests_refused(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    decided = _decisions(data)
    return flow_proportion(decided, "decision_date", decided["decision"] == "not_assess", periods)


def sixteen_week_no_plan(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    requests = data.require("ehc_requests")
    not_issued = requests[
        (requests["assessment_outcome"] == "not_issue") & requests["outcome_date"].notna()
    ]
    days = days_between(not_issued["outcome_date"], not_issued["received_date"])
    return flow_proportion(not_issued, "outcome_date", days <= SIXTEEN_WEEKS, periods)


def annual_reviews_on_time(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    reviews = data.require("annual_reviews")
    due = reviews[reviews["due_date"].notna()]
    on_time = due["meeting_date"].notna() & (due["meeting_date"] <= due["due_date"])
    return flow_proportion(due, "due_date", on_time, periods)


def review_decision_four_weeks(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    reviews = data.require("annual_reviews")
    decided = reviews[reviews["decision_date"].notna() & reviews["meeting_date"].notna()]
    days = days_between(decided["decision_date"], decided["meeting_date"])
    return flow_proportion(decided, "decision_date", days <= FOUR_WEEKS, periods)


def amended_plan_twelve_weeks(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    reviews = data.require("annual_reviews")
    amend = reviews[(reviews["decision"] == "amend") & reviews["meeting_date"].notna()].copy()
    # Counted in the month the 12-week deadline falls, so a case enters the denominator
    # once it is either done or overdue and the latest months are not flattered by cases
    # still within time.
    amend["deadline"] = amend["meeting_date"] + pd.Timedelta(days=TWELVE_WEEKS)
    done = amend["amended_plan_date"].notna() & (amend["amended_plan_date"] <= amend["deadline"])
    return flow_proportion(amend, "deadline", done, periods)


def active_plans(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    plans = data.require("ehc_plans")
    open_matrix = stock_at_period_end(periods, plans["start_date"], plans["cease_date"])
    out = periods.copy()
    out["numerator"] = open_matrix.sum(axis=1)
    out["denominator"] = pd.NA
    return out


_W1 = ("W1",)
register(
    IndicatorDefinition(
        id="EHC01",
        title="EHC plans issued within 20 weeks",
        sources=("ehc_requests",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W1,
        numerator="plans issued in the period within 140 days of the request",
        denominator="plans issued in the period, excluding reg 10(4) exceptions and cases with "
        "mediation or tribunal",
        compute=twenty_week_timeliness,
        benchmark_key="EHC01",
        notes="Counted by month of issue, as DfE does.",
    )
)
register(
    IndicatorDefinition(
        id="EHC02",
        title="EHC plans issued after 52 weeks",
        sources=("ehc_requests",),
        unit="percent",
        direction="down",
        statistic="proportion",
        weaknesses=(),
        numerator="plans issued in the period more than 364 days after the request",
        denominator="plans issued in the period (all, exceptions included)",
        compute=issued_after_52_weeks,
        benchmark_key="EHC02",
    )
)
register(
    IndicatorDefinition(
        id="EHC03",
        title="Decisions to assess made within 6 weeks",
        sources=("ehc_requests",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=(),
        numerator="decisions on whether to assess made within 42 days of the request",
        denominator=(
            "decisions on whether to assess made in the period (withdrawn requests excluded)"
        ),
        compute=six_week_decisions,
        benchmark_key="EHC03",
    )
)
register(
    IndicatorDefinition(
        id="EHC04",
        title="Requests for assessment refused",
        sources=("ehc_requests",),
        unit="percent",
        direction="neutral",
        statistic="proportion",
        weaknesses=(),
        numerator="decisions not to assess",
        denominator="decisions on whether to assess",
        compute=requests_refused,
        benchmark_key="EHC04",
        notes="Neutral: a refusal rate is neither good nor bad on its own.",
    )
)
register(
    IndicatorDefinition(
        id="EHC05",
        title="Decisions not to issue a plan made within 16 weeks",
        sources=("ehc_requests",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=(),
        numerator="decisions not to issue made within 112 days of the request",
        denominator="decisions not to issue made in the period",
        compute=sixteen_week_no_plan,
        benchmark_key="EHC05",
    )
)
register(
    IndicatorDefinition(
        id="EHC06",
        title="Annual reviews held on time",
        sources=("annual_reviews",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W1,
        numerator="reviews due in the period whose meeting was held by the due date",
        denominator="reviews due in the period",
        compute=annual_reviews_on_time,
        benchmark_key="EHC06",
        notes="Uses the due date recorded in the extract (12 months after the plan started or "
        "the previous review).",
    )
)
register(
    IndicatorDefinition(
        id="EHC07",
        title="Review decisions made within 4 weeks",
        sources=("annual_reviews",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=(),
        numerator="decisions notified within 28 days of the review meeting",
        denominator="review decisions notified in the period",
        compute=review_decision_four_weeks,
        benchmark_key="EHC07",
    )
)
register(
    IndicatorDefinition(
        id="EHC08",
        title="Amended plans finalised within 12 weeks of review",
        sources=("annual_reviews",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=(),
        numerator="amended plans finalised within 84 days of the review meeting",
        denominator="decisions to amend whose 84-day deadline fell in the period",
        compute=amended_plan_twelve_weeks,
    )
)
register(
    IndicatorDefinition(
        id="EHC09",
        title="Active EHC plans",
        sources=("ehc_plans",),
        unit="count",
        direction="neutral",
        statistic="count",
        weaknesses=(),
        numerator="plans started on or before the period end and not ceased by then",
        denominator=None,
        compute=active_plans,
        benchmark_key="EHC09",
        notes="A rate per 10,000 people aged 0-25 would need a population estimate, which the "
        "data supplied do not yet include; the count is shown as context.",
    )
)
