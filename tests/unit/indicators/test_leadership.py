"""W1 leadership indicators (LEAD01-LEAD03) against hand-counted fixtures."""

from __future__ import annotations

import pandas as pd

from helpers.staged_frames import by_period, staged
from sendready.indicators import REGISTRY, StagedData, compute_indicator


def _action(action_id: str, due: str, completed: str | None = None, weakness="W1") -> dict:
    return dict(
        action_id=action_id,
        weakness_id=weakness,
        owner_org="Bury Council",
        due_date=due,
        status="complete" if completed else "overdue",
        completed_date=completed,
    )


ACTIONS = staged(
    "action_plan",
    [
        _action("A1", "2019-01-15", "2019-01-15"),  # completed on the due date: on time
        _action("A2", "2019-01-20", "2019-01-21"),  # a day late
        _action("A3", "2019-02-28"),  # never completed
        _action("A4", "2019-03-31"),  # due on the last day, not done that day
        _action("A5", "2019-03-10", "2019-04-05"),  # completed after the period end
        _action("A6", "2019-04-10", "2019-03-01"),  # due after the period end (done early)
        _action("A7", "2018-12-15", "2018-12-01"),  # completed early, before the quarter
        _action("A8", "2019-02-10", "2019-03-31"),  # late, completed on the last day
        _action("A9", "2019-01-05", "2019-01-04", weakness="W2"),  # another weakness, on time
    ],
)


def _meeting(date: str, board: str, present: dict[str, bool]) -> list[dict]:
    return [
        dict(meeting_date=date, board=board, organisation=org, attended=came)
        for org, came in present.items()
    ]


ALL_FOUR = dict(la=True, nhs=True, schools=True, parent_carer_forum=True)
GOVERNANCE = staged(
    "governance",
    [
        *_meeting("2018-12-13", "SEND Partnership Board", {**ALL_FOUR, "young_people": False}),
        *_meeting("2019-01-10", "SEND Partnership Board", {**ALL_FOUR, "social_care": False}),
        *_meeting(
            "2019-02-14", "SEND Partnership Board", {**ALL_FOUR, "parent_carer_forum": False}
        ),
        # Same day, another board that never lists schools: not a partnership board.
        *_meeting(
            "2019-02-14",
            "Joint Commissioning Board",
            dict(la=True, nhs=True, parent_carer_forum=True),
        ),
        # The partnership board with no schools row (e.g. quarantined at ingest): absent.
        *_meeting(
            "2019-03-05", "SEND Partnership Board", dict(la=True, nhs=True, parent_carer_forum=True)
        ),
        *_meeting("2019-03-31", "SEND Partnership Board", ALL_FOUR),  # last day of the period
        *_meeting("2019-04-01", "SEND Partnership Board", ALL_FOUR),  # after the period end
    ],
)

DATA = StagedData(tables={"action_plan": ACTIONS, "governance": GOVERNANCE})


def _table(indicator_id: str, data: StagedData = DATA) -> pd.DataFrame:
    return compute_indicator(REGISTRY[indicator_id], data, "2019-03-31", "2018-12-01")


def test_actions_on_time_counted_in_the_month_due():
    table = _table("LEAD01")
    # Dec: A7 early. Jan: A1 on its due date (on time), A2 late, A9 early. Feb: A3 never
    # done, A8 late. Mar: A4 not done, A5 done after the end. A6 is due in April.
    assert by_period(table) == {
        "2018-12": (1, 1),
        "2019-01": (2, 3),
        "2019-02": (0, 2),
        "2019-03": (0, 2),
        "Q": (2, 7),
    }
    assert by_period(table, breakdown="weakness_id=W2") == {
        "2018-12": (0, 0),
        "2019-01": (1, 1),
        "2019-02": (0, 0),
        "2019-03": (0, 0),
        "Q": (1, 1),
    }
    assert by_period(table, breakdown="weakness_id=W1")["Q"] == (1, 6)


def test_overdue_actions_are_a_stock_at_each_period_end():
    table = _table("LEAD02")
    # 31 Dec: A7 due, done. 31 Jan: A1, A2, A7, A9 due, all done by then.
    # 28 Feb: A1, A2, A3, A7, A8, A9 due; A3 and A8 (done 31 March) still open.
    # 31 Mar: A1-A5, A7-A9 due (A6 not yet due, though complete); open: A3, A4 (due that
    # day) and A5 (completed after the end: censored). A8 completed on the day: not open.
    assert by_period(table) == {
        "2018-12": (0, 1),
        "2019-01": (0, 4),
        "2019-02": (2, 6),
        "2019-03": (3, 8),
        "Q": (3, 8),
    }
    assert by_period(table, breakdown="weakness_id=W1")["Q"] == (3, 7)


def test_all_four_partners_present_per_partnership_board_meeting():
    counts = by_period(_table("LEAD03"))
    # Dec: all four (young people's absence does not matter). Jan: all four. Feb: the forum
    # missed the partnership board; the commissioning board is left out. Mar: 5 March has
    # no schools row (absent), 31 March counts; 1 April does not.
    assert counts == {
        "2018-12": (1, 1),
        "2019-01": (1, 1),
        "2019-02": (0, 1),
        "2019-03": (1, 2),
        "Q": (2, 4),
    }


def test_no_board_with_all_four_partners_gives_no_data():
    commissioning_only = staged(
        "governance", _meeting("2019-02-14", "Joint Commissioning Board", dict(la=True, nhs=True))
    )
    row = _table("LEAD03", StagedData(tables={"governance": commissioning_only})).iloc[0]
    assert bool(row.no_data) and "lists the council, the NHS, schools" in row.no_data_reason


def test_missing_sources_give_no_data_with_reason():
    empty = StagedData(tables={"action_plan": None, "governance": None})
    for indicator_id, source in (
        ("LEAD01", "action_plan"),
        ("LEAD02", "action_plan"),
        ("LEAD03", "governance"),
    ):
        table = _table(indicator_id, empty)
        assert len(table) == 1 and bool(table.iloc[0]["no_data"])
        assert source in table.iloc[0]["no_data_reason"]


def test_definitions_carry_the_catalogue_attributes():
    assert [REGISTRY[i].direction for i in ("LEAD01", "LEAD02", "LEAD03")] == ["up", "down", "up"]
    assert all(
        REGISTRY[i].weaknesses == ("W1",) and REGISTRY[i].notes
        for i in ("LEAD01", "LEAD02", "LEAD03")
    )
