"""Where outputs live and which earlier pack a period compares with (paths.py)."""

from __future__ import annotations

import json

from sendready.metadata.profile import load_profile
from sendready.publish.paths import earlier_pack, period_dir, previous_verdicts


def _pack(root, period, verdicts):
    folder = root / period / "evidence"
    folder.mkdir(parents=True)
    (folder / "verdicts.json").write_text(
        json.dumps({"verdicts": {k: {"verdict": v} for k, v in verdicts.items()}}), encoding="utf-8"
    )
    return root / period


def test_period_dir_is_keyed_by_profile_and_iso_day(tmp_path):
    profile = load_profile("bury-2017-wsoa")
    assert period_dir(tmp_path, profile, "2019-03-31T00:00:00") == (
        tmp_path / "bury-2017-wsoa" / "2019-03-31"
    )


def test_previous_verdicts_come_from_the_latest_earlier_pack_with_verdicts(tmp_path):
    root = tmp_path / "bury-2017-wsoa"
    _pack(root, "2018-09-30", {"W1": "deterioration"})
    _pack(root, "2018-12-31", {"W1": "some_improvement", "W2": "no_evidence_of_change"})
    (root / "2019-01-31").mkdir()  # an earlier folder with no verdicts: skipped
    (root / "notes").mkdir()  # not a period folder: ignored
    _pack(root, "2019-06-30", {"W1": "sustained_improvement"})  # later: ignored
    current = root / "2019-03-31"
    current.mkdir()
    assert earlier_pack(current) == root / "2018-12-31"
    assert previous_verdicts(current) == (
        "2018-12-31",
        {"W1": "some_improvement", "W2": "no_evidence_of_change"},
    )


def test_no_earlier_pack_gives_none(tmp_path):
    current = tmp_path / "bury-2017-wsoa" / "2019-03-31"
    current.mkdir(parents=True)
    assert earlier_pack(current) is None and previous_verdicts(current) is None
