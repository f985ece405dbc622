"""``sendready run``: sample (if needed), ingest once, evidence once, reports in parallel.

Writes, for each period end, two folders (:mod:`sendready.publish.paths`):

* the shareable board pack, ``<outputs>/<profile id>/board-pack/<period end>/``:
  ``index.html``, one HTML report per weakness, the board summary and data-quality
  reports, ``pack.html`` when asked for, and a ``manifest.json`` that names no restricted
  file (no paths, no error text) but gives the SHA-256 of every file exported;
* the restricted analyst area, ``<outputs>/<profile id>/restricted/<period end>/``: the
  evidence tables and caches, the executed notebooks, ``run.log`` and the full manifest.

Re-runs: every report has a key, a hash of everything it depends on (staged data, profile,
period, notebook, parameters and the suite's own code). A report whose key matches a
successful report of the previous run is reused, but only if its HTML is still exactly
what that run exported (the manifest's SHA-256); a page that is missing or was altered is
rebuilt, and the run says so in its progress and its manifest. When every report and the
index can be reused the period is not touched at all. ``force`` redoes everything, ingest
included.

A folder the run cannot write (read-only, or a file where a folder should be) is a
user-fixable error naming the folder (exit status 2), found before any work is done.

An unchanged re-run is meant to take well under a second at any scale, so that path
imports nothing heavy (pandas, scipy, matplotlib and nbconvert are imported only when a
report has to run) and reads no extract whose size and modification time are unchanged
(:mod:`sendready.core.fingerprints`). ``test_pipeline`` checks both in a fresh process.

During a batch every notebook reads the staged data the batch ingested, pinned by its
fingerprint, and never re-checks the extracts itself: an extract replaced mid-run cannot
make one pack mix two extracts (:func:`sendready.ingest.plan.pinned_staged`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sendready import __version__
from sendready.core.dates import iso_date, latest_quarter_end, long_date
from sendready.core.errors import SendreadyError
from sendready.core.fingerprints import WHOLE_PACKAGE, code_fingerprint, file_sha256
from sendready.ingest.plan import IngestPlan, IngestResult, plan_ingest
from sendready.ingest.run import ingest_from_plan
from sendready.metadata.profile import Profile, builtin_profiles, load_profile, resolve_profile_path
from sendready.publish.batch import (
    BOARD_SUMMARY,
    DATA_QUALITY,
    WEAKNESS_REPORT,
    JobResult,
    NotebookJob,
    find_notebook_dir,
    jobs_as_records,
    run_jobs,
    run_key,
    skip_unused_iri_checks,
    today_label,
)
from sendready.publish.kernel import KERNEL_NAME
from sendready.publish.paths import (
    INDEX_FILE,
    MANIFEST,
    PACK_FILE,
    RUN_LOG,
    PeriodPaths,
    default_data_dir,
    ensure_restricted,
    ensure_sample,
    old_layout_folders,
    period_paths,
    previous_verdicts,
    project_root,
    staged_dir,
    writable_dir,
)

log = logging.getLogger("sendready.publish.pipeline")
# Progress lines go to the terminal through ``progress`` and to run.log through this
# logger, which does not propagate (so they are not printed twice).
_runlog = logging.getLogger("sendready.runlog")
_runlog.propagate = False

PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "nbclient",
    "nbformat",
    "ipykernel",
    "jupyter_client",
    "pyzmq",
    "pandera",
    "pyarrow",
    "pydantic",
    "jinja2",
    "jupyterlab",
)
__all__ = ["MANIFEST", "PACK_FILE", "RUN_LOG", "PeriodOutcome", "plan_jobs", "run_pack"]
_SUITE_NOTEBOOKS = (BOARD_SUMMARY, WEAKNESS_REPORT, DATA_QUALITY)


@dataclass
class PeriodOutcome:
    period_end: str
    folder: Path  # the shareable board pack
    reused: bool
    results: list[JobResult] = field(default_factory=list)
    restricted: Path | None = None  # the period's restricted analyst folder
    # exported file name -> "missing" or "altered": found so on this run, and rebuilt
    rebuilt: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status != "ok"]


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "sendready": __version__}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def input_files(ingest: IngestResult, plan: IngestPlan) -> list[dict]:
    """Every input file with its size and SHA-256, for the manifest.

    The hashes are the ones the ingest fingerprint was built from, so no file is read twice.
    """
    files = []
    for name, src in ingest.summary.get("sources", {}).items():
        if not src.get("file"):
            files.append({"source": name, "file": None, "status": src.get("status")})
            continue
        path = Path(src["file"])
        path = (path if path.is_absolute() else plan.data_dir / path).resolve()
        digest = plan.file_hashes.get(str(path)) or plan.memo.sha256(path)
        files.append(
            {
                "source": name,
                "file": src["file"],
                "status": src.get("status"),
                "bytes": path.stat().st_size,
                "sha256": digest,
            }
        )
    extract = plan.data_dir / "extract.json"
    if extract.is_file():
        files.append(
            {
                "source": "extract.json",
                "file": "extract.json",
                "status": "read",
                "bytes": extract.stat().st_size,
                "sha256": plan.memo.sha256(extract),
            }
        )
        plan.memo.save()
    return files


def _notebook_path(notebook_dir: Path, name: str) -> Path:
    """A profile's ``notebook`` entry: a name in the notebooks folder (with or without
    ``.ipynb``), or a path."""
    path = Path(name)
    if path.suffix != ".ipynb":
        path = path.with_name(path.name + ".ipynb")
    return path if path.is_absolute() else notebook_dir / path


def plan_jobs(  # noqa: PLR0913 -- public; the bench and tests call it positionally
    profile: Profile,
    profile_ref: str,
    data_dir: Path,
    outputs: Path,
    period_end: str,
    folders: PeriodPaths,
    notebook_dir: Path,
    provenance: list,
    cell_timeout: int,
    notebook_timeout: int,
    staged_fingerprint: str = "",
) -> list[NotebookJob]:
    """One job per weakness report, plus the board summary and the data-quality report.

    ``staged_fingerprint`` pins every notebook to the data the batch staged (see
    :func:`sendready.ingest.plan.pinned_staged`); empty leaves each notebook to check the
    extracts itself, as an analyst's run does. Executed notebooks go to the restricted
    folder of ``folders``, HTML reports to its board pack.
    """
    period_label = f"Quarter to {long_date(period_end)}"
    common = {
        "profile": profile_ref,
        "data_dir": str(data_dir),
        "period_end": period_end,
        "outputs_dir": str(outputs),
    }
    if staged_fingerprint:
        common["staged_fingerprint"] = staged_fingerprint
    specs = [("board_summary", BOARD_SUMMARY, "Board summary", {})]
    for weakness in profile.weaknesses:
        name = weakness.notebook or WEAKNESS_REPORT
        specs.append(
            (weakness.id, name, f"{weakness.id}: {weakness.title}", {"weakness_id": weakness.id})
        )
    specs.append(("data_quality", DATA_QUALITY, "Data quality", {}))
    suite_notebooks = {(notebook_dir / f"{n}.ipynb").resolve() for n in _SUITE_NOTEBOOKS}
    jobs = []
    for key, name, title, extra in specs:
        notebook = _notebook_path(notebook_dir, name)
        if not notebook.is_file():
            raise SendreadyError(
                f"The notebook {notebook} is missing.",
                hint="Run from a full checkout of sendready, or fix the "
                "profile's `notebook` entry.",
            )
        jobs.append(
            NotebookJob(
                key=key,
                notebook=str(notebook),
                title=f"{title} ({profile.area.name})",
                parameters={**common, **extra},
                executed_path=str(folders.executed / f"{key}.ipynb"),
                html_path=str(folders.pack / f"{key}.html"),
                period_label=period_label,
                area=profile.area.name,
                provenance=provenance,
                cell_timeout=cell_timeout,
                notebook_timeout=notebook_timeout,
                kernel_name=KERNEL_NAME,
                shared_kernel=notebook.resolve() in suite_notebooks,
            )
        )
    return jobs


def _provenance(profile: Profile, period_end: str, fingerprint: str, run_date: str) -> list:
    return [
        ("Area profile", profile.id),
        ("Period", f"Quarter to {long_date(period_end)}"),
        ("Data fingerprint", fingerprint[:16]),
        ("sendready version", __version__),
        ("Produced", run_date),
    ]


@dataclass(frozen=True)
class _RunContext:
    """What every period of one :func:`run_pack` call shares: the options and the inputs."""

    profile: Profile
    profile_ref: str  # as the notebooks need it: see _notebook_profile_ref
    data_dir: Path
    outputs: Path
    ingest: IngestResult
    notebook_dir: Path
    jobs: int
    force: bool
    single_file: bool
    cell_timeout: int
    notebook_timeout: int
    progress: Callable[[str], object]
    files: list[dict]  # input files with sizes and hashes, for the manifest
    notebooks: dict[str, str]  # notebook file name -> SHA-256
    code: str  # fingerprint of the suite's own code
    pdf: bool = False  # also print the board paper (board-paper.pdf)


@dataclass(frozen=True)
class _PeriodPlan:
    """One period's jobs, the key of the whole run and what the previous run left."""

    period_end: str
    paths: PeriodPaths
    parameters: dict  # the run configuration, as logged and written to the manifest
    provenance: list
    run_date: str
    planned: list[NotebookJob]
    key: str
    previous: dict | None
    reused: dict[str, JobResult]  # job key -> the previous run's result, where reusable
    rebuilt: dict[str, str]  # exported file -> "missing" or "altered" since the last run

    def unchanged(self, single_file: bool) -> bool:
        """The previous run had this key, succeeded, and every page it exported is still
        there, byte for byte (SHA-256)."""
        exported = (self.previous or {}).get("exported", {})
        pages = [INDEX_FILE, *([PACK_FILE] if single_file else [])]
        outputs_there = all(p in exported and p not in self.rebuilt for p in pages)
        return bool(
            self.previous
            and self.previous.get("run_key") == self.key
            and self.previous.get("status") == "ok"
            and len(self.reused) == len(self.planned)
            and outputs_there
        )


def _notebook_profile_ref(profile_ref: str) -> str:
    """Notebooks run in their own folder: a relative YAML path must become absolute."""
    if str(profile_ref) in builtin_profiles():
        return str(profile_ref)
    return str(resolve_profile_path(profile_ref).resolve())


def run_pack(  # noqa: PLR0913 -- public; the CLI and tests pass these by keyword
    profile_ref: str,
    data_dir: Path | None,
    period_ends: list[str],
    outputs: Path,
    jobs: int = 2,
    force: bool = False,
    single_file: bool = False,
    cell_timeout: int = 600,
    notebook_timeout: int = 1800,
    notebook_dir: Path | None = None,
    progress=print,
    pdf: bool = False,
) -> list[PeriodOutcome]:
    """Run the whole board pack for each period end (see module docstring).

    Args:
        profile_ref: Built-in profile id or path to a YAML profile.
        data_dir: Folder of raw extracts; None for the sample area (generated if missing).
        period_ends: ISO dates; empty for the last quarter end before the extract date.
        outputs: Root of everything a run writes.
        jobs: Notebooks run at once.
        force: Redo ingest, evidence and every report even if nothing changed.
        single_file: Also write ``pack.html``, the whole pack in one file for email.
        pdf: Also print the board paper, ``board-paper.pdf`` (needs Chromium).
        cell_timeout: Seconds any one cell may run.
        notebook_timeout: Seconds a whole notebook may run.
        notebook_dir: Folder of the report notebooks (default: the project's).
        progress: Called with each line of progress for the terminal.
    """
    skip_unused_iri_checks()  # before boardpack imports nbformat: 1.3 s less per run
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    profile = load_profile(profile_ref)
    nb_profile_ref = _notebook_profile_ref(profile_ref)
    notebook_dir = (notebook_dir or find_notebook_dir()).resolve()
    outputs = Path(outputs).resolve()
    if data_dir is None:
        data_dir = default_data_dir(project_root())
        t = time.perf_counter()
        if not (data_dir / "extract.json").exists():
            progress(f"No data folder given: writing the sample area to {data_dir}")
        ensure_sample(data_dir)
        timings["sample"] = time.perf_counter() - t
    data_dir = Path(data_dir).resolve()
    ensure_restricted(outputs, profile)  # writable, with its README, before anything
    for old in old_layout_folders(outputs, profile):
        progress(
            f"Warning: {old} was written by an older sendready, which kept restricted "
            "files beside the board pack; do not share it, and delete it once you no "
            "longer need it."
        )
    t = time.perf_counter()
    # The plan and reuse check need no pandas: an unchanged re-run never imports it.
    plan = plan_ingest(profile, data_dir, staged_dir(outputs, profile), force=force)
    ingest = ingest_from_plan(plan, force=force)
    timings["ingest"] = time.perf_counter() - t
    progress(
        ingest.describe()
        if not ingest.cached
        else f"Ingest: inputs unchanged, reusing {ingest.out_dir}"
    )
    if not ingest.ok:
        raise SendreadyError(
            "Ingest did not complete, so no reports were run.",
            hint="Fix the problems listed above and run again.",
        )
    if not period_ends:
        extract = dt.date.fromisoformat(ingest.summary["extract_date"])
        period_ends = [latest_quarter_end(extract).isoformat()]
        progress(
            f"No period end given: using {period_ends[0]}, the last quarter end before "
            "the extract date."
        )
    # Earliest first, so that each pack can say what changed since the one before it.
    period_ends = sorted({iso_date(p).isoformat() for p in period_ends})
    t = time.perf_counter()
    context = _RunContext(
        profile=profile,
        profile_ref=nb_profile_ref,
        data_dir=data_dir,
        outputs=outputs,
        ingest=ingest,
        notebook_dir=notebook_dir,
        jobs=jobs,
        force=force,
        single_file=single_file,
        cell_timeout=cell_timeout,
        notebook_timeout=notebook_timeout,
        progress=progress,
        files=input_files(ingest, plan),
        notebooks={p.name: file_sha256(p) for p in sorted(notebook_dir.glob("*.ipynb"))},
        code=code_fingerprint(*WHOLE_PACKAGE),
        pdf=pdf,
    )
    timings["fingerprints"] = time.perf_counter() - t
    return [_run_period(context, period_end, dict(timings), t0) for period_end in period_ends]


def _job_key(base: dict, job: NotebookJob) -> str:
    return run_key(
        {
            "base": base,
            "notebook": file_sha256(Path(job.notebook)),
            "parameters": job.parameters,
            "title": job.title,
            "key": job.key,
            "kernel": job.kernel_name,
        }
    )


def _changed_exports(previous: dict | None, pack: Path) -> dict[str, str]:
    """Every file the previous run exported that is no longer there ("missing") or no
    longer what it exported ("altered": its SHA-256 differs from the manifest's)."""
    changed = {}
    for name, digest in ((previous or {}).get("exported") or {}).items():
        path = pack / Path(name).name
        if not path.is_file():
            changed[name] = "missing"
        elif file_sha256(path) != digest:
            changed[name] = "altered"
    return changed


def _reusable(
    previous: dict | None, job: NotebookJob, paths: PeriodPaths, changed: dict[str, str]
) -> JobResult | None:
    """The previous run's result for this job, if it succeeded with the same key and its
    page is still exactly what it exported (``changed`` is :func:`_changed_exports`)."""
    if not previous:
        return None
    exported = previous.get("exported") or {}
    for rec in previous.get("notebooks", []):
        html = Path(rec.get("html", "")).name
        if (
            rec.get("key") == job.key
            and rec.get("job_key") == job.job_key
            and rec.get("status") == "ok"
            and html in exported
            and html not in changed
            and (paths.restricted / rec.get("executed", "")).is_file()
        ):
            fields = set(JobResult.__dataclass_fields__)
            result = JobResult(**{k: v for k, v in rec.items() if k in fields})
            result.html = str(paths.pack / html)
            result.executed = str(paths.restricted / rec["executed"])
            result.notebook, result.reused = job.notebook, True
            return result
    return None


@contextmanager
def _period_log(log_path: Path) -> Iterator[None]:
    """Send the suite's log and the progress lines to the period's run.log meanwhile."""
    handler = logging.FileHandler(log_path, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for logger in (logging.getLogger("sendready"), _runlog):
        logger.addHandler(handler)
    _runlog.setLevel(logging.INFO)
    try:
        yield
    finally:
        for logger in (logging.getLogger("sendready"), _runlog):
            logger.removeHandler(handler)
        handler.close()


def _period_parameters(ctx: _RunContext, period_end: str) -> dict:
    return {
        "profile": ctx.profile_ref,
        "profile_id": ctx.profile.id,
        "data_dir": str(ctx.data_dir),
        "period_end": period_end,
        "outputs": str(ctx.outputs),
        "jobs": ctx.jobs,
        "force": ctx.force,
        "single_file": ctx.single_file,
        "cell_timeout": ctx.cell_timeout,
        "notebook_timeout": ctx.notebook_timeout,
        "kernel": KERNEL_NAME,
        "notebook_dir": str(ctx.notebook_dir),
    }


def _plan_period(
    ctx: _RunContext, period_end: str, paths: PeriodPaths, previous: dict | None
) -> _PeriodPlan:
    """Plan the period's jobs, key each one and the whole run, and find what is reusable."""
    profile, ingest = ctx.profile, ctx.ingest
    base = {
        "ingest": ingest.fingerprint,
        "profile": profile.model_dump_json(),
        "period_end": period_end,
        "version": __version__,
        "code": ctx.code,
    }
    run_date = today_label()
    provenance = _provenance(profile, period_end, ingest.fingerprint, run_date)
    planned = plan_jobs(
        profile,
        ctx.profile_ref,
        ctx.data_dir,
        ctx.outputs,
        period_end,
        paths,
        ctx.notebook_dir,
        provenance,
        ctx.cell_timeout,
        ctx.notebook_timeout,
        staged_fingerprint=ingest.fingerprint,
    )
    for job in planned:
        job.job_key = _job_key(base, job)
    earlier = previous_verdicts(paths.restricted)
    key = run_key(
        {
            "base": base,
            "jobs": [j.job_key for j in planned],
            "previous_pack": earlier,
            "single_file": ctx.single_file,
            "pdf": ctx.pdf,
        }
    )
    changed = _changed_exports(previous, paths.pack)
    reused = {
        job.key: r for job in planned if (r := _reusable(previous, job, paths, changed)) is not None
    }
    return _PeriodPlan(
        period_end=period_end,
        paths=paths,
        parameters=_period_parameters(ctx, period_end),
        provenance=provenance,
        run_date=run_date,
        planned=planned,
        key=key,
        previous=previous,
        reused=reused,
        rebuilt=changed,
    )


_CHANGE_WORDS = {
    "missing": "is missing (the last run exported it)",
    "altered": "was altered since the last run (its SHA-256 no longer matches the manifest)",
}


def _run_period(ctx: _RunContext, period_end: str, timings: dict, t0: float) -> PeriodOutcome:
    period_end = iso_date(period_end).isoformat()
    paths = period_paths(ctx.outputs, ctx.profile, period_end)
    writable_dir(paths.restricted)
    writable_dir(paths.pack)
    previous = None if ctx.force else _read_manifest(paths.manifest)
    with _period_log(paths.run_log):
        period = _plan_period(ctx, period_end, paths, previous)
        if period.unchanged(ctx.single_file):
            _say(ctx, f"{period_end}: inputs and parameters unchanged, reusing {paths.pack}")
            return PeriodOutcome(
                period_end,
                paths.pack,
                reused=True,
                results=[period.reused[j.key] for j in period.planned],
                restricted=paths.restricted,
            )
        for name, reason in sorted(period.rebuilt.items()):
            _say(
                ctx,
                f"{period_end}: {name} {_CHANGE_WORDS[reason]}: rebuilding it",
            )
        return _run_changed_period(ctx, period, timings, t0)


def _say(ctx: _RunContext, line: str) -> None:
    """A progress line, to the terminal and to run.log."""
    ctx.progress(line)
    _runlog.info(line)


def _run_changed_period(
    ctx: _RunContext, period: _PeriodPlan, timings: dict, t0: float
) -> PeriodOutcome:
    """Build the evidence, run the notebooks not reused, and write the index and manifest."""
    # Work to do: only now pay for pandas, the indicators, matplotlib and nbconvert.
    from sendready.publish.evidence_cache import evidence_is_current, load_or_build_evidence

    paths, period_end, reused = period.paths, period.period_end, period.reused
    log_path = paths.run_log
    if not period.previous:  # a fresh start (or --force): the log describes this run only
        log_path.write_text("", encoding="utf-8")
    _runlog.info("run configuration: %s", json.dumps(period.parameters))
    _runlog.info("ingest:\n%s", ctx.ingest.describe())
    if ctx.force:  # the evidence cache is keyed on its inputs; force ignores it
        (paths.evidence / "evidence.key").unlink(missing_ok=True)
    t = time.perf_counter()
    current = evidence_is_current(ctx.profile, ctx.ingest, period_end, paths.restricted)
    evidence = load_or_build_evidence(ctx.profile, ctx.ingest, period_end, paths.restricted)
    timings["evidence"] = time.perf_counter() - t
    _say(
        ctx,
        f"{period_end}: evidence "
        + ("unchanged, reused" if current else f"computed in {timings['evidence']:.1f} s"),
    )
    to_run = [job for job in period.planned if job.key not in reused]
    stale = [Path(job.html_path) for job in to_run]
    for path in [*stale, paths.pack / INDEX_FILE, paths.pack / PACK_FILE]:
        path.unlink(missing_ok=True)  # a failed report must not keep last run's page
    note = f" ({len(reused)} unchanged, reused)" if reused else ""
    _say(ctx, f"{period_end}: running {len(to_run)} notebooks with {ctx.jobs} workers{note}")
    t = time.perf_counter()
    ran = run_jobs(to_run, ctx.jobs, lambda line: _say(ctx, line), log_path=log_path)
    timings["notebooks"] = time.perf_counter() - t
    by_key = {**reused, **{r.key: r for r in ran}}
    results = [by_key[job.key] for job in period.planned]

    t = time.perf_counter()
    _write_index(ctx, period, evidence, by_key, results)
    timings["index"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    outcome = PeriodOutcome(
        period_end,
        paths.pack,
        reused=False,
        results=results,
        restricted=paths.restricted,
        rebuilt=dict(period.rebuilt),
    )
    _write_manifests(period, ctx, timings, results, evidence)
    for failed in outcome.failed:
        _runlog.error("%s failed: %s", failed.title, failed.error)
    _say(
        ctx,
        f"{period_end}: {len(results) - len(outcome.failed)} of {len(results)} reports "
        f"ok in {timings['total']:.0f} s; log {log_path}",
    )
    return outcome


def _write_index(
    ctx: _RunContext,
    period: _PeriodPlan,
    evidence,
    by_key: dict[str, JobResult],
    results: list[JobResult],
) -> None:
    """index.html and, when asked for, the single-file pack."""
    from sendready.publish.boardpack import build_index, single_file_pack

    paths = period.paths
    index_html = build_index(evidence, by_key, paths.restricted, period.provenance, period.run_date)
    (paths.pack / INDEX_FILE).write_text(index_html, encoding="utf-8")
    if ctx.single_file:
        reports = [(r.key, Path(r.html)) for r in results if r.status == "ok"]
        pack = single_file_pack(index_html, reports)
        (paths.pack / PACK_FILE).write_text(pack, encoding="utf-8")
    _write_board_paper(ctx, period, evidence)


def _write_board_paper(ctx: _RunContext, period: _PeriodPlan, evidence) -> None:
    """board-paper.pdf when asked for; an earlier run's paper is removed, never left stale."""
    from sendready.publish.boardpaper import PDF_FILE, write_board_paper

    target = period.paths.pack / PDF_FILE
    if not ctx.pdf:
        target.unlink(missing_ok=True)
        return
    write_board_paper(
        evidence, period.paths.restricted, period.paths.pack, period.provenance, period.run_date
    )


def _read_manifest(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _relative(path: str, folder: Path) -> str:
    if not path:
        return ""
    try:
        return Path(path).relative_to(folder).as_posix()
    except ValueError:
        return path


def _exported(paths: PeriodPaths, results: list[JobResult], single_file: bool) -> dict:
    """File name -> SHA-256 of every page this run leaves in the board pack."""
    names = [Path(r.html).name for r in results if r.status == "ok" and r.html]
    names += [INDEX_FILE, *([PACK_FILE] if single_file else [])]
    names += [n for n in ("board-paper.pdf",) if (paths.pack / n).is_file()]
    return {name: file_sha256(paths.pack / name) for name in names}


def _write_json(path: Path, content: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(content, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)


def _write_manifests(
    period: _PeriodPlan,
    ctx: _RunContext,
    timings: dict,
    results: list[JobResult],
    evidence,
) -> None:
    """The full manifest (restricted) and the board pack's own (see :func:`_pack_manifest`)."""
    paths, ingest = period.paths, ctx.ingest
    profile_file = resolve_profile_path(ctx.profile_ref)
    exported = _exported(paths, results, ctx.single_file)
    records = []
    for rec in jobs_as_records(results):
        rec.pop("extra", None)
        rec["html"] = _relative(rec["html"], paths.pack)
        rec["executed"] = _relative(rec["executed"], paths.restricted)
        rec["html_sha256"] = exported.get(rec["html"], "")
        rec["rebuilt"] = period.rebuilt.get(rec["html"], "")
        for k in ("seconds", "execute_seconds", "export_seconds"):
            rec[k] = round(rec[k], 3)
        records.append(rec)
    manifest = {
        "run_key": period.key,
        "status": "ok" if all(r.status == "ok" for r in results) else "failed",
        "failed": [r.key for r in results if r.status != "ok"],
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "period_end": period.period_end,
        "folders": {"board_pack": str(paths.pack), "restricted": str(paths.restricted)},
        "parameters": period.parameters,
        "profile": {
            "id": ctx.profile.id,
            "file": str(profile_file),
            "sha256": file_sha256(profile_file),
        },
        "inputs": {
            "data_dir": str(ctx.data_dir),
            "fingerprint": ingest.fingerprint,
            "extract_date": ingest.summary.get("extract_date"),
            "files": ctx.files,
        },
        "notebooks_sha256": ctx.notebooks,
        "suite_code_sha256": ctx.code,
        "versions": package_versions(),
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        "notebooks": records,
        "verdicts": {wid: v.code for wid, v in evidence.verdicts.items()},
        "exported": exported,
        "rebuilt": dict(sorted(period.rebuilt.items())),
    }
    _write_json(paths.manifest, manifest)
    _write_json(paths.pack_manifest, _pack_manifest(manifest))


def _pack_manifest(full: dict) -> dict:
    """What the board pack's own manifest keeps of the full one: what was run, on which
    data (by fingerprint), with which versions, how each report went, and the SHA-256 of
    every page. No path, no file name of an extract, no restricted file, no error text
    (which may quote data): only the short reason the index shows for a failed report."""
    return {
        "run_key": full["run_key"],
        "status": full["status"],
        "created": full["created"],
        "profile": full["profile"]["id"],
        "period_end": full["period_end"],
        "data_fingerprint": full["inputs"]["fingerprint"],
        "extract_date": full["inputs"]["extract_date"],
        "suite_code_sha256": full["suite_code_sha256"],
        "versions": full["versions"],
        "reports": [
            {
                "key": r["key"],
                "title": r["title"],
                "status": r["status"],
                "page": r["html"] if r["status"] == "ok" else "",
                "reason": r["summary"] if r["status"] != "ok" else "",
                "reused": r["reused"],
                "rebuilt": r["rebuilt"],
            }
            for r in full["notebooks"]
        ],
        "verdicts": full["verdicts"],
        "files_sha256": full["exported"],
        "rebuilt": full["rebuilt"],
    }
