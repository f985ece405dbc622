"""File hashes, the memo that spares re-reading unchanged inputs, and the fingerprints of
the suite's own code that every cache is keyed on (fingerprints.py)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

import sendready
from sendready.core.fingerprints import (
    CODE_SUFFIXES,
    EVIDENCE_CODE,
    INGEST_CODE,
    MEMO_FILE,
    RACY_SECONDS,
    WHOLE_PACKAGE,
    HashMemo,
    clear_code_fingerprints,
    code_fingerprint,
    file_sha256,
)
from unit.test_layers import import_graph

PACKAGE = Path(sendready.__file__).resolve().parent


def _settled(path: Path, seconds_ago: float = 60.0) -> None:
    """Date the file's modification well before now, as for an extract copied last week."""
    when = time.time() - seconds_ago
    os.utime(path, (when, when))


def _write(path: Path, content: bytes, settled: bool = True) -> Path:
    path.write_bytes(content)
    if settled:
        _settled(path)
    return path


def test_file_sha256_matches_hashlib_over_the_whole_file(tmp_path):
    # Larger than one read chunk, so the chunked loop is exercised.
    content = os.urandom(9 * 1024 * 1024 + 17)
    path = _write(tmp_path / "big.csv", content)
    assert file_sha256(path) == hashlib.sha256(content).hexdigest()


def test_an_unchanged_settled_file_is_read_once_across_runs(tmp_path):
    data = _write(tmp_path / "sen2.csv", b"person_id,date\nP0000001,2019-01-01\n")
    memo_path = tmp_path / "staged" / MEMO_FILE
    first = HashMemo(memo_path)
    digest = first.sha256(data)
    assert digest == hashlib.sha256(data.read_bytes()).hexdigest()
    assert first.hashed == [str(data.resolve())]
    first.save()
    second = HashMemo(memo_path)  # a later run: a new process reading the memo file
    assert second.sha256(data) == digest
    assert second.hashed == []


def test_a_changed_file_is_hashed_again_even_at_the_same_size(tmp_path):
    data = _write(tmp_path / "sen2.csv", b"AAAA")
    memo_path = tmp_path / MEMO_FILE
    memo = HashMemo(memo_path)
    memo.sha256(data)
    memo.save()
    data.write_bytes(b"BBBB")  # same size, new modification time
    _settled(data, seconds_ago=30)
    again = HashMemo(memo_path)
    assert again.sha256(data) == hashlib.sha256(b"BBBB").hexdigest()
    assert again.hashed == [str(data.resolve())]


def test_a_file_modified_just_now_is_never_remembered(tmp_path):
    # "Racy": a second edit within the same clock tick would not move the modification
    # time, so a hash taken this close to the last edit cannot be trusted later.
    data = _write(tmp_path / "fresh.csv", b"x,y\n1,2\n", settled=False)
    assert time.time() - data.stat().st_mtime < RACY_SECONDS
    memo = HashMemo(tmp_path / MEMO_FILE)
    memo.sha256(data)
    memo.save()
    assert str(data.resolve()) not in memo.entries
    later = HashMemo(tmp_path / MEMO_FILE)
    later.sha256(data)
    assert later.hashed == [str(data.resolve())]


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX change time cannot be set")
def test_a_restored_modification_time_is_caught_by_the_change_time(tmp_path):
    data = _write(tmp_path / "plans.csv", b"1111")
    memo_path = tmp_path / MEMO_FILE
    memo = HashMemo(memo_path)
    memo.sha256(data)
    memo.save()
    stat = data.stat()
    time.sleep(0.05)  # past the file system's clock tick, as any real edit would be
    # Same size, same inode, modification time put back (as cp -p or unzip would).
    with open(data, "r+b") as handle:
        handle.write(b"2222")
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert data.stat().st_mtime_ns == stat.st_mtime_ns
    assert HashMemo(memo_path).sha256(data) == hashlib.sha256(b"2222").hexdigest()


def test_force_reads_every_file_again(tmp_path):
    data = _write(tmp_path / "plans.csv", b"1111")
    memo = HashMemo(tmp_path / MEMO_FILE)
    memo.sha256(data)
    memo.save()
    forced = HashMemo(tmp_path / MEMO_FILE, trust=False)
    assert forced.sha256(data) == hashlib.sha256(b"1111").hexdigest()
    assert forced.hashed == [str(data.resolve())]


@pytest.mark.parametrize(
    "content", ["", "not json", "[1, 2]", '{"files": 3}', '{"files": {"x": "y"}}']
)
def test_a_corrupt_memo_means_hashing_again_not_an_error(tmp_path, content):
    data = _write(tmp_path / "a.csv", b"abc")
    (tmp_path / MEMO_FILE).write_text(content, encoding="utf-8")
    memo = HashMemo(tmp_path / MEMO_FILE)
    assert memo.sha256(data) == hashlib.sha256(b"abc").hexdigest()
    memo.save()
    assert (
        json.loads((tmp_path / MEMO_FILE).read_text())["files"][str(data.resolve())]["sha256"]
        == hashlib.sha256(b"abc").hexdigest()
    )


def test_a_memo_that_cannot_be_written_is_not_an_error(tmp_path):
    data = _write(tmp_path / "a.csv", b"abc")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the memo's folder should be")
    memo = HashMemo(blocker / MEMO_FILE)
    memo.sha256(data)
    memo.save()  # no exception; nothing written
    assert blocker.is_file()
    assert not list(tmp_path.glob("**/.hashes-*"))


def test_a_missing_file_raises_oserror_for_the_caller_to_explain(tmp_path):
    with pytest.raises(OSError):
        HashMemo(None).sha256(tmp_path / "absent.csv")


# --- the code's fingerprint ---------------------------------------------------------------


@pytest.fixture
def package_copy(tmp_path):
    """A copy of the package to edit; remembered fingerprints are forgotten either side."""
    copy = tmp_path / "sendready"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    clear_code_fingerprints()
    yield copy
    clear_code_fingerprints()


def _edit(path: Path, extra: str = "\n# edited\n") -> None:
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    clear_code_fingerprints()  # a new process, as the next run is


def test_a_stage_fingerprint_changes_with_its_own_code_and_not_with_another_stage(package_copy):
    ingest = code_fingerprint(*INGEST_CODE, package=package_copy)
    evidence = code_fingerprint(*EVIDENCE_CODE, package=package_copy)
    whole = code_fingerprint(*WHOLE_PACKAGE, package=package_copy)
    assert len({ingest, evidence, whole}) == 3

    # An indicator's definition: the evidence and the reports depend on it, staging does not.
    _edit(package_copy / "indicators" / "statutory.py")
    assert code_fingerprint(*INGEST_CODE, package=package_copy) == ingest
    assert code_fingerprint(*EVIDENCE_CODE, package=package_copy) != evidence
    assert code_fingerprint(*WHOLE_PACKAGE, package=package_copy) != whole
    evidence = code_fingerprint(*EVIDENCE_CODE, package=package_copy)
    whole = code_fingerprint(*WHOLE_PACKAGE, package=package_copy)

    # The sample generator and a chart: neither staged data nor evidence depend on them.
    _edit(package_copy / "sample" / "ehc.py")
    assert code_fingerprint(*INGEST_CODE, package=package_copy) == ingest
    assert code_fingerprint(*EVIDENCE_CODE, package=package_copy) == evidence
    assert code_fingerprint(*WHOLE_PACKAGE, package=package_copy) != whole

    # A reader: everything downstream of staging.
    _edit(package_copy / "ingest" / "readers.py")
    assert code_fingerprint(*INGEST_CODE, package=package_copy) != ingest
    assert code_fingerprint(*EVIDENCE_CODE, package=package_copy) != evidence


def test_data_and_templates_count_but_caches_and_other_files_do_not(package_copy):
    ingest = code_fingerprint(*INGEST_CODE, package=package_copy)
    whole = code_fingerprint(package=package_copy)
    (package_copy / "ingest" / "__pycache__").mkdir()
    (package_copy / "ingest" / "__pycache__" / "plan.cpython-312.pyc").write_bytes(b"\0")
    (package_copy / "ingest" / "notes.swp").write_bytes(b"editor")
    clear_code_fingerprints()
    assert code_fingerprint(*INGEST_CODE, package=package_copy) == ingest
    assert code_fingerprint(package=package_copy) == whole

    _edit(package_copy / "metadata" / "profiles" / "bury-2017-wsoa.yaml")  # a profile
    assert code_fingerprint(*INGEST_CODE, package=package_copy) != ingest
    _edit(package_copy / "publish" / "templates" / "report.css", "\n/* edited */\n")
    assert code_fingerprint(package=package_copy) != whole
    whole = code_fingerprint(package=package_copy)
    (package_copy / "ingest" / "new_reader.py").write_text("X = 1\n")  # a new module
    clear_code_fingerprints()
    assert code_fingerprint(package=package_copy) != whole


def test_a_fingerprint_is_stable_and_remembered_for_the_process(package_copy):
    first = code_fingerprint("metadata", "ingest", package=package_copy)
    assert code_fingerprint("ingest", "metadata", "ingest", package=package_copy) == first
    # Remembered: an edit is seen by the next process (here: after forgetting), not this one.
    (package_copy / "ingest" / "plan.py").write_text("changed\n")
    assert code_fingerprint("metadata", "ingest", package=package_copy) == first
    clear_code_fingerprints()
    assert code_fingerprint("metadata", "ingest", package=package_copy) != first


def test_the_default_package_is_the_installed_one_and_a_copy_hashes_the_same(package_copy):
    for stages in (INGEST_CODE, EVIDENCE_CODE, WHOLE_PACKAGE):
        assert code_fingerprint(*stages) == code_fingerprint(*stages, package=PACKAGE)
        # Paths are hashed relative to the package: a checkout elsewhere gives the same key.
        assert code_fingerprint(*stages) == code_fingerprint(*stages, package=package_copy)


def test_an_unknown_stage_is_an_error_not_an_empty_fingerprint(package_copy):
    with pytest.raises(ValueError, match="indicator"):
        code_fingerprint("indicator", package=package_copy)


def test_every_file_of_the_package_is_of_a_kind_the_fingerprint_reads():
    # A new kind of file (a .html template, a .txt word list) must be added to
    # CODE_SUFFIXES, or editing it would not rebuild the results that use it.
    others = sorted(
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.relative_to(PACKAGE).parts
        and p.suffix not in CODE_SUFFIXES
    )
    assert others == []


def _covered(module: str, stages: tuple[str, ...]) -> bool:
    relative = "/".join(module.split(".")[1:])
    return any(relative == s or relative.startswith(f"{s}/") for s in stages)


def _imported_from(starts: list[str]) -> set[str]:
    graph = import_graph(PACKAGE)
    seen, todo = set(), list(starts)
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph.get(module, ()))
    return seen - {"sendready"}  # the root holds the version, which every key holds


@pytest.mark.parametrize(
    ("stages", "starts"),
    [
        # Staging: everything ingest runs.
        (INGEST_CODE, ["sendready.ingest.plan", "sendready.ingest.run", "sendready.ingest.stage"]),
        # Evidence and the narrator, built and pickled by the evidence cache.
        (EVIDENCE_CODE, ["sendready.publish.evidence_cache"]),
    ],
    ids=["ingest", "evidence"],
)
def test_each_cache_hashes_all_the_code_it_runs(stages, starts):
    missed = sorted(m for m in _imported_from(starts) if not _covered(m, stages))
    assert missed == [], f"add their stages to the list {stages}"
