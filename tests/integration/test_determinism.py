"""Guarantee: the same inputs give the same evidence and the same board pack, every time.

The board pack is built twice with ``force=True`` from one small sample: once through
``run_pack`` in this process, once through ``sendready run`` in a fresh interpreter. Each
run reads its own copy of the data and the profile, in its own folders, and runs under
its own ``PYTHONHASHSEED`` (the second run's main process included, where ingest, the
evidence and the index are built), so that neither where the files live nor the order
Python iterates a set can leak into a report unnoticed. The first run uses two workers,
the second one, so the notebooks share kernels in a different order (batch workers keep
their kernel between notebooks): a report that depended on what ran before it in the
same kernel would differ.

Compared exactly: the staged tables and quarantine files, the indicator table, the
assessments and verdicts, and every exported HTML page, apart from these masks (each
expected exactly where stated, so a mask can never hide more than it should):

* ``<dt>Produced</dt><dd>27 November 2026 at 19:44</dd>``: the run's time in the
  provenance footer of every page (once per page);
* ``Reports generated on 27 November 2026 at 19:44.``: the same time in the index's
  opening paragraph (once, in ``index.html`` only);
* in ``data_quality.json``, ``created`` (the ingest's time) and ``data_dir`` (where the
  data was read from), which are run facts, not results.

Executed notebooks are not compared: papermill records each cell's start and end times in
them, and they are not part of the board pack.
"""

from __future__ import annotations

import base64
import difflib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers import REPO_ROOT
from sendready.metadata.profile import builtin_profiles
from sendready.publish.pipeline import run_pack
from sendready.sample import generate_sample

ROOT = REPO_ROOT
PERIOD_END = "2019-03-31"
SCALE = 0.3
SEED = 2017
# W6 draws the funnel plot of schools, the need mix and quotes: the charts and tables
# where ties and ordering could most easily vary between runs.
KEPT_WEAKNESSES = ("W6",)
HASH_SEEDS = ("1", "2")

_WHEN = (
    r"\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{4} at \d{2}:\d{2}"
)
# (pattern, replacement, pages it must occur in exactly once)
MASKS = (
    (re.compile(rf"(<dt>Produced</dt><dd>){_WHEN}(</dd>)"), r"\1[run time]\2", "every"),
    (re.compile(rf"(Reports generated on ){_WHEN}\."), r"\1[run time].", "index.html"),
)
_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[Path]:
    """Two board packs from the same inputs; returns each run's period folder."""
    root = tmp_path_factory.mktemp("determinism")
    generate_sample(root / "source-data", scale=SCALE, seed=SEED)
    profile = yaml.safe_load(builtin_profiles()["bury-2017-wsoa"].read_text(encoding="utf-8"))
    profile["weaknesses"] = [w for w in profile["weaknesses"] if w["id"] in KEPT_WEAKNESSES]
    inputs = []
    for name in ("a", "b"):
        run_root = root / f"run-{name}"
        data = shutil.copytree(root / "source-data", run_root / "data")
        profile_path = run_root / "profile.yaml"
        profile_path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
        inputs.append((data, profile_path, run_root / "outputs"))

    (data, profile_path, outputs), second = inputs
    with pytest.MonkeyPatch.context() as mp:
        # Inherited by the worker processes and so by every kernel they start.
        mp.setenv("PYTHONHASHSEED", HASH_SEEDS[0])
        (outcome,) = run_pack(
            str(profile_path),
            data,
            [PERIOD_END],
            outputs,
            jobs=2,
            force=True,
            cell_timeout=300,
            notebook_timeout=900,
            progress=lambda line: None,
        )
    assert not outcome.failed, [(r.key, r.error) for r in outcome.failed]

    data, profile_path, outputs = second
    env = {**os.environ, "PYTHONHASHSEED": HASH_SEEDS[1]}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sendready.cli",
            "run",
            "--profile",
            str(profile_path),
            "--data",
            str(data),
            "--out",
            str(outputs),
            "--period-end",
            PERIOD_END,
            "--jobs",
            "1",
            "--force",
            "--cell-timeout",
            "300",
            "--notebook-timeout",
            "900",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Both runs write <outputs>/<profile id>/{board-pack,restricted}/<period end>/.
    return [outcome.folder, outputs / outcome.folder.relative_to(inputs[0][2].resolve())]


def _restricted(folder: Path) -> Path:
    """The restricted folder of the period whose board pack is ``folder``."""
    return folder.parents[1] / "restricted" / folder.name


def _staged(folder: Path) -> Path:
    return folder.parents[1] / "restricted" / "staged"


def _masked(name: str, text: str) -> str:
    for pattern, replacement, where in MASKS:
        text, n = pattern.subn(replacement, text)
        expected = 1 if where in ("every", name) else 0
        assert n == expected, f"{name}: mask {pattern.pattern!r} matched {n} times"
    return text


def _first_difference(a: str, b: str) -> str:
    diff = difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
    return "\n".join(line[:200] for line in list(diff)[2:14])


def test_the_two_runs_really_are_separate(runs):
    a, b = runs
    assert a != b and a.name == b.name == PERIOD_END
    manifests = [
        json.loads((_restricted(f) / "manifest.json").read_text(encoding="utf-8")) for f in runs
    ]
    assert manifests[0]["inputs"]["data_dir"] != manifests[1]["inputs"]["data_dir"]
    assert manifests[0]["inputs"]["fingerprint"] == manifests[1]["inputs"]["fingerprint"]
    assert [m["parameters"]["jobs"] for m in manifests] == [2, 1]
    assert [r["key"] for r in manifests[0]["notebooks"]] == [
        "board_summary",
        *KEPT_WEAKNESSES,
        "data_quality",
    ]


def test_staged_tables_and_quarantine_files_are_identical(runs):
    a, b = (_staged(f) for f in runs)
    tables = sorted(p.name for p in a.glob("*.parquet"))
    assert tables and tables == sorted(p.name for p in b.glob("*.parquet"))
    for name in tables:
        pd.testing.assert_frame_equal(
            pd.read_parquet(a / name), pd.read_parquet(b / name), check_exact=True, obj=name
        )
    quarantined = sorted(p.name for p in (a / "quarantine").glob("*.csv"))
    assert quarantined == sorted(p.name for p in (b / "quarantine").glob("*.csv"))
    for name in quarantined:
        assert (a / "quarantine" / name).read_bytes() == (b / "quarantine" / name).read_bytes()

    qualities = []
    for folder in (a, b):
        quality = json.loads((folder / "data_quality.json").read_text(encoding="utf-8"))
        for run_fact in ("created", "data_dir"):
            quality.pop(run_fact)
        qualities.append(quality)
    assert qualities[0] == qualities[1]


def test_indicator_tables_are_identical(runs):
    a, b = (pd.read_parquet(_restricted(f) / "evidence" / "indicators.parquet") for f in runs)
    assert len(a) > 100  # a real table, not an empty one compared with itself
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    for name in ("assessments.csv", "verdicts.json"):
        first, second = ((_restricted(f) / "evidence" / name).read_bytes() for f in runs)
        assert first == second, name


def test_every_page_is_identical_apart_from_the_run_time(runs):
    a, b = runs
    pages = sorted(p.name for p in a.glob("*.html"))
    assert pages == sorted(p.name for p in b.glob("*.html"))
    assert {
        "index.html",
        "board_summary.html",
        "data_quality.html",
        *(f"{w}.html" for w in KEPT_WEAKNESSES),
    } == set(pages)
    for name in pages:
        first = _masked(name, (a / name).read_text(encoding="utf-8"))
        second = _masked(name, (b / name).read_text(encoding="utf-8"))
        assert first == second, f"{name} differs:\n{_first_difference(first, second)}"


def test_charts_carry_no_time_or_software_stamp(runs):
    """PNG text and time chunks would make pages differ from run to run (or second to
    second) and reveal the software used; the chart helpers must not write them."""
    charts = 0
    for page in runs[0].glob("*.html"):
        for data in _PNG.findall(page.read_text(encoding="utf-8")):
            png = base64.b64decode(data)
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            chunks, at = [], 8
            while at < len(png):
                (length,) = struct.unpack(">I", png[at : at + 4])
                chunks.append(png[at + 4 : at + 8].decode("ascii"))
                at += 12 + length
            assert chunks[-1] == "IEND"
            assert not {"tEXt", "iTXt", "zTXt", "tIME"} & set(chunks), (page.name, chunks)
            charts += 1
    assert charts >= 3, "expected charts in the reports"


def test_no_run_folder_leaks_into_a_page(runs):
    """Reports must not show where the data, profile or outputs of a run live."""
    for folder in runs:
        run_root = folder.parents[2]
        for page in folder.glob("*.html"):
            text = page.read_text(encoding="utf-8")
            assert str(run_root) not in text, page.name
            assert run_root.parent.name not in text, page.name  # "determinism0"
