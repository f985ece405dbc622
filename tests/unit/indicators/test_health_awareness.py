"""W7 health awareness indicators (HAW01-HAW05) against hand-counted staged fixtures."""

from __future__ import annotations

import pandas as pd

from helpers.staged_frames import staged
from sendready.indicators import REGISTRY, StagedData, compute_indicator

D = pd.Timestamp
END, START = "2019-03-31", "2019-01-01"


def _plan(pid, person, start="2018-01-01", cease=None):
    return dict(
        plan_id=pid,
        person_id=person,
        start_date=start,
        cease_date=cease,
        cease_reason="1" if cease else None,
        primary_need="ASD",
        setting_type="mainstream",
    )


def _referral(rid, person, service, referred, flag=None, discharged=None):
    return dict(
        referral_id=rid,
        person_id=person,
        service=service,
        provider="Trust",
        referral_date=referred,
        discharge_date=discharged,
        ehcp_flag_on_record=flag,
    )


P1, P2, P3, P4, P5, P6, P9 = (f"P000000{i}" for i in (1, 2, 3, 4, 5, 6, 9))
PLANS = staged(
    "ehc_plans",
    [
        _plan("PL1", P1),
        _plan("PL2", P2),
        _plan("PL3", P3, cease="2019-01-31"),  # ceased on the month end: not active at 31 January
        _plan("PL4", P4, start="2019-02-01"),
        _plan("PL5", P5, start="2018-03-01"),
        _plan("PL6", P6, start="2017-01-01"),
        _plan("PL7", P6, start="2018-06-01"),  # two plans
    ],
)
REFERRALS = staged(
    "health_referrals",
    [
        _referral("R1", P1, "slt", "2018-06-01", flag=True),
        _referral("R2", P2, "ot", "2018-03-01", flag=True),  # open until 1 March 2019
        _referral("R3", P2, "camhs", "2018-12-01", flag=False),
        _referral("R4", P3, "slt", "2018-12-01", flag=True),
        _referral("R5", P4, "slt", "2018-12-01", flag=True),
        _referral("R6", P6, "physio", "2018-01-31", flag=True),  # day 365 on 31 January 2019
        _referral("R7", P6, "physio", "2018-02-01"),  # blank flag; open until 1 February 2019
        _referral("R8", P1, "ot", "2018-10-01", flag=False, discharged="2019-01-15"),
        _referral("R9", P9, "slt", "2019-01-01", flag=False),  # no plan
        _referral("R10", P5, "camhs", "2019-02-05", flag=True),
    ],
)
DATA = StagedData(tables={"ehc_plans": PLANS, "health_referrals": REFERRALS})


def _rows(indicator_id, data=DATA):
    table = compute_indicator(REGISTRY[indicator_id], data, END, START)
    months = table[table["period_type"] == "month"].set_index("period_start")
    quarter = table[table["period_type"] == "quarter"].iloc[0]
    return months, quarter


def _pair(row):
    return row["numerator"], row["denominator"]


def test_plan_flag_needs_every_open_referral_flagged():
    months, quarter = _rows("HAW01")
    # 31 January 2019. P1: R1 flagged (R8 discharged on 15 January). P2: R2 flagged, R3 not:
    # not flagged. P3: plan ceased that day. P4: plan not started. P5: no referral yet.
    # P6 (two plans, counted once): R6 is 365 days old so closed, R7 open with a blank flag.
    assert _pair(months.loc[D("2019-01-01")]) == (1, 3)
    # 28 February: P1 yes, P2 no (R2 open until 1 March), P4 yes, P5 yes (R10); P6's R7 closed
    # on 1 February.
    assert _pair(months.loc[D("2019-02-01")]) == (3, 4)
    # 31 March: R2 has closed but R3 keeps P2 unflagged: P1, P4, P5 of P1, P2, P4, P5.
    assert _pair(quarter) == (3, 4)


def _review(rid, plan, meeting, health_input=None):
    return dict(
        review_id=rid,
        plan_id=plan,
        due_date="2019-01-31",
        meeting_date=meeting,
        health_input=health_input,
    )


def test_health_input_counts_reviews_of_children_known_to_health():
    reviews = staged(
        "annual_reviews",
        [
            _review("V1", "PL1", "2019-01-10", True),  # P1 referred 1 June 2018
            _review("V2", "PL5", "2019-01-12", True),  # P5 not referred until 5 February
            _review("V3", "PL2", "2019-01-15"),  # known; blank input counts as none
            _review("V4", "PL5", "2019-02-05", False),  # referred that very day: known
            _review("V5", "PL5", "2019-02-04", True),  # the day before the referral: not known
            _review("V6", "PL1", None),  # not held
            _review("V7", "PL99", "2019-01-10", True),  # plan not in the plans extract
        ],
    )
    data = StagedData(
        tables={"ehc_plans": PLANS, "health_referrals": REFERRALS, "annual_reviews": reviews}
    )
    months, quarter = _rows("HAW02", data)
    assert _pair(months.loc[D("2019-01-01")]) == (1, 2)  # V1 yes, V3 no
    assert _pair(months.loc[D("2019-02-01")]) == (0, 1)  # V4 no
    assert _pair(quarter) == (1, 3)


def _audit(aid, date, c=None, g=None, aware=None):
    return dict(
        audit_id=aid,
        plan_id="PL1",
        audit_date=date,
        auditor_org="joint",
        grade_health_c=c,
        grade_health_g=g,
        health_practitioner_aware=aware,
    )


AUDITS = StagedData(
    tables={
        "ehcp_audits": staged(
            "ehcp_audits",
            [
                _audit("A1", "2019-01-05", "good", "outstanding", True),
                _audit("A2", "2019-01-10", "good", "requires_improvement", False),
                _audit(
                    "A3", "2019-01-15", "good", None, None
                ),  # one section graded; question unanswered
                _audit("A4", "2019-02-01", "inadequate", "good", True),
                _audit("A5", "2018-12-31", "good", "good", True),  # before the series
            ],
        )
    }
)


def test_health_sections_need_both_c_and_g_good_or_better():
    months, quarter = _rows("HAW03", AUDITS)
    assert _pair(months.loc[D("2019-01-01")]) == (1, 2)  # A1 of A1, A2 (A3 left out)
    assert _pair(months.loc[D("2019-02-01")]) == (0, 1)  # A4 fails on section C
    assert _pair(quarter) == (1, 3)


def test_practitioner_awareness_counts_audits_that_answered():
    months, quarter = _rows("HAW04", AUDITS)
    assert _pair(months.loc[D("2019-01-01")]) == (1, 2)  # A1 yes, A2 no, A3 blank
    assert _pair(months.loc[D("2019-02-01")]) == (1, 1)
    assert _pair(quarter) == (2, 3)


def _training(rid, completed, group="health_practitioner", course="ehc_plans"):
    return dict(
        record_id=rid,
        organisation="Trust",
        staff_group=group,
        course=course,
        completed_date=completed,
    )


def test_health_staff_training_against_latest_headcount():
    workforce = staged(
        "workforce",
        [
            dict(
                organisation="Trust A",
                staff_group="health_practitioner",
                period="2018-03-31",
                headcount=10,
            ),
            dict(
                organisation="Trust B",
                staff_group="health_practitioner",
                period="2018-03-31",
                headcount=5,
            ),
            dict(
                organisation="Trust A",
                staff_group="health_practitioner",
                period="2019-02-15",
                headcount=12,
            ),
            dict(
                organisation="Trust B",
                staff_group="health_practitioner",
                period="2019-02-15",
                headcount=4,
            ),
        ],
    )
    training = staged(
        "training",
        [
            # Twelve months before January 2019's end: outside every window charted below
            # (a cumulative count kept it for ever).
            _training("T0", "2018-01-31"),
            _training("T1", "2018-06-01"),
            _training("T2", "2018-07-01"),
            _training("T3", "2019-01-31"),  # on the month end: counts in January
            _training("T4", "2019-02-01"),
            _training("T5", "2019-03-01"),
            _training("T6", "2019-04-01"),  # after the period end
            _training("T7", "2018-06-01", course="graduated_approach"),
            _training("T8", "2018-06-01", group="teacher"),
        ],
    )
    data = StagedData(tables={"workforce": workforce, "training": training})
    months, quarter = _rows("HAW05", data)
    # Rolling twelve months. January 2019 (1 February 2018 to 31 January 2019): T1-T3 of
    # 10 + 5 (31 March 2018); T0, completed on 31 January 2018, has dropped out. February:
    # T1-T4 of 12 + 4 (15 February 2019). March: T1-T5 of 16.
    assert _pair(months.loc[D("2019-01-01")]) == (3, 15)
    assert _pair(months.loc[D("2019-02-01")]) == (4, 16)
    assert _pair(quarter) == (5, 16)
    # A year later, with nothing completed after T6 (April 2019), the measure falls rather
    # than holding at its peak: the year to 31 January 2020 starts after 31 January 2019,
    # so T1-T3 have dropped out and T4, T5 and T6 remain, 3 of 16.
    later = compute_indicator(REGISTRY["HAW05"], data, "2020-01-31", "2019-12-01")
    row = later[later["period_type"] == "month"].iloc[-1]
    assert (row["numerator"], row["denominator"]) == (3, 16)


def test_missing_source_says_no_data_with_reason():
    data = StagedData(tables={"ehc_plans": PLANS, "health_referrals": None})
    table = compute_indicator(REGISTRY["HAW01"], data, END, START)
    assert len(table) == 1 and bool(table.iloc[0]["no_data"])
    assert "health_referrals" in table.iloc[0]["no_data_reason"]
    table = compute_indicator(
        REGISTRY["HAW05"],
        StagedData(
            tables={
                "training": staged("training", [_training("T1", "2018-06-01")]),
                "workforce": staged("workforce", []),
            }
        ),
        END,
        START,
    )
    assert "workforce" in table.iloc[0]["no_data_reason"]
