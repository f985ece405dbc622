"""Drill-down aggregates against hand counts, including the edge days and the suppression."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.report_fixtures import small_context
from helpers.staged_frames import staged
from sendready.core.errors import SendreadyError
from sendready.indicators import StagedData
from sendready.indicators.registry import NoData
from sendready.reports import drilldown_figures as dd
from sendready.stats.spc import VARIATION_LABELS

D = pd.Timestamp
JAN_2018, JAN_2019, JAN_2020 = "2018-01-18", "2019-01-17", "2020-01-16"


def _pupils(
    census_date: str, urn: str, name: str, phase: str, counts: dict[str, int], need: str = "MLD"
) -> list[dict]:
    """Census rows for one school: ``counts`` is provision code -> pupils."""
    rows = []
    for provision, n in counts.items():
        for _ in range(n):
            rows.append(
                {
                    "census_date": census_date,
                    "school_urn": urn,
                    "school_name": name,
                    "phase": phase,
                    "ncy": 5,
                    "sen_provision": provision,
                    "primary_need": need if provision in "KE" else None,
                }
            )
    return rows


def _census() -> pd.DataFrame:
    rows = []
    # 2019: Hill 200 pupils (20 K, 4 E), Dale 100 (50 K, 2 E), Moss 100 (10 K, 1 E),
    # the special school 30 (0 K, 30 E) outside the funnel.
    rows += _pupils(JAN_2019, "100001", "Hill Primary", "primary", {"N": 176, "K": 20, "E": 4})
    rows += _pupils(JAN_2019, "100002", "Dale Primary", "primary", {"N": 48, "K": 50, "E": 2})
    rows += _pupils(JAN_2019, "100003", "Moss Primary", "primary", {"N": 89, "K": 10, "E": 1})
    rows += _pupils(JAN_2019, "100009", "Brook Special", "special", {"E": 30})
    # 2018: Hill 190 (19 K, 3 E); Dale and Moss as in 2019.
    rows += _pupils(JAN_2018, "100001", "Hill Primary", "primary", {"N": 168, "K": 19, "E": 3})
    rows += _pupils(JAN_2018, "100002", "Dale Primary", "primary", {"N": 48, "K": 50, "E": 2})
    rows += _pupils(JAN_2018, "100003", "Moss Primary", "primary", {"N": 89, "K": 10, "E": 1})
    # A census after the period end must not be counted.
    rows += _pupils(JAN_2020, "100001", "Hill Primary (renamed)", "primary", {"N": 999})
    frame = staged("school_census", rows)
    # Hill's SEN pupils by need for the needs table: 20 K and 4 E, split across needs.
    hill = (frame["school_urn"] == "100001") & (frame["census_date"] == D(JAN_2019))
    idx = frame.index[hill & (frame["sen_provision"] == "K")]
    frame.loc[idx[:3], "primary_need"] = "ASD"
    frame.loc[frame.index[hill & (frame["sen_provision"] == "E")][:1], "primary_need"] = "ASD"
    return frame


def _data(**tables) -> StagedData:
    return StagedData(tables=tables, extract_date=D("2019-04-05"))


def test_default_school_is_the_largest_mainstream_school_at_the_latest_census():
    data = _data(school_census=_census())
    # Brook Special is not in the funnel; the 2020 census is after the period end.
    assert dd.default_school(data, "2019-03-31") == "100001"
    assert dd.school_name(data, "100002") == "Dale Primary"


def test_school_census_profile_counts_each_census_up_to_the_period_end():
    profile = dd.school_census_profile(_data(school_census=_census()), "100001", "2019-03-31")
    assert profile["census_date"].tolist() == [D(JAN_2018), D(JAN_2019)]
    last = profile.iloc[-1]
    assert (last["pupils"], last["no_sen"], last["sen_support"], last["ehc_plan"]) == (
        200,
        176,
        20,
        4,
    )
    assert last["sen_support_rate"] == pytest.approx(10.0)
    # The area is the funnel's centre: mainstream schools only (80 K of 400 pupils; 7 E).
    assert last["area_sen_support_rate"] == pytest.approx(80 / 400 * 100)
    assert last["area_ehc_plan_rate"] == pytest.approx(7 / 400 * 100)


def test_funnel_positions_in_words_and_special_schools_outside_the_funnel():
    data = _data(school_census=_census())
    # Dale: 50 of 100 on SEN support against an area rate of 20%: far above chance.
    dale = dd.school_census_profile(data, "100002", "2019-03-31").iloc[-1]
    assert dale["sen_support_position"] == "above the 99.8% limit"
    # Hill: 10% of 200 against 20% is more than 3 standard errors below (sd 2.8 points).
    assert (
        dd.school_census_profile(data, "100001", "2019-03-31").iloc[-1]["sen_support_position"]
        == "below the 99.8% limit"
    )
    brook = dd.school_census_profile(data, "100009", "2019-03-31").iloc[-1]
    assert brook["ehc_plan_position"] == dd.NOT_IN_FUNNEL_WORDS
    assert brook["ehc_plan_rate"] == pytest.approx(100.0)


def test_school_profile_says_why_when_there_is_nothing_to_show():
    data = _data(school_census=_census())
    with pytest.raises(NoData, match="URN 999999"):
        dd.school_census_profile(data, "999999", "2019-03-31")
    with pytest.raises(NoData, match="before the end of this period"):
        dd.school_census_profile(data, "100001", "2024-03-31")


def test_school_needs_cross_tabulates_with_totals():
    needs = dd.school_needs(_data(school_census=_census()), "100001", JAN_2019)
    assert needs.loc["MLD"].tolist() == [17, 3, 20]
    assert needs.loc["ASD"].tolist() == [3, 1, 4]
    assert needs.loc["All needs"].tolist() == [20, 4, 24]
    assert needs.index[-1] == "All needs"


def _request(
    rid: str, received: str, requester: str, urn: str | None, decision: str, decided: str | None
) -> dict:
    return {
        "request_id": rid,
        "person_id": "P0000001",
        "received_date": received,
        "requester": requester,
        "school_urn": urn,
        "decision": decision,
        "decision_date": decided,
    }


def test_school_requests_count_twelve_month_windows_to_the_period_end():
    requests = staged(
        "ehc_requests",
        [
            # Year to 31 March 2019.
            _request("R1", "2018-04-01", "school", "100001", "not_assess", "2018-05-10"),
            _request("R2", "2018-06-01", "school", "100001", "assess", "2018-07-01"),
            _request("R3", "2018-09-01", "parent", "100001", "not_assess", "2018-10-01"),
            _request("R4", "2019-01-05", "school", "100001", "withdrawn", "2019-02-01"),
            _request("R5", "2018-08-01", "school", "100002", "not_assess", "2018-09-01"),
            _request("R6", "2018-08-01", "school", "100002", "assess", "2018-09-03"),
            # Received in the earlier year, decided in the later one: counted where each falls.
            _request("R7", "2018-03-20", "school", "100001", "assess", "2018-04-20"),
            # After the period end: nowhere.
            _request("R8", "2019-04-01", "school", "100001", "not_assess", "2019-04-02"),
        ],
    )
    table = dd.school_requests(_data(ehc_requests=requests), "100001", "2019-03-31", years=2)
    assert table["year_to"].tolist() == [D("2018-03-31"), D("2019-03-31")]
    earlier, latest = table.iloc[0], table.iloc[1]
    assert (earlier["requests_received"], earlier["decisions"]) == (1, 0)
    assert earlier["funnel_position"] == "no decisions on its requests"
    # R1, R2, R3, R4 received; R1, R2 and R4 by the school; decisions on the school's own
    # requests R1, R2, R7 (R4 withdrawn; R3 a parent's); one refused.
    assert latest["requests_received"] == 4
    assert latest["requested_by_school"] == 3
    assert (latest["decisions"], latest["refused"]) == (3, 1)
    assert latest["refusal_rate"] == pytest.approx(100 / 3)
    # All schools' requests decided in the year: R1, R2, R7, R5, R6; refused R1, R5.
    assert latest["area_refusal_rate"] == pytest.approx(40.0)


def _advice(
    aid: str, provider: str, requested: str, received: str | None, advice_type: str = "health"
) -> dict:
    return {
        "advice_id": aid,
        "request_id": "R1",
        "advice_type": advice_type,
        "provider": provider,
        "discipline": "paediatrics",
        "requested_date": requested,
        "received_date": received,
        "channel": "email",
    }


def test_provider_advice_months_follow_hinf01_and_hinf02_for_that_provider():
    advice = staged(
        "ehc_advice",
        [
            _advice("A1", "Trust A", "2019-01-10", "2019-02-15"),  # 36 days; deadline Feb
            _advice("A2", "Trust A", "2019-01-20", "2019-03-10"),  # 49 days, late; deadline Mar
            _advice("A3", "Trust A", "2019-02-01", "2019-03-15"),  # day 42: on time; deadline Mar
            _advice("A4", "Trust A", "2019-02-10", None),  # never received; deadline Mar
            _advice("A5", "Trust B", "2019-01-10", "2019-01-20"),  # another provider
            _advice("A6", "Trust A", "2019-01-10", "2019-01-11", advice_type="education"),
        ],
    )
    months = dd.provider_advice_months(_data(ehc_advice=advice), "Trust A", "2019-03-31", months=3)
    months = months.set_index(months["month"].dt.strftime("%Y-%m"))
    assert months.loc["2019-01", ["advice_due", "received"]].tolist() == [0, 0]
    assert months.loc["2019-02", ["advice_due", "on_time", "received"]].tolist() == [1, 1, 1]
    assert months.loc["2019-02", "median_days"] == 36
    assert months.loc["2019-03", ["advice_due", "on_time", "received"]].tolist() == [3, 1, 2]
    assert months.loc["2019-03", "on_time_rate"] == pytest.approx(100 / 3)
    assert months.loc["2019-03", "median_days"] == pytest.approx((49 + 42) / 2)
    with pytest.raises(NoData, match="no health advice from Trust C"):
        dd.provider_advice_months(_data(ehc_advice=advice), "Trust C", "2019-03-31")


def _referral(
    rid: str,
    service: str,
    referred: str,
    seen: str | None,
    provider: str = "Trust A",
    discharged: str | None = None,
) -> dict:
    return {
        "referral_id": rid,
        "person_id": "P0000001",
        "nhs_number": None,
        "service": service,
        "provider": provider,
        "referral_date": referred,
        "first_contact_date": seen,
        "discharge_date": discharged,
    }


def _referrals() -> pd.DataFrame:
    return staged(
        "health_referrals",
        [
            # 1 October 2018 to 31 January 2019 is 122 days; to 28 February 150; to 31 March 181.
            _referral("H1", "slt", "2018-10-01", None),
            # Waiting at the end of January only; first seen in February after 36 days.
            _referral("H2", "ot", "2019-01-15", "2019-02-20"),
            # Referred 30 November 2017: 366 days at 1 December 2018, over 52 weeks from then on
            # until discharged on 15 February 2019 without being seen.
            _referral("H3", "slt", "2017-11-30", None, discharged="2019-02-15"),
            _referral("H4", "slt", "2018-06-01", None, provider="Trust B"),
        ],
    )


def test_provider_wait_months_censor_waits_at_each_month_end():
    months = dd.provider_wait_months(
        _data(health_referrals=_referrals()), "Trust A", "2019-03-31", months=3
    )
    months = months.set_index(months["month"].dt.strftime("%Y-%m"))
    assert months.loc["2019-01", ["waiting", "over_18_weeks", "over_52_weeks"]].tolist() == [
        3,
        1,
        1,
    ]  # H1 (122 days: not over 18 weeks), H2, H3
    assert months.loc["2019-02", ["waiting", "over_18_weeks", "over_52_weeks"]].tolist() == [
        1,
        1,
        0,
    ]  # H1 only: H2 seen, H3 discharged
    assert months.loc["2019-02", ["first_seen", "median_wait"]].tolist() == [1, 36]
    assert months.loc["2019-03", "over_18_weeks_rate"] == pytest.approx(100.0)
    assert months.loc["2019-01", "over_18_weeks_rate"] == pytest.approx(100 / 3)  # H3 only


def test_provider_waits_by_service_on_the_period_end():
    by_service = dd.provider_waits_by_service(
        _data(health_referrals=_referrals()), "Trust A", "2019-01-31"
    )
    assert by_service.loc["slt"].tolist() == [2, 1, 1]
    assert by_service.loc["ot"].tolist() == [1, 0, 0]


def test_providers_listed_busiest_first_and_the_default_is_the_busiest():
    advice = staged("ehc_advice", [_advice("A1", "Trust B", "2019-01-10", "2019-01-20")])
    data = _data(health_referrals=_referrals(), ehc_advice=advice)
    table = dd.providers(data)
    assert table["provider"].tolist() == ["Trust A", "Trust B"]
    assert table.set_index("provider").loc["Trust B"].tolist() == [1, 1]
    assert dd.default_provider(data) == "Trust A"


def test_parse_month():
    assert dd.parse_month("", "2019-03-31") == D("2019-03-01")
    assert dd.parse_month(" 2018-11 ", "2019-03-31") == D("2018-11-01")
    assert dd.parse_month("2018-11-17", "2019-03-31") == D("2018-11-01")
    with pytest.raises(SendreadyError, match="not a month"):
        dd.parse_month("last spring", "2019-03-31")


def test_display_counts_hides_small_counts_what_rests_on_them_and_keeps_zeros():
    frame = pd.DataFrame(
        {
            "waiting": [40, 3, 0],
            "over": [10, 2, 0],
            "seen": [8, 4, 0],
            "rate": [25.0, 66.7, float("nan")],
            "median": [30.0, 12.0, None],
        },
        index=["Jan", "Feb", "Mar"],
    )
    shown = dd.display_counts(
        frame,
        ["waiting", "over", "seen"],
        6,
        rates={"rate": ("over", "waiting")},
        medians={"median": "seen"},
    )
    assert shown.loc["Jan"].tolist() == ["40", "10", "8", "25.0%", "30 days"]
    assert shown.loc["Feb"].tolist() == ["c", "c", "c", "c", "c"]
    assert shown.loc["Mar", ["waiting", "over", "seen"]].tolist() == ["0", "0", "0"]
    assert shown.loc["Mar", "median"] == "no data"


def test_display_counts_secondary_suppression_with_totals():
    needs = pd.DataFrame(
        {"sen_support": [30, 10, 40], "ehc_plan": [3, 8, 11], "all_sen": [33, 18, 51]},
        index=["MLD", "ASD", "All needs"],
    )
    shown = dd.display_counts(
        needs,
        ["sen_support", "ehc_plan", "all_sen"],
        6,
        total_column="all_sen",
        total_row="All needs",
    )
    # 3 is hidden; its row then needs a second hidden cell (30, the only other part) and
    # its column one more (8, the smallest other part), which pulls in 10 in ASD's row.
    assert shown.loc["MLD"].tolist() == ["c", "c", "33"]
    assert shown.loc["ASD"].tolist() == ["c", "c", "18"]
    assert shown.loc["All needs"].tolist() == ["40", "11", "51"]


def test_month_indicators_read_the_evidence_with_the_reports_suppression():
    evidence = small_context().evidence
    march = dd.month_indicators(evidence, D("2019-03-01")).set_index("indicator_id")
    assert march.index.tolist() == ["EHC01", "JC03", "JC04"]
    # March's one plan is hidden with everything that rests on it.
    assert march.loc["EHC01", ["numerator", "denominator", "value", "interval"]].tolist() == [
        "c",
        "c",
        "c",
        "c",
    ]
    table = evidence.table
    row = table[
        (table["indicator_id"] == "JC03")
        & (table["period_type"] == "month")
        & (table["breakdown"] == "")
        & (table["period_start"] == D("2019-03-01"))
    ].iloc[0]
    assert march.loc["JC03", "numerator"] == f"{int(row['numerator']):,}"
    assert march.loc["JC03", "denominator"] == f"{int(row['denominator']):,}"
    assert march.loc["JC03", "value"] == f"{row['value']:.1f}%"
    points = evidence.assessments["JC03"].spc.points
    assert (
        march.loc["JC03", "pattern"]
        == VARIATION_LABELS[
            str(points.loc[points["date"] == D("2019-03-01"), "point_type"].iloc[0])
        ]
    )
    before = dd.month_indicators(evidence, D("2015-01-01"))
    assert (before["value"] == "no figure for this month").all()


# --- finding a school or a provider: lists and "did you mean" -------------------------------


def test_schools_lists_each_school_as_its_latest_census_gives_it():
    table = dd.schools(_data(school_census=_census())).set_index("school_urn")
    assert sorted(table.index) == ["100001", "100002", "100003", "100009"]
    # Hill's latest census is the 2020 one (renamed, 999 pupils): the extract's own latest.
    assert table.loc["100001", ["school_name", "pupils"]].tolist() == [
        "Hill Primary (renamed)",
        999,
    ]
    assert table.loc["100002", ["school_name", "phase", "pupils"]].tolist() == [
        "Dale Primary",
        "primary",
        100,
    ]
    assert table.loc["100009", "pupils"] == 30


def test_a_mistyped_urn_or_a_name_gives_the_closest_schools():
    data = _data(school_census=_census())
    assert dd.check_school(data, " 100002 ") == "100002"
    with pytest.raises(SendreadyError) as dropped:
        dd.check_school(data, "10002")  # a digit dropped
    assert "No school with URN '10002'" in dropped.value.message
    assert "Did you mean 100002 (Dale Primary)" in dropped.value.message
    assert "list_schools" in dropped.value.hint
    with pytest.raises(SendreadyError) as named:
        dd.check_school(data, "Moss primary")  # a name where the URN was asked for
    assert "Did you mean 100003 (Moss Primary)" in named.value.message


def test_a_provider_matches_ignoring_case_and_a_misspelt_one_is_suggested():
    advice = staged("ehc_advice", [_advice("A1", "Trust B", "2019-01-10", "2019-01-20")])
    data = _data(health_referrals=_referrals(), ehc_advice=advice)
    assert dd.check_provider(data, "trust  a") == "Trust A"
    with pytest.raises(SendreadyError) as wrong:
        dd.check_provider(data, "Trsut B")
    assert wrong.value.message == (
        "No provider named 'Trsut B' is in the health advice or referral extracts. "
        "Did you mean 'Trust B' or 'Trust A'?"
    )
    with pytest.raises(SendreadyError) as far:
        dd.check_provider(data, "Zebra Clinic")
    assert "Did you mean" not in far.value.message
    assert "list_providers" in far.value.hint


def test_drilldown_refuses_an_unknown_school_or_provider_and_names_the_closest():
    from types import SimpleNamespace

    from helpers.report_fixtures import small_context
    from sendready.reports.drilldown import DrillDown, list_providers, list_schools

    base = small_context()
    data = _data(school_census=_census(), health_referrals=_referrals())
    ctx = SimpleNamespace(**{**vars(base), "data": data})
    with pytest.raises(SendreadyError, match=r"Did you mean 100001 \(Hill Primary"):
        DrillDown(ctx, school_urn="100011")
    with pytest.raises(SendreadyError, match="Did you mean 'Trust A' or 'Trust B'"):
        DrillDown(ctx, provider="Trust")
    chosen = DrillDown(ctx, school_urn="100003", provider="TRUST A")
    assert (chosen.school_urn, chosen.provider) == ("100003", "Trust A")
    assert chosen.chosen == {"school": True, "provider": True, "month": False}
    # The lists: every school and provider, or those matching a search.
    assert list_schools(ctx)["school_urn"].tolist() == ["100001", "100002", "100003", "100009"]
    assert list_schools(ctx, "special")["school_urn"].tolist() == ["100009"]
    assert list_schools(ctx, "10000")["school_urn"].tolist() == [
        "100001",
        "100002",
        "100003",
        "100009",
    ]
    # Trust A: three referrals; Trust B: one.
    assert list_providers(ctx)["provider"].tolist() == ["Trust A", "Trust B"]
    assert list_providers(ctx, "b")["provider"].tolist() == ["Trust B"]
    with pytest.raises(SendreadyError, match=r"No school matches 'Dael'\. Did you mean 100002"):
        list_schools(ctx, "Dael")
    # No census at all: the drill-down says "no data" in its section, as before.
    assert DrillDown(base, school_urn="100001").school_urn == "100001"
    with pytest.raises(SendreadyError, match="There is no school to list: the school_census"):
        list_schools(base)


def test_drilldown_frames_are_the_figures_behind_each_section():
    from types import SimpleNamespace

    from helpers.report_fixtures import small_context
    from sendready.reports.drilldown import DrillDown

    base = small_context()
    data = _data(school_census=_census(), health_referrals=_referrals())
    drill = DrillDown(SimpleNamespace(**{**vars(base), "data": data}), school_urn="100001")
    census = drill.school_census()
    pd.testing.assert_frame_equal(
        census, dd.school_census_profile(data, "100001", base.evidence.period_end)
    )
    # Counts as counted, not suppressed: Hill's 4 EHC plans at the 2019 census.
    assert census["ehc_plan"].tolist() == [3, 4]
    assert drill.school_needs().loc["All needs"].tolist() == [20, 4, 24]
    waits = drill.provider_waits_by_service()
    assert waits.index.tolist() == ["ot", "slt"]
    with pytest.raises(SendreadyError, match="No data: the ehc_requests extract was not supplied"):
        drill.school_requests()
    # The month's rows of the evidence table, counted here from that table.
    march = DrillDown(base, month="2019-03").month_table()
    table = base.evidence.table
    expected = table[
        (table["period_type"] == "month")
        & (table["breakdown"] == "")
        & (table["period_start"] == D("2019-03-01"))
    ].reset_index(drop=True)
    pd.testing.assert_frame_equal(march, expected)
    assert march.set_index("indicator_id").loc["EHC01", ["numerator", "denominator"]].tolist() == [
        1,
        1,
    ]
