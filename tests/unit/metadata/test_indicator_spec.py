"""The condition vocabulary: what it accepts, what it refuses, and how blanks read."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.staged_frames import staged
from sendready.indicators.declared import evaluate
from sendready.metadata.contracts import CONTRACTS
from sendready.metadata.indicator_spec import ConditionError, parse_condition

COLUMNS = {c.name: (c.kind, c.codes) for c in CONTRACTS["ehc_requests"].columns}
ROWS = staged(
    "ehc_requests",
    [
        # received, decided 42 days later (the last allowed day), assess, mediation yes
        {
            "request_id": "R1",
            "received_date": "2019-01-01",
            "decision": "assess",
            "decision_date": "2019-02-12",
            "mediation": True,
        },
        # decided on day 43, refused, mediation no
        {
            "request_id": "R2",
            "received_date": "2019-01-01",
            "decision": "not_assess",
            "decision_date": "2019-02-13",
            "mediation": False,
        },
        # nothing decided, mediation blank
        {"request_id": "R3", "received_date": "2019-01-01"},
    ],
)


def _holds(text: str) -> list[bool]:
    return evaluate(ROWS, parse_condition(text, COLUMNS)).tolist()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("days_between(received_date, decision_date) <= 42", [True, False, False]),
        ("decision_date <= received_date + 42", [True, False, False]),
        ('decision == "assess"', [True, False, False]),
        ('decision != "assess"', [False, True, False]),  # a blank is not "not assess" either
        ('decision in ["assess", "not_assess"]', [True, True, False]),
        ('decision not in ["assess"]', [False, True, False]),
        ("blank(decision)", [False, False, True]),
        ("filled(decision) and not mediation", [False, True, False]),
        ("mediation or blank(decision_date)", [True, False, True]),
        ("mediation == false", [False, True, False]),
        ('not (decision == "assess")', [False, True, True]),  # `not` turns a blank's False
    ],
)
def test_conditions_read_as_counted_by_hand(text, expected):
    assert _holds(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("open('x')", "not a condition this vocabulary knows"),
        ("received_date.year == 2019", "not a value this vocabulary knows"),
        ("1 < decision_date < 3", "one comparison at a time"),
        ("days_between(received_date, decision) > 1", "decision is a code column, not a date"),
        ("received_date + 1.5 > decision_date", "whole number of days"),
        ("requester", "requester is a code column, not a bool"),
        ("decision in 'assess'", "`in` needs a list"),
        ("decision ==", "cannot be read"),
        ("lambda: 1", "not a condition"),
    ],
)
def test_anything_else_is_refused_saying_why(text, words):
    with pytest.raises(ConditionError) as caught:
        parse_condition(text, COLUMNS)
    assert words in str(caught.value)


def test_no_python_is_run():
    # A call that would have an effect is refused by name before anything runs.
    with pytest.raises(ConditionError):
        parse_condition("__import__('os').getcwd() == 'x'", COLUMNS)
    assert isinstance(ROWS, pd.DataFrame)
