"""One test per list check, on constructed rows: each row fails exactly what it should."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sendready.lists.build import LIST1_COLUMNS, LIST2_COLUMNS
from sendready.lists.rules import RULES, age_on, validate_lists

AS_AT = dt.date(2024, 3, 1)
GOOD = {
    "person_id": "P0000001",
    "upn": None,
    "uln": "1234567890",
    "date_of_birth": pd.Timestamp("2012-05-01"),
    "gender": "F",
    "ethnicity": "WBRI",
    "initial_plan_date": pd.Timestamp("2020-01-10"),
    "latest_plan_date": pd.Timestamp("2023-06-01"),
    "last_review_date": pd.Timestamp("2023-11-20"),
    "primary_need": "ASD",
    "establishment_urn": "100001",
    "establishment_phase": "primary",
    "ehe": "No",
    "known_to_social_care": "No",
}


def _list(columns, *changes):
    rows = [
        {c: GOOD.get(c) for c in columns} | {"person_id": f"P{i:07d}"} | change
        for i, change in enumerate(({},) + changes)
    ]
    return pd.DataFrame(rows)


def _failed(lists):
    failures = validate_lists(lists, AS_AT)
    return {(r.rule, r.list, r.row) for r in failures.itertuples()}


CASES = [
    ("age_25", {"date_of_birth": pd.Timestamp("1998-12-01")}),
    ("age_26_or_over", {"date_of_birth": pd.Timestamp("1998-02-28")}),
    ("future_date", {"last_review_date": pd.Timestamp("2024-03-02")}),
    ("no_birth_date", {"date_of_birth": pd.NaT}),
    (
        "initial_plan_after_review",
        {
            "initial_plan_date": pd.Timestamp("2023-11-21"),
            "latest_plan_date": pd.Timestamp("2023-11-21"),
        },
    ),
    ("initial_plan_after_latest", {"initial_plan_date": pd.Timestamp("2023-06-02")}),
    ("review_overdue", {"last_review_date": pd.Timestamp("2023-02-28")}),
    ("no_upn_or_uln", {"uln": None}),
    ("invalid_upn", {"upn": "A00000000000X"}),
    ("school_age_no_establishment", {"establishment_urn": None}),
    ("no_primary_need", {"primary_need": " "}),
    ("no_gender", {"gender": None}),
    ("no_ethnicity", {"ethnicity": ""}),
]


@pytest.mark.parametrize(("rule", "change"), CASES, ids=[c[0] for c in CASES])
def test_rule_on_list1(rule, change):
    assert _failed({"list1": _list(LIST1_COLUMNS, change)}) == {(rule, "list1", 1)}


def test_every_rule_has_a_test():
    tested = {c[0] for c in CASES} | {"duplicate_upn", "on_both_lists"}
    assert tested == {r.id for r in RULES}


def test_edges_do_not_fail():
    # 6 tomorrow without identifiers passes; home educated needs no school; a review
    # exactly a year ago is not overdue; 26th birthday tomorrow is still 25; 16 today is
    # past school age, 5 tomorrow not yet of it
    rows = _list(
        LIST1_COLUMNS,
        {"uln": None, "date_of_birth": pd.Timestamp("2018-03-02")},
        {"establishment_urn": None, "ehe": "Yes"},
        {"last_review_date": pd.Timestamp("2023-03-01")},
        {"date_of_birth": pd.Timestamp("1998-03-02")},
        {"establishment_urn": None, "date_of_birth": pd.Timestamp("2008-03-01")},
        {"establishment_urn": None, "date_of_birth": pd.Timestamp("2019-03-02"), "uln": None},
    )
    assert _failed({"list1": rows}) == {("age_25", "list1", 4)}


def test_duplicate_upn_marks_both_rows():
    upn = "A12345678901B"  # pragma: allowlist secret (an invented UPN)
    rows = _list(LIST2_COLUMNS, {"upn": upn}, {"upn": upn})
    failed = _failed({"list2": rows})
    assert ("duplicate_upn", "list2", 1) in failed and ("duplicate_upn", "list2", 2) in failed


def test_on_both_lists():
    list1 = _list(LIST1_COLUMNS)
    list2 = _list(LIST2_COLUMNS, {"person_id": "P0000000"}, {"person_id": "P0000009"})
    list2.loc[0, "person_id"] = "P9999999"
    assert _failed({"list1": list1, "list2": list2}) == {("on_both_lists", "list2", 1)}


def test_age_on_birthday():
    born = pd.Series(pd.to_datetime(["2000-03-01", "2000-03-02", "2000-02-29"]))
    assert age_on(born, pd.Timestamp("2024-03-01")).tolist() == [24, 23, 24]
