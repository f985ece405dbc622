"""Execute report notebooks in a pool of worker processes and export each to board HTML.

Each notebook runs through the papermill Python API (its command line costs about 1.4 s
more per call: docs/architecture.md, "Pitfalls the code works around") with the project's
kernel named explicitly, a per-cell time limit, a whole-notebook time limit and one retry
when the kernel fails to start.
papermill's working directory is process-wide, so notebooks run in processes, not
threads. A notebook that fails is reported, never exported, and never stops the others.

The same code runs on Linux, macOS and Windows, by construction rather than by branches:

* the per-cell limit is the notebook client's own (nbclient's ``timeout``); the
  whole-notebook limit is a watchdog thread that interrupts the kernel through its kernel
  manager and, if the kernel ignores that, kills it (no signals in this process);
* the worker pool is always started with ``spawn``, the only start method Windows has, so
  the tests here exercise what a Windows laptop runs;
* kernels talk to their worker over ``ipc`` (Unix sockets in a private folder) where zmq
  offers it, otherwise over ``tcp`` on the loopback address (Windows). Parallel starts
  over TCP occasionally collide on a port (the start is then retried once).
  ``SENDREADY_KERNEL_TRANSPORT=ipc`` or ``=tcp`` (or ``run_jobs(transport=...)``) forces
  one, so that both are tested on one machine.

Workers send their own and their kernels' stderr to the run's log file, so the terminal
shows progress lines only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

from sendready.core.pools import START_METHOD, pool_context  # noqa: F401 -- re-exported
from sendready.publish import kernelpool
from sendready.publish.kernel import KERNEL_NAME

log = logging.getLogger("sendready.publish.batch")

NOTEBOOK_DIR_NAME = "notebooks"
BOARD_SUMMARY = "00_board_summary"
WEAKNESS_REPORT = "10_weakness_report"
DATA_QUALITY = "90_data_quality"

# zmq's ipc endpoints are Unix socket paths, limited to about 107 bytes; leave room for
# the "-<n>" suffix jupyter_client appends.
_MAX_IPC_PREFIX = 90

TRANSPORT_ENV = "SENDREADY_KERNEL_TRANSPORT"
TRANSPORTS = ("ipc", "tcp")
LOOPBACK = "127.0.0.1"


class NotebookTimeout(Exception):
    """The whole notebook ran past its time limit."""


@dataclass
class NotebookJob:
    """One notebook execution and export."""

    key: str  # e.g. "W3" or "board_summary"; names the output files
    notebook: str  # source notebook path
    title: str  # page title and index link text
    parameters: dict
    executed_path: str
    html_path: str
    period_label: str
    area: str
    provenance: list[tuple[str, str]]
    cell_timeout: int = 600
    notebook_timeout: int = 1800
    # Seconds the kernel is given to stop after the whole-notebook limit interrupts it,
    # before it is killed (a cell may ignore or catch the interrupt).
    interrupt_grace: int = 10
    kernel_name: str = KERNEL_NAME
    job_key: str = ""  # hash of everything the outputs depend on (for re-use)
    # The suite's own notebooks share a worker's warm kernel; an area's bespoke notebook
    # gets a kernel of its own, so nothing it changes can reach the next report.
    shared_kernel: bool = True


@dataclass
class JobResult:
    key: str
    title: str
    status: str  # "ok" or "failed"
    seconds: float
    execute_seconds: float = 0.0
    export_seconds: float = 0.0
    attempts: int = 1
    error: str = ""  # full message, for the log and the manifest
    summary: str = ""  # short reason fit for the board index (no data values)
    html: str = ""
    executed: str = ""
    notebook: str = ""
    job_key: str = ""
    reused: bool = False
    extra: dict = field(default_factory=dict)


def find_notebook_dir(start: Path | None = None) -> Path:
    """The project's ``notebooks/`` folder: next to the working directory or above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / NOTEBOOK_DIR_NAME / f"{WEAKNESS_REPORT}.ipynb").exists():
            return folder / NOTEBOOK_DIR_NAME
    packaged = Path(__file__).resolve().parents[3] / NOTEBOOK_DIR_NAME
    return packaged


def skip_unused_iri_checks() -> None:
    """Keep jsonschema from compiling IRI grammars that nothing here uses.

    nbformat (imported by papermill, nbconvert and the exporter) imports jsonschema, whose
    format checkers import ``rfc3987_syntax`` when it is installed (JupyterLab's
    dependencies bring it in). That module compiles about 40 parsers on import: 1.3 s of
    CPU in every process, for the "iri" formats, which no notebook schema uses
    (jsonschema issue #1428). Marking it absent makes jsonschema skip those two checks.
    Called by the batch's own processes only, and only before jsonschema is imported.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


# --- worker side ---------------------------------------------------------------------

_EXPORTER = None
_TRANSPORT: str | None = None  # set by run_jobs in its workers; None: choose_transport()


def _worker_init(
    log_path: str | None = None, warm_kernels: bool = False, transport: str | None = None
) -> None:
    """Prepare a worker: route its output to the run log and build the exporter once.

    Kernels inherit the worker's stderr, so pointing file descriptors 1 and 2 at the log
    (opened for appending, which keeps lines from several processes whole) is what keeps
    their start-up and shutdown chatter off the user's terminal.
    """
    global _EXPORTER, _TRANSPORT
    skip_unused_iri_checks()
    _TRANSPORT = transport
    if log_path:
        sys.stdout.flush()
        sys.stderr.flush()
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        # sys.stderr may not be file descriptor 2 (a test runner replaces it): rebind both
        # so Python-level writes follow the descriptors into the log.
        sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)
        sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)
        # Handlers inherited from the parent (its terminal and its own handle on the log)
        # would print twice or to the terminal; one handler on the redirected stderr.
        for name in ("", "sendready"):
            for handler in list(logging.getLogger(name).handlers):
                logging.getLogger(name).removeHandler(handler)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s [worker %(process)d]: %(message)s"
            )
        )
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.INFO)
    # papermill logs every cell at INFO; the log needs its warnings only.
    logging.getLogger("papermill").setLevel(logging.WARNING)
    if warm_kernels:  # pool workers only (see sendready.publish.kernelpool)
        kernelpool.enable()
    from sendready.publish.export import build_exporter

    _EXPORTER = build_exporter()


def _exporter():
    if _EXPORTER is None:
        _worker_init()
    return _EXPORTER


class _Watchdog:
    """The whole-notebook time limit, without signals (Windows has no ``SIGALRM``).

    A thread waits until the deadline, then interrupts the kernel that is running the
    notebook through its kernel manager (jupyter_client sends SIGINT on POSIX and sets the
    kernel's interrupt event on Windows), and kills it if it is still running
    ``grace`` seconds later. The notebook client then sees the cell fail or the kernel die,
    and :func:`_execute` turns either into :class:`NotebookTimeout`.
    """

    def __init__(self, seconds: float, grace: float, label: str = "") -> None:
        self.label = label
        self.deadline = time.monotonic() + max(float(seconds), 0.1)
        self.grace = max(float(grace), 0.0)
        self.expired = False
        self._manager = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="notebook-watchdog", daemon=True)
        self._thread.start()

    def watch(self, manager) -> None:
        """The kernel manager whose kernel runs the notebook now (None between attempts)."""
        with self._lock:
            self._manager = manager

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        if self._stop.wait(max(self.deadline - time.monotonic(), 0)):
            return
        self.expired = True
        interrupted_at = None
        while not self._stop.is_set():
            with self._lock:
                manager = self._manager
            if manager is not None and manager.has_kernel:
                try:
                    if interrupted_at is None:
                        log.warning("%s: time limit reached: interrupting the kernel", self.label)
                        _run_here(manager.interrupt_kernel)
                        interrupted_at = time.monotonic()
                    elif time.monotonic() - interrupted_at >= self.grace:
                        log.warning("%s: the kernel ignored the interrupt: killing it", self.label)
                        _run_here(manager.provisioner.kill)
                        interrupted_at = float("inf")  # once
                except Exception as exc:  # the kernel went away meanwhile
                    log.debug("watchdog: %s", exc)
            self._stop.wait(0.2)


def _run_here(coroutine_function) -> None:
    """Run a kernel manager's coroutine on this (watchdog) thread's own event loop."""
    import asyncio

    result = coroutine_function()
    if asyncio.iscoroutine(result):
        asyncio.run(result)


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    markers = (
        "Kernel died before replying",
        "Address already in use",
        "kernel_info",
        "Kernel didn't respond",
        "ZMQError",
    )
    return any(m in text for m in markers)


def ipc_available() -> bool:
    """Whether kernels can use zmq's ``ipc`` transport here (Unix sockets: not Windows)."""
    if os.name == "nt":
        return False
    import zmq

    return bool(zmq.has("ipc"))


def choose_transport(requested: str | None = None) -> str:
    """The kernel transport: as requested, else ``$SENDREADY_KERNEL_TRANSPORT``, else the
    best one this machine offers (``ipc`` where available, otherwise ``tcp``).

    Raises:
        SendreadyError: An unknown transport, or ``ipc`` where zmq cannot use it.
    """
    from sendready.core.errors import SendreadyError

    choice = (requested or os.environ.get(TRANSPORT_ENV) or "auto").strip().lower()
    if choice == "auto":
        return "ipc" if ipc_available() else "tcp"
    if choice not in TRANSPORTS:
        raise SendreadyError(
            f"Unknown kernel transport {choice!r}.",
            hint=f"Use one of {', '.join(TRANSPORTS)} or auto (in {TRANSPORT_ENV}).",
        )
    if choice == "ipc" and not ipc_available():
        raise SendreadyError(
            "The ipc kernel transport is not available on this machine.",
            hint=f"Use tcp, or unset {TRANSPORT_ENV} to choose automatically.",
        )
    return choice


def _kernel_setup(transport: str) -> tuple[str | None, object]:
    """A kernel's transport settings: ``(its private socket folder or None, config)``.

    ``ipc`` gets a private folder per kernel, so two workers can never pick the same
    socket name (jupyter_client's default ipc name is relative to the working directory,
    which every worker shares); if the temporary folder's path is too long for a Unix
    socket, the kernel falls back to ``tcp``, which is always on the loopback address.
    """
    from traitlets.config import Config

    sockets = _socket_dir() if transport == "ipc" else None
    if sockets is None:
        return None, Config({"KernelManager": {"transport": "tcp", "ip": LOOPBACK}})
    return sockets, Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/kernel"}})


def _socket_dir() -> str | None:
    """A private folder for one kernel's ipc sockets, or None if its path is too long."""
    base = tempfile.gettempdir()
    if len(base) + 30 > _MAX_IPC_PREFIX:
        base = "/tmp" if os.path.isdir("/tmp") else base
    folder = tempfile.mkdtemp(prefix="sr-k-", dir=base)
    if len(folder) + len("/kernel") > _MAX_IPC_PREFIX:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return folder


def _check_watchdog(watchdog: _Watchdog | None) -> None:
    """Raise NotebookTimeout if the watchdog stopped the kernel at the whole-notebook limit."""
    if watchdog is not None and watchdog.expired:
        raise NotebookTimeout("the notebook ran past its time limit") from None


def _execute(job: NotebookJob, watchdog: _Watchdog | None = None) -> int:
    """Execute with papermill; retry once if the kernel fails to start. Returns attempts.

    Raises:
        NotebookTimeout: The watchdog stopped the kernel at the whole-notebook limit.
    """
    import papermill as pm

    setup = partial(_kernel_setup, _TRANSPORT or choose_transport())
    attempts = 0
    while True:
        attempts += 1
        _check_watchdog(watchdog)
        # Batch workers keep one kernel, reset per notebook (see sendready.publish.kernelpool).
        warm = kernelpool.enabled() and job.shared_kernel
        own = None
        try:
            cwd = str(Path(job.notebook).parent)
            if warm:
                km = kernelpool.acquire(job.kernel_name, cwd, setup)
            else:  # the notebook client starts it; this process stops it
                own = kernelpool.start(job.kernel_name, cwd, setup, start=False)
                km = own[0]
            if watchdog is not None:
                watchdog.watch(km)
            pm.execute_notebook(
                job.notebook,
                job.executed_path,
                parameters=job.parameters,
                kernel_name=job.kernel_name,
                cwd=cwd,
                execution_timeout=job.cell_timeout,
                progress_bar=False,
                log_output=False,
                # For a kernel the notebook client starts (a warm one was started so).
                extra_arguments=kernelpool.KERNEL_ARGUMENTS,
                request_save_on_cell_execute=False,
                km=km,
            )
            return attempts
        except pm.PapermillExecutionError:
            # A failed notebook may have changed state the reset keeps (a module's
            # settings, a patched function): its kernel must not run another report.
            kernelpool.discard()
            _check_watchdog(watchdog)
            raise
        except Exception as exc:
            kernelpool.discard()
            _check_watchdog(watchdog)
            if attempts == 1 and _is_kernel_start_failure(exc):
                log.warning("%s: kernel failed to start (%s); retrying once", job.key, exc)
                continue
            raise
        finally:
            if watchdog is not None:
                watchdog.watch(None)
            if own is not None:
                kernelpool.stop(*own)


def run_job(job: NotebookJob) -> JobResult:
    """Execute one notebook and, only if every cell succeeded, export its board HTML."""
    import nbformat
    import papermill as pm
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellTimeoutError

    from sendready.publish.export import ExportError, export_html

    start = time.perf_counter()
    result = JobResult(
        key=job.key,
        title=job.title,
        status="failed",
        seconds=0.0,
        executed=job.executed_path,
        notebook=job.notebook,
        job_key=job.job_key,
    )
    Path(job.executed_path).parent.mkdir(parents=True, exist_ok=True)
    log.info("%s: starting %s", job.key, Path(job.notebook).name)
    watchdog = _Watchdog(job.notebook_timeout, job.interrupt_grace, job.key)
    try:
        try:
            result.attempts = _execute(job, watchdog)
        finally:
            watchdog.stop()
        result.execute_seconds = time.perf_counter() - start
        t_export = time.perf_counter()
        nb = nbformat.read(job.executed_path, as_version=4)
        html = export_html(
            nb,
            _exporter(),
            title=job.title,
            area=job.area,
            period_label=job.period_label,
            provenance=job.provenance,
        )
        _write_atomic(Path(job.html_path), html)
        result.export_seconds = time.perf_counter() - t_export
        result.status, result.html = "ok", job.html_path
    except pm.PapermillExecutionError as exc:
        result.error = f"cell {exc.exec_count} raised {exc.ename}: {exc.evalue}"
        result.summary = f"a cell raised an error ({exc.ename})"
    except NotebookTimeout:
        result.error = f"stopped after {job.notebook_timeout} s (whole-notebook time limit)"
        result.summary = f"stopped at the time limit ({job.notebook_timeout} s)"
    except CellTimeoutError:
        result.error = f"a cell ran for more than {job.cell_timeout} s (per-cell time limit)"
        result.summary = f"a step ran past its time limit ({job.cell_timeout} s)"
    except NoSuchKernel:
        result.error = (
            f"Jupyter has no kernel named '{job.kernel_name}': run `make setup` "
            "or `python -m sendready kernel`"
        )
        result.summary = "the Jupyter kernel is not installed"
    except ExportError as exc:
        result.error = f"export refused: {exc}"
        result.summary = "the report broke a board-report rule and was not exported"
    except Exception as exc:  # the job fails; the batch goes on
        result.error = f"{type(exc).__name__}: {exc}"
        result.summary = f"the notebook could not be run ({type(exc).__name__})"
        log.debug("job %s failed:\n%s", job.key, traceback.format_exc())
    result.seconds = time.perf_counter() - start
    if result.status == "ok":
        log.info("%s: done in %.1f s", job.key, result.seconds)
    else:
        log.error("%s: failed after %.1f s: %s", job.key, result.seconds, result.error)
    return result


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file so a full disk never leaves half a report behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()


# --- batch side ----------------------------------------------------------------------


# START_METHOD and pool_context live in core.pools, shared with the other pools.


def worker_pool(
    workers: int, log_path: Path | None = None, transport: str | None = None
) -> ProcessPoolExecutor:
    """A pool of notebook workers (each with its warm kernel) that several calls of
    :func:`run_jobs` can share: a run of many quarters starts its workers and kernels
    once, not once per quarter. Use it as a context manager."""
    init_args = (str(log_path) if log_path else None, True, choose_transport(transport))
    return ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=pool_context(),
        initializer=_worker_init,
        initargs=init_args,
    )


def run_jobs(  # noqa: PLR0913 -- the pool is optional
    jobs: list[NotebookJob],
    workers: int,
    progress=print,
    log_path: Path | None = None,
    transport: str | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> list[JobResult]:
    """Run jobs in a process pool, reporting progress as each finishes.

    Args:
        jobs: What to run, in the order results are returned.
        workers: Processes (and so kernels) at once.
        progress: Called with one line of text per finished notebook.
        log_path: File that receives the workers' and kernels' output (appended to);
            None leaves it on this process's terminal.
        transport: ``"ipc"`` or ``"tcp"`` for the kernels; None chooses (see
            :func:`choose_transport`).
        pool: A running :func:`worker_pool` to use (its own log and transport apply);
            None starts one for these jobs and stops it after them.
    """
    if not jobs:
        return []
    if pool is not None:
        return _collect(pool, jobs, progress)
    with worker_pool(min(workers, len(jobs)), log_path, transport) as own:
        return _collect(own, jobs, progress)


def _collect(pool: ProcessPoolExecutor, jobs: list[NotebookJob], progress) -> list[JobResult]:
    """Submit every job to the pool; report each as it finishes; results in job order."""
    return collect_jobs(submit_jobs(pool, jobs), progress)


def submit_jobs(pool: ProcessPoolExecutor, jobs: list[NotebookJob]) -> dict[Future, NotebookJob]:
    """Queue the jobs on the pool, in this order, and return each one's future.

    Apart from :func:`collect_jobs` so that a run of several quarters can queue the next
    quarter's jobs before it waits for this quarter's: the workers then never wait for the
    main process between quarters.
    """
    futures = {}
    for job in jobs:
        future = pool.submit(run_job, job)
        future.add_done_callback(_stamp)
        futures[future] = job
    return futures


def _stamp(future: Future) -> None:
    """Note when the future finished, so that jobs found finished are reported in turn."""
    future.finished_at = time.monotonic()


def _in_finishing_order(futures: dict[Future, NotebookJob]) -> Iterator[Future]:
    """The futures as they finish: those already finished first, in the order they did
    (a quarter's jobs may have run while an earlier quarter was being finished)."""
    finished = [f for f in futures if f.done()]
    finished.sort(key=lambda f: getattr(f, "finished_at", float("inf")))
    yield from finished
    already = set(finished)
    yield from as_completed([f for f in futures if f not in already])


def collect_jobs(futures: dict[Future, NotebookJob], progress) -> list[JobResult]:
    """Wait for submitted jobs (:func:`submit_jobs`), reporting each as it finishes; the
    results come back in the order the jobs were submitted."""
    jobs = list(futures.values())
    results: list[JobResult] = []
    for done, future in enumerate(_in_finishing_order(futures), start=1):
        job = futures[future]
        try:
            res = future.result()
        except Exception as exc:  # a worker died (out of memory, killed)
            res = worker_failed(job, exc)
        results.append(res)
        mark = "ok" if res.status == "ok" else f"FAILED: {res.error}"
        progress(f"  [{done}/{len(jobs)}] {job.title}: {mark} ({res.seconds:.1f} s)")
    order = {job.key: i for i, job in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.key])


def worker_failed(job: NotebookJob, exc: BaseException) -> JobResult:
    """The result of a job whose worker process stopped before it could say how it went."""
    return JobResult(
        key=job.key,
        title=job.title,
        status="failed",
        seconds=0.0,
        error=f"worker process failed: {type(exc).__name__}: {exc}",
        summary="the worker running it stopped unexpectedly",
        executed=job.executed_path,
        notebook=job.notebook,
        job_key=job.job_key,
    )


def run_key(parts: dict) -> str:
    """A stable hash of everything a period's outputs depend on."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def jobs_as_records(results: list[JobResult]) -> list[dict]:
    return [asdict(r) for r in results]


def today_label(now: dt.datetime | None = None) -> str:
    """'27 November 2026 at 19:31' (no platform-specific strftime flags)."""
    now = now or dt.datetime.now()
    return f"{now.day} {now:%B %Y} at {now:%H:%M}"
