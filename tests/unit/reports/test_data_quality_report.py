"""The data-quality report obeys the disclosure rule: every count of rows or records about
children of 1 to 5 is hidden, and so is any cell that a shown total would give back."""

from __future__ import annotations

import re
from html import unescape
from types import SimpleNamespace

import pandas as pd

from helpers.report_fixtures import small_context
from sendready.indicators import StagedData
from sendready.reports.data_quality import ALL, DataQualityReport, suppressed_quantities


def _summary() -> dict:
    # By hand:          read  staged  quarantined   reasons
    # ehc_requests       303     300            3   unknown_code 2, missing_value 1
    # ehc_plans          541     531           10   bad_date 7, duplicate_key 3
    # school_census    1,000     980           20   missing_value 20
    # All              1,844   1,811           33
    def src(read, staged, held, reasons):
        return {
            "status": "staged",
            "rows_read": read,
            "rows_staged": staged,
            "rows_quarantined": held,
            "reasons": reasons,
        }

    return {
        "extract_date": "2019-04-05",
        "sources": {
            "ehc_requests": src(303, 300, 3, {"unknown_code": 2, "missing_value": 1}),
            "ehc_plans": src(541, 531, 10, {"bad_date": 7, "duplicate_key": 3}),
            "school_census": src(1000, 980, 20, {"missing_value": 20}),
            "quotes": {"status": "not supplied"},
        },
    }


def test_small_counts_and_what_would_give_them_back_are_hidden():
    shown, reasons = suppressed_quantities(_summary(), 6)
    # ehc_requests' 3 quarantined is primary; its row (staged + quarantined = read) then
    # has one hidden cell, so its other part, staged 300, is hidden; the column
    # Quarantined then has one hidden cell against the total 33: the smallest other
    # part, ehc_plans' 10, is hidden; that row then hides its staged 531; column
    # Staged then has two hidden cells (300, 531): done.
    assert shown.loc["ehc_requests"].tolist() == ["303", "c", "c", "c"]
    assert shown.loc["ehc_plans"].tolist() == ["541", "c", "c", "c"]
    assert shown.loc["school_census"].tolist() == ["1,000", "980", "20", "2.0%"]
    assert shown.loc[ALL].tolist() == ["1,844", "1,811", "33", "1.8%"]
    # Reasons: 2, 1 and 3 are primary; ehc_plans' line (7 + 3 = 10) then has two hidden
    # cells (3 and its total 10), so bad_date's 7 is shown: 10 - 7 cannot be taken.
    assert reasons["Rows"].tolist() == ["c", "c", "7", "c", "20"]


def test_a_complement_of_quarantined_rows_is_hidden_too():
    summary = _summary()
    summary["sources"]["school_census"] = {
        "status": "staged",
        "rows_read": 24,
        "rows_staged": 4,  # 4 staged: primary itself
        "rows_quarantined": 20,
        "reasons": {"missing_value": 20},
    }
    shown, _ = suppressed_quantities(summary, 6)
    assert shown.at["school_census", "Staged"] == "c"
    assert shown.at["school_census", "Quarantined (%)"] == "c"  # 20 of 24 gives 4 back


def _context():
    ctx = SimpleNamespace(**vars(small_context()))  # a copy: the fixture is shared
    ctx.ingest = SimpleNamespace(summary=_summary(), fingerprint="f" * 64)
    plans = pd.DataFrame(
        {
            "plan_id": [f"E{i}" for i in range(9)],
            "person_id": [f"P{i:07d}" for i in range(9)],
            "start_date": pd.to_datetime(["2018-04-02"] * 4 + ["2018-10-01"] * 5),
        }
    )
    persons = pd.DataFrame(
        {"person_id": [f"P{i:07d}" for i in range(7)], "nhs_number": [pd.NA] * 7}
    )
    ctx.data = StagedData(tables={"ehc_plans": plans, "persons": persons})
    ctx.evidence = SimpleNamespace(period_end=pd.Timestamp("2019-03-31"))
    return ctx


def _text(markup: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def test_the_report_shows_no_count_of_one_to_five():
    report = DataQualityReport(_context())
    headline = _text(report.headline_html())
    assert "1,844 rows, of which 33 broke a data rule" in headline
    assert "c: fewer than 6 cases" in headline
    sources = _text(report.sources_html())
    assert "unknown code (c); missing value (c)" in sources
    assert "bad date (7); duplicate key (c)" in sources
    assert "(1)" not in sources and "(2)" not in sources and "(3)" not in sources
    # Linkage: 9 plans, 7 of them with a child on the persons list (2 not: hidden).
    linkage = _text(report.linkage_html())
    assert "plans whose child is on the persons list 9 c c" in linkage
    # Records per quarter: 4 plans in 2018Q2 and 5 in 2018Q4, both hidden.
    completeness = _text(report.completeness_html())
    assert "2018Q2 c" in completeness and "2018Q4 c" in completeness
    assert not re.search(r"2018Q[24] [1-5]\b", completeness)


def test_gaps_list_columns_not_supplied_and_unknown_weakness_ids():
    from helpers.staged_frames import staged

    base = small_context()
    weakness = base.profile.weaknesses[0].model_copy(update={"indicators": ["EHC06", "EHC08"]})
    profile = base.profile.model_copy(update={"weaknesses": [weakness]})
    reviews = staged(
        "annual_reviews",
        [{"review_id": "AR1", "plan_id": "E1", "due_date": "2019-01-01"}],
        drop=("amended_plan_date",),
    )
    quotes = staged(
        "quotes",
        [
            {"quote_id": f"Q{n}", "weakness_id": wid, "date": "2019-01-01"}
            for n, wid in enumerate(["W8", "W9", *["W12"] * 7])
        ],
    )
    ctx = SimpleNamespace(
        profile=profile,
        evidence=base.evidence,
        data=StagedData(tables={"annual_reviews": reviews, "quotes": quotes}),
        ingest=base.ingest,
    )
    html = unescape(DataQualityReport(ctx).gaps_html())
    assert "Columns not supplied" in html
    assert "amended_plan_date" in html and "left out of the file" in html and "EHC08" in html
    # W8 is the profile's; W9 (one quote, below the threshold, hidden) and W12 (seven) are not.
    assert "W12" in html and "W9" in html
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert "7" in cells and "1" not in cells
