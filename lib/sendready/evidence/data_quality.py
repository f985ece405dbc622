"""Data-quality measures for the data-quality report: what was read, how sources link,
and how complete they are over time.

Counts here are of records, not of children with a characteristic, and every table is an
aggregate: no row identifies a child.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.common import member_of
from sendready.indicators.registry import StagedData
from sendready.metadata.contracts import CONTRACTS

# Person-level sources and the date that places a record in time.
EVENT_DATES = {
    "ehc_requests": "received_date",
    "ehc_advice": "requested_date",
    "ehc_plans": "start_date",
    "annual_reviews": "due_date",
    "health_referrals": "referral_date",
    "ehcp_audits": "audit_date",
    "school_census": "census_date",
    "joint_packages": "start_date",
    "local_offer_feedback": "received_date",
    "surveys": "wave_date",
    "training": "completed_date",
}

# (child source, its column, parent source, parent key, what the link means)
LINKS = (
    (
        "ehc_requests",
        "person_id",
        "persons",
        "person_id",
        "requests whose child is on the persons list",
    ),
    ("ehc_plans", "person_id", "persons", "person_id", "plans whose child is on the persons list"),
    (
        "health_referrals",
        "person_id",
        "persons",
        "person_id",
        "health referrals whose child is on the persons list",
    ),
    (
        "school_census",
        "person_id",
        "persons",
        "person_id",
        "census records whose pupil is on the persons list",
    ),
    (
        "ehc_advice",
        "request_id",
        "ehc_requests",
        "request_id",
        "advice records linked to a request",
    ),
    ("annual_reviews", "plan_id", "ehc_plans", "plan_id", "reviews linked to a plan"),
    ("ehcp_audits", "plan_id", "ehc_plans", "plan_id", "audits linked to a plan"),
)


def sources_table(summary: dict) -> pd.DataFrame:
    """Per source: file, rows read, staged, quarantined, share quarantined, top reasons."""
    rows = []
    for name, src in summary.get("sources", {}).items():
        if src.get("status") != "staged":
            rows.append(
                {
                    "Source": name,
                    "File": "not supplied",
                    "Rows read": pd.NA,
                    "Staged": pd.NA,
                    "Quarantined": pd.NA,
                    "Quarantined (%)": pd.NA,
                    "Main reasons": "optional source not supplied",
                }
            )
            continue
        read = src["rows_read"]
        reasons = sorted(src.get("reasons", {}).items(), key=lambda kv: -kv[1])[:3]
        rows.append(
            {
                "Source": name,
                "File": str(src.get("file", "")).rsplit("/", 1)[-1],
                "Rows read": read,
                "Staged": src["rows_staged"],
                "Quarantined": src["rows_quarantined"],
                "Quarantined (%)": (src["rows_quarantined"] / read * 100) if read else pd.NA,
                "Main reasons": "; ".join(
                    f"{rule.replace('_', ' ')} ({n:,})" for rule, n in reasons
                )
                or "none",
            }
        )
    return pd.DataFrame(rows)


def reasons_table(summary: dict) -> pd.DataFrame:
    """Every quarantine reason with the rows it affected, by source."""
    rows = [
        {"Source": name, "Rule": rule, "Rows": n}
        for name, src in summary.get("sources", {}).items()
        for rule, n in src.get("reasons", {}).items()
    ]
    return pd.DataFrame(rows, columns=["Source", "Rule", "Rows"])


def placeholders_table(summary: dict) -> pd.DataFrame:
    """Cells read as blank because they held a placeholder word ('N/A', 'TBC', 'unknown'
    ...) in an optional date or code field, by source and column."""
    rows = [
        {"Source": name, "Column": column, "Cells read as blank": n}
        for name, src in summary.get("sources", {}).items()
        for column, n in (src.get("placeholders_blanked") or {}).items()
    ]
    return pd.DataFrame(rows, columns=["Source", "Column", "Cells read as blank"])


# The rules that decide which rows are kept when rows conflict (docs/assumptions-and-
# caveats.md, A6 and A7); the report states them beside the counts.
KEY_CONFLICT_RULE = (
    "The first row with a key, in file order, is kept; every later row with the same key is "
    "quarantined (duplicate key), whether or not its other values agree."
)
IDENTIFIER_CONFLICT_RULE = (
    "Every row is kept: nothing says which person id is right, and counts by child may be "
    "too high until the records are merged in the area's system."
)


def conflicts_table(summary: dict) -> pd.DataFrame:
    """Rows that contradict each other: a repeated key with different values, and a UPN or
    NHS number held by more than one person id; with the rule that decided what was kept."""
    rows = []
    for name, src in summary.get("sources", {}).items():
        conflicts = src.get("key_conflicts") or {}
        if conflicts.get("conflicting_rows"):
            columns = ", ".join(f"{c} ({n:,})" for c, n in conflicts["columns"].items())
            rows.append(
                {
                    "Source": name,
                    "Conflict": f"same key, different values: {columns}",
                    "Rows": conflicts["conflicting_rows"],
                    "Which row is kept": KEY_CONFLICT_RULE,
                }
            )
        for column, shared in (src.get("identifier_conflicts") or {}).items():
            rows.append(
                {
                    "Source": name,
                    "Conflict": f"one {column} under several person ids "
                    f"({shared['values']:,} {column} value(s))",
                    "Rows": shared["person_ids"],
                    "Which row is kept": IDENTIFIER_CONFLICT_RULE,
                }
            )
    return pd.DataFrame(rows, columns=["Source", "Conflict", "Rows", "Which row is kept"])


def linkage_table(data: StagedData) -> pd.DataFrame:
    """How many records of each source find their parent record in another source."""
    rows = []
    for child, column, parent, key, meaning in LINKS:
        child_frame, parent_frame = data.get(child), data.get(parent)
        if child_frame is None or parent_frame is None or child_frame.empty:
            continue
        linked = member_of(child_frame[column], parent_frame[key]).sum()
        rows.append(
            {
                "Link": meaning,
                "Records": len(child_frame),
                "Linked": int(linked),
                "Linked (%)": linked / len(child_frame) * 100,
            }
        )
    plans, persons, referrals = (
        data.get("ehc_plans"),
        data.get("persons"),
        data.get("health_referrals"),
    )
    if plans is not None and persons is not None and referrals is not None and len(plans):
        with_plan = persons[member_of(persons["person_id"], plans["person_id"])]
        matched = member_of(with_plan["nhs_number"], referrals["nhs_number"])
        rows.append(
            {
                "Link": "children with a plan matched to a health record by NHS number",
                "Records": len(with_plan),
                "Linked": int(matched.sum()),
                "Linked (%)": matched.mean() * 100 if len(with_plan) else pd.NA,
            }
        )
    return pd.DataFrame(rows, columns=["Link", "Records", "Linked", "Linked (%)"])


def completeness_by_quarter(data: StagedData, period_end: object) -> pd.DataFrame:
    """Records per quarter and the share of optional fields filled in, per source.

    A sudden fall in records or in completeness usually means an extract problem, not a
    change in services; quarters after the period end are left out.
    """
    end = pd.Timestamp(period_end)
    frames = []
    for source, date_col in EVENT_DATES.items():
        frame = data.get(source)
        if frame is None or frame.empty:
            continue
        nullable = [
            c.name
            for c in CONTRACTS[source].columns
            if c.nullable and c.name in frame and c.name != date_col
        ]
        dated = frame[frame[date_col].notna() & (frame[date_col] <= end)]
        if dated.empty:
            continue
        quarter = pd.PeriodIndex(dated[date_col], freq="Q").astype(str)
        filled = dated[nullable].notna().mean(axis=1) * 100 if nullable else None
        grouped = pd.DataFrame(
            {"Quarter": quarter, "filled": filled if filled is not None else pd.NA}
        ).groupby("Quarter")
        out = grouped.size().rename("Records").to_frame()
        out["Optional fields filled (%)"] = grouped["filled"].mean() if nullable else pd.NA
        out.insert(0, "Source", source)
        frames.append(out.reset_index())
    if not frames:
        return pd.DataFrame(columns=["Quarter", "Source", "Records", "Optional fields filled (%)"])
    return pd.concat(frames, ignore_index=True)
