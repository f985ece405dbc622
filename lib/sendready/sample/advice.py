"""Advice requested during EHC needs assessments (reg 8: six weeks to respond).

Every assessment asks for education, educational psychology, health and social care
advice. Two planted stories meet here:

* W3 improves: social care advice arrives before the plan is issued far more often once
  the change has taken hold, so complete multi-agency advice (JOIN01) rises.
* W4 does not: health advice takes as long as ever (HINF01, HINF02) and rarely comes
  through the shared portal (HINF03).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl
from sendready.sample.ehc import EhcData, lognormal_for
from sendready.sample.scenario import EFFECTS

NAT = np.datetime64("NaT", "D")
COMMUNITY_TRUST = "Irwell Community Health NHS Trust"
ACUTE_TRUST = "Irwell Acute Hospitals NHS Trust"
CAMHS = "Healthy Young Minds (Irwell Community Health)"
_HEALTH_DISCIPLINES = {  # discipline: (provider, share of health advice requests)
    "paediatrics": (ACUTE_TRUST, 0.45),
    "slt": (COMMUNITY_TRUST, 0.25),
    "ot": (COMMUNITY_TRUST, 0.10),
    "physio": (COMMUNITY_TRUST, 0.08),
    "camhs": (CAMHS, 0.12),
}
# Social care advice on file by the time the plan is issued, before and after the change.
SOCIAL_CARE_BEFORE_ISSUE = (0.55, 0.96)


def _channel(rng: np.random.Generator, portal: float, n: int) -> np.ndarray:
    u = rng.random(n)
    return np.where(
        u < portal, "portal", np.where(u < portal + (1 - portal) * 0.8, "email", "post")
    ).astype(object)


def make_advice(ctx: tl.Context, ehc: EhcData, schools: pd.DataFrame) -> pd.DataFrame:
    """One row per piece of advice requested."""
    rng = ctx.rng("ehc_advice")
    req = ehc.requests
    assessed = (req["decision"] == "assess").to_numpy()
    ids = req["request_id"].to_numpy()[assessed]
    decided = req["decision_date"].to_numpy().astype("datetime64[D]")[assessed]
    issue = req["plan_issued_date"].to_numpy().astype("datetime64[D]")[assessed]
    new_process = ehc.request_new_process[assessed]
    urn = req["school_urn"].to_numpy()[assessed]
    n = ids.size
    requested = np.minimum(tl.add_days(decided, rng.integers(0, 6, n)), tl.END)
    school_name = dict(zip(schools["urn"], schools["name"], strict=True))
    edu_provider = np.array(
        [school_name.get(u, "Bury Council Early Years Team") for u in urn], dtype=object
    )

    parts = []

    def add(
        mask: np.ndarray,
        advice_type: str,
        provider: np.ndarray,
        discipline: np.ndarray,
        days: np.ndarray,
        portal: float,
    ) -> None:
        k = int(mask.sum())
        received = np.where(np.isnan(days), NAT, tl.add_days(requested[mask], np.nan_to_num(days)))
        received = tl.censor(received)
        channel = np.where(np.isnat(received), "", _channel(rng, portal, k))
        parts.append(
            tl.frame(
                {
                    "request_id": ids[mask],
                    "advice_type": advice_type,
                    "provider": provider,
                    "discipline": discipline,
                    "requested_date": requested[mask],
                    "received_date": received,
                    "channel": channel,
                }
            )
        )

    everyone = np.ones(n, dtype=bool)
    add(
        everyone,
        "education",
        edu_provider,
        np.full(n, "senco", dtype=object),
        tl.lognormal_days(rng, 28, 0.4, n),
        0.5,
    )
    add(
        everyone,
        "ep",
        np.full(n, "Bury Educational Psychology Service", dtype=object),
        np.full(n, "educational_psychology", dtype=object),
        tl.lognormal_days(rng, 38, 0.35, n),
        0.5,
    )

    # Health advice: one or two disciplines; timing flat (W4).
    hinf = EFFECTS["HINF01"]
    median = lognormal_for(hinf.before, 42, 0.45)
    disciplines = np.array(list(_HEALTH_DISCIPLINES), dtype=object)
    shares = np.array([v[1] for v in _HEALTH_DISCIPLINES.values()])
    providers = np.array([v[0] for v in _HEALTH_DISCIPLINES.values()], dtype=object)
    for copy in range(2):
        mask = everyone if copy == 0 else rng.random(n) < 0.6
        k = int(mask.sum())
        which = rng.choice(disciplines.size, k, p=shares)
        days = tl.lognormal_days(rng, median, 0.45, k)
        days[rng.random(k) < 0.03] = np.nan  # never arrived
        add(mask, "health", providers[which], disciplines[which], days, EFFECTS["HINF03"].before)

    # Social care advice: before issue far more often once the change took hold (W3).
    p_before = np.where(new_process, SOCIAL_CARE_BEFORE_ISSUE[1], SOCIAL_CARE_BEFORE_ISSUE[0])
    # Without an issued plan, the process in force when the advice was asked applies.
    p_before = np.where(
        np.isnat(issue),
        SOCIAL_CARE_BEFORE_ISSUE[0]
        + (SOCIAL_CARE_BEFORE_ISSUE[1] - SOCIAL_CARE_BEFORE_ISSUE[0]) * tl.effect(requested),
        p_before,
    )
    on_time = rng.random(n) < p_before
    room = np.where(np.isnat(issue), 120, (issue - requested).astype(np.int64))
    days = np.where(
        on_time,
        np.minimum(tl.lognormal_days(rng, 35, 0.4, n), np.maximum(room, 1)),
        np.where(rng.random(n) < 0.3, np.maximum(room, 0) + rng.integers(5, 60, n), np.nan),
    )
    add(
        everyone,
        "social_care",
        np.full(n, "Bury Council Children's Social Care", dtype=object),
        np.full(n, "social_work", dtype=object),
        days,
        0.3,
    )

    other = rng.random(n) < 0.2
    k = int(other.sum())
    add(
        other,
        "other",
        np.full(k, "Bury Sensory Support Service", dtype=object),
        np.full(k, "sensory_support", dtype=object),
        tl.lognormal_days(rng, 30, 0.4, k),
        0.4,
    )

    advice = pd.concat(parts, ignore_index=True)
    advice = advice.sort_values(["requested_date", "request_id"], kind="stable")
    advice.insert(0, "advice_id", [f"AD{i:06d}" for i in range(1, len(advice) + 1)])
    return advice.reset_index(drop=True)
