"""Write persons, EHC requests and plans as a SEN2 person-level return (module CSV files).

The reverse of :mod:`sendready.ingest.sen2`: from the suite's own tables (as staged, or
as the sample generates them) it writes the nine module files an area's system exports
for the SEN2 return, with DfE's item names and codes (:mod:`sendready.metadata.sen2`).
Used to give the sample area a SEN2 form, so that a test can check that the return read
back gives the same statutory indicators as the native extracts, and to show an area
what the reader expects.

How the suite's rows become modules, and why that is what SEN2 holds:

* a request becomes a requests row; its assessment outcome (when assessed) an assessment
  row, whose blank outcome means the assessment is still going on;
* a plan becomes a named plan under the assessment of the request that issued it (the
  person's request whose plan was issued on the plan's start date); a plan with no such
  request (made before the request records begin) hangs from a request with no received
  date and an assessment of outcome ``H`` (decision made before the collection period);
* every plan has an active-plans row under its request, with its primary need as SEN need
  rank 1 and its setting as placement rank 1, since only module 5 holds needs;
* the reg 10(4) reason of a 20-week exception is written as ``week20`` yes: the return
  does not hold the reason.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from sendready.metadata import sen2 as spec

_SOURCE = {v: k for k, v in spec.REQUEST_SOURCE.items()}
_DECISION = {"assess": "A", "not_assess": "N", "withdrawn": "W"}
_OUTCOME = {"issue": "Y", "not_issue": "N", "ongoing": ""}
_SETTING = {
    "early_years": "EYP",
    "ehe": "EHE",
    "alternative_provision": "OLA",
    "independent_special": "OPA",
    "none": "NIEO",
}
_HEADERS = {
    "person": ["persontableid", *spec.MODULES["person"].items],
    "requests": ["requeststableid", "persontableid", *spec.MODULES["requests"].items],
    "assessment": ["assessmenttableid", "requeststableid", *spec.MODULES["assessment"].items],
    "namedplan": ["namedplantableid", "assessmenttableid", *spec.MODULES["namedplan"].items],
    "plandetail": ["plandetailtableid", "namedplantableid", *spec.MODULES["plandetail"].items],
    "activeplans": ["activeplanstableid", "requeststableid", *spec.MODULES["activeplans"].items],
    "placementdetail": [
        "placementdetailtableid",
        "activeplanstableid",
        *spec.MODULES["placementdetail"].items,
    ],
    "senneed": ["senneedtableid", "activeplanstableid", *spec.MODULES["senneed"].items],
}


def write_sen2_return(
    persons: pd.DataFrame, requests: pd.DataFrame, plans: pd.DataFrame, out_dir: Path | str
) -> dict[str, Path]:
    """Write the module files (``<module>.csv``) into ``out_dir``; returns them by module.

    Args:
        persons: The persons table (contract columns; dates as dates or ISO text).
        requests: The ehc_requests table.
        plans: The ehc_plans table.
        out_dir: Folder to write into (created if needed).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict]] = {name: [] for name in _HEADERS}
    person_table = {}
    for i, p in enumerate(persons.to_dict("records"), start=1):
        person_table[p["person_id"]] = str(i)
        rows["person"].append(_person(str(i), p))
    matched = _match_plans(requests, plans)
    for r in requests.to_dict("records"):
        if r["person_id"] not in person_table:
            continue
        _write_request(rows, person_table[r["person_id"]], r, matched.get(r["request_id"]))
    matched_ids = {plan["plan_id"] for plan in matched.values()}
    for plan in plans.to_dict("records"):
        if plan["plan_id"] in matched_ids or plan["person_id"] not in person_table:
            continue
        _write_historical(rows, person_table[plan["person_id"]], plan)
    written = {}
    for name, header in _HEADERS.items():
        path = out_dir / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows[name])
        written[name] = path
    return written


def _match_plans(requests: pd.DataFrame, plans: pd.DataFrame) -> dict[str, dict]:
    """Each request's plan: the person's plan that started on the request's issue date."""
    by_start = {}
    for plan in plans.to_dict("records"):
        by_start.setdefault((plan["person_id"], _iso(plan["start_date"])), plan)
    out = {}
    for r in requests.to_dict("records"):
        issued = _iso(r.get("plan_issued_date"))
        plan = by_start.pop((r["person_id"], issued), None) if issued else None
        if plan is not None:
            out[r["request_id"]] = plan
    return out


def _iso(value) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return pd.Timestamp(value).date().isoformat()


def _text(value) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _flag(value) -> str:
    return "1" if _text(value) in ("True", "true", "1") else "0"


def _person(table_id: str, p: dict) -> dict:
    return {
        "persontableid": table_id,
        "nativeid": p["person_id"],
        "surname": _text(p.get("surname")),
        "forename": _text(p.get("forename")),
        "personbirthdate": _iso(p.get("date_of_birth")),
        "sex": _text(p.get("gender")),
        "ethnicity": _text(p.get("ethnicity")),
        "postcode": _text(p.get("postcode")),
        "upn": _text(p.get("upn")),
        "uniquelearnernumber": "",
        "upnunknown": "",
    }


def _write_request(rows: dict, person_table: str, r: dict, plan: dict | None) -> None:
    table_id = str(len(rows["requests"]) + 1)
    rows["requests"].append(
        {
            "requeststableid": table_id,
            "persontableid": person_table,
            "nativeid": r["request_id"],
            "receiveddate": _iso(r["received_date"]),
            "requestsource": _SOURCE.get(_text(r.get("requester")), "O"),
            "rya": "0",
            "requestoutcomedate": _iso(r.get("decision_date")),
            "requestoutcome": _DECISION.get(_text(r.get("decision")), ""),
            "requestmediation": _flag(r.get("mediation")),
            "requesttribunal": _flag(r.get("tribunal")),
            "exported": "",
        }
    )
    outcome = _text(r.get("assessment_outcome"))
    if not outcome:
        return
    assessment = _assessment(rows, table_id, _OUTCOME[outcome], _iso(r.get("outcome_date")))
    assessment["week20"] = "1" if _text(r.get("exception_20wk")) else "0"
    issued = _iso(r.get("plan_issued_date"))
    if plan is not None:
        _named_plan(rows, assessment["assessmenttableid"], table_id, plan)
    elif issued:  # issued, but no plan row to describe it
        _named_plan(
            rows,
            assessment["assessmenttableid"],
            table_id,
            {"plan_id": "", "start_date": issued},
        )


def _assessment(rows: dict, request_table: str, outcome: str, date: str) -> dict:
    row = {
        "assessmenttableid": str(len(rows["assessment"]) + 1),
        "requeststableid": request_table,
        "assessmentoutcome": outcome,
        "assessmentoutcomedate": date,
        "assessmentmediation": "0",
        "assessmenttribunal": "0",
        "othermediation": "0",
        "othertribunal": "0",
        "week20": "0",
    }
    rows["assessment"].append(row)
    return row


def _write_historical(rows: dict, person_table: str, plan: dict) -> None:
    table_id = str(len(rows["requests"]) + 1)
    rows["requests"].append(
        {
            "requeststableid": table_id,
            "persontableid": person_table,
            **{item: "" for item in spec.MODULES["requests"].items},
        }
    )
    assessment = _assessment(rows, table_id, "H", "")
    _named_plan(rows, assessment["assessmenttableid"], table_id, plan)


def _named_plan(rows: dict, assessment_table: str, request_table: str, plan: dict) -> None:
    table_id = str(len(rows["namedplan"]) + 1)
    rows["namedplan"].append(
        {
            "namedplantableid": table_id,
            "assessmenttableid": assessment_table,
            "nativeid": plan["plan_id"],
            "startdate": _iso(plan["start_date"]),
            "pb": _flag(plan.get("personal_budget")),
            "oa": "0",
            "dp": "0",
            "ceasedate": _iso(plan.get("cease_date")),
            "ceasereason": _text(plan.get("cease_reason")),
        }
    )
    if not plan.get("primary_need"):
        return
    active = str(len(rows["activeplans"]) + 1)
    rows["activeplans"].append(
        {
            "activeplanstableid": active,
            "requeststableid": request_table,
            "transferla": "",
            "reviewmeeting": "",
            "reviewoutcome": "",
            "lastreview": "",
        }
    )
    rows["senneed"].append(
        {
            "senneedtableid": str(len(rows["senneed"]) + 1),
            "activeplanstableid": active,
            "sentype": plan["primary_need"],
            "sentyperank": "1",
        }
    )
    rows["placementdetail"].append(_placement(rows, active, plan))


def _placement(rows: dict, active: str, plan: dict) -> dict:
    setting = _text(plan.get("setting_type"))
    urn = _text(plan.get("school_urn"))
    return {
        "placementdetailtableid": str(len(rows["placementdetail"]) + 1),
        "activeplanstableid": active,
        "urn": urn,
        "ukprn": "",
        "sensetting": "" if urn else _SETTING.get(setting, "OTH"),
        "placementrank": "1",
        "entrydate": _iso(plan["start_date"]),
        "leavingdate": _iso(plan.get("cease_date")),
        "senunitindicator": "0",
        "resourcedprovisionindicator": "1" if setting == "resourced_provision" else "0",
    }
