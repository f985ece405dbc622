"""Fingerprints every cache is keyed on: input files' hashes and the suite's own code.

Input files
-----------

Content hashes of input files, remembered between runs so unchanged files are not re-read.

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

Code
----

A cached result is only as good as the code that produced it: a cache keyed on its inputs
alone keeps serving yesterday's output after an indicator's definition, a check or a
narrative rule changes (the version number does not move during development). So every
cache's key also holds :func:`code_fingerprint` over the stage packages (the folders under
``lib/sendready/``, see the table in ``sendready/__init__.py``) the result depends on:

* **staged data** (``ingest/plan.py``, the ingest fingerprint): :data:`INGEST_CODE`,
  ``core``, ``metadata`` and ``ingest``: the contracts, identifiers and profiles
  (metadata) and the readers and checks (ingest) decide what is staged; ingest imports
  nothing else.
* **evidence and the pickled narrator** (``publish/evidence_cache.py``):
  :data:`EVIDENCE_CODE`, everything from ``core`` to ``reports`` except ``sample`` and
  ``publish``, plus ``publish/evidence_cache`` itself. The indicators compute the figures
  and titles, ``evidence`` the verdicts, ``comparators`` the benchmarks, and the narrator
  (``reports/narrative``) marks suppression (``privacy``); the pickles hold instances of
  these classes, so a changed class must not meet an old pickle either.
* **each report and the pack** (``publish/pipeline.py``, the job keys):
  :data:`WHOLE_PACKAGE`, every file of the package (charts, templates, export), with the
  notebooks hashed by the pipeline itself.

A stage's list covers everything it imports, directly or not (``tests/unit/core/
test_fingerprints.py`` reads the imports and checks it), so a change to any of that code
rebuilds the result, and a change elsewhere (a chart, the sample generator) does not throw
away staged data or evidence. Only the files whose suffix is in :data:`CODE_SUFFIXES` are
read (code, profiles, shipped data and its provenance notes, templates; the test also
checks that the package holds no other kind of file). The root ``sendready/__init__.py``
holds only the version, which every key holds anyway.

Fingerprints are remembered for the life of the process: the package is hashed at most
once per list of stages by the command and once by each kernel (about a megabyte, a few
milliseconds). A long-lived process that edits the suite's code must be restarted anyway
for Python to see the change.

Standard library only, so that an unchanged re-run does not pay for importing pandas.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from functools import cache
from pathlib import Path

MEMO_FILE = "file_hashes.json"
RACY_SECONDS = 2.0
_CHUNK = 8 * 1024 * 1024
# What the suite's own code is made of (code, templates, profiles, shipped data).
CODE_SUFFIXES = frozenset({".py", ".j2", ".css", ".json", ".yaml", ".csv", ".md"})
# The code each cache depends on (see the module docstring). A name is a stage package
# (a folder under the package) or a single module, without ``.py``.
INGEST_CODE = ("core", "metadata", "ingest")
EVIDENCE_CODE = (
    "core",
    "stats",
    "metadata",
    "ingest",
    "comparators",
    "indicators",
    "evidence",
    "privacy",
    "reports",
    "publish/evidence_cache",
)
WHOLE_PACKAGE: tuple[str, ...] = ()
PACKAGE_DIR = Path(__file__).resolve().parents[1]


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


def code_fingerprint(*stages: str, package: Path | str | None = None) -> str:
    """SHA-256 over the code of the given stages, remembered for the life of the process.

    Args:
        stages: Stage packages (``"metadata"``) or single modules (``"publish/evidence_cache"``)
            of the package, in any order; none means every file of the package.
        package: The package folder to read; the installed ``sendready`` by default (tests
            point it at a copy).

    Raises:
        ValueError: a stage names neither a folder nor a module of the package (a typo must
            not leave a cache keyed on no code at all).
    """
    root = Path(package).resolve() if package is not None else PACKAGE_DIR
    return _code_fingerprint(str(root), tuple(sorted(set(stages))))


def clear_code_fingerprints() -> None:
    """Forget the remembered fingerprints (for tests that edit code in one process)."""
    _code_fingerprint.cache_clear()


@cache
def _code_fingerprint(root: str, stages: tuple[str, ...]) -> str:
    package = Path(root)
    digest = hashlib.sha256()
    digest.update(("stages:" + ",".join(stages)).encode() + b"\0")
    for path in _code_files(package, stages):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _code_files(package: Path, stages: tuple[str, ...]) -> list[Path]:
    if not stages:
        tops = [package]
    else:
        tops = []
        for stage in stages:
            folder, module = package / stage, package / f"{stage}.py"
            if folder.is_dir():
                tops.append(folder)
            elif module.is_file():
                tops.append(module)
            else:
                raise ValueError(f"{stage!r} is neither a stage package nor a module of {package}")
    files = set()
    for top in tops:
        candidates = top.rglob("*") if top.is_dir() else [top]
        files.update(
            p
            for p in candidates
            if p.is_file()
            and p.suffix in CODE_SUFFIXES
            and "__pycache__" not in p.relative_to(package).parts
        )
    return sorted(files, key=lambda p: p.relative_to(package).as_posix())
