"""What an analyst asks of a report beyond what it shows: its figures as a DataFrame and
one indicator's chart on demand.

The DataFrames are the evidence's own rows (numbers, not text; counts **not**
suppressed), for analysts' own work in the restricted area. A chart on demand is drawn as
the report draws it, through the house :class:`~sendready.reports.charts.display.Chart`
(alt text written from the numbers, small counts hollow and unwritten), so it can be
adjusted (``.figure``), read (``.data``) or shown with its alt text (``.show()``, or as
the last line of a cell).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.core.errors import SendreadyError
from sendready.core.formatting import format_month, format_value
from sendready.reports.charts.display import Chart
from sendready.reports.charts.theme import (
    HIGHLIGHT,
    LINE_GREY,
    new_figure,
    percent_axis,
    plain_text,
    styled,
)
from sendready.reports.drilldown_figures import close_matches
from sendready.reports.panels import indicator_spc_chart


class IndicatorChart(Chart):
    """A :class:`Chart` that shows itself, alt text and numbers included, when it is the
    last value of a notebook cell."""

    def _repr_html_(self) -> str:
        return self.html()


def indicator_rows(evidence, indicator_ids: list[str]) -> pd.DataFrame:
    """The evidence table's rows for ``indicator_ids`` (every period and breakdown), in the
    table's own order and columns, numbered from 0."""
    table = evidence.table
    return table[table["indicator_id"].isin(indicator_ids)].reset_index(drop=True)


def check_indicator(evidence, indicator_ids: list[str], indicator_id: str) -> str:
    """The indicator id, upper-cased, when the report holds it.

    Raises:
        SendreadyError: It does not (the message names the closest of the report's).
    """
    wanted = str(indicator_id).strip().upper()
    if wanted in indicator_ids:
        return wanted
    titles = {i: evidence.assessments[i].title for i in indicator_ids}
    found = close_matches(wanted, titles)
    near = f" Did you mean {', '.join(f'{i} ({titles[i]})' for i in found)}?" if found else ""
    raise SendreadyError(
        f"This report has no indicator {indicator_id!r}.{near}",
        hint=f"Choose one of {', '.join(indicator_ids)}.",
    )


def indicator_chart(ctx, narrator, indicator_id: str) -> IndicatorChart:
    """The indicator's control chart, or for a census or survey series (too few points
    for one) its figure at each point with the 95% interval.

    Raises:
        SendreadyError: The indicator has no figure to draw (the reason is the
            assessment's).
    """
    assessment = ctx.evidence.assessments[indicator_id]
    threshold = ctx.profile.disclosure.threshold
    chart = indicator_spc_chart(ctx, narrator, indicator_id)
    if chart is not None:
        return IndicatorChart(**vars(chart))
    table = ctx.evidence.table
    rows = table[
        (table["indicator_id"] == indicator_id)
        & (table["breakdown"] == "")
        & (table["period_type"] == "month")
        & ~table["no_data"].astype(bool)
    ].sort_values("period_start")
    if rows.empty:
        raise SendreadyError(f"{indicator_id} has no figure to draw: {assessment.reason}.")
    return points_chart(rows, assessment.title, assessment.unit, threshold)


def points_chart(rows: pd.DataFrame, title: str, unit: str, threshold: int) -> IndicatorChart:
    """Each point of a short series (a census, survey waves) with its 95% interval.

    Points resting on fewer than ``threshold`` cases (``small_number``) are drawn hollow
    at no value and written as ``c``, as the control chart does.
    """
    small = rows["small_number"].fillna(False).astype(bool).to_numpy()
    value = rows["value"].astype(float).to_numpy()
    low, high = rows["ci_low"].astype(float).to_numpy(), rows["ci_high"].astype(float).to_numpy()
    shown = np.where(small, np.nan, value)
    dates = pd.to_datetime(rows["period_start"]).dt.to_pydatetime()
    with styled():
        figure, ax = new_figure()
        ax.errorbar(
            dates,
            shown,
            yerr=[shown - np.where(small, np.nan, low), np.where(small, np.nan, high) - shown],
            fmt="o",
            color=HIGHLIGHT,
            ecolor=LINE_GREY,
            capsize=4,
            label="Figure with its 95% interval",
        )
        ax.set_title(plain_text(title))
        ax.set_xticks(dates, [d.strftime("%b %Y") for d in dates], rotation=45, ha="right")
        if unit == "percent":
            percent_axis(ax)
        else:
            ax.set_ylabel(unit)
        ax.legend(loc="best", fontsize="small")
    months = [format_month(d) for d in rows["period_start"]]
    data = pd.DataFrame(
        {
            "Period": months,
            "Value": [
                "c" if s else format_value(v, unit) for s, v in zip(small, value, strict=True)
            ],
            "95% interval": [
                "c" if s else f"{format_value(lo, unit)} to {format_value(hi, unit)}"
                for s, lo, hi in zip(small, low, high, strict=True)
            ],
        }
    )
    latest = data.iloc[-1]
    latest_words = (
        f"not shown (fewer than {threshold} cases)" if small[-1] else str(latest["Value"])
    )
    alt = (
        f"Dot chart of {plain_text(title)} at {len(rows)} points from {months[0]} to "
        f"{months[-1]}, each with its 95% interval; the latest, {months[-1]}, is "
        f"{latest_words}."
    )
    return IndicatorChart(figure=figure, alt_text=alt, data=data, caption=title)
