"""W8 joint commissioning indicators (JC01-JC07) against hand-counted staged fixtures,
including the edge days of the waiting-time bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.staged_frames import staged
from sendready.indicators import REGISTRY, StagedData, compute_indicator
from sendready.indicators.commissioning import joint_funding_split
from sendready.indicators.periods import monthly_periods, stock_at_period_end, stock_count

D = pd.Timestamp
END, START = "2019-03-31", "2019-01-01"


def _rows(indicator_id, data):
    table = compute_indicator(REGISTRY[indicator_id], data, END, START)
    months = table[table["period_type"] == "month"].set_index(["period_start", "breakdown"])
    quarter = table[table["period_type"] == "quarter"].set_index("breakdown")
    return months, quarter


def _pair(row):
    return row["numerator"], row["denominator"]


def _referral(rid, service, referred, seen=None, discharged=None):
    return dict(
        referral_id=rid,
        person_id="P0000001",
        service=service,
        provider="Trust",
        referral_date=referred,
        first_contact_date=seen,
        discharge_date=discharged,
    )


# Days waited at 31 January 2019: 27 September 2018 is 126 days before, 26 September 127;
# 1 February 2018 is 364 days before, 31 January 2018 365.
REFERRALS = StagedData(
    tables={
        "health_referrals": staged(
            "health_referrals",
            [
                _referral("A", "slt", "2018-09-27"),  # 126 days: not over 18 weeks
                _referral("B", "slt", "2018-09-26"),  # 127 days: over
                _referral(
                    "C", "slt", "2018-06-01", seen="2019-02-10"
                ),  # seen after January: waiting
                _referral(
                    "D", "ot", "2018-06-01", discharged="2019-01-15"
                ),  # discharged: stops waiting
                _referral(
                    "E", "ot", "2018-06-01", seen="2019-01-31"
                ),  # seen on the month end: not waiting
                _referral("F", "ot", "2019-01-31"),  # referred on the month end: 0 days
                _referral("G", "physio", "2019-02-01"),  # referred in February
                _referral("H", "slt", "2017-12-01"),  # 426 days
                _referral("I", "camhs", "2018-02-01"),  # 364 days: not over 52 weeks
                _referral("J", "camhs", "2018-01-31"),  # 365 days: over 52 weeks
                _referral(
                    "K", "slt", "2018-12-01", seen="2019-01-10"
                ),  # seen in January after 40 days
                _referral(
                    "L", "slt", "2018-11-01", seen="2019-01-20"
                ),  # seen in January after 80 days
            ],
        )
    }
)


def test_waiting_over_18_weeks_at_month_end_by_service():
    months, quarter = _rows("JC03", REFERRALS)
    # 31 January: waiting A, B, C, F, H, I, J; over 126 days B, C, H, I, J.
    assert _pair(months.loc[(D("2019-01-01"), "")]) == (5, 7)
    assert _pair(months.loc[(D("2019-01-01"), "service=slt")]) == (3, 4)  # A, B, C, H
    assert _pair(months.loc[(D("2019-01-01"), "service=ot")]) == (0, 1)  # F only
    assert _pair(months.loc[(D("2019-01-01"), "service=physio")]) == (0, 0)
    # 28 February: C has been seen, G joins; A is now 154 days: A, B, H, I, J of
    # A, B, F, G, H, I, J.
    assert _pair(months.loc[(D("2019-02-01"), "")]) == (5, 7)
    # The quarter is the stock at 31 March (F at 59 days, G at 58): the same 5 of 7.
    assert _pair(quarter.loc[""]) == (5, 7)
    assert _pair(quarter.loc["service=camhs"]) == (2, 2)


def test_waiting_over_52_weeks_counts_365_not_364():
    months, _ = _rows("JC04", REFERRALS)
    assert _pair(months.loc[(D("2019-01-01"), "")]) == (2, 7)  # H and J
    assert _pair(months.loc[(D("2019-02-01"), "")]) == (3, 7)  # I passes 364 in February
    assert _pair(months.loc[(D("2019-01-01"), "service=camhs")]) == (1, 2)


def test_median_wait_of_those_first_seen():
    months, quarter = _rows("JC05", REFERRALS)
    # Seen in January: K 40, L 80 (slt), E 244 days (1 June 2018 to 31 January 2019).
    jan = months.loc[(D("2019-01-01"), "")]
    assert (jan["value"], jan["denominator"]) == (80, 3)
    assert months.loc[(D("2019-01-01"), "service=slt"), "value"] == 60
    assert months.loc[(D("2019-01-01"), "service=ot"), "value"] == 244
    # Quarter: also C, seen 10 February after 254 days: median of 40, 80, 244, 254 = 162.
    assert (quarter.loc["", "value"], quarter.loc["", "denominator"]) == (162, 4)
    assert bool(months.loc[(D("2019-03-01"), ""), "no_data"])


def test_autism_assessment_within_13_weeks_counted_by_deadline_month():
    pathway = StagedData(
        tables={
            "health_referrals": staged(
                "health_referrals",
                [
                    # 15 November 2018 + 91 days = 14 February 2019.
                    _referral(
                        "N1", "neurodevelopmental", "2018-11-15", seen="2019-02-14"
                    ),  # day 91
                    _referral(
                        "N2", "neurodevelopmental", "2018-11-15", seen="2019-02-15"
                    ),  # day 92
                    _referral("N3", "neurodevelopmental", "2018-11-20"),  # never seen
                    _referral("N4", "neurodevelopmental", "2018-11-20", discharged="2018-12-20"),
                    _referral(
                        "N5", "neurodevelopmental", "2018-12-10", seen="2019-01-05"
                    ),  # due 11 March
                    _referral("N6", "slt", "2018-11-15", seen="2019-01-01"),  # other service
                ],
            )
        }
    )
    months, quarter = _rows("JC06", pathway)
    assert _pair(months.loc[(D("2019-02-01"), "")]) == (1, 4)  # N1 of N1-N4
    assert _pair(months.loc[(D("2019-03-01"), "")]) == (1, 1)  # N5
    assert _pair(quarter.loc[""]) == (2, 5)


def _package(pid, start, end=None, education=0, health=0, social_care=0):
    return dict(
        package_id=pid,
        person_id="P0000001",
        start_date=start,
        end_date=end,
        education_gbp=education,
        health_gbp=health,
        social_care_gbp=social_care,
    )


PACKAGES = StagedData(
    tables={
        "joint_packages": staged(
            "joint_packages",
            [
                _package("K1", "2018-01-01", education=10000, health=5000),  # joint
                _package(
                    "K2", "2018-01-01", "2019-01-31", education=1000, health=1000, social_care=1000
                ),
                _package("K3", "2019-01-31", education=2000),  # single
                _package("K4", "2019-02-01", health=3000, social_care=3000),  # joint
                _package("K5", "2018-05-01", "2019-12-31", social_care=4000),  # planned end
            ],
        )
    }
)


def test_jointly_funded_packages_active_at_month_end():
    months, _ = _rows("JC01", PACKAGES)
    # 31 January: K1, K2, K3, K5 active (K2's end date is its last day, so it still runs
    # on 31 January); K1 and K2 joint.
    assert _pair(months.loc[(D("2019-01-01"), "")]) == (2, 4)
    # 28 February: K2 has gone, K4 joins (joint): K1 and K4 of K1, K3, K4, K5.
    assert _pair(months.loc[(D("2019-02-01"), "")]) == (2, 4)


def test_a_package_still_runs_on_its_end_date():
    split = joint_funding_split(PACKAGES, "2019-01-31").set_index("funder")
    # K2 (1,000 from each funder) runs to 31 January inclusive; K4 has not started.
    assert list(split["joint_packages_gbp"]) == [11000, 6000, 1000]
    assert list(split["all_packages_gbp"]) == [13000, 6000, 5000]


def test_joint_funding_split_by_funder():
    split = joint_funding_split(PACKAGES, "2019-02-28").set_index("funder")
    # Joint packages K1 and K4: education 10,000, health 5,000 + 3,000, social care 3,000.
    assert list(split["joint_packages_gbp"]) == [10000, 8000, 3000]
    assert split.loc["education", "joint_share"] == pytest.approx(100 * 10000 / 21000)
    # All active packages add K3 (education 2,000) and K5 (social care 4,000).
    assert list(split["all_packages_gbp"]) == [12000, 8000, 7000]


def test_jointly_specified_contracts():
    def contract(sid, start, end=None, joint=True):
        return dict(
            service_id=sid,
            name=f"Service {sid}",
            commissioner="joint",
            joint_specification=joint,
            outcomes_framework=False,
            start_date=start,
            end_date=end,
            annual_value_gbp=1000,
        )

    services = StagedData(
        tables={
            "commissioned_services": staged(
                "commissioned_services",
                [
                    contract("S1", "2018-04-01"),
                    contract("S2", "2018-04-01", "2019-01-31"),
                    contract("S3", "2017-04-01", joint=False),
                    contract("S4", "2019-02-15", joint=False),
                ],
            )
        }
    )
    months, _ = _rows("JC02", services)
    # S2's contract runs to 31 January inclusive: S1 and S2 of S1, S2, S3.
    assert _pair(months.loc[(D("2019-01-01"), "")]) == (2, 3)
    assert _pair(months.loc[(D("2019-02-01"), "")]) == (1, 3)  # S1 of S1, S3, S4


def test_personal_budgets_among_active_plans():
    def plan(pid, start, cease=None, budget=None):
        return dict(
            plan_id=pid,
            person_id="P0000001",
            start_date=start,
            cease_date=cease,
            cease_reason="2" if cease else None,
            primary_need="SEMH",
            setting_type="mainstream",
            personal_budget=budget,
        )

    plans = StagedData(
        tables={
            "ehc_plans": staged(
                "ehc_plans",
                [
                    plan("X1", "2018-01-01", budget=True),
                    plan("X2", "2018-01-01", "2019-01-31", True),
                    plan("X3", "2018-06-01"),
                    plan("X4", "2019-01-15", budget=False),
                ],
            )
        }
    )
    months, _ = _rows("JC07", plans)
    # 31 January: X1, X3 (blank: no budget), X4 active; X2 ceased that day.
    assert _pair(months.loc[(D("2019-01-01"), "")]) == (1, 3)


def test_missing_referrals_say_no_data_with_reason():
    table = compute_indicator(
        REGISTRY["JC03"], StagedData(tables={"health_referrals": None}), END, START
    )
    assert len(table) == 1 and bool(table.iloc[0]["no_data"])
    assert "health_referrals" in table.iloc[0]["no_data_reason"]


def test_stock_count_matches_the_periods_by_rows_matrix():
    rng = np.random.default_rng(7)
    opened = pd.Series(
        pd.to_datetime("2016-01-01") + pd.to_timedelta(rng.integers(0, 1200, 500), unit="D")
    )
    closed = opened + pd.to_timedelta(rng.integers(-5, 400, 500), unit="D")
    closed[rng.random(500) < 0.3] = pd.NaT
    opened[rng.random(500) < 0.05] = pd.NaT
    periods = monthly_periods("2016-01-01", "2019-03-31")
    expected = stock_at_period_end(periods, opened, closed).sum(axis=1)
    assert np.array_equal(stock_count(periods, opened, closed), expected)
