"""The light half of ingest: where each extract is, which extract date applies, and
whether the staged outputs of the last ingest still match the inputs.

Everything here uses the standard library, the contracts and the profile only (no pandas,
no pyarrow), because an unchanged re-run ends here: :func:`reuse_staged` answers "nothing
has changed, use what is staged" in a fraction of a second even for a large county, and
the heavy half (:mod:`sendready.ingest.stage`) is imported only when there is work to do.

The staged folder holds:

* ``data_quality.json``: rows read, staged and quarantined per source, and why;
* ``ingest_cache.json`` (written last): the fingerprint of what produced the outputs;
* ``file_hashes.json``: the input files' hashes (see :mod:`sendready.core.fingerprints`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import ntpath
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from sendready import __version__
from sendready.core.dates import long_date
from sendready.core.errors import SourceError
from sendready.core.fingerprints import INGEST_CODE, MEMO_FILE, HashMemo, code_fingerprint
from sendready.metadata.contracts import CONTRACTS, FORMATS, Contract
from sendready.metadata.profile import Profile, SourceSpec

log = logging.getLogger("sendready.ingest")

QUALITY_FILE = "data_quality.json"
CACHE_FILE = "ingest_cache.json"
QUARANTINE_DIR = "quarantine"
EXTRACT_FILE = "extract.json"


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
            lines.append(
                "Inputs unchanged since the last ingest, so nothing was redone "
                "(use --force to redo it)."
            )
        lines.append(
            f"Ingest for profile {s['profile']}, extract date "
            f"{long_date(s['extract_date'])} ({s['extract_date_from']})."
        )
        lines.append(
            f"{'source':24} {'file':42} {'read':>9} {'staged':>9} {'quarantined':>11}  top reasons"
        )
        totals = [0, 0, 0]
        for name, src in s["sources"].items():
            if src["status"] != "staged":
                lines.append(
                    f"{name:24} not supplied (optional): indicators that need it "
                    "will show 'no data'"
                )
                continue
            file = Path(src["file"]).name + (f" ({src['encoding']})" if src["encoding"] else "")
            top = ", ".join(f"{rule} {n:,}" for rule, n in list(src["reasons"].items())[:3])
            lines.append(
                f"{name:24} {file:42} {src['rows_read']:>9,} {src['rows_staged']:>9,} "
                f"{src['rows_quarantined']:>11,}  {top}"
            )
            for i, key in enumerate(("rows_read", "rows_staged", "rows_quarantined")):
                totals[i] += src[key]
            if src["columns_missing_optional"]:
                lines.append(
                    f"{'':24}   optional columns not supplied: "
                    f"{', '.join(src['columns_missing_optional'])}"
                )
            if src["columns_unknown"]:
                lines.append(
                    f"{'':24}   columns not in the contract (not staged): "
                    f"{', '.join(src['columns_unknown'])}"
                )
            if src.get("placeholders_blanked"):
                lines.append(
                    f"{'':24}   placeholder words ('N/A', 'TBC'...) read as blank in optional "
                    "fields: "
                    + ", ".join(f"{c} {n:,}" for c, n in src["placeholders_blanked"].items())
                )
            conflicts = src.get("key_conflicts") or {}
            if conflicts.get("conflicting_rows"):
                lines.append(
                    f"{'':24}   {conflicts['conflicting_rows']:,} later row(s) repeat a key "
                    "with different values (the first row was kept): "
                    + ", ".join(f"{c} {n:,}" for c, n in conflicts["columns"].items())
                )
            for column, shared in (src.get("identifier_conflicts") or {}).items():
                lines.append(
                    f"{'':24}   {shared['values']:,} {column} value(s) held by more than one "
                    f"person id ({shared['person_ids']:,} ids; all rows kept)"
                )
            lines.extend(f"{'':24}   {note}" for note in src.get("notes", []))
        lines.append(
            f"Total: {totals[0]:,} rows read, {totals[1]:,} staged, {totals[2]:,} quarantined."
        )
        lines.append(f"Staged tables:    {self.out_dir}")
        lines.append(
            f"Quarantined rows: {self.out_dir / QUARANTINE_DIR} (one line per fault; "
            "opens in Excel)"
        )
        lines.append(f"Quality report:   {self.out_dir / QUALITY_FILE}")
        lines.extend(_sen2_lines(s))
        lines.extend(f"Warning: {w}" for w in self.warnings)
        lines.extend(f"Problem: {p}" for p in self.problems)
        return "\n".join(lines)


def _sen2_lines(summary: dict) -> list[str]:
    """What the SEN2 conversion did, when the area's data is its SEN2 return."""
    if not summary.get("sen2"):
        return []
    from sendready.ingest.sen2 import describe

    return describe(summary["sen2"])


@dataclass
class IngestPlan:
    """What an ingest would read, and the fingerprint that decides whether it must run.

    Attributes:
        data_dir: Folder of raw extracts.
        out_dir: Staging folder.
        extract_date: The date the extracts were taken.
        extract_date_from: Where that date came from, in words for the ingest report.
        sources: One plan per contract, in contract order.
        fingerprint: Hash of inputs, profile, extract date and the code that stages data.
        file_hashes: SHA-256 of each input file read, by absolute path.
    """

    profile: Profile
    data_dir: Path
    out_dir: Path
    extract_date: dt.date
    extract_date_from: str
    sources: list[SourcePlan]
    fingerprint: str
    file_hashes: dict[str, str]
    memo: HashMemo = field(repr=False, default_factory=lambda: HashMemo(None))
    sen2: dict | None = None

    @property
    def signatures(self) -> dict[str, list[int]]:
        """Each input's size and times when it was fingerprinted: staging checks them
        again, so that a file saved over while it is read is not staged under the old
        fingerprint."""
        return self.memo.signatures


def plan_ingest(
    profile: Profile,
    data_dir: Path | str,
    out_dir: Path | str,
    extract_date: dt.date | str | None = None,
    force: bool = False,
) -> IngestPlan:
    """Locate every source and fingerprint the inputs (see :func:`run_ingest` for args).

    Raises:
        SourceError: the data folder or a required source is missing, or a file cannot be
            opened.
    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    if not data_dir.is_dir():
        raise SourceError(
            f"The data folder {data_dir} does not exist.",
            hint="Pass the folder that holds the extracts with --data.",
        )
    when, when_from = _extract_date(data_dir, extract_date)
    memo = HashMemo(out_dir / MEMO_FILE, trust=not force)
    provided, sen2 = {}, None
    if profile.sen2 is not None:  # persons, requests and plans come from the SEN2 return
        from sendready.ingest.sen2 import convert_return

        conversion = convert_return(profile, data_dir, out_dir, memo)
        provided, sen2 = conversion.paths, conversion.summary
    sources = locate_sources(profile, data_dir, provided)
    fingerprint, hashes = compute_fingerprint(sources, profile, when, memo)
    if out_dir.is_dir():  # never create the staging folder just to keep a memo in it
        memo.save()
    return IngestPlan(
        profile, data_dir, out_dir, when, when_from, sources, fingerprint, hashes, memo, sen2
    )


def reuse_staged(plan: IngestPlan) -> IngestResult | None:
    """The last ingest's result if its outputs match the plan's fingerprint, else ``None``."""
    cached = _cached_summary(plan.out_dir, plan.fingerprint)
    if cached is None:
        return None
    return result_from_summary(cached, cached=True, out_dir=plan.out_dir)


def pinned_staged(out_dir: Path | str, fingerprint: str) -> IngestResult:
    """The staged outputs a batch ingested, read-only: no extract is read or hashed.

    A batch ingests once and then runs its notebooks in parallel. If each notebook checked
    the raw extracts itself, an extract replaced mid-batch would make some notebooks
    re-stage the data (into the folder the others are reading) and the pack would mix two
    extracts. Pinned to the batch's fingerprint, a notebook that starts after another run
    has re-staged the folder stops with this error instead of reading the new data. (A
    re-stage while a notebook is already reading its tables is not detected: two runs into
    one outputs folder at once remain a mistake to avoid.)

    Raises:
        SourceError: the staged folder no longer holds the outputs with that fingerprint.
    """
    out_dir = Path(out_dir)
    cached = _cached_summary(out_dir, fingerprint)
    if cached is None:
        raise SourceError(
            f"The staged data in {out_dir} are no longer the ones this batch ingested "
            f"(fingerprint {fingerprint[:12]}): they changed while the batch was running, "
            "probably because another run wrote to the same outputs folder.",
            hint="Let the other run finish, then run the batch again.",
        )
    return result_from_summary(cached, cached=True, out_dir=out_dir)


# --- locating sources and the extract date -----------------------------------------------


def locate_sources(
    profile: Profile, data_dir: Path, provided: dict[str, Path] | None = None
) -> list[SourcePlan]:
    """Find each source's file; stop with one message if any required source is missing.

    ``provided`` names files made for a source elsewhere (the SEN2 conversion, in the
    staging folder), used as they are.
    """
    plans = []
    provided = provided or {}
    for name, contract in CONTRACTS.items():
        spec = profile.source(name)
        required = contract.required if spec.required is None else spec.required
        if name in provided:
            plans.append(SourcePlan(contract, spec, required, provided[name], (provided[name],)))
            continue
        if spec.file:
            candidates = (data_dir / _inside_data_folder(spec.file, name, data_dir),)
        else:
            candidates = tuple(data_dir / f"{name}{ext}" for ext in FORMATS)
        # A link counts as found (even a broken one) so that it is refused, not skipped.
        found = [p for p in candidates if p.is_file() or p.is_symlink()]
        if len(found) > 1:
            raise SourceError(
                f"The {name} source is in more than one file: "
                f"{', '.join(p.name for p in found)} in {data_dir}.",
                hint=f"Keep only one, or name the one to use in the profile (sources.{name}.file).",
            )
        if found:
            _refuse_links(found[0], name, data_dir)
        plans.append(SourcePlan(contract, spec, required, found[0] if found else None, candidates))
    missing = [p for p in plans if p.required and p.path is None]
    if missing:
        looked = "\n".join(
            f"  - {p.name}: looked for {' or '.join(c.name for c in p.looked_for)}" for p in missing
        )
        used = {p.path.resolve() for p in plans if p.path is not None}
        unused = sorted(
            f.name
            for f in data_dir.iterdir()
            if f.suffix.lower() in FORMATS and f.resolve() not in used
        )
        if unused:  # a misnamed extract is the commonest cause
            looked += f"\nFiles in the folder that no source uses: {', '.join(unused)}"
        raise SourceError(
            f"Required source(s) missing from {data_dir}:\n{looked}",
            hint="Put the extract(s) in that folder under one of those names, or name the "
            "file in the profile (sources.<source>.file). To run without a source, "
            "set sources.<source>.required: false in the profile.",
        )
    return plans


def _refuse_links(path: Path, source: str, data_dir: Path) -> None:
    """Stop, without opening it, on a source file that is a link or leads outside the
    data folder.

    A link named like a source (``persons.csv -> /etc/passwd``) would make ingest read a
    file nobody meant to give it, and copy its lines into error messages and quarantine
    files. Only the link itself is looked at (its target's name, never its content).
    """
    if path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:
            target = "somewhere that cannot be read"
        raise SourceError(
            f"{path} is a symbolic link (to {target}), not a file, so it was not read as "
            f"the {source} extract: links are refused so that ingest never reads a file "
            "outside the data folder.",
            hint=f"Copy the extract itself into {data_dir} under that name, in place of the link.",
        )
    resolved, folder = path.resolve(), data_dir.resolve()
    if resolved != folder and folder not in resolved.parents:
        raise SourceError(
            f"{path} leads to {resolved}, outside the data folder {folder} (through a linked "
            f"folder), so it was not read as the {source} extract.",
            hint=f"Copy the extract itself into {data_dir}, and name it relative to that "
            f"folder in sources.{source}.file if the profile names it.",
        )


def _inside_data_folder(file: str, source: str, data_dir: Path) -> Path:
    """The profile's file name for a source, refused if it points outside the data folder.

    A profile is configuration that may be copied from another area or shared; it must not
    be able to make ingest read (and copy into quarantine files) something like
    ``/etc/passwd`` or a file beside another area's data. The check is on the name as
    written, read both with ``/`` and with Windows ``\\`` separators, because a profile
    written on Windows is as likely as one written anywhere else. A name that passes may
    still reach a link; :func:`_refuse_links` stops that before the file is opened.

    A name that passes is read the Windows way on every platform, so that
    ``Extracts\\EHC plans.xlsx`` finds the same file on a council laptop and on Linux: a
    backslash in a profile's file name is always a separator, never part of a name.
    """
    for pure, normpath in ((PurePosixPath, posixpath.normpath), (PureWindowsPath, ntpath.normpath)):
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
    return Path(PureWindowsPath(file).as_posix())


def _extract_date(data_dir: Path, given: dt.date | str | None) -> tuple[dt.date, str]:
    if given is not None:
        return _as_date(given, "--extract-date"), "as given (--extract-date)"
    path = data_dir / EXTRACT_FILE
    if path.is_symlink():
        raise SourceError(
            f"{path} is a symbolic link, not a file, so it was not read.",
            hint="Put the file itself in the data folder, or pass --extract-date.",
        )
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
        raise SourceError(
            f"The extract date {value!r} in {where} is not a date.",
            hint="Write it as YYYY-MM-DD, e.g. 2019-03-31.",
        ) from None


# --- fingerprint and cache ---------------------------------------------------------------


def compute_fingerprint(
    plans: list[SourcePlan], profile: Profile, extract_date: dt.date, memo: HashMemo | None = None
) -> tuple[str, dict[str, str]]:
    """SHA-256 over every input file (name and content hash), the profile, the extract
    date, the suite version, the contracts and the code that stages data (core, metadata
    and ingest: :data:`sendready.core.fingerprints.INGEST_CODE`).

    Returns:
        The fingerprint, and each input file's SHA-256 by absolute path (for the manifest,
        so that no file is read twice in one run).
    """
    memo = memo or HashMemo(None)
    hashes: dict[str, str] = {}
    h = hashlib.sha256()
    for part in (
        f"sendready {__version__}",
        contracts_version(),
        code_fingerprint(*INGEST_CODE),
        profile.model_dump_json(),
        extract_date.isoformat(),
    ):
        h.update(part.encode("utf-8") + b"\0")
    for plan in sorted(plans, key=lambda p: p.name):
        h.update(plan.name.encode("utf-8") + b"\0")
        if plan.path is None:
            h.update(b"<not supplied>\0")
            continue
        h.update(plan.path.name.encode("utf-8") + b"\0")
        try:
            digest = memo.sha256(plan.path)
        except OSError as exc:
            raise SourceError(
                f"{plan.path} cannot be opened ({exc.strerror}).",
                hint="Close the file if it is open in Excel (Windows locks "
                "open workbooks), or check you may read it.",
            ) from None
        hashes[str(plan.path.resolve())] = digest
        h.update(digest.encode("ascii") + b"\0")
    return h.hexdigest(), hashes


def contracts_version() -> str:
    """A hash of every contract's definition, so changing a contract invalidates caches."""
    text = repr(sorted(CONTRACTS.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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


def result_from_summary(summary: dict, cached: bool, out_dir: Path) -> IngestResult:
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
    return IngestResult(
        ok=not problems,
        cached=cached,
        fingerprint=summary["fingerprint"],
        out_dir=out_dir,
        summary=summary,
        problems=problems,
        warnings=warnings,
    )
