"""Staff in scope of SEND training (quarterly headcounts) and training completions.

The scenario sets the share of SENCOs trained in the graduated approach a year (ID06),
of primary and secondary teachers trained in SEND a year (TRN01, TRN02; other phases'
teachers follow a quarter of ID06) and of health practitioners trained on EHC plans a year
(HAW05); social workers' and SEND officers' training follows the closest indicator.
School rows carry the school's phase. Health practitioners
also had a one-off EHC plan session in 2015, before the window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl
from sendready.sample.advice import ACUTE_TRUST, COMMUNITY_TRUST

COUNCIL = "Bury Council"
# Organisation-level staff groups at scale 1: (organisation, staff group, headcount,
# course, the indicator whose scenario value sets the share trained a year, multiple).
_GROUPS = (
    (COMMUNITY_TRUST, "health_practitioner", 300, "ehc_plans", "HAW05", 1.0),
    (ACUTE_TRUST, "health_practitioner", 120, "ehc_plans", "HAW05", 1.0),
    (COUNCIL, "social_worker", 90, "ehc_plans", "JOIN02", 1.0),
    (COUNCIL, "send_officer", 20, "coproduction", "COP04", 1.0),
)
HEALTH_SESSION_2015 = 0.10  # share of health practitioners at the one-off 2015 session
# The phases whose teachers' training the scenario sets, and the indicator that sets it.
TEACHER_PHASES = {"primary": "TRN01", "secondary": "TRN02"}


def _teacher_headcount(schools: pd.DataFrame) -> np.ndarray:
    secondary = schools["phase"].to_numpy() == "secondary"
    return np.maximum(
        6, np.rint(schools["size_weight"].to_numpy() * np.where(secondary, 60, 14)).astype(int)
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
    teachers = _teacher_headcount(schools)
    for period in periods:
        rows.append(
            tl.frame(
                {
                    "organisation": schools["name"],
                    "staff_group": "senco",
                    "period": period,
                    "headcount": sencos,
                    "phase": schools["phase"],
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
                    "phase": schools["phase"],
                }
            )
        )
        for org, group, headcount, *_ in _GROUPS:
            # Health headcounts are held steady so that HAW05 moves only with training.
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
    # SENCOs: each trained in the graduated approach at the scenario's yearly rate (ID06).
    secondary = schools["phase"].to_numpy() == "secondary"
    org = np.repeat(schools["name"].to_numpy(), np.where(secondary, 2, 1))
    days = np.arange(tl.START, tl.END + 1)
    per_day = org.size * ctx.value("ID06", days) / 365.25
    d = np.repeat(days, rng.poisson(per_day))
    parts.append(
        tl.frame(
            {
                "organisation": org[rng.integers(0, org.size, d.size)],
                "staff_group": "senco",
                "course": "graduated_approach",
                "completed_date": d,
            }
        )
    )

    parts.extend(_teacher_training(ctx, schools, days))

    # Health practitioners: the 2015 session, before the window.
    for org_name, group, headcount, course, *_ in _GROUPS[:2]:
        k = int(round(ctx.n(headcount) * HEALTH_SESSION_2015))
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

    for org_name, group, headcount, course, indicator, multiple in _GROUPS:
        per_day = ctx.n(headcount) * multiple * ctx.value(indicator, days) / 365.25
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
    phase_of = dict(zip(schools["name"], schools["phase"], strict=False))
    training["phase"] = training["organisation"].map(phase_of)
    training = training.sort_values(["completed_date", "organisation"], kind="stable")
    training.insert(0, "record_id", [f"TR{i:06d}" for i in range(1, len(training) + 1)])
    return training.reset_index(drop=True)


def _teacher_training(ctx: tl.Context, schools: pd.DataFrame, days: np.ndarray) -> list:
    """Teachers' SEND training (graduated approach) by phase: primary and secondary at the
    scenario's TRN01 and TRN02 yearly rates per teacher, other phases at a quarter of the
    SENCOs' rate; each completion at a school drawn in proportion to its teachers."""
    rng = ctx.rng("training_teachers")
    teachers = _teacher_headcount(schools).astype(float)
    phase = schools["phase"].to_numpy()
    names = schools["name"].to_numpy()
    parts = []
    others = ~np.isin(phase, list(TEACHER_PHASES))
    groups = [(phase == p, ctx.value(ind, days)) for p, ind in TEACHER_PHASES.items()]
    groups.append((others, 0.25 * ctx.value("ID06", days)))
    for mask, rate in groups:
        if not mask.any():
            continue
        weight = teachers[mask] / teachers[mask].sum()
        d = np.repeat(days, rng.poisson(teachers[mask].sum() * rate / 365.25))
        parts.append(
            tl.frame(
                {
                    "organisation": names[mask][rng.choice(mask.sum(), d.size, p=weight)],
                    "staff_group": "teacher",
                    "course": "graduated_approach",
                    "completed_date": d,
                }
            )
        )
    return parts
