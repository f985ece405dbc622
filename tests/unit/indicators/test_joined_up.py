"""W3 joined-up working indicators (JOIN01-JOIN03) against hand-counted fixtures.

JOIN04 is a survey indicator: see test_indicators_surveys.py.
"""

from __future__ import annotations

import pytest

from helpers.staged_frames import by_period, staged
from sendready.indicators import REGISTRY, StagedData, compute_indicator


def _request(request_id: str, issued: str | None) -> dict:
    return dict(
        request_id=request_id,
        person_id="P0000001",
        received_date="2018-09-01",
        requester="parent",
        decision="assess",
        decision_date="2018-10-01",
        assessment_outcome="issue" if issued else "ongoing",
        outcome_date=issued,
        plan_issued_date=issued,
    )


REQUESTS = staged(
    "ehc_requests",
    [
        _request("Q1", "2019-01-15"),
        _request("Q2", "2019-02-10"),
        _request("Q3", "2019-03-01"),
        _request("Q4", "2019-03-20"),
        _request("Q5", "2019-04-03"),  # issued after the period end
        _request("Q6", "2019-02-20"),  # no advice recorded at all
        _request("Q7", None),  # assessment still going: not in the denominator
    ],
)


def _advice(advice_id: str, request_id: str, kind: str, received: str | None) -> dict:
    return dict(
        advice_id=advice_id,
        request_id=request_id,
        advice_type=kind,
        provider="Provider",
        requested_date="2018-10-02",
        received_date=received,
        channel="email" if received else None,
    )


ADVICE = staged(
    "ehc_advice",
    [
        _advice("V1", "Q1", "education", "2018-12-01"),
        _advice("V2", "Q1", "health", "2019-01-15"),  # on the issue date: in time
        _advice("V3", "Q1", "social_care", "2019-01-10"),
        *(
            _advice(f"V4{k}", "Q2", k, "2019-02-11")  # all a day after issue
            for k in ("education", "health", "social_care")
        ),
        _advice("V5", "Q3", "education", "2019-02-01"),
        _advice("V6", "Q3", "health", "2019-02-01"),
        _advice("V7", "Q3", "ep", "2019-02-01"),  # EP advice does not stand in
        *(_advice(f"V8{k}", "Q4", k, "2019-03-01") for k in ("education", "health", "social_care")),
        _advice("V9", "Q4", "health", None),  # a second health request, unanswered
        *(
            _advice(f"V10{k}", "Q5", k, "2019-03-01")
            for k in ("education", "health", "social_care")
        ),
        *(
            _advice(f"V11{k}", "Q7", k, "2019-03-01")
            for k in ("education", "health", "social_care")
        ),
    ],
)


def _review(review_id: str, meeting: str, known, health, social_care) -> dict:
    return dict(
        review_id=review_id,
        plan_id="PL1",
        due_date="2019-01-01",
        meeting_date=meeting,
        known_to_social_care=known,
        health_input=health,
        social_care_input=social_care,
    )


REVIEW_ROWS = [
    _review("W1", "2019-01-10", True, True, True),
    _review("W2", "2019-01-15", True, True, False),
    _review("W3", "2019-02-01", False, True, True),  # not known to social care
    _review("W4", "2019-02-20", None, True, True),  # not recorded as known
    _review("W5", "2019-03-05", True, None, True),  # health input blank = none
    _review("W6", "2019-04-01", True, True, True),  # after the period end
]

# Valid NHS numbers (modulus 11 check digit).
N1, N2, N3, N4, N6 = "9434765919", "9434765927", "9434765935", "9434765943", "9434765951"
PERSONS = staged(
    "persons",
    [
        dict(
            person_id=f"P000000{i}",
            forename="A",
            surname="B",
            date_of_birth="2010-01-01",
            gender="F",
            nhs_number=nhs,
        )
        for i, nhs in ((1, N1), (2, N2), (3, N3), (4, "943 476 5943"), (5, None), (6, N6))
    ],
)


def _plan(plan_id: str, person: int, start: str, cease: str | None = None) -> dict:
    return dict(
        plan_id=plan_id,
        person_id=f"P000000{person}",
        start_date=start,
        cease_date=cease,
        cease_reason="2" if cease else None,
        primary_need="ASD",
        setting_type="mainstream",
    )


PLANS = staged(
    "ehc_plans",
    [
        _plan("PL1", 1, "2018-01-01"),
        _plan("PL2", 2, "2018-05-01"),
        _plan("PL3", 3, "2018-02-01", "2019-03-31"),  # ceases on the last day
        _plan("PL4", 4, "2019-03-31"),  # starts on the last day
        _plan("PL5", 5, "2018-03-01"),  # no NHS number held by the council
        _plan("PL6", 6, "2017-01-01"),  # two active plans: one child
        _plan("PL7", 6, "2018-09-01"),
    ],
)


def _referral(referral_id: str, person: int, nhs: str, date: str) -> dict:
    return dict(
        referral_id=referral_id,
        person_id=f"P000000{person}",
        nhs_number=nhs,
        service="slt",
        provider="Provider",
        referral_date=date,
    )


REFERRALS = staged(
    "health_referrals",
    [
        _referral("H1", 1, N1, "2018-06-01"),
        _referral("H2", 2, N2, "2019-04-15"),  # after the period end
        _referral("H3", 3, N3, "2018-03-01"),
        _referral("H4", 4, N4, "2019-03-31"),  # on the last day, written without spaces
        _referral("H5", 5, "9434765978", "2018-06-01"),  # same person_id, but no NHS number match
        _referral("H6", 6, N6, "2017-05-01"),
    ],
)


def _data(**replace) -> StagedData:
    tables = {
        "ehc_requests": REQUESTS,
        "ehc_advice": ADVICE,
        "annual_reviews": staged("annual_reviews", REVIEW_ROWS),
        "persons": PERSONS,
        "ehc_plans": PLANS,
        "health_referrals": REFERRALS,
    }
    return StagedData(tables={**tables, **replace})


def _counts(indicator_id: str, data: StagedData | None = None, end: str = "2019-03-31") -> dict:
    return by_period(compute_indicator(REGISTRY[indicator_id], data or _data(), end, "2019-01-01"))


def test_complete_advice_needs_all_three_by_the_issue_date():
    counts = _counts("JOIN01")
    # Jan: Q1 complete (health on the issue date). Feb: Q2 all a day late, Q6 no advice.
    # Mar: Q3 lacks social care (EP does not count); Q4 complete despite an unanswered
    # second health request. Q5 issued in April; Q7 has no plan.
    assert counts == {"2019-01": (1, 1), "2019-02": (0, 2), "2019-03": (1, 2), "Q": (2, 5)}


def test_missing_advice_extract_gives_no_data():
    table = compute_indicator(
        REGISTRY["JOIN01"], _data(ehc_advice=None), "2019-03-31", "2019-01-01"
    )
    assert bool(table.iloc[0]["no_data"]) and "ehc_advice" in table.iloc[0]["no_data_reason"]


def test_multi_agency_reviews_among_children_known_to_social_care():
    counts = _counts("JOIN02")
    # Known to social care and held in the quarter: W1 (both), W2 (no social care), W5
    # (health blank). W3 not known, W4 not recorded as known, W6 after the end.
    assert counts == {"2019-01": (1, 2), "2019-02": (0, 0), "2019-03": (0, 1), "Q": (1, 3)}


@pytest.mark.parametrize("absent", ["column dropped", "all blank"])
def test_multi_agency_reviews_fall_back_to_all_reviews(absent):
    if absent == "column dropped":
        reviews = staged(
            "annual_reviews",
            [{k: v for k, v in r.items() if k != "known_to_social_care"} for r in REVIEW_ROWS],
            drop=("known_to_social_care",),
        )
    else:
        reviews = staged(
            "annual_reviews", [{**r, "known_to_social_care": None} for r in REVIEW_ROWS]
        )
    counts = _counts("JOIN02", _data(annual_reviews=reviews))
    # Every review held in the quarter: W1, W3, W4 have both; W2 and W5 do not.
    assert counts["Q"] == (3, 5)


def test_records_linked_by_nhs_number_at_each_period_end():
    counts = _counts("JOIN03")
    # 31 Mar: active P1, P2, P4 (started that day), P5, P6 (two plans, once); P3 ceased
    # that day. Linked: P1, P4 (referral that day, spaces ignored), P6. P2's referral comes
    # later (censored); P5 has no NHS number on the council record.
    assert counts["2019-03"] == (3, 5)
    assert counts["Q"] == (3, 5)
    # 28 Feb: P1, P2, P3, P5, P6 active; P1, P3, P6 linked.
    assert counts["2019-02"] == (3, 5)
    # 30 April: P2's referral of 15 April now links.
    assert _counts("JOIN03", end="2019-04-30")["2019-04"] == (4, 5)


def test_missing_health_referrals_gives_no_data():
    table = compute_indicator(
        REGISTRY["JOIN03"], _data(health_referrals=None), "2019-03-31", "2019-01-01"
    )
    assert bool(table.iloc[0]["no_data"])
    assert "health_referrals" in table.iloc[0]["no_data_reason"]
