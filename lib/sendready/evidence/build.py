"""The evidence for one profile and period: indicator table, assessments and verdicts.

This is the "process" stage between ingest and the notebooks. Every notebook and the
board pack call :func:`build_evidence` (or read what it saved) so that a weakness
report, the board summary and the index can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sendready.core.errors import SendreadyError
from sendready.core.excel import write_csv
from sendready.evidence.assessment import IndicatorAssessment, assess_indicator
from sendready.evidence.verdicts import Verdict, weakness_verdict
from sendready.indicators import REGISTRY, StagedData, compute_indicators
from sendready.indicators.declared import register_profile_indicators
from sendready.indicators.periods import as_timestamp
from sendready.metadata.profile import Profile


@dataclass
class Evidence:
    """Everything a report needs about the numbers."""

    profile: Profile
    period_end: pd.Timestamp
    table: pd.DataFrame
    assessments: dict[str, IndicatorAssessment]
    verdicts: dict[str, Verdict]

    def quarter(self, indicator_id: str, breakdown: str = "") -> pd.Series | None:
        rows = self.table[
            (self.table["indicator_id"] == indicator_id)
            & (self.table["breakdown"] == breakdown)
            & (self.table["period_type"] == "quarter")
        ]
        return rows.iloc[0] if len(rows) else None

    def verdict_table(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "weakness_id": w.id,
                    "verdict": self.verdicts[w.id].code,
                    "verdict_label": self.verdicts[w.id].label,
                }
                for w in self.profile.weaknesses
            ]
        )


def profile_indicator_ids(profile: Profile) -> list[str]:
    """Every indicator the profile's weaknesses use, in first-mention order."""
    seen: dict[str, None] = {}
    for weakness in profile.weaknesses:
        for ind in weakness.indicators:
            seen.setdefault(ind, None)
    return list(seen)


def profile_targets(profile: Profile) -> dict[str, float]:
    """Each indicator's target (the first weakness to set one wins)."""
    targets: dict[str, float] = {}
    for weakness in profile.weaknesses:
        for ind, target in weakness.targets.items():
            targets.setdefault(ind, target.value)
    return targets


def _trend_caveat(indicator_id: str) -> str:
    definition = REGISTRY.get(indicator_id)
    return definition.trend_caveat if definition is not None else ""


def build_evidence(
    profile: Profile,
    staged: Path | StagedData,
    period_end: dt.date | str,
) -> Evidence:
    """Compute, assess and judge every indicator the profile uses, as at ``period_end``.

    The monthly series start at the profile's baseline start, so SPC limits are set on
    the position before the plan.
    """
    end = as_timestamp(period_end)
    if end.date() <= profile.framework.baseline_start:
        raise SendreadyError(
            f"The period end {end.date():%d %B %Y} falls before the baseline of profile "
            f"{profile.id!r}, which starts on {profile.framework.baseline_start:%d %B %Y}.",
            hint="Choose a later --period-end (the last day of a reporting quarter).",
        )
    register_profile_indicators(profile)  # the area's own indicators, before any is read
    data = staged if isinstance(staged, StagedData) else StagedData(Path(staged))
    ids = profile_indicator_ids(profile)
    targets = profile_targets(profile)
    series_start = profile.framework.baseline_start
    table = compute_indicators(
        data,
        end,
        series_start,
        ids,
        small_threshold=profile.disclosure.threshold,
        targets=targets,
    )
    return evidence_from_table(profile, table, end)


def evidence_from_table(
    profile: Profile, table: pd.DataFrame, period_end: dt.date | str
) -> Evidence:
    """Assess and judge an indicator table computed as at ``period_end``.

    Split from :func:`build_evidence` so that a run of many quarters can compute the
    table once for all of them (:mod:`sendready.indicators.by_quarter`).
    """
    end = as_timestamp(period_end)
    ids = profile_indicator_ids(profile)
    targets = profile_targets(profile)
    baseline = (profile.framework.baseline_start, profile.framework.baseline_end)
    assessments = {
        ind: assess_indicator(
            table, ind, *baseline, target=targets.get(ind), trend_caveat=_trend_caveat(ind)
        )
        for ind in ids
    }
    verdicts = {}
    for weakness in profile.weaknesses:
        keys = weakness.key_indicators or [
            i for i in weakness.indicators if assessments[i].direction != "neutral"
        ]
        verdicts[weakness.id] = weakness_verdict(
            weakness.id, [assessments[i] for i in keys], profile.verdict_rule
        )
    return Evidence(
        profile=profile, period_end=end, table=table, assessments=assessments, verdicts=verdicts
    )


def save_evidence(evidence: Evidence, out_dir: Path) -> list[Path]:
    """Write the indicator table, assessments and verdicts (aggregates only).

    The indicator table holds counts and rates, never person-level rows; small numbers are
    flagged here and suppressed where they are displayed.
    """
    import json

    out_dir.mkdir(parents=True, exist_ok=True)
    table_path = out_dir / "indicators.parquet"
    evidence.table.to_parquet(table_path, index=False)
    assessments = pd.DataFrame([a.as_record() for a in evidence.assessments.values()])
    assessments_path = out_dir / "assessments.csv"
    write_csv(assessments, assessments_path)  # for Excel: BOM, ISO dates, no formulas
    verdicts_path = out_dir / "verdicts.json"
    verdicts_path.write_text(
        json.dumps(
            {
                "profile": evidence.profile.id,
                "period_end": evidence.period_end.date().isoformat(),
                "verdicts": {
                    wid: {
                        "verdict": v.code,
                        "label": v.label,
                        "basis": v.basis,
                        "reasons": v.reasons,
                        "cautions": v.cautions,
                    }
                    for wid, v in evidence.verdicts.items()
                },
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return [table_path, assessments_path, verdicts_path]
