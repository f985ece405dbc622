"""Every chart on pandas 3 data: drawn without warnings, honest alt text, escaped labels.

All rendering runs under ``warnings.simplefilter("error")``. No warning needed filtering:
the chart functions avoid seaborn's ``boxplot``, which passes matplotlib's deprecated
``vert`` argument and warns on matplotlib 3.11 (see sendready.reports.charts.distributions).
"""

from __future__ import annotations

import contextlib
import html
import warnings

import matplotlib

matplotlib.use("Agg")  # this test module only; never MPLBACKEND (docs/architecture.md)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import cbook  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from scipy import stats  # noqa: E402

from helpers.shared_paths import SHARED_ROOT
from helpers.small_counts import scan_html  # noqa: E402
from sendready.reports.charts import (  # noqa: E402
    actions_chart,
    comparison_chart,
    funnel_plot,
    likert_chart,
    spc_alt_text,
    spc_chart,
    waiting_times_chart,
)
from sendready.reports.charts.distributions import LIKERT_HATCHES  # noqa: E402
from sendready.reports.charts.funnel_plot import MAX_NAME_LENGTH  # noqa: E402
from sendready.reports.charts.theme import SPC_COLOURS, WHITE, plain_text  # noqa: E402
from sendready.stats import p_chart, xmr_chart  # noqa: E402

SHARED_DATA = SHARED_ROOT / "data"
XSS = "<script>alert(1)</script>"


@contextlib.contextmanager
def strict():
    """Every warning is an error while a chart is built and rendered."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def build(function, *args, **kwargs):
    """Build and render a chart with warnings as errors; return it and its HTML."""
    before = plt.get_fignums()
    with strict():
        chart = function(*args, **kwargs)
        markup = chart.html()
    assert plt.get_fignums() == before  # charts never leave a pyplot figure to show twice
    return chart, markup


def legend_texts(chart):
    return [t.get_text() for t in chart.figure.axes[0].get_legend().get_texts()]


def collections_by_edge(chart, colour):
    wanted = mcolors.to_rgba(colour)
    return [
        c
        for c in chart.figure.axes[0].collections
        if len(c.get_edgecolors()) and tuple(c.get_edgecolors()[0]) == wanted
    ]


# --- SPC -------------------------------------------------------------------------------------

# Hand-worked baseline (tests/test_stats_spc.py, times 10 to read as percentages): mean 65,
# MR-bar 14.5455, limits 65 -/+ 2.66 x 14.5455 = 26.31 and 103.69. After one month at 60
# (below the mean, so the baseline's last point, 70, starts no run), seven points at 90 sit
# above the mean inside the limits: a shift (7 in a row on one side), from May 2020.
BASELINE = [50, 70, 60, 80, 60, 70, 50, 60, 80, 70, 60, 70]
SERIES = BASELINE + [60] + [90] * 7
DATES = pd.date_range("2019-04-01", periods=len(SERIES), freq="MS")


def spc(direction="up", target=95.0):
    mask = [True] * len(BASELINE) + [False] * 8
    return xmr_chart(SERIES, DATES, direction=direction, baseline=mask, target=target)


def test_spc_alt_text_states_latest_value_direction_and_finding():
    alt = spc_alt_text(spc(), "Plans issued within 20 weeks", "percent")
    assert alt == (
        "Line chart of Plans issued within 20 weeks, monthly from April 2019 to November 2020. "
        "Latest: 90.0% in November 2020, up from a baseline average of 65.0%. "
        "Special-cause improvement since May 2020; the target of 95.0% is consistently "
        "missed, judged on the figures since May 2020 (provisional: 7 months so far). "
        "Special-cause points: 7 improvement."
    )
    # The seven months at 90 are a shift, so the target is judged on their own limits
    # (no variation at all: 90 to 90), which 95 is above. Against the baseline limits
    # (26.31 to 103.69) it would have read "hit and miss".


def test_spc_alt_text_follows_the_data_not_a_template():
    # The baseline ends at 70, above the mean, so seven points at 40 are exactly the run.
    falling = xmr_chart(
        BASELINE + [40] * 7, DATES[:19], direction="up", baseline=[True] * 12 + [False] * 7
    )
    alt = spc_alt_text(falling, "Reviews on time", "percent")
    assert "Latest: 40.0% in October 2020, down from a baseline average of 65.0%." in alt
    assert "Special-cause concern (getting worse) since April 2020." in alt
    assert "target" not in alt
    flat = xmr_chart(
        BASELINE * 2,
        pd.date_range("2019-04-01", periods=24, freq="MS"),
        baseline=[True] * 12 + [False] * 12,
        direction="up",
    )
    assert "Common-cause variation only: no significant change" in spc_alt_text(flat, "X")
    assert "Special-cause concern" in spc_alt_text(spc(direction="down"), "X")


def test_spc_chart_marks_signals_by_colour_shape_and_legend():
    chart, markup = build(spc_chart, spc(), "Plans issued within 20 weeks")
    blue = collections_by_edge(chart, SPC_COLOURS["special_cause_improvement"])
    assert len(blue) == 1
    assert list(blue[0].get_offsets()[:, 1]) == [90.0] * 7
    grey = collections_by_edge(chart, SPC_COLOURS["common_cause"])
    assert sorted(grey[0].get_offsets()[:, 1]) == sorted([*BASELINE, 60])
    assert blue[0].get_paths()[0] != grey[0].get_paths()[0]  # diamond versus circle
    assert legend_texts(chart) == [
        "Baseline period (sets the average and limits)",
        "Average (from the baseline)",
        "Process limits",
        "Target 95.0%",
        "Common cause (no special pattern)",
        "Special cause: improvement",
    ]
    handles = chart.figure.axes[0].get_legend().legend_handles
    styles = {
        t: h.get_linestyle()
        for t, h in zip(legend_texts(chart), handles, strict=True)
        if hasattr(h, "get_linestyle") and not hasattr(h, "get_hatch")
    }
    assert styles["Process limits"] == ":" and styles["Target 95.0%"] == "--"
    ax = chart.figure.axes[0]
    assert ax.get_ylim() == (0, 100)
    top = ax.get_ylim()[1]
    visible = [t.get_text() for t in ax.get_yticklabels() if 0 <= t.get_position()[1] <= top]
    assert visible == ["0%", "20%", "40%", "60%", "80%", "100%"]
    assert any(t.get_text() == "Baseline" for t in ax.texts)
    assert 'alt="Line chart of Plans issued within 20 weeks, monthly' in markup
    assert "<details>" in markup and "November 2020" in markup  # 20 months fold away
    assert "<td>Improvement: seven points in a row on one side of the average</td>" in markup


def test_spc_small_number_points_are_hollow_and_explained():
    small = pd.Series(False, index=DATES)
    small.iloc[3] = True
    chart, _ = build(spc_chart, spc(), "Plans", small_number=small, small_threshold=6)
    hollow = [
        c
        for c in chart.figure.axes[0].collections
        if tuple(c.get_facecolors()[0]) == mcolors.to_rgba(WHITE)
    ]
    assert len(hollow) == 1 and list(hollow[0].get_offsets()[:, 1]) == [SERIES[3]]
    assert "Hollow marker: fewer than 6 cases" in legend_texts(chart)
    assert "1 point rests on fewer than 6 cases (hollow markers)." in chart.alt_text
    assert chart.data["Small number"].sum() == 1


def test_p_chart_on_pandas_nullable_data_with_gaps():
    numerators = pd.array([5, 7, None, 6, 8, 6, 7, 5, 6, 8, 7, 6, 9, 9, 10, 9], dtype="Int64")
    denominators = pd.array(
        [10, 12, 0, 10, 12, 10, 11, 9, 10, 12, 11, 10, 10, 10, 11, 10], dtype="Int64"
    )
    result = p_chart(
        numerators.fillna(0),
        denominators,
        pd.date_range("2020-01-01", periods=16, freq="MS"),
        direction="up",
        baseline_end="2020-12-31",
        scale=100.0,
    )
    chart, markup = build(
        spc_chart, result, "A $5 budget (£) title", unit="percent", small_number=denominators < 11
    )
    assert "Limits are provisional" in chart.alt_text  # 11 observed baseline points < 12
    assert chart.figure.axes[0].get_title(loc="left") == plain_text("A $5 budget (£) title")
    assert "A $5 budget (£) title" in markup  # the caption and alt keep the real text


# --- funnel ----------------------------------------------------------------------------------


def schools():
    """Thirty schools at a 12% rate, one far above and one far below, names unfriendly."""
    pupils = np.array([60, 90, 120, 150, 180, 210, 240, 270, 300, 330] * 3)
    counts = np.round(pupils * 0.12).astype(int)
    names = [f"School {i}" for i in range(30)]
    counts[8], names[8] = 120, f"{XSS} St Mary's $5$ Church of England Voluntary Aided Primary"
    counts[19], names[19] = 2, "Low & Co Academy"
    return pd.DataFrame(
        {
            "school_name": pd.array(names, dtype="str"),
            "pupils": pd.array(pupils, dtype="Int64"),
            "count": pd.array(counts, dtype="Int64"),
        }
    )


def test_funnel_names_exactly_the_schools_outside_the_998_limits():
    frame = schools()
    chart, markup = build(funnel_plot, frame, "SEN support by school")
    # Independent check with plain binomial tails: the two planted schools are far beyond
    # the 0.1% tails; every other school is well inside them.
    p0 = frame["count"].sum() / frame["pupils"].sum()
    n, x = frame["pupils"].to_numpy(int), frame["count"].to_numpy(int)
    extreme = (stats.binom.sf(x - 1, n, p0) < 0.001) | (stats.binom.cdf(x, n, p0) < 0.001)
    assert list(np.flatnonzero(extreme)) == [8, 19]
    labels = sorted(t.get_text() for t in chart.figure.axes[0].texts)
    assert labels == sorted(plain_text(frame["school_name"][i], MAX_NAME_LENGTH) for i in (8, 19))
    assert all(len(t) <= MAX_NAME_LENGTH and not cbook.is_math_text(t) for t in labels)
    assert chart.facts["above_998"] == [frame["school_name"][8]]
    assert chart.facts["below_998"] == ["Low & Co Academy"]
    assert f"Above the 99.8% limit: 1 ({frame['school_name'][8]})" in chart.alt_text
    assert f"area rate of {p0 * 100:.1f}%" in chart.alt_text
    assert "<script>" not in markup
    assert html.escape(frame["school_name"][8]) in markup  # full name in the table
    assert "Low &amp; Co Academy" in markup
    assert "Above the 99.8% limit (named)" in legend_texts(chart)


def test_funnel_from_school_identification_frame_keeps_its_area_rate():
    frame = schools()
    frame.attrs["p0"] = 0.10  # e.g. England's rate rather than the area's own
    chart, _ = build(funnel_plot, frame, "Against England")
    assert chart.facts["p0"] == 0.10
    assert "area rate of 10.0%" in chart.alt_text


# --- waits -----------------------------------------------------------------------------------


def test_waits_chart_summarises_by_service_and_hides_small_services():
    slt = list(range(20, 420, 20))  # 20 waits: 20, 40, ..., 400 days
    ot = [30, 50, 70, 90, 110, 130]
    waits = pd.DataFrame(
        {
            "service": pd.array(["slt"] * 20 + ["ot"] * 6 + ["camhs"] * 3, dtype="str"),
            "days_waited": pd.array(slt + ot + [500, 600, None], dtype="Int64"),
        }
    )
    chart, markup = build(waiting_times_chart, waits)
    table = chart.data.set_index("Service")
    assert list(table.index) == ["Speech and language therapy", "Occupational therapy"]
    # By hand: SLT median of 20..400 step 20 is (200 + 220) / 2 = 210; over 126 days:
    # 140..400 = 14 of 20 = 70%; over 364: 380, 400 = 10%. OT median (70 + 90) / 2 = 80.
    assert table.loc["Speech and language therapy", "Median (days)"] == 210
    assert table.loc["Speech and language therapy", "Over 18 weeks (%)"] == pytest.approx(70)
    # Over 364: 380, 400 = 2 of 20 (10%), and OT's 1 of 6 over 126 days: too few to show.
    assert table.loc["Speech and language therapy", "Over 52 weeks (%)"] == "c"
    assert table.loc["Occupational therapy", "Over 18 weeks (%)"] == "c"
    assert table.loc["Occupational therapy", "Median (days)"] == 80
    lines = {
        round(line.get_xdata()[0])
        for line in chart.figure.axes[0].lines
        if len(set(line.get_xdata())) == 1 and line.get_label().endswith("days)")
    }
    assert lines == {126, 364}
    # 26 waits shown; over 126 days: 14 SLT + 1 OT = 15 -> 57.7%, but with SLT's 70.0%
    # it gives back OT's hidden 1; over 364: 2 -> 7.7%, too few: neither is said.
    assert "of waits were over" not in chart.alt_text
    assert "Longest median wait: Speech and language therapy, 210 days." in chart.alt_text
    assert "Not shown (fewer than 6 waits): CAMHS (mental health)." in chart.alt_text
    assert "<td>210 days</td>" in markup and "<td>70.0%</td>" in markup


# --- Likert ----------------------------------------------------------------------------------


def survey_answers():
    first = {
        "strongly_disagree": 10,
        "disagree": 20,
        "neutral": 10,
        "agree": 40,
        "strongly_agree": 20,
        "dont_know": 5,
    }
    second = {
        "strongly_disagree": 5,
        "disagree": 10,
        "neutral": 15,
        "agree": 50,
        "strongly_agree": 20,
    }
    rows = [
        (pd.Timestamp(date), answer)
        for date, counts in (("2018-03-31", first), ("2019-03-31", second))
        for answer, n in counts.items()
        for _ in range(n)
    ]
    frame = pd.DataFrame(rows, columns=["wave_date", "answer"])
    frame["answer"] = frame["answer"].astype("str")
    return frame.sample(frac=1, random_state=1)  # order must not matter


def test_likert_bars_are_100_percent_stacked_in_scale_order():
    chart, markup = build(
        likert_chart, survey_answers(), "Parents feel listened to", subject="“I feel listened to”"
    )
    ax = chart.figure.axes[0]
    widths = [round(p.get_width(), 6) for p in ax.patches]
    # Five categories x two waves, category by category: 10/100, 5/100, 20/100, ...
    assert widths == [10, 5, 20, 10, 10, 15, 40, 50, 20, 20]
    hatches = [p.get_hatch() or "" for p in ax.patches][::2]
    assert hatches == list(LIKERT_HATCHES.values()) and len(set(hatches)) == 5
    assert legend_texts(chart) == [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "March 2018 (100 answers)",
        "March 2019 (100 answers)",
    ]
    assert sorted(t.get_text() for t in ax.texts) == sorted(
        ["20.0%", "40.0%", "20.0%", "15.0%", "50.0%", "20.0%"]
    )  # 10% and less left to table
    assert (
        "In March 2019 70.0% agreed or strongly agreed (100 answers), up from 60.0% in "
        "March 2018; 15.0% disagreed or strongly disagreed."
    ) in chart.alt_text
    # 5 "don't know" answers in March 2018 are fewer than 6: hidden, and not summed.
    assert "don't know" not in chart.alt_text
    assert chart.data["Not on the scale"].tolist() == ["c", 0.0]
    assert "<td>70.0%</td>" in markup


def _answers(*waves: tuple[str, dict[str, int]]) -> pd.DataFrame:
    rows = [
        (pd.Timestamp(date), answer)
        for date, counts in waves
        for answer, n in counts.items()
        for _ in range(n)
    ]
    return pd.DataFrame(rows, columns=["wave_date", "answer"]).astype({"answer": "str"})


def test_likert_table_hides_small_answers_and_the_shares_that_give_them_back():
    # May 2017: 55 answers on the scale, 4 strongly disagree (7.3% of 55 gives back 4), so
    # that share is hidden and, as the five add up to 55, the next smallest (disagree, 6)
    # too; the 2 "don't know" are hidden. Agree or strongly agree, 35 of 55 = 63.6%, stays.
    # March 2019: 3 neutral of 53: hidden with strongly agree (20, the smallest above
    # zero); agree or strongly agree (50) would then give strongly agree back: hidden.
    may = {"strongly_disagree": 4, "disagree": 6, "neutral": 10, "agree": 20}
    may |= {"strongly_agree": 15, "dont_know": 2}
    march = {"neutral": 3, "agree": 30, "strongly_agree": 20}
    chart, markup = build(
        likert_chart, _answers(("2017-05-31", may), ("2019-03-31", march)), "Listened to"
    )
    table = chart.data.set_index("Wave")
    assert table.loc["May 2017"].tolist() == [
        55.0, "c", "c", "c", pytest.approx(10 / 55 * 100), pytest.approx(20 / 55 * 100),
        pytest.approx(15 / 55 * 100), pytest.approx(35 / 55 * 100),
    ]  # fmt: skip
    assert table.loc["March 2019"].tolist() == [
        53.0, 0.0, 0.0, 0.0, "c", pytest.approx(30 / 53 * 100), "c", "c",
    ]  # fmt: skip
    assert "<td>7.3%</td>" not in markup and "<td>63.6%</td>" in markup
    assert scan_html(markup) == []
    assert "the share who agreed is not shown" in chart.alt_text
    assert "0.0% disagreed or strongly disagreed" in chart.alt_text
    assert "don't know" not in chart.alt_text
    # Nor is a hidden share written on its bar.
    labels = {t.get_text() for t in chart.figure.axes[0].texts}
    assert "37.7%" not in labels and "36.4%" in labels  # 20 of 53 hidden; 20 of 55 shown


def test_likert_wave_with_no_answer_on_the_scale_draws_and_hides_its_small_count():
    # June 2018: 7 "don't know" and nothing on the scale, so no shares at all (the sample
    # area's W5 report once failed here, working counts back from NaN shares).
    june = {"dont_know": 7}
    march = {"neutral": 10, "agree": 30, "strongly_agree": 20}
    chart, markup = build(
        likert_chart, _answers(("2018-06-30", june), ("2019-03-31", march)), "Listened to"
    )
    table = chart.data.set_index("Wave")
    assert table.loc["June 2018", "Answers"] == 0
    assert table.loc["March 2019", "Agree or strongly agree (%)"] == pytest.approx(50 / 60 * 100)
    assert scan_html(markup) == []


def test_likert_accepts_counts_and_text_waves():
    counts = pd.DataFrame(
        {
            "wave": pd.array(["Wave 1"] * 5, dtype="str"),
            "answer": ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"],
            "n": pd.array([1, 1, 1, 1, 4], dtype="Int64"),
        }
    )
    chart, _ = build(likert_chart, counts, "One wave", wave_column="wave", count_column="n")
    assert chart.facts["agree"] == [62.5]
    assert "(1 wave, Wave 1)" in chart.alt_text


# --- comparisons and actions -----------------------------------------------------------------


def test_comparison_chart_orders_labels_and_ranks():
    rows = pd.DataFrame(
        {
            "period": "2021",
            "role": [
                "england",
                "region",
                "neighbour_average",
                "neighbour",
                "neighbour",
                "neighbour",
                "area",
            ],
            "geography": pd.array(
                [
                    "England",
                    "North West",
                    "Statistical neighbours",
                    "Alpha",
                    f"Beta {XSS}",
                    "Gamma",
                    "Bury",
                ],
                dtype="str",
            ),
            "value": pd.array([58.0, 55.1, 60.2, 70.0, 40.0, None, 51.0], dtype="Float64"),
        }
    )
    chart, markup = build(comparison_chart, rows, "Plans within 20 weeks", direction="up")
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Bury (this area)",
        "England",
        "North West",
        "Statistical neighbours",
        "Alpha",
        plain_text(f"Beta {XSS}", 32),
        "Gamma",
    ]
    assert ax.get_yticklabels()[0].get_fontweight() == "bold"
    values = [t.get_text() for t in ax.texts]
    assert values == ["51.0%", "58.0%", "55.1%", "60.2%", "70.0%", "40.0%", "no data"]
    assert chart.alt_text == (
        "Bar chart of Plans within 20 weeks, 2021: Bury 51.0%, England 58.0%, North West "
        "55.1%, Statistical neighbours 60.2%. Bury is below England and below the neighbour "
        "average (higher is better). Among Bury and its 2 neighbours with a figure, Bury is "
        "2nd highest."
    )
    assert "<script>" not in markup and "Beta &lt;script&gt;" in markup


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="shared published data folder is absent")
def test_comparison_chart_on_published_dfe_figures():
    from sendready.comparators import benchmarks_for, read_ees_csv, statistical_neighbours

    frame = read_ees_csv(SHARED_DATA / "dfe_sen2_la_2014_2022.csv")
    neighbours = statistical_neighbours(SHARED_DATA / "statistical_neighbours.csv", "Bury")
    rows = benchmarks_for("EHC01", frame, "Bury", neighbours=neighbours, periods=["2018"])
    chart, _ = build(comparison_chart, rows, "Plans issued within 20 weeks")
    bury = rows.loc[rows["role"] == "area", "value"].iloc[0]
    england = rows.loc[rows["role"] == "england", "value"].iloc[0]
    assert chart.alt_text.startswith(
        f"Bar chart of Plans issued within 20 weeks, 2018: Bury {bury:.1f}%, England {england:.1f}%"
    )


def test_actions_chart_counts_every_status():
    actions = pd.DataFrame(
        {"status": pd.array(["complete"] * 5 + ["overdue"] * 2 + ["on_track"] * 3, dtype="str")}
    )
    chart, markup = build(actions_chart, actions, as_at="31 March 2019")
    ax = chart.figure.axes[0]
    assert [p.get_width() for p in ax.patches] == [5, 3, 0, 0, 2]
    assert [t.get_text() for t in ax.texts] == [
        "5 (50.0%)",
        "3 (30.0%)",
        "0 (0.0%)",
        "0 (0.0%)",
        "2 (20.0%)",
    ]
    assert chart.alt_text == (
        "Bar chart of 10 plan actions by status at 31 March 2019: 5 complete (50.0%), "
        "3 on track (30.0%), 0 not started (0.0%), 0 at risk (0.0%) and 2 overdue (20.0%)."
    )
    assert "<figcaption>Plan actions by status, at 31 March 2019</figcaption>" in markup
    with pytest.raises(ValueError, match="unknown action status"):
        actions_chart(pd.DataFrame({"status": ["done"]}))


def test_spc_table_and_alt_text_withhold_suppressed_months():
    # The narrator marks March 2019 (and, by secondary suppression, January) as resting on
    # fewer than 6 cases: the chart may draw them hollow but must not write their values.
    result = p_chart(
        [5, 7, 6, 8, 6, 7, 5, 6, 8, 7, 6, 9, 1, 9, 0],
        [10, 12, 10, 12, 10, 11, 9, 10, 12, 11, 10, 10, 3, 10, 2],
        pd.date_range("2018-01-01", periods=15, freq="MS"),
        direction="up",
        baseline_end="2018-12-31",
        scale=100.0,
    )
    small = pd.Series(
        [False] * 12 + [True, False, True], index=pd.date_range("2018-01-01", periods=15, freq="MS")
    )
    chart, markup = build(
        spc_chart,
        result,
        "Health advice through the portal",
        unit="percent",
        small_number=small,
        small_threshold=6,
    )
    values = chart.data["Value (%)"]
    assert list(values.iloc[12:]) == ["c", 90.0, "c"]
    assert values.iloc[0] == pytest.approx(50.0)
    assert '<th scope="row">March 2019</th><td>c</td>' in markup  # limits stay beside it
    assert "Latest: 0.0%" not in chart.alt_text and "0.0%" not in chart.alt_text
    assert (
        "The latest figure, for March 2019, is not shown because it rests on fewer than 6 cases."
    ) in chart.alt_text
    assert chart.facts["latest_value"] is None
    # The point itself is still drawn, hollow.
    hollow = [
        c
        for c in chart.figure.axes[0].collections
        if tuple(c.get_facecolors()[0]) == mcolors.to_rgba(WHITE)
    ]
    drawn = sorted(np.concatenate([c.get_offsets()[:, 1] for c in hollow]))
    assert drawn == pytest.approx([0.0, 100 / 3])


def test_spc_table_headings_and_pattern_cells_read_plainly():
    chart, markup = build(spc_chart, spc(), "Plans issued within 20 weeks")
    assert "Value (%)" in chart.data.columns
    assert "Value (percentage (%))" not in markup and "<td>None</td>" not in markup
    assert chart.data["Pattern"].iloc[0] == "No signal"
    days, _ = build(spc_chart, spc(), "Median days", unit="days")
    assert "Value (days)" in days.data.columns


def test_waits_table_hides_a_share_that_gives_back_a_few_children():
    # CAMHS: 155 waits, 3 over 52 weeks (1.9% of 155 gives back 3): hidden. Over 18 weeks:
    # 152 of 155 leaves 3 under the line: hidden too. SLT: 20 waits, 10 over 18 weeks
    # (shown, 50.0%) and none over 52 weeks (0.0%, shown: zero points at no child).
    camhs = [400] * 3 + [200] * 149 + [100] * 3
    slt = [200] * 10 + [100] * 10
    waits = pd.DataFrame(
        {
            "service": pd.array(["camhs"] * 155 + ["slt"] * 20, dtype="str"),
            "days_waited": pd.array(camhs + slt, dtype="Int64"),
        }
    )
    chart, markup = build(waiting_times_chart, waits, min_count=6)
    table = chart.data.set_index("Service")
    assert table.loc["CAMHS (mental health)", "Over 52 weeks (%)"] == "c"
    assert table.loc["CAMHS (mental health)", "Over 18 weeks (%)"] == "c"
    assert table.loc["Speech and language therapy", "Over 18 weeks (%)"] == pytest.approx(50)
    assert table.loc["Speech and language therapy", "Over 52 weeks (%)"] == pytest.approx(0)
    assert "<td>1.9%</td>" not in markup and scan_html(markup) == []
    # The whole chart's shares would give the hidden ones back with SLT's: left out.
    assert "over 52 weeks" not in chart.alt_text and "over 18 weeks" not in chart.alt_text
