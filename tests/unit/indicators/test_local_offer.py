"""W5 local offer indicators (LO01-LO04) against hand-counted fixtures.

LO05 is a survey indicator: see test_indicators_surveys.py.
"""

from __future__ import annotations

import pandas as pd

from helpers.staged_frames import by_period, staged
from sendready.indicators import REGISTRY, StagedData, compute_indicator


def _day(date, section, users, searches, zero):
    return dict(
        date=date,
        section=section,
        users=users,
        sessions=users + 2,
        page_views=3 * users,
        searches=searches,
        zero_result_searches=zero,
    )


WEB = staged(
    "local_offer_web",
    [
        _day("2018-12-31", "home", 7, 0, 0),
        _day("2019-01-01", "home", 10, 5, 1),
        _day("2019-01-31", "directory", 20, 10, 4),
        _day("2019-02-15", "home", 30, 20, 2),
        # no rows at all in March
        _day("2019-04-01", "home", 100, 50, 50),  # after the period end
    ],
)


def _entry(snapshot, entry_id, reviewed, live=True):
    return dict(
        snapshot_date=snapshot,
        entry_id=entry_id,
        category="Health",
        last_reviewed_date=reviewed,
        live=live,
    )


DIRECTORY = staged(
    "local_offer_directory",
    [
        # 31 Jan 2019: 31 Jan 2018 is exactly 365 days back; 30 Jan 2018 is 366.
        _entry("2019-01-31", "E1", "2018-01-31"),
        _entry("2019-01-31", "E2", "2018-01-30"),
        _entry("2019-01-31", "E3", None),  # never reviewed
        _entry("2019-01-31", "E4", "2019-01-01", live=False),  # not published: left out
        # Two February snapshots: only the later one (28 Feb) is used.
        _entry("2019-02-15", "E1", "2018-01-31"),
        _entry("2019-02-15", "E2", "2019-02-10"),
        _entry("2019-02-28", "E1", "2018-01-31"),  # now 393 days
        _entry("2019-02-28", "E2", "2019-02-20"),
        _entry("2019-02-28", "E3", None),
        _entry("2019-02-28", "E4", "2019-01-01"),  # live again
        # no snapshot in March
        _entry("2019-04-01", "E1", "2019-03-30"),  # after the period end
    ],
)


def _feedback(feedback_id, received, responded=None, published=None):
    return dict(
        feedback_id=feedback_id,
        received_date=received,
        topic="Transport",
        responded_date=responded,
        published_in_response=published,
    )


FEEDBACK = staged(
    "local_offer_feedback",
    [
        _feedback("F1", "2019-01-05", "2019-01-20", True),
        _feedback("F2", "2019-01-25", "2019-02-03", True),  # answered after January ended
        _feedback("F3", "2019-02-10", "2019-02-28", False),  # answered, not published
        _feedback("F8", "2019-02-11", "2019-02-12", None),  # published not recorded
        _feedback("F4", "2019-03-10", "2019-03-31", True),  # answered on the last day
        _feedback("F5", "2019-03-20", "2019-04-02", True),  # answered after the period end
        _feedback("F6", "2019-03-25"),  # not answered
        _feedback("F7", "2019-04-03", "2019-04-04", True),  # received after the period end
    ],
)

DATA = StagedData(
    tables={
        "local_offer_web": WEB,
        "local_offer_directory": DIRECTORY,
        "local_offer_feedback": FEEDBACK,
    }
)


def _table(indicator_id: str, data: StagedData = DATA):
    return compute_indicator(REGISTRY[indicator_id], data, "2019-03-31", "2018-12-01")


def test_users_per_month_and_the_quarter_as_an_average_month():
    table = _table("LO01")
    values = by_period(table, "value", "numerator")
    assert values["2018-12"] == (7, 7)
    assert values["2019-01"] == (30, 30)
    assert values["2019-02"] == (30, 30)
    # March has no rows: no data, not zero.
    assert pd.isna(values["2019-03"][0]) and bool(by_period(table, "no_data")["2019-03"])
    # Quarter: 60 users over the two months with data -> 30 a month.
    assert values["Q"] == (30, 60)


def test_searches_with_no_result_as_a_share_of_searches():
    counts = by_period(_table("LO02"))
    # Jan: (1 + 4) / (5 + 10). Feb: 2 / 20. Dec had no searches; March no rows; April later.
    assert counts == {
        "2018-12": (0, 0),
        "2019-01": (5, 15),
        "2019-02": (2, 20),
        "2019-03": (0, 0),
        "Q": (7, 35),
    }


def test_directory_reviewed_within_365_days_at_the_latest_snapshot():
    counts = by_period(_table("LO03"))
    # 31 Jan: E1 (day 365) yes, E2 (day 366) no, E3 never; E4 not live -> 1/3.
    # 28 Feb: E2, E4 yes; E1 (393 days), E3 no -> 2/4. No March snapshot.
    assert counts == {
        "2018-12": (0, 0),
        "2019-01": (1, 3),
        "2019-02": (2, 4),
        "2019-03": (0, 0),
        "Q": (2, 4),
    }


def test_feedback_answered_by_the_end_of_its_own_period_and_published():
    counts = by_period(_table("LO04"))
    # Jan: F1 yes; F2 answered in February, after January's end. Feb: F3 unpublished,
    # F8 not recorded as published. Mar: F4 (answered on the last day) yes; F5 answered in
    # April and F6 unanswered. The quarter gives F2 until 31 March: F1, F2, F4 of seven.
    assert counts == {
        "2018-12": (0, 0),
        "2019-01": (1, 2),
        "2019-02": (0, 2),
        "2019-03": (1, 3),
        "Q": (3, 7),
    }


def test_missing_sources_give_no_data_with_reason():
    for indicator_id, source in (
        ("LO01", "local_offer_web"),
        ("LO02", "local_offer_web"),
        ("LO03", "local_offer_directory"),
        ("LO04", "local_offer_feedback"),
    ):
        table = _table(indicator_id, StagedData(tables={source: None}))
        assert len(table) == 1 and bool(table.iloc[0]["no_data"])
        assert source in table.iloc[0]["no_data_reason"]
