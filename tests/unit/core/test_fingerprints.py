"""File hashes and the memo that spares re-reading unchanged inputs (fingerprints.py)."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

import pytest

from sendready.core.fingerprints import MEMO_FILE, RACY_SECONDS, HashMemo, file_sha256


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
