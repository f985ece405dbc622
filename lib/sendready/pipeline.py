"""``sendready run``: sample (if needed), ingest once, evidence once, reports in parallel.

Writes, for each period end, ``<outputs>/<profile id>/<period end>/`` holding
``index.html``, one HTML report per weakness, the board summary and data-quality reports,
the executed notebooks, ``manifest.json``, ``run.log`` and the evidence tables. Re-running
with unchanged inputs and parameters reuses the previous results; ``force`` redoes all.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import platform
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sendready import __version__
from sendready.batch import (
    BOARD_SUMMARY,
    DATA_QUALITY,
    WEAKNESS_REPORT,
    JobResult,
    NotebookJob,
    file_sha256,
    find_notebook_dir,
    jobs_as_records,
    run_jobs,
    run_key,
    today_label,
)
from sendready.errors import SendreadyError
from sendready.formatting import format_date
from sendready.indicators.periods import as_timestamp
from sendready.ingest import run_ingest
from sendready.kernel import KERNEL_NAME
from sendready.notebook import ensure_sample, load_or_build_evidence, period_dir
from sendready.profile import Profile, load_profile

log = logging.getLogger("sendready.pipeline")

PACKAGES = ("pandas", "numpy", "scipy", "matplotlib", "seaborn", "papermill", "nbconvert",
            "nbclient", "ipykernel", "pandera", "pyarrow", "pydantic", "jupyterlab")


@dataclass
class PeriodOutcome:
    period_end: str
    folder: Path
    reused: bool
    results: list[JobResult] = field(default_factory=list)

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


def plan_jobs(profile: Profile, profile_ref: str, data_dir: Path, outputs: Path,
              period_end: str, folder: Path, notebook_dir: Path, provenance: list,
              cell_timeout: int, notebook_timeout: int) -> list[NotebookJob]:
    """One job per weakness report, plus the board summary and the data-quality report."""
    period_label = f"Quarter to {format_date(as_timestamp(period_end))}"
    common = {"profile": profile_ref, "data_dir": str(data_dir), "period_end": period_end,
              "outputs_dir": str(outputs)}
    specs = [("board_summary", BOARD_SUMMARY, "Board summary", {})]
    for weakness in profile.weaknesses:
        name = weakness.notebook or WEAKNESS_REPORT
        specs.append((weakness.id, name, f"{weakness.id}: {weakness.title}",
                      {"weakness_id": weakness.id}))
    specs.append(("data_quality", DATA_QUALITY, "Data quality", {}))
    jobs = []
    for key, name, title, extra in specs:
        notebook = notebook_dir / f"{name}.ipynb"
        if not notebook.exists():
            raise SendreadyError(f"The notebook {notebook} is missing.",
                                 hint="Run from a full checkout of sendready, or fix the "
                                      "profile's `notebook` entry.")
        jobs.append(NotebookJob(
            key=key, notebook=str(notebook), title=f"{title} ({profile.area.name})",
            parameters={**common, **extra},
            executed_path=str(folder / "notebooks" / f"{key}.ipynb"),
            html_path=str(folder / f"{key}.html"), period_label=period_label,
            area=profile.area.name, provenance=provenance, cell_timeout=cell_timeout,
            notebook_timeout=notebook_timeout, kernel_name=KERNEL_NAME,
        ))
    return jobs


def _provenance(profile: Profile, period_end: str, fingerprint: str, run_date: str) -> list:
    return [
        ("Area profile", profile.id),
        ("Period", f"Quarter to {format_date(as_timestamp(period_end))}"),
        ("Data fingerprint", fingerprint[:16]),
        ("sendready version", __version__),
        ("Produced", run_date),
    ]


def run_pack(
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
) -> list[PeriodOutcome]:
    """Run the whole board pack for each period end (see module docstring)."""
    from sendready.boardpack import build_index, single_file_pack

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    profile = load_profile(profile_ref)
    notebook_dir = notebook_dir or find_notebook_dir()
    outputs = outputs.resolve()
    if data_dir is None:
        data_dir = (notebook_dir.parent / "data" / "sample").resolve()
        t = time.perf_counter()
        ensure_sample(data_dir)
        timings["sample"] = time.perf_counter() - t
    data_dir = data_dir.resolve()
    t = time.perf_counter()
    ingest = run_ingest(profile, data_dir=data_dir, out_dir=outputs / profile.id / "staged",
                        force=force)
    timings["ingest"] = time.perf_counter() - t
    progress(ingest.describe() if not ingest.cached else
             f"Ingest: inputs unchanged, reusing {ingest.out_dir}")
    if not ingest.ok:
        raise SendreadyError("Ingest did not complete, so no reports were run.",
                             hint="Fix the problems listed above and run again.")
    if not period_ends:
        from sendready.evidence import latest_quarter_end

        extract = dt.date.fromisoformat(ingest.summary["extract_date"])
        period_ends = [latest_quarter_end(extract).isoformat()]
        progress(f"No period end given: using {period_ends[0]}, the last quarter end before "
                 "the extract date.")
    notebook_hashes = {p.name: file_sha256(p) for p in sorted(notebook_dir.glob("*.ipynb"))}
    outcomes = []
    for period_end in period_ends:
        outcomes.append(_run_period(
            profile, profile_ref, data_dir, outputs, period_end, ingest, notebook_dir,
            notebook_hashes, jobs, force, single_file, cell_timeout, notebook_timeout,
            dict(timings), t0, progress, build_index, single_file_pack,
        ))
    return outcomes


def _run_period(profile, profile_ref, data_dir, outputs, period_end, ingest, notebook_dir,
                notebook_hashes, jobs, force, single_file, cell_timeout, notebook_timeout,
                timings, t0, progress, build_index, single_file_pack) -> PeriodOutcome:
    period_end = as_timestamp(period_end).date().isoformat()
    folder = period_dir(outputs, profile, period_end)
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(folder / "run.log", mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("sendready").addHandler(handler)
    try:
        parameters = {"profile": profile_ref, "profile_id": profile.id, "data_dir": str(data_dir),
                      "period_end": period_end, "outputs": str(outputs), "jobs": jobs,
                      "single_file": single_file, "cell_timeout": cell_timeout,
                      "notebook_timeout": notebook_timeout, "kernel": KERNEL_NAME}
        log.info("run configuration: %s", parameters)
        key = run_key({"ingest": ingest.fingerprint, "profile": profile.model_dump_json(),
                       "period_end": period_end, "notebooks": notebook_hashes,
                       "version": __version__, "single_file": single_file})
        manifest_path = folder / "manifest.json"
        previous = _read_manifest(manifest_path)
        if (not force and previous and previous.get("run_key") == key
                and previous.get("status") == "ok" and (folder / "index.html").exists()):
            progress(f"{period_end}: inputs and parameters unchanged, reusing {folder}")
            return PeriodOutcome(period_end, folder, reused=True)
        t = time.perf_counter()
        evidence = load_or_build_evidence(profile, ingest, period_end, folder)
        timings["evidence"] = time.perf_counter() - t
        run_date = today_label()
        provenance = _provenance(profile, period_end, ingest.fingerprint, run_date)
        planned = plan_jobs(profile, profile_ref, data_dir, outputs, period_end, folder,
                            notebook_dir, provenance, cell_timeout, notebook_timeout)
        for stale in [folder / f"{job.key}.html" for job in planned] + [folder / "index.html"]:
            stale.unlink(missing_ok=True)  # a failed report must not keep last run's page
        progress(f"{period_end}: running {len(planned)} notebooks with {jobs} workers")
        t = time.perf_counter()
        results = run_jobs(planned, jobs, progress)
        timings["notebooks"] = time.perf_counter() - t
        t = time.perf_counter()
        by_key = {r.key: r for r in results}
        index_html = build_index(evidence, by_key, folder, provenance, run_date)
        (folder / "index.html").write_text(index_html, encoding="utf-8")
        if single_file:
            reports = [(r.key, Path(r.html)) for r in results if r.status == "ok"]
            (folder / "pack.html").write_text(single_file_pack(index_html, reports),
                                              encoding="utf-8")
        timings["index"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - t0
        outcome = PeriodOutcome(period_end, folder, reused=False, results=results)
        _write_manifest(manifest_path, key, parameters, ingest, data_dir, timings, results,
                        evidence)
        for failed in outcome.failed:
            log.error("%s failed: %s", failed.title, failed.error)
        return outcome
    finally:
        logging.getLogger("sendready").removeHandler(handler)
        handler.close()


def _read_manifest(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_manifest(path, key, parameters, ingest, data_dir, timings, results, evidence):
    inputs = {
        name: {"file": src.get("file"), "sha256": src.get("sha256")}
        for name, src in ingest.summary.get("sources", {}).items()
    }
    manifest = {
        "run_key": key,
        "status": "ok" if all(r.status == "ok" for r in results) else "failed",
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "parameters": parameters,
        "inputs": {"data_dir": str(data_dir), "fingerprint": ingest.fingerprint,
                   "sources": inputs},
        "versions": package_versions(),
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        "notebooks": [
            {k: v for k, v in rec.items() if k != "extra"} for rec in jobs_as_records(results)
        ],
        "verdicts": {wid: v.code for wid, v in evidence.verdicts.items()},
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)
