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


def columns_not_supplied(data: StagedData, indicator_ids: list[str]) -> pd.DataFrame:
    """Columns some of the profile's indicators need that the area did not supply.

    A column the contract lets an area leave out (``indicators_need``) that is absent or
    blank in every row: the indicators reading it show "no data" rather than a figure,
    and this says which, so the gap is fixed at the extract rather than read as 0%.
    """
    from sendready.indicators.engine import columns_needed
    from sendready.indicators.registry import REGISTRY

    found: dict[tuple[str, str], list[str]] = {}
    for indicator_id in indicator_ids:
        definition = REGISTRY.get(indicator_id)
        if definition is None or definition.derived:
            continue
        for source, columns in columns_needed(definition).items():
            contract, frame = CONTRACTS.get(source), data.get(source)
            if contract is None or frame is None or frame.empty:
                continue
            for column in columns:
                if column not in contract.column_names:
                    continue
                if contract.column(column).indicators_need and (
                    column not in frame or not frame[column].notna().any()
                ):
                    found.setdefault((source, column), []).append(indicator_id)
    return pd.DataFrame(
        [
            {
                "Extract": source,
                "Column": column,
                "How": "left out of the file" if column not in data.get(source) else "blank",
                "Indicators without data": ", ".join(ids),
            }
            for (source, column), ids in found.items()
        ],
        columns=["Extract", "Column", "How", "Indicators without data"],
    )


def _tags(values: pd.Series) -> pd.Series:
    """One weakness id per row from ``W2;W4``-style tags (blank tags dropped)."""
    split = values.dropna().astype(str).str.replace(",", ";").str.split(";").explode()
    split = split.str.strip()
    return split[split != ""]


def unknown_weakness_ids(data: StagedData, weakness_ids: list[str]) -> pd.DataFrame:
    """Rows naming a weakness the profile does not have: quotes, actions, survey tags.

    Such rows would otherwise be dropped without a word from every report (no weakness
    report shows them): an area's extract may still use the numbering of an older plan.
    """
    known = set(weakness_ids)
    places = (
        ("quotes", "weakness_id", "quotes"),
        ("action_plan", "weakness_id", "plan actions"),
        ("survey_questions", "weakness_tags", "survey questions (weakness tags)"),
    )
    rows = []
    for source, column, what in places:
        frame = data.get(source)
        if frame is None or column not in frame:
            continue
        ids = _tags(frame[column]) if column == "weakness_tags" else frame[column].dropna()
        unknown = ids[~ids.astype(str).isin(known)].astype(str)
        for weakness_id, count in unknown.value_counts().sort_index().items():
            rows.append(
                {"Extract": source, "Rows": int(count), "Weakness id": weakness_id, "What": what}
            )
    return pd.DataFrame(rows, columns=["Extract", "Rows", "Weakness id", "What"])
