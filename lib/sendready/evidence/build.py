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
from sendready.indicators import StagedData, compute_indicators
from sendready.indicators.engine import TABLE_COLUMNS
from sendready.indicators.periods import as_timestamp, monthly_periods, quarter_period
from sendready.metadata.profile import Profile
from sendready.stats.spc import MIN_BASELINE_POINTS

# LEAD04 measures the suite itself, so it is computed here from the other indicators
# rather than from a staged table (INDICATORS.md, W1).
LEAD04 = "LEAD04"


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


def _targets(profile: Profile) -> dict[str, float]:
    targets: dict[str, float] = {}
    for weakness in profile.weaknesses:
        for ind, target in weakness.targets.items():
            targets.setdefault(ind, target.value)
    return targets


def _lead04_rows(
    table: pd.DataFrame,
    ids: list[str],
    targets: dict[str, float],
    series_start: object,
    period_end: pd.Timestamp,
) -> pd.DataFrame:
    """LEAD04: share of the profile's indicators that have a target and enough data for
    SPC (12 monthly points with data by the month end)."""
    others = [i for i in ids if i != LEAD04]
    months = monthly_periods(series_start, period_end)
    monthly = table[
        (table["period_type"] == "month")
        & (table["breakdown"] == "")
        & ~table["no_data"].astype(bool)
    ]
    ends = months["period_end"].to_numpy()
    ready = pd.Series(0, index=range(len(months)))
    for ind in others:
        if ind not in targets:
            continue
        dates = monthly.loc[monthly["indicator_id"] == ind, "period_end"].sort_values().to_numpy()
        points_by_end = pd.Series(dates.searchsorted(ends, side="right"))
        ready += (points_by_end >= MIN_BASELINE_POINTS).astype(int)
    out = months.copy()
    out["numerator"], out["denominator"] = ready.to_numpy(), len(others)
    out["period_type"] = "month"
    quarter = quarter_period(period_end)
    quarter["numerator"], quarter["denominator"] = int(ready.iloc[-1]), len(others)
    quarter["period_type"] = "quarter"
    rows = pd.concat([out, quarter], ignore_index=True)
    rows["value"] = rows["numerator"] / rows["denominator"] * 100
    rows = rows.assign(
        indicator_id=LEAD04,
        title="Indicators with data and a target",
        unit="percent",
        direction="up",
        statistic="proportion",
        breakdown="",
        ci_low=pd.NA,
        ci_high=pd.NA,
        small_number=False,
        no_data=False,
        no_data_reason="",
    )
    return rows[TABLE_COLUMNS]


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
    data = staged if isinstance(staged, StagedData) else StagedData(Path(staged))
    ids = profile_indicator_ids(profile)
    targets = _targets(profile)
    series_start = profile.framework.baseline_start
    table = compute_indicators(
        data,
        end,
        series_start,
        [i for i in ids if i != LEAD04],
        small_threshold=profile.disclosure.threshold,
    )
    if LEAD04 in ids:
        extract = data.extract_date
        if extract is not None and end > extract:
            # As for every other indicator: nothing can be said about months after the
            # extracts were taken.
            lead04 = (
                _lead04_rows(table, ids, targets, series_start, end)
                .tail(1)
                .assign(
                    numerator=pd.NA,
                    denominator=pd.NA,
                    value=pd.NA,
                    no_data=True,
                    no_data_reason=f"the extracts were taken on {extract.day} {extract:%B %Y}, "
                    "before the end of this period",
                )
            )
        else:
            lead04 = _lead04_rows(table, ids, targets, series_start, end)
        table = pd.concat([table, lead04.astype(table.dtypes.to_dict())], ignore_index=True)
    baseline = (profile.framework.baseline_start, profile.framework.baseline_end)
    assessments = {
        ind: assess_indicator(table, ind, *baseline, target=targets.get(ind)) for ind in ids
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
                    wid: {"verdict": v.code, "label": v.label, "reasons": v.reasons}
                    for wid, v in evidence.verdicts.items()
                },
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return [table_path, assessments_path, verdicts_path]
