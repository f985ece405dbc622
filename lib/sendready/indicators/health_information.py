"""W4 sharing of health information: health advice on time, through one route.

HINF01-HINF04 (docs/indicators.md). Inspectors found health information systems
"antiquated and inefficient" (docs/domain.md, Bury's 2017 inspection). Health advice for
an EHC needs assessment is due within 6 weeks of being asked for (SEND Regulations 2014
reg 8; docs/domain.md, statutory timescales): 42 days, with advice arriving on day 42 on
time.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.common import code_in, with_breakdown
from sendready.indicators.periods import days_between, flow_median, flow_proportion
from sendready.indicators.registry import IndicatorDefinition, NoData, StagedData, register
from sendready.indicators.surveys import survey_indicator

SIX_WEEKS = 42


def _health_advice(data: StagedData) -> pd.DataFrame:
    advice = data.require("ehc_advice")
    health = advice[code_in(advice, "advice_type", ("health",))].copy()
    if health.empty:
        raise NoData("the ehc_advice extract holds no health advice")
    health["days_to_advice"] = days_between(health["received_date"], health["requested_date"])
    return health


def _received(data: StagedData) -> pd.DataFrame:
    health = _health_advice(data)
    return health[health["received_date"].notna()]


def health_advice_on_time(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    health = _health_advice(data)
    # Counted in the month the deadline falls: by then each request is either answered in
    # time or late, so recent months are not flattered by requests still within 6 weeks.
    health["deadline"] = health["requested_date"] + pd.Timedelta(days=SIX_WEEKS)
    in_time = (health["days_to_advice"] <= SIX_WEEKS).fillna(False)
    return flow_proportion(health, "deadline", in_time, periods)


def median_days_to_health_advice(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    received = _received(data)
    return with_breakdown(
        received,
        "provider",
        lambda rows: flow_median(rows, "received_date", rows["days_to_advice"], periods),
    )


def health_advice_via_portal(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    received = _received(data)
    return flow_proportion(
        received, "received_date", code_in(received, "channel", ("portal",)), periods
    )


_W4 = ("W4",)
register(
    IndicatorDefinition(
        id="HINF01",
        title="Health advice received within 6 weeks",
        sources=("ehc_advice",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W4,
        numerator="health advice received within 42 days of being requested",
        denominator="health advice requests whose 42-day deadline fell in the period",
        compute=health_advice_on_time,
        notes="Placed by the month the 42-day deadline falls, not the month of receipt: counting "
        "by receipt would leave out requests still unanswered and flatter the latest months. "
        "Advice received on day 42 is on time; advice not received by the extract date is "
        "late. The statutory expectation is 100%, which the area can set as its target.",
    )
)
register(
    IndicatorDefinition(
        id="HINF02",
        title="Median days to receive health advice",
        sources=("ehc_advice",),
        unit="days",
        direction="down",
        statistic="median",
        weaknesses=_W4,
        numerator="median days from request to receipt of health advice received in the period",
        denominator="health advice received in the period",
        compute=median_days_to_health_advice,
        notes="Placed by month of receipt, so advice still outstanding is not in the median until "
        "it arrives; read it with HINF01. Figures are also given for each provider. The 42-day "
        "statutory limit is the natural target.",
    )
)
register(
    IndicatorDefinition(
        id="HINF03",
        title="Health advice received through the shared portal",
        sources=("ehc_advice",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W4,
        numerator="health advice received in the period through the portal",
        denominator="health advice received in the period",
        compute=health_advice_via_portal,
        notes="Placed by month of receipt. Advice with no channel recorded counts as not via the "
        "portal.",
    )
)
register(
    survey_indicator(
        "HINF04",
        "Families who only have to tell their story once",
        _W4,
        asked="they only had to tell their story once",
    )
)
