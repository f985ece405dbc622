"""Inspection lists on the sample: counts per rule computed a second way; write then read.

The second way walks the rows one by one in plain Python (dates as ``datetime.date``,
ages by comparing month and day), so a fault in the vectorised rules would show.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
import pytest

from sendready.ingest.run import run_ingest
from sendready.lists.run import produce_lists
from sendready.lists.workbook import LIST_FILES, read_list
from sendready.metadata.identifiers import is_valid_upn
from sendready.metadata.profile import load_profile
from sendready.sample import generate_sample

AS_AT = dt.date(2019, 3, 31)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("lists")
    generate_sample(out_dir=root / "data", scale=0.2, seed=5)
    profile = load_profile("bury-2017-wsoa")
    ingest = run_ingest(profile, root / "data", root / "staged")
    result = produce_lists(profile, ingest.out_dir, AS_AT, root / "restricted", root / "shared")
    return root, profile, result


def _day(value):
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _missing(value) -> bool:
    return not isinstance(value, str) or not value.strip()


def _second_way(frame: pd.DataFrame) -> Counter:
    counts: Counter = Counter()
    upns = Counter(u for u in frame["upn"] if isinstance(u, str) and u.strip())
    for row in frame.to_dict("records"):
        born = _day(row["date_of_birth"])
        upn = row["upn"] if isinstance(row["upn"], str) and row["upn"].strip() else None
        if born is None:
            counts["no_birth_date"] += 1
        else:
            age = _age(born, AS_AT)
            counts["age_25"] += age == 25
            counts["age_26_or_over"] += age >= 26
            counts["no_upn_or_uln"] += age >= 6 and upn is None and _missing(row["uln"])
            school_age = 5 <= age <= 15
            counts["school_age_no_establishment"] += (
                school_age and _missing(row["establishment_urn"]) and row.get("ehe") != "Yes"
            )
        counts["no_gender"] += _missing(row["gender"])
        counts["no_ethnicity"] += _missing(row["ethnicity"])
        counts["duplicate_upn"] += upn is not None and upns[upn] > 1
        counts["invalid_upn"] += upn is not None and not is_valid_upn(upn)
    return counts


@pytest.mark.parametrize("name", ["list1", "list2"])
def test_counts_per_rule_a_second_way(made, name):
    _, _, result = made
    frame = result.lists[name]
    expected = _second_way(frame)
    counts = result.counts[result.counts["list"] == name].set_index("rule")["rows_failing"]
    for rule, n in expected.items():
        assert counts[rule] == n, rule
    assert len(frame) > 100  # the sample gives real lists, not empty ones


def test_list1_is_the_open_plans(made):
    root, _, result = made
    plans = pd.read_parquet(root / "staged" / "ehc_plans.parquet")
    day = pd.Timestamp(AS_AT)
    open_ = plans[(plans["start_date"] <= day) & ~(plans["cease_date"] <= day)]
    assert set(result.lists["list1"]["person_id"]) == set(open_["person_id"])


def test_write_then_read(made):
    root, _, result = made
    for name in ("list1", "list2"):
        back = read_list(root / "restricted" / LIST_FILES[name], name)
        original = result.lists[name].reset_index(drop=True)
        assert list(back.columns) == list(original.columns)
        for column in original.columns:
            left = original[column].map(lambda v: None if pd.isna(v) else str(v))
            right = back[column].map(lambda v: None if pd.isna(v) else str(v))
            if column.endswith("date") or column == "date_of_birth":
                left = pd.to_datetime(original[column]).dt.date.map(str)
                right = pd.to_datetime(back[column]).dt.date.map(str)
            assert left.tolist() == right.tolist(), (name, column)


def test_summary_page_holds_no_child_and_suppresses(made):
    root, profile, result = made
    page = (root / "shared" / "summary.html").read_text(encoding="utf-8")
    for pid in result.lists["list1"]["person_id"].head(50):
        assert pid not in page
    small = result.counts[
        (result.counts["rows_failing"] > 0)
        & (result.counts["rows_failing"] < profile.disclosure.threshold)
    ]
    assert not small.empty  # the sample has some small counts to hide
    assert "<td>c</td>" in page
