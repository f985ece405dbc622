"""Checks on the inspection-week lists, after the rule set local authority analysts share.

Local authority analysts check their lists before sending them with a shared rule set:
Data to Insight's Annex A SEN validator, whose rules are numbered 101-109 for List 1 and
201-209 for List 2. Each rule here carries that number (``annex_a``) and the severity
that rule set gives it: an *error* is something to correct before the list is sent, a
*query* something that may be right but must be explained. A few checks are the suite's
own (no Annex A number): a UPN with a wrong check letter, a plan more than a year old
with no review in the last year, and a child on both lists. Two Annex A rules need
columns no extract holds and are not run: 103/203 (disability status) and 108b/208b
(a subsidiary establishment without a main one).

Ages are whole years on the as-at date, as Annex A counts them: school age is 5 to 15
(past the fifth birthday, not yet sixteen).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sendready.metadata.identifiers import is_valid_upn


@dataclass(frozen=True)
class Rule:
    """One check: id, severity (``error`` or ``query``), the lists it applies to."""

    id: str
    severity: str
    lists: tuple[str, ...]
    description: str
    check: Callable[[pd.DataFrame, pd.Timestamp, dict], np.ndarray]
    annex_a: str = ""


def age_on(born: pd.Series, day: pd.Timestamp) -> pd.Series:
    """Whole years from ``born`` to ``day`` (blank where the date of birth is)."""
    born = pd.to_datetime(born, errors="coerce")
    years = day.year - born.dt.year
    before_birthday = (born.dt.month > day.month) | (
        (born.dt.month == day.month) & (born.dt.day > day.day)
    )
    return (years - before_birthday.astype("Int64")).astype("Int64")


def _blank(values: pd.Series) -> np.ndarray:
    text = values.astype("string").str.strip()
    return (text.isna() | (text == "")).to_numpy()


def _age(frame: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    return age_on(frame["date_of_birth"], day)


def _age_25(frame, day, _):
    return (_age(frame, day) == 25).fillna(False).to_numpy()


def _age_26(frame, day, _):
    return (_age(frame, day) >= 26).fillna(False).to_numpy()


def _future(frame, day, _):
    hit = np.zeros(len(frame), dtype=bool)
    for column in ("date_of_birth", "initial_plan_date", "latest_plan_date", "last_review_date"):
        if column in frame:
            hit |= (pd.to_datetime(frame[column], errors="coerce") > day).fillna(False).to_numpy()
    return hit


def _initial_after_review(frame, _day, _):
    initial = pd.to_datetime(frame["initial_plan_date"], errors="coerce")
    review = pd.to_datetime(frame["last_review_date"], errors="coerce")
    return (initial > review).fillna(False).to_numpy()


def _initial_after_latest(frame, _day, _):
    initial = pd.to_datetime(frame["initial_plan_date"], errors="coerce")
    latest = pd.to_datetime(frame["latest_plan_date"], errors="coerce")
    return (initial > latest).fillna(False).to_numpy()


def _no_upn_uln(frame, day, _):
    six = (_age(frame, day) >= 6).fillna(False).to_numpy()
    return six & _blank(frame["upn"]) & _blank(frame["uln"])


def _no_establishment(frame, day, _):
    school_age = _age(frame, day).between(5, 15).fillna(False)
    ehe = frame["ehe"].eq("Yes").to_numpy() if "ehe" in frame else False
    return school_age.to_numpy() & _blank(frame["establishment_urn"]) & ~ehe


def _duplicate_upn(frame, _day, _):
    upn = frame["upn"].astype("string").str.strip()
    return (upn.notna() & (upn != "") & upn.duplicated(keep=False)).fillna(False).to_numpy()


def _invalid_upn(frame, _day, _):
    upn = frame["upn"].astype("string").str.strip()
    present = upn.notna() & (upn != "")
    valid = upn.fillna("").map(is_valid_upn).astype(bool)
    return (present & ~valid).to_numpy()


def _no_birth_date(frame, _day, _):
    return pd.to_datetime(frame["date_of_birth"], errors="coerce").isna().to_numpy()


def _no_need(frame, _day, _):
    return _blank(frame["primary_need"])


def _no_gender(frame, _day, _):
    return _blank(frame["gender"])


def _no_ethnicity(frame, _day, _):
    return _blank(frame["ethnicity"])


def _review_overdue(frame, day, _):
    year_ago = day - pd.DateOffset(years=1)
    initial = pd.to_datetime(frame["initial_plan_date"], errors="coerce")
    review = pd.to_datetime(frame["last_review_date"], errors="coerce")
    due = (initial < year_ago).fillna(False)
    return (due & (review.isna() | (review < year_ago))).to_numpy()


def _on_both(frame, _day, other):
    list1 = other.get("list1")
    if list1 is None:
        return np.zeros(len(frame), dtype=bool)
    return frame["person_id"].isin(set(list1["person_id"])).to_numpy()


_BOTH = ("list1", "list2")
RULES: tuple[Rule, ...] = (
    Rule("no_birth_date", "error", _BOTH, "No date of birth", _no_birth_date, "101a/201a"),
    Rule("no_gender", "error", _BOTH, "No sex recorded", _no_gender, "101b/201b"),
    Rule("no_ethnicity", "error", _BOTH, "No ethnicity recorded", _no_ethnicity, "101c/201c"),
    Rule("no_primary_need", "error", _BOTH, "No primary need", _no_need, "101d/201d"),
    Rule(
        "age_25",
        "query",
        _BOTH,
        "Aged 25 on the date: check the plan or support is still needed (a plan ends by "
        "the end of the academic year the young person turns 25)",
        _age_25,
        "102a/202a",
    ),
    Rule("age_26_or_over", "error", _BOTH, "Aged 26 or over", _age_26, "102b/202b"),
    Rule(
        "future_date",
        "query",
        _BOTH,
        "A date (birth, initial or latest plan, last review) after the as-at date",
        _future,
        "105a-d/205a",
    ),
    Rule(
        "initial_plan_after_latest",
        "error",
        ("list1",),
        "Initial plan date after the latest plan date",
        _initial_after_latest,
        "106a",
    ),
    Rule(
        "initial_plan_after_review",
        "error",
        ("list1",),
        "Initial plan date after the last annual review date",
        _initial_after_review,
        "106b",
    ),
    Rule(
        "no_upn_or_uln",
        "error",
        _BOTH,
        "Aged 6 or over with neither a UPN nor a ULN",
        _no_upn_uln,
        "107/207",
    ),
    Rule(
        "school_age_no_establishment",
        "error",
        _BOTH,
        "Of school age (5 to 15) with no establishment and not electively home educated",
        _no_establishment,
        "108a/208a",
    ),
    Rule(
        "duplicate_upn",
        "error",
        _BOTH,
        "The same UPN on more than one row",
        _duplicate_upn,
        "109/209",
    ),
    Rule("invalid_upn", "error", _BOTH, "UPN with a wrong check letter or shape", _invalid_upn),
    Rule(
        "review_overdue",
        "query",
        ("list1",),
        "Plan more than a year old with no annual review in the last year",
        _review_overdue,
    ),
    Rule(
        "on_both_lists",
        "query",
        ("list2",),
        "Also on List 1: a child with a plan is not on SEN support",
        _on_both,
    ),
)


def validate_lists(lists: dict[str, pd.DataFrame], as_at: dt.date) -> pd.DataFrame:
    """Every failure: one row per (rule, list, row) with the rule's id and severity.

    Returns:
        Columns ``rule, severity, list, row`` (``row`` the 0-based position in the list).
    """
    day = pd.Timestamp(as_at)
    parts = []
    for rule in RULES:
        for name in rule.lists:
            frame = lists.get(name)
            if frame is None or frame.empty:
                continue
            hit = np.flatnonzero(rule.check(frame, day, lists))
            parts.append(
                pd.DataFrame({"rule": rule.id, "severity": rule.severity, "list": name, "row": hit})
            )
    if not parts:
        return pd.DataFrame(columns=["rule", "severity", "list", "row"])
    return pd.concat(parts, ignore_index=True)


def rule_counts(failures: pd.DataFrame, lists: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows failing each rule on each list (zero included), with the list's size."""
    rows = []
    for rule in RULES:
        for name in rule.lists:
            size = len(lists.get(name, pd.DataFrame()))
            n = int(((failures["rule"] == rule.id) & (failures["list"] == name)).sum())
            rows.append(
                {
                    "rule": rule.id,
                    "annex_a": rule.annex_a,
                    "severity": rule.severity,
                    "list": name,
                    "description": rule.description,
                    "rows_failing": n,
                    "rows_in_list": size,
                }
            )
    return pd.DataFrame(rows)
