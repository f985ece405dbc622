"""Waits for children's health services, counted one way for every indicator that needs them.

A child waits from the day the referral is received until the first clinical contact or,
for a referral closed without the child being seen, the discharge. Waits still running at a
month end are censored there: a referral first seen after the month end was still waiting
on that day, and one discharged on or before it was not.

Bands follow the NHS England community health services waiting list publication, which
reports waits over 18 and over 52 weeks (docs/domain.md, statutory timescales): 18 weeks
= 126 days and 52 weeks = 364 days, so a child waiting exactly 126 days at month end is
not yet "over 18 weeks" and one waiting 127 days is. NICE quality standard QS51 says an autism
diagnostic assessment should start within 3 months of referral, taken here as 13 weeks
(91 days).
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.periods import days_between, flow_median, stock_count

EIGHTEEN_WEEKS = 126
FIFTY_TWO_WEEKS = 364
THIRTEEN_WEEKS = 91


def wait_stopped(referrals: pd.DataFrame) -> pd.Series:
    """The day each wait stopped: first contact or discharge, whichever came first.

    Blank while the child is still waiting. ``discharge_date`` is an optional column; an
    extract without it closes waits by first contact only.
    """
    stops = referrals[["first_contact_date"]]
    if "discharge_date" in referrals:
        stops = referrals[["first_contact_date", "discharge_date"]]
    return stops.min(axis=1)


def waiting_at_period_end(
    referrals: pd.DataFrame, periods: pd.DataFrame, more_than_days: int
) -> pd.DataFrame:
    """Children waiting more than ``more_than_days`` at each period end, of all waiting.

    A referral joins the waiting list on its referral date and the over-``n``-days band
    ``n + 1`` days later; it leaves both on the day its wait stopped. Counted with
    :func:`~sendready.indicators.periods.stock_count`, so memory stays linear in the
    referrals however many months the series holds.
    """
    stopped = wait_stopped(referrals)
    band_from = referrals["referral_date"] + pd.Timedelta(days=more_than_days + 1)
    out = periods.copy()
    out["numerator"] = stock_count(periods, band_from, stopped)
    out["denominator"] = stock_count(periods, referrals["referral_date"], stopped)
    return out


def median_wait_of_those_seen(referrals: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Median days from referral to first contact, for children first seen in each period."""
    seen = referrals[referrals["first_contact_date"].notna()]
    waits = days_between(seen["first_contact_date"], seen["referral_date"])
    return flow_median(seen, "first_contact_date", waits, periods)


def waits_as_at(data, as_at: object) -> pd.DataFrame:
    """Children still waiting on ``as_at``, with their service and days waited so far.

    For the waiting-time chart: the censored waits JC03 and JC04 count, one row per open
    referral (aggregated by the chart; no identifier is carried).
    """
    referrals = data.require("health_referrals")
    day = pd.Timestamp(as_at)
    stopped = wait_stopped(referrals)
    open_now = (referrals["referral_date"] <= day) & (stopped.isna() | (stopped > day))
    waiting = referrals.loc[open_now, ["service", "referral_date"]]
    days = (day - waiting["referral_date"]).dt.days
    return pd.DataFrame(
        {"service": waiting["service"].astype("string"), "days_waited": days.astype("Int64")}
    ).reset_index(drop=True)
