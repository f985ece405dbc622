"""A change to the suite's code reaches the pack without ``--force``.

The evidence cache (``evidence/evidence.pkl``) was once keyed on the staged data, the
profile, the period and the version only: after an indicator's definition changed, a
re-run re-ran every report, which reloaded the old evidence, so the pack kept the old
title (and would have kept old figures). Here a copy of the package runs the sample pack
from a command line, as a lead would; then EHC01's title is changed in the copy's
definition and the same command is run again. The new title must reach the evidence table
and every page that shows EHC01, the staged data (whose code did not change) must be
reused, and a third, unchanged run must reuse everything.

Each run is a fresh process whose ``PYTHONPATH`` points at the copy; the batch's kernels
inherit it, so the notebooks run the copy's code too. Two full batches: about a minute.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers import REPO_ROOT

PROFILE = "bury-2017-wsoa"
PERIOD = "2019-03-31"  # the first story's test quarter, named: the sample runs to March 2026
OLD_TITLE = "EHC plans issued within 20 weeks"
NEW_TITLE = "EHC plans finalised inside 20 weeks"
DEFINITION = Path("indicators") / "definitions" / "statutory.yaml"  # EHC01 is declared
# The pages that show EHC01: its weakness (W1), the board summary (a key indicator) and
# the index.
PAGES = ("W1.html", "board_summary.html", "index.html")


def _command(project: Path, *args: str) -> tuple[str, float]:
    env = {**os.environ, "PYTHONPATH": str(project / "lib")}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "sendready", *args],
        cwd=project,  # the notebooks folder is found from the working folder
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.perf_counter() - start
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output, seconds


def _snapshot(folder: Path, output: str, seconds: float) -> dict:
    """``folder``: the board pack; its evidence and manifest are in the restricted folder."""
    restricted = folder.parents[1] / "restricted" / folder.name
    table = pd.read_parquet(restricted / "evidence" / "indicators.parquet")
    return {
        "output": output,
        "seconds": seconds,
        "titles": set(table.loc[table["indicator_id"] == "EHC01", "title"].astype(str)),
        "pages": {name: (folder / name).read_text(encoding="utf-8") for name in PAGES},
        "manifest": (restricted / "manifest.json").read_text(encoding="utf-8"),
        "evidence_key": (restricted / "evidence" / "evidence.key").read_text(),
        "index_mtime": (folder / "index.html").stat().st_mtime_ns,
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """The pack run three times: as shipped, after retitling EHC01, and unchanged.

    (A missing or foreign kernel fails the first command, with its own explanation.)
    """
    project = tmp_path_factory.mktemp("stale_evidence")
    package = project / "lib" / "sendready"
    shutil.copytree(
        REPO_ROOT / "lib" / "sendready", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(REPO_ROOT / "notebooks", project / "notebooks")
    data, outputs = project / "data", project / "outputs"
    folder = outputs / PROFILE / "board-pack" / PERIOD
    _command(project, "sample", "--out", str(data), "--scale", "0.15", "--seed", "7")
    run = (
        "run",
        "--profile",
        PROFILE,
        "--data",
        str(data),
        "--out",
        str(outputs),
        "--period-end",
        PERIOD,
    )

    first = _snapshot(folder, *_command(project, *run))

    definition = package / DEFINITION
    text = definition.read_text(encoding="utf-8")
    assert text.count(f"title: {OLD_TITLE}\n") == 1
    definition.write_text(
        text.replace(f"title: {OLD_TITLE}\n", f"title: {NEW_TITLE}\n"), encoding="utf-8"
    )
    edited = _snapshot(folder, *_command(project, *run))  # no --force
    unchanged = _snapshot(folder, *_command(project, *run))
    return {"first": first, "edited": edited, "unchanged": unchanged, "folder": folder}


def test_the_first_run_shows_the_shipped_title(runs):
    first = runs["first"]
    assert first["titles"] == {OLD_TITLE}
    for name, html in first["pages"].items():
        assert OLD_TITLE in html, name
    assert f"{PERIOD}: evidence computed" in first["output"]


def test_a_changed_definition_rebuilds_the_evidence_and_the_reports(runs):
    edited = runs["edited"]
    # The evidence table and every page showing EHC01 carry the new title, none the old.
    assert edited["titles"] == {NEW_TITLE}
    for name, html in edited["pages"].items():
        assert NEW_TITLE in html, name
        assert OLD_TITLE not in html, name
    # Rebuilt, not reused: the evidence under a new key, every report run again.
    assert f"{PERIOD}: evidence computed" in edited["output"], edited["output"]
    assert "evidence unchanged, reused" not in edited["output"]
    assert edited["evidence_key"] != runs["first"]["evidence_key"]
    assert f"{PERIOD}: running 10 notebooks" in edited["output"]
    assert '"reused": true' not in edited["manifest"]
    # Staging's code (core, metadata, ingest) did not change: the staged data are reused.
    assert "Ingest: inputs unchanged, reusing" in edited["output"]


def test_an_unchanged_rerun_reuses_everything(runs):
    edited, unchanged = runs["edited"], runs["unchanged"]
    assert f"{PERIOD}: inputs and parameters unchanged, reusing" in unchanged["output"]
    assert "Ingest: inputs unchanged, reusing" in unchanged["output"]
    assert f"{PERIOD}: running" not in unchanged["output"]
    assert "evidence computed" not in unchanged["output"]
    # Nothing in the period folder was written again.
    assert unchanged["index_mtime"] == edited["index_mtime"]
    assert unchanged["manifest"] == edited["manifest"]
    assert unchanged["evidence_key"] == edited["evidence_key"]
    assert unchanged["titles"] == {NEW_TITLE}
    assert unchanged["seconds"] < 10, unchanged["seconds"]
