"""Placement, attendance, exclusions, support while waiting and preparation for adulthood.

The data behind the catalogue's indicators that inspection findings across England
commonly need (docs/indicators.md: PLC01-PLC02, ND01, EXC01, ATT01, PFA01): a placement
history for EHC plans, attendance and suspensions of pupils, support offered to children
waiting for a neurodevelopmental assessment and outcomes for adulthood in plans from
Year 9. Each reads its generating parameter from the scenario. Every function draws from
its own random stream and adds columns or rows without touching the draws of the
generators it extends, so the rest of the sample stays as it was.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl
from sendready.sample.ehc import EhcData
from sendready.sample.people import ncy_at

NAT = np.datetime64("NaT", "D")
# Persistent absence (attendance below 90%) of pupils without an EHC plan: England's rates
# for 2022/23 are about 20% for all pupils and higher for SEN support; held constant.
PERSISTENT_ABSENCE_OTHER = {"N": 0.15, "K": 0.25}
PERSISTENT_ABSENCE_LINE = 90.0
# Suspensions and permanent exclusions a year in a Bury-sized area, and the permanent share.
EXCLUSIONS_PER_YEAR = 1800
PERMANENT_SHARE = 0.012
# Within the SEND share, the share of events of pupils with an EHC plan.
EHC_SHARE_OF_SEND = 0.3
# Children whose support came after 12 weeks: half are offered it later, half never.
LATE_SUPPORT_SHARE = 0.5
ND_SUPPORT_DAYS = 84
# Outcomes for adulthood in plans of children below Year 9 (rare, not required).
PFA_YOUNGER = 0.1
PFA_FROM_YEAR = 9
# Plans whose first placement was mainstream and did not move within 12 months: this
# share moves to a special school later (months 13-30), so the 12-month limit matters.
LATER_MOVE_SHARE = 0.08
SPECIAL = "special"


def add_attendance(ctx: tl.Context, census: pd.DataFrame) -> pd.DataFrame:
    """Autumn-term attendance on each census row: pupils with an EHC plan are persistently
    absent (below 90%) at the scenario's ATT01 rate on the census day."""
    rng = ctx.rng("attendance")
    provision = census["sen_provision"].to_numpy()
    day = census["census_date"].to_numpy().astype("datetime64[D]")
    p = np.where(
        provision == "E",
        ctx.value("ATT01", day),
        np.where(provision == "K", PERSISTENT_ABSENCE_OTHER["K"], PERSISTENT_ABSENCE_OTHER["N"]),
    )
    absent = rng.random(len(census)) < p
    low = rng.uniform(55.0, PERSISTENT_ABSENCE_LINE - 0.1, len(census))
    high = rng.uniform(PERSISTENT_ABSENCE_LINE, 100.0, len(census))
    out = census.copy()
    out["attendance_percent"] = np.round(np.where(absent, low, high), 1)
    return out


def make_exclusions(ctx: tl.Context, census: pd.DataFrame) -> pd.DataFrame:
    """Suspensions and permanent exclusions: a share EXC01 of them are of pupils with SEND,
    each a pupil on roll at the latest census before the event, with that census's SEN
    status."""
    rng = ctx.rng("exclusions")
    days = np.arange(tl.START, tl.END + 1)
    # Term time only: no events in August.
    term = (days.astype("datetime64[M]").astype(np.int64) % 12) != 7
    per_day = np.where(term, ctx.n(EXCLUSIONS_PER_YEAR) / (365.25 * 11 / 12), 0.0)
    when = np.repeat(days, rng.poisson(per_day))
    n = when.size
    send = rng.random(n) < ctx.value("EXC01", when)
    wanted = np.where(send, np.where(rng.random(n) < EHC_SHARE_OF_SEND, "E", "K"), "N")

    census_day = census["census_date"].to_numpy().astype("datetime64[D]")
    census_days = np.array(tl.CENSUS_DATES)
    latest = census_days[np.maximum(np.searchsorted(census_days, when, side="right") - 1, 0)]
    provision = census["sen_provision"].to_numpy()
    row = np.full(n, -1)
    for day_ in np.unique(latest):
        for status in ("N", "K", "E"):
            pick = np.flatnonzero((latest == day_) & (wanted == status))
            pool = np.flatnonzero((census_day == day_) & (provision == status))
            if pick.size and pool.size:
                row[pick] = pool[rng.integers(0, pool.size, pick.size)]
    keep = row >= 0
    row, when = row[keep], when[keep]
    frame = tl.frame(
        {
            "person_id": census["person_id"].to_numpy()[row],
            "school_urn": census["school_urn"].to_numpy()[row],
            "start_date": when,
            "category": np.where(rng.random(row.size) < PERMANENT_SHARE, "permanent", "suspension"),
            "sen_provision": provision[row],
        }
    )
    frame = frame.sort_values(["start_date", "person_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "exclusion_id", [f"EX{i:06d}" for i in range(1, len(frame) + 1)])
    return frame


def add_support_while_waiting(ctx: tl.Context, referrals: pd.DataFrame) -> pd.DataFrame:
    """Neurodevelopmental referrals are offered support within 12 weeks at the ND01 rate of
    the referral date; of the rest, half are offered it later and half never."""
    rng = ctx.rng("support_while_waiting")
    referral = referrals["referral_date"].to_numpy().astype("datetime64[D]")
    nd = referrals["service"].to_numpy() == "neurodevelopmental"
    n = len(referrals)
    prompt = rng.random(n) < ctx.value("ND01", referral)
    later = rng.random(n) < LATE_SUPPORT_SHARE
    days = np.where(
        prompt,
        rng.integers(7, ND_SUPPORT_DAYS + 1, n),
        rng.integers(ND_SUPPORT_DAYS + 1, 300, n),
    )
    offered = tl.add_days(referral, days)
    offered = np.where(nd & (prompt | later), offered, NAT)
    out = referrals.copy()
    out["support_offered_date"] = tl.censor(offered)
    return out


def add_preparation_for_adulthood(
    ctx: tl.Context, reviews: pd.DataFrame, ehc: EhcData, pool: pd.DataFrame
) -> pd.DataFrame:
    """Year group at each review and, for reviews held, whether the plan sets outcomes for
    adulthood: at the PFA01 rate from Year 9, rarely before."""
    rng = ctx.rng("preparation_for_adulthood")
    child_of_plan = pd.Series(ehc.plan_child, index=ehc.plans["plan_id"].to_numpy())
    child = child_of_plan.reindex(reviews["plan_id"].to_numpy()).to_numpy()
    meeting = reviews["meeting_date"].to_numpy().astype("datetime64[D]")
    due = reviews["due_date"].to_numpy().astype("datetime64[D]")
    on = np.where(np.isnat(meeting), due, meeting)
    ncy = np.clip(ncy_at(pool, on, child), -2, 14)
    held = ~np.isnat(meeting)
    p = np.where(ncy >= PFA_FROM_YEAR, ctx.value("PFA01", on), PFA_YOUNGER)
    pfa = np.where(held, rng.random(len(reviews)) < p, None)
    out = reviews.copy()
    out["ncy"] = ncy
    out["pfa_outcomes"] = pfa
    return out


def make_placements(ctx: tl.Context, ehc: EhcData, pool: pd.DataFrame) -> pd.DataFrame:
    """The placement history of plans that began in the window for children of school age:
    the first placement names a special school at the PLC01 rate of the plan's start;
    a first placement in mainstream moves to a special school within 12 months at the
    PLC02 rate, and a few move later.

    The plans' own ``setting_type`` is the setting at their latest date and is not
    re-derived from this history (the two extracts are generated independently).
    """
    rng = ctx.rng("placements")
    plans = ehc.plans
    start = plans["start_date"].to_numpy().astype("datetime64[D]")
    cease = plans["cease_date"].to_numpy().astype("datetime64[D]")
    ncy = ncy_at(pool, start, ehc.plan_child)
    take = np.flatnonzero((start >= tl.START) & (ncy >= 0) & (ncy <= 11))
    start, cease = start[take], cease[take]
    n = take.size
    special_first = rng.random(n) < ctx.value("PLC01", start)
    soon = rng.random(n) < ctx.value("PLC02", start)
    late = rng.random(n) < LATER_MOVE_SHARE
    move_day = tl.add_days(
        start, np.where(soon, rng.integers(30, 366, n), rng.integers(400, 900, n))
    )
    moves = ~special_first & (soon | late) & (move_day <= tl.END)
    moves &= np.isnat(cease) | (move_day < cease)

    plan_id = plans["plan_id"].to_numpy()[take]
    person = plans["person_id"].to_numpy()[take]
    first = tl.frame(
        {
            "plan_id": plan_id,
            "person_id": person,
            "start_date": start,
            "end_date": np.where(moves, move_day, cease),
            "setting_type": np.where(special_first, SPECIAL, "mainstream"),
            "reason": "new_plan",
        }
    )
    second = tl.frame(
        {
            "plan_id": plan_id[moves],
            "person_id": person[moves],
            "start_date": move_day[moves],
            "end_date": cease[moves],
            "setting_type": SPECIAL,
            "reason": "move",
        }
    )
    frame = pd.concat([first, second], ignore_index=True)
    frame["end_date"] = tl.censor(frame["end_date"].to_numpy().astype("datetime64[D]"))
    frame = frame.sort_values(["start_date", "plan_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "placement_id", [f"PC{i:06d}" for i in range(1, len(frame) + 1)])
    return frame
