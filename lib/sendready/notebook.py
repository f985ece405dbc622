"""What a report notebook needs in its first cells: the profile, data and evidence.

Notebooks stay thin: they pass their papermill parameters (JSON primitives; dates as ISO
text) to :func:`open_report` and get back everything computed. Evidence is cached on disk
by the batch, keyed on the staged data's fingerprint, the profile and the period, so a
batch computes it once and every notebook (and an analyst's "Run All") reuses it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sendready import __version__
from sendready.evidence import Evidence, build_evidence, save_evidence
from sendready.indicators.periods import as_timestamp
from sendready.indicators.registry import StagedData
from sendready.ingest import IngestResult, run_ingest
from sendready.ingest_plan import pinned_staged
from sendready.paths import (
    default_data_dir,
    ensure_sample,
    period_dir,
    project_root,
    staged_dir,
)
from sendready.profile import Profile, load_profile

log = logging.getLogger("sendready.notebook")
NARRATOR_FILE = "narrator.pkl"


def evidence_key(profile: Profile, ingest: IngestResult, period_end: str) -> str:
    parts = {"fingerprint": ingest.fingerprint, "profile": profile.model_dump_json(),
             "period_end": as_timestamp(period_end).date().isoformat(), "version": __version__}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def load_or_build_evidence(profile: Profile, ingest: IngestResult, period_end: str,
                           folder: Path) -> Evidence:
    """Evidence for the period, from the cache when its key matches.

    The pickle is written by this suite into the run's own output folder and read back
    only when its key matches, never from user-supplied paths.
    """
    key = evidence_key(profile, ingest, period_end)
    cache = folder / "evidence" / "evidence.pkl"
    key_file = folder / "evidence" / "evidence.key"
    if cache.exists() and key_file.exists() and key_file.read_text() == key:
        with open(cache, "rb") as handle:
            evidence = pickle.load(handle)
        if _stored_narrator(folder, key, load=False) is None:  # kept by an older version
            _store_narrator(folder, key, evidence)
        return evidence
    evidence = build_evidence(profile, ingest.out_dir, period_end)
    save_evidence(evidence, folder / "evidence")
    tmp = cache.with_suffix(".tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(evidence, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache)
    _store_narrator(folder, key, evidence)
    key_file.write_text(key)
    return evidence


def _store_narrator(folder: Path, key: str, evidence: Evidence) -> None:
    """Mark suppression once per batch: every report's narrator starts from it.

    Marking takes longer than most report sections (each quarter is checked against its
    months for secondary suppression), and every report of a period marks the same table.
    """
    from sendready.narrative.narrator import Narrator

    path = folder / "evidence" / NARRATOR_FILE
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two notebooks may race here
    with open(tmp, "wb") as handle:
        # The key first, so that checking it does not unpickle the narrator.
        pickle.dump(key, handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(Narrator.from_evidence(evidence), handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def _stored_narrator(folder: Path, key: str, *, load: bool = True):
    """The narrator kept with the evidence of ``key`` (``True`` for one that exists when
    ``load`` is false), or None. Written by this suite into the run's own output folder,
    never read from user-supplied paths."""
    try:
        with open(folder / "evidence" / NARRATOR_FILE, "rb") as handle:
            if pickle.load(handle) != key:
                return None
            return pickle.load(handle) if load else True
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
        return None


def shared_narrator(ctx):
    """The narrator of a report context: the one kept with the evidence when there is one
    (see :func:`load_or_build_evidence`), else one built now and kept on the context, so
    that each report does not mark suppression again."""
    from sendready.narrative.narrator import Narrator

    narrator = getattr(ctx, "narrator", None)
    return narrator if isinstance(narrator, Narrator) else Narrator.from_evidence(ctx.evidence)


@dataclass
class ReportContext:
    """Everything a notebook shows, computed or loaded once."""

    profile: Profile
    evidence: Evidence
    ingest: IngestResult
    data_dir: Path
    outputs: Path
    folder: Path
    evidence_key: str = ""

    @property
    def staged_dir(self) -> Path:
        return self.ingest.out_dir

    @cached_property
    def narrator(self):
        """Sentences for every section, suppression marked once (see :func:`shared_narrator`)."""
        from sendready.narrative.narrator import Narrator

        stored = _stored_narrator(self.folder, self.evidence_key) if self.evidence_key else None
        return stored if stored is not None else Narrator.from_evidence(self.evidence)

    @cached_property
    def data(self) -> StagedData:
        """The staged tables, read once on first use (for drill-down and report sections)."""
        return StagedData(self.ingest.out_dir)


def open_report(
    profile: str, data_dir: str, period_end: str, outputs_dir: str = "",
    staged_fingerprint: str = "",
) -> ReportContext:
    """Load the profile, ingest (cached) and the period's evidence (cached).

    Args:
        profile: Built-in profile id or path to a YAML file.
        data_dir: Folder of raw extracts; empty for the built-in sample area, which is
            generated on first use.
        period_end: Last day of the reporting quarter, ISO text.
        outputs_dir: Where runs write; empty for ``outputs/`` in the project.
        staged_fingerprint: Set by ``sendready run``: use the staged data the batch
            ingested, read-only, instead of checking the extracts again (see
            :func:`sendready.ingest_plan.pinned_staged`). Empty when an analyst runs the
            notebook.
    """
    root = project_root()
    prof = load_profile(profile)
    data = Path(data_dir) if data_dir else default_data_dir(root)
    if not data_dir:
        ensure_sample(data)
    outputs = Path(outputs_dir) if outputs_dir else root / "outputs"
    staged = staged_dir(outputs, prof)
    ingest = (pinned_staged(staged, staged_fingerprint) if staged_fingerprint
              else run_ingest(prof, data_dir=data, out_dir=staged))
    folder = period_dir(outputs, prof, period_end)
    evidence = load_or_build_evidence(prof, ingest, period_end, folder)
    return ReportContext(profile=prof, evidence=evidence, ingest=ingest, data_dir=data,
                         outputs=outputs, folder=folder,
                         evidence_key=evidence_key(prof, ingest, period_end))
