"""Report sections on a hand-built context: suppression in sentences and tables, wording.

The context (``report_fixtures.small_context``) has one weakness whose EHC01 quarter rests
on three plans, two on time: every section that mentions it must hide "2 of 3" and 66.7%.
JC03's quarter (15 of 65 children waiting over 18 weeks) is large enough to show.
"""

from __future__ import annotations

import dataclasses
import re
from html import unescape
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.report_fixtures import EXTRACT, WEAKNESS, small_context
from helpers.small_counts import _Page, scan_html
from sendready.indicators import StagedData
from sendready.metadata.profile import VerdictRule
from sendready.reports import common, panels, weakness
from sendready.reports.charts.display import data_table_html
from sendready.reports.common import assurance_code, table_html
from sendready.reports.data_quality import DataQualityReport
from sendready.reports.drilldown import DrillDown
from sendready.reports.summary import BoardSummary, verdict_rule_text
from sendready.reports.weakness import WeaknessReport, quarantined_share

HIDDEN = "is not shown because it rests on fewer than 6 cases"


@pytest.fixture
def shown(monkeypatch) -> list[str]:
    """Every HTML block the report sections display, in order."""
    blocks: list[str] = []

    def capture(markup: str) -> str:
        blocks.append(markup)
        return markup

    for module in (common, panels, weakness):
        monkeypatch.setattr(module, "show", capture)
    return blocks


def _text(markup: str) -> str:
    """Visible text of some HTML (tags dropped, entities decoded), images' alt kept apart."""
    return unescape(re.sub(r"<[^>]+>", " ", markup))


def _panel(blocks: list[str], indicator_id: str) -> str:
    return next(b for b in blocks if f'id="ind-{indicator_id}"' in b)


def _paragraphs(markup: str) -> str:
    return " ".join(_text(p) for p in re.findall(r"<p[^>]*>.*?</p>", markup, re.DOTALL))


def test_small_quarter_is_hidden_in_sentences(shown):
    report = WeaknessReport(small_context(), WEAKNESS)
    report.show_evidence()
    ehc01 = _paragraphs(_panel(shown, "EHC01"))
    assert f"the figure for EHC plans issued within 20 weeks {HIDDEN}" in ehc01
    assert "2 of 3" not in ehc01 and "66.7%" not in ehc01
    # A figure that rests on enough cases is shown, with its counts.
    assert "was 23.1% (15 of 65)" in _paragraphs(_panel(shown, "JC03"))
    summary = _text(report.headline_html())
    assert "whose latest figure is suppressed (fewer than 6 cases)" in summary
    assert "2 of 3" not in summary and "66.7%" not in summary


def test_small_quarter_is_hidden_in_the_analysts_indicator_table():
    table = WeaknessReport(small_context(), WEAKNESS).indicator_table()
    assert isinstance(table, pd.DataFrame)
    whole = table[table["breakdown"] == ""].set_index("indicator_id")
    columns = ["numerator", "denominator", "value", "ci_low", "ci_high"]
    assert list(whole.loc["EHC01", columns]) == ["c", "c", "c", "c", "c"]
    assert list(whole.loc["JC03", ["numerator", "denominator", "value"]]) == ["15", "65", "23.1%"]


def test_small_quarter_is_hidden_in_the_board_summary_and_the_month_drilldown():
    ctx = small_context()
    key = _text(BoardSummary(ctx).key_indicators_html())
    assert f"the figure for EHC plans issued within 20 weeks {HIDDEN}" in key
    assert "2 of 3" not in key and "66.7%" not in key
    # The quarter's months hold one plan each: hidden there too.
    month = DrillDown(ctx, month="2019-03").month_html()
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", month, re.DOTALL) if "EHC01" in r)
    cells = [_text(c).strip() for c in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row)]
    assert cells[2:6] == ["c", "c", "c", "c"]


def test_waits_chart_is_drawn_once_per_report(shown):
    WeaknessReport(small_context(), WEAKNESS).show_evidence()
    jc03, jc04 = _panel(shown, "JC03"), _panel(shown, "JC04")
    assert len(re.findall(r'alt="Box plot of days waited', jc03)) == 1
    assert "Box plot of days waited" not in jc04
    assert "charted under JC03 above" in _text(jc04)


def test_caveats_name_only_extracts_with_quarantined_rows():
    caveats = _text(WeaknessReport(small_context(), WEAKNESS).caveats_html())
    # One row in 200,000 is not "0.0%"; an extract with none quarantined is not listed.
    assert "fewer than 0.1% of the rows in the ehc_requests extract" in caveats
    assert "health_referrals extract were set aside" not in caveats
    assert quarantined_share({"rows_quarantined": 18, "rows_read": 1000}) == "1.8%"
    assert quarantined_share({"rows_quarantined": 1, "rows_read": 1999}) == "0.1%"


def test_assurance_badge_agrees_with_a_target_that_cannot_yet_be_judged():
    assessment = small_context().evidence.assessments["EHC01"]
    assert assurance_code(assessment) == "hit_and_miss"
    census_like = dataclasses.replace(assessment, assurance="no_target", spc=None)
    assert assurance_code(census_like) == "insufficient_data"
    assert assurance_code(dataclasses.replace(census_like, target=None)) == "no_target"


def test_board_summary_headline_and_rule_in_plain_words():
    summary = BoardSummary(small_context())
    assert "Of the one weakness, none show evidence of improvement" in _text(
        summary.headline_html()
    )
    how = _text(summary.how_to_read_html())
    assert "``" not in how and "verdict_rule" not in how and "min_indicators" not in how
    assert "(1) not enough data when no key indicator can be judged" in how
    stricter = verdict_rule_text(
        VerdictRule(min_indicators_with_data=2, sustained_improvement_share=2 / 3)
    )
    assert "fewer than two key indicators can be judged" in stricter
    assert "at least two thirds of those that can be judged" in stricter


def test_table_html_shows_a_report_table_open_or_folds_it_with_words():
    long = pd.DataFrame({"Quarter": [f"Q{i}" for i in range(13)], "Records": range(13)})
    folded = data_table_html(long, "Records per quarter")
    assert "numbers behind this chart" in folded  # why the report needs its own helper
    open_table = table_html(long, "Records per quarter")
    assert "<details>" not in open_table and "numbers behind this chart" not in open_table
    assert open_table.count("<tr>") == 14 and "<caption>Records per quarter</caption>" in open_table
    assert "Show the table: Records per quarter (13 rows)" in table_html(
        long, "Records per quarter", fold=True
    )
    short = long.head(3)
    assert table_html(short, "Three") == data_table_html(short, "Three")


def test_data_quality_tables_are_not_called_charts():
    html = DataQualityReport(small_context()).sources_html()
    assert "numbers behind this chart" not in html
    assert "<caption>Rows per extract</caption>" in html


def test_drilldown_says_no_data_plainly_for_missing_extracts():
    drill = DrillDown(small_context())
    assert drill.school_urn == "" and drill.provider == "Trust A"
    assert "No data: the school census extract holds no census" in _text(drill.school_html())
    provider = _text(drill.provider_html())
    assert "No data: the ehc_advice extract was not supplied" in provider
    assert "Waiting list of Trust A, by month" in provider
    later = _text(DrillDown(small_context(), month="2019-06").month_html())
    assert "falls after the reporting period" in later


def test_drilldown_escapes_free_text_names():
    ctx = small_context()
    hostile = "<script>alert(1)</script> $5 & Co"
    referrals = ctx.data.get("health_referrals").assign(provider=hostile)
    data = StagedData(tables={"health_referrals": referrals}, extract_date=EXTRACT)
    html = DrillDown(SimpleNamespace(**{**vars(ctx), "data": data})).provider_html()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; $5 &amp; Co" in html
    assert 'alt="Line chart of the share of children on &lt;script&gt;' in html


# --- figures not about children are marked from the definitions ---------------------------

NOT_CHILDREN = 'data-counts="not-children"'


def _not_people(monkeypatch, *ids: str) -> None:
    """Treat ``ids`` as their definitions would treat meetings or actions: not children."""
    from sendready.privacy import disclosure

    real = disclosure.is_person_level
    monkeypatch.setattr(disclosure, "is_person_level", lambda i: i not in ids and real(i))


def test_panel_of_an_indicator_not_about_children_is_marked_as_a_whole(shown, monkeypatch):
    _not_people(monkeypatch, "EHC01")
    WeaknessReport(small_context(), WEAKNESS).show_evidence()
    ehc01, jc03 = _panel(shown, "EHC01"), _panel(shown, "JC03")
    assert ehc01.startswith(f'<section class="sr-panel" {NOT_CHILDREN}')
    assert NOT_CHILDREN not in jc03  # children waiting: nothing marked


def test_panel_with_a_chart_of_children_marks_only_its_own_figures(shown, monkeypatch):
    # JC03 as if it counted services: its sentences and control chart are marked, but the
    # waits chart beside it counts children still waiting and must stay unmarked.
    _not_people(monkeypatch, "JC03")
    WeaknessReport(small_context(), WEAKNESS).show_evidence()
    jc03 = _panel(shown, "JC03")
    assert jc03.startswith('<section class="sr-panel" aria-labelledby')
    assert f"<p {NOT_CHILDREN}>" in jc03
    # Read as the small-count scanner reads it: which tables' rows does it skip?
    page = _Page()
    page.feed(jc03)
    skipped = {t.caption: len(t.skip_rows) == len(t.rows) > 0 for t in page.tables}
    waits = next(c for c in skipped if "Days waited" in c)
    assert skipped[waits] is False and len(skipped) >= 2
    assert [c for c, skip in skipped.items() if skip] == [
        c for c in skipped if c != waits
    ]  # the control chart's numbers


def test_key_indicator_rows_are_marked_from_the_definition(monkeypatch):
    _not_people(monkeypatch, "JC03")
    markup = BoardSummary(small_context()).key_indicators_html()
    rows = re.findall(r"<tr[^>]*>.*?</tr>", markup, re.DOTALL)
    jc03 = next(r for r in rows if "JC03" in r)
    ehc01 = next(r for r in rows if "EHC01" in r)
    assert jc03.startswith(f"<tr {NOT_CHILDREN}>") and NOT_CHILDREN not in ehc01


def test_plan_actions_are_marked_as_not_children():
    ctx = small_context()
    end = pd.Timestamp("2019-03-31")
    actions = pd.DataFrame(
        {
            "action_id": ["A1", "A2", "A3"],
            "weakness_id": [WEAKNESS] * 3,
            "status": ["complete", "on_track", "overdue"],
            "due_date": [end - pd.Timedelta(days=30), end + pd.Timedelta(days=30), end],
            "completed_date": [end - pd.Timedelta(days=40), pd.NaT, pd.NaT],
        }
    )
    data = StagedData(tables={"action_plan": actions}, extract_date=EXTRACT)
    report = WeaknessReport(SimpleNamespace(**{**vars(ctx), "data": data}), WEAKNESS)
    markup = report.actions_html()
    table = markup.index('<table class="chart-data">')
    assert markup.rfind(f"<div {NOT_CHILDREN}>", 0, table) != -1
    assert f"<p {NOT_CHILDREN}>Of 3 actions for {WEAKNESS}" in markup


def test_school_funnel_table_hides_rates_that_give_back_a_few_pupils():
    from sendready.reports.charts import funnel_plot

    schools = pd.DataFrame(
        {
            "school_name": ["Elton", "Big", "Nearly all", "Tiny", "None"],
            "count": [4, 30, 47, 0, 0],
            "pupils": [282, 300, 50, 4, 200],
        }
    )
    chart = funnel_plot(schools, "Schools' share of pupils with an EHC plan")
    try:
        data = panels._suppress_school_counts(chart.data, 6).set_index("School")
    finally:
        panels.plt.close(chart.figure)
    # By hand: 4 of 282 = 1.4% gives back 4 pupils; 47 of 50 leaves 3 without a plan;
    # Tiny has 4 pupils in all. Big (30 of 300 = 10.0%) and None (0 of 200) are shown.
    assert data.loc["Elton", "Rate (%)"] == "c" and data.loc["Elton", "Number of pupils"] == 282
    assert data.loc["Nearly all", "Rate (%)"] == "c"
    assert data.loc["Tiny", "Number of pupils"] == "c" and data.loc["Tiny", "Rate (%)"] == "c"
    assert data.loc["Big", "Rate (%)"] == pytest.approx(10.0)
    assert data.loc["None", "Rate (%)"] == 0
    markup = data_table_html(data.reset_index(), "Schools", chart.units)
    assert "<td>1.4%</td>" not in markup and scan_html(markup) == []


def test_text_direction_controls_are_removed_from_quotes_and_counted():
    from sendready.reports.context import ShownStagedData

    ctx = small_context()
    # "Plan agreed" followed by a right-to-left override that would show "on time" as
    # "emit no", and a pop (U+202C): two characters removed from one quote.
    hostile = "Plan agreed \u202eon time\u202c, thank you"
    quotes = pd.DataFrame(
        {
            "quote_id": ["Q1"],
            "weakness_id": [WEAKNESS],
            "consent": [True],
            "date": [pd.Timestamp("2019-02-01")],
            "source": ["parent"],
            "text": pd.array([hostile], dtype="string"),
        }
    )
    data = ShownStagedData(tables={"quotes": quotes}, extract_date=EXTRACT)
    report_ctx = SimpleNamespace(**{**vars(ctx), "data": data})
    voices = WeaknessReport(report_ctx, WEAKNESS).voices_html()
    assert "\u202e" not in voices and "\u202c" not in voices
    assert "Plan agreed on time, thank you" in voices
    controls = DataQualityReport(report_ctx).controls_html()
    rows = re.findall(r"<tr>(.*?)</tr>", controls, re.DOTALL)
    cells = [[_text(c).strip() for c in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", r)] for r in rows]
    assert ["quotes", "text", "2"] in cells
    assert '<div data-counts="not-children">' in controls  # characters, not children
    # Escaping helpers strip them too, wherever the text came from.
    assert common.paragraph("a\u202eb\u2066c\u200fd") == "<p>abcd</p>"
    assert "\u202e" not in data_table_html(pd.DataFrame({"Name": ["x\u202ey"]}), "Names")


def test_data_quality_says_when_no_text_held_controls():
    controls = _text(DataQualityReport(small_context()).controls_html())
    assert "No free text in the extracts held any." in controls
