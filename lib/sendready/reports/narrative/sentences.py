"""Plain-English sentences about one indicator, built from the indicator table.

Rules every builder keeps (docs/method.md; CONTRIBUTING.md for the formats):

- Every figure is read from the indicator table and formatted the British way (58.3%,
  1,234, 31 March 2019). Figures that are not the area's own are labelled as such: a
  target (from the profile), a published benchmark (with its period) and the share of an
  extract quarantined (from the data-quality report). Counts that describe the method,
  not the data ("seven points in a row", "fewer than twelve points"), are in words.
- Change is claimed only as far as the assessment supports it: "improvement" only with
  an improvement signal; "no significant change" otherwise; "deterioration" or
  "worsened" only with a concern signal. A plain "higher than" or "lower than" compares two
  figures without claiming that anything changed for a reason.
- A hidden (suppressed) figure is never written: the sentence says it rests on fewer
  than the threshold's cases. A figure derived from hidden monthly rows (a previous
  quarter, a pooled baseline) is withheld when it would let a reader work out a hidden
  month by subtraction.

Rows passed in should come from :func:`sendready.privacy.disclosure.mark_suppression`; an
unmarked row is checked against the threshold only (no secondary suppression).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sendready.core.formatting import format_count, format_date, format_percent, format_value
from sendready.evidence.assessment import IndicatorAssessment
from sendready.indicators.quarters import quarter_kind
from sendready.privacy.disclosure import is_suppressed, row_is_primary
from sendready.reports.narrative.words import (
    NEUTRAL_VARIATION,
    SIGNAL_PHRASES,
    WAVE,
    breakdown_words,
    indicator_name,
    month_label,
    period_phrase,
    rule_words,
    since_phrase,
)
from sendready.stats.spc import ASSURANCE_LABELS, MIN_BASELINE_POINTS, VARIATION_LABELS


def _subject(row: pd.Series) -> str:
    name = indicator_name(str(row["title"]))
    extra = breakdown_words(str(row["breakdown"]))
    return f"{name} ({extra})" if extra else name


def row_hidden(row: pd.Series, threshold: int) -> bool:
    """Whether a row's figures are hidden: its suppression mark, else the threshold."""
    if "suppressed" in row.index:
        return is_suppressed(row)
    return row_is_primary(row, threshold)


def _withheld(threshold: int) -> str:
    return f"is not shown because it rests on fewer than {threshold} cases (suppressed)"


def figure(row: pd.Series) -> str:
    """The value with its counts: "88.0% (44 of 50)", "38 days (median of 45 cases)"."""
    value = format_value(row["value"], str(row["unit"]))
    num, den = row["numerator"], row["denominator"]
    statistic = str(row["statistic"])
    if (
        row["period_type"] == "baseline"
        and statistic != "proportion"
        and row.get("reading", "pooled") == "pooled"
    ):
        return f"a monthly average of {value}"
    low, high = row.get("ci_low"), row.get("ci_high")
    if str(row["unit"]) == "ratio" and not (pd.isna(low) or pd.isna(high)):
        # The spread between schools: its interval says how sure the estimate is.
        return (
            f"{value} (95% interval {format_value(low, 'ratio')} to {format_value(high, 'ratio')})"
        )
    if statistic == "median" and not pd.isna(den):
        return f"{value} (the median of {format_count(den)} cases)"
    if not pd.isna(num) and not pd.isna(den) and statistic in ("proportion", "rate"):
        return f"{value} ({format_count(num)} of {format_count(den)})"
    return value


def level_sentence(row: pd.Series, threshold: int) -> str:
    """The latest figure: "In the quarter to 31 March 2019, the figure for EHC plans issued
    within 20 weeks was 88.0% (44 of 50)."."""
    when, subject = period_phrase(row), _subject(row)
    if bool(row["no_data"]):
        reason = str(row["no_data_reason"]) or "no data"
        return f"{when}, there is no figure for {subject}: {reason}."
    if row_hidden(row, threshold):
        return f"{when}, the figure for {subject} {_withheld(threshold)}."
    return f"{when}, the figure for {subject} was {figure(row)}."


def baseline_row(
    table: pd.DataFrame, indicator_id: str, start: object, end: object, breakdown: str = ""
) -> pd.Series | None:
    """The baseline as one row, read so that it compares with the quarter row.

    - **stock** indicators (a position on a day, such as plans linked to health records or
      children waiting; :func:`sendready.indicators.quarters.quarter_kind`): the last baseline
      month's row as it is, the position at the end of the baseline. Summing month-end
      counts would count the same child once a month and give counts that never existed
      ("1,279 of 6,816"), and an average of a running total is not on the quarter's scale.
      The position at the baseline end is a real figure from the table, with its counts.
    - otherwise the monthly rows pooled as the assessment pools them: counts summed for a
      proportion, values averaged for any other statistic.

    ``reading`` is ``"end"`` or ``"pooled"``; ``months`` holds the index of the monthly
    rows behind the figure, so that disclosure can be checked.
    """
    rows = table[
        (table["indicator_id"] == indicator_id)
        & (table["breakdown"] == breakdown)
        & (table["period_type"] == "month")
        & ~table["no_data"].astype(bool)
    ]
    rows = rows[
        (rows["period_end"] >= pd.Timestamp(start)) & (rows["period_start"] <= pd.Timestamp(end))
    ].sort_values("period_start")
    if rows.empty:
        return None
    if quarter_kind(table, indicator_id) == "stock":
        row = rows.iloc[-1].copy()
        row["period_type"], row["reading"] = "baseline", "end"
        row["months"] = [rows.index[-1]]
        return row
    row = rows.iloc[0].copy()
    row["period_type"], row["reading"] = "baseline", "pooled"
    row["period_end"] = rows["period_end"].iloc[-1]
    if row["statistic"] == "proportion":
        row["numerator"], row["denominator"] = rows["numerator"].sum(), rows["denominator"].sum()
        row["value"] = row["numerator"] / row["denominator"] * 100
    else:
        row["numerator"] = row["denominator"] = pd.NA
        row["value"] = rows["value"].astype("Float64").mean()
    row["months"] = list(rows.index)
    return row


def derived_hidden(table: pd.DataFrame, months: list, derived: pd.Series, threshold: int) -> bool:
    """Whether a figure pooled from monthly rows must be withheld: it is small itself, or
    exactly one of its months is hidden (subtraction would reveal that month)."""
    if row_is_primary(derived, threshold):
        return True
    if "suppressed" not in table:
        return False
    return int(table.loc[months, "suppressed"].astype(bool).sum()) == 1


def signal_clause(assessment: IndicatorAssessment, against: str = "") -> str:
    """What the statistics show: "a significant and sustained improvement against the
    baseline since March 2018"; ``against`` names what the change is measured from."""
    signal = assessment.signal
    phrase = SIGNAL_PHRASES[signal]
    if assessment.method == "baseline_comparison":
        # One wave against the pooled baseline: a difference at one point, not a change
        # that has lasted, so neither "sustained" nor "since".
        if signal in ("improvement", "concern", "neutral_change"):
            phrase += f" {against or 'against the baseline'} {WAVE}"
            if assessment.since is not None:
                phrase += f" ({month_label(assessment.since)})"
        elif against:
            phrase += f" {against}"
        if signal == "neutral_change":
            phrase += " (on a measure where neither direction is better)"
        return phrase
    if signal == "improvement" and assessment.sustained:
        phrase = "a significant and sustained improvement"
    if against:
        phrase += f" {against}"
    if signal == "neutral_change":
        phrase += " (on a measure where neither direction is better)"
    if signal in ("improvement", "concern", "neutral_change"):
        phrase += since_phrase(assessment)
    return phrase


def baseline_sentence(
    row: pd.Series,
    baseline: pd.Series | None,
    assessment: IndicatorAssessment,
    threshold: int,
    table: pd.DataFrame | None = None,
) -> str:
    """The quarter against the baseline, and what the statistics say about the change."""
    verdict = f"The statistics show {signal_clause(assessment, 'against the baseline')}."
    if baseline is None:
        return f"There are no baseline figures to compare with. {verdict}"
    at_end = baseline.get("reading", "pooled") == "end"
    if at_end:  # a stock: the position on the baseline's last day
        span = format_date(baseline["period_end"])
        over = f"at the end of the baseline, {span}"
    else:
        span = f"{format_date(baseline['period_start'])} to {format_date(baseline['period_end'])}"
        over = f"over the baseline, {span}"
    hidden = (
        derived_hidden(table, baseline["months"], baseline, threshold)
        if table is not None
        else row_hidden(baseline, threshold)
    )
    if hidden:
        then = (
            f"The baseline figure ({span}) is not shown because it would reveal a number "
            f"below {threshold} (suppressed)."
        )
    elif bool(row["no_data"]) or row_hidden(row, threshold):
        then = f"{over[:1].upper()}{over[1:]}, the figure was {figure(baseline)}."
    else:
        value = format_value(row["value"], str(row["unit"]))
        then = f"The latest figure of {value} compares with {figure(baseline)} {over}."
    return f"{then} {verdict}"


def _compare(a: float, b: float, unit: str) -> str:
    if format_value(a, unit) == format_value(b, unit):
        return "the same as"
    return "higher than" if a > b else "lower than"


def previous_quarter_sentence(
    row: pd.Series,
    previous: pd.Series | None,
    assessment: IndicatorAssessment,
    threshold: int,
    table: pd.DataFrame | None = None,
) -> str | None:
    """The quarter against the one before; None when the previous quarter is unknown.

    A movement from one quarter to the next is not tested on its own, so the sentence
    adds what the monthly series shows rather than calling the movement a change.
    """
    if previous is None or bool(row["no_data"]) or bool(previous["no_data"]):
        return None
    # A previous quarter summed from months carries no suppression mark of its own.
    derived = table is not None and "suppressed" not in previous.index
    if (
        row_hidden(row, threshold)
        or row_hidden(previous, threshold)
        or (
            derived and derived_hidden(table, _months_between(table, previous), previous, threshold)
        )
    ):
        return (
            "A comparison with the previous quarter is not shown because it would rest "
            f"on fewer than {threshold} cases (suppressed)."
        )
    unit = str(row["unit"])
    value = format_value(row["value"], unit)
    cmp = _compare(float(row["value"]), float(previous["value"]), unit)
    sentence = (
        f"The figure of {value} is {cmp} the {figure(previous)} in the quarter to "
        f"{format_date(previous['period_end'])}"
    )
    if assessment.signal in ("no_change", "no_data"):
        return (
            f"{sentence}; over time the statistics show {SIGNAL_PHRASES[assessment.signal]}"
            ", so a difference between two quarters may be due to chance."
        )
    return f"{sentence}; over time the statistics show {signal_clause(assessment)}."


def _months_between(table: pd.DataFrame, previous: pd.Series) -> list:
    rows = table[
        (table["indicator_id"] == previous["indicator_id"])
        & (table["breakdown"] == previous["breakdown"])
        & (table["period_type"] == "month")
        & (table["period_start"] >= previous["period_start"])
        & (table["period_end"] <= previous["period_end"])
    ]
    return list(rows.index)


def spc_sentence(assessment: IndicatorAssessment) -> str:
    """The control chart's verdict in Making Data Count words, with the rule and date."""
    if assessment.method == "baseline_comparison":
        return (
            "There are too few points over time for a control chart, so the latest "
            "census or survey wave is compared with the pooled baseline instead."
        )
    if assessment.method not in ("p_chart", "xmr_chart"):
        return f"{VARIATION_LABELS['insufficient_data']}."
    variation = assessment.variation
    label = (
        NEUTRAL_VARIATION if variation == "special_cause_neutral" else VARIATION_LABELS[variation]
    )
    rule = rule_words(assessment)
    special = variation.startswith("special_cause")
    if special and not assessment.began_before_plan:
        label += since_phrase(assessment)  # " since March 2018", before the rule
    if rule:
        label += f" ({rule})"
    if special and assessment.began_before_plan:
        label += since_phrase(assessment)  # ", a change that began before the plan ..."
    return f"{label}."


def target_sentence(row: pd.Series, assessment: IndicatorAssessment, threshold: int) -> str | None:
    """Target assurance (MDC) and, plainly, where the quarter stands against the target."""
    if assessment.target is None:
        return None
    unit = str(row["unit"])
    target = format_value(assessment.target, unit)
    if assessment.assurance == "no_target":  # a target, but no control chart to test it on
        sentence = (
            f"Target {target}: there are too few points over time to judge whether "
            "the process can meet it."
        )
    else:
        sentence = f"Target {target}: {ASSURANCE_LABELS[assessment.assurance].lower()}"
        if assessment.assurance_since is not None:  # limits recalculated after a shift
            sentence += (
                f", judged on the figures since "
                f"{month_label(assessment.assurance_since)}, when they settled at "
                "a new level"
            )
            if 0 < assessment.assurance_points < MIN_BASELINE_POINTS:
                sentence += f" (provisional: {assessment.assurance_points} months so far)"
        sentence += "."
    if not bool(row["no_data"]) and not row_hidden(row, threshold):
        value = format_value(row["value"], unit)
        cmp = _compare(float(row["value"]), assessment.target, unit)
        where = "meets" if cmp == "the same as" else f"is {cmp}"
        sentence += f" The latest figure of {value} {where} the target."
    return sentence


def _benchmark_name(bench: pd.Series) -> str:
    if str(bench.get("role", "")) == "neighbour_average":
        return "the statistical neighbours' average of"
    geography = str(bench["geography"])
    regions = ("North", "South", "East", "West", "Yorkshire")
    return f"the {geography}'s" if geography.startswith(regions) else f"{geography}'s"


def benchmark_sentence(row: pd.Series, benchmarks: pd.DataFrame, threshold: int) -> str | None:
    """A plain comparison with published figures (England, region, neighbours).

    Args:
        row: The area's quarter row.
        benchmarks: Rows with ``geography``, ``period`` and ``value`` (percentages 0 to
            100), optionally ``role`` as :func:`sendready.comparators.benchmarks_for` gives;
            the area's own and single neighbours' rows are left out. Each geography's
            latest period is used.
    """
    if bool(row["no_data"]) or row_hidden(row, threshold) or benchmarks is None:
        return None
    rows = benchmarks.dropna(subset=["value"])
    if "role" in rows:
        rows = rows[~rows["role"].isin(["area", "neighbour"])]
    if rows.empty:
        return None
    rows = rows.sort_values("period").groupby("geography", sort=False).tail(1)
    unit = str(row["unit"])
    value = format_value(row["value"], unit)
    clauses = [
        f"{_compare(float(row['value']), float(b['value']), unit)} "
        f"{_benchmark_name(b)} {format_value(b['value'], unit)} in {b['period']}"
        for _, b in rows.iterrows()
    ]
    return (
        f"The latest figure of {value} is {'; '.join(clauses)}. Published figures cover "
        f"other periods than the quarter to {format_date(row['period_end'])} and may "
        "define the measure slightly differently, so this is a plain comparison, not a "
        "test of difference."
    )


def caveat_sentences(
    row: pd.Series,
    assessment: IndicatorAssessment,
    threshold: int,
    data_quality: Mapping[str, float] | None = None,
) -> list[str]:
    """What a reader should bear in mind: small numbers, data quality, no data, trial limits.

    Args:
        data_quality: Source name -> share of its rows quarantined (percent, 0 to 100),
            from the ingest's data-quality report, for the sources the indicator uses.
    """
    notes = []
    if bool(row["no_data"]):
        notes.append(f"There is no figure for the latest quarter: {row['no_data_reason']}.")
    elif row_hidden(row, threshold):
        notes.append(
            f"Figures resting on fewer than {threshold} cases, and any figure from "
            "which one could be worked out, are not shown (marked c) to protect "
            "privacy."
        )
    elif bool(row.get("small_number", False)):
        notes.append(
            "The latest figure rests on few cases, so it can move a long way by "
            "chance from one quarter to the next."
        )
    for source, share in (data_quality or {}).items():
        if share and share > 0:
            notes.append(
                f"{format_percent(share)} of the rows in the {source} extract were "
                "set aside (quarantined) for data-quality faults; the figures count "
                "only rows that passed the checks."
            )
    if assessment.trial_limits:
        notes.append(
            "The control chart's limits are trial limits, set from fewer than "
            "twelve monthly points, and may move as more months are added."
        )
    if assessment.signal == "no_data" and not bool(row["no_data"]):
        notes.append("There are too few points over time to judge whether the figure has changed.")
    return notes
