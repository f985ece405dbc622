"""The board view's sentences, change words and action counts, from hand-built inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from sendready.publish.boardview import (
    ActionCounts,
    BoardRow,
    _difference_words,
    action_counts,
    board_notes,
    headline_sentence,
)


def _row(wid: str, code: str, overdue: int | None = None) -> BoardRow:
    actions = None if overdue is None else ActionCounts(done=1, not_yet_due=1, overdue=overdue)
    return BoardRow(wid, f"title {wid}", None, code, code, None, actions)


def test_headline_sentence_counts_each_kind_of_verdict():
    rows = [
        _row("W1", "sustained_improvement"),
        _row("W2", "some_improvement"),
        _row("W3", "deterioration"),
        _row("W4", "no_evidence_of_change"),
        _row("W5", "no_evidence_of_change"),
        _row("W6", "not_enough_data"),
    ]
    assert headline_sentence(rows, "areas of weakness") == (
        "Two of six areas of weakness show improvement, one is getting worse, two show no "
        "clear change and one cannot be judged yet for lack of data."
    )
    assert headline_sentence(rows[:1], "areas for priority action") == (
        "One of one areas for priority action show improvement."
    )


def test_board_notes_put_worsening_first_and_name_the_most_overdue():
    rows = [
        _row("W1", "deterioration", overdue=2),
        _row("W2", "sustained_improvement", overdue=5),
        _row("W3", "some_improvement", overdue=0),
        _row("W4", "some_improvement", overdue=5),
    ]
    notes = board_notes(rows, {"W1": "Worse", "W2": "Unchanged", "W3": "Better", "W4": ""})
    assert notes == [
        "worsening: W1",
        "sustained improvement: W2",
        "early improvement: W3 and W4",
        "12 plan actions are overdue, most in W2 and W4 (5 each)",
        "verdicts changed since the last pack: W1 worse and W3 better",
    ]


def test_board_notes_say_when_there_is_nothing_to_note():
    notes = board_notes([_row("W1", "no_evidence_of_change", overdue=0)], {"W1": "Unchanged"})
    assert notes == ["that no verdict has changed and no plan action is overdue"]


@pytest.mark.parametrize(
    "now, before, unit, direction, words",
    [
        (66.7, 70.0, "percent", "up", "Down 3.3 points (worse)"),
        (42.1, 39.1, "percent", "up", "Up 3.0 points (better)"),
        (12.0, 15.5, "days", "down", "Down 3.5 days (better)"),
        (30.0, 25.0, "count", "neutral", "Up 5"),
        (8.0, 8.0, "percent", "down", "No change"),
    ],
)
def test_change_since_last_quarter_in_words(now, before, unit, direction, words):
    assert _difference_words(now, before, unit, direction) == words


def test_action_counts_use_dates_at_the_period_end():
    end = pd.Timestamp("2019-03-31")
    actions = pd.DataFrame(
        {
            "weakness_id": ["W1"] * 5 + ["W2"],
            # done; done after the period end (so open and overdue then); overdue; not due;
            # not due but recorded at risk; another weakness.
            "due_date": pd.to_datetime(
                ["2019-01-31", "2019-02-28", "2019-03-01", "2019-06-30", "2019-05-31", "2019-01-01"]
            ),
            "completed_date": pd.to_datetime(["2019-01-15", "2019-04-10", None, None, None, None]),
            "status": ["complete", "complete", "overdue", "on_track", "at_risk", "overdue"],
        }
    )
    assert action_counts(actions, "W1", end) == ActionCounts(done=1, not_yet_due=2, overdue=2)
    assert action_counts(actions, "W3", end) is None
    assert action_counts(None, "W1", end) is None


def test_some_evidence_of_deterioration_counts_as_worse_and_is_noted_apart():
    rows = [
        _row("W1", "some_deterioration"),
        _row("W2", "deterioration"),
        _row("W3", "no_evidence_of_change"),
    ]
    assert headline_sentence(rows, "areas of weakness") == (
        "None of three areas of weakness show improvement, two are getting worse and one "
        "shows no clear change."
    )
    assert board_notes(rows, {})[:2] == ["worsening: W2", "early signs of worsening: W1"]
