"""Schools and the January school census.

Bury has about 80 schools: some 60 primaries, 14 secondaries (a few with sixth forms),
three special schools and a pupil referral unit. Names are made up from local place
names; URNs are six digits and DfE establishment numbers four, as in Get Information
About Schools.

Identification of SEND at school level is planted in the spread of schools' SEN support
rates (ID01, the scenario's standard deviation of the school effect at each census), with
a few schools sitting a multiple of that spread above the funnel, so they drift in or out
as the spread changes, and in the share of SEN support with no specialist assessment of
need (ID03).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import names
from sendready.sample import timeline as tl
from sendready.sample.people import base_school_at

# Schools at scale 1 by phase, and the DfE establishment number range each phase uses.
_PHASES = {
    "primary": (62, (2000, 4000)),
    "secondary": (14, (4000, 5000)),
    "special": (3, (7000, 7200)),
    "pru": (1, (1100, 1200)),
}
_NAME_PATTERNS = {
    "primary": (
        "{place} Primary School",
        "{place} Community Primary School",
        "{place} CofE Primary School",
        "{place} Methodist Primary School",
    ),
    "secondary": (
        "{place} High School",
        "{place} Academy",
        "{place} Church of England High School",
    ),
    "special": ("{place} School", "{place} Special School", "{place} Primary Special School"),
    "pru": ("{place} Pupil Referral Unit", "{place} Centre"),
}
_SAINT_PATTERNS = {
    "primary": ("St {saint}'s RC Primary School", "St {saint}'s CofE Primary School"),
    "secondary": ("St {saint}'s RC High School",),
}
# Logit offset of the schools planted above the SEN support funnel, as a multiple of the
# spread between schools (ID01) at the census.
OUTLIER_MULTIPLE = 3.5
OUTLIER_SCHOOLS = 3
SEN_SUPPORT_RATE = 0.115  # about one pupil in nine on SEN support, as in England then


def _school_names(rng: np.random.Generator, phase: str, count: int) -> list[str]:
    """Distinct names: simple place names first, saints' names with a place if needed."""
    simple = [p.format(place=place) for place in names.PLACES for p in _NAME_PATTERNS[phase]]
    simple += [p.format(saint=s) for s in names.SAINTS for p in _SAINT_PATTERNS.get(phase, ())]
    if phase in _SAINT_PATTERNS:
        extra = [
            f"{p.format(saint=s)}, {place}"
            for place in names.PLACES
            for s in names.SAINTS
            for p in _SAINT_PATTERNS[phase]
        ]
    else:
        extra = [
            p.format(place=f"{a} and {b}")
            for a in names.PLACES
            for b in names.PLACES
            if a != b
            for p in _NAME_PATTERNS[phase]
        ]
    chosen = [simple[i] for i in rng.permutation(len(simple))[:count]]
    if len(chosen) < count:
        chosen += [extra[i] for i in rng.permutation(len(extra))[: count - len(chosen)]]
    return chosen


def make_schools(ctx: tl.Context) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The area's schools, and URNs of settings outside its census.

    Returns:
        ``schools`` (urn, name, phase, estab, size_weight, sixth_form, effect, outlier)
        and a dict of extra URNs: ``college`` (further education colleges) and
        ``independent`` (independent special schools, mostly out of area).
    """
    rng = ctx.rng("schools")
    counts = {phase: ctx.n(base) for phase, (base, _) in _PHASES.items()}
    n_colleges, n_independent = ctx.n(4), ctx.n(12)
    total = sum(counts.values()) + n_colleges + n_independent
    urns = (rng.choice(50_000, size=total, replace=False) + 100_000).astype("U6").astype(object)

    frames, used = [], 0
    for phase, count in counts.items():
        lo, hi = _PHASES[phase][1]
        frames.append(
            tl.frame(
                {
                    "urn": urns[used : used + count],
                    "name": _school_names(rng, phase, count),
                    "phase": phase,
                    "estab": rng.choice(np.arange(lo, hi), size=count, replace=False),
                    "size_weight": np.exp(0.35 * rng.standard_normal(count)),
                }
            )
        )
        used += count
    schools = pd.concat(frames, ignore_index=True)
    if schools["name"].duplicated().any():
        raise AssertionError("school names must be distinct (they are workforce keys)")
    n = len(schools)
    secondary = schools["phase"].to_numpy() == "secondary"
    schools["sixth_form"] = secondary & (rng.random(n) < 0.3)
    schools["effect"] = rng.standard_normal(n)
    # The planted outliers are larger-than-average primaries, so they stand out clearly.
    outlier = np.zeros(n, dtype=bool)
    primaries = np.flatnonzero(schools["phase"].to_numpy() == "primary")
    big = primaries[schools["size_weight"].to_numpy()[primaries] > 1.0]
    outlier[rng.choice(big, size=min(ctx.n(OUTLIER_SCHOOLS), big.size), replace=False)] = True
    schools["outlier"] = outlier
    extra = {
        "college": urns[used : used + n_colleges],
        "independent": urns[used + n_colleges :],
    }
    return schools, extra


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def school_census(
    ctx: tl.Context,
    pool: pd.DataFrame,
    schools: pd.DataFrame,
    plans: dict[str, np.ndarray],
    requested: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Pupils on roll at each January census, with SEN provision and primary need.

    Args:
        pool: The children (:func:`sendready.sample.people.make_pool`).
        schools: From :func:`make_schools`.
        plans: Per pool position: ``start``, ``cease`` (days, NaT if none), ``setting``,
            ``school`` (position in ``schools`` of a special school or PRU, -1 if none)
            and ``need``.
        requested: Per pool position, the child was the subject of an EHC request (such
            children are usually on SEN support first).

    Returns:
        The census frame and the pool positions of every pupil in it.
    """
    rng = ctx.rng("census")
    n = len(pool)
    idx = np.arange(n)
    cohort = pool["cohort"].to_numpy()
    gender_shift = np.select(
        [pool["gender"].to_numpy() == "M", pool["gender"].to_numpy() == "F"], [0.3, -0.45], 0.0
    )
    frames: list[dict[str, np.ndarray]] = []
    seen = []
    for year, census_day in zip(tl.CENSUS_YEARS, tl.CENSUS_DATES, strict=True):
        when = np.full(n, census_day)
        ncy = year - cohort - 6
        school = base_school_at(pool, idx, when)
        present = (pool["arrive"].to_numpy() <= year) & (year <= pool["leave"].to_numpy())
        active = (plans["start"] <= census_day) & (
            np.isnat(plans["cease"]) | (plans["cease"] > census_day)
        )
        setting = plans["setting"]
        special = active & (setting == "special")
        school = np.where(
            special, np.where(present & (ncy >= 0) & (ncy <= 14), plans["school"], -1), school
        )
        ap = active & (setting == "alternative_provision") & (ncy >= 7) & (ncy <= 11)
        school = np.where(ap & present, plans["school"], school)
        away = active & (
            np.isin(setting, ["independent_special", "ehe"]) | ((setting == "post16") & (ncy >= 12))
        )
        school = np.where(away, -1, school)
        on_roll = np.flatnonzero(school >= 0)
        sch = school[on_roll]

        sd = ctx.at("ID01", census_day)
        logit = (
            _logit(SEN_SUPPORT_RATE)
            + sd * schools["effect"].to_numpy()[sch]
            + OUTLIER_MULTIPLE * sd * schools["outlier"].to_numpy()[sch]
            + gender_shift[on_roll]
            + 2.2 * requested[on_roll]
        )
        on_support = pool["sen_u"].to_numpy()[on_roll] < 1 / (1 + np.exp(-logit))
        has_plan = active[on_roll]
        provision = np.where(has_plan, "E", np.where(on_support, "K", "N")).astype(object)
        need = np.where(
            has_plan,
            plans["need"][on_roll],
            np.where(on_support, pool["k_need"].to_numpy()[on_roll], ""),
        ).astype(object)
        nsa_share = ctx.at("ID03", census_day)
        need[(provision == "K") & (rng.random(on_roll.size) < nsa_share)] = "NSA"

        frames.append(
            {
                "year": np.full(on_roll.size, year),
                "pupil": on_roll,
                "school": sch,
                "ncy": ncy[on_roll],
                "sen_provision": provision,
                "primary_need": need,
            }
        )
        seen.append(on_roll)
    parts = {k: np.concatenate([f[k] for f in frames]) for k in frames[0]}
    # Sorted by census, school URN, year group and person_id, using ranks (fast) rather
    # than comparing strings.
    urn_rank = np.argsort(np.argsort(schools["urn"].to_numpy().astype(str)))
    pid_rank = np.argsort(np.argsort(pool["person_id"].to_numpy().astype(str)))
    order = np.lexsort(
        (pid_rank[parts["pupil"]], parts["ncy"], urn_rank[parts["school"]], parts["year"])
    )
    parts = {k: v[order] for k, v in parts.items()}
    pupil, sch = parts["pupil"], parts["school"]
    census_days = dict(zip(tl.CENSUS_YEARS, tl.CENSUS_DATES, strict=True))
    census = tl.frame(
        {
            "census_date": np.array([census_days[y] for y in tl.CENSUS_YEARS])[
                parts["year"] - tl.CENSUS_YEARS[0]
            ],
            "school_urn": schools["urn"].to_numpy()[sch],
            "school_name": schools["name"].to_numpy()[sch],
            "phase": schools["phase"].to_numpy()[sch],
            "person_id": pool["person_id"].to_numpy()[pupil],
            "upn": pool["upn"].to_numpy()[pupil],
            "ncy": parts["ncy"],
            "sen_provision": parts["sen_provision"],
            "primary_need": parts["primary_need"],
        }
    )
    return census, np.unique(np.concatenate(seen))
