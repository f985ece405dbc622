"""Raw extracts and profiles built by hand for the reader, validator and ingest tests.

Rows are written as the text a council's export would hold, and files are written byte
by byte, so a test sees exactly what the suite would be given. The identifiers were
worked out by hand (comments show the arithmetic), not produced by the code under test.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sendready.metadata.profile import Profile

# UPN check letter for body 351000000001: weights 2..13 give 3*2 + 5*3 + 1*4 + 1*13 = 38;
# 38 mod 23 = 15, the 16th letter of ABCDEFGHJKLMNPQRTUVWXYZ is R.
VALID_UPN = "R351000000001"
BAD_UPN = "A351000000001"  # same body, wrong check letter
# NHS number 943 476 5919: 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 mod 11 = 2;
# 11 - 2 = 9, the last digit.
VALID_NHS = "9434765919"
BAD_NHS = "9434765918"


def make_profile(sources: dict | None = None) -> Profile:
    """The smallest valid profile, with optional ``sources`` settings.

    The weakness names any one catalogue indicator: profiles are checked against the
    catalogue, and ingest does not care which.
    """
    from sendready.metadata.catalogue import INDICATOR_IDS

    return Profile.model_validate(
        {
            "id": "test-area",
            "area": {
                "name": "Testshire",
                "la_code": "999",
                "ons_code": "E99999999",
                "icb": "NHS Testshire",
                "region": "North West",
            },
            "framework": {
                "kind": "wsoa-2016",
                "inspection_start": "2017-06-12",
                "inspection_end": "2017-06-16",
                "baseline_start": "2016-04-01",
                "baseline_end": "2017-10-31",
            },
            "weaknesses": [
                {
                    "id": "W1",
                    "title": "t",
                    "inspectors_found": "f",
                    "success_looks_like": "s",
                    "indicators": [sorted(INDICATOR_IDS)[0]],
                }
            ],
            "sources": sources or {},
        }
    )


PERSONS = [
    {
        "person_id": "P0000001",
        "upn": VALID_UPN,
        "nhs_number": VALID_NHS,
        "forename": "Ann",
        "surname": "Smith",
        "date_of_birth": "2010-05-01",
        "gender": "F",
        "ethnicity": "WBRI",
        "postcode": "BL9 0AA",
    },
    {
        "person_id": "P0000002",
        "upn": "",
        "nhs_number": "",
        "forename": "Bob",
        "surname": "Jones",
        "date_of_birth": "12/03/2011",
        "gender": "M",
        "ethnicity": "",
        "postcode": "",
    },
]

EHC_REQUESTS = [
    {
        "request_id": "R1",
        "person_id": "P0000001",
        "received_date": "2019-01-10",
        "requester": "parent",
        "school_urn": "105555",
        "decision": "assess",
        "decision_date": "2019-02-10",
        "assessment_outcome": "issue",
        "outcome_date": "2019-04-01",
        "plan_issued_date": "2019-05-01",
        "exception_20wk": "",
        "mediation": "no",
        "tribunal": "no",
    },
    {
        "request_id": "R2",
        "person_id": "P0000002",
        "received_date": "2019-02-01",
        "requester": "school",
        "school_urn": "",
        "decision": "",
        "decision_date": "",
        "assessment_outcome": "",
        "outcome_date": "",
        "plan_issued_date": "",
        "exception_20wk": "",
        "mediation": "",
        "tribunal": "",
    },
]

EHC_PLANS = [
    {
        "plan_id": "E1",
        "person_id": "P0000001",
        "start_date": "2019-05-01",
        "cease_date": "",
        "cease_reason": "",
        "primary_need": "ASD",
        "setting_type": "mainstream",
        "school_urn": "105555",
        "personal_budget": "N",
    },
]

SCHOOL_CENSUS = [
    {
        "census_date": "2019-01-17",
        "school_urn": "105555",
        "school_name": "Hilltop Primary",
        "phase": "primary",
        "person_id": "P0000001",
        "upn": VALID_UPN,
        "ncy": "3",
        "sen_provision": "K",
        "primary_need": "NSA",
    },
]

LOCAL_OFFER_WEB = [
    {
        "date": "2019-01-01",
        "section": "home",
        "users": "10",
        "sessions": "12",
        "page_views": "40",
        "searches": "5",
        "zero_result_searches": "1",
    },
]

REQUIRED = {"persons": PERSONS, "ehc_requests": EHC_REQUESTS, "ehc_plans": EHC_PLANS}


def csv_text(rows: list[dict], header: list[str] | None = None) -> str:
    """Rows as CSV text with Windows line endings, as Excel writes them."""
    header = header or list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue()


def write_csv(
    path: Path, rows: list[dict], header: list[str] | None = None, encoding: str = "utf-8"
) -> Path:
    path.write_bytes(csv_text(rows, header).encode(encoding))
    return path


def write_required(data_dir: Path, extract_date: str | None = "2019-06-30") -> Path:
    """A data folder holding valid extracts of the three required sources."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in REQUIRED.items():
        write_csv(data_dir / f"{name}.csv", rows)
    if extract_date:
        (data_dir / "extract.json").write_text(
            f'{{"extract_date": "{extract_date}"}}', encoding="utf-8"
        )
    return data_dir
