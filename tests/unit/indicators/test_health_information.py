"""W4 health information indicators (HINF01-HINF03) against hand-counted fixtures.

HINF04 is a survey indicator: see test_indicators_surveys.py.
"""

from __future__ import annotations

import pytest

from helpers.staged_frames import by_period, staged
from sendready.indicators import REGISTRY, StagedData, compute_indicator

PENNINE, NCA = "Pennine Care", "Northern Care Alliance"


def _advice(advice_id, requested, received, provider=NCA, channel="portal", kind="health"):
    return dict(
        advice_id=advice_id,
        request_id="R1",
        advice_type=kind,
        provider=provider,
        requested_date=requested,
        received_date=received,
        channel=channel if received else None,
    )


ADVICE = staged(
    "ehc_advice",
    [
        # 1 Dec 2018 + 42 days = 12 Jan 2019 (deadline).
        _advice("H1", "2018-12-01", "2019-01-12", PENNINE),  # day 42: on time
        _advice("H2", "2018-12-01", "2019-01-13", PENNINE, "email"),  # day 43: late
        # 20 Jan + 42 = 3 March; never received: late once the deadline has passed.
        _advice("H3", "2019-01-20", None, PENNINE),
        # 17 Feb + 42 = 31 March (the last day); received on day 12.
        _advice("H4", "2019-02-17", "2019-03-01"),
        # 18 Feb + 42 = 1 April: deadline after the end; received on day 30.
        _advice("H5", "2019-02-18", "2019-03-20"),
        _advice("H6", "2019-01-01", "2019-03-30", kind="education"),  # not health advice
        # 1 Oct 2018 + 42 = 12 Nov 2018; received 5 Jan 2019 on day 96, by post.
        _advice("H7", "2018-10-01", "2019-01-05", channel="post"),
        _advice("H8", "2019-03-01", "2019-04-02"),  # received after the end
    ],
)
DATA = StagedData(tables={"ehc_advice": ADVICE})


def _table(indicator_id: str, data: StagedData = DATA):
    return compute_indicator(REGISTRY[indicator_id], data, "2019-03-31", "2018-11-01")


def test_health_advice_on_time_counted_by_deadline_month():
    counts = by_period(_table("HINF01"))
    # Nov: H7 late. Jan: H1 on time, H2 late. Feb: no deadline. Mar: H3 late, H4 on time.
    # H5's deadline (1 April) is after the end; H6 is education advice.
    assert counts == {
        "2018-11": (0, 1),
        "2018-12": (0, 0),
        "2019-01": (1, 2),
        "2019-02": (0, 0),
        "2019-03": (1, 2),
        "Q": (2, 4),
    }


def test_median_days_overall_and_by_provider():
    table = _table("HINF02")
    overall = by_period(table, "value", "denominator")
    # Received in the quarter: H1 42, H2 43, H4 12, H5 30, H7 96 -> median 42.
    assert overall["Q"] == (42, 5)
    # Jan: H1 42, H2 43, H7 96 -> 43. Mar: H4 12, H5 30 -> 21. H8 arrives in April.
    assert overall["2019-01"] == (43, 3)
    assert overall["2019-03"] == (21, 2)
    pennine = by_period(table, "value", "denominator", breakdown=f"provider={PENNINE}")
    nca = by_period(table, "value", "denominator", breakdown=f"provider={NCA}")
    assert pennine["Q"] == (42.5, 2)
    assert nca["Q"] == (30, 3)
    assert set(table["breakdown"]) == {"", f"provider={PENNINE}", f"provider={NCA}"}
    assert bool(by_period(table, "no_data")["2019-02"])


def test_health_advice_via_portal_among_advice_received():
    counts = by_period(_table("HINF03"))
    # Quarter: H1 portal, H2 email, H4 portal, H5 portal, H7 post.
    assert counts["Q"] == (3, 5)
    assert counts["2019-01"] == (1, 3)
    row = _table("HINF03").iloc[-1]
    assert row.value == pytest.approx(60.0)


def test_no_health_advice_gives_no_data_with_reason():
    education_only = staged(
        "ehc_advice", [_advice("E1", "2019-01-01", "2019-01-10", kind="education")]
    )
    for indicator_id in ("HINF01", "HINF02", "HINF03"):
        table = _table(indicator_id, StagedData(tables={"ehc_advice": education_only}))
        assert bool(table.iloc[0]["no_data"])
        assert table.iloc[0]["no_data_reason"] == "the ehc_advice extract holds no health advice"
    missing = _table("HINF01", StagedData(tables={"ehc_advice": None}))
    assert "ehc_advice" in missing.iloc[0]["no_data_reason"]
