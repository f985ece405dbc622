"""Ingest: turn a folder of raw extracts into staged tables the indicators can trust.

For every source contract: find the file, map the area's own headers onto the contract's
columns, read it as text, validate it, and write

* ``<source>.parquet``: the valid rows, typed, with their original row number;
* ``quarantine/<source>.csv``: one line per fault in a rejected row, with the whole row
  as the file held it, so a data officer can find and fix it in their own system;
* ``data_quality.json``: rows read, staged and quarantined per source, and why;
* ``ingest_cache.json`` (last): the fingerprint of what produced the outputs.

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
import hashlib
import json
import logging
import ntpath
import os
import posixpath
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from sendready import __version__
from sendready.contracts import CONTRACTS, Contract, get_contract
from sendready.errors import SourceError
from sendready.profile import Profile, SourceSpec
from sendready.readers import FORMATS, RawTable, read_source
from sendready.validate import FAILURE_COLUMNS, STAGED_DTYPES, Validation, validate

log = logging.getLogger(__name__)

QUALITY_FILE = "data_quality.json"
CACHE_FILE = "ingest_cache.json"
QUARANTINE_DIR = "quarantine"
EXTRACT_FILE = "extract.json"
_TMP_PREFIX = ".ingest-"
# Spreadsheet formula injection: a cell starting with one of these would run as a formula
# when a quarantine file is opened in Excel (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUARANTINE_CHUNK = 200_000
# Modules whose code decides what is staged: a change to any of them invalidates the cache.
_CODE_MODULES = ("contracts", "identifiers", "readers", "validate", "ingest")


class ReconciliationError(RuntimeError):
    """Rows read did not equal rows staged plus rows quarantined: a bug in the suite."""


@dataclass(frozen=True)
class SourcePlan:
    """Where one source comes from and whether the run needs it."""

    contract: Contract
    spec: SourceSpec
    required: bool
    path: Path | None
    looked_for: tuple[Path, ...]

    @property
    def name(self) -> str:
        return self.contract.name


@dataclass
class IngestResult:
    """What an ingest run did.

    Attributes:
        ok: ``False`` when a required source lost every row to quarantine (almost always
            a systematic problem: a date format, a wrong column mapping).
        cached: The inputs were unchanged, so the previous outputs were reused.
        fingerprint: Hash of inputs, profile, extract date and suite code.
        out_dir: Where the staged tables and reports are.
        summary: The content of ``data_quality.json``.
        problems: Sentences explaining why ``ok`` is ``False``.
        warnings: Sentences about optional sources that lost every row.
    """

    ok: bool
    cached: bool
    fingerprint: str
    out_dir: Path
    summary: dict
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """A short report for the terminal: one line per source, then where files went."""
        s = self.summary
        lines = []
        if self.cached:
            lines.append("Inputs unchanged since the last ingest, so nothing was redone "
                         "(use --force to redo it).")
        lines.append(f"Ingest for profile {s['profile']}, extract date "
                     f"{_long_date(s['extract_date'])} ({s['extract_date_from']}).")
        lines.append(f"{'source':24} {'file':42} {'read':>9} {'staged':>9} {'quarantined':>11}"
                     "  top reasons")
        totals = [0, 0, 0]
        for name, src in s["sources"].items():
            if src["status"] != "staged":
                lines.append(f"{name:24} not supplied (optional): indicators that need it "
                             "will show 'no data'")
                continue
            file = Path(src["file"]).name + (f" ({src['encoding']})" if src["encoding"] else "")
            top = ", ".join(f"{rule} {n:,}" for rule, n in list(src["reasons"].items())[:3])
            lines.append(f"{name:24} {file:42} {src['rows_read']:>9,} {src['rows_staged']:>9,} "
                         f"{src['rows_quarantined']:>11,}  {top}")
            for i, key in enumerate(("rows_read", "rows_staged", "rows_quarantined")):
                totals[i] += src[key]
            if src["columns_missing_optional"]:
                lines.append(f"{'':24}   optional columns not supplied: "
                             f"{', '.join(src['columns_missing_optional'])}")
            if src["columns_unknown"]:
                lines.append(f"{'':24}   columns not in the contract (not staged): "
                             f"{', '.join(src['columns_unknown'])}")
        lines.append(f"Total: {totals[0]:,} rows read, {totals[1]:,} staged, "
                     f"{totals[2]:,} quarantined.")
        lines.append(f"Staged tables:    {self.out_dir}")
        lines.append(f"Quarantined rows: {self.out_dir / QUARANTINE_DIR} (one line per fault; "
                     "opens in Excel)")
        lines.append(f"Quality report:   {self.out_dir / QUALITY_FILE}")
        lines.extend(f"Warning: {w}" for w in self.warnings)
        lines.extend(f"Problem: {p}" for p in self.problems)
        return "\n".join(lines)


def run_ingest(
    profile: Profile,
    data_dir: Path | str,
    out_dir: Path | str,
    extract_date: dt.date | str | None = None,
    force: bool = False,
) -> IngestResult:
    """Validate and stage every source for a profile.

    Args:
        profile: The area profile (file names, sheets and header mappings per source).
        data_dir: Folder of raw extracts.
        out_dir: Folder for staged tables, quarantine files and reports.
        extract_date: The date the extracts were taken; default ``extract.json`` in
            ``data_dir``, else today.
        force: Redo the work even if nothing has changed.

    Raises:
        SourceError: a required source is missing, or a file cannot be read or lacks a
            required column.
    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    if not data_dir.is_dir():
        raise SourceError(f"The data folder {data_dir} does not exist.",
                          hint="Pass the folder that holds the extracts with --data.")
    when, when_from = _extract_date(data_dir, extract_date)
    plans = locate_sources(profile, data_dir)
    fingerprint = compute_fingerprint(plans, profile, when)
    if not force:
        cached = _cached_summary(out_dir, fingerprint)
        if cached is not None:
            log.info("Ingest inputs unchanged (fingerprint %s): reusing %s", fingerprint[:12],
                     out_dir)
            return _result(cached, cached=True, out_dir=out_dir)

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # A private working folder, so two runs into one output folder cannot mix files.
        tmp = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=out_dir))
        (tmp / QUARANTINE_DIR).mkdir()
    except OSError as exc:
        raise SourceError(f"Cannot write to the output folder {out_dir} ({exc.strerror}).",
                          hint="Choose another folder with --out, or check you may write "
                               "there.") from None
    try:
        sources = {}
        for plan in plans:
            sources[plan.name] = _ingest_source(plan, when, tmp, data_dir)
        summary = {
            "profile": profile.id,
            "extract_date": when.isoformat(),
            "extract_date_from": when_from,
            "fingerprint": fingerprint,
            "suite_version": __version__,
            "data_dir": str(data_dir.resolve()),
            "created": dt.datetime.now().isoformat(timespec="seconds"),
            "sources": sources,
        }
        _publish(tmp, out_dir, summary)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return _result(summary, cached=False, out_dir=out_dir)


def load_staged(staged_dir: Path | str, source: str) -> pd.DataFrame | None:
    """A staged table with the agreed dtypes, or ``None`` if the source was not supplied.

    Raises:
        SourceError: the folder holds no ingest output.
    """
    contract = get_contract(source)
    staged_dir = Path(staged_dir)
    quality = staged_dir / QUALITY_FILE
    if not quality.is_file():
        raise SourceError(f"{staged_dir} holds no staged data (no {QUALITY_FILE}).",
                          hint="Run `sendready ingest` first, or point at its output folder.")
    entry = json.loads(quality.read_text(encoding="utf-8"))["sources"].get(source)
    if entry is None or entry["status"] != "staged":
        return None
    frame = pd.read_parquet(staged_dir / f"{source}.parquet")
    dtypes = {c.name: STAGED_DTYPES[c.kind] for c in contract.columns if c.name in frame}
    return frame.astype({**dtypes, "source_row": "Int64"})


# --- locating sources and the extract date -----------------------------------------------


def locate_sources(profile: Profile, data_dir: Path) -> list[SourcePlan]:
    """Find each source's file; stop with one message if any required source is missing."""
    plans = []
    for name, contract in CONTRACTS.items():
        spec = profile.source(name)
        required = contract.required if spec.required is None else spec.required
        if spec.file:
            candidates = (data_dir / _inside_data_folder(spec.file, name, data_dir),)
        else:
            candidates = tuple(data_dir / f"{name}{ext}" for ext in FORMATS)
        found = [p for p in candidates if p.is_file()]
        if len(found) > 1:
            raise SourceError(
                f"The {name} source is in more than one file: "
                f"{', '.join(p.name for p in found)} in {data_dir}.",
                hint="Keep only one, or name the one to use in the profile "
                     f"(sources.{name}.file).",
            )
        plans.append(SourcePlan(contract, spec, required, found[0] if found else None,
                                candidates))
    missing = [p for p in plans if p.required and p.path is None]
    if missing:
        looked = "\n".join(f"  - {p.name}: looked for "
                           f"{' or '.join(c.name for c in p.looked_for)}" for p in missing)
        used = {p.path.resolve() for p in plans if p.path is not None}
        unused = sorted(f.name for f in data_dir.iterdir()
                        if f.suffix.lower() in FORMATS and f.resolve() not in used)
        if unused:  # a misnamed extract is the commonest cause
            looked += f"\nFiles in the folder that no source uses: {', '.join(unused)}"
        raise SourceError(
            f"Required source(s) missing from {data_dir}:\n{looked}",
            hint="Put the extract(s) in that folder under one of those names, or name the "
                 "file in the profile (sources.<source>.file). To run without a source, "
                 "set sources.<source>.required: false in the profile.",
        )
    return plans


def _inside_data_folder(file: str, source: str, data_dir: Path) -> Path:
    """The profile's file name for a source, refused if it points outside the data folder.

    A profile is configuration that may be copied from another area or shared; it must not
    be able to make ingest read (and copy into quarantine files) something like
    ``/etc/passwd`` or a file beside another area's data. The check is on the name as
    written, read both with ``/`` and with Windows ``\\`` separators, because a profile
    written on Windows is as likely as one written anywhere else. Symbolic links inside
    the data folder are followed: whoever can place one there could copy the file itself.
    """
    for pure, normpath in ((PurePosixPath, posixpath.normpath),
                           (PureWindowsPath, ntpath.normpath)):
        first = pure(normpath(file)).parts[:1]
        if pure(file).anchor or first == ("..",):
            raise SourceError(
                f"The profile names {file!r} as the {source} file, which is outside the "
                f"data folder {data_dir}.",
                hint="Put the file in the data folder and give its name relative to that "
                     f"folder in sources.{source}.file (for example "
                     f"'{PureWindowsPath(file).name}'), or point --data at the folder that "
                     "holds it.",
            )
    return Path(file)


def _extract_date(data_dir: Path, given: dt.date | str | None) -> tuple[dt.date, str]:
    if given is not None:
        return _as_date(given, "--extract-date"), "as given (--extract-date)"
    path = data_dir / EXTRACT_FILE
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return _as_date(raw["extract_date"], str(path)), EXTRACT_FILE
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise SourceError(
                f"{path} cannot be read ({type(exc).__name__}: {exc}).",
                hint='It should hold {"extract_date": "YYYY-MM-DD"}; fix it or pass '
                     "--extract-date.",
            ) from None
    return dt.date.today(), "today, as no extract date was given"


def _as_date(value: dt.date | str, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise SourceError(f"The extract date {value!r} in {where} is not a date.",
                          hint="Write it as YYYY-MM-DD, e.g. 2019-03-31.") from None


# --- fingerprint and cache ---------------------------------------------------------------


def compute_fingerprint(plans: list[SourcePlan], profile: Profile, extract_date: dt.date) -> str:
    """SHA-256 over every input file (name and bytes), the profile, the extract date, the
    suite version, the contracts and the code that stages data."""
    h = hashlib.sha256()
    for part in (f"sendready {__version__}", contracts_version(), _code_version(),
                 profile.model_dump_json(), extract_date.isoformat()):
        h.update(part.encode("utf-8") + b"\0")
    for plan in sorted(plans, key=lambda p: p.name):
        h.update(plan.name.encode("utf-8") + b"\0")
        if plan.path is None:
            h.update(b"<not supplied>\0")
            continue
        h.update(plan.path.name.encode("utf-8") + b"\0")
        try:
            with plan.path.open("rb") as fh:
                while chunk := fh.read(8 * 1024 * 1024):
                    h.update(chunk)
        except OSError as exc:
            raise SourceError(f"{plan.path} cannot be opened ({exc.strerror}).",
                              hint="Close the file if it is open in Excel (Windows locks "
                                   "open workbooks), or check you may read it.") from None
        h.update(b"\0")
    return h.hexdigest()


def contracts_version() -> str:
    """A hash of every contract's definition, so changing a contract invalidates caches."""
    text = repr(sorted(CONTRACTS.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _code_version() -> str:
    import sendready

    h = hashlib.sha256()
    package = Path(sendready.__file__).parent
    for module in _CODE_MODULES:
        h.update((package / f"{module}.py").read_bytes())
    return h.hexdigest()[:16]


def _cached_summary(out_dir: Path, fingerprint: str) -> dict | None:
    try:
        cache = json.loads((out_dir / CACHE_FILE).read_text(encoding="utf-8"))
        summary = json.loads((out_dir / QUALITY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if cache.get("fingerprint") != fingerprint or summary.get("fingerprint") != fingerprint:
        return None
    for name, src in summary.get("sources", {}).items():
        if src.get("status") == "staged" and not (out_dir / f"{name}.parquet").is_file():
            return None
        if src.get("quarantine_file") and not (out_dir / src["quarantine_file"]).is_file():
            return None
    return summary


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
    _write_json(out_dir / CACHE_FILE, {"fingerprint": summary["fingerprint"],
                                        "suite_version": __version__,
                                        "created": summary["created"]})


def _write_json(path: Path, content: dict) -> None:
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(part, path)


# --- one source --------------------------------------------------------------------------


def _ingest_source(plan: SourcePlan, extract_date: dt.date, tmp: Path, data_dir: Path) -> dict:
    if plan.path is None:
        return {
            "status": "missing_optional", "required": False, "file": None,
            "looked_for": [_relative(p, data_dir) for p in plan.looked_for],
            "format": None, "encoding": None, "sheet": None,
            "rows_read": 0, "rows_staged": 0, "rows_quarantined": 0, "reasons": {},
            "columns_missing_optional": [], "columns_unknown": [], "columns_mapped": {},
            "blank_rows_skipped": 0, "quarantine_file": None,
        }
    started = time.perf_counter()
    contract, spec = plan.contract, plan.spec
    expected = [*contract.column_names, *spec.columns]
    raw = read_source(plan.path, sheet=spec.sheet, expected_headers=expected,
                      source=plan.name)
    chosen, missing_optional, unknown = map_headers(list(raw.frame.columns), contract, spec,
                                                    plan.path)
    text = pd.DataFrame(
        {c: raw.frame[chosen[c]] if c in chosen else "" for c in contract.column_names},
        index=raw.frame.index,
    )
    result = validate(text, contract, extract_date, absent=missing_optional)
    _reconcile(plan.name, raw, result)

    result.valid.to_parquet(tmp / f"{plan.name}.parquet", index=False)
    quarantine_file = None
    if len(result.failures):
        quarantine_file = f"{QUARANTINE_DIR}/{plan.name}.csv"
        _write_quarantine(tmp / quarantine_file, result.failures, raw.frame)
    log.info("%s: %s rows read from %s, %s staged, %s quarantined (%.1f s)", plan.name,
             f"{result.rows_read:,}", plan.path.name, f"{len(result.valid):,}",
             f"{result.rows_quarantined:,}", time.perf_counter() - started)
    return {
        "status": "staged", "required": plan.required, "file": _relative(plan.path, data_dir),
        "format": raw.file_format, "encoding": raw.encoding, "sheet": raw.sheet,
        "rows_read": result.rows_read, "rows_staged": len(result.valid),
        "rows_quarantined": result.rows_quarantined, "reasons": result.reasons,
        "columns_missing_optional": missing_optional, "columns_unknown": unknown,
        "columns_mapped": {own: col for col, own in chosen.items() if own != col},
        "blank_rows_skipped": raw.blank_rows, "quarantine_file": quarantine_file,
    }


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
            close = difflib.get_close_matches(col.name.casefold(),
                                              [h.casefold() for h in unknown], n=1, cutoff=0.6)
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


def _write_quarantine(path: Path, failures: pd.DataFrame, original: pd.DataFrame) -> None:
    """One line per fault, then the whole row as read under the file's own headers.

    Written in blocks with pyarrow's CSV writer (many times faster than pandas for text),
    so that a file where most rows fail neither stalls nor needs the whole quarantine
    table in memory at once. The UTF-8 byte order mark lets Excel detect the encoding.
    """
    # The file's own headers go after ours; one that repeats ours gets a suffix. A header
    # is a cell like any other when the file is opened in Excel, so it is neutralised too.
    headers = [f"{c} (file)" if c in FAILURE_COLUMNS else c for c in original.columns]
    headers = list(_neutralise(pd.Series(headers, dtype="string")))
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    with path.open("wb") as fh:
        fh.write(codecs.BOM_UTF8)
        for start in range(0, max(len(failures), 1), _QUARANTINE_CHUNK):
            lines = failures.iloc[start:start + _QUARANTINE_CHUNK].reset_index(drop=True)
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
    text = values.astype(str)
    return text.where(~text.str.startswith(_FORMULA_START), "'" + text)


# --- helpers -----------------------------------------------------------------------------


def _result(summary: dict, cached: bool, out_dir: Path) -> IngestResult:
    """``ok`` is lost only when a *required* source kept no rows: the reports built on it
    would be empty. An optional source that lost every row is reported but does not
    stop the run."""
    problems, warnings = [], []
    for name, src in summary["sources"].items():
        if src["status"] == "staged" and src["rows_read"] and not src["rows_staged"]:
            sentence = (
                f"every one of the {src['rows_read']:,} rows of {name} was quarantined; this "
                "is usually one systematic problem (a date format, a wrongly mapped column). "
                f"See {out_dir / src['quarantine_file']}."
            )
            (problems if src["required"] else warnings).append(sentence)
    return IngestResult(ok=not problems, cached=cached, fingerprint=summary["fingerprint"],
                        out_dir=out_dir, summary=summary, problems=problems,
                        warnings=warnings)


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def _long_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"
