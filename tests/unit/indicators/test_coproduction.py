"""W2 co-production indicators (COP01-COP04) against hand-counted fixtures.

COP05 is a survey indicator: see test_indicators_surveys.py.
"""

from __future__ import annotations

import pytest

from helpers.staged_frames import by_period, staged
from sendready.indicators import REGISTRY, StagedData, compute_indicator

GOVERNANCE = staged(
    "governance",
    [
        dict(
            meeting_date="2019-01-10",
            board="SEND Partnership Board",
            organisation=org,
            attended=True,
        )
        for org in ("la", "parent_carer_forum")
    ]
    + [
        dict(
            meeting_date="2019-02-14",
            board="SEND Partnership Board",
            organisation="la",
            attended=True,
        ),
        dict(
            meeting_date="2019-02-14",
            board="SEND Partnership Board",
            organisation="parent_carer_forum",
            attended=False,
        ),
        # Same day, another board, and the forum has no row at all: absent.
        dict(
            meeting_date="2019-02-14",
            board="Health and Wellbeing Board",
            organisation="nhs",
            attended=True,
        ),
        dict(
            meeting_date="2019-03-31",
            board="SEND Partnership Board",
            organisation="parent_carer_forum",
            attended=True,
        ),
        dict(
            meeting_date="2019-04-01",
            board="SEND Partnership Board",
            organisation="parent_carer_forum",
            attended=True,
        ),
    ],
)


def _item(item_id: str, date: str, forum: bool, young: bool, stage: str) -> dict:
    return dict(
        item_id=item_id,
        date=date,
        kind="strategy",
        title=f"Item {item_id}",
        parent_carer_forum=forum,
        young_people=young,
        stage=stage,
    )


COPRODUCTION = staged(
    "coproduction",
    [
        _item("C1", "2018-06-01", True, False, "design"),
        _item("C2", "2019-01-31", False, True, "design"),  # young people only: counts
        _item("C3", "2019-02-01", True, True, "delivery"),  # joined after design
        _item("C4", "2019-03-31", True, False, "design"),  # on the last day
        _item("C5", "2019-04-01", True, False, "design"),  # after the period end
        _item("C6", "2019-02-15", False, False, "design"),  # no families involved
    ],
)


def _audit(audit_id: str, date: str, voice: str | None) -> dict:
    return dict(
        audit_id=audit_id, plan_id="PL1", audit_date=date, auditor_org="joint", grade_voice=voice
    )


AUDITS = staged(
    "ehcp_audits",
    [
        _audit("AU1", "2019-01-05", "outstanding"),
        _audit("AU2", "2019-01-20", "good"),
        _audit("AU3", "2019-02-10", "requires_improvement"),
        _audit("AU4", "2019-03-31", "inadequate"),
        _audit("AU5", "2019-03-15", None),  # section A not graded: left out
        _audit("AU6", "2019-04-02", "good"),  # after the period end
    ],
)


def _review(review_id: str, meeting: str | None, took_part: bool | None) -> dict:
    return dict(
        review_id=review_id,
        plan_id="PL1",
        due_date="2019-02-01",
        meeting_date=meeting,
        cyp_participated=took_part,
    )


REVIEWS = staged(
    "annual_reviews",
    [
        _review("R1", "2019-01-10", True),
        _review("R2", "2019-01-31", False),
        _review("R3", "2019-02-05", None),  # not recorded: counts as not taking part
        _review("R4", None, None),  # not held yet: not counted
        _review("R5", "2019-03-31", True),
        _review("R6", "2019-04-01", True),  # after the period end
    ],
)

DATA = StagedData(
    tables={
        "governance": GOVERNANCE,
        "coproduction": COPRODUCTION,
        "ehcp_audits": AUDITS,
        "annual_reviews": REVIEWS,
    }
)


def _counts(indicator_id: str, data: StagedData = DATA) -> dict:
    return by_period(compute_indicator(REGISTRY[indicator_id], data, "2019-03-31", "2018-12-01"))


def test_forum_attendance_per_board_meeting():
    counts = _counts("COP01")
    # Jan: present. Feb: absent from both meetings (marked absent; no row). Mar: 31 March.
    assert counts["2019-01"] == (1, 1)
    assert counts["2019-02"] == (0, 2)
    assert counts["2019-03"] == (1, 1)
    assert counts["Q"] == (2, 4)


def test_coproduced_items_are_a_running_total():
    table = compute_indicator(REGISTRY["COP02"], DATA, "2019-03-31", "2018-12-01")
    value = by_period(table, "value")
    # 31 Dec: C1. 31 Jan: C1, C2. 28 Feb: unchanged (C3 delivery, C6 no families).
    # 31 Mar: C4 on the last day joins; C5 (1 April) does not.
    assert value == {"2018-12": 1, "2019-01": 2, "2019-02": 2, "2019-03": 3, "Q": 3}
    assert table["ci_low"].isna().all()


def test_voice_graded_good_or_better_among_graded_audits():
    counts = _counts("COP03")
    # Jan: outstanding, good. Feb: requires improvement. Mar: inadequate on 31 March; the
    # ungraded audit is left out; 2 April is after the end.
    assert counts["2019-01"] == (2, 2)
    assert counts["2019-02"] == (0, 1)
    assert counts["2019-03"] == (0, 1)
    assert counts["Q"] == (2, 4)


def test_young_person_took_part_in_reviews_held():
    counts = _counts("COP04")
    # Jan: R1 yes, R2 no. Feb: R3 blank = no. Mar: R5 on 31 March yes. R4 not held, R6 later.
    assert counts["2019-01"] == (1, 2)
    assert counts["2019-02"] == (0, 1)
    assert counts["2019-03"] == (1, 1)
    assert counts["Q"] == (2, 4)
    row = compute_indicator(REGISTRY["COP04"], DATA, "2019-03-31", "2018-12-01").iloc[-1]
    assert row.value == pytest.approx(50.0)


@pytest.mark.parametrize(
    "indicator_id, source",
    [
        ("COP01", "governance"),
        ("COP02", "coproduction"),
        ("COP03", "ehcp_audits"),
        ("COP04", "annual_reviews"),
    ],
)
def test_missing_source_gives_no_data_with_reason(indicator_id, source):
    table = compute_indicator(
        REGISTRY[indicator_id], StagedData(tables={source: None}), "2019-03-31", "2018-12-01"
    )
    assert len(table) == 1 and bool(table.iloc[0]["no_data"])
    assert source in table.iloc[0]["no_data_reason"]


def test_empty_extract_says_it_has_no_valid_rows():
    table = compute_indicator(
        REGISTRY["COP03"],
        StagedData(tables={"ehcp_audits": staged("ehcp_audits", [])}),
        "2019-03-31",
        "2018-12-01",
    )
    assert "no valid rows" in table.iloc[0]["no_data_reason"]
