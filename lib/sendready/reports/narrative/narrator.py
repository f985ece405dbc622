"""One object a notebook asks for every sentence of a report.

:class:`Narrator` marks suppression on the indicator table once (and on the previous
period's table, if given), then hands the right rows and assessments to the sentence
builders, so a notebook cannot forget the threshold or pass an unsuppressed row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from sendready.evidence.assessment import IndicatorAssessment
from sendready.evidence.build import Evidence
from sendready.evidence.verdicts import Verdict
from sendready.indicators.quarters import previous_quarter
from sendready.metadata.profile import Profile
from sendready.privacy.disclosure import mark_suppression
from sendready.reports.narrative import sentences, summaries


@dataclass
class Narrator:
    """Sentences for one profile and period.

    Attributes:
        table: The indicator table (marked for suppression on creation).
        assessments: Assessment per indicator id.
        threshold: The profile's disclosure threshold.
        baseline: First and last day of the profile's baseline.
        previous_table: The previous period's indicator table, when saved; otherwise the
            previous quarter is read from monthly rows where the indicator allows
            (:mod:`sendready.indicators.quarters`).
        profile: For weakness summaries and verdict explanations.
        verdicts: Verdict per weakness id.
    """

    table: pd.DataFrame
    assessments: Mapping[str, IndicatorAssessment]
    threshold: int
    baseline: tuple[object, object]
    previous_table: pd.DataFrame | None = None
    profile: Profile | None = None
    verdicts: Mapping[str, Verdict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.table = mark_suppression(self.table, self.threshold)
        if self.previous_table is not None:
            self.previous_table = mark_suppression(self.previous_table, self.threshold)

    @classmethod
    def from_evidence(
        cls, evidence: Evidence, previous_table: pd.DataFrame | None = None
    ) -> Narrator:
        framework = evidence.profile.framework
        return cls(
            table=evidence.table,
            assessments=evidence.assessments,
            threshold=evidence.profile.disclosure.threshold,
            baseline=(framework.baseline_start, framework.baseline_end),
            previous_table=previous_table,
            profile=evidence.profile,
            verdicts=evidence.verdicts,
        )

    def quarter(self, indicator_id: str, breakdown: str = "") -> pd.Series:
        rows = self.table[
            (self.table["indicator_id"] == indicator_id)
            & (self.table["breakdown"] == breakdown)
            & (self.table["period_type"] == "quarter")
        ]
        if rows.empty:
            raise KeyError(f"{indicator_id} has no quarter row for breakdown {breakdown!r}")
        return rows.iloc[0]

    def level(self, indicator_id: str, breakdown: str = "") -> str:
        return sentences.level_sentence(self.quarter(indicator_id, breakdown), self.threshold)

    def change_since_baseline(self, indicator_id: str) -> str:
        base = sentences.baseline_row(self.table, indicator_id, *self.baseline)
        return sentences.baseline_sentence(
            self.quarter(indicator_id),
            base,
            self.assessments[indicator_id],
            self.threshold,
            self.table,
        )

    def change_since_previous_quarter(self, indicator_id: str) -> str | None:
        previous = previous_quarter(self.table, indicator_id, previous_table=self.previous_table)
        return sentences.previous_quarter_sentence(
            self.quarter(indicator_id),
            previous,
            self.assessments[indicator_id],
            self.threshold,
            self.table,
        )

    def spc_signal(self, indicator_id: str) -> str:
        return sentences.spc_sentence(self.assessments[indicator_id])

    def target_assurance(self, indicator_id: str) -> str | None:
        return sentences.target_sentence(
            self.quarter(indicator_id), self.assessments[indicator_id], self.threshold
        )

    def benchmark_comparison(
        self, indicator_id: str, benchmarks: pd.DataFrame | None
    ) -> str | None:
        return sentences.benchmark_sentence(self.quarter(indicator_id), benchmarks, self.threshold)

    def caveats(
        self, indicator_id: str, data_quality: Mapping[str, float] | None = None
    ) -> list[str]:
        return sentences.caveat_sentences(
            self.quarter(indicator_id), self.assessments[indicator_id], self.threshold, data_quality
        )

    def indicator_paragraph(
        self,
        indicator_id: str,
        benchmarks: pd.DataFrame | None = None,
        data_quality: Mapping[str, float] | None = None,
    ) -> str:
        """Every sentence about one indicator, in reading order, as one paragraph."""
        parts = [
            self.level(indicator_id),
            self.change_since_baseline(indicator_id),
            self.change_since_previous_quarter(indicator_id),
            self.spc_signal(indicator_id),
            self.target_assurance(indicator_id),
            self.benchmark_comparison(indicator_id, benchmarks),
            *self.caveats(indicator_id, data_quality),
        ]
        return " ".join(p for p in parts if p)

    def weakness_summary(self, weakness_id: str) -> str:
        weakness = self._profile().weakness(weakness_id)
        return summaries.weakness_summary(
            weakness, self.verdicts[weakness_id], self.table, self.threshold
        )

    def weakness_summary_html(self, weakness_id: str) -> str:
        """The weakness summary as escaped HTML, clauses not about children marked."""
        weakness = self._profile().weakness(weakness_id)
        return summaries.weakness_summary_html(
            weakness, self.verdicts[weakness_id], self.table, self.threshold
        )

    def verdict_explanation(self, weakness_id: str) -> str:
        return summaries.verdict_explanation(
            self.verdicts[weakness_id], self._profile().verdict_rule
        )

    def verdict_explanation_html(self, weakness_id: str) -> str:
        """The verdict explanation as escaped HTML, counts of indicators marked."""
        return summaries.verdict_explanation_html(
            self.verdicts[weakness_id], self._profile().verdict_rule
        )

    def _profile(self) -> Profile:
        if self.profile is None:
            raise ValueError(
                "a Narrator needs the profile for weakness summaries; build it "
                "with Narrator.from_evidence"
            )
        return self.profile
