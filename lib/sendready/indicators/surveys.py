"""Survey indicators: the share of respondents giving a positive answer, wave by wave.

Several weaknesses are evidenced by what families say (COP05, JOIN04, HINF04, LO05 and
others). They all work the same way, so they share one computation:

* The questions that feed an indicator are the rows of ``survey_questions`` whose
  ``indicator_id`` names it. Areas change question wording between waves; tagging the
  question keeps the series joined up without code changes.
* A positive answer is "agree" or "strongly agree" on an agree-disagree question (scale
  ``agree5``) and "yes" on a yes/no question (scale ``yes_no``).
* "Don't know", a blank (skipped question) and any answer that does not belong to the
  question's scale are left out of the denominator: they say nothing either way about
  the thing asked, and leaving them in would make the share fall whenever more people
  skip a question.
* Each answer counts once. Where more than one question feeds an indicator, a respondent
  counts once per question answered.
* Grain ``event``: a wave falls in the month of its ``wave_date`` (the date the wave
  closed); months without a wave have no data, and the reporting quarter shows the latest
  wave on or before the period end.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from sendready.indicators.periods import flow_proportion
from sendready.indicators.registry import IndicatorDefinition, NoData, StagedData

POSITIVE_ANSWERS: dict[str, tuple[str, ...]] = {
    "agree5": ("strongly_agree", "agree"),
    "yes_no": ("yes",),
}
ANSWERS_ON_SCALE: dict[str, tuple[str, ...]] = {
    "agree5": ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree"),
    "yes_no": ("yes", "no"),
}
RESPONDENT_WORDS = {
    "parent": "parents and carers",
    "cyp": "children and young people",
    "practitioner": "practitioners",
}

SURVEY_NOTES = (
    "Questions are those the area's survey question list links to this indicator. Positive "
    "means agree or strongly agree (yes for a yes/no question). Don't know, skipped "
    "questions and answers not on the question's scale are left out of the denominator. Each "
    "answer counts once, so where several questions feed the indicator a respondent counts "
    "once per question. Shown for the month each wave closed; the quarter shows the latest wave."
)


def _tagged_questions(data: StagedData, indicator_id: str) -> pd.DataFrame:
    questions = data.require("survey_questions")
    if "indicator_id" not in questions:
        tagged = questions.iloc[0:0]
    else:
        ids = questions["indicator_id"].astype("string").str.strip().str.upper()
        tagged = questions[(ids == indicator_id.upper()).fillna(False).astype(bool)]
    if tagged.empty:
        raise NoData(f"no question in survey_questions is tagged as feeding {indicator_id}")
    return tagged[["question_id", "scale"]]


def answered_on_scale(
    data: StagedData, indicator_id: str, respondents: tuple[str, ...]
) -> pd.DataFrame:
    """Answers by ``respondents`` to the questions feeding an indicator, with a usable answer.

    Returns the survey rows plus ``scale`` and a plain boolean ``positive`` column.
    """
    tagged = _tagged_questions(data, indicator_id)
    answers = data.require("surveys")
    merged = answers.merge(tagged, on="question_id", how="inner", validate="many_to_one")
    merged = merged[merged["respondent"].isin(respondents).fillna(False).astype(bool)]
    answer = merged["answer"].astype("string")
    scale = merged["scale"].astype("string")
    on_scale = pd.Series(False, index=merged.index)
    positive = pd.Series(False, index=merged.index)
    for name, allowed in ANSWERS_ON_SCALE.items():
        is_scale = (scale == name).fillna(False).astype(bool)
        on_scale |= is_scale & answer.isin(allowed).fillna(False).astype(bool)
        positive |= is_scale & answer.isin(POSITIVE_ANSWERS[name]).fillna(False).astype(bool)
    usable = merged[on_scale].assign(positive=positive[on_scale])
    if usable.empty:
        who = " or ".join(RESPONDENT_WORDS.get(r, r) for r in respondents)
        raise NoData(f"no {who} gave a usable answer to the questions feeding {indicator_id}")
    return usable


def survey_positive_share(
    data: StagedData, periods: pd.DataFrame, indicator_id: str, respondents: tuple[str, ...]
) -> pd.DataFrame:
    """Positive answers / usable answers, by the month the wave closed."""
    usable = answered_on_scale(data, indicator_id, respondents)
    return flow_proportion(usable, "wave_date", usable["positive"], periods)


def survey_indicator(
    indicator_id: str,
    title: str,
    weaknesses: tuple[str, ...],
    asked: str,
    respondents: tuple[str, ...] = ("parent",),
    notes: str = "",
) -> IndicatorDefinition:
    """The definition of a survey indicator (register it with ``register``).

    Args:
        indicator_id: Catalogue id; also the tag looked for in ``survey_questions``.
        title: Title as a board member reads it.
        weaknesses: Weakness ids the catalogue lists it under.
        asked: What the questions ask, in a few words, for the numerator's wording.
        respondents: Respondent codes counted (``parent``, ``cyp``, ``practitioner``).
        notes: Choices specific to this indicator, added to the shared survey notes.
    """
    who = " and ".join(RESPONDENT_WORDS.get(r, r) for r in respondents)
    return IndicatorDefinition(
        id=indicator_id,
        title=title,
        sources=("surveys", "survey_questions"),
        unit="percent",
        direction="up",
        statistic="proportion",
        grain="event",
        weaknesses=weaknesses,
        numerator=f"answers from {who} agreeing or strongly agreeing (or answering yes) "
        f"that {asked}",
        denominator=f"answers from {who} to the questions tagged {indicator_id}, "
        "excluding don't know and skipped questions",
        compute=partial(survey_positive_share, indicator_id=indicator_id, respondents=respondents),
        notes=" ".join(part for part in (SURVEY_NOTES, notes) if part),
        chart="survey",
    )
