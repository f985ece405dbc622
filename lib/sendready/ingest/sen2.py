"""Read an area's SEN2 person-level return as the suite's persons, requests and plans.

An area that declares ``sen2:`` in its profile gives the suite its SEN2 return (the module
CSV files its system exports for submission) in place of the persons, ehc_requests and
ehc_plans extracts; every other source is read from the area's own extracts as usual.
The return is converted into those three sources, which then pass the same contracts as
any other extract, so a SEN2 row is checked exactly as a native row would be.

What the conversion does, and why:

* Each module row is linked to its parent by table id (a request to its person, an
  assessment to its request, a named plan to its assessment, an active plan's placements
  and needs to the active plan). A row whose parent is missing or was set aside cannot be
  placed, so it is set aside too, saying which parent.
* Coded items are checked against DfE's code lists (:mod:`sendready.metadata.sen2`),
  after the profile's own mapping (``sen2.codes``). A row with a code the guide does not
  list is set aside with the file, column, row, value and what to do.
* Set-aside rows go to ``sen2/quarantine/<module>.csv`` in the staging folder (restricted)
  with the reason, followed by the row as the file held it; ``sen2/conversion.json``
  counts rows read, converted and set aside per module.
* A request with no received date carries a plan made before the request records begin
  (a historical plan); it gives a plan row but no request row.
* A named plan needs a primary need, which only an active plan's SEN need module holds
  (rank 1). A plan without one is set aside, as the plans contract requires a need.
* The 20-week exception item says only that an exception applied, not which of the
  reg 10(4) reasons, so it is staged as ``not_recorded`` (which excludes the plan from
  the 20-week measure as any exception does).
* The establishment type of a setting named by URN is not in the return: a placement with
  a URN is read as ``resourced_provision`` when the resourced-provision or SEN-unit
  indicator is set, else ``mainstream`` (counted in the notes). Settings without a URN
  take their type from the SEN setting code.
* The SEN2 return holds the latest review only, without the date it was due, so it cannot
  give the annual reviews source; supply ``annual_reviews`` as an extract beside it.

This module uses the standard library only (it runs in the light half of ingest, see
:mod:`sendready.ingest.plan`), and the conversion is redone only when a module file, the
profile's SEN2 settings or the suite's code changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sendready import __version__
from sendready.core.errors import SourceError
from sendready.core.fingerprints import INGEST_CODE, HashMemo, code_fingerprint
from sendready.metadata import sen2 as spec
from sendready.metadata.contracts import CONTRACTS
from sendready.metadata.profile import Profile

SEN2_DIR = "sen2"
SUMMARY_FILE = "conversion.json"
QUARANTINE_DIR = "quarantine"
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: .*)?$")
_BLADE = re.compile(r"^(\d{4})-([A-Za-z]{3})-(\d{1,2})(?: .*)?$")
DATE_ITEMS = frozenset(
    {
        "personbirthdate",
        "receiveddate",
        "requestoutcomedate",
        "assessmentoutcomedate",
        "startdate",
        "ceasedate",
        "reviewmeeting",
        "lastreview",
        "entrydate",
        "leavingdate",
    }
)
FLAG_ITEMS = frozenset(
    {
        "rya",
        "requestmediation",
        "requesttribunal",
        "assessmentmediation",
        "assessmenttribunal",
        "othermediation",
        "othertribunal",
        "week20",
        "pb",
        "senunitindicator",
        "resourcedprovisionindicator",
    }
)


@dataclass
class ModuleRows:
    """One module file: its rows (lower-case headers), and those set aside."""

    module: spec.Module
    path: Path | None
    header: list[str] = field(default_factory=list)
    rows: dict[str, dict] = field(default_factory=dict)  # by table id
    row_number: dict[str, int] = field(default_factory=dict)
    raw: dict[int, list[str]] = field(default_factory=dict)
    set_aside: dict[int, list[tuple[str, str, str]]] = field(default_factory=dict)
    read: int = 0

    def reject(self, row: int, column: str, rule: str, reason: str) -> None:
        self.set_aside.setdefault(row, []).append((column, rule, reason))

    def raw_id(self, number: int) -> str:
        """The table id a row held as read (for a row set aside)."""
        cells = self.raw.get(number, [])
        index = self.header.index(self.module.table_id)
        return cells[index].strip() if index < len(cells) else ""


@dataclass
class Conversion:
    """What the conversion produced: the staged-source files and the summary."""

    paths: dict[str, Path]
    summary: dict


# --- entry point -------------------------------------------------------------------------


def convert_return(profile: Profile, data_dir: Path, out_dir: Path, memo: HashMemo) -> Conversion:
    """Convert the SEN2 return in ``data_dir`` into ``out_dir/sen2`` (reused when unchanged).

    Raises:
        SourceError: a required module file is missing, cannot be read or lacks its
            table-id columns.
    """
    files = locate_modules(profile, data_dir)
    work = out_dir / SEN2_DIR
    key = _conversion_key(profile, files, memo)
    previous = _read_summary(work)
    paths = {name: work / f"{name}.csv" for name in spec.PROVIDES}
    if previous and previous.get("key") == key and all(p.is_file() for p in paths.values()):
        return Conversion(paths, previous)
    modules = {name: _read_module(mod, files.get(name)) for name, mod in spec.MODULES.items()}
    codes = {item: dict(mapping) for item, mapping in profile.sen2.codes.items()}
    for mods in modules.values():
        _check_items(mods, codes)
    _link(modules)
    tables, notes = build_sources(modules)
    work.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        _write_if_changed(paths[name], _csv_text(_columns(name), rows))
    summary = _summary(key, files, modules, tables, notes, data_dir)
    _write_quarantine(work / QUARANTINE_DIR, modules)
    _write_if_changed(work / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")
    return Conversion(paths, summary)


def locate_modules(profile: Profile, data_dir: Path) -> dict[str, Path]:
    """Each module's file: the profile's name for it, else ``<module>.csv``, else the one
    file ending ``_<module>.csv`` (as a COLLECT Blade export names them)."""
    found: dict[str, Path] = {}
    missing = []
    for name, module in spec.MODULES.items():
        named = profile.sen2.files.get(name)
        if named:
            candidates = [data_dir / named]
        else:
            candidates = [data_dir / module.default_file]
            if not candidates[0].is_file():
                candidates = sorted(data_dir.glob(f"*_{name}.csv"))
        candidates = [c for c in candidates if c.is_file() and not c.is_symlink()]
        if len(candidates) > 1:
            raise SourceError(
                f"The SEN2 {module.title} is in more than one file in {data_dir}: "
                f"{', '.join(c.name for c in candidates)}.",
                hint=f"Keep one, or name the one to use in the profile (sen2.files.{name}).",
            )
        if candidates:
            found[name] = candidates[0]
        elif module.required:
            missing.append(f"  - {module.title}: looked for {named or module.default_file}")
    if missing:
        raise SourceError(
            f"The profile says this area's data is a SEN2 return, but module file(s) are "
            f"missing from {data_dir}:\n" + "\n".join(missing),
            hint="Export every module of the return as CSV into that folder, or name each "
            "file in the profile under sen2.files (e.g. sen2.files.requests: "
            "'Blade-Export_requests.csv').",
        )
    return found


# --- reading and checking ----------------------------------------------------------------


def _read_module(module: spec.Module, path: Path | None) -> ModuleRows:
    out = ModuleRows(module, path)
    if path is None:
        return out
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(
            f"{path} cannot be opened ({exc.strerror}).",
            hint="Close the file if it is open in Excel, or check you may read it.",
        ) from None
    text = _decode(raw)
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    out.header = header
    needed = [module.table_id] + ([module.parent_id] if module.parent_id else [])
    absent = [c for c in needed if c not in header]
    if absent:
        raise SourceError(
            f"{path} ({module.title}) has no column {', '.join(absent)}; its first row "
            f"holds: {', '.join(header[:12]) or 'nothing'}.",
            hint="Export the module again from your system with its table-id columns "
            "(every SEN2 module file links its rows by them).",
        )
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        out.read += 1
        out.raw[number] = cells
        row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        table_id = row[module.table_id]
        if not table_id or table_id in out.rows:
            what = "is blank" if not table_id else f"repeats {table_id!r}"
            out.reject(number, module.table_id, "table_id", f"the table id {what}")
            continue
        out.rows[table_id] = row
        out.row_number[table_id] = number
    return out


def _decode(raw: bytes) -> str:
    for codec in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _check_items(mods: ModuleRows, codes: dict[str, dict[str, str]]) -> None:
    """Translate codes, dates and flags in place; set aside rows that cannot be read."""
    name = mods.module.name
    for table_id, row in list(mods.rows.items()):
        number = mods.row_number[table_id]
        if name == "person" and not row.get("nativeid"):
            mods.reject(
                number,
                "nativeid",
                "no_id",
                "the person has no nativeid; export the return with your system's person "
                "id there (the id your other extracts use), so the rows can be linked",
            )
        for item in mods.module.items:
            value = row.get(item, "")
            if not value:
                continue
            problem = _check_item(name, item, value, row, codes)
            if problem:
                mods.reject(number, item, *problem)
        if number in mods.set_aside:
            del mods.rows[table_id]


def _check_item(
    module: str, item: str, value: str, row: dict, codes: dict[str, dict[str, str]]
) -> tuple[str, str] | None:
    """Rewrite ``row[item]`` in the suite's terms; a (rule, reason) pair if it cannot be."""
    if item in DATE_ITEMS:
        parsed = parse_date(value)
        if parsed is None:
            return "date", (
                f"{value!r} is not a date (write yyyy-mm-dd, dd/mm/yyyy or the export's "
                "yyyy-Mon-dd)"
            )
        row[item] = parsed.isoformat()
        return None
    if item in FLAG_ITEMS:
        low = value.lower()
        if low not in spec.YES | spec.NO:
            return "flag", f"{value!r} is not yes or no (1/0, Y/N or true/false)"
        row[item] = "1" if low in spec.YES else ""
        return None
    mapping = spec.CODED_ITEMS.get((module, item))
    if mapping is None:
        return None
    code = codes.get(item, {}).get(value, value)
    key = code.upper()
    if key not in mapping:
        return "code", (
            f"{value!r} is not a code of DfE's SEN2 guide for {item} "
            f"({', '.join(mapping)}); correct it in your system, or if your system "
            f"exports its own code, map it in the profile under sen2.codes.{item}"
        )
    row[item] = mapping[key]
    return None


def parse_date(value: str) -> dt.date | None:
    """A date written ``yyyy-mm-dd``, ``dd/mm/yyyy`` or as COLLECT's Blade export
    writes it (``2022-Sep-28 00:00:00``); ``None`` if it is none of those."""
    try:
        if m := _ISO.match(value):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(value):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if (m := _BLADE.match(value)) and m[2].lower() in _MONTHS:
            return dt.date(int(m[1]), _MONTHS[m[2].lower()], int(m[3]))
    except ValueError:
        return None
    return None


def _link(modules: dict[str, ModuleRows]) -> None:
    """Set aside rows whose parent is missing or set aside, top module first."""
    for mods in modules.values():
        parent_id = mods.module.parent_id
        if parent_id is None:
            continue
        parent = next(m for m in modules.values() if m.module.table_id == parent_id)
        where = parent.path.name if parent.path else parent.module.default_file
        set_aside = {parent.raw_id(n) for n in parent.set_aside}
        for table_id, row in list(mods.rows.items()):
            link = row.get(parent_id, "")
            if link in parent.rows:
                continue
            number = mods.row_number[table_id]
            if link and link in set_aside:
                reason = f"its {parent_id} {link!r} was set aside in {where}"
            else:
                reason = f"its {parent_id} {link!r} is not in {where}"
            mods.reject(number, parent_id, "parent", reason)
            del mods.rows[table_id]


# --- building the staged sources ---------------------------------------------------------


def _children(child: ModuleRows, parent_id: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for row in child.rows.values():
        out[row[parent_id]].append(row)
    return out


def _ranked_first(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    return min(rows, key=lambda r: (_rank(r.get("placementrank") or r.get("sentyperank")),))


def _rank(value: str | None) -> int:
    try:
        return int(value or 99)
    except ValueError:
        return 99


def build_sources(modules: dict[str, ModuleRows]) -> tuple[dict[str, list[dict]], list[str]]:
    """The persons, ehc_requests and ehc_plans rows the return holds, and notes."""
    notes: Counter = Counter()
    person_ids = {}
    persons = []
    for table_id, row in modules["person"].rows.items():
        person_id = row.get("nativeid", "")
        person_ids[table_id] = person_id
        persons.append(_person_row(row, modules["person"], table_id))
    assessments = _children(modules["assessment"], "requeststableid")
    named = _children(modules["namedplan"], "assessmenttableid")
    active = _children(modules["activeplans"], "requeststableid")
    places = _children(modules["placementdetail"], "activeplanstableid")
    needs = _children(modules["senneed"], "activeplanstableid")
    details = _children(modules["plandetail"], "namedplantableid")
    requests, plans = [], []
    for table_id, req in modules["requests"].rows.items():
        person_id = person_ids[req["persontableid"]]
        assessment = _latest(assessments.get(table_id, []))
        plan_rows = named.get(assessment["assessmenttableid"], []) if assessment else []
        origin = _origin(modules["requests"], table_id)
        if req.get("receiveddate"):
            requests.append(_request_row(req, person_id, assessment, plan_rows, origin, notes))
        else:
            notes["requests with no received date (plans made before the records begin)"] += 1
        first_active = (active.get(table_id) or [None])[0]
        for plan in plan_rows:
            made = _plan_row(plan, person_id, first_active, places, needs, details, notes)
            if made is None:
                number = modules["namedplan"].row_number[plan["namedplantableid"]]
                modules["namedplan"].reject(
                    number,
                    "sentype",
                    "no_need",
                    "the plan has no SEN need of rank 1 (module 5c, under an active plan "
                    "of the same request), and a plan needs a primary need",
                )
                continue
            plans.append(made)
    return {"persons": persons, "ehc_requests": requests, "ehc_plans": plans}, [
        f"{n:,} {what}" for what, n in sorted(notes.items())
    ]


def _origin(mods: ModuleRows, table_id: str) -> str:
    name = mods.path.name if mods.path else mods.module.default_file
    return f"{name} row {mods.row_number[table_id]}"


def _latest(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    return max(
        rows, key=lambda r: (r.get("assessmentoutcomedate") or "9999", r["assessmenttableid"])
    )


def _person_row(row: dict, mods: ModuleRows, table_id: str) -> dict:
    return {
        "person_id": row.get("nativeid", ""),
        "upn": row.get("upn", ""),
        "nhs_number": "",
        "forename": row.get("forename", ""),
        "surname": row.get("surname", ""),
        "date_of_birth": row.get("personbirthdate", ""),
        "gender": row.get("sex", ""),
        "ethnicity": row.get("ethnicity", ""),
        "postcode": row.get("postcode", ""),
        spec.ORIGIN_COLUMN: _origin(mods, table_id),
    }


def _request_row(
    req: dict,
    person_id: str,
    assessment: dict | None,
    plan_rows: list[dict],
    origin: str,
    notes: Counter,
) -> dict:
    if not req.get("requestsource"):
        notes["requests with no request source, read as 'other'"] += 1
    outcome = ""
    if assessment is not None:
        outcome = assessment.get("assessmentoutcome", "")
        if not outcome and not assessment.get("assessmentoutcomedate"):
            outcome = "ongoing"
    flags = (assessment or {}) | req
    issued = min((p["startdate"] for p in plan_rows if p.get("startdate")), default="")
    return {
        "request_id": req.get("nativeid") or f"SEN2-{req['requeststableid']}",
        "person_id": person_id,
        "received_date": req["receiveddate"],
        "requester": req.get("requestsource") or "other",
        "school_urn": "",
        "decision": req.get("requestoutcome", ""),
        "decision_date": req.get("requestoutcomedate", ""),
        "assessment_outcome": outcome,
        "outcome_date": (assessment or {}).get("assessmentoutcomedate", ""),
        "plan_issued_date": issued if outcome == "issue" else "",
        "exception_20wk": "not_recorded" if (assessment or {}).get("week20") else "",
        "mediation": _any(flags, "requestmediation", "assessmentmediation", "othermediation"),
        "tribunal": _any(flags, "requesttribunal", "assessmenttribunal", "othertribunal"),
        spec.ORIGIN_COLUMN: origin,
    }


def _any(row: dict, *items: str) -> str:
    return "true" if any(row.get(i) for i in items) else "false"


def _plan_row(
    plan: dict,
    person_id: str,
    active: dict | None,
    places: dict[str, list[dict]],
    needs: dict[str, list[dict]],
    details: dict[str, list[dict]],
    notes: Counter,
) -> dict | None:
    active_id = active["activeplanstableid"] if active else None
    need = _ranked_first(needs.get(active_id, [])) if active_id else None
    if need is None:
        return None
    place = _ranked_first(places.get(active_id, [])) if active_id else None
    place = place or _ranked_first(details.get(plan["namedplantableid"], []))
    setting, urn = _setting(place, notes)
    return {
        "plan_id": plan.get("nativeid") or f"SEN2-{plan['namedplantableid']}",
        "person_id": person_id,
        "start_date": plan.get("startdate", ""),
        "cease_date": plan.get("ceasedate", ""),
        "cease_reason": plan.get("ceasereason", ""),
        "primary_need": need["sentype"],
        "setting_type": setting,
        "school_urn": urn,
        "personal_budget": "true" if plan.get("pb") else "false",
        spec.ORIGIN_COLUMN: f"named plan {plan['namedplantableid']}",
    }


def _setting(place: dict | None, notes: Counter) -> tuple[str, str]:
    if place is None:
        notes["plans with no placement, read as setting 'none'"] += 1
        return "none", ""
    urn = place.get("urn", "")
    if urn or place.get("ukprn"):
        if place.get("resourcedprovisionindicator") or place.get("senunitindicator"):
            return "resourced_provision", urn
        if not urn:
            return "post16", ""
        notes[
            "plans placed at a URN, read as 'mainstream' (the return has no establishment type)"
        ] += 1
        return "mainstream", urn
    return place.get("sensetting") or "none", ""


# --- writing -----------------------------------------------------------------------------


def _columns(source: str) -> list[str]:
    return [*CONTRACTS[source].column_names, spec.ORIGIN_COLUMN]


def _csv_text(columns: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buffer.getvalue()


def _write_if_changed(path: Path, text: str) -> None:
    """Write only a changed file, so the hash memo keeps trusting an unchanged one."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    os.replace(part, path)


def _write_quarantine(folder: Path, modules: dict[str, ModuleRows]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, mods in modules.items():
        target = folder / f"{name}.csv"
        if not mods.set_aside:
            target.unlink(missing_ok=True)
            continue
        columns = ["row", "column", "rule", "reason", *mods.header]
        lines = []
        for number in sorted(mods.set_aside):
            for column, rule, reason in mods.set_aside[number]:
                lines.append(
                    {
                        "row": number,
                        "column": column,
                        "rule": rule,
                        "reason": reason,
                        **dict(zip(mods.header, _safe(mods.raw.get(number, [])), strict=False)),
                    }
                )
        _write_if_changed(target, _csv_text(columns, lines))


def _safe(cells: list[str]) -> list[str]:
    """Cells opened in Excel must not run as formulas."""
    return [
        "'" + c if c[:1] in ("=", "+", "-", "@") and not _looks_numeric(c) else c for c in cells
    ]


def _looks_numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _summary(
    key: str,
    files: dict[str, Path],
    modules: dict[str, ModuleRows],
    tables: dict[str, list[dict]],
    notes: list[str],
    data_dir: Path,
) -> dict:
    per_module = {}
    for name, mods in modules.items():
        reasons = Counter(rule for faults in mods.set_aside.values() for _, rule, _ in faults)
        examples = [
            f"{mods.path.name if mods.path else name} row {number}, {column}: {reason}"
            for number, faults in sorted(mods.set_aside.items())[:3]
            for column, _, reason in faults[:1]
        ]
        per_module[name] = {
            "file": files[name].name if name in files else None,
            "rows_read": mods.read,
            "rows_set_aside": len(mods.set_aside),
            "reasons": dict(reasons.most_common()),
            "examples": examples,
        }
    return {
        "key": key,
        "data_dir": str(data_dir),
        "modules": per_module,
        "rows_provided": {name: len(rows) for name, rows in tables.items()},
        "notes": notes,
    }


def describe(summary: dict) -> list[str]:
    """Lines for the ingest report: what the return gave and what was set aside."""
    lines = ["SEN2 return read as persons, ehc_requests and ehc_plans:"]
    for name, mod in summary["modules"].items():
        if mod["file"] is None:
            continue
        line = f"  {mod['file']}: {mod['rows_read']:,} rows read"
        if mod["rows_set_aside"]:
            line += (
                f", {mod['rows_set_aside']:,} set aside (sen2/quarantine/{name}.csv): "
                + "; ".join(mod["examples"])
            )
        lines.append(line)
    lines.extend(f"  note: {note}" for note in summary["notes"])
    return lines


def _conversion_key(profile: Profile, files: dict[str, Path], memo: HashMemo) -> str:
    h = hashlib.sha256()
    h.update(f"{__version__}\0{code_fingerprint(*INGEST_CODE)}\0".encode())
    h.update(profile.sen2.model_dump_json().encode())
    for name in sorted(files):
        try:
            digest = memo.sha256(files[name])
        except OSError as exc:
            raise SourceError(
                f"{files[name]} cannot be opened ({exc.strerror}).",
                hint="Close the file if it is open in Excel, or check you may read it.",
            ) from None
        h.update(f"{name}\0{digest}\0".encode())
    return h.hexdigest()


def _read_summary(work: Path) -> dict | None:
    try:
        return json.loads((work / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
