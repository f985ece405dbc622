"""``sendready run`` end to end: a clean run, its manifest and log, re-runs, failures.

The clean run is the shared ``sample_pack`` (conftest.py). The failure tests run a cut-down
profile (W2 and W4) whose W2 points at a notebook that raises, from a copy of the
notebooks folder, so that only four short notebooks run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers import REPO_ROOT
from helpers.pack_checks import SAMPLE_PACK_PROFILE, external_references, scan
from sendready import cli
from sendready.metadata.profile import load_profile, resolve_profile_path
from sendready.publish.paths import PeriodPaths
from sendready.publish.pipeline import plan_jobs, run_pack

ROOT = REPO_ROOT
PERIOD = "2019-03-31"  # the first story's test quarter, named: the sample runs to March 2026
FAILURE_TEXT = "planted failure for the batch test"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _report_keys(profile_id: str = SAMPLE_PACK_PROFILE) -> list[str]:
    profile = load_profile(profile_id)
    return ["board_summary", *[w.id for w in profile.weaknesses], "data_quality"]


# --- the clean run -------------------------------------------------------------------


def test_clean_run_writes_the_index_and_every_report(sample_pack):
    folder, restricted = sample_pack.folder, sample_pack.restricted
    # No period given: the last quarter end before the sample's extract date.
    assert folder == sample_pack.outputs / SAMPLE_PACK_PROFILE / "board-pack" / PERIOD
    assert restricted == sample_pack.outputs / SAMPLE_PACK_PROFILE / "restricted" / PERIOD
    assert not sample_pack.outcome.reused and not sample_pack.outcome.failed
    for key in _report_keys():
        assert (folder / f"{key}.html").stat().st_size > 10_000, key
        executed = nbformat.read(restricted / "notebooks" / f"{key}.ipynb", as_version=4)
        # papermill injected this run's parameters into the executed notebook.
        injected = [
            c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])
        ]
        assert injected and f'period_end = "{PERIOD}"' in injected[0].source
        fingerprint = json.loads(
            (sample_pack.restricted.parent / "staged" / "ingest_cache.json").read_text()
        )["fingerprint"]
        assert f'staged_fingerprint = "{fingerprint}"' in injected[0].source
    assert (folder / "index.html").is_file() and (folder / "pack.html").is_file()
    done = [line for line in sample_pack.progress if "] " in line and ": ok (" in line]
    assert len(done) == len(_report_keys())
    print(f"clean batch run: {sample_pack.seconds:.1f} s")


def test_no_exported_file_refers_to_an_external_address(sample_pack):
    pages = sorted(sample_pack.outputs.rglob("*.html"))
    # reports, index.html, pack.html, and the profile's history page (board-pack/index.html)
    assert len(pages) == len(_report_keys()) + 3
    problems = {
        p.name: refs for p in pages if (refs := external_references(p.read_text(encoding="utf-8")))
    }
    assert problems == {}


def test_every_report_follows_the_board_report_rules(sample_pack):
    manifest = json.loads((sample_pack.restricted / "manifest.json").read_text())
    fingerprint = manifest["inputs"]["fingerprint"][:16]
    for key in _report_keys():
        html = (sample_pack.folder / f"{key}.html").read_text(encoding="utf-8")
        found = scan(html)
        assert '<html lang="en-GB">' in html, key
        assert found.h1 == 1 and found.scripts == 0, key
        assert max(found.ids.values()) == 1, key
        title = html.split("<title>", 1)[1].split("</title>", 1)[0]
        assert "(Bury)" in title, key
        assert 'class="sr-contents"' in html, key  # table of contents
        assert "@media print" in html and "size: A4" in html, key
        footer = html.split('<footer class="sr-provenance">', 1)[1]
        for expected in (
            SAMPLE_PACK_PROFILE,
            "Quarter to 31 March 2019",
            fingerprint,
            manifest["versions"]["sendready"],
            "Produced",
        ):
            assert expected in footer, (key, expected)
        # No code and no prompts reach a board reader.
        assert "open_report(" not in html and "In&nbsp;[" not in html, key
        assert "Out[" not in html, key
        for img in found.imgs:
            alt = (img.get("alt") or "").strip()
            assert len(alt) > 30 and "No description has been provided" not in alt, key
    # Charts are there, so the alt-text checks above had something to check.
    assert len(scan((sample_pack.folder / "W1.html").read_text()).imgs) >= 1


def test_manifest_records_parameters_inputs_versions_timings_and_status(sample_pack):
    manifest = json.loads((sample_pack.restricted / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["failed"] == []
    params = manifest["parameters"]
    assert params["period_end"] == PERIOD and params["profile_id"] == SAMPLE_PACK_PROFILE
    assert params["jobs"] == 2 and params["kernel"] == "sendready"
    assert params["data_dir"] == str(sample_pack.data_dir.resolve())

    # Every input file, hashed here independently.
    files = {f["file"]: f for f in manifest["inputs"]["files"] if f.get("file")}
    data_files = {
        p.name
        for p in sample_pack.data_dir.iterdir()
        if p.suffix in {".csv", ".xlsx", ".parquet"} and p.name not in {"planted_faults.csv"}
    }
    assert data_files <= set(files) | {"scenario.json"}
    for name, record in files.items():
        path = sample_pack.data_dir / name
        assert record["sha256"] == _sha256(path), name
        assert record["bytes"] == path.stat().st_size, name
    profile_file = resolve_profile_path(SAMPLE_PACK_PROFILE)
    assert manifest["profile"]["sha256"] == _sha256(profile_file)
    assert manifest["notebooks_sha256"]["10_weakness_report.ipynb"] == _sha256(
        ROOT / "notebooks" / "10_weakness_report.ipynb"
    )

    assert manifest["versions"]["pandas"] == pd.__version__
    assert manifest["versions"]["nbconvert"] == __import__("nbconvert").__version__
    timings = manifest["timings_seconds"]
    assert {"ingest", "evidence", "notebooks", "index", "total"} <= set(timings)
    assert timings["total"] >= timings["notebooks"] > 0

    records = {r["key"]: r for r in manifest["notebooks"]}
    assert list(records) == _report_keys()
    for key, record in records.items():
        assert record["status"] == "ok" and record["reused"] is False, key
        assert record["seconds"] >= record["execute_seconds"] > 0, key
        assert record["html"] == f"{key}.html" and record["attempts"] in (1, 2), key
        assert record["executed"] == f"notebooks/{key}.ipynb", key
        assert record["html_sha256"] == _sha256(sample_pack.folder / f"{key}.html"), key
    # The verdicts match the evidence the reports were drawn from.
    verdicts = json.loads((sample_pack.restricted / "evidence" / "verdicts.json").read_text())
    assert manifest["verdicts"] == {k: v["verdict"] for k, v in verdicts["verdicts"].items()}
    # Every exported page, hashed here independently.
    pages = [f"{k}.html" for k in _report_keys()] + ["index.html", "pack.html"]
    assert manifest["exported"] == {p: _sha256(sample_pack.folder / p) for p in pages}
    assert manifest["rebuilt"] == {}


def test_the_pack_manifest_has_hashes_but_no_path_and_no_error_text(sample_pack):
    full = json.loads((sample_pack.restricted / "manifest.json").read_text())
    text = (sample_pack.folder / "manifest.json").read_text(encoding="utf-8")
    shared = json.loads(text)
    assert shared["files_sha256"] == full["exported"]
    assert shared["run_key"] == full["run_key"] and shared["verdicts"] == full["verdicts"]
    assert [r["key"] for r in shared["reports"]] == _report_keys()
    for needle in (
        str(sample_pack.outputs),
        str(sample_pack.data_dir),
        "restricted",
        "evidence/",
        ".ipynb",
        "run.log",
        ".csv",
        '"error"',
    ):
        assert needle not in text, needle


def test_run_log_records_configuration_progress_and_kernels(sample_pack):
    log = (sample_pack.restricted / "run.log").read_text(encoding="utf-8")
    assert "run configuration" in log and "Ingest for profile" in log
    for key in _report_keys():
        assert f"{key}: done in" in log, key
    # Kernel chatter went to the log, not to the progress lines on the terminal.
    assert not [
        line
        for line in sample_pack.progress
        if "IPKernelApp" in line or "Kernel is running" in line
    ]
    assert "Kernel is running over TCP" not in log  # kernels used the ipc transport


def test_rerun_with_unchanged_inputs_reuses_the_pack(sample_pack):
    index = sample_pack.folder / "index.html"
    before = index.stat().st_mtime_ns
    lines: list[str] = []
    start = time.perf_counter()
    (outcome,) = run_pack(
        SAMPLE_PACK_PROFILE,
        sample_pack.data_dir,
        [PERIOD],
        sample_pack.outputs,
        jobs=2,
        single_file=True,
        progress=lines.append,
    )
    seconds = time.perf_counter() - start
    assert outcome.reused, lines
    assert [r.key for r in outcome.results] == _report_keys()
    assert all(r.reused and r.status == "ok" for r in outcome.results)
    assert index.stat().st_mtime_ns == before
    assert seconds < min(10.0, sample_pack.seconds / 3), seconds


_LIGHT_RERUN = """
import json, sys
from pathlib import Path
import sendready.core.fingerprints as fingerprints
read = []
real = fingerprints.file_sha256
def counting(path):
    read.append(str(Path(path).resolve()))
    return real(path)
fingerprints.file_sha256 = counting
from sendready.publish.pipeline import run_pack
def rerun():
    return run_pack(sys.argv[1], Path(sys.argv[2]), [sys.argv[3]], Path(sys.argv[4]),
                    jobs=2, single_file=True, progress=lambda line: None)
# The first re-run may hash extracts written too recently to be remembered (the sample
# is generated just before the batch); from then on none is read.
rerun()
read.clear()
(outcome,) = rerun()
heavy = sorted(m for m in ("pandas", "numpy", "pyarrow", "pandera", "scipy", "matplotlib",
                           "seaborn", "nbformat", "nbconvert", "papermill") if m in sys.modules)
print(json.dumps({"reused": outcome.reused, "read": read, "heavy": heavy}))
"""


def test_an_unchanged_rerun_reads_no_extract_and_imports_no_heavy_library(sample_pack):
    # What keeps a re-run near a quarter of a second even for a large county (bench.md):
    # the input hashes come from the memo, and pandas, scipy, matplotlib and nbconvert are
    # imported only when there is work to do. A fresh process, as a lead's command is.
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _LIGHT_RERUN,
            SAMPLE_PACK_PROFILE,
            str(sample_pack.data_dir),
            PERIOD,
            str(sample_pack.outputs),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    data = str(sample_pack.data_dir.resolve())
    assert seen["reused"] is True
    assert [p for p in seen["read"] if p.startswith(data + os.sep)] == []
    assert seen["heavy"] == []


# --- reuse verifies what it reuses ------------------------------------------------------


def _cli_run(pack, capsys, *extra: str) -> tuple[int, str, str]:
    """``sendready run`` with the same options as the sample pack, as typed at a terminal."""
    code = cli.main(
        [
            "run",
            "--profile",
            SAMPLE_PACK_PROFILE,
            "--data",
            str(pack.data_dir),
            "--out",
            str(pack.outputs),
            "--period-end",
            PERIOD,
            "--jobs",
            "2",
            "--single-file",
            *extra,
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_an_altered_or_deleted_page_is_rebuilt_and_the_run_says_so(sample_pack, capsys):
    """Finding: a report overwritten with garbage, then a re-run: "reused", all ok."""
    folder = sample_pack.folder
    genuine = {"W1.html": (folder / "W1.html").read_text(encoding="utf-8")}
    (folder / "W1.html").write_text("<p>garbage</p>", encoding="utf-8")
    (folder / "data_quality.html").unlink()
    code, out, err = _cli_run(sample_pack, capsys)
    assert code == 0, err
    assert f"{PERIOD}: W1.html was altered since the last run" in out
    assert f"{PERIOD}: data_quality.html is missing (the last run exported it)" in out
    assert "rebuilding it" in out
    assert "inputs and parameters unchanged, reusing" not in out
    assert "(all ok; rebuilt W1.html (altered), data_quality.html (missing))" in out
    assert "running 2 notebooks" in out  # W1 and data_quality only; the rest reused
    assert (folder / "W1.html").read_bytes() != b"<p>garbage</p>"
    assert b"garbage" not in (folder / "pack.html").read_bytes()
    assert (folder / "data_quality.html").is_file()
    for manifest in (sample_pack.restricted / "manifest.json", folder / "manifest.json"):
        content = json.loads(manifest.read_text())
        assert content["rebuilt"] == {"W1.html": "altered", "data_quality.html": "missing"}
    full = json.loads((sample_pack.restricted / "manifest.json").read_text())
    records = {r["key"]: r for r in full["notebooks"]}
    assert records["W1"]["reused"] is False and records["W1"]["rebuilt"] == "altered"
    assert records["W4"]["reused"] is True and records["W4"]["rebuilt"] == ""
    assert full["exported"]["W1.html"] == _sha256(folder / "W1.html")
    # The rebuilt page is a real report again.
    rebuilt = (folder / "W1.html").read_text(encoding="utf-8")
    assert len(rebuilt) > len(genuine["W1.html"]) // 2 and scan(rebuilt).h1 == 1

    # The index alone, altered: rebuilt without running a notebook.
    (folder / "index.html").write_text("<p>all ok</p>", encoding="utf-8")
    code, out, err = _cli_run(sample_pack, capsys)
    assert code == 0, err
    assert "index.html was altered" in out and "running 0 notebooks" in out
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "<p>all ok</p>" not in index and 'href="W1.html"' in index and scan(index).h1 == 1
    # And now nothing is out of place: the next run reuses everything.
    code, out, err = _cli_run(sample_pack, capsys)
    assert code == 0 and "(reused)" in out and "rebuilt" not in out


# --- outputs that cannot be written ------------------------------------------------------


def _one_line_exit_2(code: int, err: str, folder: Path) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sendready: cannot write to") and str(folder) in lines[0]
    assert "--out" in lines[0] and "internal error" not in err and "Traceback" not in err


def test_a_file_where_the_outputs_folder_should_be_is_exit_2(sample_pack, tmp_path, capsys):
    blocker = tmp_path / "outputs"
    blocker.write_text("a file, not a folder")
    code = cli.main(
        ["run", "--data", str(sample_pack.data_dir), "--out", str(blocker), "--period-end", PERIOD]
    )
    _one_line_exit_2(code, capsys.readouterr().err, blocker)


def _chattr(flag: str, path: Path) -> bool:
    done = subprocess.run(["chattr", flag, str(path)], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.parametrize("which", ["folder", "restricted"])
def test_a_read_only_finished_pack_is_exit_2_naming_the_folder(sample_pack, capsys, which):
    """Finding: a read-only folder holding a finished pack gave "internal error
    (OSError ... run.log)". Root ignores permission bits, so the folder is made immutable
    (``chattr +i``), which refuses root too."""
    folder = getattr(sample_pack, which)
    if shutil.which("chattr") is None or not _chattr("+i", folder):
        pytest.skip("chattr +i is not available on this file system")
    try:
        code, _out, err = _cli_run(sample_pack, capsys)
    finally:
        _chattr("-i", folder)
    _one_line_exit_2(code, err, folder)


# --- a failing notebook ----------------------------------------------------------------


def _failing_notebook(path: Path) -> None:
    """A report notebook that takes the usual parameters and then raises."""
    nb = new_notebook(
        cells=[
            new_code_cell(
                'profile = ""\ndata_dir = ""\nperiod_end = ""\noutputs_dir = ""\nweakness_id = ""',
                metadata={"tags": ["parameters"]},
            ),
            new_markdown_cell("# A report that cannot be produced"),
            new_code_cell(f"raise RuntimeError({FAILURE_TEXT!r})"),
        ],
        metadata={
            "kernelspec": {
                "name": "sendready",
                "display_name": "Python 3 (sendready)",
                "language": "python",
            },
            "language_info": {"name": "python"},
        },
    )
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def failing_setup(sample_pack, tmp_path_factory):
    """A project folder with its own notebooks (plus a failing one) and a two-weakness
    profile whose W2 uses it."""
    root = tmp_path_factory.mktemp("failing_pack")
    project = root / "project"
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    _failing_notebook(project / "notebooks" / "99_failing.ipynb")
    raw = yaml.safe_load(resolve_profile_path(SAMPLE_PACK_PROFILE).read_text())
    raw["id"] = "test-failing-pack"
    raw["weaknesses"] = [w for w in raw["weaknesses"] if w["id"] in ("W2", "W4")]
    raw["weaknesses"][0]["notebook"] = "99_failing"  # W2
    profile = root / "failing-profile.yaml"
    profile.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return {
        "root": root,
        "project": project,
        "profile": profile,
        "data": sample_pack.data_dir,
        "outputs": root / "outputs",
        "folder": root / "outputs" / "test-failing-pack" / "board-pack" / PERIOD,
        "restricted": root / "outputs" / "test-failing-pack" / "restricted" / PERIOD,
    }


def test_plan_pins_the_staged_data_and_gives_bespoke_notebooks_their_own_kernel(
    failing_setup, tmp_path
):
    s = failing_setup
    profile = load_profile(str(s["profile"]))
    jobs = plan_jobs(
        profile,
        str(s["profile"]),
        s["data"],
        tmp_path,
        PERIOD,
        PeriodPaths(pack=tmp_path / "pack", restricted=tmp_path / "restricted"),
        s["project"] / "notebooks",
        [],
        600,
        1800,
        staged_fingerprint="f" * 64,
    )
    assert {j.key: j.shared_kernel for j in jobs} == {
        "board_summary": True,
        "W2": False,
        "W4": True,
        "data_quality": True,
    }
    assert all(j.parameters["staged_fingerprint"] == "f" * 64 for j in jobs)
    # Pages go to the board pack, executed notebooks to the restricted folder.
    assert {Path(j.html_path).parent for j in jobs} == {tmp_path / "pack"}
    assert {Path(j.executed_path).parent for j in jobs} == {tmp_path / "restricted" / "notebooks"}
    # Without a pin (the bench's naive loop, an analyst's own run) no parameter is passed.
    unpinned = plan_jobs(
        profile,
        str(s["profile"]),
        s["data"],
        tmp_path,
        PERIOD,
        PeriodPaths(pack=tmp_path / "pack", restricted=tmp_path / "restricted"),
        s["project"] / "notebooks",
        [],
        600,
        1800,
    )
    assert not any("staged_fingerprint" in j.parameters for j in unpinned)


@pytest.fixture(scope="module")
def failed_run(failing_setup):
    """``sendready run`` from the project folder, as a lead would type it."""
    s = failing_setup
    mp = pytest.MonkeyPatch()
    capture = s["root"] / "terminal.txt"
    try:
        mp.chdir(s["project"])  # the notebooks folder is found from the working folder
        # Capture what reaches the terminal at the file-descriptor level, where worker
        # processes and kernels would write if their output were not redirected.
        # (sys.stdout and sys.stderr are pytest's own objects, so rebind them too.)
        saved = os.dup(1), os.dup(2)
        with open(capture, "wb") as sink:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            mp.setattr(sys, "stdout", open(1, "w", encoding="utf-8", closefd=False))
            mp.setattr(sys, "stderr", open(2, "w", encoding="utf-8", closefd=False))
            try:
                code = cli.main(
                    [
                        "run",
                        "--profile",
                        str(s["profile"]),
                        "--data",
                        str(s["data"]),
                        "--out",
                        str(s["outputs"]),
                        "--period-end",
                        PERIOD,
                        "--jobs",
                        "2",
                    ]
                )
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
                os.close(saved[0])
                os.close(saved[1])
    finally:
        mp.undo()
    return {**s, "code": code, "terminal": capture.read_text(errors="replace")}


def test_a_failing_notebook_fails_the_run_but_not_the_others(failed_run):
    folder, restricted = failed_run["folder"], failed_run["restricted"]
    assert failed_run["code"] != 0
    assert "FAILED" in failed_run["terminal"] and "W2" in failed_run["terminal"]
    for key in ("board_summary", "W4", "data_quality"):
        assert (folder / f"{key}.html").is_file(), key
    assert not (folder / "W2.html").exists()  # never a board report for a failed notebook
    # The executed notebook is kept (with its error) for the analyst.
    assert FAILURE_TEXT in (restricted / "notebooks" / "W2.ipynb").read_text()

    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "Reports that failed to run" in index
    w2_row = index.split('<th scope="row">W2:', 1)[1].split("</tr>", 1)[0]
    assert "report failed to run" in w2_row and 'href="W2.html"' not in index
    assert 'href="W4.html"' in index
    # The exception's text (which could quote data) stays in the log and the manifest.
    assert FAILURE_TEXT not in index

    manifest = json.loads((restricted / "manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["failed"] == ["W2"]
    records = {r["key"]: r for r in manifest["notebooks"]}
    assert records["W2"]["status"] == "failed" and FAILURE_TEXT in records["W2"]["error"]
    assert {k: r["status"] for k, r in records.items() if k != "W2"} == {
        "board_summary": "ok",
        "W4": "ok",
        "data_quality": "ok",
    }
    assert FAILURE_TEXT in (restricted / "run.log").read_text()
    # Nor does the board pack's own manifest: only the short reason the index shows.
    assert FAILURE_TEXT not in (folder / "manifest.json").read_text()
    # Progress lines only: no kernel or worker chatter reached the terminal.
    for noise in ("IPKernelApp", "Kernel is running", "KeyboardInterrupt", "Traceback"):
        assert noise not in failed_run["terminal"], noise


@pytest.fixture(scope="module")
def rerun_after_failure(failed_run):
    restricted = failed_run["restricted"]
    mtimes = {p.name: p.stat().st_mtime_ns for p in (restricted / "notebooks").glob("*.ipynb")}
    (outcome,) = run_pack(
        str(failed_run["profile"]),
        failed_run["data"],
        [PERIOD],
        failed_run["outputs"],
        jobs=2,
        notebook_dir=failed_run["project"] / "notebooks",
        progress=lambda line: None,
    )
    return {**failed_run, "outcome": outcome, "mtimes": mtimes}


def test_rerun_after_a_failure_reruns_only_the_failed_notebook(rerun_after_failure):
    outcome, folder = rerun_after_failure["outcome"], rerun_after_failure["restricted"]
    assert not outcome.reused  # a failed pack is never reused as a whole
    reused = {r.key: r.reused for r in outcome.results}
    assert reused == {"board_summary": True, "W2": False, "W4": True, "data_quality": True}
    assert [r.key for r in outcome.failed] == ["W2"]
    mtimes = rerun_after_failure["mtimes"]
    assert (folder / "notebooks" / "W4.ipynb").stat().st_mtime_ns == mtimes["W4.ipynb"]
    assert (folder / "notebooks" / "W2.ipynb").stat().st_mtime_ns != mtimes["W2.ipynb"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {r["key"]: r["reused"] for r in manifest["notebooks"]} == reused


def test_force_redoes_everything(rerun_after_failure):
    s = rerun_after_failure
    folder = s["restricted"]
    staged_cache = (
        s["outputs"] / "test-failing-pack" / "restricted" / "staged" / "ingest_cache.json"
    )
    ingest_before = json.loads(staged_cache.read_text())["created"]
    executed_before = (folder / "notebooks" / "W4.ipynb").stat().st_mtime_ns
    time.sleep(1.1)  # the ingest cache records its time to the second
    (outcome,) = run_pack(
        str(s["profile"]),
        s["data"],
        [PERIOD],
        s["outputs"],
        jobs=2,
        force=True,
        notebook_dir=s["project"] / "notebooks",
        progress=lambda line: None,
    )
    assert not outcome.reused
    assert not any(r.reused for r in outcome.results)
    assert (folder / "notebooks" / "W4.ipynb").stat().st_mtime_ns != executed_before
    assert json.loads(staged_cache.read_text())["created"] != ingest_before  # re-ingested
    assert [r.key for r in outcome.failed] == ["W2"]
