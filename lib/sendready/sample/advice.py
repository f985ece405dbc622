"""Advice requested during EHC needs assessments (reg 8: six weeks to respond).

Every assessment asks for education, educational psychology, health and social care
advice. The scenario sets how often social care advice is on file before the plan is
issued (JOIN01), how long health advice takes (HINF01, HINF02) and how often it comes
through the shared portal (HINF03).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl
from sendready.sample.ehc import EhcData

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
# Share of plans whose education and health advice are on file before issue, so that
# social care advice on file with probability JOIN01 / this makes all three JOIN01.
OTHER_ADVICE_ON_FILE = 0.89


def health_advice_days(
    ctx: tl.Context, rng: np.random.Generator, requested: np.ndarray
) -> np.ndarray:
    """Days to health advice: median HINF02, spread so that HINF01 arrive within 42."""
    median = ctx.value("HINF02", requested)
    z = np.array(
        [
            NormalDist().inv_cdf(float(p))
            for p in np.clip(ctx.value("HINF01", requested), 0.01, 0.99)
        ]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(np.abs(z) > 0.02, np.log(42 / median) / z, 0.45)
    sigma = np.clip(np.where(sigma > 0, sigma, 0.45), 0.15, 1.2)
    return np.maximum(1.0, median * np.exp(sigma * rng.standard_normal(requested.size)))


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
        portal: float | np.ndarray,
    ) -> None:
        k = int(mask.sum())
        received = np.where(np.isnan(days), NAT, tl.add_days(requested[mask], np.nan_to_num(days)))
        received = tl.censor(received)
        channel = np.where(np.isnat(received), "", _channel(rng, np.asarray(portal), k))
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

    # Health advice: one or two disciplines; timing and channel from HINF01-03.
    disciplines = np.array(list(_HEALTH_DISCIPLINES), dtype=object)
    shares = np.array([v[1] for v in _HEALTH_DISCIPLINES.values()])
    providers = np.array([v[0] for v in _HEALTH_DISCIPLINES.values()], dtype=object)
    for copy in range(2):
        mask = everyone if copy == 0 else rng.random(n) < 0.6
        k = int(mask.sum())
        which = rng.choice(disciplines.size, k, p=shares)
        days = health_advice_days(ctx, rng, requested[mask])
        days[rng.random(k) < 0.03] = np.nan  # never arrived
        portal = ctx.value("HINF03", requested[mask])
        add(mask, "health", providers[which], disciplines[which], days, portal)

    # Social care advice on file before issue: the JOIN01 rate when the plan was issued
    # (when the advice was asked, for requests without an issued plan).
    when = np.where(np.isnat(issue), requested, issue)
    p_before = np.clip(ctx.value("JOIN01", when) / OTHER_ADVICE_ON_FILE, 0.0, 0.995)
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
