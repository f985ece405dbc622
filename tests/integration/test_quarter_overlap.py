"""A run of several quarters queues the next quarters' notebooks before it waits for a
quarter, so that the workers never idle at a quarter's end; each quarter is still finished
in order. Its packs must be the packs that one run per quarter, earliest first, builds.

A cut-down profile (W4 only: three notebooks a quarter) on a small sample, three quarters:
once in one run, once in three runs of one quarter each, in separate outputs folders.
Compared: the files of every board pack, the verdicts of every manifest, every page apart
from the run's time, and each quarter's run.log holding its own progress.

And when a worker is killed mid-run (a report that stops its own worker, in the second
quarter), that report fails and the third quarter's reports still run, on new workers.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from helpers import REPO_ROOT
from helpers.pack_checks import SAMPLE_PACK_PROFILE, SAMPLE_PACK_SCALE, SAMPLE_PACK_SEED
from sendready.core.dates import long_date
from sendready.metadata.profile import resolve_profile_path
from sendready.publish import pipeline
from sendready.publish.pipeline import run_pack

QUARTERS = ("2018-09-30", "2018-12-31", "2019-03-31")
PROFILE_ID = "test-quarter-overlap"
# The run's time, in each page's provenance and the index's opening paragraph.
_RUN_TIME = re.compile(
    r"\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{4} at \d{2}:\d{2}"
)


def _profile(root: Path, notebook: str | None = None) -> Path:
    raw = yaml.safe_load(resolve_profile_path(SAMPLE_PACK_PROFILE).read_text())
    raw["id"] = PROFILE_ID
    raw["weaknesses"] = [w for w in raw["weaknesses"] if w["id"] == "W4"]
    if notebook:
        raw["weaknesses"][0]["notebook"] = notebook
    path = root / "profile.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    from sendready.sample import generate_sample

    folder = tmp_path_factory.mktemp("quarter_overlap_data")
    generate_sample(out_dir=folder, scale=SAMPLE_PACK_SCALE, seed=SAMPLE_PACK_SEED)
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory, data):
    """Returns (outcomes of the one run, of the three runs, the one run's events)."""
    root = tmp_path_factory.mktemp("quarter_overlap")
    profile = str(_profile(root))
    common = {"jobs": 2, "notebook_dir": REPO_ROOT / "notebooks", "progress": lambda _: None}
    events: list[tuple[str, str]] = []
    submit, collect = pipeline.submit_jobs, pipeline.collect_jobs

    def submitted(pool, jobs):
        events.append(("queued", jobs[0].parameters["period_end"]))
        return submit(pool, jobs)

    def collected(futures, progress):
        events.append(("waited for", next(iter(futures.values())).parameters["period_end"]))
        return collect(futures, progress)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "submit_jobs", submitted)
        mp.setattr(pipeline, "collect_jobs", collected)
        together = run_pack(profile, data, [f"{QUARTERS[0]}..{QUARTERS[-1]}"], root / "a", **common)
    apart = [run_pack(profile, data, [q], root / "b", **common)[0] for q in QUARTERS]
    return together, apart, events


def _masked(page: Path) -> str:
    return _RUN_TIME.sub("[run time]", page.read_text(encoding="utf-8"))


def test_the_next_quarters_are_queued_before_the_run_waits_for_the_first(runs):
    together, _, events = runs
    assert [o.period_end for o in together] == list(QUARTERS)
    # Three notebooks a quarter and four kept queued (two per worker): waiting for the
    # first quarter needs the two after it queued (3 + 3 >= 4).
    assert events == [
        ("queued", QUARTERS[0]),
        ("queued", QUARTERS[1]),
        ("queued", QUARTERS[2]),
        ("waited for", QUARTERS[0]),
        ("waited for", QUARTERS[1]),
        ("waited for", QUARTERS[2]),
    ]


def test_every_report_of_both_ways_succeeded(runs):
    together, apart, _ = runs
    for outcome in (*together, *apart):
        assert not outcome.reused
        assert [r.key for r in outcome.results] == ["board_summary", "W4", "data_quality"]
        assert not outcome.failed, [(r.key, r.error) for r in outcome.failed]


def test_the_packs_hold_the_same_files_verdicts_and_pages(runs):
    together, apart, _ = runs
    for one, alone in zip(together, apart, strict=True):
        files = sorted(p.name for p in one.folder.iterdir())
        assert files == sorted(p.name for p in alone.folder.iterdir())
        assert {"index.html", "W4.html", "manifest.json"} <= set(files)
        manifests = [json.loads((o.folder / "manifest.json").read_text()) for o in (one, alone)]
        assert manifests[0]["verdicts"] == manifests[1]["verdicts"] != {}
        assert manifests[0]["files_sha256"].keys() == manifests[1]["files_sha256"].keys()
        for name in (f for f in files if f.endswith(".html")):
            assert _masked(one.folder / name) == _masked(alone.folder / name), (one, name)


def test_each_pack_compares_with_the_quarter_before(runs):
    together, _, _ = runs
    indexes = [(o.folder / "index.html").read_text(encoding="utf-8") for o in together]
    assert "No earlier pack to compare with" in indexes[0]
    for earlier, index in zip(together[:-1], indexes[1:], strict=True):
        assert f"the pack for {long_date(earlier.period_end)}" in index
    manifests = [
        json.loads((o.restricted / "manifest.json").read_text(encoding="utf-8")) for o in together
    ]
    assert len({m["run_key"] for m in manifests}) == len(QUARTERS)


def test_each_quarter_logs_its_own_progress_and_time(runs):
    together, _, _ = runs
    for outcome in together:
        log = (outcome.restricted / "run.log").read_text(encoding="utf-8")
        end = outcome.period_end
        assert f"{end}: running 3 notebooks with 2 workers" in log
        assert log.count("[3/3]") == 1
        assert f"{end}: 3 of 3 reports ok in " in log
        others = [q for q in QUARTERS if q != end]
        assert not any(f"{q}: running" in log for q in others)
        manifest = json.loads((outcome.restricted / "manifest.json").read_text(encoding="utf-8"))
        timings = manifest["timings_seconds"]
        assert 0 < timings["notebooks"] <= timings["total"]


KILLER = "99_stops_its_worker"
# After the injected parameters: stop the worker running this notebook (the kernel's
# parent), as the system would when short of memory, in the second quarter only.
KILLER_CELL = f"""import os, signal
if period_end == "{QUARTERS[1]}":
    os.kill(os.getppid(), signal.SIGTERM)
    os._exit(1)
"""


@pytest.fixture(scope="module")
def killed(tmp_path_factory, data):
    """A three-quarter run whose second quarter's W4 stops its worker."""
    root = tmp_path_factory.mktemp("quarter_overlap_killed")
    notebooks = root / "project" / "notebooks"
    shutil.copytree(REPO_ROOT / "notebooks", notebooks)
    nb = json.loads((notebooks / "10_weakness_report.ipynb").read_text(encoding="utf-8"))
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": []}
    nb["cells"].insert(2, {**cell, "source": KILLER_CELL})
    (notebooks / f"{KILLER}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    lines: list[str] = []
    outcomes = run_pack(
        str(_profile(root, KILLER)),
        data,
        [f"{QUARTERS[0]}..{QUARTERS[-1]}"],
        root / "outputs",
        jobs=2,
        notebook_dir=notebooks,
        progress=lines.append,
    )
    return outcomes, lines


def test_a_killed_worker_fails_its_report_and_the_later_quarters_still_run(killed):
    outcomes, lines = killed
    assert [o.period_end for o in outcomes] == list(QUARTERS)
    second = {r.key: r for r in outcomes[1].results}
    assert second["W4"].status == "failed"
    assert second["W4"].error.startswith("worker process failed: BrokenProcessPool")
    assert not outcomes[2].failed, [(r.key, r.error) for r in outcomes[2].failed]
    assert "The shared notebook workers stopped; starting new ones" in lines
    statuses = [
        json.loads((o.folder / "manifest.json").read_text(encoding="utf-8"))["status"]
        for o in outcomes[1:]
    ]
    assert statuses == ["failed", "ok"]
    # Every quarter was finished: no folder being built is left behind.
    assert not list(outcomes[0].folder.parent.glob(".*"))
