"""Where outputs live and which earlier pack a period compares with (paths.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sendready.core.errors import SendreadyError
from sendready.metadata.profile import load_profile
from sendready.publish import paths as paths_module
from sendready.publish.paths import (
    RESTRICTED_README_TEXT,
    earlier_pack,
    ensure_restricted,
    pack_dir,
    period_paths,
    previous_verdicts,
    restricted_dir,
    restricted_period_dir,
    staged_dir,
    writable_dir,
)


def _pack(root, period, verdicts):
    folder = root / period / "evidence"
    folder.mkdir(parents=True)
    (folder / "verdicts.json").write_text(
        json.dumps({"verdicts": {k: {"verdict": v} for k, v in verdicts.items()}}), encoding="utf-8"
    )
    return root / period


def test_period_folders_are_keyed_by_profile_and_iso_day(tmp_path):
    profile = load_profile("bury-2017-wsoa")
    assert pack_dir(tmp_path, profile, "2019-03-31T00:00:00") == (
        tmp_path / "bury-2017-wsoa" / "board-pack" / "2019-03-31"
    )
    assert restricted_period_dir(tmp_path, profile, "2019-03-31T00:00:00") == (
        tmp_path / "bury-2017-wsoa" / "restricted" / "2019-03-31"
    )


def test_the_board_pack_and_the_restricted_area_are_apart(tmp_path):
    """No restricted path lies inside the board pack, nor the pack inside the restricted
    area: sharing the pack folder can never take evidence, notebooks or staged data."""
    profile = load_profile("bury-2017-wsoa")
    period = period_paths(tmp_path, profile, "2019-03-31")
    restricted = [
        staged_dir(tmp_path, profile),
        period.restricted,
        period.evidence,
        period.executed,
        period.manifest,
        period.run_log,
    ]
    for path in restricted:
        assert path.is_relative_to(restricted_dir(tmp_path, profile)), path
        assert not path.is_relative_to(period.pack), path
    assert not period.pack.is_relative_to(restricted_dir(tmp_path, profile))
    assert period.pack_manifest.parent == period.pack


def test_the_restricted_area_gets_its_readme_when_created(tmp_path):
    profile = load_profile("bury-2017-wsoa")
    folder = ensure_restricted(tmp_path / "outputs", profile)
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert readme == RESTRICTED_README_TEXT
    assert "never" in readme.lower() and "quarantine" in readme and "unsuppressed" in readme
    (folder / "README.md").write_text("edited", encoding="utf-8")
    ensure_restricted(tmp_path / "outputs", profile)  # put back as the suite wrote it
    assert (folder / "README.md").read_text(encoding="utf-8") == RESTRICTED_README_TEXT


def test_a_file_where_a_folder_is_expected_is_named_in_one_line(tmp_path):
    (tmp_path / "outputs").write_text("not a folder")
    with pytest.raises(SendreadyError) as caught:
        writable_dir(tmp_path / "outputs" / "bury" / "restricted")
    message = str(caught.value)
    assert "\n" not in message and caught.value.exit_code == 2
    assert f"{tmp_path / 'outputs'} is a file where a folder is expected" in message
    assert "--out" in message


def test_an_unwritable_folder_is_named_in_one_line(tmp_path, monkeypatch):
    """Root ignores permission bits, so the refusal the OS would give is simulated where
    the suite writes its probe file."""
    folder = tmp_path / "pack"
    folder.mkdir()
    real = Path.write_bytes

    def refuse(self, data):
        if self.parent == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, data)

    monkeypatch.setattr(paths_module.Path, "write_bytes", refuse)
    with pytest.raises(SendreadyError) as caught:
        writable_dir(folder)
    message = str(caught.value)
    assert message.startswith(f"cannot write to {folder} (Permission denied)")
    assert "\n" not in message and "writable" in message


def test_previous_verdicts_come_from_the_previous_quarter_only(tmp_path):
    root = tmp_path / "bury-2017-wsoa"
    _pack(root, "2018-09-30", {"W1": "deterioration"})
    _pack(root, "2018-12-31", {"W1": "some_improvement", "W2": "no_evidence_of_change"})
    _pack(root, "2019-02-28", {"W1": "deterioration"})  # a stray run: never compared with
    (root / "notes").mkdir()  # not a period folder: ignored
    _pack(root, "2019-06-30", {"W1": "sustained_improvement"})  # later: ignored
    current = root / "2019-03-31"
    current.mkdir()
    assert earlier_pack(current) == root / "2018-12-31"
    assert previous_verdicts(current) == (
        "2018-12-31",
        {"W1": "some_improvement", "W2": "no_evidence_of_change"},
    )
    # With no pack for the quarter before, there is nothing to compare with, even
    # though an older one exists: "since the last pack" would then span half a year.
    later = root / "2019-12-31"
    later.mkdir()
    assert earlier_pack(later) is None and previous_verdicts(later) is None


def test_no_earlier_pack_gives_none(tmp_path):
    current = tmp_path / "bury-2017-wsoa" / "2019-03-31"
    current.mkdir(parents=True)
    assert earlier_pack(current) is None and previous_verdicts(current) is None


def test_the_evidence_cache_keeps_evidence_where_paths_says(tmp_path):
    from sendready.publish import evidence_cache

    assert evidence_cache.evidence_dir(tmp_path) == paths_module.evidence_dir(tmp_path)
