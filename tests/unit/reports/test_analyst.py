"""What analysts get beyond the report: its figures as DataFrames and a chart on demand.

On the hand-built context (``report_fixtures.small_context``): the DataFrames are compared
with the evidence table filtered here, and with figures counted by hand (EHC01's quarter
rests on three plans, two on time; JC03's on 15 of 65 children waiting).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from helpers.report_fixtures import INDICATORS, WEAKNESS, small_context
from sendready.core.errors import SendreadyError
from sendready.reports.analyst import IndicatorChart, points_chart
from sendready.reports.context import ReportContext
from sendready.reports.weakness import WeaknessReport


def test_report_table_is_the_evidence_tables_rows_for_its_indicators():
    ctx = small_context()
    table = WeaknessReport(ctx, WEAKNESS).table()
    evidence = ctx.evidence.table
    expected = evidence[evidence["indicator_id"].isin(INDICATORS)].reset_index(drop=True)
    pd.testing.assert_frame_equal(table, expected)
    # Numbers, not text, and not suppressed: EHC01's quarter is 2 of 3 (hidden in the report).
    quarter = table[
        (table["indicator_id"] == "EHC01")
        & (table["period_type"] == "quarter")
        & (table["breakdown"] == "")
    ].iloc[0]
    assert (quarter["numerator"], quarter["denominator"]) == (2, 3)
    assert quarter["value"] == pytest.approx(200 / 3)
    assert bool(quarter["small_number"])


def test_board_summary_table_is_every_profile_indicators_rows():
    from sendready.reports.summary import BoardSummary

    ctx = small_context()
    evidence = ctx.evidence.table
    ids = [i for w in ctx.profile.weaknesses for i in w.indicators]
    expected = evidence[evidence["indicator_id"].isin(ids)].reset_index(drop=True)
    pd.testing.assert_frame_equal(BoardSummary(ctx).table(), expected)


def test_context_indicators_is_a_copy_of_the_evidence_table():
    base = small_context()
    ctx = ReportContext(
        profile=base.profile,
        evidence=base.evidence,
        ingest=base.ingest,
        data_dir=Path("data"),
        outputs=Path("outputs"),
        folder=Path("outputs"),
    )
    indicators = ctx.indicators
    pd.testing.assert_frame_equal(indicators, base.evidence.table)
    indicators.loc[:, "value"] = 0  # an analyst's change leaves the evidence alone
    assert base.evidence.table["value"].max() > 0


def test_chart_on_demand_is_the_control_chart_with_its_alt_text():
    chart = WeaknessReport(small_context(), WEAKNESS).chart("jc03")
    assert isinstance(chart, IndicatorChart)
    assert chart.alt_text.startswith("Line chart of ")
    assert chart.figure.axes  # drawn
    html = chart._repr_html_()  # what a notebook shows for it as a cell's last value
    assert re.search(r'<img [^>]*alt="Line chart of ', html)
    # EHC01's quarter months rest on one plan each: hollow and unwritten, as in the report.
    ehc01 = WeaknessReport(small_context(), WEAKNESS).chart("EHC01")
    assert "66.7" not in ehc01.alt_text and "not shown" in ehc01.alt_text


def test_chart_of_an_indicator_not_in_the_report_names_the_closest():
    report = WeaknessReport(small_context(), WEAKNESS)
    with pytest.raises(SendreadyError) as wrong:
        report.chart("JC3")
    assert wrong.value.message.startswith("This report has no indicator 'JC3'. Did you mean JC03")
    assert wrong.value.hint == "Choose one of EHC01, JC03, JC04."


def test_points_chart_hides_a_small_point_and_writes_the_others():
    rows = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2017-01-01", "2018-01-01", "2019-01-01"]),
            "value": [34.8, 30.4, 4.3],
            "ci_low": [18.8, 15.6, 0.8],
            "ci_high": [55.1, 50.9, 21.0],
            "small_number": [False, False, True],
        }
    )
    chart = points_chart(rows, "Schools outside the expected range", "percent", threshold=6)
    assert chart.data["Value"].tolist() == ["34.8%", "30.4%", "c"]
    assert chart.data["95% interval"].tolist()[:2] == ["18.8% to 55.1%", "15.6% to 50.9%"]
    assert chart.alt_text == (
        "Dot chart of Schools outside the expected range at 3 points from January 2017 to "
        "January 2019, each with its 95% interval; the latest, January 2019, is not shown "
        "(fewer than 6 cases)."
    )
