"""Making Data Count control charts drawn from a :class:`~sendready.stats.spc.SpcResult`.

The chart draws what the statistics module decided and decides nothing itself, so the
picture, the alt text and the narrative cannot disagree: point colours and shapes come
from ``point_type``, limits from ``lcl``/``ucl``, the baseline from ``in_baseline``.
Limits are dotted, the target dashed, the baseline period shaded and labelled (house
style, :mod:`sendready.reports.charts.theme`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import transforms
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from numpy.typing import ArrayLike

from sendready.core.formatting import format_month, format_value
from sendready.reports.charts.display import Chart
from sendready.reports.charts.theme import (
    LIMIT_STYLE,
    MEAN_STYLE,
    SERIES_GREY,
    SHADE,
    SPC_COLOURS,
    SPC_MARKERS,
    SPC_POINT_WORDS,
    TARGET_STYLE,
    WHITE,
    date_axis,
    new_figure,
    percent_axis,
    plain_text,
    styled,
)
from sendready.stats.spc import MIN_BASELINE_POINTS, SpcResult

SPC_FIGSIZE = (8.0, 5.4)  # taller than the default: the legend sits under the axes

Y_LABELS = {
    "percent": "Percentage (%)",
    "days": "Days",
    "count": "Number",
    "per_10000": "Per 10,000",
    "gbp": "Pounds (£)",
}
# The data table's value heading: the unit alone, not the axis label in brackets.
VALUE_HEADINGS = {
    "percent": "Value (%)",
    "days": "Value (days)",
    "count": "Value",
    "per_10000": "Value (per 10,000)",
    "gbp": "Value (£)",
}
# A table cell for a point that is not shown, and for a point with no special cause.
SUPPRESSED = "c"
NO_SIGNAL = "No signal"
RULE_WORDS = {
    "outside_limits": "beyond a process limit",
    "trend": "seven points in a row rising or falling",
    "two_in_three": "two of three points close to a limit",
    "shift": "seven points in a row on one side of the average",
}
SHORT_TYPE = {
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral": "neither better nor worse",
}


def _small_mask(result: SpcResult, small_number: ArrayLike | pd.Series | None) -> np.ndarray:
    """Align a small-number flag with the chart's points (by date, or by position)."""
    points = result.points
    if small_number is None:
        return np.zeros(len(points), dtype=bool)
    if isinstance(small_number, pd.Series) and isinstance(small_number.index, pd.DatetimeIndex):
        aligned = small_number.reindex(pd.DatetimeIndex(points["date"]))
        return aligned.fillna(False).to_numpy(dtype=bool)
    mask = pd.array(np.asarray(small_number, dtype=object), dtype="boolean").fillna(False)
    if len(mask) != len(points):
        raise ValueError(f"small_number has {len(mask)} entries for {len(points)} chart points")
    return mask.to_numpy(dtype=bool)


def _cadence(dates: pd.Series) -> str:
    if not pd.api.types.is_datetime64_any_dtype(dates) or len(dates) < 2:
        return ""
    step = float(np.median(np.diff(dates.to_numpy()).astype("timedelta64[D]").astype(float)))
    for words, low, high in (("monthly", 27, 32), ("quarterly", 88, 93), ("yearly", 360, 370)):
        if low <= step <= high:
            return words
    return ""


def _when(value: object) -> str:
    # Period labels are month starts as a rule; anything else (a wave name, a number)
    # is shown as it is rather than read as a date.
    if isinstance(value, pd.Timestamp | dt.date | np.datetime64):
        return format_month(value)
    return f"period {value}" if isinstance(value, int | np.integer) else str(value)


def _cases_words(small_threshold: int | None) -> str:
    return f"fewer than {small_threshold} cases" if small_threshold else "small numbers"


def _latest_sentence(observed: pd.DataFrame, unit: str, hidden: bool, cases: str) -> str:
    """The latest value and how it compares with the baseline average (unless withheld)."""
    latest = float(observed["value"].iloc[-1])
    centre = observed["centre"].iloc[-1]
    when = _when(observed["date"].iloc[-1])
    if hidden:
        text = f"The latest figure, for {when}, is not shown because it rests on {cases}"
        if pd.notna(centre):
            text += f". The baseline average is {format_value(float(centre), unit)}"
        return text + "."
    text = f"Latest: {format_value(latest, unit)} in {when}"
    if pd.notna(centre):
        centre_text = format_value(float(centre), unit)
        if centre_text == format_value(latest, unit):
            text += f", the same as the baseline average of {centre_text}"
        else:
            word = "up" if latest > float(centre) else "down"
            text += f", {word} from a baseline average of {centre_text}"
    return text + "."


def _target_clause(result: SpcResult, unit: str) -> str:
    """What the assurance says about the target, and the figures it was judged on."""
    target = format_value(result.target, unit)
    clause = {
        "consistently_pass": f"; the target of {target} is consistently met",
        "consistently_fail": f"; the target of {target} is consistently missed",
        "hit_and_miss": f"; the target of {target} is not consistently met (hit and miss)",
        "process_changing": (
            f"; the figures are still moving, so whether the target of "
            f"{target} will be met cannot be judged yet"
        ),
    }.get(result.assurance, f"; the target is {target}")
    if result.assurance_since is not None:  # limits recalculated after a shift
        clause += f", judged on the figures since {_when(result.assurance_since)}"
        if result.assurance_provisional:
            clause += f" (provisional: {result.assurance_points} months so far)"
    return clause


def _finding_sentence(result: SpcResult, unit: str) -> str:
    since = _when(result.signal_since) if result.signal_since is not None else ""
    finding = {
        "special_cause_improvement": f"Special-cause improvement since {since}",
        "special_cause_concern": f"Special-cause concern (getting worse) since {since}",
        "special_cause_neutral": (
            f"Special-cause variation since {since}, on a measure where neither direction is better"
        ),
        "common_cause": "Common-cause variation only: no significant change at the latest point",
        "insufficient_data": "Too few points to set process limits",
    }[result.variation]
    if result.target is not None:
        finding += _target_clause(result, unit)
    return finding + "."


def _closing_sentences(
    result: SpcResult, observed: pd.DataFrame, small: int, cases: str
) -> list[str]:
    """Counts of special-cause points, provisional limits and small-number points."""
    sentences = []
    types = observed["point_type"].value_counts()
    special = [f"{int(types[key])} {words}" for key, words in SHORT_TYPE.items() if key in types]
    if special:
        sentences.append("Special-cause points: " + ", ".join(special) + ".")
    if result.trial_limits and result.variation != "insufficient_data":
        sentences.append(
            f"Limits are provisional: the baseline has fewer than {MIN_BASELINE_POINTS} points."
        )
    if small:
        plural = "s rest" if small != 1 else " rests"
        sentences.append(f"{small} point{plural} on {cases} (hollow markers).")
    return sentences


def spc_alt_text(
    result: SpcResult,
    title: str,
    unit: str = "percent",
    small_number: ArrayLike | pd.Series | None = None,
    small_threshold: int | None = None,
) -> str:
    """Alt text for a control chart, built from the result: type, span, latest, finding.

    For example: "Line chart of EHC plans issued within 20 weeks, monthly from April 2016
    to March 2019. Latest: 88.0% in March 2019, up from a baseline average of 55.2%.
    Special-cause improvement since December 2017; the target of 100.0% is not
    consistently met (hit and miss)."

    A latest point flagged in ``small_number`` rests on fewer cases than the disclosure
    threshold, so its value is not stated (the report's sentences withhold it too).
    """
    points = result.points
    observed = points[points["value"].notna()]
    if observed.empty:
        return f"Line chart of {title}: there are no values to plot yet."
    dates = observed["date"]
    cadence = _cadence(points["date"])
    span = f"from {_when(dates.iloc[0])} to {_when(dates.iloc[-1])}"
    small = _small_mask(result, small_number)[points["value"].notna().to_numpy()]
    cases = _cases_words(small_threshold)
    return " ".join(
        [
            f"Line chart of {title}, {cadence + ' ' if cadence else ''}{span}.",
            _latest_sentence(observed, unit, bool(small[-1]), cases),
            _finding_sentence(result, unit),
            *_closing_sentences(result, observed, int(small.sum()), cases),
        ]
    )


def _baseline_span(ax: object, x: np.ndarray, in_baseline: np.ndarray) -> Patch | None:
    where = np.flatnonzero(in_baseline)
    if len(where) == 0:
        return None
    half = (x[1] - x[0]) / 2 if len(x) > 1 else 0
    start, end = x[where[0]] - half, x[where[-1]] + half
    ax.axvspan(start, end, color=SHADE, zorder=0, linewidth=0)
    blended = transforms.blended_transform_factory(ax.transData, ax.transAxes)
    ax.text(
        start + (end - start) / 2,
        0.98,
        "Baseline",
        transform=blended,
        ha="center",
        va="top",
        fontsize=11,
        zorder=5,
        bbox={"facecolor": SHADE, "edgecolor": "none", "pad": 1.5},
    )
    return Patch(facecolor=SHADE, label="Baseline period (sets the average and limits)")


@dataclass(frozen=True)
class _Series:
    """The chart's points as drawn: x positions, values and what marks each one."""

    x: np.ndarray
    value: np.ndarray
    observed: np.ndarray  # has a value
    small: np.ndarray  # rests on small numbers: hollow marker, value withheld
    point_type: np.ndarray
    dated: bool

    @classmethod
    def of(cls, result: SpcResult, small_number: ArrayLike | pd.Series | None) -> _Series:
        points = result.points
        dated = pd.api.types.is_datetime64_any_dtype(points["date"])
        value = points["value"].to_numpy(dtype=float, na_value=np.nan)
        return cls(
            x=points["date"].to_numpy() if dated else np.arange(len(points), dtype=float),
            value=value,
            observed=~np.isnan(value),
            small=_small_mask(result, small_number),
            point_type=points["point_type"].fillna("").to_numpy(dtype=str),
            dated=dated,
        )


def _draw_lines(ax: object, result: SpcResult, series: _Series, unit: str) -> list:
    """The series line, average, limits and target; returns their legend handles."""
    points, x, value, observed = result.points, series.x, series.value, series.observed
    handles = [
        h
        for h in [_baseline_span(ax, x, points["in_baseline"].fillna(False).to_numpy(dtype=bool))]
        if h is not None
    ]
    ax.plot(x[observed], value[observed], color=SERIES_GREY, linewidth=1.5, zorder=2)
    centre = points["centre"].to_numpy(dtype=float, na_value=np.nan)
    handles += ax.plot(x, centre, **MEAN_STYLE, zorder=3, label="Average (from the baseline)")
    step = {"drawstyle": "steps-mid"} if result.method == "p" else {}
    limit_label = "Process limits" + (" (provisional)" if result.trial_limits else "")
    for column in ("ucl", "lcl"):
        line = ax.plot(
            x,
            points[column].to_numpy(dtype=float, na_value=np.nan),
            **LIMIT_STYLE,
            **step,
            zorder=3,
            label=limit_label,
        )
    handles += line
    if result.target is not None:
        handles.append(
            ax.axhline(
                result.target,
                **TARGET_STYLE,
                zorder=3,
                label=f"Target {format_value(result.target, unit)}",
            )
        )
    return handles


def _draw_points(ax: object, series: _Series, small_threshold: int | None) -> list:
    """Markers by MDC point type (hollow for small numbers); returns their legend handles."""
    x, value, observed, small = series.x, series.value, series.observed, series.small
    handles = []
    for kind, colour in SPC_COLOURS.items():
        for hollow in (False, True):
            mask = observed & (series.point_type == kind) & (small == hollow)
            if not mask.any():
                continue
            ax.scatter(
                x[mask],
                value[mask],
                marker=SPC_MARKERS[kind],
                s=48,
                zorder=4,
                facecolors=WHITE if hollow else colour,
                edgecolors=colour,
                linewidths=1.6,
            )
        if (observed & (series.point_type == kind)).any():
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker=SPC_MARKERS[kind],
                    markersize=8,
                    color=colour,
                    label=SPC_POINT_WORDS[kind],
                )
            )
    if (small & observed).any():
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=8,
                markerfacecolor=WHITE,
                color=SERIES_GREY,
                label=f"Hollow marker: {_cases_words(small_threshold)}",
            )
        )
    return handles


def _format_axes(ax: object, result: SpcResult, series: _Series, unit: str) -> None:
    if unit == "percent":
        # Headroom above 100% so a target or points at 100% are not hidden by the frame.
        near_top = max(np.nanmax(series.value, initial=0), result.target or 0) >= 98
        percent_axis(ax, top=104 if near_top else 100)
    if series.dated:
        date_axis(ax, minticks=4, maxticks=8)


def _spc_table(
    points: pd.DataFrame, series: _Series, unit: str, with_small: bool
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The chart's data table (values withheld as "c" for small numbers) and its units."""
    value_heading = VALUE_HEADINGS.get(unit, f"Value ({unit})")
    shown = points["value"].astype(object).where(~(series.small & series.observed), SUPPRESSED)
    table = pd.DataFrame(
        {
            "Month" if series.dated else "Period": points["date"],
            value_heading: shown,
            "Average": points["centre"],
            "Lower limit": points["lcl"],
            "Upper limit": points["ucl"],
            "Pattern": [
                f"{SHORT_TYPE[t].capitalize()}: {RULE_WORDS.get(r, r)}"
                if t in SHORT_TYPE
                else NO_SIGNAL
                for t, r in zip(
                    series.point_type, points["special_cause_rule"].fillna(""), strict=True
                )
            ],
        }
    )
    if with_small:
        table["Small number"] = pd.array(series.small, dtype="boolean")
    units = {c: unit for c in (value_heading, "Average", "Lower limit", "Upper limit")}
    if series.dated:
        units["Month"] = "month"
    return table, units


def spc_chart(
    result: SpcResult,
    title: str,
    *,
    unit: str = "percent",
    small_number: ArrayLike | pd.Series | None = None,
    small_threshold: int | None = None,
    y_label: str | None = None,
) -> Chart:
    """Draw a control chart: values, average, limits, target, baseline, signals.

    Args:
        result: From :func:`sendready.stats.p_chart` (``scale=100`` for percentages) or
            :func:`~sendready.stats.xmr_chart`, e.g. ``IndicatorAssessment.spc``.
        title: Plain words, e.g. "EHC plans issued within 20 weeks".
        unit: Indicator unit; ``percent`` puts the y-axis on 0-100%.
        small_number: Booleans per point (or a Series indexed by date): points resting on
            fewer than ``small_threshold`` cases, e.g. the marked indicator table's
            ``suppressed`` column. Flagged points are drawn hollow, and their values are
            not written: "c" in the table, and no figure in the alt text. The limits stay.
        small_threshold: The count behind "small" (the profile's disclosure threshold),
            for the legend and alt text.
        y_label: Axis label; defaults to the unit in words.

    Returns:
        A :class:`Chart`; its table holds values (but "c" for flagged points), average,
        limits and signals per period (no counts, which disclosure control may need to
        hide).
    """
    series = _Series.of(result, small_number)
    small, observed = series.small, series.observed
    with styled():
        figure, ax = new_figure(SPC_FIGSIZE)
        handles = _draw_lines(ax, result, series, unit)
        handles += _draw_points(ax, series, small_threshold)
        _format_axes(ax, result, series, unit)
        ax.set_ylabel(y_label or Y_LABELS.get(unit, unit))
        ax.set_title(plain_text(title))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)

    table, units = _spc_table(result.points, series, unit, small_number is not None)
    facts = {
        **result.summary(),
        "title": title,
        "unit": unit,
        "latest_value": (
            float(series.value[observed][-1])
            if observed.any() and not small[observed][-1]
            else None
        ),
        "small_points": int((small & observed).sum()),
    }
    return Chart(
        figure=figure,
        alt_text=spc_alt_text(result, title, unit, small, small_threshold),
        data=table,
        caption=title,
        units=units,
        facts=facts,
    )
