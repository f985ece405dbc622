"""Annual reviews of EHC plans and multi-agency audits of plan quality.

Reviews fall due 12 months after a plan starts and then 12 months after each meeting
(reg 18). The scenario sets how often reviews are held on time (EHC06), amended plans
finalised within 12 weeks (EHC08), young people take part (COP04), health contributes
(HAW02) and social care contributes alongside health (JOIN02).

Audits (about 15 a month) grade the plan's sections: the child's voice (COP03), the
health sections (HAW03) and practitioners' awareness of the plan (HAW04) follow the
scenario.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl
from sendready.sample.ehc import EhcData, lognormal_medians

NAT = np.datetime64("NaT", "D")
# Reviews due up to three months after the window are in the extract (future due dates).
LAST_DUE = tl.END + 91
# Health input relative to HAW02 (children known to health): more for children known to
# social care too, less otherwise; children unknown to health rarely get any.
HEALTH_INPUT = {"known_to_both": 4 / 3, "known_to_health": 8 / 9}
HEALTH_INPUT_NOT_KNOWN = 0.08
# Share of children known to social care who are also known to health (ehc.py).
KNOWN_TO_HEALTH = 0.70


def _flag(rng: np.random.Generator, p: np.ndarray | float, held: np.ndarray) -> np.ndarray:
    """Yes/no for held reviews, blank for reviews not (yet) held."""
    values = rng.random(held.size) < p
    return np.where(held, values, None)


def make_reviews(ctx: tl.Context, ehc: EhcData) -> pd.DataFrame:
    rng = ctx.rng("annual_reviews")
    plans = ehc.plans
    start = plans["start_date"].to_numpy().astype("datetime64[D]")
    cease = plans["cease_date"].to_numpy().astype("datetime64[D]")
    reason = plans["cease_reason"].to_numpy()
    open_until = np.where(np.isnat(cease), LAST_DUE + 1, cease)

    rows = []
    previous = start.copy()
    rounds = int((LAST_DUE - tl.day("2014-09-01")).astype(np.int64) // 365) + 1
    for _ in range(rounds):  # plans began no earlier than 2014
        due = tl.add_days(previous, 365)
        alive = due < open_until
        k = due.size
        late_days = tl.lognormal_days(rng, 30, 0.7, k)
        early_days = rng.integers(0, 29, k)
        punctual = rng.random(k) < ctx.value("EHC06", due)
        meeting = tl.add_days(due, np.where(punctual, -early_days, late_days))
        meeting = np.where(rng.random(k) < 0.02, NAT, meeting)  # never held
        meeting = np.where(meeting >= open_until, NAT, meeting)
        meeting = tl.censor(meeting)
        take = alive & (due >= tl.START)
        rows.append(
            tl.frame(
                {"plan": np.flatnonzero(take), "due_date": due[take], "meeting_date": meeting[take]}
            )
        )
        previous = np.where(np.isnat(meeting), due, meeting)
        previous = np.where(alive, previous, LAST_DUE + 400)
    rev = pd.concat(rows, ignore_index=True)
    plan = rev["plan"].to_numpy()
    meeting = rev["meeting_date"].to_numpy().astype("datetime64[D]")
    held = ~np.isnat(meeting)
    n = len(rev)

    decision_date = tl.censor(
        np.where(held, tl.add_days(meeting, tl.lognormal_days(rng, 30, 0.35, n)), NAT)
    )
    decided = ~np.isnat(decision_date)
    decision = np.where(rng.random(n) < 0.62, "maintain", "amend").astype(object)
    # The last review before a plan ends because needs are met (or the young person moves
    # on to education, training or work) decides to cease the plan.
    ending = np.isin(reason[plan], ["1", "2", "3", "4"]) & (
        (cease[plan] - meeting).astype(np.int64) <= 150
    )
    decision = np.where(ending, "cease", decision)
    decision = np.where(decided, decision, "")
    when = np.where(held, meeting, tl.START)
    amend_median = lognormal_medians(ctx.value("EHC08", when), 84, 0.35)
    amended = tl.censor(
        np.where(
            decision == "amend",
            tl.add_days(meeting, tl.lognormal_days(rng, amend_median, 0.35, n)),
            NAT,
        )
    )

    known_sc = ehc.known_to_social_care[plan]
    known_health = ehc.known_to_health[plan]
    haw02 = ctx.value("HAW02", when)
    both = np.clip(haw02 * HEALTH_INPUT["known_to_both"], 0.0, 1.0)
    health_p = np.select(
        [known_sc & known_health, known_health],
        [both, np.clip(haw02 * HEALTH_INPUT["known_to_health"], 0.0, 1.0)],
        HEALTH_INPUT_NOT_KNOWN,
    )
    # JOIN02 = social care input x health input among children known to social care.
    health_if_sc = KNOWN_TO_HEALTH * both + (1 - KNOWN_TO_HEALTH) * HEALTH_INPUT_NOT_KNOWN
    sc_p = np.where(known_sc, np.clip(ctx.value("JOIN02", when) / health_if_sc, 0.0, 1.0), 0.03)
    frame = tl.frame(
        {
            "plan_id": plans["plan_id"].to_numpy()[plan],
            "due_date": rev["due_date"].to_numpy(),
            "meeting_date": meeting,
            "decision": decision,
            "decision_date": decision_date,
            "amended_plan_date": amended,
            "cyp_participated": _flag(rng, ctx.value("COP04", when), held),
            "parent_attended": _flag(rng, 0.85, held),
            "health_input": _flag(rng, health_p, held),
            "social_care_input": _flag(rng, sc_p, held),
            "known_to_social_care": known_sc,
        }
    )
    frame = frame.sort_values(["due_date", "plan_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "review_id", [f"AR{i:06d}" for i in range(1, n + 1)])
    return frame


def _grade(rng: np.random.Generator, good: np.ndarray) -> np.ndarray:
    u = rng.random(good.size)
    return np.where(
        good,
        np.where(u < 0.25, "outstanding", "good"),
        np.where(u < 0.7, "requires_improvement", "inadequate"),
    ).astype(object)


def make_audits(ctx: tl.Context, ehc: EhcData) -> pd.DataFrame:
    """About 15 multi-agency audits a month of plans active on the audit day."""
    rng = ctx.rng("ehcp_audits")
    months = tl.month_starts()
    counts = rng.poisson(15 * ctx.scale, months.size)
    first = np.repeat(months, counts)
    last = (first.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    audit_date = np.sort(tl.uniform_days(rng, first, last, first.size))
    plans = ehc.plans
    start = plans["start_date"].to_numpy().astype("datetime64[D]")
    cease = plans["cease_date"].to_numpy().astype("datetime64[D]")
    n = audit_date.size
    plan = np.full(n, -1)
    for _ in range(50):  # rejection sampling: draw until each audit has an active plan
        todo = np.flatnonzero(plan < 0)
        if todo.size == 0:
            break
        draw = rng.integers(0, len(plans), todo.size)
        d = audit_date[todo]
        active = (start[draw] <= d) & (np.isnat(cease[draw]) | (cease[draw] > d))
        plan[todo[active]] = draw[active]
    keep = plan >= 0
    audit_date, plan, n = audit_date[keep], plan[keep], int(keep.sum())

    both_health = rng.random(n) < ctx.value("HAW03", audit_date)
    c_low = rng.random(n) < 0.6
    health_c = both_health | (~c_low & (rng.random(n) < 0.4))
    health_g = both_health | (c_low & (rng.random(n) < 0.4))
    known_sc = ehc.known_to_social_care[plan]
    # Social care and outcomes sections follow the social care input and review
    # timeliness the scenario sets (no indicator of their own).
    sc_good = rng.random(n) < np.clip(1.6 * ctx.value("JOIN02", audit_date) + 0.1, 0.0, 0.95)
    outcomes_good = rng.random(n) < 0.7 * ctx.value("EHC06", audit_date)
    voice_good = rng.random(n) < ctx.value("COP03", audit_date)
    share_good = (voice_good.astype(int) + both_health + outcomes_good + sc_good) / 4
    aware = (rng.random(n) < ctx.value("HAW04", audit_date)).astype(object)
    aware[rng.random(n) < 0.05] = None

    frame = tl.frame(
        {
            "audit_id": [f"AU{i:05d}" for i in range(1, n + 1)],
            "plan_id": plans["plan_id"].to_numpy()[plan],
            "audit_date": audit_date,
            "auditor_org": rng.choice(
                ["la", "nhs", "joint", "school", "parent_carer_forum"],
                n,
                p=[0.35, 0.2, 0.3, 0.1, 0.05],
            ).astype(object),
            "grade_voice": _grade(rng, voice_good),
            "grade_health_c": _grade(rng, health_c),
            "grade_health_g": _grade(rng, health_g),
            "grade_social_care_d": np.where(known_sc, _grade(rng, sc_good), ""),
            "grade_social_care_h": np.where(
                known_sc, _grade(rng, sc_good | (rng.random(n) < 0.1)), ""
            ),
            "grade_outcomes": _grade(rng, outcomes_good),
            "grade_overall": _grade(rng, rng.random(n) < share_good),
            "health_practitioner_aware": aware,
        }
    )
    return frame
