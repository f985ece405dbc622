"""Survey indicators (COP05, JOIN04, HINF04, LO05) through the shared survey helper."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.staged_frames import by_period, staged
from sendready.indicators import REGISTRY, StagedData, compute_indicator

QUESTION_ROWS = [
    dict(question_id="Q1", text="I feel listened to", scale="agree5", indicator_id="COP05"),
    dict(
        question_id="Q2",
        text="Do you know about the local offer?",
        scale="yes_no",
        indicator_id="LO05",
    ),
    dict(question_id="Q3", text="Services work together", scale="agree5", indicator_id="JOIN04"),
    dict(question_id="Q4", text="Untagged", scale="agree5", indicator_id=None),
    # A second COP05 question, tagged with stray case and spaces.
    dict(question_id="Q5", text="My views shape services", scale="agree5", indicator_id=" cop05"),
    dict(
        question_id="Q6",
        text="I only had to tell my story once",
        scale="agree5",
        indicator_id="HINF04",
    ),
]

NOV, FEB, APR = "2018-11-30", "2019-02-28", "2019-04-15"


def _answers(wave, question, answers, respondent="parent", prefix="S"):
    return [
        dict(
            response_id=f"{prefix}{i}",
            survey="Parent survey",
            wave_date=wave,
            respondent=respondent,
            question_id=question,
            answer=a,
        )
        for i, a in enumerate(answers, start=1)
    ]


ANSWER_ROWS = [
    *_answers(NOV, "Q1", ["strongly_agree", "agree", "disagree", "dont_know", None, "neutral"]),
    *_answers(NOV, "Q1", ["agree"], respondent="cyp", prefix="Y"),  # not a parent
    *_answers(NOV, "Q4", ["agree"]),  # untagged question
    *_answers(NOV, "Q2", ["yes", "yes", "no", "dont_know"]),
    *_answers(FEB, "Q1", ["agree", "agree", "strongly_disagree", "yes"], prefix="T"),
    *_answers(FEB, "Q5", ["agree"], prefix="T"),
    *_answers(FEB, "Q3", ["agree", "disagree"], prefix="T"),
    *_answers(FEB, "Q6", ["strongly_agree", "no", "neutral"], prefix="T"),
    *_answers(APR, "Q1", ["agree"], prefix="U"),  # after 31 March
]


def _data(questions=QUESTION_ROWS, answers=ANSWER_ROWS, drop=()) -> StagedData:
    return StagedData(
        tables={
            "survey_questions": staged("survey_questions", questions, drop),
            "surveys": staged("surveys", answers),
        }
    )


def _table(indicator_id, data=None, end="2019-03-31"):
    return compute_indicator(REGISTRY[indicator_id], data or _data(), end, "2018-10-01")


def test_waves_only_and_the_quarter_takes_the_latest_wave():
    table = _table("COP05")
    counts = by_period(table)
    # Nov, Q1 parents: strongly agree, agree / those two + disagree + neutral (don't know
    # and the blank left out; the young person and the untagged Q4 not counted) = 2/4.
    # Feb: Q1 agree, agree / + strongly disagree ("yes" is off the scale) = 2/3, plus Q5
    # agree = 1/1 -> 3/4. The April wave is after the end. Months without a wave drop out.
    assert counts == {"2018-11": (2, 4), "2019-02": (3, 4), "Q": (3, 4)}
    quarter = table[table["period_type"] == "quarter"].iloc[0]
    assert quarter.period_start == pd.Timestamp("2019-02-01")
    assert quarter.value == pytest.approx(75.0)


def test_a_later_period_end_picks_up_the_next_wave_and_an_earlier_one_does_not():
    assert by_period(_table("COP05", end="2019-04-30"))["Q"] == (1, 1)
    assert by_period(_table("COP05", end="2019-01-31"))["Q"] == (2, 4)


@pytest.mark.parametrize(
    "indicator_id, expected",
    [
        ("LO05", {"2018-11": (2, 3), "Q": (2, 3)}),  # yes, yes / + no
        ("JOIN04", {"2019-02": (1, 2), "Q": (1, 2)}),  # agree / + disagree
        ("HINF04", {"2019-02": (1, 2), "Q": (1, 2)}),  # strongly agree / + neutral ("no"
        # is off an agree5 scale)
    ],
)
def test_each_survey_indicator_reads_its_own_tagged_questions(indicator_id, expected):
    assert by_period(_table(indicator_id)) == expected
    definition = REGISTRY[indicator_id]
    assert definition.grain == "event" and definition.statistic == "proportion"
    assert definition.sources == ("surveys", "survey_questions")


def test_untagged_indicator_gives_no_data_with_reason():
    untagged = [q for q in QUESTION_ROWS if q["question_id"] != "Q6"]
    row = _table("HINF04", _data(questions=untagged)).iloc[0]
    assert bool(row.no_data)
    assert row.no_data_reason == "no question in survey_questions is tagged as feeding HINF04"
    no_column = _table("COP05", _data(drop=("indicator_id",))).iloc[0]
    assert "tagged as feeding COP05" in no_column.no_data_reason


def test_no_usable_parent_answer_gives_no_data():
    only_young_people = _answers(NOV, "Q1", ["agree"], respondent="cyp")
    row = _table("COP05", _data(answers=only_young_people)).iloc[0]
    assert row.no_data_reason == (
        "no parents and carers gave a usable answer to the questions feeding COP05"
    )
    missing = compute_indicator(
        REGISTRY["LO05"],
        StagedData(tables={"survey_questions": None, "surveys": None}),
        "2019-03-31",
        "2018-10-01",
    ).iloc[0]
    assert "survey_questions" in missing.no_data_reason
