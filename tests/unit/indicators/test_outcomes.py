"""Placement, training by phase, support while waiting, exclusions, attendance, preparation
for adulthood and appeals (PLC01-PLC02, TRN01-TRN02, ND01, EXC01, ATT01, PFA01, TRB01)
against hand-counted staged fixtures."""

from __future__ import annotations

import pandas as pd

from helpers.staged_frames import staged
from sendready.indicators import REGISTRY, StagedData, compute_indicator

D = pd.Timestamp
END, START = "2019-03-31", "2019-01-01"


def _rows(indicator_id, tables):
    table = compute_indicator(REGISTRY[indicator_id], StagedData(tables=tables), END, START)
    months = table[table["period_type"] == "month"].set_index("period_start")
    quarter = table[table["period_type"] == "quarter"].iloc[0]
    return months, quarter


def _pair(row):
    return row["numerator"], row["denominator"]


def _placement(pid, plan, start, setting, reason="new_plan", end=None):
    return dict(
        placement_id=pid,
        plan_id=plan,
        person_id="P" + plan[2:].rjust(7, "0"),
        start_date=start,
        end_date=end,
        setting_type=setting,
        reason=reason,
    )


PLACEMENTS = staged(
    "placements",
    [
        _placement("A1", "PL1", "2019-01-05", "special"),
        _placement("A2", "PL2", "2019-01-20", "mainstream"),
        _placement("A3", "PL3", "2019-01-31", "independent_special"),
        _placement("A4", "PL4", "2019-02-01", "resourced_provision"),
        _placement("A5", "PL2", "2019-03-01", "special", reason="move"),  # a move, not new
        # Plans of 2018, whose first 12 months end in the quarter (PLC02).
        _placement("B1", "PL11", "2018-01-10", "mainstream", end="2019-01-10"),
        _placement("B2", "PL11", "2019-01-10", "special", reason="move"),  # day 365: counts
        _placement("B3", "PL12", "2018-01-15", "mainstream", end="2019-01-16"),
        _placement("B4", "PL12", "2019-01-16", "special", reason="move"),  # day 366: too late
        _placement("B5", "PL13", "2018-02-10", "resourced_provision", end="2018-06-01"),
        _placement("B6", "PL13", "2018-06-01", "independent_special", reason="move"),
        _placement("B7", "PL14", "2018-02-20", "mainstream"),  # never moved
        _placement("B8", "PL15", "2018-03-05", "special"),  # special from the start: not counted
        _placement("B9", "PL16", "2018-03-30", "mainstream", end="2018-09-01"),
        _placement("B10", "PL16", "2018-09-01", "alternative_provision", reason="move"),
    ],
)


def test_new_plans_naming_a_special_school():
    months, quarter = _rows("PLC01", {"placements": PLACEMENTS})
    # January: A1 special, A2 mainstream, A3 independent special; the 2018 plans are earlier.
    assert _pair(months.loc[D("2019-01-01")]) == (2, 3)
    # February: A4 resourced provision counts as mainstream. March: A5 is a move only.
    assert _pair(months.loc[D("2019-02-01")]) == (0, 1)
    assert _pair(months.loc[D("2019-03-01")]) == (0, 0)
    assert _pair(quarter) == (2, 4)


def test_moves_from_mainstream_to_special_within_a_year():
    months, quarter = _rows("PLC02", {"placements": PLACEMENTS})
    # Placed at start + 365 days. January 2019: PL11 (10 Jan, moved on day 365: yes), PL12
    # (15 Jan, moved on day 366: no). February: PL13 (moved to independent special: yes),
    # PL14 (no). March: PL16 moved to alternative provision, not special (no); PL15 began
    # in special and is not in the denominator.
    assert _pair(months.loc[D("2019-01-01")]) == (1, 2)
    assert _pair(months.loc[D("2019-02-01")]) == (1, 2)
    assert _pair(months.loc[D("2019-03-01")]) == (0, 1)
    assert _pair(quarter) == (2, 5)


def _training(rid, org, phase, completed, group="teacher", course="graduated_approach"):
    return dict(
        record_id=rid,
        organisation=org,
        staff_group=group,
        course=course,
        completed_date=completed,
        phase=phase,
    )


def _heads(org, phase, period, headcount, group="teacher"):
    return dict(
        organisation=org, staff_group=group, period=period, headcount=headcount, phase=phase
    )


TRAINING = {
    "training": staged(
        "training",
        [
            _training("T1", "Oak Primary", "primary", "2018-01-31"),  # 365 days before 31 Jan
            _training("T2", "Oak Primary", "primary", "2018-02-01"),  # in January's year
            _training("T3", "Elm Primary", "primary", "2018-12-15"),
            _training("T4", "Elm Primary", "primary", "2019-02-10"),
            _training("T5", "Oak Primary", "primary", "2019-03-31"),  # on the period end
            _training("T6", "Oak Primary", "primary", "2019-01-05", course="ehc_plans"),
            _training("T7", "Oak Primary", "primary", "2019-01-05", group="senco"),
            _training("T8", "Ash High", "secondary", "2019-01-20"),
        ],
    ),
    "workforce": staged(
        "workforce",
        [
            _heads("Oak Primary", "primary", "2018-12-31", 10),
            _heads("Elm Primary", "primary", "2018-12-31", 6),
            _heads("Oak Primary", "primary", "2019-03-31", 12),
            _heads("Elm Primary", "primary", "2019-03-31", 6),
            _heads("Ash High", "secondary", "2018-12-31", 40),
        ],
    ),
}


def test_primary_teachers_trained_over_a_rolling_year():
    months, quarter = _rows("TRN01", TRAINING)
    # 31 January 2019: the year is 1 February 2018 to 31 January 2019: T2, T3 (T1 is 366
    # days before; T6 is not a graduated approach course; T7 is a SENCO). Headcount at
    # 31 December 2018: 10 + 6.
    assert _pair(months.loc[D("2019-01-01")]) == (2, 16)
    # 28 February: T2 has dropped out (1 February 2018 is 392 days before), T3, T4 remain.
    assert _pair(months.loc[D("2019-02-01")]) == (2, 16)
    # 31 March: T3, T4, T5; headcount at 31 March 2019: 12 + 6.
    assert _pair(months.loc[D("2019-03-01")]) == (3, 18)
    assert _pair(quarter) == (3, 18)


def test_secondary_teachers_trained_over_a_rolling_year():
    months, quarter = _rows("TRN02", TRAINING)
    assert _pair(months.loc[D("2019-01-01")]) == (1, 40)
    assert _pair(quarter) == (1, 40)


def _referral(rid, referred, offered=None, service="neurodevelopmental"):
    return dict(
        referral_id=rid,
        person_id="P0000001",
        service=service,
        provider="Trust",
        referral_date=referred,
        support_offered_date=offered,
    )


def test_support_offered_within_twelve_weeks_of_a_neurodevelopmental_referral():
    referrals = staged(
        "health_referrals",
        [
            # Placed at referral + 84 days: 2018-10-09 + 84 = 2019-01-01.
            _referral("R1", "2018-10-09", offered="2019-01-01"),  # day 84: counts
            _referral("R2", "2018-10-10", offered="2019-01-03"),  # day 85: too late
            _referral("R3", "2018-10-20"),  # never offered
            _referral("R4", "2018-11-20", offered="2018-12-01"),  # placed 12 February: yes
            _referral("R5", "2018-11-20", offered="2018-12-01", service="slt"),  # not ND
            _referral("R6", "2019-01-20", offered="2019-01-25"),  # placed 14 April: outside
        ],
    )
    months, quarter = _rows("ND01", {"health_referrals": referrals})
    assert _pair(months.loc[D("2019-01-01")]) == (1, 3)
    assert _pair(months.loc[D("2019-02-01")]) == (1, 1)
    assert _pair(quarter) == (2, 4)


def test_share_of_suspensions_and_exclusions_of_pupils_with_send():
    def row(eid, start, provision, category="suspension"):
        return dict(
            exclusion_id=eid,
            person_id="P0000001",
            school_urn="100001",
            start_date=start,
            category=category,
            sen_provision=provision,
        )

    exclusions = staged(
        "exclusions",
        [
            row("E1", "2019-01-07", "K"),
            row("E2", "2019-01-08", "N"),
            row("E3", "2019-01-09", "E", category="permanent"),
            row("E4", "2019-01-31", "N"),
            row("E5", "2019-02-04", "N"),
            row("E6", "2018-12-20", "E"),  # before the quarter
        ],
    )
    months, quarter = _rows("EXC01", {"exclusions": exclusions})
    assert _pair(months.loc[D("2019-01-01")]) == (2, 4)
    assert _pair(months.loc[D("2019-02-01")]) == (0, 1)
    assert _pair(quarter) == (2, 5)


def test_pupils_with_ehc_plans_persistently_absent_at_the_census():
    def pupil(pid, provision, attendance, day="2019-01-17"):
        return dict(
            census_date=day,
            school_urn="100001",
            school_name="Oak Primary",
            phase="primary",
            person_id=pid,
            ncy=4,
            sen_provision=provision,
            primary_need="ASD" if provision != "N" else None,
            attendance_percent=attendance,
        )

    census = staged(
        "school_census",
        [
            pupil("P0000001", "E", 89.9),  # persistently absent
            pupil("P0000002", "E", 90.0),  # exactly 90%: not persistently absent
            pupil("P0000003", "E", 75.0),
            pupil("P0000004", "E", None),  # no figure: left out
            pupil("P0000005", "K", 50.0),  # SEN support: not in this indicator
            pupil("P0000006", "N", 80.0),
            pupil("P0000001", "E", 60.0, day="2018-01-18"),  # an earlier census
        ],
    )
    months, quarter = _rows("ATT01", {"school_census": census})
    assert _pair(months.loc[D("2019-01-01")]) == (2, 3)
    assert _pair(quarter) == (2, 3)


def test_reviews_from_year_nine_that_set_outcomes_for_adulthood():
    def review(rid, meeting, ncy, pfa):
        return dict(
            review_id=rid,
            plan_id="PL1",
            due_date="2019-02-28",
            meeting_date=meeting,
            ncy=ncy,
            pfa_outcomes=pfa,
        )

    reviews = staged(
        "annual_reviews",
        [
            review("V1", "2019-01-10", 9, True),
            review("V2", "2019-01-11", 11, False),
            review("V3", "2019-01-12", 8, True),  # Year 8: not counted
            review("V4", "2019-02-12", 13, True),
            review("V5", "2019-02-13", 10, None),  # unanswered: left out
            review("V6", None, 10, None),  # not held
            review("V7", "2019-03-01", None, True),  # year group unknown: left out
        ],
    )
    months, quarter = _rows("PFA01", {"annual_reviews": reviews})
    assert _pair(months.loc[D("2019-01-01")]) == (1, 2)
    assert _pair(months.loc[D("2019-02-01")]) == (1, 1)
    assert _pair(months.loc[D("2019-03-01")]) == (0, 0)
    assert _pair(quarter) == (2, 3)


def test_decisions_appealed_to_the_tribunal_placed_180_days_on():
    def request(rid, decided, decision, tribunal):
        return dict(
            request_id=rid,
            person_id="P0000001",
            received_date="2018-05-01",
            requester="parent",
            decision=decision,
            decision_date=decided,
            tribunal=tribunal,
        )

    requests = staged(
        "ehc_requests",
        [
            # 2018-07-05 + 180 days = 2019-01-01.
            request("Q1", "2018-07-05", "not_assess", True),
            request("Q2", "2018-07-06", "assess", False),
            request("Q3", "2018-07-20", "assess", None),  # not recorded: left out
            request("Q4", "2018-07-21", "withdrawn", True),  # no decision on assessment
            request("Q5", "2018-08-10", "assess", True),  # placed 6 February
            request("Q6", "2018-07-04", "assess", True),  # placed 31 December 2018
        ],
    )
    months, quarter = _rows("TRB01", {"ehc_requests": requests})
    assert _pair(months.loc[D("2019-01-01")]) == (1, 2)
    assert _pair(months.loc[D("2019-02-01")]) == (1, 1)
    assert _pair(quarter) == (2, 3)
