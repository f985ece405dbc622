"""W8 joint commissioning: JC01-JC07 (docs/indicators.md).

Inspectors found "defective arrangements for joint commissioning" (docs/domain.md, Bury's
2017 inspection). The evidence is whether education, health and care fund and specify
services together (JC01, JC02, JC07) and whether children wait less for the health
services commissioned for them (JC03-JC06, counted in :mod:`sendready.indicators.waits`).
JC06 and JC07, plain proportions, are declared in ``definitions/commissioning.yaml``.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from sendready.indicators.common import with_breakdown, yes
from sendready.indicators.periods import as_timestamp, stock_proportion
from sendready.indicators.registry import IndicatorDefinition, NoData, StagedData, register
from sendready.indicators.waits import (
    EIGHTEEN_WEEKS,
    FIFTY_TWO_WEEKS,
    median_wait_of_those_seen,
    waiting_at_period_end,
)

FUNDING = {"education": "education_gbp", "health": "health_gbp", "social_care": "social_care_gbp"}

FLAG_AT_EXTRACT = (
    "The flag is recorded as it stood at the extract date, not month by month, so a change "
    "made later also shows in earlier months."
)


def _funders(packages: pd.DataFrame) -> pd.Series:
    """How many of education, health and social care put money into each package."""
    return packages[list(FUNDING.values())].fillna(0).gt(0).sum(axis=1)


def _closes(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with ``closes_on``, the day after ``end_date``.

    Why: a package's or contract's end date is the last day it runs (a contract to
    31 March is in force on 31 March), whereas a stock counts an item as gone on the day
    it closes; without the extra day every contract ending on a month end would drop out
    of that month's count.
    """
    return rows.assign(closes_on=rows["end_date"] + pd.Timedelta(days=1))


def jointly_funded(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    packages = _closes(data.require("joint_packages"))
    return stock_proportion(packages, "start_date", "closes_on", _funders(packages) >= 2, periods)


def joint_funding_split(data: StagedData, period_end: str | pd.Timestamp) -> pd.DataFrame:
    """Annual funding of the packages active on ``period_end``, by funder (JC01's value split).

    Returns:
        One row per funder: ``funder``, ``all_packages_gbp``, ``joint_packages_gbp`` (the
        packages with two or more funders) and ``joint_share`` (percent of joint spend).
    """
    packages = data.require("joint_packages")
    day = as_timestamp(period_end)
    active = packages[
        (packages["start_date"] <= day)  # end_date: last day, inclusive
        & (packages["end_date"].isna() | (packages["end_date"] >= day))
    ]
    if active.empty:
        raise NoData(f"no package was active on {day.day} {day:%B %Y}")
    joint = active[_funders(active) >= 2]
    out = pd.DataFrame(
        {
            "funder": list(FUNDING),
            "all_packages_gbp": [float(active[c].sum()) for c in FUNDING.values()],
            "joint_packages_gbp": [float(joint[c].sum()) for c in FUNDING.values()],
        }
    )
    total = out["joint_packages_gbp"].sum()
    out["joint_share"] = 100 * out["joint_packages_gbp"] / total if total > 0 else float("nan")
    return out


def jointly_specified(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    services = _closes(data.require("commissioned_services"))
    return stock_proportion(
        services, "start_date", "closes_on", yes(services, "joint_specification"), periods
    )


def waiting_over(data: StagedData, periods: pd.DataFrame, days: int) -> pd.DataFrame:
    referrals = data.require("health_referrals")
    return with_breakdown(
        referrals, "service", lambda rows: waiting_at_period_end(rows, periods, days)
    )


def median_wait(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    referrals = data.require("health_referrals")
    return with_breakdown(
        referrals, "service", lambda rows: median_wait_of_those_seen(rows, periods)
    )


_W8 = ("W8",)
_REFERRALS = ("health_referrals",)
WAITING_NOTES = (
    "A child is waiting at the month end when referred on or before it, not seen by then and "
    "not discharged by then: a child first seen after the month end still counts as waiting. "
    "Waits are measured from referral to the month end. Figures are also given for each "
    "service; the whole-area figure counts every referral once."
)
register(
    IndicatorDefinition(
        id="JC01",
        title="Packages of support funded jointly",
        sources=("joint_packages",),
        unit="percent",
        direction="neutral",
        statistic="proportion",
        weaknesses=_W8,
        compute=jointly_funded,
        numerator="packages active at the period end with money from two or more of education, "
        "health and social care",
        denominator="packages active at the period end",
        notes="The count of jointly funded packages is this figure's numerator. Their value in "
        "pounds and each funder's share of the spend are not given as indicator figures, "
        "because a share of money has no simple margin of error; the suite's breakdown of "
        "joint funding by funder gives them for any date. A package counts as active from its "
        "start date until the day before its end date; a planned end after the period end "
        "leaves it active. Neutral: joint funding suits some children, not all.",
    )
)
register(
    IndicatorDefinition(
        id="JC02",
        title="Services specified jointly by education, health and care",
        sources=("commissioned_services",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W8,
        compute=jointly_specified,
        numerator="contracts active at the period end with a joint specification",
        denominator="contracts active at the period end",
        notes=f"{FLAG_AT_EXTRACT} A contract re-specified jointly therefore looks joint from its "
        "start. A blank counts as not joint.",
    )
)
for indicator_id, weeks, days in (("JC03", 18, EIGHTEEN_WEEKS), ("JC04", 52, FIFTY_TWO_WEEKS)):
    register(
        IndicatorDefinition(
            id=indicator_id,
            title=f"Children waiting more than {weeks} weeks for a health service",
            sources=_REFERRALS,
            unit="percent",
            direction="down",
            statistic="proportion",
            weaknesses=_W8,
            compute=partial(waiting_over, days=days),
            benchmark_key=indicator_id,
            chart="waits",
            numerator=f"children waiting at the period end who had waited more than {days} days",
            denominator="children waiting at the period end for a first contact",
            notes=f"{WAITING_NOTES} Exactly {days} days is not over {weeks} weeks; {days + 1} days "
            "is.",
        )
    )
register(
    IndicatorDefinition(
        id="JC05",
        title="Median wait from referral to first contact",
        sources=_REFERRALS,
        unit="days",
        direction="down",
        statistic="median",
        weaknesses=_W8,
        compute=median_wait,
        benchmark_key="JC05",
        chart="waits",
        numerator="median days from referral to first contact, for children first seen in the "
        "period",
        denominator="children first seen in the period",
        notes="Only children who have been seen have a wait to take the median of, so a growing "
        "list of children still waiting does not show here until they are seen: the median "
        "understates waits while a backlog builds. Read it beside JC03 and JC04. Referrals "
        "discharged without being seen are left out. Figures are also given for each service.",
        trend_caveat="only children already seen have a wait, so the median understates "
        "waits while a backlog builds",
    )
)
