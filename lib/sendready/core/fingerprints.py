"""Content hashes of input files, remembered between runs so unchanged files are not re-read.

Re-use decisions (ingest's cache, each report's key, the manifest) rest on SHA-256 hashes
of the raw extracts. A large county's extracts come to about 175 MB, and hashing them costs
a few tenths of a second in every process that asks: the command, and each notebook's own
check that the staged data are current. A :class:`HashMemo` keeps, for each file, the hash
together with the file's size, modification time, inode and change time; when all four
are unchanged the remembered hash is used, as ``make`` and git do.

Assumptions and caveats:

* A file rewritten with exactly the same size, modification time (to the nanosecond the
  file system records), inode and change time is taken to be unchanged. On POSIX the
  change time cannot be set back, so only a clock change could defeat this; on Windows it
  is the creation time, and a tool that rewrites a file in place and then restores its
  modification time would go unnoticed. ``--force`` re-reads everything.
* "Racy" entries are never trusted: a file modified within :data:`RACY_SECONDS` of being
  hashed could change again within the same clock tick without its modification time
  moving, so its hash is not remembered (git's "racy clean" rule).
* The memo is an optimisation only: a missing, unreadable or corrupt memo file means the
  files are hashed again, never an error.

Standard library only, so that an unchanged re-run does not pay for importing pandas.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

MEMO_FILE = "file_hashes.json"
RACY_SECONDS = 2.0
_CHUNK = 8 * 1024 * 1024
# What the suite's own code is made of, for re-use keys: during development the version
# number does not change when a report's wording or a chart does.
_CODE_SUFFIXES = {".py", ".j2", ".css", ".json", ".yaml", ".csv"}


def file_sha256(path: Path | str) -> str:
    """SHA-256 of a file's bytes, read in chunks (the file may be larger than memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _signature(stat: os.stat_result) -> list[int]:
    # ctime too: copying with the old modification time kept (cp -p, rsync -t, unzip)
    # still sets it on POSIX; on Windows it is the creation time.
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]


def file_signature(path: Path | str) -> list[int]:
    """Size, modification time, inode and change time: what says a file is unchanged."""
    return _signature(os.stat(path))


class HashMemo:
    """File hashes remembered in a JSON file, keyed by absolute path.

    Args:
        path: The memo file; ``None`` keeps the memo in memory for this process only.
        trust: ``False`` ignores remembered hashes (``--force``) but still records new ones.
    """

    def __init__(self, path: Path | str | None, trust: bool = True) -> None:
        self.path = Path(path) if path is not None else None
        self.trust = trust
        self.entries: dict[str, dict] = self._load() if trust else {}
        self.hashed: list[str] = []  # files actually read by this memo, for tests and logs
        # Each file's signature when its hash was taken or looked up: callers check it
        # again later to notice a file saved over in the meantime.
        self.signatures: dict[str, list[int]] = {}
        self._changed = False

    def _load(self) -> dict[str, dict]:
        if self.path is None:
            return {}
        try:
            content = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        entries = content.get("files") if isinstance(content, dict) else None
        return entries if isinstance(entries, dict) else {}

    def sha256(self, path: Path | str) -> str:
        """The file's SHA-256, read from the memo when the file is unchanged.

        Raises:
            OSError: the file cannot be opened (callers turn this into a user message).
        """
        key = str(Path(path).resolve())
        before = os.stat(key)
        entry = self.entries.get(key)
        if (
            self.trust
            and isinstance(entry, dict)
            and entry.get("stat") == _signature(before)
            and isinstance(entry.get("sha256"), str)
        ):
            self.signatures[key] = _signature(before)
            return entry["sha256"]
        digest = file_sha256(key)
        self.hashed.append(key)
        after = os.stat(key)
        self.signatures[key] = _signature(after)
        hashed_at = time.time_ns()
        settled = hashed_at - after.st_mtime_ns > RACY_SECONDS * 1e9
        if _signature(after) == _signature(before) and settled:
            self.entries[key] = {"stat": _signature(after), "sha256": digest}
            self._changed = True
        elif self.entries.pop(key, None) is not None:
            self._changed = True
        return digest

    def save(self) -> None:
        """Write the memo atomically; failure to write is not an error (see module notes)."""
        if self.path is None or not self._changed:
            return
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".hashes-", suffix=".part", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(
                    {
                        "about": "sendready: SHA-256 of input files, with size, "
                        "modification time, inode and change time; safe to "
                        "delete",
                        "files": self.entries,
                    },
                    handle,
                    indent=1,
                    sort_keys=True,
                )
            os.replace(tmp, self.path)
            self._changed = False
        except OSError:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)


def suite_code_fingerprint() -> str:
    """SHA-256 over the package's own files (code, templates, profiles, shipped data)."""
    import sendready

    package = Path(sendready.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(
        p
        for p in package.rglob("*")
        if p.is_file() and p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts
    ):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
