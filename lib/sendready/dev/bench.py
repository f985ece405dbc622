"""Measured figures for the batch: how long each stage takes and how much memory it needs.

``python -m sendready.dev.bench`` (or ``make bench``) generates the sample area at each scale
in a private temporary folder and measures, each stage in a fresh process:

* sample generation, ingest, and the indicators (``build_evidence`` on staged data);
* the whole batch (``sendready run --force``), each notebook and the export (from the
  batch's manifest), and an unchanged re-run;
* two reference points on the same inputs: the *naive* way (a shell loop of the
  ``papermill`` and ``jupyter nbconvert`` command lines, one notebook at a time) and the
  *floor* (the same indicators, charts and narrative rendered to HTML strings in one plain
  Python process, with no kernels and no notebooks).

Wall time is measured around each process; CPU time and the largest process's resident
memory come from ``/usr/bin/time -v`` (or, without it, from ``getrusage`` in a wrapper
process). Because the batch is a tree of processes (workers and kernels), the peak of
their *summed* proportional set size is sampled from ``/proc`` as well: that is the
memory the machine must have. Figures are medians over repeats. Timings are figures to
read, never assertions: a shared or busy machine slows everything, so the machine and its
load average are recorded with them.

Results go to ``outputs/bench/bench.json`` and ``outputs/bench/bench.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROFILE = "bury-2017-wsoa"
TIME_BINARY = "/usr/bin/time"
BIN = Path(sys.executable).parent
# Issue 7's budgets, checked in bench.md: the batch against the two reference points at
# scale 1, and absolute limits at scale 10.
BUDGETS = {
    "batch_over_floor_max": 1.5,
    "naive_over_batch_min": 3.0,
    "scale10_batch_seconds_max": 120.0,
    "scale10_batch_memory_mb_max": 3 * 1024.0,
    "scale10_ingest_seconds_max": 30.0,
    "scale10_lists_seconds_max": 60.0,
    "rerun_seconds_max": 3.0,
    # Issue 15: public packs of published figures, one area and all 153 with the index.
    "public_one_seconds_max": 5.0,
    "public_all_seconds_max": 120.0,
    # Issue 12: every quarterly pack of a decade (40) for one profile in one run, scale 1.
    "quarters40_seconds_max": 600.0,
    # Issue 16: the board paper for a scale-1 pack, and the one-page board view's share
    # of the batch.
    "paper_seconds_max": 30.0,
    "board_view_share_max": 0.05,
}
DECADE_QUARTERS = 40


@dataclass
class Measurement:
    """One process (and its children) measured once.

    Attributes:
        wall_s: Elapsed seconds from start to exit.
        cpu_s: User plus system CPU seconds of the process and every child it waited for.
        max_rss_mb: Resident memory of the largest single process in the tree.
        peak_tree_mb: Peak of the summed proportional set size of the whole tree, sampled
            a few times a second (0 where ``/proc`` is not available).
        load_1min: The machine's one-minute load average when the process started.
        returncode: The process's exit status.
        extra: Figures the process reported about itself (stage timings inside it).
    """

    wall_s: float
    cpu_s: float
    max_rss_mb: float
    peak_tree_mb: float
    load_1min: float
    returncode: int
    extra: dict = field(default_factory=dict)


# --- measuring one process ---------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (read from /proc, so Linux only: none elsewhere)."""
    parents: dict[int, list[int]] = {}
    try:
        entries = list(os.scandir("/proc"))
    except OSError:  # no /proc (Windows, macOS)
        return []
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name may hold spaces and brackets: the fields after its ")" are fixed.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class _TreeMemory(threading.Thread):
    """Samples the summed PSS of a process tree until stopped."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        if not Path("/proc/self/smaps_rollup").exists():
            return
        while not self._stop_event.is_set():
            total = sum(_pss_kb(p) for p in [self.pid, *_children(self.pid)])
            self.peak_kb = max(self.peak_kb, total)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _parse_time_v(text: str) -> tuple[float, float]:
    """CPU seconds and max RSS (MB) from ``/usr/bin/time -v`` output."""
    values = {}
    for line in text.splitlines():
        name, _, value = line.strip().rpartition(": ")
        values[name] = value
    cpu = float(values["User time (seconds)"]) + float(values["System time (seconds)"])
    return cpu, int(values["Maximum resident set size (kbytes)"]) / 1024


def measure(
    cmd: list[str],
    *,
    cwd: Path | None = None,
    json_out: Path | None = None,
    log: Path | None = None,
) -> Measurement:
    """Run ``cmd`` to completion and measure it (see :class:`Measurement`).

    Args:
        cmd: The command line.
        cwd: Working folder.
        json_out: A file the command writes its own figures to (read into ``extra``).
        log: Where the command's output goes (discarded if None).
    """
    with tempfile.TemporaryDirectory(prefix="sendready-bench-") as tmp:
        stats = Path(tmp) / "rusage"
        if os.access(TIME_BINARY, os.X_OK):
            full = [TIME_BINARY, "-v", "-o", str(stats), *cmd]
        else:
            full = [sys.executable, "-m", "sendready.dev.bench", "_rusage", str(stats), "--", *cmd]
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        sink = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
        try:
            start = time.perf_counter()
            proc = subprocess.Popen(full, cwd=cwd, stdout=sink, stderr=sink)
            sampler = _TreeMemory(proc.pid)
            sampler.start()
            proc.wait()
            wall = time.perf_counter() - start
            sampler.stop()
        finally:
            if log:
                sink.close()
        text = stats.read_text(encoding="utf-8") if stats.exists() else ""
    if text.lstrip().startswith("{"):
        usage = json.loads(text)
        cpu, rss = usage["cpu_s"], usage["max_rss_mb"]
    else:
        cpu, rss = _parse_time_v(text)
    extra = {}
    if json_out is not None and json_out.exists():
        extra = json.loads(json_out.read_text(encoding="utf-8"))
    return Measurement(
        wall_s=wall,
        cpu_s=cpu,
        max_rss_mb=rss,
        peak_tree_mb=sampler.peak_kb / 1024,
        load_1min=load,
        returncode=proc.returncode,
        extra=extra,
    )


def _usage(children: bool = False) -> tuple[float, float]:
    """CPU seconds and peak resident memory (MB) of this process or its finished children.

    From the POSIX ``resource`` module; where it does not exist (Windows) both are 0, as
    the ``/proc`` readers above give 0 where there is no ``/proc``.
    """
    try:
        import resource
    except ImportError:  # Windows
        return 0.0, 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    # Linux reports ru_maxrss in kilobytes (macOS in bytes).
    scale = 1 / (1024 * 1024) if sys.platform == "darwin" else 1 / 1024
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * scale


def _rusage_main(stats: str, cmd: list[str]) -> int:
    """Fallback without /usr/bin/time: run ``cmd`` and record its children's usage."""
    code = subprocess.call(cmd)
    cpu_s, max_rss_mb = _usage(children=True)
    Path(stats).write_text(json.dumps({"cpu_s": cpu_s, "max_rss_mb": max_rss_mb}))
    return code


def summarise(runs: list[Measurement]) -> dict:
    """Medians over repeats (and every repeat's wall time, to show the spread)."""
    if not runs:
        return {}
    out = {
        name: statistics.median(getattr(m, name) for m in runs)
        for name in ("wall_s", "cpu_s", "max_rss_mb", "peak_tree_mb", "load_1min")
    }
    out["repeats"] = len(runs)
    out["wall_each_s"] = [round(m.wall_s, 3) for m in runs]
    out["failed"] = sum(m.returncode != 0 for m in runs)
    keys = sorted(
        {
            k
            for m in runs
            for k, v in m.extra.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
    )
    if keys:
        out["inside"] = {
            k: statistics.median(m.extra[k] for m in runs if k in m.extra) for k in keys
        }
    return out


def machine_info() -> dict:
    """CPU model, cores, memory and Python version: figures mean little without them."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_mb = None
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                ram_mb = round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "ram_mb": ram_mb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "time_binary": TIME_BINARY if os.access(TIME_BINARY, os.X_OK) else None,
    }


# --- stages ------------------------------------------------------------------------------


def _sendready(*args: str) -> list[str]:
    return [str(BIN / "sendready"), *args]


def _self(*args: str) -> list[str]:
    return [sys.executable, "-m", "sendready.dev.bench", *args]


def repo_root() -> Path:
    """The checkout: notebooks are found from here."""
    from sendready.publish.batch import find_notebook_dir

    return find_notebook_dir(Path(__file__).parent).parent


def bench_sample(work: Path, scale: float, repeats: int, seed: int = 2017) -> tuple[dict, Path]:
    """Generate the sample area ``repeats`` times; keep the first copy as the inputs."""
    runs, data = [], work / "data"
    for i in range(repeats):
        out = data if i == 0 else work / f"data-{i}"
        runs.append(
            measure(
                _sendready("sample", "--out", str(out), "--scale", str(scale), "--seed", str(seed)),
                log=work / "bench.log",
            )
        )
        if out != data:
            shutil.rmtree(out, ignore_errors=True)
    return summarise(runs), data


def bench_public(work: Path, repeats: int) -> dict:
    """``sendready public`` for one area (Kent, a large one) and for all 153 (``--all``)."""
    out = work / "public"
    one = [
        measure(_sendready("public", "--la", "Kent", "--out", str(out)), log=work / "bench.log")
        for _ in range(repeats)
    ]
    every = [measure(_sendready("public", "--all", "--out", str(out)), log=work / "bench.log")]
    return {"one": summarise(one), "all": summarise(every)}


def bench_ingest(work: Path, data: Path, repeats: int, profile: str = PROFILE) -> tuple[dict, Path]:
    staged = work / "ingest" / "staged"
    runs = [
        measure(
            _sendready(
                "ingest", "--profile", profile, "--data", str(data), "--out", str(staged), "--force"
            ),
            log=work / "bench.log",
        )
        for _ in range(repeats)
    ]
    return summarise(runs), staged


def bench_lists(
    work: Path, data: Path, staged: Path, as_at: str, repeats: int, profile: str = PROFILE
) -> dict:
    """``sendready lists`` from staged data (a copy of the ingest's, so ingest is reused
    and only the lists are measured: building, checking and writing the workbooks)."""
    from sendready.metadata.profile import load_profile
    from sendready.publish.paths import staged_dir

    out = work / "lists"
    target = staged_dir(out, load_profile(profile))
    if not target.exists():
        shutil.copytree(staged, target)
    runs = [
        measure(
            _sendready(
                "lists",
                "--profile",
                profile,
                "--data",
                str(data),
                "--as-at",
                as_at,
                "--out",
                str(out),
            ),
            log=work / "bench.log",
        )
        for _ in range(repeats)
    ]
    return summarise(runs)


def bench_indicators(
    work: Path, staged: Path, period_end: str, repeats: int, profile: str = PROFILE
) -> dict:
    """Every indicator, assessment and verdict from staged data, in a fresh process."""
    result = work / "indicators.json"
    runs = [
        measure(
            _self(
                "_indicators",
                "--profile",
                profile,
                "--staged",
                str(staged),
                "--period-end",
                period_end,
                "--json",
                str(result),
            ),
            json_out=result,
            log=work / "bench.log",
        )
        for _ in range(repeats)
    ]
    return summarise(runs)


def batch_once(
    work: Path, data: Path, jobs: int, profile: str = PROFILE
) -> tuple[Measurement, Measurement, dict, Path]:
    """``sendready run --force``, then the same command again with nothing changed.

    Returns:
        The batch, the re-run (``extra["reused"]``: whether it really reused everything,
        which it cannot if the suite's code changed in between), the batch's manifest,
        and the period's restricted folder (where the executed notebooks are).
    """
    out = work / "batch"
    cmd = _sendready(
        "run", "--profile", profile, "--data", str(data), "--out", str(out), "--jobs", str(jobs)
    )
    batch = measure([*cmd, "--force"], cwd=repo_root(), log=work / "bench.log")
    from sendready.publish.paths import MANIFEST, RESTRICTED_DIR

    # The full manifest, in the period's restricted folder beside its executed notebooks.
    manifest_path = next(out.glob(f"*/{RESTRICTED_DIR}/*/{MANIFEST}"))
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    written = manifest_path.stat().st_mtime_ns
    rerun = measure(cmd, cwd=repo_root(), log=work / "bench.log")
    rerun.extra["reused"] = manifest_path.stat().st_mtime_ns == written
    return batch, rerun, manifest, manifest_path.parent


def _manifest_figures(manifests: list[dict]) -> dict:
    """Medians of the batch's own timings: stages, and each notebook's execute and export."""
    stages: dict[str, list[float]] = {}
    notebooks: dict[str, dict[str, list[float]]] = {}
    for manifest in manifests:
        for name, seconds in manifest.get("timings_seconds", {}).items():
            stages.setdefault(name, []).append(seconds)
        for record in manifest.get("notebooks", []):
            mine = notebooks.setdefault(record["key"], {})
            for name in ("seconds", "execute_seconds", "export_seconds"):
                if isinstance(record.get(name), int | float):
                    mine.setdefault(name, []).append(record[name])
    return {
        "stages": {k: statistics.median(v) for k, v in stages.items()},
        "notebooks": {
            key: {k: statistics.median(v) for k, v in values.items()}
            for key, values in notebooks.items()
        },
    }


def _bench_on_batch(task: str, work: Path, folder: Path, repeats: int) -> dict:
    """Run an inner task (``_export``, ``_paper``) on a batch's folder in fresh processes."""
    name = task.lstrip("_")
    result = work / f"{name}.json"
    command = _self(task, "--folder", str(folder), "--out", str(work / name), "--json", str(result))
    runs = [measure(command, json_out=result, log=work / "bench.log") for _ in range(repeats)]
    return summarise(runs)


def bench_export(work: Path, folder: Path, repeats: int) -> dict:
    """Export every executed notebook of a batch with one exporter, in a fresh process."""
    return _bench_on_batch("_export", work, folder, repeats)


def bench_paper(work: Path, folder: Path, repeats: int) -> dict:
    """The board paper (HTML and PDF) and the index's board view, in a fresh process."""
    return _bench_on_batch("_paper", work, folder, repeats)


def notebook_plan(
    data: Path,
    outputs: Path,
    period_end: str,
    profile: str = PROFILE,
    only: list[str] | None = None,
) -> list[tuple[str, Path, dict]]:
    """(key, notebook, parameters) for every report of a batch, as ``sendready run``
    plans them (optionally only some keys)."""
    from sendready.metadata.profile import load_profile
    from sendready.publish.batch import find_notebook_dir
    from sendready.publish.paths import PeriodPaths
    from sendready.publish.pipeline import plan_jobs

    prof = load_profile(profile)
    jobs = plan_jobs(
        prof,
        profile,
        data,
        outputs,
        period_end,
        PeriodPaths(pack=outputs / "plan" / "pack", restricted=outputs / "plan" / "restricted"),
        find_notebook_dir(repo_root()),
        [],
        600,
        1800,
    )
    return [(j.key, Path(j.notebook), j.parameters) for j in jobs if only is None or j.key in only]


def naive_script(
    data: Path, out: Path, period_end: str, profile: str = PROFILE, only: list[str] | None = None
) -> str:
    """The shell loop an analyst would write: papermill, then nbconvert, per notebook."""
    lines = ["set -e"]
    for key, notebook, params in notebook_plan(data, out / "outputs", period_end, profile, only):
        executed = out / "notebooks" / f"{key}.ipynb"
        args = " ".join(f"-r {k} {shlex.quote(str(v))}" for k, v in params.items())
        lines.append(
            f"{shlex.quote(str(BIN / 'papermill'))} {shlex.quote(str(notebook))} "
            f"{shlex.quote(str(executed))} -k sendready --no-progress-bar {args} "
            f"--cwd {shlex.quote(str(notebook.parent))}"
        )
        lines.append(
            f"{shlex.quote(str(BIN / 'jupyter'))} nbconvert --to html --no-input "
            f"--output-dir {shlex.quote(str(out / 'html'))} "
            f"{shlex.quote(str(executed))}"
        )
    return "\n".join(lines) + "\n"


def naive_once(
    work: Path, data: Path, period_end: str, only: list[str] | None = None, tag: str = "0"
) -> Measurement:
    """Reference (a): the naive loop, from empty outputs (so it ingests too)."""
    out = work / f"naive-{tag}"
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    script = out / "naive.sh"
    script.write_text(naive_script(data, out, period_end, only=only), encoding="utf-8")
    try:
        return measure(["bash", str(script)], log=work / "bench.log")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def floor_once(
    work: Path, data: Path, period_end: str, only: list[str] | None = None, tag: str = "0"
) -> Measurement:
    """Reference (b): the same work in one plain process, from empty outputs."""
    out, result = work / f"floor-{tag}", work / "floor.json"
    cmd = _self(
        "_floor",
        "--data",
        str(data),
        "--out",
        str(out),
        "--period-end",
        period_end,
        "--json",
        str(result),
    )
    if only:
        cmd += ["--only", *only]
    try:
        return measure(cmd, json_out=result, log=work / "bench.log")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def bench_naive(
    work: Path, data: Path, period_end: str, repeats: int, only: list[str] | None = None
) -> dict:
    return summarise([naive_once(work, data, period_end, only, str(i)) for i in range(repeats)])


def bench_floor(
    work: Path, data: Path, period_end: str, repeats: int, only: list[str] | None = None
) -> dict:
    return summarise([floor_once(work, data, period_end, only, str(i)) for i in range(repeats)])


def quarter_range_for(data: Path, profile: str = PROFILE) -> list[str]:
    """Every quarter end the data covers for the profile: from the first after its
    baseline starts to the last before the extract date."""
    import datetime as dt

    from sendready.metadata.profile import load_profile
    from sendready.publish.periods import quarter_ends_between

    start = load_profile(profile).framework.baseline_start + dt.timedelta(days=1)
    last = dt.date.fromisoformat(period_end_for(data))
    return [d.isoformat() for d in quarter_ends_between(start, last)]


def bench_quarters(work: Path, data: Path, jobs: int, profile: str = PROFILE) -> dict:
    """Every quarterly pack the data covers, in one ``sendready run`` (a range), from clean.

    The indicator table is computed once for all the quarters and reused per quarter; the
    figure to meet is the whole run for the 40 quarters of a decade. With fewer quarters
    (a shorter sample) the time per quarter is given, and 40 times it as a projection.
    """
    quarters = quarter_range_for(data, profile)
    out = work / "quarters"
    shutil.rmtree(out, ignore_errors=True)
    cmd = _sendready(
        "run",
        "--profile",
        profile,
        "--data",
        str(data),
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        "--period-end",
        f"{quarters[0]}..{quarters[-1]}",
    )
    run = measure(cmd, cwd=repo_root(), log=work / "bench.log")
    from sendready.publish.paths import MANIFEST, RESTRICTED_DIR

    manifests = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(out.glob(f"*/{RESTRICTED_DIR}/*/{MANIFEST}"))
    ]
    per_quarter = {m["period_end"]: m.get("timings_seconds", {}).get("total") for m in manifests}
    figures = summarise([run])
    figures.update(
        {
            "quarters": len(quarters),
            "first": quarters[0],
            "last": quarters[-1],
            "packs_written": len(manifests),
            "per_quarter_s": run.wall_s / len(quarters),
            "each_quarter_s": per_quarter,
            "projected_40_s": run.wall_s / len(quarters) * DECADE_QUARTERS,
        }
    )
    return figures


def period_end_for(data: Path) -> str:
    """The batch's default period: the last quarter end before the extract date."""
    import datetime as dt

    from sendready.core.dates import latest_quarter_end

    extract = json.loads((data / "extract.json").read_text(encoding="utf-8"))["extract_date"]
    return latest_quarter_end(dt.date.fromisoformat(extract)).isoformat()


def run_scale(  # noqa: PLR0913 -- one switch per optional stage
    scale: float,
    repeats: int,
    jobs: int = 2,
    naive: bool = True,
    floor: bool = True,
    keep: bool = False,
    quarters: bool = True,
) -> dict:
    """Every stage and both reference points at one scale, in a private temporary folder.

    The batch, its re-run and the two reference points take turns within each repeat, so
    that a machine that gets busier or quieter during the run affects them alike.
    """
    work = Path(tempfile.mkdtemp(prefix=f"sendready-bench-s{scale:g}-"))
    try:
        figures: dict = {"scale": scale, "repeats": repeats, "workdir": str(work)}
        _note(f"scale {scale:g}: sample")
        figures["sample"], data = bench_sample(work, scale, repeats)
        period_end = period_end_for(data)
        figures["period_end"] = period_end
        _note(f"scale {scale:g}: ingest")
        figures["ingest"], staged = bench_ingest(work, data, repeats)
        _note(f"scale {scale:g}: indicators")
        figures["indicators"] = bench_indicators(work, staged, period_end, repeats)
        _note(f"scale {scale:g}: inspection lists")
        figures["lists"] = bench_lists(work, data, staged, period_end, repeats)
        runs: dict[str, list[Measurement]] = {"batch": [], "rerun": [], "naive": [], "floor": []}
        manifests, pairs = [], []
        for i in range(repeats):
            _note(f"scale {scale:g}: batch and re-run ({i + 1} of {repeats})")
            batch, rerun, manifest, folder = batch_once(work, data, jobs)
            runs["batch"].append(batch)
            runs["rerun"].append(rerun)
            manifests.append(manifest)
            pair = {"batch_s": batch.wall_s}
            if naive:
                _note(f"scale {scale:g}: naive loop ({i + 1} of {repeats})")
                runs["naive"].append(naive_once(work, data, period_end, tag=str(i)))
                pair["naive_over_batch"] = runs["naive"][-1].wall_s / batch.wall_s
            if floor:
                _note(f"scale {scale:g}: floor ({i + 1} of {repeats})")
                runs["floor"].append(floor_once(work, data, period_end, tag=str(i)))
                pair["batch_over_floor"] = batch.wall_s / runs["floor"][-1].wall_s
            pairs.append(pair)
        figures.update({name: summarise(m) for name, m in runs.items() if m})
        figures["rerun"]["all_reused"] = all(m.extra.get("reused") for m in runs["rerun"])
        figures["batch_inside"] = _manifest_figures(manifests)
        figures["ratios_each_repeat"] = pairs
        _note(f"scale {scale:g}: export")
        figures["export"] = bench_export(work, folder, repeats)
        if quarters and scale == 1:
            _note(f"scale {scale:g}: every quarter in one run")
            figures["quarters"] = bench_quarters(work, data, jobs)
        _note(f"scale {scale:g}: board paper")
        figures["paper"] = bench_paper(work, folder, repeats)
        return figures
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def _note(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- the work measured inside fresh processes --------------------------------------------


def indicators_main(profile: str, staged: Path, period_end: str) -> dict:
    started = time.perf_counter()
    from sendready.evidence.build import build_evidence
    from sendready.metadata.profile import load_profile

    imported = time.perf_counter()
    rss_before = _usage()[1]
    cpu = time.process_time()
    evidence = build_evidence(load_profile(profile), staged, period_end)
    return {
        "import_s": imported - started,
        "evidence_s": time.perf_counter() - imported,
        "evidence_cpu_s": time.process_time() - cpu,
        "rss_after_import_mb": rss_before,
        "rss_peak_mb": _usage()[1],
        "indicator_rows": len(evidence.table),
        "indicators": int(evidence.table["indicator_id"].nunique()),
    }


def export_main(folder: Path, out: Path) -> dict:
    import nbformat

    from sendready.publish.export import build_exporter, export_html

    started = time.perf_counter()
    exporter = build_exporter()
    built = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted((folder / "notebooks").glob("*.ipynb")):
        html = export_html(
            nbformat.read(path, as_version=4),
            exporter,
            title=path.stem,
            area="bench",
            period_label="bench",
            provenance=[],
        )
        (out / f"{path.stem}.html").write_text(html, encoding="utf-8")
        count += 1
    done = time.perf_counter()
    return {
        "build_exporter_s": built - started,
        "export_all_s": done - built,
        "reports": count,
        "per_report_s": (done - built) / max(count, 1),
    }


def paper_main(folder: Path, out: Path) -> dict:
    """Time the board view alone (what it adds to the index), then the whole paper."""
    import pickle

    from sendready.privacy.disclosure import mark_suppression
    from sendready.publish.boardpaper import board_paper_html, print_pdf
    from sendready.publish.boardview import build_board_view, read_actions

    with open(folder / "evidence" / "evidence.pkl", "rb") as handle:
        evidence = pickle.load(handle)  # the batch's own cache: trusted
    marked = mark_suppression(evidence.table, evidence.profile.disclosure.threshold)
    started = time.perf_counter()
    build_board_view(evidence, marked, {}, {}, None, read_actions(folder))
    viewed = time.perf_counter()
    html = board_paper_html(evidence, folder, [], "bench")
    built = time.perf_counter()
    pdf = print_pdf(html, out / "board-paper.pdf")
    done = time.perf_counter()
    return {
        "board_view_s": viewed - started,
        "paper_html_s": built - viewed,
        "paper_pdf_s": done - built,
        "paper_total_s": done - viewed,
        "paper_kb": pdf.stat().st_size / 1024,
    }


def floor_pages(ctx, only: list[str] | None = None) -> dict[str, str]:
    """Every report of a batch as an HTML string, built by the report classes directly."""
    from sendready.privacy.disclosure import suppression_note
    from sendready.reports import panels
    from sendready.reports.common import heading, paragraph, provenance_html
    from sendready.reports.data_quality import DataQualityReport
    from sendready.reports.summary import BoardSummary
    from sendready.reports.weakness import WeaknessReport

    def wanted(key: str) -> bool:
        return only is None or key in only

    pages = {}
    if wanted("board_summary"):
        board = BoardSummary(ctx)
        pages["board_summary"] = "".join(
            [
                board.headline_html(),
                board.verdicts_html(),
                board.key_indicators_html(),
                board.how_to_read_html(),
                provenance_html(ctx),
            ]
        )
    for weakness in ctx.profile.weaknesses:
        if not wanted(weakness.id):
            continue
        report = WeaknessReport(ctx, weakness.id, "")
        evidence = [
            heading(2, "Evidence, indicator by indicator"),
            paragraph(suppression_note(report.threshold)),
        ]
        drawn: dict[str, str] = {}  # as WeaknessReport.evidence_panels: shared charts once
        evidence += [
            panels.indicator_panel_html(ctx, report.narrator, i, drawn) for i in weakness.indicators
        ]
        pages[weakness.id] = "".join(
            [
                report.headline_html(),
                report.inspection_html(),
                *evidence,
                report.voices_html(),
                report.actions_html(),
                report.commentary_html(),
                report.caveats_html(),
                report.verdict_html(),
                provenance_html(ctx),
            ]
        )
        # The notebook's analyst-only table is computed too (it is left out of the board
        # page, but a batch does the work); in a plain process it only prints a repr.
        report.indicator_table()
    if wanted("data_quality"):
        quality = DataQualityReport(ctx)
        pages["data_quality"] = "".join(
            [
                quality.headline_html(),
                quality.sources_html(),
                quality.reasons_html(),
                quality.linkage_html(),
                quality.completeness_html(),
                provenance_html(ctx),
            ]
        )
    return pages


def floor_main(
    data: Path, out: Path, period_end: str, only: list[str] | None, profile: str = PROFILE
) -> dict:
    """Ingest, indicators and every report in this one process: the least work possible."""
    started = time.perf_counter()
    import matplotlib

    matplotlib.use("Agg")  # a plain process: no notebook to show figures in
    from sendready.evidence.build import build_evidence
    from sendready.ingest.run import run_ingest
    from sendready.metadata.profile import load_profile
    from sendready.publish.paths import pack_dir, restricted_period_dir, staged_dir
    from sendready.reports.context import ReportContext

    imported = time.perf_counter()
    prof = load_profile(profile)
    ingest = run_ingest(prof, data_dir=data, out_dir=staged_dir(out, prof), force=True)
    ingested = time.perf_counter()
    evidence = build_evidence(prof, ingest.out_dir, period_end)
    evidenced = time.perf_counter()
    ctx = ReportContext(
        profile=prof,
        evidence=evidence,
        ingest=ingest,
        data_dir=data,
        outputs=out,
        folder=restricted_period_dir(out, prof, period_end),
    )
    pack = pack_dir(out, prof, period_end)
    pack.mkdir(parents=True, exist_ok=True)
    pages = floor_pages(ctx, only)
    for key, html in pages.items():
        (pack / f"{key}.html").write_text(
            f'<!DOCTYPE html><html lang="en-GB"><meta charset="utf-8">{html}</html>',
            encoding="utf-8",
        )
    done = time.perf_counter()
    return {
        "import_s": imported - started,
        "ingest_s": ingested - imported,
        "evidence_s": evidenced - ingested,
        "reports_s": done - evidenced,
        "reports": len(pages),
        "html_bytes": sum(len(p) for p in pages.values()),
    }


# --- output ------------------------------------------------------------------------------


def _cell(stage: dict | None, name: str, digits: int = 1) -> str:
    if not stage or name not in stage:
        return "–"
    return f"{stage[name]:,.{digits}f}"


def ratios(scale: dict) -> dict:
    """The batch against the reference points: medians of wall time (the budgets) and of
    CPU time (steadier on a busy machine, but blind to the batch's second worker)."""
    out = {}
    batch, floor, naive = (scale.get(k) or {} for k in ("batch", "floor", "naive"))
    for measure_, suffix in (("wall_s", ""), ("cpu_s", "_cpu")):
        if batch.get(measure_) and floor.get(measure_):
            out[f"batch_over_floor{suffix}"] = batch[measure_] / floor[measure_]
        if batch.get(measure_) and naive.get(measure_):
            out[f"naive_over_batch{suffix}"] = naive[measure_] / batch[measure_]
    return out


def _paper_checks(one: dict) -> list[tuple]:
    """The board paper's wall time and the board view's share of the batch, at scale 1."""
    inside = (one.get("paper") or {}).get("inside", {})
    if "paper_total_s" not in inside or not one.get("batch", {}).get("wall_s"):
        return []
    share = inside["board_view_s"] / one["batch"]["wall_s"]
    return [
        ("board paper (PDF) at scale 1", inside["paper_total_s"], "<",
         BUDGETS["paper_seconds_max"], " s"),
        ("board view / batch at scale 1", share, "<", BUDGETS["board_view_share_max"], ""),
    ]  # fmt: skip


def budget_lines(results: dict) -> list[str]:
    """Each budget with the measured figure and whether it was met."""
    by_scale = {s["scale"]: s for s in results["scales"]}
    checks = []
    one, ten = by_scale.get(1.0), by_scale.get(10.0)
    if one:
        r = ratios(one)
        if "batch_over_floor" in r:
            checks.append(
                (
                    "batch / floor at scale 1",
                    r["batch_over_floor"],
                    "<=",
                    BUDGETS["batch_over_floor_max"],
                    "x",
                )
            )
        checks += _paper_checks(one)
        if "naive_over_batch" in r:
            checks.append(
                (
                    "naive loop / batch at scale 1",
                    r["naive_over_batch"],
                    ">=",
                    BUDGETS["naive_over_batch_min"],
                    "x",
                )
            )
    if ten:
        checks += [
            (
                "batch wall time at scale 10",
                ten["batch"]["wall_s"],
                "<",
                BUDGETS["scale10_batch_seconds_max"],
                " s",
            ),
            (
                "batch peak memory at scale 10",
                ten["batch"]["peak_tree_mb"],
                "<",
                BUDGETS["scale10_batch_memory_mb_max"],
                " MB",
            ),
            (
                "ingest wall time at scale 10",
                ten["ingest"]["wall_s"],
                "<",
                BUDGETS["scale10_ingest_seconds_max"],
                " s",
            ),
        ]
        if "lists" in ten:
            checks.append(
                (
                    "inspection lists wall time at scale 10",
                    ten["lists"]["wall_s"],
                    "<",
                    BUDGETS["scale10_lists_seconds_max"],
                    " s",
                )
            )
    checks += _quarters_checks(one)
    for s in results["scales"]:
        what = f"unchanged re-run at scale {s['scale']:g}"
        if not s["rerun"].get("all_reused", True):
            what += " (did not reuse: the suite's code changed during the run)"
        checks.append((what, s["rerun"]["wall_s"], "<", BUDGETS["rerun_seconds_max"], " s"))
    public = results.get("public")
    if public:
        checks += [
            (
                "one public pack",
                public["one"]["wall_s"],
                "<",
                BUDGETS["public_one_seconds_max"],
                " s",
            ),
            (
                "all 153 public packs",
                public["all"]["wall_s"],
                "<",
                BUDGETS["public_all_seconds_max"],
                " s",
            ),
        ]
    ops = {"<": float.__lt__, "<=": float.__le__, ">=": float.__ge__}
    return [
        f"| {what} | {value:,.2f}{unit} | {op} {limit:g}{unit} | "
        f"{'met' if ops[op](float(value), float(limit)) else 'NOT met'} |"
        for what, value, op, limit, unit in checks
    ]


def _quarters_checks(one: dict | None) -> list[tuple]:
    """The 40-quarter budget: measured when the sample covers 40 quarters, else projected
    from the time per quarter (and said to be a projection)."""
    q = (one or {}).get("quarters")
    if not q:
        return []
    limit = BUDGETS["quarters40_seconds_max"]
    if q["quarters"] >= DECADE_QUARTERS:
        return [(f"all {q['quarters']} quarterly packs at scale 1", q["wall_s"], "<", limit, " s")]
    return [
        (
            f"40 quarterly packs at scale 1, projected from {q['quarters']} "
            f"({q['per_quarter_s']:.1f} s a quarter)",
            q["projected_40_s"],
            "<",
            limit,
            " s",
        )
    ]


def markdown(results: dict) -> str:
    """bench.md: one table of stages by scale, the budgets, and the machine."""
    scales = results["scales"]
    head = (
        "| stage | "
        + " | ".join(f"scale {s['scale']:g}: wall s | CPU s | peak MB" for s in scales)
        + " |"
    )
    rule = "|---|" + "---:|---:|---:|" * len(scales)
    rows = []
    stages = [
        ("sample generation", "sample"),
        ("ingest", "ingest"),
        ("indicators (build_evidence)", "indicators"),
        ("inspection lists (`sendready lists`)", "lists"),
        ("export, all reports", "export"),
        ("whole batch (`sendready run --force`)", "batch"),
        ("unchanged re-run", "rerun"),
        ("every quarter the data covers, one run (`--period-end FIRST..LAST`)", "quarters"),
        ("reference (a): naive loop", "naive"),
        ("reference (b): floor, one process", "floor"),
    ]
    for label, key in stages:
        cells = [
            f"{_cell(s.get(key), 'wall_s')} | {_cell(s.get(key), 'cpu_s')} | "
            f"{_cell(s.get(key), 'peak_tree_mb', 0)}"
            for s in scales
        ]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    keys = list(dict.fromkeys(k for s in scales for k in s["batch_inside"]["notebooks"]))
    for key in keys:
        cells = [
            f"{_cell(s['batch_inside']['notebooks'].get(key), 'seconds')} | – | –" for s in scales
        ]
        rows.append(f"| notebook {key} (in the batch, 2 at a time) | " + " | ".join(cells) + " |")
    machine = results["machine"]
    lines = [
        "# sendready benchmark",
        "",
        f"Produced {results['created']} by `python -m sendready.dev.bench`. Medians of "
        f"{', '.join(str(s['repeats']) for s in scales)} repeat(s); peak MB is the summed "
        "memory (PSS) of every process of the stage at its highest.",
        "",
        head,
        rule,
        *rows,
        "",
        "| ratio | " + " | ".join(f"scale {s['scale']:g}" for s in scales) + " |",
        "|---|" + "---:|" * len(scales),
    ]
    for name in (
        "batch_over_floor",
        "naive_over_batch",
        "batch_over_floor_cpu",
        "naive_over_batch_cpu",
    ):
        lines.append(
            f"| {name.replace('_cpu', ' (CPU)').replace('_', ' ')} | "
            + " | ".join(f"{ratios(s)[name]:.2f}" if name in ratios(s) else "–" for s in scales)
            + " |"
        )
    lines += [
        "",
        "| budget | measured | limit | |",
        "|---|---:|---:|---|",
        *budget_lines(results),
        "",
        f"Machine: {machine['cpu_model']}, {machine['cores']} cores, "
        f"{machine['ram_mb']:,} MB RAM, Python {machine['python']}; load average "
        f"{', '.join(f'{x:.1f}' for x in machine['load_average'] or [])} at the start "
        f"and {', '.join(f'{x:.1f}' for x in results.get('load_average_end') or [])} "
        "at the end. A busy machine slows every figure: compare runs on the same "
        "machine only.",
        "",
    ]
    return "\n".join(lines)


def write_results(results: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    as_json, as_md = out_dir / "bench.json", out_dir / "bench.md"
    as_json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    as_md.write_text(markdown(results), encoding="utf-8")
    return as_json, as_md


# --- command line --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_rusage"]:  # python -m sendready.dev.bench _rusage FILE -- CMD...
        return _rusage_main(argv[1], argv[3:])
    if argv[:1] and argv[0].startswith("_"):
        return _inner_main(argv)
    parser = argparse.ArgumentParser(
        prog="python -m sendready.dev.bench",
        description=("Measure every stage of the batch at each scale, with two reference points."),
    )
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="repeats per stage (default 3 at scale 1, 1 at larger scales)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="batch workers (default 2)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where bench.json and bench.md go (default outputs/bench)",
    )
    parser.add_argument("--no-naive", action="store_true", help="skip the naive loop")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--no-public", action="store_true", help="skip the public packs")
    parser.add_argument(
        "--no-quarters",
        action="store_true",
        help="skip every quarter's pack in one run (scale 1)",
    )
    args = parser.parse_args(argv)
    results = {
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine_info(),
        "budgets": BUDGETS,
        "jobs": args.jobs,
        "scales": [],
    }
    for scale in args.scales:
        repeats = args.repeats or (3 if scale <= 1 else 1)
        results["scales"].append(
            run_scale(
                scale,
                repeats,
                args.jobs,
                naive=not args.no_naive,
                floor=not args.no_floor,
                keep=args.keep,
                quarters=not args.no_quarters,
            )
        )
        results["load_average_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
        write_results(results, args.out or repo_root() / "outputs" / "bench")
    if not args.no_public:
        with tempfile.TemporaryDirectory(prefix="sendready-public-") as work:
            results["public"] = bench_public(Path(work), repeats=3)
    as_json, as_md = write_results(results, args.out or repo_root() / "outputs" / "bench")
    print(as_md.read_text(encoding="utf-8"))
    print(f"Written {as_json} and {as_md}")
    return 0


def _inner_main(argv: list[str]) -> int:
    """The measured work itself, run by :func:`measure` in fresh processes."""
    parser = argparse.ArgumentParser(prog="python -m sendready.dev.bench")
    parser.add_argument("task", choices=["_indicators", "_export", "_floor", "_paper"])
    parser.add_argument("--profile", default=PROFILE)
    parser.add_argument("--staged", type=Path)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--period-end")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.task == "_indicators":
        figures = indicators_main(args.profile, args.staged, args.period_end)
    elif args.task == "_export":
        figures = export_main(args.folder, args.out)
    elif args.task == "_paper":
        figures = paper_main(args.folder, args.out)
    else:
        figures = floor_main(args.data, args.out, args.period_end, args.only, args.profile)
    args.json.write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
