"""The synthetic sample area: complete, linked, realistic, reproducible, and honest about
what it planted.

The checks here re-derive everything from the files the generator wrote, with their own
code: an independent contract checker (not the generator's fault planter), independent
UPN and NHS number check digits, and indicator-like calculations in plain pandas.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import REPO_ROOT
from helpers.sample_rows import clean_rows, planted, read_text
from helpers.sample_rows import dates as _dates
from sendready.core.errors import SendreadyError
from sendready.metadata.contracts import (
    CONTRACTS,
    Contract,
    DateOrder,
    NotGreater,
    OnlyWhen,
    RequiredWhen,
)
from sendready.metadata.identifiers import FORMAT_CHECKS
from sendready.sample import generate_sample

SCALE = 0.25
SEED = 11
EXTRACT = pd.Timestamp("2026-04-03")
CHANGE = pd.Timestamp("2017-12-01")  # the Bury scenario's written statement of action
PERSON_SOURCES = (
    "ehc_requests",
    "ehc_plans",
    "school_census",
    "health_referrals",
    "joint_packages",
)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate_sample(out, scale=SCALE, seed=SEED)
    return out


def check_contract(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Every (row_number, column, rule) failure, computed column by column."""
    text = frame.apply(lambda s: s.astype(str).str.strip())
    blank = text == ""
    parsed: dict[str, pd.Series] = {}
    failures = []

    def fail(mask: pd.Series, column: str, rule: str) -> None:
        for row in frame.index[mask.to_numpy()]:
            failures.append((row, column, rule))

    cell_bad = pd.Series(False, index=frame.index)
    for col in contract.columns:
        if col.name not in frame:
            continue
        s, b = text[col.name], blank[col.name]
        bad = pd.Series(False, index=frame.index)
        if not col.nullable:
            fail(b, col.name, "missing_value")
            bad |= b
        if col.kind == "date":
            d = _dates(s)
            wrong = ~b & d.isna()
            fail(wrong, col.name, "bad_date")
            late = d.notna() & (d > EXTRACT) if not col.future_allowed else d.isna() & False
            fail(late, col.name, "date_after_extract")
            bad |= wrong | late
            parsed[col.name] = d.where(~late)
        elif col.kind in ("int", "number"):
            n = pd.to_numeric(s.where(~b), errors="coerce")
            wrong = ~b & (
                n.isna()
                | ((n % 1 != 0) if col.kind == "int" else False)
                | (s.str.contains(r"\.") if col.kind == "int" else False)
            )
            fail(wrong, col.name, "bad_number")
            out = pd.Series(False, index=frame.index)
            if col.minimum is not None:
                out |= n < col.minimum
            if col.maximum is not None:
                out |= n > col.maximum
            out &= ~wrong
            fail(out, col.name, "out_of_range")
            bad |= wrong | out
            parsed[col.name] = n.where(~wrong & ~out)
        elif col.kind == "bool":
            wrong = ~b & ~s.str.lower().isin(["true", "false", "yes", "no", "y", "n", "1", "0"])
            fail(wrong, col.name, "bad_bool")
            bad |= wrong
        elif col.kind == "code":
            wrong = ~b & ~s.isin(col.codes)
            fail(wrong, col.name, "unknown_code")
            bad |= wrong
        elif col.kind == "id" and col.format:
            wrong = ~b & ~s.map(FORMAT_CHECKS[col.format]).astype(bool)
            fail(wrong, col.name, "bad_format")
            bad |= wrong
        cell_bad |= bad

    def filled(name: str) -> pd.Series:
        return ~blank[name]

    for rule in contract.rules:
        if isinstance(rule, DateOrder):
            broken = parsed[rule.later] < parsed[rule.earlier]
            fail(broken.fillna(False), rule.later, rule.name)
        elif isinstance(rule, NotGreater):
            broken = parsed[rule.smaller] > parsed[rule.larger]
            fail(broken.fillna(False), rule.smaller, rule.name)
        else:
            condition = filled(rule.when)
            if rule.when_values:
                condition &= text[rule.when].isin(rule.when_values)
            if isinstance(rule, RequiredWhen):
                fail(condition & blank[rule.column], rule.column, rule.name)
            else:
                assert isinstance(rule, OnlyWhen)
                holds = filled(rule.column)
                if rule.values:
                    holds &= text[rule.column].isin(rule.values)
                fail(holds & ~condition, rule.column, rule.name)

    result = pd.DataFrame(failures, columns=["row_number", "column", "rule"])
    valid = ~frame.index.isin(result["row_number"])
    keys = text.loc[valid, list(contract.key)]
    dup = keys.duplicated(keep="first")
    for row in keys.index[dup.to_numpy()]:
        failures.append((row, "+".join(contract.key), "duplicate_key"))
    return pd.DataFrame(failures, columns=["row_number", "column", "rule"])


# --- tests -------------------------------------------------------------------------------


def test_every_source_is_written_with_the_contract_columns(sample: Path):
    for name, contract in CONTRACTS.items():
        files = [p for p in (sample / f"{name}.csv", sample / f"{name}.xlsx") if p.exists()]
        assert len(files) == 1, name
        assert list(read_text(sample, name).columns) == contract.column_names, name
    assert json.loads((sample / "extract.json").read_text())["extract_date"] == "2026-04-03"


def test_formats_and_encodings_are_a_realistic_mix(sample: Path):
    assert {p.suffix for p in sample.iterdir()} >= {".csv", ".xlsx", ".json"}
    persons = (sample / "persons.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        persons.decode("utf-8")
    assert re.search(
        "Zoë|Chloé|Siân|Renée|Anaïs|Noémie|Seán|Joël|René|Brontë", persons.decode("cp1252")
    )
    feedback = (sample / "local_offer_feedback.csv").read_bytes()
    assert feedback.startswith(b"\xef\xbb\xbf") and "£" in feedback.decode("utf-8-sig")
    plans = pd.read_excel(sample / "ehc_plans.xlsx", engine="calamine", dtype=object)
    real_dates = plans["start_date"].map(lambda v: isinstance(v, dt.datetime))
    assert real_dates.mean() > 0.97  # real date cells, bar planted faults
    for big in ("school_census", "health_referrals", "local_offer_web"):
        assert (sample / f"{big}.csv").exists()


def test_planted_faults_are_exactly_what_an_independent_checker_finds(sample: Path):
    faults = planted(sample)
    for name, contract in CONTRACTS.items():
        frame = read_text(sample, name)
        frame.index = np.arange(2, len(frame) + 2)
        found = check_contract(frame, contract)
        # One failure per faulty row: the ground truth is unambiguous.
        assert not found["row_number"].duplicated().any(), (
            name,
            found[found["row_number"].duplicated(keep=False)],
        )
        expected = faults.loc[faults["source"] == name, ["row_number", "column", "rule"]]
        got = set(map(tuple, found.to_numpy().tolist()))
        want = set(map(tuple, expected.to_numpy().tolist()))
        assert got == want, (name, sorted(got - want)[:5], sorted(want - got)[:5])


def test_fault_rate_and_spread(sample: Path):
    faults = planted(sample)
    rows = sum(len(read_text(sample, name)) for name in CONTRACTS)
    assert 0.01 <= len(faults) / rows <= 0.02
    # Spread over sources and over kinds of fault, including cross-field rules.
    assert faults["source"].nunique() >= 12
    rules = set(faults["rule"])
    assert {
        "missing_value",
        "unknown_code",
        "bad_date",
        "date_after_extract",
        "bad_format",
        "duplicate_key",
        "bad_bool",
        "bad_number",
        "out_of_range",
    } <= rules
    assert any("_not_before_" in r for r in rules) and any("_only_when_" in r for r in rules)
    assert set(faults["file"]) <= {p.name for p in sample.iterdir()}


def test_planted_cells_really_break_the_contract(sample: Path):
    faults = planted(sample)
    census = read_text(sample, "school_census")
    codes = faults[(faults["source"] == "school_census") & (faults["rule"] == "unknown_code")]
    assert len(codes)
    for _, f in codes.iterrows():
        value = census.iloc[f["row_number"] - 2][f["column"]]
        assert value not in CONTRACTS["school_census"].column(f["column"]).codes
    requests = read_text(sample, "ehc_requests")
    for _, f in faults[faults["rule"] == "decision_date_not_before_received_date"].iterrows():
        row = requests.iloc[f["row_number"] - 2]
        assert row["decision_date"] < row["received_date"]  # ISO dates sort as text


def test_person_ids_link_every_source_to_persons(sample: Path):
    # persons.person_id is never faulted, so every row counts, faulty or not.
    persons = set(read_text(sample, "persons")["person_id"])
    assert all(re.fullmatch(r"P\d{7}", p) for p in persons)
    for name in PERSON_SOURCES:
        ids = set(clean_rows(sample, name)["person_id"])
        assert ids and ids <= persons, (name, sorted(ids - persons)[:5])
    # Every child in persons appears in at least one other source (bar the odd child whose
    # only mention had its person_id mangled by a planted fault).
    mentioned = set().union(*(set(read_text(sample, n)["person_id"]) for n in PERSON_SOURCES))
    faults = planted(sample)
    mangled = faults[(faults["column"] == "person_id") & (faults["source"] != "persons")]
    assert len(persons - mentioned) <= len(mangled)


def test_plans_reviews_audits_and_advice_link_up(sample: Path):
    requests = clean_rows(sample, "ehc_requests")
    plans = clean_rows(sample, "ehc_plans")
    issued = requests[requests["plan_issued_date"] != ""]
    linked = issued.merge(
        plans,
        left_on=["person_id", "plan_issued_date"],
        right_on=["person_id", "start_date"],
        how="left",
        validate="1:1",
    )
    assert linked["plan_id"].notna().mean() > 0.97  # the rest lost to planted faults
    all_plans = set(read_text(sample, "ehc_plans")["plan_id"])
    for name in ("annual_reviews", "ehcp_audits"):
        assert set(clean_rows(sample, name)["plan_id"]) <= all_plans
    assert set(clean_rows(sample, "ehc_advice")["request_id"]) <= set(
        read_text(sample, "ehc_requests")["request_id"]
    )
    # Not every plan comes from a request in the window: many were already in place.
    assert len(plans) > len(issued) + 900 * SCALE


def _upn_check(body: str) -> str:
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    return letters[sum(int(c) * w for c, w in zip(body, range(2, 14), strict=True)) % 23]


def _nhs_ok(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return len(number) == 10 and check != 10 and check == int(number[9])


def test_identifiers_are_valid_and_consistent(sample: Path):
    persons = clean_rows(sample, "persons")
    upns = persons.loc[persons["upn"] != "", "upn"]
    assert len(upns) > 0.8 * len(persons)
    assert all(u[0] == _upn_check(u[1:]) for u in upns)
    assert (upns.str[1:4] == "351").mean() > 0.8  # Bury's LA code
    nhs = persons.loc[persons["nhs_number"] != "", "nhs_number"]
    assert len(nhs) > 0.7 * len(persons) and all(_nhs_ok(n) for n in nhs)
    postcode = persons.loc[persons["postcode"] != "", "postcode"]
    assert postcode.str.fullmatch(r"(BL0|BL8|BL9|M25|M26|M45) \d[A-Z]{2}").all()
    assert persons["person_id"].is_unique
    # Dates of birth agree with the national curriculum year recorded at each census.
    census = clean_rows(sample, "school_census")
    both = census.merge(
        persons[["person_id", "date_of_birth", "upn"]],
        on="person_id",
        suffixes=("", "_person"),
        validate="m:1",
    )
    dob = pd.to_datetime(both["date_of_birth"])
    born_year = dob.dt.year - (dob.dt.month < 9)  # academic year of birth
    census_year = pd.to_datetime(both["census_date"]).dt.year
    assert (census_year - born_year - 6 == both["ncy"].astype(int)).all()
    assert (both["upn"] == both["upn_person"]).all()


def test_sizes_match_a_bury_sized_area_scaled(sample: Path):
    census = clean_rows(sample, "school_census")
    per_census = census.groupby("census_date").size()
    # Eleven January censuses, 2016 to 2026, each on the third Thursday.
    days = pd.to_datetime(pd.Series(per_census.index))
    assert list(days.dt.year) == list(range(2016, 2027))
    assert (days.dt.day_of_week == 3).all() and days.dt.day.between(15, 21).all()
    assert (per_census / SCALE).between(26_000, 34_000).all()
    plans = clean_rows(sample, "ehc_plans")
    start, cease = pd.to_datetime(plans["start_date"]), pd.to_datetime(plans["cease_date"])

    def active(day: str) -> int:
        d = pd.Timestamp(day)
        return int(((start <= d) & (cease.isna() | (cease > d))).sum())

    assert 900 <= active("2016-04-01") / SCALE <= 1300
    assert 1150 <= active("2019-03-31") / SCALE <= 1650
    # Bury had about 2,800 plans in January 2025; the sample's caseload grows to match.
    assert 2300 <= active("2025-01-16") / SCALE <= 3200
    requests = clean_rows(sample, "ehc_requests")
    per_year = (pd.to_datetime(requests["received_date"]) >= "2016-04-01").sum() / 10
    assert 380 <= per_year / SCALE <= 560  # Bury's 2016-2024 average was 382 to 675 a year
    # Late requests are still open at the extract (censoring), none are decided later.
    late = requests[requests["received_date"] >= "2026-03-01"]
    assert (late["decision"] == "").mean() > 0.5
    assert (requests["assessment_outcome"] == "ongoing").any()


def test_scenario_json_records_the_bury_truth_and_calendar(sample: Path):
    scenario = json.loads((sample / "scenario.json").read_text())
    assert scenario["name"] == "bury"
    assert scenario["window"] == {"start": "2016-04-01", "end": "2026-03-31"}
    truths = scenario["truths"]["bury-2017-wsoa"]
    assert {w for w, v in truths.items() if v == "improves"} == {"W1", "W2", "W3", "W5", "W6"}
    assert truths["W8"] == "worsens"
    assert scenario["truths"]["bury-2024-priority-actions"]["P3"] == "worsens"
    assert scenario["calendar"]["inspection_2024"] == ["2024-02-12", "2024-02-16"]
    assert scenario["effects"]["EHC06"]["changes"][0]["when"] == "2017-12-01"


def test_the_bury_story_is_in_the_raw_data(sample: Path):
    """A few of the Bury scenario's effects, re-measured from the raw files (the
    reversed-scenario test in tests/integration checks every indicator)."""
    # W1: reviews held on time rise after the WSoA, slip between the inspections and rise
    # again after the priority action plan (EHC06).
    reviews = clean_rows(sample, "annual_reviews")
    held = reviews[reviews["meeting_date"] != ""]
    due = pd.to_datetime(held["due_date"])
    on_time = pd.to_datetime(held["meeting_date"]) <= due

    def share(lo: str, hi: str) -> float:
        return float(on_time[(due >= lo) & (due < hi)].mean())

    before, after = share("2016-04-01", "2017-11-01"), share("2018-03-01", "2019-06-01")
    slipped, again = share("2023-04-01", "2024-03-01"), share("2025-01-01", "2025-12-01")
    assert after - before > 0.15 and after - slipped > 0.15 and again - slipped > 0.15

    # W4 is flat in the first story: health advice within six weeks, by date requested.
    advice = clean_rows(sample, "ehc_advice")
    health = advice[(advice["advice_type"] == "health") & (advice["received_date"] != "")]
    asked = pd.to_datetime(health["requested_date"])
    ok = (pd.to_datetime(health["received_date"]) - asked).dt.days <= 42
    first = ok[(asked >= "2016-04-01") & (asked < "2017-11-01")].mean()
    second = ok[(asked >= "2018-02-01") & (asked < "2019-03-01")].mean()
    assert 0.3 < first < 0.55 and abs(second - first) < 0.1

    # W6: NSA among pupils on SEN support falls from census to census to 2019.
    census = clean_rows(sample, "school_census")
    support = census[census["sen_provision"] == "K"]
    nsa = (support["primary_need"] == "NSA").groupby(support["census_date"]).mean()
    assert nsa["2016-01-21"] > 0.2 > 0.1 > nsa["2019-01-17"]


def test_same_seed_same_bytes_and_another_seed_differs(sample: Path, tmp_path: Path):
    def digests(folder: Path) -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
        }

    again = tmp_path / "again"
    generate_sample(again, scale=SCALE, seed=SEED)
    assert digests(again) == digests(sample)
    other = tmp_path / "other"
    generate_sample(other, scale=SCALE, seed=SEED + 1)
    theirs, ours = digests(other), digests(sample)
    changed = [
        n
        for n in ours
        if n not in ("benchmarks.csv", "survey_questions.csv") and theirs[n] != ours[n]
    ]
    assert len(changed) >= len(ours) - 3


def test_scenario_is_read_by_no_analysis_code():
    lib = REPO_ROOT / "lib" / "sendready"
    readers = [
        p
        for p in lib.rglob("*.py")
        if "scenario.json" in p.read_text(encoding="utf-8")
        and "sample" not in p.relative_to(lib).parts
    ]
    assert readers == []


@pytest.mark.parametrize("scale", [0, -1, 21, "big"])
def test_an_unusable_scale_is_a_clear_error(tmp_path: Path, scale):
    with pytest.raises(SendreadyError, match="scale"):
        generate_sample(tmp_path, scale=scale, seed=1)


def _outside_funnel(census: pd.DataFrame, day: str) -> pd.Series:
    """Mainstream schools above or below the 99.8% exact binomial limits for SEN support."""
    from scipy.stats import binom

    rows = census[(census["census_date"] == day) & ~census["phase"].isin(["special", "pru"])]
    per_school = rows.groupby("school_urn")["sen_provision"].agg(
        pupils="size", support=lambda s: int((s == "K").sum())
    )
    p0 = per_school["support"].sum() / per_school["pupils"].sum()
    low = binom.ppf(0.001, per_school["pupils"], p0)
    high = binom.ppf(0.999, per_school["pupils"], p0)
    return (per_school["support"] < low) | (per_school["support"] > high)


def test_identification_becomes_consistent_across_schools(sample: Path):
    census = clean_rows(sample, "school_census")
    first, last = _outside_funnel(census, "2016-01-21"), _outside_funnel(census, "2019-01-17")
    assert first.mean() > 0.15 and last.mean() < 0.08
    # The schools planted far above the funnel come back inside it.
    assert (first & ~last).sum() >= 1
