"""A pack is built beside its destination and swapped in only when complete.

An interrupted run, and a failed ``--force`` run, must leave the previous complete pack
byte-identical: every file's SHA-256 is compared before and after. Runs a cut-down profile
(W4 only: three short notebooks) on the shared sample's data.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from helpers import REPO_ROOT
from helpers.pack_checks import SAMPLE_PACK_PROFILE
from sendready.metadata.profile import resolve_profile_path
from sendready.publish import pipeline
from sendready.publish.pipeline import run_pack

PERIOD = "2019-03-31"
PROFILE_ID = "test-safe-rerun"


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _profile(root: Path, name: str, notebook: str | None) -> Path:
    raw = yaml.safe_load(resolve_profile_path(SAMPLE_PACK_PROFILE).read_text())
    raw["id"] = PROFILE_ID
    raw["weaknesses"] = [w for w in raw["weaknesses"] if w["id"] == "W4"]
    if notebook:
        raw["weaknesses"][0]["notebook"] = notebook
    path = root / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def good_pack(sample_pack, tmp_path_factory):
    root = tmp_path_factory.mktemp("safe_rerun")
    project = root / "project"
    shutil.copytree(REPO_ROOT / "notebooks", project / "notebooks")
    failing = project / "notebooks" / "99_failing.ipynb"
    nb = json.loads((project / "notebooks" / "10_weakness_report.ipynb").read_text())
    nb["cells"].insert(
        2,
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "raise RuntimeError('planted failure')",
        },
    )
    failing.write_text(json.dumps(nb), encoding="utf-8")
    s = {
        "root": root,
        "project": project,
        "data": sample_pack.data_dir,
        "outputs": root / "outputs",
        "good": _profile(root, "good.yaml", None),
        "bad": _profile(root, "bad.yaml", "99_failing"),
    }
    (outcome,) = _run(s, "good")
    assert not outcome.failed
    s["pack"] = outcome.folder
    s["before"] = _hashes(outcome.folder)
    s["manifest"] = (outcome.restricted / "manifest.json").read_bytes()
    return s


def _run(s, which: str, force: bool = False):
    return run_pack(
        str(s[which]),
        s["data"],
        [PERIOD],
        s["outputs"],
        jobs=2,
        force=force,
        notebook_dir=s["project"] / "notebooks",
        progress=lambda line: None,
    )


def _leftovers(pack: Path) -> list[str]:
    return sorted(p.name for p in pack.parent.iterdir() if p.name.startswith("."))


def test_an_interrupted_force_run_leaves_the_pack_byte_identical(good_pack, monkeypatch):
    s = good_pack
    assert {"index.html", "W4.html", "board_summary.html", "manifest.json"} <= set(s["before"])

    def interrupted(jobs, *args, **kwargs):
        # Half the pack written, then the lead presses Ctrl+C.
        Path(jobs[0].html_path).write_text("<p>half a page</p>", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run_jobs", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _run(s, "good", force=True)
    assert _hashes(s["pack"]) == s["before"]
    assert _leftovers(s["pack"]) == []  # the building folder is gone


def test_a_failure_while_writing_the_index_leaves_the_pack_byte_identical(good_pack, monkeypatch):
    s = good_pack

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure mid-build")

    monkeypatch.setattr(pipeline, "_write_index", broken)
    with pytest.raises(RuntimeError, match="mid-build"):
        _run(s, "good", force=True)
    assert _hashes(s["pack"]) == s["before"]
    assert _leftovers(s["pack"]) == []


def test_a_failed_force_run_keeps_the_complete_pack_and_says_so(good_pack):
    s = good_pack
    (outcome,) = _run(s, "bad", force=True)
    assert [r.key for r in outcome.failed] == ["W4"]
    assert _hashes(s["pack"]) == s["before"]
    restricted = outcome.restricted
    # The manifest still describes the pack in place; the failed run's is beside it.
    assert (restricted / "manifest.json").read_bytes() == s["manifest"]
    failed = json.loads((restricted / "manifest.failed.json").read_text())
    assert failed["status"] == "failed" and failed["failed"] == ["W4"]
    # The next ordinary run recognises the pack in place as unchanged: nothing rebuilt.
    (again,) = _run(s, "good")
    assert again.reused and _hashes(s["pack"]) == s["before"]
