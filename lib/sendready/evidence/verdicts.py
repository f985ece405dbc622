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
4. **Some improvement** when more key indicators show improvement than concern, and the
   improvement is corroborated: at least :data:`MIN_AGREEING` show it, or one of full
   weight has held it for :data:`LONE_HELD_POINTS` monthly points since the plan (or shows
   a significant change at the latest census or wave).
5. **Some deterioration**, the same the other way.
6. Otherwise **no evidence of change yet**: nothing moved, as many worsened as improved,
   or a lone signal that is recent or on an indicator weighed with care (it is still
   shown in the reasons).

Why two agreeing indicators for the strong verdicts. Each key indicator's chart gives a
false signal at its latest point now and then (the Making Data Count rules are tuned for
roughly one false alarm per few hundred points per rule, but a baseline of a year or two
estimates the centre line with error, and a weakness has three or four charts). One chart
alone therefore crossing into "sustained improvement" or "deterioration" is the commonest
false alarm, and it is the one a board would act on. Two independent indicators agreeing
by chance is roughly the square of one doing so, so the strong verdicts become rare under
no change while a real change, which moves several of a weakness's indicators, still
reaches them. A weakness with only one key indicator can never reach a strong verdict:
that is deliberate, since one measure cannot carry a whole area of weakness.

Why "some" evidence must be corroborated too. "Some evidence" is a verdict a board reads
as movement, so it has a false-alarm budget of its own (the scenario rates hold it to
one weakness in ten under no change). A weakness has k key indicators, each with a
chance p of ending on a special-cause point by chance; "any one of them" then fires with
chance 1 - (1 - p)^k, about k times p. On samples where nothing changes, about one chart
in seven did so at the latest point (a lone point beyond the limits, two of three near
them, or a run on one side of a centre line estimated from a short baseline), so with
three or four charts the old rule, "more improving than worsening", read about a third
of unchanged weaknesses as "some evidence" (14 of 40). Two indicators agreeing either
way by chance cost about k(k - 1)/4 x p^2 (about 3% for three charts at p = 0.15); a
lone indicator is believed only when its run since the plan is long: the chance that any
of four charts ends on a run of L points on one side by chance is about 4 x 2 x 0.5^L,
6% for MDC's seven and under 1% for ten (:data:`LONE_HELD_POINTS`), which leaves room
for the extra false runs an estimated centre line makes. A lone indicator weighed with
care (an unstable baseline, a trend caveat) carries no "some" evidence on its own, since
its signals are exactly the ones most often produced by how the series behaves rather
than by the service.

The price is sensitivity to a change that shows in one indicator only, or that has held
for less than ten months: it reads "no evidence of change yet" until a second indicator
agrees or the run lengthens, with the lone signal given in the reasons. On the scenario
rates (docs/scenario-rates.md) this cut "some evidence" under no change from about a
third of weaknesses to about one in twenty, for a few planted changes left unfound.

Weight (:attr:`~sendready.evidence.assessment.IndicatorAssessment.weight`): a change that
began before the plan counts for neither improvement nor concern (it is not progress, or
decline, since the plan); an indicator with an unstable baseline or a trend caveat counts
towards "some" evidence alongside another, but not alone, and not towards the strong
verdicts. Each is stated beside the verdict with its reason (:attr:`Verdict.cautions`).

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
# A lone indicator supports "some" evidence only when its signal has held this many
# monthly points since the plan (module docstring: about 4 x 2 x 0.5^10, under 1%, of a
# weakness's four charts ending on such a run by chance).
LONE_HELD_POINTS = 10
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
    if improving > concerns and _corroborated(c["improving"]):
        return "some_improvement"
    if concerns > improving and _corroborated(c["concerns"]):
        return "some_deterioration"
    return "no_evidence_of_change"


def _corroborated(agreeing: list[IndicatorAssessment]) -> bool:
    """Whether signals one way are enough for "some" evidence: two or more indicators, or
    one of full weight that has held :data:`LONE_HELD_POINTS` months (a census or wave
    comparison, significant at its latest point, is the most such a series can show)."""
    if len(agreeing) >= MIN_AGREEING:
        return True
    return any(
        a.weight == "full" and (a.method == "baseline_comparison" or a.held >= LONE_HELD_POINTS)
        for a in agreeing
    )


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
