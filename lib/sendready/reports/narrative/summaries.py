"""Paragraphs about a whole weakness: its summary, and how its verdict was reached.

The summary opens a weakness report (verdict, then what each key indicator shows, then
what is still not good enough). The explanation restates the rule in
:mod:`sendready.evidence.verdicts` and walks this weakness's key indicators through it, so a board
member can check the verdict by hand.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from sendready.core.formatting import format_value
from sendready.evidence.assessment import IndicatorAssessment
from sendready.evidence.verdicts import VERDICT_LABELS, Verdict
from sendready.metadata.profile import VerdictRule, Weakness
from sendready.privacy.disclosure import NOT_CHILDREN, counts_attribute
from sendready.reports.narrative.sentences import figure, row_hidden, signal_clause
from sendready.reports.narrative.words import (
    SIGNAL_VERBS,
    WAVE,
    WAVE_VERBS,
    capitalise,
    count_words,
    indicator_name,
    period_words,
    share_words,
    since_phrase,
)


def _quarter(table: pd.DataFrame, indicator_id: str) -> pd.Series | None:
    rows = table[
        (table["indicator_id"] == indicator_id)
        & (table["breakdown"] == "")
        & (table["period_type"] == "quarter")
    ]
    return rows.iloc[0] if len(rows) else None


def _with_figure(a: IndicatorAssessment, table: pd.DataFrame, threshold: int) -> tuple[str, bool]:
    """ "EHC plans issued within 20 weeks, at 88.0% (44 of 50) in the quarter to ...,", and
    whether the text names the period of the figure."""
    name = capitalise(indicator_name(a.title))
    row = _quarter(table, a.indicator_id)
    if row is None or bool(row["no_data"]):
        return name, False
    if row_hidden(row, threshold):
        return f"{name}, whose latest figure is suppressed (fewer than {threshold} cases),", False
    return f"{name}, at {figure(row)} in {period_words(row)},", True


def _shows(a: IndicatorAssessment, period_named: bool = False) -> str:
    if a.method == "baseline_comparison" and a.signal in WAVE_VERBS:
        # One wave against the pooled baseline: nothing has "held", and the wave is named
        # once (by the figure before it, when that is shown).
        return WAVE_VERBS[a.signal] + ("" if period_named else f" {WAVE}")
    verb = SIGNAL_VERBS[a.signal]
    if a.signal in ("improvement", "concern", "neutral_change"):
        verb += since_phrase(a)
    if a.signal == "improvement" and a.sustained and not a.began_before_plan:
        verb += " and the improvement has held"
    return verb


def _not_good_enough(a: IndicatorAssessment) -> str | None:
    name = indicator_name(a.title)
    target = format_value(a.target, a.unit) if a.target is not None else ""
    if a.assurance == "consistently_fail":
        return f"{name} will keep missing its target of {target} unless the process changes"
    if a.assurance == "hit_and_miss":
        return f"{name} meets its target of {target} in some months and misses it in others"
    # An indicator with no data to judge is not shown to fall short: it is listed
    # separately as not yet judged.
    if a.direction != "neutral" and a.signal not in ("improvement", "no_data"):
        return f"{name} {_shows(a)}"
    return None


def _summary_parts(
    weakness: Weakness, verdict: Verdict, table: pd.DataFrame, threshold: int
) -> list[tuple[str, str]]:
    """The summary's sentences, each with the attribute that marks its figures as not
    about children (:func:`~sendready.privacy.disclosure.counts_attribute`) or ``""``.
    The verdict's own sentence counts key indicators ("rests on 3 of 4") and its cautions
    count baseline months: neither is about children."""
    # Mid-sentence after the id, so the title loses its capital unless it opens with an
    # acronym ("P3, support children ..." but "W9, EHC plans ...").
    parts = [
        (
            f"{weakness.id}, {indicator_name(weakness.title)}: {verdict.label.lower()} "
            f"({verdict.basis}).",
            _NOT_CHILDREN,
        )
    ]
    if verdict.cautions:
        parts.append(("Weighed with care: " + "; ".join(verdict.cautions) + ".", _NOT_CHILDREN))
    for a in verdict.assessments:
        text, period_named = _with_figure(a, table, threshold)
        parts.append((f"{text} {_shows(a, period_named)}.", counts_attribute(a.indicator_id)))
    short = [s for s in (_not_good_enough(a) for a in verdict.assessments) if s]
    judged = [a for a in verdict.assessments if a.signal != "no_data"]
    unjudged = [indicator_name(a.title) for a in verdict.assessments if a.signal == "no_data"]
    if short:
        parts.append(("Still not good enough: " + "; ".join(short) + ".", ""))
    elif any(a.direction != "neutral" for a in judged):
        every = "Every key indicator" + (" that can be judged" if unjudged else "")
        parts.append(
            (
                f"{every} with a better direction has improved significantly and none "
                "is missing its target.",
                "",
            )
        )
    elif judged:
        parts.append(
            (
                "The key indicators that can be judged are context measures with no "
                "better direction, so none can fall short."
                if unjudged
                else "The key indicators are context measures with no better direction, so "
                "none can fall short.",
                "",
            )
        )
    if unjudged:
        parts.append(("Not enough data yet to judge: " + "; ".join(unjudged) + ".", ""))
    return parts


def weakness_summary(
    weakness: Weakness, verdict: Verdict, table: pd.DataFrame, threshold: int
) -> str:
    """Verdict, each key indicator's signal in words, and what is still not good enough.

    Args:
        weakness: The profile's weakness (for its id and title).
        verdict: Its verdict, carrying the key indicators' assessments.
        table: The indicator table, marked by :func:`sendready.privacy.disclosure.mark_suppression`.
        threshold: The profile's disclosure threshold.
    """
    return " ".join(text for text, _ in _summary_parts(weakness, verdict, table, threshold))


_NOT_CHILDREN = f' data-counts="{NOT_CHILDREN}"'


def _marked_html(parts: list[tuple[str, str]]) -> str:
    """Escaped parts joined by spaces, each one with an attribute in its own ``<span>``."""
    return " ".join(
        f"<span{attribute}>{escape(text)}</span>" if attribute else escape(text)
        for text, attribute in parts
    )


def weakness_summary_html(
    weakness: Weakness, verdict: Verdict, table: pd.DataFrame, threshold: int
) -> str:
    """:func:`weakness_summary` as escaped HTML (no enclosing tag): the clause of each key
    indicator whose definition says its counts are not of children (meetings, actions,
    services, schools) is a ``<span data-counts="not-children">``."""
    return _marked_html(_summary_parts(weakness, verdict, table, threshold))


RULE_STEPS = (
    "not enough data when {too_few}, or when more than half of the key indicators have no data",
    "evidence of deterioration when at least two key indicators show a significant "
    "deterioration, they outnumber those improving and they are at least half of those "
    "that can be judged",
    "evidence of sustained improvement when none shows a deterioration and at least two, "
    "and at least {share} of those that can be judged, show an improvement that has held "
    "(seven monthly points, or a significant change at the latest census or survey wave)",
    "some evidence of improvement when more show a significant improvement than a "
    "significant deterioration, and at least two do, or one at full weight has held it for "
    "ten months since the plan (or at the latest census or survey wave)",
    "some evidence of deterioration the same way round for a significant deterioration",
    "otherwise, no evidence of change yet (a lone signal that is recent, or on an indicator "
    "weighed with care, is shown but not enough)",
)
# Said after the rule wherever it is stated (weakness reports and the board summary).
RULE_WEIGHTS = (
    "Only the latest point counts: an improvement that has faded is not evidence of "
    "progress now. A change that began before the plan is not counted as progress (or "
    "decline) since it; an indicator whose baseline was itself unstable, or whose "
    "definition warns that its trend may reflect how it is recorded, can add to some "
    "evidence alongside another indicator but not alone, and never counts towards "
    "sustained improvement or deterioration. One "
    "indicator alone never carries a whole weakness to either."
)


def _applied(verdict: Verdict, rule: VerdictRule) -> str:
    """Which step of the rule decided, with this weakness's counts."""
    judged = verdict.judged
    counted = [a for a in judged if a.weight != "none"]
    improving = [a for a in counted if a.signal == "improvement"]
    sustained = [a for a in improving if a.sustained and a.weight == "full"]
    concerns = [a for a in counted if a.signal == "concern"]
    n, j = len(verdict.assessments), len(judged)
    if n == 1:
        can = f"the one key indicator {'can' if j else 'cannot'} be judged"
    elif j == n:
        can = (
            "both key indicators can be judged"
            if n == 2
            else f"all {count_words(n)} key indicators can be judged"
        )
    else:
        can = f"{count_words(j)} of the {count_words(n)} key indicators can be judged"
    counts = (
        f"{can}; {count_words(len(improving))} "
        f"{'shows' if len(improving) == 1 else 'show'} a significant improvement "
        f"({count_words(len(sustained))} sustained at full weight) and "
        f"{count_words(len(concerns))} a significant deterioration"
    )
    if len(counted) < j:
        counts += f"; {count_words(j - len(counted))} changed before the plan and is not counted"
    why = {
        "not_enough_data": "too few can be judged for a verdict on the whole "
        f"(the rule needs at least {count_words(rule.min_indicators_with_data)} and no more "
        "than half without data)",
        "deterioration": "deteriorations are broad enough and outnumber improvements",
        "some_deterioration": "deteriorations outnumber improvements and are corroborated, but "
        "not broadly enough for evidence of deterioration",
        "sustained_improvement": f"none has deteriorated and at least two, and at least "
        f"{share_words(rule.sustained_improvement_share)} of those "
        "judged, show sustained improvement",
        "some_improvement": "improvements outnumber deteriorations and are corroborated, but "
        "the test for sustained improvement is not met",
        "no_evidence_of_change": "no improvement or deterioration outweighs the other and is "
        "corroborated (by a second indicator, or by a run of ten months at full weight)",
    }[verdict.code]
    return f"Here {counts}: {why}, so the verdict is “{VERDICT_LABELS[verdict.code]}”."


def rule_text(rule: VerdictRule, opening: str) -> str:
    """The verdict rule in words for this profile's settings, after ``opening``."""
    least = rule.min_indicators_with_data
    too_few = (
        "no key indicator can be judged"
        if least == 1
        else f"fewer than {count_words(least)} key indicators can be judged"
    )
    steps = [
        step.format(too_few=too_few, share=share_words(rule.sustained_improvement_share))
        for step in RULE_STEPS
    ]
    return (
        opening
        + "; ".join(f"({i}) {s}" for i, s in enumerate(steps, start=1))
        + ". "
        + RULE_WEIGHTS
    )


def _explanation_parts(verdict: Verdict, rule: VerdictRule) -> list[tuple[str, str]]:
    """:func:`verdict_explanation`'s sentences, each with its attribute (as
    :func:`_summary_parts`): what the verdict rests on and its cautions count indicators
    and baseline months, not children."""
    text = rule_text(
        rule,
        "The verdict follows a fixed rule over the key indicators, taking the first step "
        "that applies: ",
    )
    if not verdict.assessments:
        return [(f"{text} This weakness has no key indicators, so it cannot be judged.", "")]
    each = [
        f"{a.indicator_id} ({indicator_name(a.title)}) shows {signal_clause(a)}"
        for a in verdict.assessments
    ]
    parts = [
        (f"{text} Key indicators: {'; '.join(each)}.", ""),
        (f"The verdict {verdict.basis}.", _NOT_CHILDREN),
    ]
    if verdict.cautions:
        parts.append(("Weighed with care: " + "; ".join(verdict.cautions) + ".", _NOT_CHILDREN))
    return [*parts, (_applied(verdict, rule), "")]


def verdict_explanation(verdict: Verdict, rule: VerdictRule) -> str:
    """The verdict rule in words, then each key indicator's signal, what the verdict rests
    on, the cautions beside it and the step that decided."""
    return " ".join(text for text, _ in _explanation_parts(verdict, rule))


def verdict_explanation_html(verdict: Verdict, rule: VerdictRule) -> str:
    """:func:`verdict_explanation` as escaped HTML (no enclosing tag), the parts that count
    indicators or months marked ``data-counts="not-children"``."""
    return _marked_html(_explanation_parts(verdict, rule))
