"""The notebooks' entry point: :func:`open_report` gives a notebook everything it shows.

Notebooks stay thin: they pass their papermill parameters (JSON primitives; dates as ISO
text) to :func:`open_report` and get back a :class:`~sendready.reports.context.ReportContext`
with the profile, the staged data and the period's evidence. As ``cli.py`` is the entry
point for the shell, this module is the one for notebooks, and may use every stage.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sendready.ingest.plan import pinned_staged
from sendready.ingest.run import run_ingest
from sendready.metadata.profile import load_profile
from sendready.publish.evidence_cache import evidence_key, load_or_build_evidence
from sendready.publish.parameters import check_report_parameters
from sendready.publish.paths import (
    default_data_dir,
    ensure_restricted,
    ensure_sample,
    project_root,
    restricted_period_dir,
    staged_dir,
)
from sendready.reports.context import ReportContext, shared_narrator

__all__ = ["ReportContext", "open_report", "project_root", "shared_narrator"]

log = logging.getLogger("sendready.notebook")


def open_report(
    profile: str,
    data_dir: str,
    period_end: str,
    outputs_dir: str = "",
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
            :func:`sendready.ingest.plan.pinned_staged`). Empty when an analyst runs the
            notebook.
    """
    check_report_parameters(profile, data_dir, period_end, outputs_dir, staged_fingerprint)
    root = project_root()
    prof = load_profile(profile)
    data = Path(data_dir) if data_dir else default_data_dir(root)
    if not data_dir:
        ensure_sample(data)
    outputs = Path(outputs_dir) if outputs_dir else root / "outputs"
    staged = staged_dir(outputs, prof)
    if staged_fingerprint:
        ingest = pinned_staged(staged, staged_fingerprint)
    else:
        ensure_restricted(outputs, prof)  # an analyst's own run may be the first
        ingest = run_ingest(prof, data_dir=data, out_dir=staged)
    # Evidence (unsuppressed) lives in the restricted area, never in the board pack.
    folder = restricted_period_dir(outputs, prof, period_end)
    evidence = load_or_build_evidence(prof, ingest, period_end, folder)
    return ReportContext(
        profile=prof,
        evidence=evidence,
        ingest=ingest,
        data_dir=data,
        outputs=outputs,
        folder=folder,
        evidence_key=evidence_key(prof, ingest, period_end),
    )
