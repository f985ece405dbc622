"""The children of the sample area: one pool that every person-level source draws from.

Every child belongs to a birth cohort (the academic year of birth, September to August),
so a date of birth always agrees with the national curriculum year a census records. The
pool covers children born 1993-2025: the oldest are 23 when the window opens (within the
0-25 age range throughout its first years), the youngest are babies referred to health
services. Each
child's school career, arrival in and departure from the area are drawn once, so every
source tells the same story about them.

``persons`` is written from the children some source actually mentions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.metadata.contracts import ETHNICITY
from sendready.sample import identity, names
from sendready.sample import timeline as tl

FIRST_COHORT, LAST_COHORT = 1993, 2025
# Children per birth cohort at scale 1: about 30,000 pupils in reception to year 11 plus
# the few who stay in school sixth forms, a Bury-sized borough.
COHORT_SIZE = 2500
# Share of children in the area for every census; the rest arrive or leave part way.
STAYERS = 0.85
# Approximate ethnic mix of a Greater Manchester borough's pupils (illustrative).
_ETHNIC_MIX = {
    "WBRI": 0.80,
    "APKN": 0.06,
    "WOTH": 0.03,
    "MWBA": 0.015,
    "MWAS": 0.015,
    "MOTH": 0.01,
    "AIND": 0.01,
    "ABAN": 0.01,
    "AOTH": 0.01,
    "BAFR": 0.01,
    "BCRB": 0.005,
    "CHNE": 0.003,
    "WIRI": 0.003,
    "OOTH": 0.008,
    "REFU": 0.006,
    "NOBT": 0.003,
}
_SOUTH_ASIAN = ("APKN", "ABAN", "AIND", "AOTH")
_SA_GIRLS = (
    "Aisha",
    "Fatima",
    "Maryam",
    "Zainab",
    "Hafsa",
    "Amina",
    "Ayesha",
    "Inaaya",
    "Hana",
    "Safa",
)
_SA_BOYS = (
    "Muhammad",
    "Ibrahim",
    "Yusuf",
    "Ali",
    "Hamza",
    "Zayn",
    "Ayaan",
    "Rayyan",
    "Haroon",
    "Bilal",
    "Imran",
)
# Neighbouring authorities' DfE codes (Bolton, Manchester, Rochdale, Salford): children
# who arrived from elsewhere keep the UPN their first school gave them.
_OTHER_LA_CODES = np.array([350, 352, 354, 355])
_K_NEEDS = {
    "SLCN": 0.25,
    "MLD": 0.22,
    "SEMH": 0.18,
    "SPLD": 0.13,
    "ASD": 0.08,
    "OTH": 0.05,
    "PD": 0.03,
    "HI": 0.02,
    "VI": 0.015,
    "SLD": 0.01,
    "MSI": 0.003,
    "PMLD": 0.002,
}


def _zipf_choice(rng: np.random.Generator, items: tuple[str, ...], n: int) -> np.ndarray:
    """Common names are common: earlier items in the list are drawn more often."""
    weights = 1.0 / (np.arange(len(items)) + 6.0)
    return np.array(items, dtype=object)[rng.choice(len(items), n, p=weights / weights.sum())]


def _choice(rng: np.random.Generator, mix: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(mix), dtype=object)
    p = np.array(list(mix.values()))
    return keys[rng.choice(keys.size, n, p=p / p.sum())]


def make_pool(ctx: tl.Context, schools: pd.DataFrame) -> pd.DataFrame:
    """Every child the sample might mention, sorted by birth cohort.

    Columns: person_id, cohort, dob, gender, ethnicity, forename, surname, postcode,
    nhs_number, upn, primary, secondary, sixth_former (school positions in ``schools``),
    arrive, leave (first and last census year in the area), stayer, sen_u (a stable
    propensity for SEN support), k_need (need recorded if on SEN support).
    """
    rng = ctx.rng("people")
    size = ctx.n(COHORT_SIZE)
    cohorts = np.repeat(np.arange(FIRST_COHORT, LAST_COHORT + 1), size)
    n = cohorts.size

    sept_first = (cohorts - 1970).astype("datetime64[Y]").astype("datetime64[M]") + 8
    dob = tl.uniform_days(
        rng, sept_first.astype("datetime64[D]"), (sept_first + 12).astype("datetime64[D]") - 1, n
    )
    gender = np.where(rng.random(n) < 0.51, "M", "F").astype(object)
    gender[rng.random(n) < 0.002] = "U"
    ethnicity = _choice(rng, _ETHNIC_MIX, n)
    ethnicity[rng.random(n) < 0.005] = ""  # not recorded
    assert set(_ETHNIC_MIX) <= set(ETHNICITY)

    girls = gender == "F"
    forename = np.where(girls, _zipf_choice(rng, names.GIRLS, n), _zipf_choice(rng, names.BOYS, n))
    surname = _zipf_choice(rng, names.SURNAMES, n)
    south_asian = np.isin(ethnicity, _SOUTH_ASIAN)
    forename[south_asian & girls] = _zipf_choice(rng, _SA_GIRLS, int((south_asian & girls).sum()))
    forename[south_asian & ~girls] = _zipf_choice(rng, _SA_BOYS, int((south_asian & ~girls).sum()))
    surname[south_asian] = _zipf_choice(rng, names.SOUTH_ASIAN_SURNAMES, int(south_asian.sum()))
    jewish = (ethnicity == "WOTH") & (rng.random(n) < 0.4)
    surname[jewish] = _zipf_choice(rng, names.JEWISH_SURNAMES, int(jewish.sum()))

    # Arrivals and departures: most children are in the area for every census; the rest
    # either arrive (first census after the first) or leave (last census before the last).
    kind = rng.random(n)
    arrivals = (kind >= STAYERS) & (kind < (1 + STAYERS) / 2)
    leavers = kind >= (1 + STAYERS) / 2
    first, last = tl.CENSUS_YEARS[0], tl.CENSUS_YEARS[-1]
    arrive = np.where(arrivals, rng.integers(first + 1, last + 1, n), first)
    leave = np.where(leavers, rng.integers(first, last, n), last)
    stayer = ~arrivals & ~leavers

    primary, secondary, sixth = _assign_schools(rng, schools, n)

    # A UPN is issued when a child first starts school (reception, the September after
    # their fourth birthday); children born too late to have started have none.
    from_elsewhere = (arrive > first) & (rng.random(n) < 0.7) | (rng.random(n) < 0.05)
    la = np.where(from_elsewhere, _OTHER_LA_CODES[rng.integers(0, 4, n)], int(tl.LA_CODE))
    estab = np.where(
        from_elsewhere, rng.integers(2000, 4000, n), schools["estab"].to_numpy()[primary]
    )
    upn = identity.upns(la, estab, cohorts + 5)
    upn[cohorts + 5 > last - 1] = ""

    return tl.frame(
        {
            "person_id": identity.person_ids(rng, n),
            "cohort": cohorts,
            "dob": dob,
            "gender": gender,
            "ethnicity": ethnicity,
            "forename": forename,
            "surname": surname,
            "postcode": identity.postcodes(rng, n, households=max(50, n // 6)),
            "nhs_number": identity.nhs_numbers(rng, n),
            "upn": upn,
            "primary": primary,
            "secondary": secondary,
            "sixth_former": sixth,
            "arrive": arrive,
            "leave": leave,
            "stayer": stayer,
            "sen_u": rng.random(n),
            "k_need": _choice(rng, _K_NEEDS, n),
        }
    )


def _assign_schools(
    rng: np.random.Generator, schools: pd.DataFrame, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Primary and secondary school of every child, in proportion to school size."""

    def pick(phase: str) -> np.ndarray:
        where = np.flatnonzero(schools["phase"].to_numpy() == phase)
        weight = schools["size_weight"].to_numpy()[where]
        return where[rng.choice(where.size, n, p=weight / weight.sum())]

    primary, secondary = pick("primary"), pick("secondary")
    sixth = schools["sixth_form"].to_numpy()[secondary] & (rng.random(n) < 0.6)
    return primary, secondary, sixth


def ncy_at(pool: pd.DataFrame, dates: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """National curriculum year of children ``idx`` on ``dates`` (reception is 0)."""
    return tl.academic_year(dates) - pool["cohort"].to_numpy()[idx] - 5


def base_school_at(pool: pd.DataFrame, idx: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Mainstream school (position in schools) of children ``idx`` on ``dates``; -1 if none.

    A child is at school from reception to year 11, and in years 12-13 only if they stay
    on at a school sixth form; only while they live in the area.
    """
    ncy = ncy_at(pool, dates, idx)
    census_year = tl.academic_year(dates) + 1
    present = (pool["arrive"].to_numpy()[idx] <= census_year) & (
        census_year <= pool["leave"].to_numpy()[idx]
    )
    primary = pool["primary"].to_numpy()[idx]
    secondary = pool["secondary"].to_numpy()[idx]
    sixth = pool["sixth_former"].to_numpy()[idx]
    school = np.full(idx.size, -1)
    school = np.where((ncy >= 0) & (ncy <= 6), primary, school)
    school = np.where((ncy >= 7) & (ncy <= 11), secondary, school)
    school = np.where((ncy >= 12) & (ncy <= 13) & sixth, secondary, school)
    return np.where(present, school, -1)


class CohortPicker:
    """Draws distinct children of given cohorts and sexes, without replacement.

    Used where a child may appear only once (one EHC plan per child, one request per
    child): each draw removes the child from later draws.
    """

    def __init__(self, pool: pd.DataFrame, rng: np.random.Generator, eligible: np.ndarray):
        self._rng = rng
        self._lists: dict[tuple[int, bool], np.ndarray] = {}
        self._next: dict[tuple[int, bool], int] = {}
        cohorts = pool["cohort"].to_numpy()
        boys = pool["gender"].to_numpy() == "M"
        for cohort in np.unique(cohorts):
            for is_boy in (False, True):
                members = np.flatnonzero(eligible & (cohorts == cohort) & (boys == is_boy))
                self._lists[(int(cohort), is_boy)] = rng.permutation(members)
                self._next[(int(cohort), is_boy)] = 0

    def take(self, cohorts: np.ndarray, boys: np.ndarray) -> np.ndarray:
        """One child per requested (cohort, sex); -1 where the cohort has run out."""
        out = np.full(len(cohorts), -1)
        for i, (cohort, is_boy) in enumerate(zip(cohorts.tolist(), boys.tolist(), strict=True)):
            key = (int(cohort), bool(is_boy))
            if key not in self._lists:
                continue
            members, k = self._lists[key], self._next[key]
            if k < members.size:
                out[i] = members[k]
                self._next[key] = k + 1
        return out


def persons_frame(pool: pd.DataFrame, used: np.ndarray, nhs_recorded: np.ndarray) -> pd.DataFrame:
    """The ``persons`` extract: every child any other source mentions.

    Args:
        pool: From :func:`make_pool`.
        used: Positions in ``pool`` of children mentioned anywhere.
        nhs_recorded: Per pool position, whether the council's record holds the NHS
            number (education systems often lack it; see scenario JOIN03).
    """
    idx = np.unique(used)
    sub = pool.iloc[idx]
    nhs = np.where(nhs_recorded[idx], sub["nhs_number"].to_numpy(), "")
    frame = tl.frame(
        {
            "person_id": sub["person_id"].to_numpy(),
            "upn": sub["upn"].to_numpy(),
            "nhs_number": nhs,
            "forename": sub["forename"].to_numpy(),
            "surname": sub["surname"].to_numpy(),
            "date_of_birth": sub["dob"].to_numpy(),
            "gender": sub["gender"].to_numpy(),
            "ethnicity": sub["ethnicity"].to_numpy(),
            "postcode": sub["postcode"].to_numpy(),
        }
    )
    return frame.sort_values("person_id", kind="stable").reset_index(drop=True)
