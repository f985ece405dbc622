"""What every report is built from: the profile, the period's evidence and the staged data.

A :class:`ReportContext` is made by :func:`sendready.notebook.open_report` (or by the batch)
and handed to each report class. Reports read the ingest's outcome (its summary and
fingerprint) but never run an ingest themselves, so this module names only the few
attributes they use (:class:`IngestOutcome`).
"""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol

import pandas as pd

from sendready.core.text import strip_bidi_frame
from sendready.evidence.build import Evidence
from sendready.indicators.registry import StagedData
from sendready.metadata.profile import Profile

NARRATOR_FILE = "narrator.pkl"

# A status recorded in the action plan extract describes the extract date. It stands for
# the period end only when the extract is the quarter's own, taken within a month of its
# end; an older period is told from the actions' dates alone (see recorded_status_applies).
RECORDED_STATUS_WITHIN = pd.Timedelta(days=31)


def profile_at(profile: Profile, period_end: object) -> Profile:
    """The profile as it was known at ``period_end``: the period-end clock.

    A pack for a quarter must know only what was known when the quarter closed. This is
    the one place where the profile's dated facts are cut at the period end, and every
    report reads the profile through it (:class:`ReportContext` applies it on creation;
    report classes call it again on whatever context they are given, which is harmless):

    - history items dated after the period end are dropped;
    - the publication, plan submission and plan acceptance dates after it are removed;
    - re-visit outcomes are removed when the re-visit (``framework.revisit_date``) began
      after it, or has no date.

    Data-driven items are cut at the period end where they are read: indicators by the
    engine, quotes and survey waves by their dates, action statuses by
    :func:`recorded_status_applies`.
    """
    end = pd.Timestamp(period_end).date()
    fw = profile.framework
    later = {
        name: None
        for name in ("published", "plan_submitted", "plan_accepted")
        if getattr(fw, name) is not None and getattr(fw, name) > end
    }
    history = [item for item in fw.history if item.date <= end]
    revisit_known = fw.revisit_date is not None and fw.revisit_date <= end
    if not revisit_known:
        later["revisit_date"] = None
    framework = fw.model_copy(update={**later, "history": history})
    weaknesses = [
        w
        if revisit_known or w.revisit_outcome is None
        else w.model_copy(update={"revisit_outcome": None})
        for w in profile.weaknesses
    ]
    return profile.model_copy(update={"framework": framework, "weaknesses": weaknesses})


def recorded_status_applies(extract_date: object, period_end: object) -> bool:
    """Whether the action plan's recorded statuses (at risk, not started) may describe
    ``period_end``: only when the extract was taken on or after it and within
    :data:`RECORDED_STATUS_WITHIN` of it. A status recorded for a later quarter (or an
    extract of unknown date) would carry hindsight into an earlier pack."""
    if extract_date is None or pd.isna(extract_date):
        return False
    gap = pd.Timestamp(extract_date) - pd.Timestamp(period_end)
    return pd.Timedelta(0) <= gap <= RECORDED_STATUS_WITHIN


class IngestOutcome(Protocol):
    """The parts of an ingest's result that reports show (see ``ingest.plan.IngestResult``)."""

    fingerprint: str
    out_dir: Path
    summary: dict


def stored_narrator(folder: Path, key: str, *, load: bool = True):
    """The narrator kept with the evidence of ``key`` (``True`` for one that exists when
    ``load`` is false), or None.

    The batch writes it into the run's own output folder (see
    :mod:`sendready.publish.evidence_cache`); it is never read from user-supplied paths.
    """
    try:
        with open(folder / "evidence" / NARRATOR_FILE, "rb") as handle:
            if pickle.load(handle) != key:
                return None
            return pickle.load(handle) if load else True
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
        return None


def shared_narrator(ctx):
    """The narrator of a report context: the one kept with the evidence when there is one,
    else one built now and kept on the context, so that each report does not mark
    suppression again."""
    from sendready.reports.narrative.narrator import Narrator

    narrator = getattr(ctx, "narrator", None)
    return narrator if isinstance(narrator, Narrator) else Narrator.from_evidence(ctx.evidence)


@dataclass
class ReportContext:
    """Everything a notebook shows, computed or loaded once."""

    profile: Profile
    evidence: Evidence
    ingest: IngestOutcome
    data_dir: Path
    outputs: Path
    folder: Path
    evidence_key: str = ""
    # What the notebook runs on: code version and folders (sendready.notebook.open_report).
    uses: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The period-end clock: nothing dated after the period end reaches a report.
        self.profile = profile_at(self.profile, self.evidence.period_end)
        self.evidence = dataclasses.replace(self.evidence, profile=self.profile)

    @property
    def staged_dir(self) -> Path:
        return self.ingest.out_dir

    @property
    def indicators(self) -> pd.DataFrame:
        """The tidy indicator table: one row per indicator, breakdown and period (month
        and quarter), with numerator, denominator, value, interval and flags.

        A copy of the evidence's own table, equal to ``evidence/indicators.parquet``:
        counts are **not** suppressed (``small_number`` marks those the reports hide), so
        it stays in the restricted area like that file.
        """
        return self.evidence.table.copy()

    def list_schools(self, search: str = "") -> pd.DataFrame:
        """See :func:`sendready.reports.drilldown.list_schools`."""
        from sendready.reports.drilldown import list_schools

        return list_schools(self, search)

    def list_providers(self, search: str = "") -> pd.DataFrame:
        """See :func:`sendready.reports.drilldown.list_providers`."""
        from sendready.reports.drilldown import list_providers

        return list_providers(self, search)

    @cached_property
    def narrator(self):
        """Sentences for every section, suppression marked once (see :func:`shared_narrator`)."""
        from sendready.reports.narrative.narrator import Narrator

        stored = stored_narrator(self.folder, self.evidence_key) if self.evidence_key else None
        return stored if stored is not None else Narrator.from_evidence(self.evidence)

    @cached_property
    def data(self) -> StagedData:
        """The staged tables, read once on first use (for drill-down and report sections),
        with bidirectional control characters removed from their text and counted."""
        return ShownStagedData(self.ingest.out_dir)


class ShownStagedData(StagedData):
    """Staged tables as reports show them: the text columns of each table lose their
    bidirectional control characters when it is first read (:mod:`sendready.core.text`),
    and :attr:`controls_removed` counts them by table and column."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.controls_removed: dict[tuple[str, str], int] = {}
        self._cleaned: set[str] = set()

    def get(self, source: str):
        frame = super().get(source)
        if frame is not None and source not in self._cleaned:
            frame, removed = strip_bidi_frame(frame)
            self._tables[source] = frame
            self.controls_removed |= {(source, c): n for c, n in removed.items()}
        self._cleaned.add(source)
        return frame
