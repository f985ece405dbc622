"""Narrative sentences: every number from the table, no claim beyond the statistics."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from helpers.indicator_tables import DEN, NUMS, TITLE
from helpers.indicator_tables import monthly_table as _table
from sendready.core.formatting import format_count, format_date, format_month, format_percent
from sendready.evidence.assessment import IndicatorAssessment, assess_indicator
from sendready.evidence.verdicts import weakness_verdict
from sendready.indicators.quarters import previous_quarter
from sendready.metadata.profile import VerdictRule, Weakness
from sendready.privacy.disclosure import mark_suppression
from sendready.reports.narrative import (
    Narrator,
    baseline_sentence,
    caveat_sentences,
    level_sentence,
    previous_quarter_sentence,
    spc_sentence,
    target_sentence,
    verdict_explanation,
    weakness_summary,
    weakness_summary_html,
)
from sendready.reports.narrative.summaries import verdict_explanation_html

BASELINE = ("2016-04-01", "2017-10-31")  # 19 months, as the Bury 2017 profile
# A weakness judged on two key indicators, EHC01 and EHC06.
TWO_KEYS = Weakness(
    id="W9",
    title="timeliness of plans",
    inspectors_found="late plans",
    success_looks_like="plans on time",
    indicators=["EHC01", "EHC06"],
)


@pytest.fixture(scope="module")
def table():
    return _table(NUMS)


@pytest.fixture(scope="module")
def assessment(table):
    return assess_indicator(table, "EHC01", *BASELINE, target=90.0)


@pytest.fixture(scope="module")
def narrator(table, assessment):
    return Narrator(table=table, assessments={"EHC01": assessment}, threshold=6, baseline=BASELINE)


def _assessment(signal, sustained=False, since="2018-06-01", **extra):
    return IndicatorAssessment(
        indicator_id=extra.pop("indicator_id", "EHC01"),
        title=extra.pop("title", TITLE),
        direction=extra.pop("direction", "up"),
        unit="percent",
        method="p_chart",
        points=36,
        signal=signal,
        sustained=sustained,
        since=pd.Timestamp(since) if signal != "no_change" else None,
        reason="",
        # Held since June 2018 to March 2019: ten monthly points.
        held=extra.pop("held", 0 if signal == "no_change" else 10),
        **extra,
    )


# --- every number comes from the table -------------------------------------------------------

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = re.compile(rf"\b(?:\d{{1,2}} )?(?:{MONTHS}) \d{{4}}\b")
PERCENT = re.compile(r"(?<![\d.])\d[\d,]*\.\d%")
NUMBER = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?(?![\w%])")


def _numbers(text: str, title: str) -> tuple[list[str], list[str], list[str]]:
    text = text.replace(title, "").replace(title[0].lower() + title[1:], "")
    dates = DATE.findall(text)
    text = DATE.sub(" ", text)
    percents = PERCENT.findall(text)
    text = PERCENT.sub(" ", text)
    return dates, percents, NUMBER.findall(text)


def test_every_number_in_the_paragraph_is_a_table_figure(narrator, table):
    benchmarks = pd.DataFrame(
        {"geography": ["England", "North West"], "period": ["2019"] * 2, "value": [60.4, 60.1]}
    )  # DfE SEN2, 2019 (published_benchmarks.csv)
    text = narrator.indicator_paragraph(
        "EHC01", benchmarks=benchmarks, data_quality={"ehc_requests": 2.5}
    )
    dates, percents, counts = _numbers(text, TITLE)
    months = table[table["period_type"] == "month"]
    allowed_dates = (
        {format_date(d) for d in table["period_start"]}
        | {format_date(d) for d in table["period_end"]}
        | {format_month(d) for d in table["period_start"]}
    )
    allowed_percents = {format_percent(v) for v in table["value"]}
    allowed_counts = {format_count(v) for v in [*table["numerator"], *table["denominator"]]}
    # Figures pooled from the table's own monthly rows, worked out by hand above.
    allowed_percents |= {format_percent(227 / 380 * 100), format_percent(42 / 60 * 100)}
    allowed_counts |= {"227", "380", "42", "60"}
    # Labelled figures that are not the area's: the target, benchmarks, quarantined share.
    allowed_percents |= {"90.0%", "60.4%", "60.1%", "2.5%"}
    allowed_dates |= {"2019"}
    assert dates and percents and counts
    assert set(dates) <= allowed_dates, set(dates) - allowed_dates
    assert set(percents) <= allowed_percents, set(percents) - allowed_percents
    assert set(counts) <= allowed_counts | {"2019"}, set(counts) - allowed_counts
    # And the key figures are the ones worked out by hand.
    assert "71.7% (43 of 60)" in text and "59.7% (227 of 380)" in text
    assert "70.0% (42 of 60)" in text
    assert len(months) == 36


def test_level_sentence_reads_the_quarter_row(table):
    quarter = table[table["period_type"] == "quarter"].iloc[0]
    assert level_sentence(quarter, 6) == (
        "In the quarter to 31 March 2019, the figure for EHC plans issued within 20 weeks was "
        "71.7% (43 of 60)."
    )


def test_a_figure_whose_complement_is_small_is_not_written(table, assessment):
    # 12 of 13 within 20 weeks would tell a reader that 1 plan was late.
    quarter = table[table["period_type"] == "quarter"].iloc[0].copy()
    quarter["numerator"], quarter["denominator"], quarter["value"] = 12, 13, 12 / 13 * 100
    expected = (
        "In the quarter to 31 March 2019, the figure for EHC plans issued within 20 weeks is "
        "not shown because it rests on fewer than 6 cases (suppressed)."
    )
    assert level_sentence(quarter, 6) == expected  # unmarked: checked against T alone
    small = table.copy()
    at = small.index[small["period_type"] == "quarter"][0]
    small.loc[at, ["numerator", "denominator", "value"]] = [12, 13, 12 / 13 * 100]
    narrator = Narrator(
        table=small, assessments={"EHC01": assessment}, threshold=6, baseline=BASELINE
    )
    assert narrator.level("EHC01") == expected
    assert "12 of 13" not in narrator.indicator_paragraph("EHC01")
    assert "92.3%" not in narrator.indicator_paragraph("EHC01")


def test_spc_sentence_names_the_signal_its_start_and_rule(assessment):
    assert assessment.signal == "improvement" and assessment.sustained
    assert spc_sentence(assessment) == (
        "Special cause variation – improvement since November 2017 (seven or more points in "
        "a row above the average)."
    )


def test_target_and_benchmark_sentences(narrator):
    target = narrator.target_assurance("EHC01")
    # The months from November 2017 are a sustained shift, so the target is judged on
    # limits from those 17 months alone: p-bar 239 / 340 = 70.3%, sigma at 20 cases
    # sqrt(0.703 x 0.297 / 20) = 10.2%, limits 39.7% and 100% (clipped): hit and miss.
    assert target == (
        "Target 90.0%: the target is met in some periods and missed in others "
        "(hit and miss), judged on the figures since November 2017, when they "
        "settled at a new level. The latest figure of 71.7% is lower than the "
        "target."
    )
    benchmarks = pd.DataFrame(
        {
            "geography": ["England", "North West", "England"],
            "period": ["2019", "2019", "2018"],
            "value": [60.4, 80.1, 60.1],
        }
    )
    text = narrator.benchmark_comparison("EHC01", benchmarks)
    assert "higher than England's 60.4% in 2019" in text
    assert "lower than the North West's 80.1% in 2019" in text
    assert "60.1%" not in text  # each geography's latest period only
    assert "plain comparison" in text


# --- claims only as far as the statistics go --------------------------------------------------


@pytest.mark.parametrize(
    "signal", ["improvement", "concern", "neutral_change", "no_change", "no_data"]
)
def test_improvement_words_only_with_an_improvement_signal(table, signal):
    a = _assessment(
        signal,
        sustained=signal == "improvement",
        direction="neutral" if signal == "neutral_change" else "up",
    )
    quarter = table[table["period_type"] == "quarter"].iloc[0]
    previous = previous_quarter(table, "EHC01")
    texts = [
        baseline_sentence(quarter, None, a, 6),
        previous_quarter_sentence(quarter, previous, a, 6),
        spc_sentence(a),
    ]
    weakness = Weakness(
        id="W9",
        title="timeliness of plans",
        inspectors_found="late plans",
        success_looks_like="plans on time",
        indicators=["EHC01"],
    )
    verdict = weakness_verdict("W9", [a], VerdictRule())
    texts.append(weakness_summary(weakness, verdict, table, 6))
    text = " ".join(texts).lower()
    assert ("improv" in text) == (signal == "improvement"), text
    assert ("deteriorat" in text or "worsen" in text) == (signal == "concern"), text
    if signal == "no_change":
        assert "no significant change" in text
    if signal == "improvement":
        assert "significant and sustained improvement" in text


def test_a_rise_without_a_signal_is_not_called_an_improvement(table):
    a = _assessment("no_change")
    quarter = table[table["period_type"] == "quarter"].iloc[0]
    sentence = previous_quarter_sentence(quarter, previous_quarter(table, "EHC01"), a, 6)
    assert sentence == (
        "The figure of 71.7% is higher than the 70.0% (42 of 60) in the quarter to "
        "31 December 2018; over time the statistics show no significant change, so a "
        "difference between two quarters may be due to chance."
    )


# --- suppression -----------------------------------------------------------------------------


def test_small_numbers_never_appear_in_sentences():
    nums = NUMS[:-3] + [1, 1, 1]
    small = _table(nums, den=DEN)
    small.loc[small.index[-4:-1], "denominator"] = [3.0, 3.0, 4.0]  # Jan-Mar 2019
    small.loc[small.index[-1], ["numerator", "denominator"]] = [3.0, 10.0]
    small["value"] = small["numerator"] / small["denominator"] * 100
    a = assess_indicator(small, "EHC01", *BASELINE, target=90.0)
    narrator = Narrator(table=small, assessments={"EHC01": a}, threshold=6, baseline=BASELINE)
    text = narrator.indicator_paragraph("EHC01")
    assert "fewer than 6 cases" in text
    _, percents, counts = _numbers(text, TITLE)
    assert "3" not in counts and "10" not in counts and "30.0%" not in percents
    assert "(3 of 10)" not in text and "30.0%" not in text
    # The previous quarter (October-December 2018) is itself fine to show.
    summary_table = mark_suppression(small, 6)
    weakness = Weakness(
        id="W9",
        title="timeliness",
        inspectors_found="x",
        success_looks_like="y",
        indicators=["EHC01"],
    )
    summary = weakness_summary(
        weakness, weakness_verdict("W9", [a], VerdictRule()), summary_table, 6
    )
    assert "suppressed" in summary and "(3 of 10)" not in summary


def test_a_derived_previous_quarter_is_withheld_when_it_would_reveal_a_hidden_month():
    nums = list(NUMS)
    table = _table(nums)
    # December 2018 rests on 4 cases: shown months Oct and Nov plus a published quarter
    # total would give it back by subtraction.
    dec = table.index[
        (table["period_type"] == "month") & (table["period_start"] == pd.Timestamp("2018-12-01"))
    ][0]
    table.loc[dec, ["numerator", "denominator"]] = [3.0, 4.0]
    marked = mark_suppression(table, 6)
    quarter = marked[marked["period_type"] == "quarter"].iloc[0]
    previous = previous_quarter(marked, "EHC01")
    sentence = previous_quarter_sentence(quarter, previous, _assessment("no_change"), 6, marked)
    assert "not shown" in sentence and "31 (" not in sentence


# --- caveats, no data, dates ------------------------------------------------------------------


def test_target_without_a_control_chart_is_not_given_an_assurance_icon(table):
    quarter = table[table["period_type"] == "quarter"].iloc[0]
    a = _assessment("no_change", target=75.0)  # assurance stays "no_target"
    assert target_sentence(quarter, a, 6) == (
        "Target 75.0%: there are too few points over time to judge whether the process can "
        "meet it. The latest figure of 71.7% is lower than the target."
    )
    assert target_sentence(quarter, _assessment("no_change"), 6) is None


def test_caveats_cover_quality_no_data_and_trial_limits(table):
    quarter = table[table["period_type"] == "quarter"].iloc[0].copy()
    a = _assessment("no_change", trial_limits=True)
    notes = caveat_sentences(quarter, a, 6, {"ehc_requests": 2.5, "ehc_plans": 0.0})
    assert notes[0].startswith("2.5% of the rows in the ehc_requests extract")
    assert len(notes) == 2 and "trial limits" in notes[1]
    quarter["no_data"] = True
    quarter["no_data_reason"] = "the ehc_requests extract was not supplied"
    assert level_sentence(quarter, 6) == (
        "In the quarter to 31 March 2019, there is no figure for EHC plans issued within 20 "
        "weeks: the ehc_requests extract was not supplied."
    )
    assert "not supplied" in caveat_sentences(quarter, a, 6)[0]


def test_dates_are_british(narrator):
    text = narrator.indicator_paragraph("EHC01")
    assert re.search(r"\d{4}-\d{2}-\d{2}", text) is None
    assert re.search(rf"(?:{MONTHS}) \d{{1,2}}\b", text) is None  # no "March 31"
    assert "31 March 2019" in text and "1 April 2016 to 31 October 2017" in text


# --- weakness summary and verdict explanation -------------------------------------------------


def test_summary_and_verdict_explanation_walk_through_each_key_indicator(table):
    improving = _assessment("improvement", sustained=True)
    flat = _assessment(
        "no_change",
        indicator_id="EHC06",
        title="Annual reviews held on time",
        target=95.0,
        assurance="consistently_fail",
    )
    verdict = weakness_verdict("W9", [improving, flat], VerdictRule())
    weakness = TWO_KEYS
    summary = weakness_summary(weakness, verdict, table, 6)
    # One of two improving and sustained: half, which meets the default share of 0.5, but
    # one indicator alone never carries a weakness to "sustained improvement".
    assert verdict.code == "some_improvement"
    assert summary.startswith(
        "W9, timeliness of plans: some evidence of improvement (rests on 2 of 2 key indicators)."
    )
    assert (
        "EHC plans issued within 20 weeks, at 71.7% (43 of 60) in the quarter to 31 March "
        "2019, has improved significantly since June 2018" in summary
    )
    assert (
        "Still not good enough: annual reviews held on time will keep missing its target of 95.0%"
    ) in summary
    explanation = verdict_explanation(verdict, VerdictRule())
    for a in verdict.assessments:
        assert a.indicator_id in explanation
    assert "Here both key indicators can be judged" in explanation
    assert "one shows a significant improvement (one sustained at full weight)" in explanation
    assert "The verdict rests on 2 of 2 key indicators." in explanation
    assert "improvements outnumber deteriorations" in explanation
    assert "One indicator alone never carries a whole weakness" in explanation
    assert explanation.endswith("so the verdict is “Some evidence of improvement”.")
    # On a page, the count of key indicators is marked as not about children, and the
    # words are the same once the tags are dropped.
    markup = verdict_explanation_html(verdict, VerdictRule())
    marked = re.findall(r'<span data-counts="not-children">(.*?)</span>', markup)
    assert marked == ["The verdict rests on 2 of 2 key indicators."]
    assert html.unescape(re.sub(r"<[^>]+>", "", markup)) == explanation


def test_verdict_explanation_for_not_enough_data():
    a = _assessment("no_data")
    verdict = weakness_verdict("W9", [a], VerdictRule(min_indicators_with_data=2))
    text = verdict_explanation(verdict, VerdictRule(min_indicators_with_data=2))
    assert "Here the one key indicator cannot be judged" in text
    assert "EHC01" in text and "not enough data" in text.lower()
    assert text.endswith("“Not enough data to judge”.")


# --- comparable figures: stocks, single waves, unjudged indicators ---------------------------


def test_a_stock_baseline_is_the_position_at_the_baseline_end_not_summed_month_ends():
    # Children with a plan whose records link: a month-end position, so the quarter row is
    # March 2019's (15 of 20). Summing the 19 baseline month-ends (227 of 380) would count
    # each child once a month; the baseline end, October 2017, is 11 of 20 (BASE_NUMS[18]).
    stock = _table(NUMS, quarter=(NUMS[-1], DEN))
    narrator = Narrator(
        table=stock,
        assessments={"EHC01": _assessment("improvement")},
        threshold=6,
        baseline=BASELINE,
    )
    text = narrator.change_since_baseline("EHC01")
    assert text.startswith(
        "The latest figure of 70.0% compares with 55.0% (11 of 20) at the "
        "end of the baseline, 31 October 2017."
    )
    assert "227" not in text and "380" not in text


def test_a_stock_count_baseline_is_not_called_a_monthly_average():
    # A running total (pieces of work co-produced): 64 now against the total on the
    # baseline's last day, not against the average month-end total.
    totals = [2 + i for i in range(36)]
    stock = _table(
        totals,
        den=0,
        indicator_id="COP02",
        title="Pieces of work co-produced",
        quarter=(totals[-1], 0),
        statistic="count",
    )
    stock["denominator"] = pd.array([pd.NA] * len(stock), dtype="Float64")
    stock["value"], stock["unit"], stock["no_data"] = stock["numerator"], "count", False
    narrator = Narrator(
        table=stock,
        assessments={
            "COP02": _assessment(
                "improvement", indicator_id="COP02", title="Pieces of work co-produced"
            )
        },
        threshold=1,
        baseline=BASELINE,
    )
    text = narrator.change_since_baseline("COP02")
    assert text.startswith(
        "The latest figure of 37 compares with 20 at the end of the baseline, 31 October 2017."
    )  # October 2017 is month 19: 2 + 18
    assert "monthly average" not in text


def _wave(signal):
    return IndicatorAssessment(
        indicator_id="ID01",
        title="Schools whose SEN support rate is outside the expected range",
        direction="down",
        unit="percent",
        method="baseline_comparison",
        points=3,
        signal=signal,
        sustained=signal == "improvement",
        since=pd.Timestamp("2019-01-01"),
        reason="",
    )


def test_a_single_wave_comparison_is_not_said_to_have_held():
    a = _wave("improvement")
    verdict = weakness_verdict("W6", [a], VerdictRule())
    weakness = Weakness(
        id="W6",
        title="identification",
        inspectors_found="x",
        success_looks_like="y",
        indicators=["ID01"],
    )
    summary = weakness_summary(weakness, verdict, _table(NUMS, indicator_id="EHC01"), 6)
    assert (
        "Schools whose SEN support rate is outside the expected range is significantly "
        "better than the baseline at the latest census or survey wave."
    ) in summary
    explanation = verdict_explanation(verdict, VerdictRule())
    # The key indicators walked through, between the rule and the step that decided.
    walked = explanation.split("Key indicators:")[1].split(". Here")[0]
    assert "has held" not in summary  # (its verdict label may say "sustained")
    assert "has held" not in walked and "sustained" not in walked
    assert (
        "shows a significant improvement against the baseline at the latest census or "
        "survey wave (January 2019)"
    ) in explanation
    worse = weakness_summary(
        weakness, weakness_verdict("W6", [_wave("concern")], VerdictRule()), _table(NUMS), 6
    )
    assert (
        "Still not good enough: schools whose SEN support rate is outside the expected "
        "range is significantly worse than the baseline at the latest census or survey "
        "wave."
    ) in worse


def test_indicators_without_data_are_not_listed_as_not_good_enough(table):
    improving = _assessment("improvement", sustained=True)
    empty = _assessment("no_data", indicator_id="EHC07", title="Plans with a health outcome")
    verdict = weakness_verdict("P3", [improving, empty], VerdictRule())
    weakness = Weakness(
        id="P3",
        title="Support children and young people into adulthood",
        inspectors_found="x",
        success_looks_like="y",
        indicators=["EHC01", "EHC07"],
    )
    summary = weakness_summary(weakness, verdict, table, 6)
    assert summary.startswith("P3, support children and young people into adulthood: ")
    assert "Still not good enough" not in summary
    assert (
        "Every key indicator that can be judged with a better direction has improved significantly"
    ) in summary
    assert summary.endswith("Not enough data yet to judge: plans with a health outcome.")
    acronym = Weakness(
        id="P4",
        title="EHC plans on time",
        inspectors_found="x",
        success_looks_like="y",
        indicators=["EHC01"],
    )
    assert weakness_summary(acronym, verdict, table, 6).startswith("P4, EHC plans on time: ")


# Developer text that has no place in a board caveat: design-document references, code
# names (snake_case functions and columns), breakdown keys and placeholders.
DEVELOPER_TEXT = re.compile(
    r"\w+\.md\b|\bsection \d|\b[a-z]+_[a-z_]+\b|\w+=|<\w+>|"
    r"\bcatalogue\b|\bprofile's\b"
)


def test_indicator_notes_read_as_plain_english_for_a_board():
    from sendready.indicators import REGISTRY

    found = {i: DEVELOPER_TEXT.findall(d.notes) for i, d in REGISTRY.items() if d.notes}
    assert len(found) > 30
    assert not {i: words for i, words in found.items() if words}
    # Facts kept, sources cited as publications.
    assert "DfE, Special educational needs in England" in REGISTRY["ID01"].notes
    assert "Figures are also given for each service" in REGISTRY["JC03"].notes


def test_summary_html_marks_only_the_clauses_of_indicators_not_about_children():
    """LEAD03 counts board meetings (its definition: governance, not person-level), so its
    clause, "8 of 10" meetings, is marked; EHC01's plans are children and stay unmarked.
    The verdict's own sentence ("rests on 2 of 2 key indicators") counts indicators."""
    meetings = _table([8] * 36, den=10, indicator_id="LEAD03", title="Meetings with all present")
    table = mark_suppression(pd.concat([_table(NUMS), meetings], ignore_index=True), 6)
    a = _assessment("improvement")
    b = _assessment("no_change", indicator_id="LEAD03", title="Meetings with all present")
    verdict = weakness_verdict("W9", [a, b], VerdictRule())
    weakness = Weakness(
        id="W9",
        title="timeliness",
        inspectors_found="x",
        success_looks_like="y",
        indicators=["EHC01", "LEAD03"],
    )
    markup = weakness_summary_html(weakness, verdict, table, 6)
    marked = re.findall(r'<span data-counts="not-children">(.*?)</span>', markup)
    assert len(marked) == 2 and "(24 of 30)" in marked[1]
    assert marked[0].startswith("W9, timeliness: ") and "(rests on 2 of 2 key" in marked[0]
    assert marked[1].startswith("Meetings with all present, at 80.0% (24 of 30)")
    unmarked = re.sub(r"<span[^>]*>.*?</span>", "", markup)
    assert "(43 of 60)" in unmarked  # EHC01's plans: not marked
    # Same words as the plain summary, once the tags are dropped.
    plain = weakness_summary(weakness, verdict, table, 6)
    assert re.sub(r"<[^>]+>", "", markup) == plain.replace("&", "&amp;")


def test_summary_html_escapes_free_text():
    weakness = Weakness(
        id="W9",
        title="<b>timeliness</b>",
        inspectors_found="x",
        success_looks_like="y",
        indicators=["EHC01"],
    )
    verdict = weakness_verdict("W9", [_assessment("improvement")], VerdictRule())
    markup = weakness_summary_html(weakness, verdict, _table(NUMS), 6)
    assert "<b>" not in markup and "&lt;b&gt;timeliness&lt;/b&gt;" in markup


def test_a_change_that_began_before_the_plan_is_never_worded_as_progress_since(table):
    early = _assessment(
        "improvement",
        sustained=True,
        since="2016-09-01",
        began_before_plan=True,
        variation="special_cause_improvement",
    )
    flat = _assessment("no_change", indicator_id="EHC06", title="Annual reviews held on time")
    verdict = weakness_verdict("W9", [early, flat], VerdictRule())
    weakness = TWO_KEYS
    # Not counted: nothing improves since the plan.
    assert verdict.code == "no_evidence_of_change"
    summary = weakness_summary(weakness, verdict, table, 6)
    assert (
        "has improved significantly, a change that began before the plan (since September "
        "2016), not counted as change since the plan." in summary
    )
    assert "since September 2016 and the improvement has held" not in summary
    assert "Weighed with care: EHC01: the change began before the plan" in summary
    assert spc_sentence(early).endswith(
        ", a change that began before the plan (since September 2016), not counted as "
        "change since the plan."
    )
    explanation = verdict_explanation(verdict, VerdictRule())
    assert "a change that began before the plan (since September 2016)" in explanation
    assert "one changed before the plan and is not counted" in explanation


def test_the_spread_between_schools_is_given_with_its_interval():
    row = pd.Series(
        {
            "title": "How much schools' SEN support rates differ beyond chance",
            "breakdown": "",
            "unit": "ratio",
            "statistic": "rate",
            "period_type": "quarter",
            "period_start": pd.Timestamp("2019-01-01"),
            "period_end": pd.Timestamp("2019-01-31"),
            "numerator": pd.NA,
            "denominator": 76.0,
            "value": 5.74,
            "ci_low": 4.31,
            "ci_high": 8.02,
            "no_data": False,
            "suppressed": False,
        }
    )
    assert level_sentence(row, 6) == (
        "In January 2019, the latest census or survey wave, the figure for how much schools' "
        "SEN support rates differ beyond chance was 5.7 (95% interval 4.3 to 8.0)."
    )
