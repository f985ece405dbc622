"""A funnel plot of an indicator's own figures: one point per value of its breakdown.

An indicator split by a school (provider, service) column can ask for a funnel of its own
figures (``chart: funnel`` with ``funnel: {from: breakdown, words: ...}`` in YAML;
:class:`~sendready.indicators.registry.BreakdownFunnel`). Each unit's numerator and
denominator are read from the indicator table, its row for that breakdown value in the
reporting quarter, so the funnel plots exactly the figures the table holds. The centre
is the area's own figure for the quarter (the whole-area row, shown in the panel's
sentences; the units' pooled rate when every case names a unit) and the limits are
Spiegelhalter's, widened for over-dispersion as the census funnels are
(:mod:`sendready.stats.funnel`). Schools are named from the school census where it names
them; another unit is named by its value.

Privacy: the rows come from the narrator's table, already marked for suppression (a unit
resting on fewer cases than the threshold, and one more wherever a single hidden unit
could be worked out from the whole-area row). A hidden unit still counts towards the
spread that widens the limits, from which no count can be worked out, but it is not
plotted, not named as outside the limits, and the table under the chart shows its
figures as ``c``. When the area's own figure is hidden there is no funnel: a unit left
alone hidden beside it could otherwise be worked out.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators import REGISTRY, NoData
from sendready.indicators.identification import SCHOOL_OVERDISPERSION
from sendready.indicators.registry import BreakdownFunnel
from sendready.reports.charts import funnel_plot
from sendready.reports.charts.display import Chart
from sendready.reports.narrative.words import capitalise, period_words


def breakdown_units(
    table: pd.DataFrame, indicator_id: str, funnel: BreakdownFunnel, period_end: object
) -> pd.DataFrame:
    """The funnel's units: the indicator's breakdown rows for the quarter to ``period_end``.

    Args:
        table: The indicator table marked for suppression (``suppressed``), as the
            narrator holds it.
        indicator_id: The indicator.
        funnel: Which breakdown column is plotted.
        period_end: The last day of the quarter row's period (the reporting quarter's,
            or for a census or survey series its latest event month's).

    Returns:
        One row per unit with a denominator above 0, in the table's order: ``value`` (the
        breakdown value), ``count`` (numerator), ``size`` (denominator) and ``hidden``.

    Raises:
        NoData: The quarter has no figures by that breakdown.
    """
    prefix = f"{funnel.column}="
    rows = table[
        (table["indicator_id"] == indicator_id)
        & (table["period_type"] == "quarter")
        & (pd.to_datetime(table["period_end"]) == pd.Timestamp(period_end))
        & table["breakdown"].astype(str).str.startswith(prefix)
        & ~table["no_data"].astype(bool)
    ]
    size = pd.to_numeric(rows["denominator"], errors="coerce").astype(float)
    rows = rows[size > 0]
    if rows.empty:
        raise NoData(f"no {funnel.units} have figures for the quarter")
    return pd.DataFrame(
        {
            "value": rows["breakdown"].astype(str).str.removeprefix(prefix).to_numpy(),
            "count": pd.to_numeric(rows["numerator"]).astype(float).to_numpy(),
            "size": pd.to_numeric(rows["denominator"]).astype(float).to_numpy(),
            "hidden": rows["suppressed"].fillna(False).astype(bool).to_numpy(),
        }
    )


def unit_names(
    values: pd.Series, funnel: BreakdownFunnel, census: pd.DataFrame | None, as_at: object
) -> pd.Series:
    """A name per unit: for school URNs, the school's name at its latest census on or
    before ``as_at`` (else "URN <urn>"); for other units the value, underscores as spaces.

    Names are free text from the census: the chart draws them as plain text and the
    table escapes them.
    """
    if not funnel.school_urns:
        return values.astype(str).str.replace("_", " ")
    fallback = "URN " + values.astype(str)
    if census is None or census.empty or "school_name" not in census:
        return fallback
    known = census[pd.to_datetime(census["census_date"]) <= pd.Timestamp(as_at)]
    latest = (
        known.dropna(subset=["school_urn", "school_name"])
        .sort_values("census_date", kind="stable")
        .assign(urn=lambda frame: frame["school_urn"].astype(str))
        .groupby("urn", sort=False)["school_name"]
        .last()
    )
    names = values.astype(str).map(latest)
    return names.where(names.notna(), fallback).astype(str)


def breakdown_funnel_chart(ctx, narrator, indicator_id: str, funnel: BreakdownFunnel) -> Chart:
    """The funnel of ``indicator_id``'s own figures by its breakdown (module docstring),
    centred on the area's figure for the quarter (its whole-area row).

    Raises:
        NoData: The area's figure for the quarter is hidden, no unit has a figure for the
            quarter, or every unit's figures are hidden.
    """
    quarter = narrator.quarter(indicator_id)
    if bool(quarter["no_data"]):
        raise NoData(f"the area has no figure for the quarter ({quarter['no_data_reason']})")
    if bool(quarter["suppressed"]):
        raise NoData(
            "the area's figure for the quarter is hidden (too few cases), so the figures "
            f"of its {funnel.units} are not shown either"
        )
    # The units' rows for the same period as the area's (for a census or survey series,
    # the latest event's month).
    units = breakdown_units(narrator.table, indicator_id, funnel, quarter["period_end"])
    if units["hidden"].all():
        raise NoData(f"the figures of all the {funnel.units} rest on too few cases to show")
    census = ctx.data.get("school_census")
    units["name"] = unit_names(units["value"], funnel, census, ctx.evidence.period_end)
    column = "school" if funnel.school_urns else funnel.column.replace("_", " ")
    return funnel_plot(
        units,
        f"{capitalise(funnel.units)} compared: {funnel.words}, {period_words(quarter)}",
        name_column="name",
        count_column="count",
        size_column="size",
        p0=float(quarter["numerator"]) / float(quarter["denominator"]),
        rate_label=funnel.words,
        size_label=capitalise(REGISTRY[indicator_id].denominator or funnel.units),
        units_word=funnel.units,
        name_heading=capitalise(column),
        overdispersion=SCHOOL_OVERDISPERSION,
        hidden_column="hidden",
    )
