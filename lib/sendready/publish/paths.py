"""Where things live: the project checkout, the sample area, each period's outputs.

A run writes two kinds of output, kept apart by construction, under
``<outputs>/<profile id>/``:

* ``board-pack/<period end>/``: the **shareable board pack**: the HTML pages, the
  single-file ``pack.html``, a PDF when one exists, and a manifest that names no restricted
  file. Aggregates only, small counts suppressed: this folder may be sent to the board.
* ``restricted/``: the **restricted analyst area**, which never leaves the machine: the
  staged data and quarantine (``staged/``) and, per period (``<period end>/``), the
  evidence tables with unsuppressed counts and the caches, the executed notebooks,
  ``run.log`` and the full manifest. The suite writes a ``README.md`` there saying so.

Every path a command, a notebook, the bench or a test needs comes from here. Nothing in
the board pack refers to the restricted area (``test_privacy`` scans every link).

Standard library only: the re-run path uses these before it knows whether any work is
needed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sendready.core.dates import iso_date
from sendready.core.errors import SendreadyError
from sendready.metadata.profile import Profile
from sendready.publish.periods import previous_quarter_end

log = logging.getLogger("sendready.publish.paths")

BOARD_PACK_DIR = "board-pack"
RESTRICTED_DIR = "restricted"
STAGED_DIR = "staged"
EVIDENCE_DIR = "evidence"
EXECUTED_DIR = "notebooks"
MANIFEST = "manifest.json"
RUN_LOG = "run.log"
INDEX_FILE = "index.html"
PACK_FILE = "pack.html"
PDF_FILE = "pack.pdf"
RESTRICTED_README = "README.md"
_PERIOD_NAME = re.compile(r"\d{4}-\d{2}-\d{2}")

RESTRICTED_README_TEXT = """\
# Restricted: never share, never copy off this machine

This folder was written by sendready. It holds the **restricted analyst area** of the
profile's runs: everything behind the board pack that must not leave this machine.

- `staged/`: the checked extracts as child-level rows (names, dates of birth, UPNs, NHS
  numbers and postcodes where the extracts had them), `data_quality.json`, and
  `staged/quarantine/*.csv`: every rejected row exactly as it was read, identifiers
  included.
- `<period end>/evidence/`: the indicator table, assessments, verdicts and caches, with
  **unsuppressed** counts, small numbers included.
- `<period end>/notebooks/`: the executed notebooks, with analyst-only cells and outputs.
- `<period end>/run.log` and `<period end>/manifest.json` (and `manifest.failed.json`
  after a failed run that kept the pack in place), and `workers.log` (a run of several
  quarters): paths and names of the extracts, and error text that may quote data.

Keep it under the same data-protection arrangements as the extracts themselves: do not
email it, commit it, or copy it to a shared drive. What may be shared is the board pack,
in `../board-pack/<period end>/`, which holds aggregates only and links to nothing here.
"""


def project_root(start: Path | None = None) -> Path:
    """The checkout holding ``pyproject.toml`` and ``notebooks/`` (else the working dir)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").exists() and (folder / "notebooks").is_dir():
            return folder
    return here


def default_data_dir(root: Path) -> Path:
    """The built-in sample area's folder in a checkout."""
    return root / "data" / "sample"


def ensure_sample(data_dir: Path) -> None:
    """Generate the built-in sample area if the folder has not been written yet."""
    if not (data_dir / "extract.json").exists():
        from sendready.sample import generate_sample

        log.info("generating the sample area in %s", data_dir)
        generate_sample(out_dir=data_dir, scale=1.0, seed=2017)


def profile_dir(outputs: Path, profile: Profile) -> Path:
    """``<outputs>/<profile id>``: keyed by profile, not area, because two profiles (a 2017
    revisit and a 2024 inspection) can share an area."""
    return outputs / profile.id


def restricted_dir(outputs: Path, profile: Profile) -> Path:
    """``<outputs>/<profile id>/restricted``: the analyst area that never leaves the machine."""
    return profile_dir(outputs, profile) / RESTRICTED_DIR


def staged_dir(outputs: Path, profile: Profile) -> Path:
    """``<outputs>/<profile id>/restricted/staged``: the checked data (and quarantine) every
    report of a profile reads."""
    return restricted_dir(outputs, profile) / STAGED_DIR


def restricted_period_dir(outputs: Path, profile: Profile, period_end: dt.date | str) -> Path:
    """``<outputs>/<profile id>/restricted/<period end>``: the period's evidence, executed
    notebooks, run log and full manifest."""
    return restricted_dir(outputs, profile) / iso_date(period_end).isoformat()


def pack_dir(outputs: Path, profile: Profile, period_end: dt.date | str) -> Path:
    """``<outputs>/<profile id>/board-pack/<period end>``: the shareable board pack."""
    return profile_dir(outputs, profile) / BOARD_PACK_DIR / iso_date(period_end).isoformat()


def evidence_dir(restricted_period: Path) -> Path:
    """``<restricted period>/evidence``: indicator table, assessments, verdicts, caches."""
    return restricted_period / EVIDENCE_DIR


@dataclass(frozen=True)
class PeriodPaths:
    """One period's two folders: the shareable pack and its restricted counterpart."""

    pack: Path  # shareable
    restricted: Path  # never leaves the machine

    @property
    def evidence(self) -> Path:
        return evidence_dir(self.restricted)

    @property
    def executed(self) -> Path:
        return self.restricted / EXECUTED_DIR

    @property
    def manifest(self) -> Path:
        """The full manifest (paths, errors): restricted."""
        return self.restricted / MANIFEST

    @property
    def pack_manifest(self) -> Path:
        """The shareable manifest: no paths, no error text, hashes of the pack's files."""
        return self.pack / MANIFEST

    @property
    def run_log(self) -> Path:
        return self.restricted / RUN_LOG


def period_paths(outputs: Path, profile: Profile, period_end: dt.date | str) -> PeriodPaths:
    return PeriodPaths(
        pack=pack_dir(outputs, profile, period_end),
        restricted=restricted_period_dir(outputs, profile, period_end),
    )


def writable_dir(folder: Path) -> Path:
    """Create ``folder`` if needed and check that a file can be written in it.

    Raises:
        SendreadyError: (exit status 2) naming the folder and what to do, on one line,
            when the folder, or a parent, cannot be created or written (read-only, a file
            where a folder is expected, no permission).
    """
    probe = folder / f".sendready-write-check.{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise not_writable(folder, exc) from None
    return folder


def not_writable(folder: Path | str, exc: OSError) -> SendreadyError:
    """The one-line error for a folder the suite cannot create or write in.

    Names the path that is in the way: the nearest existing folder at or above
    ``folder`` (the one that refused), or a file standing where a folder is expected.
    """
    blocker = Path(folder)
    while not blocker.exists() and blocker != blocker.parent:
        blocker = blocker.parent
    if blocker.exists() and not blocker.is_dir():
        return SendreadyError(
            f"cannot write to {folder}: {blocker} is a file where a folder is expected; "
            "move that file away, or choose another outputs folder with --out."
        )
    reason = exc.strerror or type(exc).__name__
    return SendreadyError(
        f"cannot write to {blocker} ({reason}): make that folder writable, or choose "
        "another outputs folder with --out."
    )


def ensure_restricted(outputs: Path, profile: Profile) -> Path:
    """The restricted area, created (writable) with its ``README.md`` on first use."""
    folder = writable_dir(restricted_dir(outputs, profile))
    readme = folder / RESTRICTED_README
    try:
        if not readme.is_file() or readme.read_text(encoding="utf-8") != RESTRICTED_README_TEXT:
            readme.write_text(RESTRICTED_README_TEXT, encoding="utf-8")
    except OSError as exc:
        raise not_writable(folder, exc) from None
    return folder


def old_layout_folders(outputs: Path, profile: Profile) -> list[Path]:
    """Folders an older version wrote beside the pack (``staged/``, ``<period end>/``),
    mixing restricted files into what looks like a pack: the run warns about them."""
    folder = profile_dir(outputs, profile)
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_dir() and (p.name == STAGED_DIR or _PERIOD_NAME.fullmatch(p.name))
    )


def earlier_pack(period_folder: Path) -> Path | None:
    """The restricted folder of the previous quarter's pack, if it holds verdicts.

    Only the quarter immediately before: a pack compared with any earlier folder would
    call a stray run (a mistyped date, a quarter the data did not cover) "the previous
    pack", and a gap of a year would read as "since last quarter". ``period_folder`` is a
    restricted period folder (:func:`restricted_period_dir`): the verdicts an index
    compares with are evidence, kept in the restricted area.
    """
    if not _PERIOD_NAME.fullmatch(period_folder.name):
        return None
    try:
        before = previous_quarter_end(period_folder.name).isoformat()
    except ValueError:
        return None
    folder = period_folder.parent / before
    return folder if (evidence_dir(folder) / "verdicts.json").is_file() else None


def previous_verdicts(period_folder: Path) -> tuple[str, dict[str, str]] | None:
    """The period end and verdict codes of the previous quarter's pack (what the index
    compares with), or ``None`` when there is none."""
    folder = earlier_pack(period_folder)
    if folder is None:
        return None
    content = json.loads((evidence_dir(folder) / "verdicts.json").read_text(encoding="utf-8"))
    return folder.name, {k: v["verdict"] for k, v in content["verdicts"].items()}


BUILDING_SUFFIX = ".building"
_SWAPPED_SUFFIX = ".replaced"


@contextmanager
def building_folder(destination: Path) -> Iterator[Path]:
    """A fresh, empty folder beside ``destination`` to build its next version in.

    Named ``.<name>.building`` in the same parent, so that :func:`swap_in` is a rename
    within one file system. Whatever happens, the building folder is gone afterwards
    (swapped in, or removed after a failure or an interruption); one left by a run that
    was killed outright is removed by the next.
    """
    build = destination.parent / f".{destination.name}{BUILDING_SUFFIX}"
    try:
        if build.exists():
            shutil.rmtree(build)
        build.mkdir(parents=True)
    except OSError as exc:
        raise not_writable(destination.parent, exc) from None
    try:
        yield build
    finally:
        shutil.rmtree(build, ignore_errors=True)


def swap_in(build: Path, destination: Path) -> None:
    """Put the complete ``build`` folder where ``destination`` is, by renaming.

    The folder in place is first renamed aside and deleted only once the new one is in
    place; if that second rename fails, the old folder is put back. A reader never sees
    a half-written pack, only the old one or the new one (for the instant between the two
    renames, none).
    """
    aside = destination.parent / f".{destination.name}{_SWAPPED_SUFFIX}"
    if aside.exists():
        shutil.rmtree(aside)
    had_one = destination.exists()
    if had_one:
        destination.rename(aside)
    try:
        build.rename(destination)
    except OSError:
        if had_one:
            aside.rename(destination)
        raise
    if had_one:
        shutil.rmtree(aside, ignore_errors=True)
