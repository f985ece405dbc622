"""Staff in scope of SEND training (quarterly headcounts) and training completions.

Planted: SENCOs are trained in the graduated approach in numbers once the change takes
hold (ID06, W6). Health practitioners had a one-off EHC plan session in 2015 and nothing
since (HAW05, W7): coverage is counted cumulatively, so any steady trickle of training
would read as improvement, which the re-visit did not find.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl
from sendready.sample.advice import ACUTE_TRUST, COMMUNITY_TRUST
from sendready.sample.scenario import EFFECTS

COUNCIL = "Bury Council"
# Organisation-level staff groups at scale 1: (organisation, staff group, headcount,
# course, share trained per year before and after the change).
_GROUPS = (
    (COMMUNITY_TRUST, "health_practitioner", 300, "ehc_plans", (0.0, 0.0)),
    (ACUTE_TRUST, "health_practitioner", 120, "ehc_plans", (0.0, 0.0)),
    (COUNCIL, "social_worker", 90, "ehc_plans", (0.10, 0.40)),
    (COUNCIL, "send_officer", 20, "coproduction", (0.10, 0.80)),
)


def _quarter_ends() -> np.ndarray:
    months = tl.month_starts()
    ends = (months.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    month_no = (months.astype("datetime64[M]").astype(np.int64) % 12) + 1
    return ends[month_no % 3 == 0]


def make_workforce(ctx: tl.Context, schools: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("workforce")
    periods = _quarter_ends()
    rows = []
    secondary = schools["phase"].to_numpy() == "secondary"
    sencos = np.where(secondary, 2, 1)
    teachers = np.maximum(
        6, np.rint(schools["size_weight"].to_numpy() * np.where(secondary, 60, 14)).astype(int)
    )
    for period in periods:
        rows.append(
            tl.frame(
                {
                    "organisation": schools["name"],
                    "staff_group": "senco",
                    "period": period,
                    "headcount": sencos,
                }
            )
        )
        rows.append(
            tl.frame(
                {
                    "organisation": schools["name"],
                    "staff_group": "teacher",
                    "period": period,
                    "headcount": teachers + rng.integers(-1, 2, len(schools)),
                }
            )
        )
        for org, group, headcount, _, _ in _GROUPS:
            # Health headcounts are held steady so that HAW05 (cumulative training over
            # headcount) is flat by construction, as planted.
            wobble = 0 if group == "health_practitioner" else int(rng.integers(-3, 4))
            rows.append(
                tl.frame(
                    {
                        "organisation": [org],
                        "staff_group": [group],
                        "period": [period],
                        "headcount": [max(1, ctx.n(headcount) + wobble)],
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def make_training(ctx: tl.Context, schools: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("training")
    parts = []
    # SENCOs: a few trained before the change, most within 16 months after it (ID06).
    secondary = schools["phase"].to_numpy() == "secondary"
    org = np.repeat(schools["name"].to_numpy(), np.where(secondary, 2, 1))
    k = org.size
    senco = EFFECTS["ID06"]
    u = rng.random(k)
    early = u < senco.before
    late = ~early & (u < senco.before + (senco.after - senco.before))
    dates = np.where(
        early,
        tl.uniform_days(rng, tl.START, tl.CHANGE - 1, k),
        tl.uniform_days(rng, tl.CHANGE, tl.END, k),
    )
    trained = early | late
    parts.append(
        tl.frame(
            {
                "organisation": org[trained],
                "staff_group": "senco",
                "course": "graduated_approach",
                "completed_date": dates[trained],
            }
        )
    )

    # Teachers: a trickle of graduated approach training that grows after the change.
    days = np.arange(tl.START, tl.END + 1)
    teachers = int(schools["size_weight"].sum() * 20)
    per_day = teachers * tl.blend(0.05, 0.15, days) / 365.25
    counts = rng.poisson(per_day)
    d = np.repeat(days, counts)
    parts.append(
        tl.frame(
            {
                "organisation": schools["name"].to_numpy()[rng.integers(0, len(schools), d.size)],
                "staff_group": "teacher",
                "course": "graduated_approach",
                "completed_date": d,
            }
        )
    )

    # Health practitioners: the 2015 session, before the window (HAW05 flat).
    for org_name, group, headcount, course, _ in _GROUPS[:2]:
        k = int(round(ctx.n(headcount) * EFFECTS["HAW05"].before))
        parts.append(
            tl.frame(
                {
                    "organisation": org_name,
                    "staff_group": group,
                    "course": course,
                    "completed_date": tl.uniform_days(
                        rng, tl.day("2015-06-01"), tl.day("2015-07-31"), k
                    ),
                }
            )
        )

    for org_name, group, headcount, course, (before, after) in _GROUPS:
        per_day = ctx.n(headcount) * tl.blend(before, after, days) / 365.25
        d = np.repeat(days, rng.poisson(per_day))
        parts.append(
            tl.frame(
                {
                    "organisation": org_name,
                    "staff_group": group,
                    "course": course,
                    "completed_date": d,
                }
            )
        )
    training = pd.concat(parts, ignore_index=True)
    training = training.sort_values(["completed_date", "organisation"], kind="stable")
    training.insert(0, "record_id", [f"TR{i:06d}" for i in range(1, len(training) + 1)])
    return training.reset_index(drop=True)
