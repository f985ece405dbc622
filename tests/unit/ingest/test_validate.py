"""Validation against the real contracts: one broken row per rule and per column check."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

from helpers.raw_fixtures import (
    BAD_NHS,
    BAD_UPN,
    EHC_PLANS,
    EHC_REQUESTS,
    LOCAL_OFFER_WEB,
    PERSONS,
    SCHOOL_CENSUS,
    VALID_NHS,
    VALID_UPN,
)
from sendready.ingest.validate import nhs_number_valid, upn_valid, validate
from sendready.metadata.contracts import CONTRACTS
from sendready.metadata.identifiers import FORMAT_CHECKS

EXTRACT = dt.date(2019, 6, 30)
GOOD = {
    "persons": PERSONS[0],
    "ehc_requests": EHC_REQUESTS[0],
    "ehc_plans": EHC_PLANS[0],
    "school_census": SCHOOL_CENSUS[0],
    "local_offer_web": LOCAL_OFFER_WEB[0],
}


def _frame(source: str, rows: list[dict]) -> pd.DataFrame:
    columns = CONTRACTS[source].column_names
    data = {c: [row.get(c, "") for row in rows] for c in columns}
    return pd.DataFrame(data, index=pd.RangeIndex(2, 2 + len(rows), name="row_number"), dtype=str)


def _run(source: str, rows: list[dict], extract: dt.date = EXTRACT, absent=()):
    return validate(_frame(source, rows), CONTRACTS[source], extract, absent=absent)


def _broken(source: str, **changes) -> list[tuple]:
    """Failures for a valid row of ``source`` followed by a copy with ``changes``."""
    result = _run(source, [GOOD[source], {**GOOD[source], **changes}])
    assert 2 in result.valid["source_row"].tolist(), "the unbroken row must stay valid"
    return list(
        result.failures[["row_number", "column", "rule"]].itertuples(index=False, name=None)
    )


def _alone(source: str, **changes) -> list[tuple]:
    """Failures for a valid row of ``source`` changed by ``changes``, on its own."""
    result = _run(source, [{**GOOD[source], **changes}])
    return list(
        result.failures[["row_number", "column", "rule"]].itertuples(index=False, name=None)
    )


def test_the_fixture_rows_are_valid():
    for source, row in GOOD.items():
        result = _run(source, [row])
        assert result.failures.empty, (source, result.failures.to_dict("records"))
        assert len(result.valid) == 1


# --- cross-field rules -----------------------------------------------------------------------


def test_date_order_decision_before_received():
    failures = _broken("ehc_requests", decision_date="2019-01-09")
    assert failures == [(3, "decision_date", "decision_date_not_before_received_date")]


def test_date_order_cease_before_start():
    failures = _broken("ehc_plans", cease_date="2019-04-30", cease_reason="2")
    assert failures == [(3, "cease_date", "cease_date_not_before_start_date")]


def test_only_when_with_values_nsa_with_provision_e():
    failures = _broken("school_census", sen_provision="E", primary_need="NSA")
    assert failures == [(3, "primary_need", "nsa_only_when_sen_provision")]


def test_only_when_cease_reason_without_cease_date():
    failures = _broken("ehc_plans", cease_reason="5")
    assert failures == [(3, "cease_reason", "cease_reason_only_when_cease_date")]


def test_required_when_cease_date_without_reason():
    failures = _broken("ehc_plans", cease_date="2019-06-01")
    assert failures == [(3, "cease_reason", "cease_reason_required_when_cease_date")]


def test_required_when_decision_without_decision_date():
    failures = _broken(
        "ehc_requests",
        decision_date="",
        assessment_outcome="ongoing",
        outcome_date="",
        plan_issued_date="",
    )
    assert failures == [(3, "decision_date", "decision_date_required_when_decision")]


def test_not_greater_users_above_sessions():
    failures = _broken("local_offer_web", users="13")
    assert failures == [(3, "users", "users_not_above_sessions")]


def test_rules_are_not_judged_on_a_value_that_failed_its_own_check():
    # "k" is not a provision code (case matters), so whether NSA is allowed with it
    # cannot be judged: one fault, not two.
    failures = _broken("school_census", sen_provision="k")
    assert failures == [(3, "sen_provision", "unknown_code")]


# --- column checks -------------------------------------------------------------------------


def test_bad_upn_check_letter():
    assert _broken("persons", upn=BAD_UPN) == [(3, "upn", "bad_format")]


def test_bad_nhs_number():
    assert _broken("persons", nhs_number=BAD_NHS) == [(3, "nhs_number", "bad_format")]


def test_bad_urn_and_person_id_and_postcode():
    assert _broken("ehc_requests", school_urn="10555") == [(3, "school_urn", "bad_format")]
    assert _broken("persons", person_id="P12") == [(3, "person_id", "bad_format")]
    assert _broken("persons", postcode="BL9") == [(3, "postcode", "bad_format")]


def test_unknown_code_is_case_sensitive():
    assert _broken("persons", gender="f") == [(3, "gender", "unknown_code")]
    assert _broken("persons", ethnicity="NA") == [(3, "ethnicity", "unknown_code")]


def test_missing_value():
    assert _broken("persons", surname="") == [(3, "surname", "missing_value")]


def test_blank_allowed_in_nullable_column():
    assert _alone("persons", upn="", nhs_number="", postcode="") == []


def test_bad_date_is_one_fault_not_also_missing():
    assert _broken("persons", date_of_birth="31/02/2011") == [(3, "date_of_birth", "bad_date")]
    assert _broken("persons", date_of_birth="unknown") == [(3, "date_of_birth", "bad_date")]
    # A real calendar date in an implausible year has its own rule, still one fault.
    assert _broken("persons", date_of_birth="0211-03-12") == [
        (3, "date_of_birth", "date_out_of_range")
    ]


def test_iso_uk_and_excel_serial_dates_are_the_same_day():
    # Excel serial 43466 is 1 January 2019; 43525 = 43466 + 31 (Jan) + 28 (Feb) = 1 March.
    rows = [
        {**GOOD["persons"], "person_id": f"P000000{i}", "date_of_birth": text}
        for i, text in enumerate(
            [
                "2019-03-01",
                "01/03/2019",
                "1/3/2019",
                "43525",
                "2019-03-01 00:00:00",
                "2019-03-01T09:30:00",
            ]
        )
    ]
    result = _run("persons", rows)
    assert result.failures.empty
    assert set(result.valid["date_of_birth"]) == {pd.Timestamp("2019-03-01")}
    assert str(result.valid["date_of_birth"].dtype) == "datetime64[ms]"


def test_small_serial_number_is_not_taken_for_a_date():
    # 12345 would be 18 October 1933: outside the serials read as dates (1950-2099).
    assert _broken("persons", date_of_birth="12345") == [(3, "date_of_birth", "bad_date")]


def test_date_after_extract():
    failures = _broken("ehc_requests", plan_issued_date="2019-07-01")
    assert failures == [(3, "plan_issued_date", "date_after_extract")]


def test_future_allowed_dates_are_not_faults():
    row = {"review_id": "AR1", "plan_id": "E1", "due_date": "2020-05-01"}
    assert _run("annual_reviews", [row]).failures.empty


def test_numbers_whole_numbers_and_ranges():
    assert _broken("school_census", ncy="3.5") == [(3, "ncy", "bad_number")]
    assert _broken("school_census", ncy="three") == [(3, "ncy", "bad_number")]
    assert _broken("school_census", ncy="15") == [(3, "ncy", "out_of_range")]
    assert _broken("school_census", ncy="-3") == [(3, "ncy", "out_of_range")]
    assert _alone("school_census", ncy="-2") == []
    assert _alone("school_census", ncy="3.0") == []


def test_number_column_accepts_pounds_and_thousands():
    row = {
        "package_id": "J1",
        "person_id": "P0000001",
        "start_date": "2019-01-01",
        "education_gbp": "£12,500.50",
        "health_gbp": "0",
        "social_care_gbp": "-1",
    }
    result = _run("joint_packages", [row])
    assert list(result.failures[["column", "rule"]].itertuples(index=False, name=None)) == [
        ("social_care_gbp", "out_of_range")
    ]
    ok = _run("joint_packages", [{**row, "social_care_gbp": "1e3"}]).valid
    assert ok.loc[0, "education_gbp"] == 12500.5 and ok.loc[0, "social_care_gbp"] == 1000.0
    not_a_number = {**row, "social_care_gbp": "0", "health_gbp": "nan"}
    assert _run("joint_packages", [not_a_number]).failures["rule"].tolist() == ["bad_number"]


def test_bad_bool():
    assert _broken("ehc_requests", mediation="maybe") == [(3, "mediation", "bad_bool")]


def test_bool_spellings():
    values = ["TRUE", "yes", "Y", "1", "false", "No", "n", "0", ""]
    rows = [
        {**GOOD["ehc_requests"], "request_id": f"R{i}", "mediation": v}
        for i, v in enumerate(values)
    ]
    staged = _run("ehc_requests", rows).valid["mediation"]
    assert staged.tolist()[:8] == [True] * 4 + [False] * 4 and pd.isna(staged.iloc[8])


def test_duplicate_key_keeps_the_first_valid_row():
    first = GOOD["ehc_requests"]
    broken_first = {**first, "requester": "Parent"}  # fails, so it cannot claim the key
    rows = [broken_first, first, {**first, "person_id": "P0000009"}]
    result = _run("ehc_requests", rows)
    assert result.valid["source_row"].tolist() == [3]
    assert list(
        result.failures[["row_number", "column", "rule"]].itertuples(index=False, name=None)
    ) == [(2, "requester", "unknown_code"), (4, "request_id", "duplicate_key")]


def test_duplicate_composite_key_compares_parsed_dates():
    # The same census day written two ways is the same key.
    rows = [SCHOOL_CENSUS[0], {**SCHOOL_CENSUS[0], "census_date": "17/01/2019"}]
    failures = _run("school_census", rows).failures
    assert failures[["row_number", "column", "rule"]].values.tolist() == [
        [3, "census_date+person_id", "duplicate_key"]
    ]
    assert failures["value"].tolist() == ["17/01/2019 | P0000001"]


def test_absent_optional_column_is_not_checked_and_its_rules_are_skipped():
    row = {k: v for k, v in GOOD["ehc_requests"].items() if k != "tribunal"}
    result = _run("ehc_requests", [row], absent=["tribunal"])
    assert result.failures.empty and result.valid["tribunal"].isna().all()


# --- quarantine shape and staged types -------------------------------------------------------


def test_a_row_with_two_faults_is_one_quarantined_row_with_two_lines():
    result = _run("persons", [PERSONS[0], {**PERSONS[1], "gender": "X", "upn": BAD_UPN}])
    assert result.rows_read == 2 and result.rows_quarantined == 1 and len(result.valid) == 1
    assert result.failures[["row_number", "column", "rule"]].values.tolist() == [
        [3, "upn", "bad_format"],
        [3, "gender", "unknown_code"],
    ]
    assert result.failures["value"].tolist() == [BAD_UPN, "X"]
    assert "check letter" in result.failures["reason"].iloc[0]
    assert result.reasons == {"bad_format": 1, "unknown_code": 1}


def test_reasons_name_the_values_for_cross_field_rules():
    result = _run("ehc_requests", [{**EHC_REQUESTS[0], "decision_date": "2019-01-09"}])
    reason = result.failures["reason"].iloc[0]
    assert "'2019-01-09'" in reason and "'2019-01-10'" in reason


def test_staged_dtypes_follow_the_contract():
    valid = _run("ehc_requests", EHC_REQUESTS).valid
    assert dict(valid.dtypes.astype(str)) == {
        "request_id": "string",
        "person_id": "string",
        "received_date": "datetime64[ms]",
        "requester": "string",
        "school_urn": "string",
        "decision": "string",
        "decision_date": "datetime64[ms]",
        "assessment_outcome": "string",
        "outcome_date": "datetime64[ms]",
        "plan_issued_date": "datetime64[ms]",
        "exception_20wk": "string",
        "mediation": "boolean",
        "tribunal": "boolean",
        "source_row": "Int64",
    }
    assert valid["source_row"].tolist() == [2, 3]
    assert valid.loc[0, "decision_date"] == pd.Timestamp("2019-02-10")
    assert pd.isna(valid.loc[1, "decision"])  # blank is missing, not ""


def test_int_columns_are_whole_numbers():
    valid = _run(
        "local_offer_web", [{**LOCAL_OFFER_WEB[0], "users": "1,000", "sessions": "2,000"}]
    ).valid
    assert str(valid["users"].dtype) == "Int64" and valid.loc[0, "users"] == 1000


def test_empty_frame():
    result = _run("persons", [])
    assert result.rows_read == 0 and result.valid.empty and result.failures.empty
    assert list(result.valid.columns) == [*CONTRACTS["persons"].column_names, "source_row"]


# --- identifiers: fast checks agree with identifiers.FORMAT_CHECKS ---------------------------


def _upn_corpus(rng) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = []
    for _ in range(4000):
        body = "".join(rng.choice(list("0123456789"), 11)) + rng.choice(
            list("0123456789" + letters)
        )
        out.append(rng.choice(list(letters)) + body)
    return out + [VALID_UPN, BAD_UPN, "", "R35100000000", "r351000000001", "R3510000000011"]


def test_vectorised_upn_check_matches_identifiers():
    rng = np.random.default_rng(1)
    corpus = _upn_corpus(rng)
    fast = upn_valid(pd.Series(corpus, dtype="string"))
    slow = np.array([FORMAT_CHECKS["upn"](u) for u in corpus])
    assert (fast == slow).all() and slow.sum() > 100  # the corpus holds both kinds


def test_vectorised_nhs_check_matches_identifiers():
    rng = np.random.default_rng(2)
    corpus = ["".join(rng.choice(list("0123456789"), 10)) for _ in range(5000)]
    corpus += [VALID_NHS, BAD_NHS, "943 476 5919", "943476591", "94347659190", "94347659X9"]
    fast = nhs_number_valid(pd.Series(corpus, dtype="string"))
    slow = np.array([FORMAT_CHECKS["nhs_number"](u) for u in corpus])
    assert (fast == slow).all() and slow.sum() > 300


@pytest.mark.parametrize("fmt", ["postcode", "urn", "person_id", "weakness_id"])
def test_regex_format_checks_match_identifiers(fmt):
    corpus = [
        "BL9 0AA",
        "bl9 0aa",
        " M1 1AE ",
        "M11AE",
        "BL9",
        "123456",
        "12345",
        "1234567",
        "P0000001",
        "P000001",
        "p0000001",
        "W1",
        "P12",
        "W123",
        "w1",
        "",
        "EC1A 1BB",
    ]
    from sendready.ingest.validate import _format_check

    fast = _format_check(fmt)(pd.Series(corpus, dtype="string")).to_numpy()
    slow = np.array([FORMAT_CHECKS[fmt](v) for v in corpus])
    assert (fast == slow).all()


# --- speed ---------------------------------------------------------------------------------


def test_a_million_rows_validate_in_seconds():
    n = 1_000_000
    rng = np.random.default_rng(5)
    received = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D")
    frame = pd.DataFrame(
        {
            "request_id": np.char.add("R", np.arange(n).astype(str)),
            "person_id": np.char.add("P", np.char.zfill(rng.integers(0, 10**7, n).astype(str), 7)),
            "received_date": received.strftime("%Y-%m-%d"),
            "requester": rng.choice(["parent", "school", "Parent"], n, p=[0.6, 0.39, 0.01]),
            "school_urn": "105555",
            "decision": "assess",
            "decision_date": (received + pd.Timedelta(days=30)).strftime("%d/%m/%Y"),
            "assessment_outcome": "ongoing",
            "outcome_date": "",
            "plan_issued_date": "",
            "exception_20wk": "",
            "mediation": rng.choice(["yes", "no", ""], n),
            "tribunal": "",
        },
        index=pd.RangeIndex(2, n + 2),
    ).astype(str)
    started = time.perf_counter()
    result = validate(frame, CONTRACTS["ehc_requests"], EXTRACT)
    elapsed = time.perf_counter() - started
    expected_bad = int((frame["requester"] == "Parent").sum())
    assert result.rows_quarantined == expected_bad
    assert len(result.valid) == n - expected_bad
    assert elapsed < 15, f"1M rows took {elapsed:.1f} s"
