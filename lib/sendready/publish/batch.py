"""Execute report notebooks in a pool of worker processes and export each to board HTML.

Each notebook runs through the papermill Python API (its command line costs about 1.4 s
more per call: docs/architecture.md, "Pitfalls the code works around") with the project's
kernel named explicitly, a per-cell time limit, a whole-notebook time limit and one retry
when the kernel fails to start.
papermill's working directory is process-wide, so notebooks run in processes, not
threads. A notebook that fails is reported, never exported, and never stops the others.

Kernels talk to their worker over the ``ipc`` transport (Unix sockets in a private
folder): parallel starts over TCP occasionally collide on a port, and TCP kernels print an
"unencrypted" warning each time. Workers send their own and their kernels' stderr to the
run's log file, so the terminal shows progress lines only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

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


def _worker_init(log_path: str | None = None, warm_kernels: bool = False) -> None:
    """Prepare a worker: route its output to the run log and build the exporter once.

    Kernels inherit the worker's stderr, so pointing file descriptors 1 and 2 at the log
    (opened for appending, which keeps lines from several processes whole) is what keeps
    their start-up and shutdown chatter off the user's terminal.
    """
    global _EXPORTER
    skip_unused_iri_checks()
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


def _alarm(signum, frame):
    raise NotebookTimeout("the notebook ran past its time limit")


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


def _kernel_config(socket_dir: str | None):
    """Kernel-manager settings for papermill: the ipc transport when it can be used."""
    from traitlets.config import Config

    if socket_dir is None:
        return Config()
    return Config({"KernelManager": {"transport": "ipc", "ip": f"{socket_dir}/kernel"}})


def _socket_dir() -> str | None:
    """A private folder for one kernel's sockets, or None to fall back to TCP.

    Each kernel gets its own folder, so two workers can never pick the same socket name
    (jupyter_client's default ipc name is relative to the working directory, which every
    worker shares).
    """
    if os.name == "nt":
        return None
    base = tempfile.gettempdir()
    if len(base) + 30 > _MAX_IPC_PREFIX:
        base = "/tmp" if os.path.isdir("/tmp") else base
    folder = tempfile.mkdtemp(prefix="sr-k-", dir=base)
    if len(folder) + len("/kernel") > _MAX_IPC_PREFIX:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return folder


def _execute(job: NotebookJob) -> int:
    """Execute with papermill; retry once if the kernel fails to start. Returns attempts."""
    import papermill as pm

    attempts = 0
    while True:
        attempts += 1
        # Batch workers keep one kernel, reset per notebook (see sendready.publish.kernelpool).
        warm = kernelpool.enabled() and job.shared_kernel
        sockets = None if warm else _socket_dir()
        try:
            cwd = str(Path(job.notebook).parent)
            kernel = (
                {"km": kernelpool.acquire(job.kernel_name, cwd, _socket_dir, _kernel_config)}
                if warm
                else {"config": _kernel_config(sockets)}
            )
            pm.execute_notebook(
                job.notebook,
                job.executed_path,
                parameters=job.parameters,
                kernel_name=job.kernel_name,
                cwd=cwd,
                execution_timeout=job.cell_timeout,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                **kernel,
            )
            return attempts
        except pm.PapermillExecutionError:
            # A failed notebook may have changed state the reset keeps (a module's
            # settings, a patched function): its kernel must not run another report.
            kernelpool.discard()
            raise
        except NotebookTimeout:
            kernelpool.discard()
            raise
        except Exception as exc:
            kernelpool.discard()
            if attempts == 1 and _is_kernel_start_failure(exc):
                log.warning("%s: kernel failed to start (%s); retrying once", job.key, exc)
                continue
            raise
        finally:
            if sockets:
                shutil.rmtree(sockets, ignore_errors=True)


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
    timed = hasattr(signal, "SIGALRM")  # not on Windows: the per-cell limit still applies
    previous = signal.signal(signal.SIGALRM, _alarm) if timed else None
    if timed:
        signal.alarm(max(int(job.notebook_timeout), 1))
    try:
        result.attempts = _execute(job)
        if timed:
            signal.alarm(0)
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
    finally:
        if timed:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
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


def run_jobs(
    jobs: list[NotebookJob], workers: int, progress=print, log_path: Path | None = None
) -> list[JobResult]:
    """Run jobs in a process pool, reporting progress as each finishes.

    Args:
        jobs: What to run, in the order results are returned.
        workers: Processes (and so kernels) at once.
        progress: Called with one line of text per finished notebook.
        log_path: File that receives the workers' and kernels' output (appended to);
            None leaves it on this process's terminal.
    """
    results: list[JobResult] = []
    if not jobs:
        return results
    workers = max(1, min(workers, len(jobs)))
    init_args = (str(log_path) if log_path else None, True)
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_init, initargs=init_args
    ) as pool:
        futures = {pool.submit(run_job, job): job for job in jobs}
        for done, future in enumerate(as_completed(futures), start=1):
            job = futures[future]
            try:
                res = future.result()
            except Exception as exc:  # a worker died (out of memory, killed)
                res = JobResult(
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
            results.append(res)
            mark = "ok" if res.status == "ok" else f"FAILED: {res.error}"
            progress(f"  [{done}/{len(jobs)}] {job.title}: {mark} ({res.seconds:.1f} s)")
    order = {job.key: i for i, job in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.key])


def run_key(parts: dict) -> str:
    """A stable hash of everything a period's outputs depend on."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def jobs_as_records(results: list[JobResult]) -> list[dict]:
    return [asdict(r) for r in results]


def today_label(now: dt.datetime | None = None) -> str:
    """'27 November 2026 at 19:31' (no platform-specific strftime flags)."""
    now = now or dt.datetime.now()
    return f"{now.day} {now:%B %Y} at {now:%H:%M}"
