"""EHC needs assessment requests and EHC plans.

About 1,100 plans are active when the window opens (April 2016). Requests a year and the
share that end in a new plan follow Bury's published figures by calendar year
(``scenarios/calibration.csv``), plus a few plans transferred in from other authorities.

The 20-week timeliness of plans (EHC01) is the scenario's: a request follows the rate in
force about when its plan would be due. Requests received late in the window are still
open at the extract, as in any real system.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl
from sendready.sample.people import CohortPicker, base_school_at, ncy_at
from sendready.sample.scenario import SCENARIO_DIR

NAT = np.datetime64("NaT", "D")
# Primary need of plans: Bury's mix (DfE, "Education, health and care plans", January 2025: SLCN
# 29.0%, SEMH 24.5%, ASD 23.3%, MLD 11.6%, PD 4.7%, SLD 1.9%, SPLD 1.0%), the remaining
# few per cent spread over the rarer needs.
PLAN_NEEDS = {
    "SLCN": 0.290,
    "SEMH": 0.245,
    "ASD": 0.233,
    "MLD": 0.116,
    "PD": 0.047,
    "SLD": 0.019,
    "SPLD": 0.010,
    "HI": 0.012,
    "VI": 0.008,
    "PMLD": 0.010,
    "MSI": 0.002,
    "OTH": 0.008,
}
EXISTING_PLANS = 1100
TRANSFERS_IN_PER_YEAR = 30
FIRST_REQUEST = tl.day("2015-11-01")  # so plans are being issued from the window's start
# A plan is issued about this many days after the request: the 20-week rate in force then
# applies to it.
TYPICAL_ISSUE_DAYS = 130
ISSUED_AFTER_ASSESSMENT = 0.92


def calibration() -> pd.DataFrame:
    """Bury's published requests, new plans and 20-week rate by calendar year."""
    return pd.read_csv(SCENARIO_DIR / "calibration.csv", comment="#")


def _by_year(dates: np.ndarray, column: str) -> np.ndarray:
    """The calibration figure for each date's calendar year (the nearest year outside)."""
    table = calibration()
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    years = np.clip(years, table["year"].min(), table["year"].max())
    return table.set_index("year")[column].reindex(years).to_numpy(dtype=float)


def _weights(table: dict) -> tuple[np.ndarray, np.ndarray]:
    keys = np.array(list(table))
    p = np.array(list(table.values()), dtype=float)
    return keys, p / p.sum()


def _pick(rng: np.random.Generator, table: dict, n: int) -> np.ndarray:
    keys, p = _weights(table)
    return keys[rng.choice(keys.size, n, p=p)].astype(object)


def lognormal_for(p_within: float, limit: float, sigma: float) -> float:
    """Median of a lognormal duration with ``p_within`` of its mass at or below ``limit``."""
    return limit / float(np.exp(sigma * NormalDist().inv_cdf(p_within)))


def lognormal_medians(p_within: np.ndarray, limit: float, sigma: float) -> np.ndarray:
    """:func:`lognormal_for` for an array of shares (clipped away from 0 and 1)."""
    p = np.clip(np.asarray(p_within, dtype=float), 0.002, 0.998)
    values, inverse = np.unique(p, return_inverse=True)
    medians = np.array([lognormal_for(float(v), limit, sigma) for v in values])
    return medians[inverse].reshape(p.shape)


@dataclass
class EhcData:
    """Requests, plans and what other generators need to know about them."""

    requests: pd.DataFrame
    plans: pd.DataFrame
    # Per plan (aligned with ``plans``): pool position, known to social care or health,
    # and whether the plan began after the change.
    plan_child: np.ndarray
    known_to_social_care: np.ndarray
    known_to_health: np.ndarray
    # Per request: pool position.
    request_child: np.ndarray
    # Per pool position, for the census: plan start/cease, setting, school, need.
    child_plans: dict[str, np.ndarray]
    requested: np.ndarray


def _age_cohorts(
    rng: np.random.Generator, ncy_weights: dict[int, float], dates: np.ndarray
) -> np.ndarray:
    ncy = _pick(rng, ncy_weights, len(dates)).astype(np.int64)
    return tl.academic_year(dates) - ncy - 5


def make_requests(
    ctx: tl.Context, pool: pd.DataFrame, schools: pd.DataFrame, picker: CohortPicker
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Requests for assessment received from November 2015 to the end of the window.

    Returns:
        The request frame and the pool position of each request's child.
    """
    rng = ctx.rng("ehc_requests")
    months = tl.month_starts(FIRST_REQUEST, tl.END)
    per_year = _by_year(months, "requests")
    month_no = (months.astype("datetime64[M]").astype(np.int64) % 12) + 1
    season = np.select([month_no == 8, month_no == 12, month_no == 9], [0.6, 0.8, 1.15], 1.0)
    counts = rng.poisson(per_year / 12 * season * ctx.scale)
    start = np.repeat(months, counts)
    end = (start.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    received = np.sort(tl.uniform_days(rng, start, end, start.size))
    n = received.size

    cohorts = _age_cohorts(
        rng,
        {
            -2: 4,
            -1: 8,
            0: 9,
            1: 8,
            2: 7,
            3: 7,
            4: 7,
            5: 7,
            6: 7,
            7: 7,
            8: 6,
            9: 5,
            10: 4,
            11: 4,
            12: 4,
            13: 3,
            14: 3,
        },
        received,
    )
    child = picker.take(cohorts, rng.random(n) < 0.68)
    keep = child >= 0
    received, child, n = received[keep], child[keep], int(keep.sum())

    ncy = ncy_at(pool, received, child)
    school = base_school_at(pool, child, received)
    requester = np.where(
        ncy < 0,
        _pick(rng, {"parent": 6, "health": 3, "other": 1}, n),
        _pick(rng, {"parent": 35, "school": 50, "health": 5, "other": 10}, n),
    )
    requester = np.where((ncy >= 12) & (rng.random(n) < 0.2), "young_person", requester)

    # Decision whether to assess (EHC03), within six weeks at the scenario's rate.
    median_decision = lognormal_medians(ctx.value("EHC03", received), 42, 0.3)
    days_decision = tl.lognormal_days(rng, median_decision, 0.3, n)
    # The share assessed is set so that new plans follow the calibration year's ratio.
    assess = np.clip(
        _by_year(received, "new_plans") / _by_year(received, "requests") / ISSUED_AFTER_ASSESSMENT,
        0.3,
        0.95,
    )
    u = rng.random(n)
    decision = np.where(u < assess, "assess", np.where(u < 0.97, "not_assess", "withdrawn")).astype(
        object
    )
    decision_date = tl.add_days(received, days_decision)

    # Time to the final plan (EHC01): the rate in force when the plan would be due.
    z = rng.standard_normal(n)
    due = tl.add_days(received, TYPICAL_ISSUE_DAYS)
    days_issue = lognormal_medians(ctx.value("EHC01", due), 140, 0.18) * np.exp(0.18 * z)
    days_issue = np.maximum(days_issue, days_decision + 28 + rng.integers(0, 14, n))
    issued = (decision == "assess") & (rng.random(n) < ISSUED_AFTER_ASSESSMENT)
    plan_issued = tl.add_days(received, days_issue)
    outcome_issue = np.maximum(
        tl.add_days(plan_issued, -rng.integers(10, 31, n)), tl.add_days(decision_date, 7)
    )
    days_no_plan = np.maximum(tl.lognormal_days(rng, 95, 0.2, n), days_decision + 14)
    outcome_no_plan = tl.add_days(received, days_no_plan)

    decided = decision_date <= tl.END
    assessed = decided & (decision == "assess")
    outcome = np.where(issued, "issue", "not_issue").astype(object)
    outcome_date = np.where(issued, outcome_issue, outcome_no_plan)
    finished = np.where(issued, plan_issued <= tl.END, outcome_no_plan <= tl.END)
    outcome = np.where(assessed, np.where(finished, outcome, "ongoing"), "")
    outcome_date = np.where(assessed & finished, outcome_date, NAT)
    plan_issued = np.where(assessed & finished & issued, plan_issued, NAT)

    exception = np.where(
        (outcome == "issue") & (rng.random(n) < 0.05),
        _pick(
            rng,
            {
                "school_closure": 2,
                "personal_circumstances": 4,
                "away_from_area": 1,
                "missed_appointment": 3,
            },
            n,
        ),
        "",
    )
    mediation = np.where(decided, rng.random(n) < 0.03, None)
    # Appeals to the SEND Tribunal at the scenario's TRB01 rate of the decision date.
    appealed = rng.random(n) < ctx.value("TRB01", np.where(decided, decision_date, received))
    tribunal = np.where(decided, appealed, None)

    frame = tl.frame(
        {
            "request_id": [f"RQ{i:06d}" for i in range(1, n + 1)],
            "person_id": pool["person_id"].to_numpy()[child],
            "received_date": received,
            "requester": requester,
            "school_urn": np.where(
                school >= 0, schools["urn"].to_numpy()[np.maximum(school, 0)], ""
            ),
            "decision": np.where(decided, decision, ""),
            "decision_date": np.where(decided, decision_date, NAT),
            "assessment_outcome": outcome,
            "outcome_date": outcome_date,
            "plan_issued_date": plan_issued,
            "exception_20wk": exception,
            "mediation": mediation,
            "tribunal": tribunal,
        }
    )
    return frame, child


def _cease(
    rng: np.random.Generator, pool: pd.DataFrame, child: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """When plans end within the window, and why (SEN2 cease reasons, docs/domain.md)."""
    n = child.size
    dob = pool["dob"].to_numpy().astype("datetime64[D]")[child]
    from_day = np.maximum(start, tl.START)
    age_then = (from_day - dob).astype(np.int64) / 365.25
    rate = np.select([age_then >= 19, age_then >= 16], [0.35, 0.12], 0.04)  # per year
    cease = tl.add_days(from_day, np.maximum(30, rng.exponential(365.25 / rate)))
    twenty_fifth = dob + np.timedelta64(9131, "D")  # 25 years of 365.25 days
    aged_out = twenty_fifth < cease
    cease = np.where(aged_out, twenty_fifth, cease)
    cease = np.maximum(cease, tl.add_days(start, 30))
    age_at = (cease - dob).astype(np.int64) / 365.25
    reason = np.where(
        age_at >= 19,
        _pick(rng, {"3": 25, "4": 25, "6": 20, "2": 10, "5": 10, "9": 10}, n),
        np.where(
            age_at >= 16,
            _pick(rng, {"2": 25, "5": 20, "4": 15, "6": 20, "9": 20}, n),
            _pick(rng, {"2": 45, "5": 35, "7": 10, "8": 3, "9": 7}, n),
        ),
    )
    reason = np.where(aged_out, "1", reason)
    ended = cease <= tl.END
    return np.where(ended, cease, NAT), np.where(ended, reason, "")


def _settings(
    rng: np.random.Generator,
    pool: pd.DataFrame,
    schools: pd.DataFrame,
    extra_urns: dict[str, np.ndarray],
    child: np.ndarray,
    when: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Setting named in each plan at its latest date, its URN and (for the census) the
    position of a special school or PRU in ``schools``."""
    n = child.size
    ncy = ncy_at(pool, when, child)
    school_age = _pick(
        rng,
        {
            "mainstream": 50,
            "resourced_provision": 6,
            "special": 33,
            "independent_special": 5,
            "alternative_provision": 3,
            "ehe": 3,
        },
        n,
    )
    sixth_age = _pick(
        rng, {"post16": 50, "special": 30, "mainstream": 12, "independent_special": 5, "none": 3}, n
    )
    adult = _pick(rng, {"post16": 80, "none": 12, "independent_special": 8}, n)
    early = np.where(rng.random(n) < 0.85, "early_years", "special")
    setting = np.select([ncy < 0, ncy <= 11, ncy <= 13], [early, school_age, sixth_age], adult)
    base = base_school_at(pool, child, when)
    mainstream = np.isin(setting, ["mainstream", "resourced_provision"])
    setting = np.where(mainstream & (base < 0), np.where(ncy >= 12, "post16", "none"), setting)
    setting = np.where(
        (setting == "alternative_provision") & ((ncy < 7) | (ncy > 11)), "mainstream", setting
    )
    setting = np.where((setting == "mainstream") & (base < 0), "none", setting)
    setting = np.where((setting == "special") & (ncy < 0), "early_years", setting)

    phase = schools["phase"].to_numpy()
    specials = np.flatnonzero(phase == "special")
    prus = np.flatnonzero(phase == "pru")
    census_school = np.full(n, -1)
    census_school = np.where(
        setting == "special", specials[rng.integers(0, specials.size, n)], census_school
    )
    census_school = np.where(
        setting == "alternative_provision", prus[rng.integers(0, prus.size, n)], census_school
    )
    urn_all = schools["urn"].to_numpy()
    urn = np.full(n, "", dtype=object)
    urn = np.where(
        np.isin(setting, ["mainstream", "resourced_provision"]), urn_all[np.maximum(base, 0)], urn
    )
    urn = np.where(census_school >= 0, urn_all[np.maximum(census_school, 0)], urn)
    colleges, independents = extra_urns["college"], extra_urns["independent"]
    urn = np.where(setting == "post16", colleges[rng.integers(0, colleges.size, n)], urn)
    urn = np.where(
        setting == "independent_special", independents[rng.integers(0, independents.size, n)], urn
    )
    return setting.astype(object), urn.astype(object), census_school


def make_ehc(
    ctx: tl.Context, pool: pd.DataFrame, schools: pd.DataFrame, extra_urns: dict[str, np.ndarray]
) -> EhcData:
    """Requests and plans (existing at April 2016, issued from requests, transferred in)."""
    rng = ctx.rng("ehc_plans")
    stayers = pool["stayer"].to_numpy()
    existing_picker = CohortPicker(pool, ctx.rng("existing_plan_holders"), stayers)
    n_existing = ctx.n(EXISTING_PLANS)
    cohorts = _age_cohorts(
        rng,
        {
            -2: 1,
            -1: 3,
            0: 4,
            1: 5,
            2: 6,
            3: 6,
            4: 7,
            5: 7,
            6: 7,
            7: 7,
            8: 7,
            9: 7,
            10: 7,
            11: 7,
            12: 6,
            13: 5,
            14: 3,
            15: 2,
            16: 1,
            17: 1,
        },
        np.full(n_existing, tl.START),
    )
    existing = existing_picker.take(cohorts, rng.random(n_existing) < 0.72)
    existing = existing[existing >= 0]
    dob = pool["dob"].to_numpy().astype("datetime64[D]")
    earliest = np.maximum(tl.day("2014-09-01"), dob[existing] + 730)
    existing_start = tl.uniform_days(
        rng, np.minimum(earliest, tl.day("2016-03-31")), tl.day("2016-03-31"), existing.size
    )

    eligible = stayers & ~np.isin(np.arange(len(pool)), existing)
    request_picker = CohortPicker(pool, ctx.rng("request_children"), eligible)
    requests, request_child = make_requests(ctx, pool, schools, request_picker)
    issued = requests["plan_issued_date"].notna().to_numpy()
    issued_child = request_child[issued]
    issued_start = requests["plan_issued_date"].to_numpy().astype("datetime64[D]")[issued]

    years = (tl.END - tl.START).astype(np.int64) / 365.25
    n_transfer = ctx.n(TRANSFERS_IN_PER_YEAR * years)
    t_dates = tl.uniform_days(rng, tl.START, tl.END, n_transfer)
    t_cohorts = _age_cohorts(rng, {k: 1 for k in range(0, 12)}, t_dates)
    transfer = request_picker.take(t_cohorts, rng.random(n_transfer) < 0.7)
    t_dates, transfer = t_dates[transfer >= 0], transfer[transfer >= 0]

    child = np.concatenate([existing, issued_child, transfer])
    start = np.concatenate([existing_start, issued_start, t_dates])
    order = np.lexsort((child, start))
    child, start = child[order], start[order]
    n = child.size

    cease, reason = _cease(rng, pool, child, start)
    # Children whose plan ended because they moved away leave the area's census too.
    moved = np.isin(reason, ["5", "7"])
    last_census = np.searchsorted(np.array(tl.CENSUS_DATES), cease[moved], side="left") - 1
    leave = pool["leave"].to_numpy().copy()
    leave[child[moved]] = np.array(tl.CENSUS_YEARS)[np.maximum(last_census, 0)]
    leave[child[moved]] = np.maximum(leave[child[moved]], pool["arrive"].to_numpy()[child[moved]])
    pool["leave"] = leave

    when = np.where(np.isnat(cease), tl.END, cease)
    setting, urn, census_school = _settings(rng, pool, schools, extra_urns, child, when)
    need = _pick(rng, PLAN_NEEDS, n)
    budget = np.where(rng.random(n) < ctx.value("JC07", start), True, False).astype(object)
    budget[rng.random(n) < 0.03] = None

    plans = tl.frame(
        {
            "plan_id": [f"PL{i:06d}" for i in range(1, n + 1)],
            "person_id": pool["person_id"].to_numpy()[child],
            "start_date": start,
            "cease_date": cease,
            "cease_reason": reason,
            "primary_need": need,
            "setting_type": setting,
            "school_urn": urn,
            "personal_budget": budget,
        }
    )

    size = len(pool)
    child_plans = {
        "start": np.full(size, NAT, dtype="datetime64[D]"),
        "cease": np.full(size, NAT, dtype="datetime64[D]"),
        "setting": np.full(size, "", dtype=object),
        "school": np.full(size, -1),
        "need": np.full(size, "", dtype=object),
    }
    child_plans["start"][child] = start
    child_plans["cease"][child] = cease
    child_plans["setting"][child] = setting
    child_plans["school"][child] = census_school
    child_plans["need"][child] = need
    requested = np.zeros(size, dtype=bool)
    requested[request_child] = True

    return EhcData(
        requests=requests,
        plans=plans,
        plan_child=child,
        known_to_social_care=rng.random(n) < 0.25,
        known_to_health=rng.random(n) < 0.70,
        request_child=request_child,
        child_plans=child_plans,
        requested=requested,
    )
