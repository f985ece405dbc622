"""One evidence panel per indicator: heading, sentences, chart and the numbers behind it.

The chart depends on what the indicator is, as its definition says (``chart``): a control
chart for monthly series; a funnel plot of schools at the census for the identification
indicators, or of the indicator's own figures by its breakdown (each school's, from its
rows of the indicator table: :mod:`sendready.reports.breakdown_funnel`);
waits by service for the waiting-time indicators; answers by wave for survey indicators;
a comparison with England and the region where published figures exist. Every panel says
"no data" honestly, with the reason, when the evidence is missing.
"""

from __future__ import annotations

import functools

import pandas as pd
from matplotlib import pyplot as plt

from sendready.comparators import load_published_benchmarks
from sendready.core.formatting import format_date
from sendready.indicators import REGISTRY, NoData
from sendready.indicators.identification import school_identification_funnel
from sendready.indicators.registry import BreakdownFunnel, SchoolFunnel
from sendready.indicators.waits import waits_as_at
from sendready.privacy.disclosure import (
    NOT_CHILDREN,
    SUPPRESSED,
    counts_attribute,
    table_suppression,
)
from sendready.reports.breakdown_funnel import breakdown_funnel_chart
from sendready.reports.charts import (
    actions_chart,
    benchmark_chart,
    comparison_chart,
    funnel_plot,
    likert_chart,
    mdc_icons,
    spc_chart,
    waiting_times_chart,
)
from sendready.reports.charts.display import Chart
from sendready.reports.common import (
    assurance_code,
    heading,
    paragraph,
    show,
)
from sendready.reports.comparisons import published_comparison, sentence_rows


def _html(chart: Chart) -> str:
    try:
        return chart.html()
    finally:
        plt.close(chart.figure)


@functools.cache
def _published_benchmarks() -> pd.DataFrame:
    """The shipped benchmark table, read once per process rather than once per panel
    (callers only filter it; copy-on-write keeps the cached frame unchanged)."""
    return load_published_benchmarks()


def benchmark_rows(ctx, indicator_id: str) -> pd.DataFrame | None:
    """Published figures for England and the region (the area's own are computed here)."""
    tables = [_published_benchmarks()]
    supplied = ctx.data.get("benchmarks")
    if supplied is not None:
        tables.append(supplied)
    frames = []
    for table in tables:
        rows = table[table["indicator_id"] == indicator_id]
        if "breakdown" in rows:
            rows = rows[rows["breakdown"].fillna("") == ""]
        frames.append(rows[["geography", "period", "value"]])
    rows = pd.concat(frames, ignore_index=True).drop_duplicates(["geography", "period"])
    region = ctx.profile.area.region
    rows = rows[rows["geography"].isin(["England", region])].copy()
    if rows.empty:
        return None
    # Published figures dated after the reporting period would compare with the future.
    end_year = ctx.evidence.period_end.year
    rows = rows[rows["period"].astype(str).str[:4].astype(int) <= end_year]
    if rows.empty:
        return None
    rows["role"] = rows["geography"].map({"England": "england", region: "region"})
    return rows.reset_index(drop=True)


def _small_flags(narrator, indicator_id: str) -> pd.Series:
    return small_flags(narrator.table, indicator_id)


def indicator_spc_chart(ctx, narrator, indicator_id: str):
    """The indicator's SPC chart with its small counts flagged, or None when its
    assessment has no SPC (the panel and the analyst's ``report.chart`` draw the same)."""
    assessment = ctx.evidence.assessments[indicator_id]
    if assessment.spc is None:
        return None
    return spc_chart(
        assessment.spc,
        assessment.title,
        unit=assessment.unit,
        small_number=_small_flags(narrator, indicator_id),
        small_threshold=ctx.profile.disclosure.threshold,
    )


def small_flags(table: pd.DataFrame, indicator_id: str) -> pd.Series:
    """Per month (indexed by date), whether an indicator's figure is hidden by disclosure
    control in ``table`` (an indicator table marked with ``suppressed``)."""
    rows = table[
        (table["indicator_id"] == indicator_id)
        & (table["breakdown"] == "")
        & (table["period_type"] == "month")
        & ~table["no_data"].astype(bool)
    ]
    return pd.Series(
        rows["suppressed"].astype(bool).to_numpy(), index=pd.DatetimeIndex(rows["period_start"])
    )


def _funnel(ctx, funnel: SchoolFunnel, threshold: int) -> str | None:
    census = ctx.data.get("school_census")
    if census is None or census.empty:
        return None
    dates = census.loc[census["census_date"] <= ctx.evidence.period_end, "census_date"]
    if dates.empty:
        return None
    latest = dates.max()
    words = funnel.words
    try:
        units = school_identification_funnel(ctx.data, latest, provision=funnel.provision)
    except NoData:
        return None
    chart = funnel_plot(
        units, f"Schools' share of {words}, {format_date(latest)} census", rate_label=words
    )
    chart.data = _suppress_school_counts(chart.data, threshold)
    return _html(chart)


def _suppress_school_counts(
    data: pd.DataFrame | None,
    threshold: int,
    *,
    size: str = "Number of pupils",
    rate: str = "Rate (%)",
) -> pd.DataFrame | None:
    """The funnel's table with no school's pupils given away (hidden cells as ``c``).

    The table shows each school's pupils (``size``) and its rate, so rate x size gives
    back the pupils counted. The rate is hidden when those pupils, or the school's other
    pupils, number 1 to threshold - 1; a school of fewer than threshold pupils has its
    size hidden too (:func:`sendready.privacy.disclosure.table_suppression`). The
    column names are :func:`~sendready.reports.charts.funnel_plot`'s defaults.
    """
    if data is None or size not in data or rate not in data:
        return data
    pupils = pd.to_numeric(data[size], errors="coerce").astype(float)
    shares = pd.to_numeric(data[rate], errors="coerce").astype(float)
    counts = pd.DataFrame(
        {"pupils": pupils, "counted": (shares * pupils / 100).round(), "rate": shares},
        index=data.index,
    )
    why = table_suppression(
        counts, ["pupils", "counted"], threshold=threshold, rates={"rate": ("counted", "pupils")}
    )
    out = data.astype(object)
    out.loc[why["pupils"] != "", size] = SUPPRESSED
    out.loc[why["rate"] != "", rate] = SUPPRESSED
    return out


def _waits(ctx, indicator_id: str, threshold: int) -> str | None:
    try:
        waits = waits_as_at(ctx.data, ctx.evidence.period_end)
    except NoData:
        return None
    if waits.empty:
        return None
    chart = waiting_times_chart(
        waits,
        f"Days waited by children still waiting at {format_date(ctx.evidence.period_end)}",
        min_count=threshold,
    )
    return _html(chart)


def _survey(ctx, indicator_id: str) -> str | None:
    questions, answers = ctx.data.get("survey_questions"), ctx.data.get("surveys")
    if questions is None or answers is None:
        return None
    asked = questions.loc[
        questions["indicator_id"].fillna("").str.strip().str.upper() == indicator_id, "question_id"
    ]
    rows = answers[
        answers["question_id"].isin(asked) & (answers["wave_date"] <= ctx.evidence.period_end)
    ]
    if rows.empty:
        return None
    text = questions.loc[questions["question_id"].isin(asked), "text"].iloc[0]
    chart = likert_chart(
        rows[["wave_date", "answer"]],
        REGISTRY[indicator_id].title,
        subject=str(text),
        threshold=ctx.profile.disclosure.threshold,
    )
    return _html(chart)


# Charts that count children (pupils, children still waiting, parents answering) whatever
# the indicator beside them counts: they stay unmarked even in a panel of meetings or
# schools, and obey the disclosure rule themselves.
CHILDREN_CHARTS = frozenset({"funnel", "waits", "survey"})


def _own(markup: str | None, attribute: str) -> str | None:
    """An indicator's own figures, marked when its definition says they are not of children."""
    if not markup or not attribute:
        return markup
    return f"<div{attribute}>{markup}</div>"


def _breakdown_funnel(ctx, narrator, indicator_id: str, funnel: BreakdownFunnel) -> str:
    """The funnel of the indicator's own figures by its breakdown, or why there is none."""
    try:
        chart = breakdown_funnel_chart(ctx, narrator, indicator_id, funnel)
    except NoData as reason:
        return paragraph(f"No funnel of {funnel.units}: {reason}.")
    return _html(chart)


def _kind_chart(ctx, narrator, indicator_id: str, drawn: dict[str, str] | None) -> str | None:
    """The chart the definition asks for beside the control chart (module docstring)."""
    threshold = ctx.profile.disclosure.threshold
    definition = REGISTRY.get(indicator_id)
    chart_kind = definition.chart if definition is not None else "spc"
    if chart_kind == "funnel" and isinstance(definition.funnel, BreakdownFunnel):
        return _own(
            _breakdown_funnel(ctx, narrator, indicator_id, definition.funnel),
            counts_attribute(indicator_id),
        )
    if chart_kind == "funnel" and definition.funnel is not None:
        return _funnel(ctx, definition.funnel, threshold)
    if chart_kind == "survey":
        return _survey(ctx, indicator_id)
    if chart_kind != "waits":
        return None
    if drawn is not None and "waits" in drawn:
        return paragraph(
            f"Days waited by children still waiting, by service, are "
            f"charted under {drawn['waits']} above."
        )
    waits = _waits(ctx, indicator_id, threshold)
    if waits and drawn is not None:
        drawn["waits"] = indicator_id
    return waits


def _published(ctx, narrator, indicator_id: str) -> str | None:
    """The area's published figures over the years beside England, its region and its
    neighbours, with rank and quartile (:mod:`sendready.reports.comparisons`), or the
    plain reason there is none; None when the shipped release does not cover the
    indicator (then :func:`_comparison` draws what the area's own files allow)."""
    published = published_comparison(ctx, indicator_id)
    if published is None:
        return _comparison(ctx, narrator, indicator_id)
    if published.series is None:
        return paragraph(published.reason)
    assessment = ctx.evidence.assessments[indicator_id]
    return _html(
        benchmark_chart(
            published.series,
            f"{assessment.title}: {ctx.profile.area.name} against published figures",
            unit=assessment.unit,
            direction=assessment.direction,
        )
    )


def comparison_rows(ctx, indicator_id: str) -> pd.DataFrame | None:
    """Published figures for the narrative's comparison sentence: the shipped release's
    (as published by the period end) when it covers the indicator, otherwise
    :func:`benchmark_rows`."""
    published = published_comparison(ctx, indicator_id)
    if published is None:
        return benchmark_rows(ctx, indicator_id)
    return sentence_rows(published)


def _comparison(ctx, narrator, indicator_id: str) -> str | None:
    """The area against England and the region, when published figures exist and the
    area's own quarter is shown."""
    assessment = ctx.evidence.assessments[indicator_id]
    bench = benchmark_rows(ctx, indicator_id)
    quarter = ctx.evidence.quarter(indicator_id)
    if bench is None or quarter is None or bool(quarter["no_data"]):
        return None
    table = narrator.table
    if table.loc[
        (table["indicator_id"] == indicator_id)
        & (table["period_type"] == "quarter")
        & (table["breakdown"] == ""),
        "suppressed",
    ].any():
        return None
    own = pd.DataFrame(
        {
            "geography": [ctx.profile.area.name],
            "role": ["area"],
            "period": [bench["period"].max()],
            "value": [quarter["value"]],
        }
    )
    latest = bench[bench["period"] == bench["period"].max()]
    return _html(
        comparison_chart(
            pd.concat([own, latest], ignore_index=True),
            f"{assessment.title}: {ctx.profile.area.name} against published figures",
            unit=assessment.unit,
            direction=assessment.direction,
        )
    )


def indicator_chart_html(
    ctx, narrator, indicator_id: str, drawn: dict[str, str] | None = None
) -> list[str]:
    """Charts for one indicator (possibly none, when there is nothing to draw).

    The control chart and the comparison show the indicator's own figures and are marked
    ``data-counts="not-children"`` when its definition says they are not of children;
    the chart of its kind (schools' pupils, children waiting, survey answers) is not.

    Args:
        drawn: Charts already drawn in this report (chart -> indicator id under which it
            was drawn), updated here. The waits chart serves JC03, JC04 and JC05 alike, so
            a report drawing it three times would only repeat itself; later panels point
            back to it instead. None draws every chart.
    """
    attribute = counts_attribute(indicator_id)
    charts = []
    chart = indicator_spc_chart(ctx, narrator, indicator_id)
    if chart is not None:
        charts.append(_own(_html(chart), attribute))
    charts.append(_kind_chart(ctx, narrator, indicator_id, drawn))
    charts.append(_own(_published(ctx, narrator, indicator_id), attribute))
    return [c for c in charts if c]


def _draws_children(indicator_id: str) -> bool:
    """The panel draws a chart of children whatever the indicator counts (a funnel of the
    indicator's own breakdown shows its own figures, so is not one)."""
    definition = REGISTRY.get(indicator_id)
    return (
        definition is not None
        and definition.chart in CHILDREN_CHARTS
        and not isinstance(definition.funnel, BreakdownFunnel)
    )


def indicator_panel_html(
    ctx, narrator, indicator_id: str, drawn: dict[str, str] | None = None
) -> str:
    """One indicator's panel as HTML (see module docstring; ``drawn`` as for
    :func:`indicator_chart_html`).

    A panel whose indicator does not count children (its definition: meetings, actions,
    services, schools) is marked ``data-counts="not-children"`` as a whole, unless it
    also draws a chart of children, which must stay unmarked: then its sentences and its
    own charts are marked one by one.
    """
    assessment = ctx.evidence.assessments[indicator_id]
    bench = comparison_rows(ctx, indicator_id)
    attribute = counts_attribute(indicator_id)
    whole = "" if _draws_children(indicator_id) else attribute
    parts = [
        f'<section class="sr-panel"{whole} aria-labelledby="ind-{indicator_id}">',
        heading(3, f"{indicator_id}: {assessment.title}", f"ind-{indicator_id}"),
    ]
    if assessment.signal == "no_data" and assessment.points == 0:
        parts.append(paragraph(f"No data: {assessment.reason}."))
    else:
        parts.append(
            paragraph(narrator.indicator_paragraph(indicator_id, bench), attributes=attribute)
        )
        parts.append(
            f"<p{attribute}>Variation: {mdc_icons.variation_badge(assessment)} "
            f"Assurance: {mdc_icons.assurance_badge(assurance_code(assessment))}</p>"
        )
        parts.extend(indicator_chart_html(ctx, narrator, indicator_id, drawn))
    parts.append("</section>")
    return "".join(parts)


def show_indicator_panel(
    ctx, narrator, indicator_id: str, drawn: dict[str, str] | None = None
) -> None:
    """Display one indicator's panel (see module docstring)."""
    show(indicator_panel_html(ctx, narrator, indicator_id, drawn))


def actions_chart_html(actions: pd.DataFrame, weakness_id: str, as_at: str) -> str:
    """Plan actions by status, marked ``data-counts="not-children"``: actions are not children."""
    chart = actions_chart(actions, f"Plan actions for {weakness_id} by status", as_at=as_at)
    return f'<div data-counts="{NOT_CHILDREN}">{_html(chart)}</div>'
