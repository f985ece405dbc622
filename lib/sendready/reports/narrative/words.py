"""Small pieces of wording shared by the sentence builders.

Kept apart so that each claim the narrative can make (improvement, worsening, no change)
is worded in exactly one place, and a test can check that "improv..." only ever appears
beside an improvement signal.
"""

from __future__ import annotations

import pandas as pd

from sendready.core.formatting import format_count, format_date, format_month, format_percent
from sendready.evidence.assessment import IndicatorAssessment

_NUMBER_WORDS = ("none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_FRACTIONS = {
    1.0: "all",
    0.75: "three quarters",
    2 / 3: "two thirds",
    0.5: "half",
    1 / 3: "a third",
    0.25: "a quarter",
}

# What the statistics say, by assessment signal. Only the improvement entry may say
# "improve": the narrative never claims change the statistics do not support.
SIGNAL_PHRASES = {
    "improvement": "a significant improvement",
    "concern": "a significant deterioration",
    "neutral_change": "a significant change",
    "no_change": "no significant change",
    "no_data": "not enough data to judge change",
}
# The same, as what an indicator "shows" or has done, for summaries.
SIGNAL_VERBS = {
    "improvement": "has improved significantly",
    "concern": "has worsened significantly",
    "neutral_change": "has changed significantly (neither direction is better)",
    "no_change": "shows no significant change",
    "no_data": "cannot yet be judged",
}
# The same for a single census or survey wave tested against the pooled baseline
# (assessment method ``baseline_comparison``): one comparison at one point, so nothing
# can be said to have "held" or to date "since" a month.
WAVE_VERBS = {
    "improvement": "is significantly better than the baseline",
    "concern": "is significantly worse than the baseline",
    "neutral_change": "differs significantly from the baseline (neither direction is better)",
}
WAVE = "at the latest census or survey wave"
# MDC's variation labels (sendready.stats.spc.VARIATION_LABELS) reworded where the
# official label would mention improvement on a measure that has no better direction.
NEUTRAL_VARIATION = "Special cause variation on a measure where neither direction is better"

_RULES = {
    "outside_limits": (
        "a point above the upper process limit",
        "a point below the lower process limit",
    ),
    "trend": (
        "seven points in a row, each higher than the one before",
        "seven points in a row, each lower than the one before",
    ),
    "two_in_three": (
        "two of three points close to the upper process limit",
        "two of three points close to the lower process limit",
    ),
    "shift": (
        "seven or more points in a row above the average",
        "seven or more points in a row below the average",
    ),
}


def count_words(n: int) -> str:
    """Counts of things (not of children) in words up to nine: "two of three"."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else format_count(n)


def share_words(share: float) -> str:
    """A fraction in words (half, two thirds), else as a percentage."""
    for value, words in _FRACTIONS.items():
        if abs(share - value) < 1e-9:
            return words
    return format_percent(share * 100)


def indicator_name(title: str) -> str:
    """A title as it reads mid-sentence: "annual reviews held on time", "EHC plans ..."."""
    first, _, rest = title.partition(" ")
    # Acronyms keep their case, plural ones too ("SENCOs", "EHC").
    if sum(ch.isupper() for ch in first) > 1 or any(ch.isdigit() for ch in first):
        return title
    return first[:1].lower() + first[1:] + (" " + rest if rest else "")


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def breakdown_words(breakdown: str) -> str:
    """``service=community_paediatrics`` -> "service: community paediatrics"; "" (the whole
    area) -> ""."""
    if not breakdown:
        return ""
    dimension, _, value = breakdown.partition("=")
    if not value:
        return dimension
    return f"{dimension.replace('_', ' ')}: {value.replace('_', ' ')}"


def month_label(when: object) -> str:
    """A month of a monthly series: "December 2017"."""
    return format_month(when)


def since_phrase(assessment: IndicatorAssessment) -> str:
    """When a chart's signal began, as it may be claimed: " since March 2018", or, for a
    change that began before the plan, ", a change that began before the plan (since
    September 2016), not counted as change since the plan" (never credited as progress
    since it); "" without a date."""
    if assessment.since is None:
        return ""
    when = month_label(assessment.since)
    if assessment.began_before_plan:
        return (
            f", a change that began before the plan (since {when}), not counted as change "
            "since the plan"
        )
    return f" since {when}"


def period_words(row: pd.Series) -> str:
    """When a row's figure applies: "the quarter to 31 March 2019"; for a census or survey
    wave (the engine's quarter row is then the latest event month) "January 2019, the
    latest census or survey wave"; for a month "January 2019"."""
    start, end = pd.Timestamp(row["period_start"]), pd.Timestamp(row["period_end"])
    if row["period_type"] == "quarter" and (end - start).days >= 80:
        return f"the quarter to {format_date(end)}"
    if row["period_type"] == "quarter":
        return f"{month_label(start)}, the latest census or survey wave"
    return month_label(start)


def period_phrase(row: pd.Series) -> str:
    """ "In the quarter to 31 March 2019", to open a sentence."""
    return f"In {period_words(row)}"


def rule_words(assessment: IndicatorAssessment) -> str | None:
    """The special-cause pattern behind the latest point, in words, or None."""
    if assessment.spc is None:
        return None
    points = assessment.spc.points.dropna(subset=["value"])
    if points.empty or not bool(points["special_cause"].iloc[-1]):
        return None
    rule = str(points["special_cause_rule"].iloc[-1])
    high = str(points["signal_side"].iloc[-1]) == "high"
    pair = _RULES.get(rule)
    return (pair[0] if high else pair[1]) if pair else None
