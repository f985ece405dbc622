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
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

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
    collect_jobs,
    find_notebook_dir,
    jobs_as_records,
    run_jobs,
    run_key,
    skip_unused_iri_checks,
    submit_jobs,
    today_label,
    worker_pool,
)
from sendready.publish.kernel import KERNEL_NAME
from sendready.publish.paths import (
    BOARD_PACK_DIR,
    INDEX_FILE,
    MANIFEST,
    PACK_FILE,
    RUN_LOG,
    PeriodPaths,
    building_folder,
    default_data_dir,
    ensure_restricted,
    ensure_sample,
    old_layout_folders,
    period_paths,
    previous_verdicts,
    profile_dir,
    project_root,
    restricted_dir,
    staged_dir,
    swap_in,
    writable_dir,
)
from sendready.publish.periods import (
    check_jobs,
    check_period_ends,
    parse_period_ends,
    quarters_to_queue,
)

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

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
FAILED_MANIFEST = "manifest.failed.json"  # a failed run that left the pack in place
WORKERS_LOG = "workers.log"  # a run of several quarters: its shared workers' output


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
    # The worker pool shared by the periods of a run of several quarters (none or one).
    pools: list = field(default_factory=list)
    # Report key -> seconds it took in the last quarter this run built (see _longest_first).
    seconds: dict = field(default_factory=dict)
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
    # The manifest of the pack in place, even under --force (which ignores it for reuse).
    previous_in_place: dict | None = None

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
    check_jobs(jobs)
    # Quarter ends, none in the future: checked before any work (the extract date next).
    wanted = check_period_ends(parse_period_ends(period_ends), None)
    timings: dict[str, float] = {}
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
    check_period_ends(wanted, plan.extract_date)  # before the extracts are read
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
    if wanted:
        period_ends = [d.isoformat() for d in wanted]  # earliest first: see _run_periods
    else:
        extract = dt.date.fromisoformat(ingest.summary["extract_date"])
        period_ends = [latest_quarter_end(extract).isoformat()]
        progress(
            f"No period end given: using {period_ends[0]}, the last quarter end before "
            "the extract date."
        )
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
    return _run_periods(context, period_ends, timings)


def _run_periods(ctx: _RunContext, period_ends: list[str], shared: dict) -> list[PeriodOutcome]:
    """Each period in turn, earliest first, so that each pack can say what changed since
    the pack of the quarter before it (which this run may just have built).

    The evidence of every period that has work to do is computed first, its indicator
    table once for all of them (:func:`sendready.publish.evidence_cache.prepare_evidence`).
    So every quarter's comparison with the one before is on disk before any notebook runs,
    and with several quarters to build their notebooks share one pool and are queued ahead
    of the quarter being finished (:func:`_run_overlapped`); a single quarter runs as it
    always has. Each period's line of progress gives its own time, not the time since the
    run began.
    """
    start = time.perf_counter()
    if len(period_ends) == 1:  # nothing to share: _run_period decides alone
        todo = period_ends
    else:
        todo = [end for end in period_ends if not _unchanged_on_disk(ctx, end)]
    if len(todo) > 1:
        from sendready.publish.evidence_cache import prepare_evidence

        t = time.perf_counter()
        folders = {}
        for end in todo:
            paths = period_paths(ctx.outputs, ctx.profile, end)
            writable_dir(paths.restricted)
            if ctx.force:
                (paths.evidence / "evidence.key").unlink(missing_ok=True)
            folders[end] = paths.restricted
        built = prepare_evidence(ctx.profile, ctx.ingest, folders, workers=ctx.jobs)
        shared["evidence_all_periods"] = time.perf_counter() - t
        _say(
            ctx,
            f"Evidence for {len(built)} of {len(todo)} quarters computed in "
            f"{shared['evidence_all_periods']:.1f} s (the indicator table once for all)",
        )
    with ExitStack() as stack:
        if len(todo) > 1:
            outcomes = _run_overlapped(ctx, period_ends, shared, stack)
        else:
            outcomes = [_run_period(ctx, end, dict(shared)) for end in period_ends]
        ctx.pools.clear()
    _update_history(ctx, outcomes)
    if len(period_ends) > 1:
        _say(
            ctx,
            f"{len(period_ends)} quarters in {time.perf_counter() - start:.0f} s "
            f"({len(todo)} built, {len(period_ends) - len(todo)} unchanged)",
        )
    return outcomes


def _run_overlapped(
    ctx: _RunContext, period_ends: list[str], shared: dict, stack: ExitStack
) -> list[PeriodOutcome]:
    """Several quarters with work to do on one pool of workers, the notebooks of the
    quarters after the one being finished queued ahead (:class:`_QuarterQueue`).

    ``stack`` outlives the run: the folders being built are removed last, after the
    workers have stopped, so that no late export can bring a removed folder back.
    """
    periods = [_open_period(ctx, end) for end in period_ends]
    builds = stack.enter_context(ExitStack())
    _start_workers(ctx, stack)
    return _QuarterQueue(ctx, stack, builds, periods).run(shared)


def _start_workers(ctx: _RunContext, stack: ExitStack) -> None:
    """Start the workers and their kernels once for every quarter of the run.

    When ``stack`` closes, the notebooks still queued are withdrawn (the run stopped on
    an error, or was interrupted) and the pool waits for the ones running only.
    """
    log_path = restricted_dir(ctx.outputs, ctx.profile) / WORKERS_LOG
    pool = worker_pool(ctx.jobs, log_path)
    stack.callback(pool.shutdown, wait=True, cancel_futures=True)
    ctx.pools[:] = [pool]
    _say(ctx, f"Notebook workers' own messages go to {log_path}")


@dataclass
class _Queued:
    """One quarter of an overlapped run: its plan and, once queued, its notebooks."""

    period: _PeriodPlan
    folder: ExitStack = field(default_factory=ExitStack)  # holds its building folder
    build: Path | None = None
    reused: dict[str, JobResult] = field(default_factory=dict)
    to_run: list[NotebookJob] = field(default_factory=list)
    futures: dict = field(default_factory=dict)  # future -> NotebookJob


def _broke(future) -> bool:
    """Whether the future ended because its pool broke (a worker was killed)."""
    from concurrent.futures.process import BrokenProcessPool

    return (
        future.done()
        and not future.cancelled()
        and isinstance(future.exception(), BrokenProcessPool)
    )


class _QuarterQueue:
    """The notebooks of several quarters on one pool, queued ahead, finished in order.

    Quarters run one after another in a sequential run, and at each boundary a worker
    sits idle while the quarter's last notebook runs, then both while the main process
    writes its index. Here the next quarters' notebooks are queued before the run waits
    for a quarter (:func:`sendready.publish.periods.quarters_to_queue`), each quarter's
    longest first; each quarter is still finished in order (index, manifests, swap-in,
    progress lines in its own run.log) as soon as its own notebooks are done, exactly as
    a run of that quarter alone would, so the packs are the same.

    A quarter's time runs from when the quarter before it was finished (the first's from
    when the workers started), so the quarters' times add up to the run's.
    """

    def __init__(
        self, ctx: _RunContext, stack: ExitStack, builds: ExitStack, periods: list[_PeriodPlan]
    ) -> None:
        self.ctx, self.stack, self.builds = ctx, stack, builds
        self.quarters = [_Queued(p) for p in periods]
        self.sizes = [self._size(p) for p in periods]
        self.queued = 0  # quarters queued so far, from the first
        self.mark = time.perf_counter()  # when the last quarter was finished
        self.pool_of: dict = {}  # future -> the pool it was queued on
        self.broken = None  # the pool that broke while a quarter's notebooks were collected

    def _size(self, period: _PeriodPlan) -> int:
        if period.unchanged(self.ctx.single_file):
            return 0
        return len(period.planned) - len(period.reused)

    def run(self, shared: dict) -> list[PeriodOutcome]:
        """Every quarter finished in turn, the ones after it queued ahead."""
        outcomes = []
        for index, quarter in enumerate(self.quarters):
            with _period_log(quarter.period.paths.run_log):
                outcomes.append(self._finish(index, dict(shared)))
            self.mark = time.perf_counter()
        return outcomes

    def _feed(self, index: int) -> None:
        """Before waiting for quarter ``index``: queue it and enough quarters after it."""
        self._recover(index)
        self._queue_through(quarters_to_queue(self.sizes, index, 2 * self.ctx.jobs))

    def _queue_through(self, end: int) -> None:
        """Queue the quarters up to ``end`` (not included) not queued yet: each gets its
        building folder, its reused pages and its notebooks on the pool."""
        for quarter in self.quarters[self.queued : end]:
            if not quarter.period.unchanged(self.ctx.single_file):
                self.builds.enter_context(quarter.folder)
                quarter.build = quarter.folder.enter_context(
                    building_folder(quarter.period.paths.pack)
                )
                quarter.reused, quarter.to_run = _copy_reused(quarter.period, quarter.build)
                quarter.futures = self._submit(_longest_first(self.ctx, quarter.to_run))
        self.queued = max(self.queued, end)

    def _submit(self, jobs: list[NotebookJob]) -> dict:
        """Queue jobs on the pool, on new workers if it has broken."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            futures = submit_jobs(self.ctx.pools[0], jobs)
        except BrokenProcessPool:
            self._new_workers()
            futures = submit_jobs(self.ctx.pools[0], jobs)
        self.pool_of.update(dict.fromkeys(futures, self.ctx.pools[0]))
        return futures

    def _new_workers(self) -> None:
        _say(self.ctx, "The shared notebook workers stopped; starting new ones")
        _start_workers(self.ctx, self.stack)

    def _recover(self, index: int) -> None:
        """After the pool broke, run again on new workers the notebooks of this quarter
        and the later ones that the break took down: a sequential run would not have
        started them yet. (The quarter that was being collected when it broke reports
        its unfinished notebooks as failed, as a sequential run does.)"""
        from concurrent.futures import wait

        queued = [f for q in self.quarters[index : self.queued] for f in q.futures]
        broken = self.broken or self._broken_pool(queued)
        if broken is None:
            return
        wait([f for f in queued if self.pool_of[f] is broken])  # a broken pool ends them all
        if self.ctx.pools[0] is broken:
            self._new_workers()
        for quarter in self.quarters[index : self.queued]:
            quarter.futures = self._requeued(quarter.futures)
        self.broken = None

    def _broken_pool(self, futures) -> ProcessPoolExecutor | None:
        """The pool that one of the futures ended with, broken; None if none did."""
        return next((self.pool_of[f] for f in futures if _broke(f)), None)

    def _requeued(self, futures: dict) -> dict:
        """The futures, those the break took down replaced by new ones, in the same order."""
        kept = {}
        for future, job in futures.items():
            kept.update(self._submit([job]) if _broke(future) else {future: job})
        return kept

    def _finish(self, index: int, timings: dict) -> PeriodOutcome:
        """Quarter ``index``'s outcome, once its notebooks are done (as :func:`_run_period`
        gives it); the quarters after it are queued first."""
        quarter = self.quarters[index]
        period = quarter.period
        if period.unchanged(self.ctx.single_file):
            self._feed(index)
            return _reused_period(self.ctx, period)
        _say_rebuilt(self.ctx, period)
        t0 = self.mark
        evidence = _period_evidence(self.ctx, period, timings)
        self._feed(index)  # after the log is started: it may say the workers stopped
        _say_running(self.ctx, period, len(quarter.to_run), len(quarter.reused))
        ran = collect_jobs(quarter.futures, partial(_say, self.ctx))
        self.broken = self._broken_pool(quarter.futures)
        timings["notebooks"] = time.perf_counter() - t0
        by_key = {**quarter.reused, **{r.key: r for r in ran}}
        results = _index_pack(self.ctx, period, evidence, quarter.build, by_key, timings)
        timings["total"] = time.perf_counter() - t0
        kept = _put_in_place(self.ctx, period, evidence, quarter.build, results, timings)
        quarter.folder.close()  # the pages are in place, or the pack in place was kept
        return _period_done(self.ctx, period, results, kept, timings)


def _update_history(ctx: _RunContext, outcomes: list[PeriodOutcome]) -> None:
    """Rewrite the profile's history page when a pack was built (or the page is missing).

    An unchanged re-run leaves it alone: rendering it would import the analysis libraries.
    """
    page = profile_dir(ctx.outputs, ctx.profile) / BOARD_PACK_DIR / INDEX_FILE
    if all(o.reused for o in outcomes) and page.is_file():
        return
    from sendready.publish.history import write_history

    _say(ctx, f"Every quarter's pack: {write_history(ctx.outputs, ctx.profile)}")


def _unchanged_on_disk(ctx: _RunContext, period_end: str) -> bool:
    """Whether the period's pack can be reused as it stands (nothing written, no pandas)."""
    if ctx.force:
        return False
    paths = period_paths(ctx.outputs, ctx.profile, period_end)
    previous = _read_manifest(paths.manifest)
    if previous is None:
        return False
    return _plan_period(ctx, period_end, paths, previous).unchanged(ctx.single_file)


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


def _run_period(ctx: _RunContext, period_end: str, timings: dict) -> PeriodOutcome:
    period = _open_period(ctx, period_end)
    with _period_log(period.paths.run_log):
        if period.unchanged(ctx.single_file):
            return _reused_period(ctx, period)
        _say_rebuilt(ctx, period)
        return _run_changed_period(ctx, period, timings)


def _open_period(ctx: _RunContext, period_end: str) -> _PeriodPlan:
    """The period's plan (:func:`_plan_period`), after checking that both its folders can
    be written, with the manifest of the pack in place (which ``force`` ignores for reuse)."""
    period_end = iso_date(period_end).isoformat()
    paths = period_paths(ctx.outputs, ctx.profile, period_end)
    writable_dir(paths.restricted)
    writable_dir(paths.pack)
    in_place = _read_manifest(paths.manifest)
    previous = None if ctx.force else in_place
    with _period_log(paths.run_log):
        period = _plan_period(ctx, period_end, paths, previous)
    return replace(period, previous_in_place=in_place)


def _reused_period(ctx: _RunContext, period: _PeriodPlan) -> PeriodOutcome:
    """The outcome of a period whose pack is reused as it stands (nothing is written)."""
    paths = period.paths
    _say(ctx, f"{period.period_end}: inputs and parameters unchanged, reusing {paths.pack}")
    return PeriodOutcome(
        period.period_end,
        paths.pack,
        reused=True,
        results=[period.reused[j.key] for j in period.planned],
        restricted=paths.restricted,
    )


def _say_rebuilt(ctx: _RunContext, period: _PeriodPlan) -> None:
    """One line for each page the last run exported that is gone or altered."""
    for name, reason in sorted(period.rebuilt.items()):
        _say(
            ctx,
            f"{period.period_end}: {name} {_CHANGE_WORDS[reason]}: rebuilding it",
        )


def _say(ctx: _RunContext, line: str) -> None:
    """A progress line, to the terminal and to run.log."""
    ctx.progress(line)
    _runlog.info(line)


def _run_changed_period(ctx: _RunContext, period: _PeriodPlan, timings: dict) -> PeriodOutcome:
    """Build the evidence, run the notebooks not reused, and write the index and manifest.

    The pack is built in a folder beside its destination and swapped in only when it is
    complete (:func:`sendready.publish.paths.swap_in`): an interrupted run, or one that
    fails where the pack in place succeeded, leaves that pack exactly as it was.
    """
    t0 = time.perf_counter()  # this period's own time (shared steps are timed apart)
    evidence = _period_evidence(ctx, period, timings)
    with building_folder(period.paths.pack) as build:
        results = _build_pack(ctx, period, evidence, build, timings)
        timings["total"] = time.perf_counter() - t0
        kept = _put_in_place(ctx, period, evidence, build, results, timings)
    return _period_done(ctx, period, results, kept, timings)


def _period_evidence(ctx: _RunContext, period: _PeriodPlan, timings: dict):
    """Start the period's log and load (or build) its evidence, saying which."""
    # Work to do: only now pay for pandas, the indicators, matplotlib and nbconvert.
    from sendready.publish.evidence_cache import evidence_is_current, load_or_build_evidence

    paths, period_end = period.paths, period.period_end
    if not period.previous:  # a fresh start (or --force): the log describes this run only
        paths.run_log.write_text("", encoding="utf-8")
    _runlog.info("run configuration: %s", json.dumps(period.parameters))
    _runlog.info("ingest:\n%s", ctx.ingest.describe())
    if ctx.force and "evidence_all_periods" not in timings:  # force ignores the cache
        (paths.evidence / "evidence.key").unlink(missing_ok=True)
    t = time.perf_counter()
    current = evidence_is_current(ctx.profile, ctx.ingest, period_end, paths.restricted)
    evidence = load_or_build_evidence(ctx.profile, ctx.ingest, period_end, paths.restricted)
    timings["evidence"] = time.perf_counter() - t
    _say(
        ctx,
        f"{period_end}: evidence "
        + ("ready" if current else f"computed in {timings['evidence']:.1f} s"),
    )
    return evidence


def _put_in_place(  # noqa: PLR0913 -- the parts of one manifest
    ctx: _RunContext,
    period: _PeriodPlan,
    evidence,
    build: Path,
    results: list[JobResult],
    timings: dict,
) -> bool:
    """Swap the built pack in with its manifests, unless a report failed and the pack in
    place is complete: that pack is then kept as it is. Returns whether it was kept."""
    paths = period.paths
    failed = [r for r in results if r.status != "ok"]
    built = replace(paths, pack=build)
    keep = bool(failed) and _complete_pack_in_place(period)
    if keep:
        _write_manifests(period, ctx, timings, results, evidence, built, failed_run=True)
    else:
        _write_pack_manifest(period, ctx, timings, results, evidence, built)
        swap_in(build, paths.pack)
        _write_manifests(period, ctx, timings, results, evidence, paths)
    return keep


def _period_done(
    ctx: _RunContext, period: _PeriodPlan, results: list[JobResult], kept: bool, timings: dict
) -> PeriodOutcome:
    """Log the failures, say how the period went, and give its outcome."""
    paths, period_end = period.paths, period.period_end
    failed = [r for r in results if r.status != "ok"]
    for result in failed:
        _runlog.error("%s failed: %s", result.title, result.error)
    if kept:
        _say(
            ctx,
            f"{period_end}: {len(failed)} reports failed, so the complete pack already in "
            f"{paths.pack} was kept as it was; details in {paths.run_log}",
        )
    _say(
        ctx,
        f"{period_end}: {len(results) - len(failed)} of {len(results)} reports "
        f"ok in {timings['total']:.0f} s; log {paths.run_log}",
    )
    return PeriodOutcome(
        period_end,
        paths.pack,
        reused=False,
        results=results,
        restricted=paths.restricted,
        rebuilt=dict(period.rebuilt),
    )


def _complete_pack_in_place(period: _PeriodPlan) -> bool:
    """Whether the pack in place is one a run finished with every report ok."""
    return bool(
        period.previous_in_place
        and period.previous_in_place.get("status") == "ok"
        and (period.paths.pack / INDEX_FILE).is_file()
    )


def _build_pack(
    ctx: _RunContext, period: _PeriodPlan, evidence, build: Path, timings: dict
) -> list[JobResult]:
    """Every page of the period's pack, in ``build``: reused pages copied from the pack in
    place, the other notebooks run and exported there, then the index."""
    reused, to_run = _copy_reused(period, build)
    _say_running(ctx, period, len(to_run), len(reused))
    t = time.perf_counter()
    ran = _run_notebooks(ctx, _longest_first(ctx, to_run), period.paths.run_log)
    timings["notebooks"] = time.perf_counter() - t
    return _index_pack(ctx, period, evidence, build, {**reused, **{r.key: r for r in ran}}, timings)


def _copy_reused(
    period: _PeriodPlan, build: Path
) -> tuple[dict[str, JobResult], list[NotebookJob]]:
    """Copy the reused pages into ``build``; return them and the jobs still to run, which
    export there too."""
    reused = {}
    for key, result in period.reused.items():
        page = build / Path(result.html).name
        shutil.copy2(result.html, page)
        reused[key] = replace(result, html=str(page))
    to_run = [
        replace(job, html_path=str(build / Path(job.html_path).name))
        for job in period.planned
        if job.key not in reused
    ]
    return reused, to_run


def _say_running(ctx: _RunContext, period: _PeriodPlan, running: int, reused: int) -> None:
    note = f" ({reused} unchanged, reused)" if reused else ""
    _say(
        ctx,
        f"{period.period_end}: running {running} notebooks with {ctx.jobs} workers{note}",
    )


def _index_pack(  # noqa: PLR0913 -- the parts of one pack
    ctx: _RunContext,
    period: _PeriodPlan,
    evidence,
    build: Path,
    by_key: dict[str, JobResult],
    timings: dict,
) -> list[JobResult]:
    """Write the index of the period's pack (``by_key``: every report's result, reused or
    run) and note the reports' times for the next quarter; the results in plan order."""
    ctx.seconds.update({k: r.seconds for k, r in by_key.items() if not r.reused})
    results = [by_key[job.key] for job in period.planned]
    t = time.perf_counter()
    _write_index(ctx, period, evidence, by_key, results, build)
    timings["index"] = time.perf_counter() - t
    return results


def _longest_first(ctx: _RunContext, jobs: list[NotebookJob]) -> list[NotebookJob]:
    """The jobs in the order to start them: longest first, by the time each report took
    in the quarter before (reports not timed yet first, in plan order).

    The workers then finish together: a long report started last would keep one worker
    busy while the other waits for the next quarter. Results come back in plan order
    whatever the order run.
    """
    return sorted(jobs, key=lambda job: -ctx.seconds.get(job.key, float("inf")))


def _run_notebooks(ctx: _RunContext, jobs: list[NotebookJob], log_path: Path) -> list[JobResult]:
    """Run the jobs on the run's shared worker pool if it has one, else on a pool of their
    own; a shared pool that broke (a worker killed) is dropped and the jobs run anew."""
    from concurrent.futures.process import BrokenProcessPool

    say = partial(_say, ctx)
    if ctx.pools:
        try:
            return run_jobs(jobs, ctx.jobs, say, pool=ctx.pools[0])
        except BrokenProcessPool:
            _say(ctx, "The shared notebook workers stopped; starting new ones for this quarter")
            ctx.pools.clear()
    return run_jobs(jobs, ctx.jobs, say, log_path=log_path)


def _write_index(
    ctx: _RunContext,
    period: _PeriodPlan,
    evidence,
    by_key: dict[str, JobResult],
    results: list[JobResult],
    pack: Path,
) -> None:
    """index.html and, when asked for, the single-file pack, in ``pack``."""
    from sendready.publish.boardpack import build_index, single_file_pack

    paths = period.paths
    index_html = build_index(
        evidence,
        by_key,
        paths.restricted,
        period.provenance,
        period.run_date,
        marked=_marked_table(ctx, period),
    )
    (pack / INDEX_FILE).write_text(index_html, encoding="utf-8")
    if ctx.single_file:
        reports = [(r.key, Path(r.html)) for r in results if r.status == "ok"]
        single = single_file_pack(index_html, reports)
        (pack / PACK_FILE).write_text(single, encoding="utf-8")
    if ctx.pdf:
        _write_board_paper(period, evidence, pack)


def _marked_table(ctx: _RunContext, period: _PeriodPlan):
    """The period's indicator table with suppression marked, as the narrator stored with
    its evidence holds it (None if there is none under the evidence's key)."""
    from sendready.publish.evidence_cache import evidence_key
    from sendready.reports.context import stored_narrator

    key = evidence_key(ctx.profile, ctx.ingest, period.period_end)
    narrator = stored_narrator(period.paths.restricted, key)
    return narrator.table if narrator is not None else None


def _write_board_paper(period: _PeriodPlan, evidence, pack: Path) -> None:
    """board-paper.pdf in ``pack``, the folder being built: the swap puts it in place with
    the pages it describes, and a pack built without it has none (never a stale one)."""
    from sendready.publish.boardpaper import write_board_paper

    write_board_paper(evidence, period.paths.restricted, pack, period.provenance, period.run_date)


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


def _write_pack_manifest(  # noqa: PLR0913 -- the parts of one manifest
    period: _PeriodPlan,
    ctx: _RunContext,
    timings: dict,
    results: list[JobResult],
    evidence,
    paths: PeriodPaths,
) -> None:
    """The board pack's own manifest (see :func:`_pack_manifest`), in ``paths.pack``."""
    full = _full_manifest(period, ctx, timings, results, evidence, paths)
    _write_json(paths.pack_manifest, _pack_manifest(full))


def _write_manifests(  # noqa: PLR0913 -- the parts of one manifest
    period: _PeriodPlan,
    ctx: _RunContext,
    timings: dict,
    results: list[JobResult],
    evidence,
    paths: PeriodPaths,
    failed_run: bool = False,
) -> None:
    """The full manifest (restricted) and the board pack's own.

    A failed run whose pack was not swapped in (``failed_run``) writes its full manifest
    as ``manifest.failed.json`` beside the one that describes the pack in place, which
    is left as it is, so that the next run still recognises that pack's pages.
    """
    full = _full_manifest(period, ctx, timings, results, evidence, paths)
    if failed_run:
        _write_json(period.paths.manifest.with_name(FAILED_MANIFEST), full)
        return
    _write_json(period.paths.manifest, full)
    _write_json(paths.pack_manifest, _pack_manifest(full))


def _full_manifest(  # noqa: PLR0913 -- the parts of one manifest
    period: _PeriodPlan,
    ctx: _RunContext,
    timings: dict,
    results: list[JobResult],
    evidence,
    paths: PeriodPaths,
) -> dict:
    """The full manifest: paths, parameters, inputs, versions, timings, every report."""
    ingest = ctx.ingest
    profile_file = resolve_profile_path(ctx.profile_ref)
    exported = _exported(paths, results, ctx.single_file)
    records = []
    for rec in jobs_as_records(results):
        rec.pop("extra", None)
        rec["html"] = Path(rec["html"]).name if rec["html"] else ""
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
        "folders": {
            "board_pack": str(period.paths.pack),
            "restricted": str(period.paths.restricted),
        },
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
    return manifest


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
