"""Statutory clocks against hand-counted fixtures, including the edge days."""

from __future__ import annotations

import pandas as pd
import pytest

from sendready.indicators import REGISTRY, StagedData, compute_indicator

D = pd.Timestamp


def _requests(rows: list[dict]) -> pd.DataFrame:
    cols = [
        "request_id",
        "person_id",
        "received_date",
        "decision",
        "decision_date",
        "assessment_outcome",
        "outcome_date",
        "plan_issued_date",
        "exception_20wk",
        "mediation",
        "tribunal",
    ]
    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows])
    for c in ("received_date", "decision_date", "outcome_date", "plan_issued_date"):
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ms]")
    for c in ("request_id", "person_id", "decision", "assessment_outcome", "exception_20wk"):
        frame[c] = frame[c].astype("string")
    for c in ("mediation", "tribunal"):
        frame[c] = frame[c].astype("boolean")
    return frame


def _issued(rid, received, issued, **kw):
    received = D(received)
    return dict(
        request_id=rid,
        person_id="P0000001",
        received_date=received,
        decision="assess",
        decision_date=received + pd.Timedelta(days=30),
        assessment_outcome="issue",
        outcome_date=D(issued),
        plan_issued_date=D(issued),
        **kw,
    )


# 20 October 2018 + 140 days = 9 March 2019 (day 140); 10 March 2019 is day 141.
REQUESTS = _requests(
    [
        _issued("R1", "2018-10-20", "2019-03-09"),  # day 140: on time
        _issued("R2", "2018-10-20", "2019-03-10"),  # day 141: late
        _issued("R3", "2018-10-19", "2019-03-20", exception_20wk="school_closure"),  # excluded
        _issued("R4", "2018-10-01", "2019-03-15", mediation=True),  # excluded (mediation)
        _issued("R5", "2018-12-21", "2019-03-31"),  # 100 days: on time
        _issued("R6", "2018-12-21", "2019-04-02"),  # after the period end
        # 1 March 2018 to 1 March 2019 is 365 days: over 52 weeks, but an exception case.
        _issued("R10", "2018-03-01", "2019-03-01", exception_20wk="personal_circumstances"),
        dict(
            request_id="R7",
            person_id="P0000002",
            received_date=D("2019-02-01"),
            decision="withdrawn",
            decision_date=D("2019-03-05"),
        ),  # not a decision
        dict(
            request_id="R8",
            person_id="P0000003",
            received_date=D("2019-01-18"),
            decision="not_assess",
            decision_date=D("2019-03-01"),
        ),  # day 42: on time
        dict(
            request_id="R9",
            person_id="P0000004",
            received_date=D("2019-01-18"),
            decision="not_assess",
            decision_date=D("2019-03-02"),
        ),  # day 43: late
    ]
)


def _quarter(indicator_id: str, period_end="2019-03-31") -> pd.Series:
    table = compute_indicator(
        REGISTRY[indicator_id],
        StagedData(tables={"ehc_requests": REQUESTS}),
        period_end,
        "2018-01-01",
    )
    return table[table["period_type"] == "quarter"].iloc[0]


def test_twenty_weeks_counts_day_140_not_141_and_excludes_exceptions():
    row = _quarter("EHC01")
    # In time: R1 (day 140), R5. Counted: R1, R2, R5 (R3 exception, R4 mediation,
    # R10 exception, R6 issued after the period end).
    assert (row.numerator, row.denominator) == (2, 3)
    assert row.value == pytest.approx(200 / 3)


def test_over_52_weeks_counts_every_plan_issued():
    row = _quarter("EHC02")
    # Issued January-March 2019: R1, R2, R3, R4, R5, R10; only R10 is over 364 days.
    assert (row.numerator, row.denominator) == (1, 6)


def test_six_week_decisions_exclude_withdrawn_requests():
    row = _quarter("EHC03")
    # Decisions in the quarter: R5 and R6 to assess (20 January 2019, day 30), R8 not to
    # assess (day 42) and R9 (day 43); R7 was withdrawn; the other assess decisions fell
    # in 2018. In time: R5, R6, R8.
    assert (row.numerator, row.denominator) == (3, 4)
    refused = _quarter("EHC04")
    assert (refused.numerator, refused.denominator) == (2, 4)


def test_monthly_series_places_plans_by_month_of_issue():
    table = compute_indicator(
        REGISTRY["EHC01"], StagedData(tables={"ehc_requests": REQUESTS}), "2019-04-30", "2019-01-01"
    )
    months = table[table["period_type"] == "month"].set_index("period_start")
    assert months.loc[D("2019-03-01"), "denominator"] == 3
    # R6, issued 2 April 2019 at 102 days, is the only April plan.
    assert (
        months.loc[D("2019-04-01"), "numerator"],
        months.loc[D("2019-04-01"), "denominator"],
    ) == (1, 1)
    assert bool(months.loc[D("2019-01-01"), "no_data"])


def test_missing_source_says_no_data_with_reason():
    table = compute_indicator(
        REGISTRY["EHC06"], StagedData(tables={"annual_reviews": None}), "2019-03-31", "2018-01-01"
    )
    assert len(table) == 1
    assert bool(table.iloc[0]["no_data"])
    assert "annual_reviews" in table.iloc[0]["no_data_reason"]


def test_amended_plans_counted_by_deadline_month():
    reviews = pd.DataFrame(
        {
            "review_id": ["A", "B", "C"],
            "plan_id": ["X1", "X2", "X3"],
            "due_date": pd.to_datetime(["2018-12-01"] * 3),
            "meeting_date": pd.to_datetime(["2018-12-01", "2018-12-01", "2018-12-10"]),
            "decision": ["amend", "amend", "amend"],
            "decision_date": pd.to_datetime(["2018-12-20"] * 3),
            # 1 Dec 2018 + 84 days = 23 Feb 2019.
            "amended_plan_date": pd.to_datetime(["2019-02-23", "2019-02-24", None]),
        }
    ).astype({"decision": "string"})
    table = compute_indicator(
        REGISTRY["EHC08"],
        StagedData(tables={"annual_reviews": reviews}),
        "2019-03-31",
        "2018-10-01",
    )
    months = table[table["period_type"] == "month"].set_index("period_start")
    # A on day 84 (on time), B on day 85 (late); C's deadline is 4 March 2019, unmet.
    assert (
        months.loc[D("2019-02-01"), "numerator"],
        months.loc[D("2019-02-01"), "denominator"],
    ) == (1, 2)
    assert (
        months.loc[D("2019-03-01"), "numerator"],
        months.loc[D("2019-03-01"), "denominator"],
    ) == (0, 1)
