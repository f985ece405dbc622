"""Nothing in the repository refers to files outside it or to paths on one machine.

Every tracked text file (``git ls-files``; binary files are skipped) is searched for:

- the names of the five project documents the suite was first written from, which were
  never part of the repository (design, domain brief, indicator list, pitfalls and
  interfaces): what they held that the code relies on is in ``docs/`` now;
- the shared data folder named by a path, relative (beside the checkout) or by its data
  subfolder: tests find it through ``tests/helpers/shared_paths.py``, which computes it;
- absolute paths into home folders, checkouts, temporary folders or a machine's own
  install folders, except the system tools in ``ALLOWED_PATHS``, each with its reason.

A failure names the file and the line. The patterns are written so that this file does
not match them itself, and the checking function is tried on planted text below.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from helpers import REPO_ROOT

# The five documents outside the repository. Case matters: docs/domain.md and
# docs/indicators.md are the repository's own pages.
OUTSIDE_DOCUMENT = re.compile(r"\b(?:DESIGN|DOMAIN|INDICATORS|PITFALLS|INTERFACES)\.md\b")
# The shared folder by path: beside the checkout, or its data subfolder.
SHARED_FOLDER = re.compile(r"\.\.[/\\]+shared\b|\bshared[/\\]+data\b")
# An absolute POSIX path under a folder that differs from machine to machine. Not part of
# a longer path or a URL's host (no word character, dot, tilde, dollar or hyphen just
# before it). /proc, /dev, /etc and /bin are the same on every POSIX machine and are not
# listed.
MACHINE_PATH = re.compile(
    r"(?<![\w.~$-])/(?:home|root|tmp|work|Users|mnt|media|opt|srv|var|usr|scratch)/"
    r"[^\s'\"`()<>\[\]{},;|]*"
)
# A Windows user folder.
WINDOWS_HOME = re.compile(r"\b[A-Za-z]:[\\/]+(?:Users|Documents and Settings)[\\/]", re.I)

# Absolute paths that may appear, and why.
ALLOWED_PATHS = {
    "/usr/bin/env": "shebangs: finds the interpreter on PATH, the portable way",
    "/usr/bin/chromium": (
        "Debian's Chromium, the browser tests' default; SENDREADY_CHROMIUM names another"
    ),
    "/usr/bin/time": "GNU time for make bench, used only when present (getrusage otherwise)",
    "/opt/old-env/bin/python": (
        "a made-up interpreter of another environment, in the stale kernelspec the "
        "packaging test plants; it must not exist"
    ),
}

# Paths that one file must name as data, and why: (file, path) -> reason.
ALLOWED_IN_FILE = {
    ("tests/unit/ingest/test_windows_paths.py", "/Users/analyst/persons.csv"): (
        "a made-up absolute Windows path a profile must refuse"
    ),
    ("tests/unit/ingest/test_windows_paths.py", "C:/Users/"): (
        "a made-up absolute Windows path a profile must refuse"
    ),
    ("tests/unit/test_portability.py", "/usr/"): (
        "the POSIX-only path prefixes the portability scan looks for in the package"
    ),
}

THIS_FILE = "tests/unit/test_repository.py"


def _allowed_in(name: str, match: str) -> bool:
    """Whether ``match`` is one of ``name``'s listed paths (this file lists them all)."""
    if name == THIS_FILE:
        return any(match in allowed for _, allowed in ALLOWED_IN_FILE)
    return (name, match) in ALLOWED_IN_FILE


def find_problems(text: str, name: str) -> list[str]:
    """Every forbidden reference in ``text``, as ``"<name>:<line>: <what> <found>"``."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = [
            ("document outside the repository", m.group(0)) for m in OUTSIDE_DOCUMENT.finditer(line)
        ]
        found += [("shared folder by path", m.group(0)) for m in SHARED_FOLDER.finditer(line)]
        paths = (m.group(0).rstrip(".:") for m in MACHINE_PATH.finditer(line))
        found += [("absolute machine path", p) for p in paths if p not in ALLOWED_PATHS]
        found += [("Windows user folder", m.group(0)) for m in WINDOWS_HOME.finditer(line)]
        problems += [
            f"{name}:{number}: {what} {match!r}"
            for what, match in found
            if not _allowed_in(name, match)
        ]
    return problems


def _tracked_text_files() -> dict[str, str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: cannot list the tracked files")
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=False
    )
    if listing.returncode != 0:
        pytest.skip(f"{REPO_ROOT} is not a git checkout: cannot list the tracked files")
    texts = {}
    for name in listing.stdout.decode("utf-8").split("\0"):
        path = REPO_ROOT / name
        if not name or not path.is_file():
            continue  # a deleted file not yet committed
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary: Excel, Parquet
        try:
            texts[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # not text either
    return texts


def test_no_tracked_file_refers_outside_the_repository_or_to_one_machine():
    texts = _tracked_text_files()
    assert len(texts) > 100  # the listing really found the repository
    problems = [p for name, text in sorted(texts.items()) for p in find_problems(text, name)]
    assert not problems, "\n".join(problems)


def test_every_allowed_path_is_still_used():
    """An exception nothing needs any more is removed, not kept "just in case"."""
    texts = _tracked_text_files()
    this_file = "tests/unit/test_repository.py"
    for allowed in ALLOWED_PATHS:
        users = [n for n, t in texts.items() if n != this_file and allowed in t]
        assert users, f"{allowed} is allowed but no tracked file uses it"
    for name, allowed in ALLOWED_IN_FILE:
        assert allowed in texts.get(name, ""), (
            f"{allowed} is allowed in {name}, which no longer uses it"
        )


# Planted references, built from pieces so that this file itself stays clean.
PLANTED = [
    ("see " + "DESIGN" + ".md, section 2", "document outside the repository"),
    ("(notes/" + "INTERFACES" + ".md)", "document outside the repository"),
    ("as listed in " + "DOMAIN" + ".md section 5", "document outside the repository"),
    ("read ../" + "shared/README.md", "shared folder by path"),
    ("the file " + "shared" + "/data/statistical_neighbours.csv", "shared folder by path"),
    ("path = Path('/" + "work/sendready/lib')", "absolute machine path"),
    ("cache in /" + "home/analyst/.cache", "absolute machine path"),
    ("written to /" + "tmp/pytest-of-root/x", "absolute machine path"),
    ("PYTHONPATH=/" + "root/sendready", "absolute machine path"),
    ("file:///" + "home/analyst/pack.html", "absolute machine path"),
    ("interpreter /" + "opt/conda/bin/python", "absolute machine path"),
    ("data in C:\\" + "Users\\analyst\\send", "Windows user folder"),
]


@pytest.mark.parametrize(("line", "what"), PLANTED, ids=[w for _, w in PLANTED])
def test_a_planted_reference_is_found_with_file_and_line(line, what):
    text = f"first line\n{line}\nlast line\n"
    problems = find_problems(text, "planted.py")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"planted.py:2: {what} ")


@pytest.mark.parametrize(
    "line",
    [
        "See docs/domain.md and docs/indicators.md.",
        "#!/usr/bin/env bash",
        'CHROMIUM = Path("/usr/bin/chromium")',
        "memory from ``/usr/bin/time -v``.",
        "Fallback without /usr/bin/time: run it.",
        "SHARED_ROOT / 'data' / 'statistical_neighbours.csv'",
        "a folder named ``shared`` beside the checkout",
        "https://explore-education-statistics.service.gov.uk/find-statistics/x",
        "outputs/bench/bench.md and lib/sendready/dev/bench.py",
        "/proc/self/status and /dev/null",
        "base = '/tmp' if os.path.isdir('/tmp') else base",
    ],
)
def test_ordinary_text_is_not_flagged(line):
    assert find_problems(line, "ok.py") == []
