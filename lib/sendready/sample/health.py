"""Referrals to children's community health services and their waits.

Several thousand referrals a year across six services. Waits are long for community
paediatrics, CAMHS and above all the neurodevelopmental (autism/ADHD) pathway. Referrals
start in January 2015 so the waiting list is already in a steady state when the window
opens.

The scenario sets the waits (JC03: community paediatrics and CAMHS; JC05: SLT, OT and
physiotherapy; JC06: the neurodevelopmental pathway), how often a referral carries the
NHS number (JOIN03) and the EHC plan flag on the records of children with a plan (HAW01).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl
from sendready.sample.advice import ACUTE_TRUST, CAMHS, COMMUNITY_TRUST
from sendready.sample.ehc import EhcData, lognormal_medians
from sendready.sample.people import FIRST_COHORT, LAST_COHORT

NAT = np.datetime64("NaT", "D")
FIRST_REFERRAL = tl.day("2015-01-01")
WAIT_SIGMA = 0.55
# service: (referrals a year at scale 1, provider, youngest and oldest age referred,
# median days from referral to first contact in the first year, the scenario's parameter
# that scales it; the neurodevelopmental median comes from JC06 directly).
SERVICES = {
    "slt": (1400, COMMUNITY_TRUST, 1, 11, 110.0, "JC05"),
    "ot": (500, COMMUNITY_TRUST, 3, 14, 90.0, "JC05"),
    "physio": (500, COMMUNITY_TRUST, 1, 15, 50.0, "JC05"),
    "community_paediatrics": (1200, ACUTE_TRUST, 1, 12, 150.0, "JC03"),
    "camhs": (1100, CAMHS, 6, 17, 120.0, "JC03"),
    "neurodevelopmental": (450, ACUTE_TRUST, 3, 15, 0.0, "JC06"),
}
_NEED_SERVICE = {"ASD": "neurodevelopmental", "SLCN": "slt", "SEMH": "camhs", "PD": "physio"}


def _children_of_age(
    rng: np.random.Generator, dates: np.ndarray, ages: np.ndarray, cohort_size: int
) -> np.ndarray:
    """A random child (pool position) of the given age on each date."""
    cohort = np.clip(tl.academic_year(dates) - ages, FIRST_COHORT, LAST_COHORT - 1)
    return (cohort - FIRST_COHORT) * cohort_size + rng.integers(0, cohort_size, dates.size)


REFERRALS_PER_PLAN_YEAR = 0.6  # further referrals of a plan holder known to health


def _plan_holder_referrals(
    ctx: tl.Context, rng: np.random.Generator, pool: pd.DataFrame, ehc: EhcData
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Referrals of plan holders known to health: one on file by the plan's start, and
    more (about 0.6 a year) while the plan runs."""
    known = ehc.known_to_health
    plan_child = ehc.plan_child[known]
    need = ehc.plans["primary_need"].to_numpy()[known]
    service = np.array([_NEED_SERVICE.get(x, "community_paediatrics") for x in need], dtype=object)
    start = ehc.plans["start_date"].to_numpy().astype("datetime64[D]")[known]
    cease = ehc.plans["cease_date"].to_numpy().astype("datetime64[D]")[known]
    dob = pool["dob"].to_numpy().astype("datetime64[D]")[plan_child]
    lo = np.minimum(np.maximum(np.maximum(FIRST_REFERRAL, dob + 365), start - 730), tl.END)
    hi = np.minimum(np.maximum(lo, start), tl.END)
    first = {"service": service, "date": tl.uniform_days(rng, lo, hi), "child": plan_child}
    begin = np.minimum(np.maximum(start, FIRST_REFERRAL), tl.END)
    end = np.where(np.isnat(cease), tl.END, np.minimum(cease, tl.END))
    years = np.maximum((end - begin).astype(np.int64), 0) / 365.25
    count = rng.poisson(REFERRALS_PER_PLAN_YEAR * years)
    which = np.repeat(np.arange(plan_child.size), count)
    during = {
        "service": service[which],
        "date": tl.uniform_days(rng, begin[which], np.maximum(begin[which], end[which])),
        "child": plan_child[which],
    }
    return first, during


def make_referrals(ctx: tl.Context, pool: pd.DataFrame, ehc: EhcData) -> pd.DataFrame:
    rng = ctx.rng("health_referrals")
    cohort_size = int((pool["cohort"] == FIRST_COHORT).sum())
    years = (tl.END - FIRST_REFERRAL).astype(np.int64) / 365.25

    # Referrals of children of the right age. Children who ever hold a plan are left
    # out of this stream: their health contact is the referral below, so the share of
    # plan holders with a health record to link to (JOIN03) does not climb merely as
    # referrals accumulate over the years.
    holder = np.zeros(len(pool), dtype=bool)
    holder[ehc.plan_child] = True
    services, dates, children = [], [], []
    for service, (per_year, _, youngest, oldest, _, _) in SERVICES.items():
        k = rng.poisson(per_year * years * ctx.scale)
        d = tl.uniform_days(rng, FIRST_REFERRAL, tl.END, k)
        ages = rng.integers(youngest, oldest + 1, k)
        who = _children_of_age(rng, d, ages, cohort_size)
        keep = ~holder[who]
        services.append(np.full(int(keep.sum()), service, dtype=object))
        dates.append(d[keep])
        children.append(who[keep])

    # Children with a plan who are known to health have a referral on file by the time
    # their plan began (up to two years before it), and more while the plan runs.
    first, during = _plan_holder_referrals(ctx, rng, pool, ehc)
    for part in (first, during):
        services.append(part["service"])
        dates.append(part["date"])
        children.append(part["child"])
    service = np.concatenate(services)
    referral = np.concatenate(dates)
    child = np.concatenate(children)
    n = service.size

    median = np.empty(n)
    for name, (_, _, _, _, start_median, parameter) in SERVICES.items():
        mask = service == name
        value = ctx.value(parameter, referral[mask])
        if parameter == "JC06":
            median[mask] = lognormal_medians(value, 91, WAIT_SIGMA)
        else:
            median[mask] = start_median * value
    wait = tl.lognormal_days(rng, median, WAIT_SIGMA, n)
    first_contact = tl.add_days(referral, wait)
    triage = np.minimum(tl.add_days(referral, tl.lognormal_days(rng, 7, 0.6, n)), first_contact)
    unseen = rng.random(n) < 0.07
    gone_after = rng.uniform(14, np.maximum(np.minimum(wait, 365), 15))
    discharge = np.where(unseen, tl.add_days(referral, gone_after), NAT)
    first_contact = np.where(unseen, NAT, first_contact)

    # Whether a child's health record holds the NHS number is decided once, at the first
    # referral (the JOIN03 rate then); later referrals of the child keep the same record.
    order = np.lexsort((referral, child))
    first_of_child = np.ones(n, dtype=bool)
    first_of_child[order[1:]] = child[order[1:]] != child[order[:-1]]
    recorded = np.zeros(len(pool), dtype=bool)
    firsts = np.flatnonzero(first_of_child)
    recorded[child[firsts]] = rng.random(firsts.size) < ctx.value("JOIN03", referral[firsts])
    nhs = np.where(recorded[child], pool["nhs_number"].to_numpy()[child], "")
    # The flag is the record as it stands at the extract, on the records of children who
    # have (or had) a plan, whenever the plan began, at the rate of the referral date.
    has_plan = ~np.isnat(ehc.child_plans["start"][child])
    flag = np.where(has_plan, rng.random(n) < ctx.value("HAW01", referral), False).astype(object)
    flag[rng.random(n) < 0.04] = None

    provider = {name: spec[1] for name, spec in SERVICES.items()}
    frame = tl.frame(
        {
            "person_id": pool["person_id"].to_numpy()[child],
            "nhs_number": nhs,
            "service": service,
            "provider": np.array([provider[s] for s in service], dtype=object),
            "referral_date": referral,
            "triage_date": tl.censor(triage),
            "first_contact_date": tl.censor(first_contact),
            "discharge_date": tl.censor(discharge),
            "ehcp_flag_on_record": flag,
            "_child": child,
        }
    )
    frame = frame.sort_values(["referral_date", "person_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "referral_id", [f"HR{i:07d}" for i in range(1, n + 1)])
    return frame
