"""Ingest: turn a folder of raw extracts into staged tables the indicators can trust.

For every source contract: find the file, map the area's own headers onto the contract's
columns, read it as text, validate it, and write

* ``<source>.parquet``: the valid rows, typed, with their original row number;
* ``quarantine/<source>.csv``: one line per fault in a rejected row, with the whole row
  as the file held it, so a data officer can find and fix it in their own system;
* ``data_quality.json``: rows read, staged and quarantined per source, and why;
* ``ingest_cache.json`` (last): the fingerprint of what produced the outputs.

Locating sources, fingerprinting and the reuse check live in :mod:`sendready.ingest.plan`,
which does not import pandas.

Nothing is dropped silently: for every source, rows read = rows staged + rows quarantined,
checked in code. Header matching ignores case and surrounding spaces; the profile's
``sources.<name>.columns`` maps any other header (own header -> contract column).

Ingest runs once per batch, not once per notebook: if the inputs, the profile, the
extract date and the suite's code are unchanged, the previous outputs are reused.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from sendready import __version__
from sendready.core.errors import SourceError
from sendready.core.excel import FORMULA_START
from sendready.core.fingerprints import file_signature
from sendready.ingest.plan import (
    CACHE_FILE,
    QUALITY_FILE,
    QUARANTINE_DIR,
    IngestPlan,
    IngestResult,
    SourcePlan,
    result_from_summary,
)
from sendready.ingest.readers import RawTable, column_letter, read_source
from sendready.ingest.validate import (
    FAILURE_COLUMNS,
    STAGED_DTYPES,
    DateOrderEvidence,
    Validation,
    date_order_evidence,
    validate,
)
from sendready.metadata.contracts import CONTRACTS, Contract, get_contract
from sendready.metadata.profile import SourceSpec

log = logging.getLogger(__name__)

_TMP_PREFIX = ".ingest-"
_QUARANTINE_CHUNK = 200_000


class ReconciliationError(RuntimeError):
    """Rows read did not equal rows staged plus rows quarantined: a bug in the suite."""


def stage(plan: IngestPlan) -> IngestResult:
    """Read, validate and stage every source of a plan, whatever the cache says."""
    out_dir, data_dir = plan.out_dir, plan.data_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # A private working folder, so two runs into one output folder cannot mix files.
        tmp = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=out_dir))
        (tmp / QUARANTINE_DIR).mkdir()
    except OSError as exc:
        raise SourceError(
            f"Cannot write to the output folder {out_dir} ({exc.strerror}).",
            hint="Choose another folder with --out, or check you may write there.",
        ) from None
    try:
        sources = {}
        for source in plan.sources:
            if source.name == "action_plan" and plan.profile.actions:
                sources[source.name] = _profile_actions(source, plan, tmp)
                continue
            sources[source.name] = _ingest_source(source, plan.extract_date, tmp, data_dir)
            _unchanged_since_plan(plan, source)
        summary = {
            "profile": plan.profile.id,
            "extract_date": plan.extract_date.isoformat(),
            "extract_date_from": plan.extract_date_from,
            "fingerprint": plan.fingerprint,
            "suite_version": __version__,
            "data_dir": str(data_dir.resolve()),
            "created": dt.datetime.now().isoformat(timespec="seconds"),
            "sources": sources,
        }
        if plan.sen2 is not None:
            summary["sen2"] = plan.sen2
        _publish(tmp, out_dir, summary)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    plan.memo.save()
    return result_from_summary(summary, cached=False, out_dir=out_dir)


def _profile_actions(source: SourcePlan, plan: IngestPlan, tmp: Path) -> dict:
    """Stage the actions a profile lists as the ``action_plan`` source.

    An area that keeps its plan's actions in its profile rather than in an extract gets
    the same checks (the action_plan contract) and the same indicators (LEAD01, LEAD02)
    and report sections. Both at once would leave two versions of the plan, so that is
    refused.
    """
    profile = plan.profile
    if source.path is not None:
        raise SourceError(
            f"The profile {profile.id!r} lists actions and the data folder also has an "
            f"action plan extract ({source.path.name}): the suite cannot tell which is "
            "current.",
            hint="Keep the actions in one place: remove the profile's actions, or the extract.",
        )
    rows = [
        {
            "action_id": a.id,
            "weakness_id": a.weakness,
            "owner_org": a.owner,
            "due_date": a.due.isoformat(),
            "status": a.status,
            "completed_date": a.completed.isoformat() if a.completed else "",
        }
        for a in profile.actions
    ]
    # Row numbers count from 2, as a file's would (its header is row 1).
    text = pd.DataFrame(rows, index=range(2, len(rows) + 2), dtype="string").fillna("")
    result = validate(text, source.contract, plan.extract_date)
    if len(result.failures):
        first = result.failures.iloc[0]
        action = rows[int(first["row_number"]) - 2]["action_id"]
        raise SourceError(
            f"Action {action} in profile {profile.id!r} fails the action plan's checks: "
            f"{first['reason']}.",
            hint="Correct the action under actions in the profile.",
        )
    result.valid.to_parquet(tmp / f"{source.name}.parquet", index=False)
    return _summary_without_file(source, plan.data_dir) | {
        "status": "staged",
        "file": f"profile {profile.id} (actions)",
        "format": "profile",
        "rows_read": result.rows_read,
        "rows_staged": len(result.valid),
        "notes": ["actions listed in the profile (actions), not read from an extract"],
    }


def _unchanged_since_plan(plan: IngestPlan, source: SourcePlan) -> None:
    """Stop if a file changed after it was fingerprinted: its rows would be staged under
    a fingerprint that vouches for other content."""
    if source.path is None:
        return
    key = str(source.path.resolve())
    try:
        now = file_signature(key)
    except OSError:
        now = None
    if key in plan.signatures and now != plan.signatures[key]:
        raise SourceError(
            f"{source.path} changed while it was being read, so nothing was staged.",
            hint="Wait until the file has been saved in full, then run again.",
        )


def load_staged(staged_dir: Path | str, source: str) -> pd.DataFrame | None:
    """A staged table with the agreed dtypes, or ``None`` if the source was not supplied.

    Raises:
        SourceError: the folder holds no ingest output.
    """
    contract = get_contract(source)
    staged_dir = Path(staged_dir)
    quality = staged_dir / QUALITY_FILE
    if not quality.is_file():
        raise SourceError(
            f"{staged_dir} holds no staged data (no {QUALITY_FILE}).",
            hint="Run `sendready ingest` first, or point at its output folder.",
        )
    entry = json.loads(quality.read_text(encoding="utf-8"))["sources"].get(source)
    if entry is None or entry["status"] != "staged":
        return None
    frame = pd.read_parquet(staged_dir / f"{source}.parquet")
    dtypes = {c.name: STAGED_DTYPES[c.kind] for c in contract.columns if c.name in frame}
    return frame.astype({**dtypes, "source_row": "Int64"})


def _publish(tmp: Path, out_dir: Path, summary: dict) -> None:
    """Move the new outputs into place; the cache file is written last, so an interrupted
    run never leaves a cache that vouches for incomplete outputs."""
    (out_dir / CACHE_FILE).unlink(missing_ok=True)
    (out_dir / QUARANTINE_DIR).mkdir(parents=True, exist_ok=True)
    for name in CONTRACTS:
        for rel in (f"{name}.parquet", f"{QUARANTINE_DIR}/{name}.csv"):
            if (tmp / rel).is_file():
                os.replace(tmp / rel, out_dir / rel)
            else:  # an output of an earlier run that this run did not produce
                (out_dir / rel).unlink(missing_ok=True)
    _write_json(out_dir / QUALITY_FILE, summary)
    _write_json(
        out_dir / CACHE_FILE,
        {
            "fingerprint": summary["fingerprint"],
            "suite_version": __version__,
            "created": summary["created"],
        },
    )


def _write_json(path: Path, content: dict) -> None:
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(part, path)


# --- one source --------------------------------------------------------------------------


def _summary_without_file(plan: SourcePlan, data_dir: Path) -> dict:
    """A source's summary when no file was read for it (an optional source left out)."""
    return {
        "status": "missing_optional",
        "required": False,
        "file": None,
        "looked_for": [_relative(p, data_dir) for p in plan.looked_for],
        "format": None,
        "encoding": None,
        "sheet": None,
        "rows_read": 0,
        "rows_staged": 0,
        "rows_quarantined": 0,
        "reasons": {},
        "columns_missing_optional": [],
        "columns_unknown": [],
        "columns_mapped": {},
        "blank_rows_skipped": 0,
        "quarantine_file": None,
        "date_order": None,
        "placeholders_blanked": {},
        "key_conflicts": {},
        "identifier_conflicts": {},
        "quarantine_columns_renamed": {},
        "notes": [],
    }


def _ingest_source(plan: SourcePlan, extract_date: dt.date, tmp: Path, data_dir: Path) -> dict:
    if plan.path is None:
        return _summary_without_file(plan, data_dir)
    started = time.perf_counter()
    contract, spec = plan.contract, plan.spec
    expected = [*contract.column_names, *spec.columns]
    raw = read_source(plan.path, sheet=spec.sheet, expected_headers=expected, source=plan.name)
    notes = list(raw.notes)
    chosen, missing_optional, unknown = map_headers(
        list(raw.frame.columns), contract, spec, plan.path
    )
    text = pd.DataFrame(
        {c: raw.frame[chosen[c]] if c in chosen else "" for c in contract.column_names},
        index=raw.frame.index,
    )
    text, mapped = apply_code_map(text, spec)
    notes += [
        f"{count:,} value(s) of {column} read through the profile's code_map "
        f"(sources.{plan.name}.code_map.{column})"
        for column, count in mapped.items()
    ]
    order = _date_order(plan, date_order_evidence(text, contract))
    if order == "mdy":
        notes.append(
            "dates written with slashes read month first (mm/dd/yyyy), as the profile "
            f"declares (sources.{plan.name}.date_order: mdy)"
        )
    result = validate(
        text, contract, extract_date, absent=missing_optional, day_first=order == "dmy"
    )
    _reconcile(plan.name, raw, result)

    result.valid.to_parquet(tmp / f"{plan.name}.parquet", index=False)
    quarantine_file = None
    renamed: dict[str, str] = {}
    if len(result.failures):
        quarantine_file = f"{QUARANTINE_DIR}/{plan.name}.csv"
        headers, renamed = quarantine_headers(list(raw.frame.columns))
        _write_quarantine(tmp / quarantine_file, result.failures, raw.frame, headers)
        notes += [
            f"in the quarantine file, the file's column {own!r} is headed {new!r} (its own "
            "name is one of the quarantine's columns)"
            for own, new in renamed.items()
        ]
    log.info(
        "%s: %s rows read from %s, %s staged, %s quarantined (%.1f s)",
        plan.name,
        f"{result.rows_read:,}",
        plan.path.name,
        f"{len(result.valid):,}",
        f"{result.rows_quarantined:,}",
        time.perf_counter() - started,
    )
    for note in notes:
        log.info("%s: %s", plan.name, note)
    return {
        "status": "staged",
        "required": plan.required,
        "file": _relative(plan.path, data_dir),
        "format": raw.file_format,
        "encoding": raw.encoding,
        "sheet": raw.sheet,
        "rows_read": result.rows_read,
        "rows_staged": len(result.valid),
        "rows_quarantined": result.rows_quarantined,
        "reasons": result.reasons,
        "columns_missing_optional": missing_optional,
        "columns_unknown": unknown,
        "columns_mapped": {own: col for col, own in chosen.items() if own != col},
        "blank_rows_skipped": raw.blank_rows,
        "quarantine_file": quarantine_file,
        "date_order": order,
        "placeholders_blanked": result.placeholders,
        "key_conflicts": result.key_conflicts,
        "identifier_conflicts": result.identifier_conflicts,
        "quarantine_columns_renamed": renamed,
        "notes": notes,
    }


def _date_order(plan: SourcePlan, evidence: DateOrderEvidence) -> str:
    """``dmy`` or ``mdy``: the profile's declaration, else day first, unless the file's
    own dates contradict it.

    A date such as 05/04/2019 is 5 April read day first and 4 May read month first, and
    nothing in the value says which. The file's unambiguous dates (13/04/2019 can only be
    day first) show its order; a file that shows the other order from the one it will be
    read in, or both orders, is refused, because its ambiguous dates cannot be trusted
    either way.
    """
    path, name = plan.path, plan.name

    def shown(examples: list[tuple[int, str, str]]) -> str:
        return "; ".join(f"row {row}, {column} '{value}'" for row, column, value in examples)

    if evidence.day_first and evidence.month_first:
        raise SourceError(
            f"{path} writes dates both day first and month first, so none of its dates "
            f"written with slashes can be trusted. Day first ({evidence.day_first_count:,} "
            f"cell(s)): {shown(evidence.day_first)}. Month first "
            f"({evidence.month_first_count:,} cell(s)): {shown(evidence.month_first)}.",
            hint="Export the file again with every date in one format (yyyy-mm-dd is "
            "safest), or correct the cells shown in your system and export again.",
        )
    declared = plan.spec.date_order
    order = declared or "dmy"
    if order == "dmy" and evidence.month_first:
        why = (
            f"the profile declares day first (sources.{name}.date_order: dmy)"
            if declared
            else "the suite reads them day first (dd/mm/yyyy, the British order) unless the "
            "profile says otherwise"
        )
        raise SourceError(
            f"{path} writes dates month first (mm/dd/yyyy): "
            f"{evidence.month_first_count:,} cell(s) can only be read that way, e.g. "
            f"{shown(evidence.month_first)}. But {why}, so a date such as 05/04/2019 would "
            "be read as the wrong day; nothing was staged.",
            hint=f"If the whole file writes dates month first, declare it in the profile: "
            f"'date_order: mdy' under sources.{name}. Otherwise export the file again with "
            "yyyy-mm-dd dates.",
        )
    if order == "mdy" and evidence.day_first:
        raise SourceError(
            f"The profile declares that {path} writes dates month first "
            f"(sources.{name}.date_order: mdy), but {evidence.day_first_count:,} cell(s) "
            f"can only be read day first, e.g. {shown(evidence.day_first)}.",
            hint=f"Remove date_order from sources.{name} in the profile (day first is the "
            "default), or export the file again with yyyy-mm-dd dates.",
        )
    return order


def apply_code_map(text: pd.DataFrame, spec: SourceSpec) -> tuple[pd.DataFrame, dict[str, int]]:
    """The area's own code words replaced by the contract's codes (profile ``code_map``).

    A word matches ignoring case and surrounding spaces, as headers do: an area's system
    writes "Other" or "OTHER " for the same thing. Values already the contract's codes, and
    words the map does not name, are left for validation to accept or quarantine.

    Returns:
        The text frame and, per column, how many cells were mapped.
    """
    mapped: dict[str, int] = {}
    if not spec.code_map:
        return text, mapped
    text = text.copy()
    for column, mapping in spec.code_map.items():
        folded = {own.strip().casefold(): code for own, code in mapping.items()}
        key = text[column].astype("string").str.strip().str.casefold()
        new = key.map(folded)
        hit = new.notna() & (text[column] != new)
        if hit.any():
            text.loc[hit, column] = new[hit]
            mapped[column] = int(hit.sum())
    return text, mapped


def map_headers(
    headers: list[str], contract: Contract, spec: SourceSpec, path: Path
) -> tuple[dict[str, str], list[str], list[str]]:
    """Match a file's headers to the contract's columns.

    The profile's mapping (own header -> contract column) is applied first; any other
    header matches the contract column of the same name. Both ignore case.

    Returns:
        The file header chosen for each contract column found, the optional columns not
        found, and the file's headers that match no contract column.

    Raises:
        SourceError: a required column is missing, or two headers claim one column.
    """
    by_fold = {h.casefold(): h for h in headers}
    chosen: dict[str, str] = {}
    for own, column in spec.columns.items():
        header = by_fold.get(own.strip().casefold())
        if header is None:
            continue  # a profile may list headers used by other exports of the source
        if column in chosen:
            raise SourceError(
                f"Two headers in {path}, {chosen[column]!r} and {header!r}, are both mapped to "
                f"{column} by the profile.",
                hint=f"Keep one of them in sources.{contract.name}.columns.",
            )
        chosen[column] = header
    claimed = set(chosen.values())
    for column in contract.column_names:
        header = by_fold.get(column.casefold())
        if column not in chosen and header is not None and header not in claimed:
            chosen[column] = header
            claimed.add(header)
    unknown = [h for h in headers if h not in claimed]
    missing = [c for c in contract.columns if c.required and c.name not in chosen]
    if missing:
        lines = []
        for col in missing:
            close = difflib.get_close_matches(
                col.name.casefold(), [h.casefold() for h in unknown], n=1, cutoff=0.6
            )
            guess = f" (is {by_fold[close[0]]!r} this column?)" if close else ""
            lines.append(f"  - {col.name}: {col.description}{guess}")
        raise SourceError(
            f"{path} has no column for {len(missing)} required field(s) of the "
            f"{contract.name} contract:\n" + "\n".join(lines),
            hint="Add the column(s) to the extract, or if your system uses another header, "
            f"map it in the profile under sources.{contract.name}.columns, e.g. "
            f"'Your header': {missing[0].name}.",
        )
    missing_optional = [c.name for c in contract.columns if c.name not in chosen]
    return chosen, missing_optional, unknown


def _reconcile(name: str, raw: RawTable, result: Validation) -> None:
    read, staged, quarantined = len(raw.frame), len(result.valid), result.rows_quarantined
    if read != result.rows_read or read != staged + quarantined:
        raise ReconciliationError(
            f"Internal error in sendready: {name} had {read} rows read but {staged} staged "
            f"and {quarantined} quarantined. Please report this as a bug."
        )


def quarantine_headers(columns: list[str]) -> tuple[list[str], dict[str, str]]:
    """Headers for the file's own columns in a quarantine file, and those renamed.

    A quarantine line starts with the quarantine's columns (``row_number``, ``column``,
    ``rule``, ``value``, ``reason``), then the whole row under the file's own headers. A
    file header that is one of ours is shown as ``rule (file)``, or, if the file already
    has a header of that name, as ``rule (file column J)`` after its column letter; every
    other header is shown as it is. A header is a cell like any other when the file is
    opened in Excel, so it is neutralised as a formula first, and two headers that become
    the same that way are told apart likewise.
    """
    shown = list(_neutralise(pd.Series(columns, dtype="string")))
    repeated = {h for h in shown if shown.count(h) > 1}
    taken = set(FAILURE_COLUMNS) | set(shown)
    headers, renamed = [], {}
    for i, (own, name) in enumerate(zip(columns, shown, strict=True)):
        if name in FAILURE_COLUMNS or name in repeated:
            new = f"{name} (file)"
            if new in taken:
                new = f"{name} (file column {column_letter(i)})"
            while new in taken:  # a file with that header too: make it unique anyway
                new += "'"
            taken.add(new)
            renamed[own] = name = new
        headers.append(name)
    return headers, renamed


def _write_quarantine(
    path: Path, failures: pd.DataFrame, original: pd.DataFrame, headers: list[str]
) -> None:
    """One line per fault, then the whole row as read under the file's own headers.

    Written in blocks with pyarrow's CSV writer (many times faster than pandas for text),
    so that a file where most rows fail neither stalls nor needs the whole quarantine
    table in memory at once. The UTF-8 byte order mark lets Excel detect the encoding.
    """
    # The file's own headers (see quarantine_headers) go after ours.
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    with path.open("wb") as fh:
        fh.write(codecs.BOM_UTF8)
        for start in range(0, max(len(failures), 1), _QUARANTINE_CHUNK):
            lines = failures.iloc[start : start + _QUARANTINE_CHUNK].reset_index(drop=True)
            rows = original.loc[lines["row_number"].to_numpy()].reset_index(drop=True)
            rows.columns = headers
            out = pd.concat([lines, rows], axis=1)
            for column in out.columns:
                if column != "row_number":
                    out[column] = _neutralise(out[column])
            table = pa.Table.from_pandas(out, preserve_index=False)
            pacsv.write_csv(table, fh, write_options=options)
            options = pacsv.WriteOptions(include_header=False, quoting_style="needed")


def _neutralise(values: pd.Series) -> pd.Series:
    """``core.excel.neutralise`` over a whole column at once (quarantine files are large)."""
    text = values.astype(str)
    return text.where(~text.str.startswith(FORMULA_START), "'" + text)


# --- helpers -----------------------------------------------------------------------------


def _relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` with ``/`` separators on every platform (for the
    quality report and, through it, the manifest), or as given if it is not inside."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)
