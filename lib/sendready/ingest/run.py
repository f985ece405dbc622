"""Ingest in one call: plan, then reuse the staged outputs or stage afresh.

The plan (:mod:`sendready.ingest.plan`) needs the standard library only, so an unchanged
re-run never imports pandas; staging (:mod:`sendready.ingest.stage`) is imported only when
there is work to do. This module is the one place that joins the two, so neither imports
the other's caller.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sendready.ingest.plan import IngestPlan, IngestResult, plan_ingest, reuse_staged
from sendready.metadata.profile import Profile

log = logging.getLogger("sendready.ingest")


def run_ingest(
    profile: Profile,
    data_dir: Path | str,
    out_dir: Path | str,
    extract_date: dt.date | str | None = None,
    force: bool = False,
) -> IngestResult:
    """Validate and stage every source for a profile.

    Args:
        profile: The area profile (file names, sheets and header mappings per source).
        data_dir: Folder of raw extracts.
        out_dir: Folder for staged tables, quarantine files and reports.
        extract_date: The date the extracts were taken; default ``extract.json`` in
            ``data_dir``, else today.
        force: Redo the work even if nothing has changed.

    Raises:
        SourceError: a required source is missing, or a file cannot be read or lacks a
            required column.
    """
    return ingest_from_plan(
        plan_ingest(profile, data_dir, out_dir, extract_date, force=force), force=force
    )


def ingest_from_plan(plan: IngestPlan, force: bool = False) -> IngestResult:
    """The staged outputs for a plan: reused when they match it (unless ``force``), else
    staged by :func:`sendready.ingest.stage.stage`, imported only then (it needs pandas)."""
    if not force:
        reused = reuse_staged(plan)
        if reused is not None:
            log.info(
                "Ingest inputs unchanged (fingerprint %s): reusing %s",
                plan.fingerprint[:12],
                plan.out_dir,
            )
            return reused
    from sendready.ingest.stage import stage

    return stage(plan)
