"""Turn a weakness's key indicators into one verdict, with its reasons and what it rests on.

The rule (documented here, in docs/method.md and in every report), taking the first step
that applies:

1. **Not enough data** when fewer key indicators than ``min_indicators_with_data`` can be
   judged, or when more than half of them (:data:`MAX_MISSING_SHARE`) have no data: a
   verdict on the minority left would speak for the whole weakness on a fraction of its
   evidence.
2. **Deterioration** when at least :data:`MIN_AGREEING` key indicators of full weight show
   special-cause concern (or a significant worsening), concerns outnumber improvements,
   and the concerns are at least half of the indicators judged.
3. **Sustained improvement** when no key indicator shows concern, at least
   :data:`MIN_AGREEING` of full weight show improvement that has held (seven monthly
   points, or a significant change at the latest census or wave), and those are at least
   ``sustained_improvement_share`` of the indicators judged.
4. **Some improvement** when more key indicators show improvement than concern.
5. **Some deterioration** when more show concern than improvement.
6. Otherwise **no evidence of change yet** (nothing moved, or as many worsened as
   improved).

Why two agreeing indicators for the strong verdicts. Each key indicator's chart gives a
false signal at its latest point now and then (the Making Data Count rules are tuned for
roughly one false alarm per few hundred points per rule, but a baseline of a year or two
estimates the centre line with error, and a weakness has three or four charts). One chart
alone therefore crossing into "sustained improvement" or "deterioration" is the commonest
false alarm, and it is the one a board would act on. Two independent indicators agreeing
by chance is roughly the square of one doing so, so the strong verdicts become rare under
no change while a real change, which moves several of a weakness's indicators, still
reaches them. A single moving indicator is still reported, as "some" evidence, so nothing
is hidden. A weakness with only one key indicator can never reach a strong verdict: that
is deliberate, since one measure cannot carry a whole area of weakness.

Weight (:attr:`~sendready.evidence.assessment.IndicatorAssessment.weight`): a change that
began before the plan counts for neither improvement nor concern (it is not progress, or
decline, since the plan); an indicator with an unstable baseline or a trend caveat counts
towards "some" evidence but not towards the strong verdicts. Each is stated beside the
verdict with its reason (:attr:`Verdict.cautions`).

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
    "some_deterioration": "Some evidence of deterioration",
    "deterioration": "Evidence of deterioration",
    "not_enough_data": "Not enough data to judge",
}
IMPROVING_VERDICTS = ("sustained_improvement", "some_improvement")
WORSENING_VERDICTS = ("deterioration", "some_deterioration")
# The strong verdicts need this many key indicators of full weight agreeing (docstring).
MIN_AGREEING = 2
# More than this share of key indicators without data leaves "not enough data".
MAX_MISSING_SHARE = 0.5


@dataclass
class Verdict:
    """A weakness's verdict, the indicator signals behind it and what it rests on."""

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

    @property
    def judged(self) -> list[IndicatorAssessment]:
        """The key indicators with data to judge."""
        return [a for a in self.assessments if a.signal != "no_data"]

    @property
    def basis(self) -> str:
        """What the verdict rests on: "rests on 3 of 4 key indicators; 1 has no data"."""
        n, j = len(self.assessments), len(self.judged)
        text = f"rests on {j} of {n} key indicator{'s' if n != 1 else ''}"
        if n > j:
            text += f"; {n - j} {'has' if n - j == 1 else 'have'} no data"
        return text

    @property
    def cautions(self) -> list[str]:
        """Each key indicator's reasons to weigh it less ("JOIN03: the change began before
        the plan ..."), to be shown beside the verdict."""
        return [f"{a.indicator_id}: {caution}" for a in self.judged for caution in a.cautions]


def _reason(a: IndicatorAssessment) -> str:
    # The assessment's reason already says since when a signal has held.
    return f"{a.indicator_id} {a.title}: {a.reason}"


def _counts(judged: list[IndicatorAssessment]) -> dict[str, list[IndicatorAssessment]]:
    counted = [a for a in judged if a.weight != "none"]
    improving = [a for a in counted if a.signal == "improvement"]
    concerns = [a for a in counted if a.signal == "concern"]
    return {
        "improving": improving,
        "concerns": concerns,
        "full_sustained": [a for a in improving if a.sustained and a.weight == "full"],
        "full_concerns": [a for a in concerns if a.weight == "full"],
    }


def verdict_code(key_assessments: list[IndicatorAssessment], rule: VerdictRule) -> str:
    """The verdict's code under the rule of the module docstring."""
    judged = [a for a in key_assessments if a.signal != "no_data"]
    missing = len(key_assessments) - len(judged)
    if len(judged) < rule.min_indicators_with_data or (
        missing > MAX_MISSING_SHARE * len(key_assessments)
    ):
        return "not_enough_data"
    c = _counts(judged)
    improving, concerns = len(c["improving"]), len(c["concerns"])
    if (
        len(c["full_concerns"]) >= MIN_AGREEING
        and concerns > improving
        and concerns >= 0.5 * len(judged)
    ):
        return "deterioration"
    sustained = len(c["full_sustained"])
    if (
        not concerns
        and sustained >= MIN_AGREEING
        and sustained >= rule.sustained_improvement_share * len(judged)
    ):
        return "sustained_improvement"
    if improving > concerns:
        return "some_improvement"
    if concerns > improving:
        return "some_deterioration"
    return "no_evidence_of_change"


def weakness_verdict(
    weakness_id: str, key_assessments: list[IndicatorAssessment], rule: VerdictRule
) -> Verdict:
    """Apply the verdict rule (module docstring) to a weakness's key indicators."""
    code = verdict_code(key_assessments, rule)
    reasons = [_reason(a) for a in key_assessments]
    if code == "not_enough_data":
        judged = sum(a.signal != "no_data" for a in key_assessments)
        reasons.insert(
            0,
            f"{judged} of {len(key_assessments)} key indicators could be judged; the rule "
            f"needs at least {rule.min_indicators_with_data} and no more than half "
            "without data.",
        )
    return Verdict(
        weakness_id=weakness_id, code=code, reasons=reasons, assessments=list(key_assessments)
    )
