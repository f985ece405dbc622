"""List 1 (EHC plans) and List 2 (SEN support) as at a date, from the staged data.

List 1 holds every child or young person with a plan open on the date (started on or
before it, not ceased before it); List 2 every pupil recorded on SEN support (provision
K) at the latest school census on or before the date who has no open plan. The columns
are those of the lists' template (:data:`LIST1_COLUMNS`); the staged data fill in the
identifiers, date of birth, sex and ethnicity from the persons extract; the first and
latest plan dates, primary need and setting from the plans; the last review held on or
before the date, and whether the child is known to social care, from the annual reviews;
the establishment's phase from the school census. The unique learner number and the columns about
attendance, exclusions, pupil premium and disability are held by no extract, so they are
left blank for the area to fill in. Names are not on the lists: the unique ID, UPN and
date of birth identify a child, and the lists carry no more than the template asks.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

# Column -> heading in the workbook, in order. Identifying columns are restricted.
# Column -> heading, in the order and words of the lists' template as local authorities
# check them (Data to Insight's Annex A SEN validator). Columns no extract holds
# (suspensions, exclusions, absence, pupil premium, a second establishment, the social
# care team, disability) are written blank, for the area to fill in.
PERSON_COLUMNS = {
    "person_id": "Unique ID",
    "upn": "UPN",
    "uln": "ULN",
    "date_of_birth": "Date of birth",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
}
PLAN_COLUMNS = {
    "initial_plan_date": "Date initial EHC plan issued",
    "latest_plan_date": "Date updated EHC plan issued",
    "last_review_date": "Date EHC plan last reviewed",
}
SETTING_COLUMNS = {
    "primary_need": "SEN primary need",
    "establishment_urn": "Main education establishment – URN",
    "establishment_phase": "Main education establishment – phase",
    "subsidiary_phase": "Subsidiary education establishment – phase (dual registration)",
}
OTHER_COLUMNS = {
    "suspensions": "Suspensions",
    "permanent_exclusions": "Permanent exclusions",
    "absence": "Absence",
    "pupil_premium": "Pupil Premium",
    "known_to_social_care": "Known to children's social care?",
    "social_care_team": "Which children's social care team?",
    "disability": "Does the child or young person have a disability?",
}
LIST1_COLUMNS = (
    PERSON_COLUMNS
    | PLAN_COLUMNS
    | SETTING_COLUMNS
    | {"ehe": "Elective home education"}
    | OTHER_COLUMNS
)
LIST2_COLUMNS = PERSON_COLUMNS | SETTING_COLUMNS | OTHER_COLUMNS
COLUMNS = {"list1": LIST1_COLUMNS, "list2": LIST2_COLUMNS}
DATE_COLUMNS = ("date_of_birth", "initial_plan_date", "latest_plan_date", "last_review_date")
TITLES = {
    "list1": "List 1: children and young people with an EHC plan",
    "list2": "List 2: children and young people on SEN support",
}


def build_lists(tables: dict[str, pd.DataFrame | None], as_at: dt.date) -> dict[str, pd.DataFrame]:
    """Both lists from staged tables (``persons``, ``ehc_plans``, ``annual_reviews``,
    ``school_census``; a missing optional table leaves its columns blank)."""
    day = pd.Timestamp(as_at)
    persons = tables["persons"].drop_duplicates("person_id").set_index("person_id")
    census = _latest_census(tables.get("school_census"), day)
    phases = _phases(census)
    list1 = _list1(tables["ehc_plans"], tables.get("annual_reviews"), day, phases)
    list1 = _with_person(list1, persons)
    on_plan = set(list1["person_id"])
    support = census[(census["sen_provision"] == "K") & ~census["person_id"].isin(on_plan)]
    list2 = pd.DataFrame(
        {
            "person_id": support["person_id"].to_numpy(),
            "primary_need": support["primary_need"].to_numpy(),
            "establishment_urn": support["school_urn"].to_numpy(),
            "establishment_phase": support["phase"].to_numpy(),
        }
    )
    list2 = _with_person(list2, persons)
    return {
        name: frame.reindex(columns=list(COLUMNS[name])).sort_values("person_id", ignore_index=True)
        for name, frame in (("list1", list1), ("list2", list2))
    }


def _latest_census(census: pd.DataFrame | None, day: pd.Timestamp) -> pd.DataFrame:
    columns = ["person_id", "census_date", "school_urn", "phase", "ncy", "sen_provision"]
    if census is None or census.empty:
        return pd.DataFrame(columns=[*columns, "primary_need"])
    before = census[census["census_date"] <= day]
    if before.empty:
        return before
    return before[before["census_date"] == before["census_date"].max()]


def _phases(census: pd.DataFrame) -> pd.Series:
    if census.empty:
        return pd.Series(dtype=object)
    return census.drop_duplicates("school_urn").set_index("school_urn")["phase"].astype(object)


def _list1(
    plans: pd.DataFrame, reviews: pd.DataFrame | None, day: pd.Timestamp, phases: pd.Series
) -> pd.DataFrame:
    started = plans[plans["start_date"] <= day]
    first = started.groupby("person_id")["start_date"].min()
    open_ = started[started["cease_date"].isna() | (started["cease_date"] > day)]
    open_ = open_.sort_values(["person_id", "start_date"]).drop_duplicates("person_id", keep="last")
    out = pd.DataFrame(
        {
            "person_id": open_["person_id"].to_numpy(),
            "initial_plan_date": first.reindex(open_["person_id"]).to_numpy(),
            "latest_plan_date": open_["start_date"].to_numpy(),
            "primary_need": open_["primary_need"].astype(object).to_numpy(),
            "establishment_urn": open_["school_urn"].astype(object).to_numpy(),
            "ehe": (open_["setting_type"] == "ehe").map({True: "Yes", False: "No"}).to_numpy(),
            "plan_id": open_["plan_id"].to_numpy(),
        }
    )
    out["establishment_phase"] = out["establishment_urn"].map(phases)
    out["last_review_date"] = pd.NaT
    out["known_to_social_care"] = None
    if reviews is not None and not reviews.empty:
        _add_reviews(out, reviews, day)
    return out


def _add_reviews(out: pd.DataFrame, reviews: pd.DataFrame, day: pd.Timestamp) -> None:
    held = reviews[reviews["meeting_date"].notna() & (reviews["meeting_date"] <= day)]
    held = held.sort_values("meeting_date").drop_duplicates("plan_id", keep="last")
    by_plan = held.set_index("plan_id")
    latest = by_plan["meeting_date"].reindex(out["plan_id"]).to_numpy()
    # a reviewed and amended plan was last issued on its amendment date
    amended = by_plan["amended_plan_date"].reindex(out["plan_id"]).to_numpy()
    out["last_review_date"] = latest
    out["latest_plan_date"] = (
        pd.Series(amended)
        .where(
            pd.Series(amended).notna()
            & (pd.Series(amended) <= day)
            & (pd.Series(amended) > out["latest_plan_date"]),
            out["latest_plan_date"],
        )
        .to_numpy()
    )
    if "known_to_social_care" in by_plan:
        known = by_plan["known_to_social_care"].reindex(out["plan_id"]).to_numpy()
        out["known_to_social_care"] = (
            pd.Series(known, dtype="boolean").map({True: "Yes", False: "No"}).to_numpy()
        )


def _with_person(frame: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    people = persons.reindex(frame["person_id"])
    for column in ("upn", "date_of_birth", "gender", "ethnicity"):
        frame[column] = people[column].to_numpy() if column in people else None
    frame["uln"] = None
    return frame
