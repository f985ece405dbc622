"""Run every report notebook for a period in parallel and export the board pack.

One command for leads (``sendready run``): ingest once (cached), compute the evidence
once per period, then execute each notebook through the papermill Python API in a pool
of worker processes (papermill's working directory is process-wide, so threads would
race), each worker holding one HTML exporter. A failing notebook never stops the others,
never gets a board HTML, shows as failed in the index and the manifest, and makes the
command exit non-zero.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import signal
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sendready.kernel import KERNEL_NAME

log = logging.getLogger("sendready.batch")

NOTEBOOK_DIR_NAME = "notebooks"
BOARD_SUMMARY = "00_board_summary"
WEAKNESS_REPORT = "10_weakness_report"
DATA_QUALITY = "90_data_quality"


class NotebookTimeout(Exception):
    """The whole notebook ran past its time limit."""


@dataclass
class NotebookJob:
    """One notebook execution and export."""

    key: str                 # e.g. "W3" or "board_summary"; names the output files
    notebook: str            # source notebook path
    title: str               # page title and index link text
    parameters: dict
    executed_path: str
    html_path: str
    period_label: str
    area: str
    provenance: list[tuple[str, str]]
    cell_timeout: int = 600
    notebook_timeout: int = 1800
    kernel_name: str = KERNEL_NAME


@dataclass
class JobResult:
    key: str
    title: str
    status: str              # "ok" or "failed"
    seconds: float
    execute_seconds: float = 0.0
    export_seconds: float = 0.0
    attempts: int = 1
    error: str = ""
    html: str = ""
    executed: str = ""
    extra: dict = field(default_factory=dict)


def find_notebook_dir(start: Path | None = None) -> Path:
    """The project's ``notebooks/`` folder: next to the working directory or above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / NOTEBOOK_DIR_NAME / f"{WEAKNESS_REPORT}.ipynb").exists():
            return folder / NOTEBOOK_DIR_NAME
    packaged = Path(__file__).resolve().parents[2] / NOTEBOOK_DIR_NAME
    return packaged


# --- worker side ---------------------------------------------------------------------

_EXPORTER = None


def _worker_init() -> None:
    """Build the exporter once per worker; building it costs far more than using it."""
    global _EXPORTER
    from sendready.export import build_exporter

    _EXPORTER = build_exporter()
    # Workers inherit the parent's logging; keep papermill's per-cell chatter out of it.
    logging.getLogger("papermill").setLevel(logging.WARNING)


def _exporter():
    if _EXPORTER is None:
        _worker_init()
    return _EXPORTER


def _alarm(signum, frame):  # pragma: no cover - exercised through a hanging notebook
    raise NotebookTimeout("the notebook ran past its time limit")


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    markers = ("Kernel died before replying", "Address already in use", "kernel_info",
               "Kernel didn't respond", "ZMQError")
    return any(m in text for m in markers)


def _execute(job: NotebookJob) -> int:
    """Execute with papermill; retry once if the kernel fails to start. Returns attempts."""
    import papermill as pm

    attempts = 0
    while True:
        attempts += 1
        try:
            pm.execute_notebook(
                job.notebook, job.executed_path, parameters=job.parameters,
                kernel_name=job.kernel_name, cwd=str(Path(job.notebook).parent),
                execution_timeout=job.cell_timeout, progress_bar=False, log_output=False,
                request_save_on_cell_execute=False,
            )
            return attempts
        except pm.PapermillExecutionError:
            raise
        except NotebookTimeout:
            raise
        except Exception as exc:
            if attempts == 1 and _is_kernel_start_failure(exc):
                log.warning("%s: kernel failed to start (%s); retrying once", job.key, exc)
                continue
            raise


def run_job(job: NotebookJob) -> JobResult:
    """Execute one notebook and, only if every cell succeeded, export its board HTML."""
    import nbformat
    import papermill as pm

    from sendready.export import ExportError, export_html

    start = time.perf_counter()
    result = JobResult(key=job.key, title=job.title, status="failed", seconds=0.0,
                       executed=job.executed_path)
    Path(job.executed_path).parent.mkdir(parents=True, exist_ok=True)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(max(int(job.notebook_timeout), 1))
    try:
        result.attempts = _execute(job)
        signal.alarm(0)
        result.execute_seconds = time.perf_counter() - start
        t_export = time.perf_counter()
        nb = nbformat.read(job.executed_path, as_version=4)
        html = export_html(nb, _exporter(), title=job.title, area=job.area,
                           period_label=job.period_label, provenance=job.provenance)
        _write_atomic(Path(job.html_path), html)
        result.export_seconds = time.perf_counter() - t_export
        result.status, result.html = "ok", job.html_path
    except pm.PapermillExecutionError as exc:
        result.error = f"cell {exc.exec_count} raised {exc.ename}: {exc.evalue}"
    except NotebookTimeout:
        result.error = f"stopped after {job.notebook_timeout} s (whole-notebook time limit)"
    except ExportError as exc:
        result.error = f"export refused: {exc}"
    except Exception as exc:  # the job fails; the batch goes on
        result.error = f"{type(exc).__name__}: {exc}"
        log.debug("job %s failed:\n%s", job.key, traceback.format_exc())
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    result.seconds = time.perf_counter() - start
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

def run_jobs(jobs: list[NotebookJob], workers: int, progress=print) -> list[JobResult]:
    """Run jobs in a process pool, reporting progress as each finishes."""
    results: list[JobResult] = []
    if not jobs:
        return results
    workers = max(1, min(workers, len(jobs)))
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
        futures = {pool.submit(run_job, job): job for job in jobs}
        for done, future in enumerate(as_completed(futures), start=1):
            job = futures[future]
            try:
                res = future.result()
            except Exception as exc:  # a worker died (out of memory, killed)
                res = JobResult(key=job.key, title=job.title, status="failed", seconds=0.0,
                                error=f"worker process failed: {type(exc).__name__}: {exc}")
            results.append(res)
            mark = "ok" if res.status == "ok" else f"FAILED: {res.error}"
            progress(f"  [{done}/{len(jobs)}] {job.title}: {mark} ({res.seconds:.1f} s)")
    order = {job.key: i for i, job in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.key])


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_key(parts: dict) -> str:
    """A stable hash of everything a period's outputs depend on."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def jobs_as_records(results: list[JobResult]) -> list[dict]:
    return [asdict(r) for r in results]


def today_label() -> str:
    now = dt.datetime.now()
    return f"{now.day} {now:%B %Y %H:%M}"  # no %-d: it fails on Windows
