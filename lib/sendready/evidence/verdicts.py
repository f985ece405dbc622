"""Turn a weakness's key indicators into one verdict, with its reasons.

The rule (documented here and shown in every report, configurable per profile under
``verdict_rule``):

1. **Not enough data** when fewer key indicators than ``min_indicators_with_data`` can
   be judged.
2. **Deterioration** when more key indicators show special-cause concern (or a
   significant worsening) than show improvement.
3. **Sustained improvement** when no key indicator shows concern and at least
   ``sustained_improvement_share`` of those that can be judged show improvement that has
   held (seven monthly points, or a significant change at the latest census or wave).
4. **Some improvement** when at least one key indicator shows improvement at the latest
   point.
5. Otherwise **no evidence of change yet**.

Only the latest point counts: an improvement that has faded is not evidence of progress
now, and one noisy month long ago must not lift a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sendready.evidence.assessment import IndicatorAssessment
from sendready.metadata.profile import VerdictRule

VERDICT_LABELS = {
    "sustained_improvement": "Evidence of sustained improvement",
    "some_improvement": "Some evidence of improvement",
    "no_evidence_of_change": "No evidence of change yet",
    "deterioration": "Evidence of deterioration",
    "not_enough_data": "Not enough data to judge",
}
IMPROVING_VERDICTS = ("sustained_improvement", "some_improvement")


@dataclass
class Verdict:
    """A weakness's verdict and the indicator signals behind it."""

    weakness_id: str
    code: str
    reasons: list[str] = field(default_factory=list)
    assessments: list[IndicatorAssessment] = field(default_factory=list)

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.code]

    @property
    def improving(self) -> bool:
        return self.code in IMPROVING_VERDICTS


def _reason(a: IndicatorAssessment) -> str:
    # The assessment's reason already says since when a signal has held.
    return f"{a.indicator_id} {a.title}: {a.reason}"


def weakness_verdict(
    weakness_id: str, key_assessments: list[IndicatorAssessment], rule: VerdictRule
) -> Verdict:
    """Apply the verdict rule (module docstring) to a weakness's key indicators."""
    judged = [a for a in key_assessments if a.signal != "no_data"]
    improving = [a for a in judged if a.signal == "improvement"]
    sustained = [a for a in improving if a.sustained]
    concerns = [a for a in judged if a.signal == "concern"]
    reasons = [_reason(a) for a in key_assessments]
    if len(judged) < rule.min_indicators_with_data:
        code = "not_enough_data"
        reasons.insert(
            0,
            f"{len(judged)} of {len(key_assessments)} key indicators could be "
            f"judged; the rule needs at least {rule.min_indicators_with_data}.",
        )
    elif len(concerns) > len(improving):
        code = "deterioration"
    elif (
        not concerns
        and sustained
        and len(sustained) >= rule.sustained_improvement_share * len(judged)
    ):
        code = "sustained_improvement"
    elif improving:
        code = "some_improvement"
    else:
        code = "no_evidence_of_change"
    return Verdict(
        weakness_id=weakness_id, code=code, reasons=reasons, assessments=list(key_assessments)
    )
