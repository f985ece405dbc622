"""W5 the local offer: is it used, can people find things, is it current and responsive.

LO01-LO05 (docs/indicators.md). Inspectors found "widespread unawareness and misunderstanding
of the local offer" (docs/domain.md, Bury's 2017 inspection).
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.common import end_of_own_period, sums_by_period, yes
from sendready.indicators.periods import assign_period, days_between, flow_proportion
from sendready.indicators.registry import IndicatorDefinition, StagedData, register
from sendready.indicators.surveys import survey_indicator

TWELVE_MONTHS = 365


def users_per_month(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    web = data.require("local_offer_web")
    out = sums_by_period(web, "date", ("users",), periods)
    out["numerator"] = out["users"]
    out["denominator"] = pd.NA
    # The quarter is three months of traffic: show the average month so it reads on the
    # same scale as the monthly chart. Months with no rows at all are no data, not zero.
    months = out["months_with_data"].where(out["months_with_data"] > 0)
    out["value"] = out["users"] / months
    return out.drop(columns=["users", "months_with_data"])


def searches_without_result(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    web = data.require("local_offer_web")
    out = sums_by_period(web, "date", ("zero_result_searches", "searches"), periods)
    out["numerator"] = out["zero_result_searches"].fillna(0)
    out["denominator"] = out["searches"].fillna(0)
    return out.drop(columns=["zero_result_searches", "searches", "months_with_data"])


def entries_reviewed(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    directory = data.require("local_offer_directory")
    directory = directory.assign(p=assign_period(directory["snapshot_date"], periods))
    directory = directory[directory["p"] >= 0]
    # Each period is judged on its latest snapshot, the state of the directory at its end.
    latest = directory.groupby("p")["snapshot_date"].transform("max")
    live = directory[(directory["snapshot_date"] == latest) & yes(directory, "live")]
    age = days_between(live["snapshot_date"], live["last_reviewed_date"])
    return flow_proportion(live, "snapshot_date", (age <= TWELVE_MONTHS).fillna(False), periods)


def feedback_answered(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    feedback = data.require("local_offer_feedback")
    cut_off = end_of_own_period(feedback["received_date"], periods)
    answered = (
        feedback["responded_date"].notna()
        & (feedback["responded_date"] <= cut_off).fillna(False)
        & yes(feedback, "published_in_response")
    )
    return flow_proportion(feedback, "received_date", answered, periods)


_W5 = ("W5",)
register(
    IndicatorDefinition(
        id="LO01",
        title="Local offer website users per month",
        sources=("local_offer_web",),
        unit="count",
        direction="up",
        statistic="sum",
        weaknesses=_W5,
        numerator="users of the local offer website in the period, summed over days and sections",
        denominator=None,
        compute=users_per_month,
        notes="Users are summed over every day and site section, so one person visiting on two "
        "days or two sections counts twice: it is a measure of use, not of distinct people. "
        "The quarter shows the average of its months. A month with no records has no figure. "
        "A rate per 1,000 children with SEND would need a population figure that the data "
        "supplied do not yet include.",
    )
)
register(
    IndicatorDefinition(
        id="LO02",
        title="Local offer searches with no result",
        sources=("local_offer_web",),
        unit="percent",
        direction="down",
        statistic="proportion",
        weaknesses=_W5,
        numerator="searches in the period that returned no result",
        denominator="searches on the local offer website in the period",
        compute=searches_without_result,
        notes="A share of searches, not of people: one person repeating a failed search counts "
        "each time, so the interval is narrower than the evidence strictly supports.",
    )
)
register(
    IndicatorDefinition(
        id="LO03",
        title="Directory entries reviewed in the last 12 months",
        sources=("local_offer_directory",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W5,
        numerator="live entries at the latest snapshot in the period last reviewed within 365 days "
        "of that snapshot",
        denominator="live entries at the latest snapshot in the period",
        compute=entries_reviewed,
        notes="Uses the latest directory snapshot taken in the period, so a period without a "
        "snapshot has no data. An entry reviewed exactly 365 days before the snapshot counts "
        "as reviewed; one never reviewed does not. Entries not live are left out.",
    )
)
register(
    IndicatorDefinition(
        id="LO04",
        title="Feedback on the local offer answered and published",
        sources=("local_offer_feedback",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W5,
        numerator="feedback received in the period that was answered by the period end and whose "
        "answer was published",
        denominator="feedback received in the period",
        compute=feedback_answered,
        notes="Placed by month of receipt. An answer counts only if it is dated on or before the "
        "end of the period the comment was received in, so answers given after a period "
        "closed never improve it; a comment received late in a month has little time to be "
        "answered within it, so monthly values run below quarterly ones. The published flag "
        "has no date and is read as at the extract date: if it is set long after the answer, "
        "past periods can look better in a later extract than they did at the time. "
        "Publishing comments and the area's response is expected by law; there is no "
        "national figure to compare with.",
        trend_caveat="the published flag is read as at the extract date, so past periods "
        "may look better than they were at the time",
    )
)
register(
    survey_indicator(
        "LO05",
        "Parents who know about the local offer",
        _W5,
        asked="they know about the local offer",
    )
)
