"""The area against England, its region and its statistical neighbours, over the years.

For every indicator whose definition names a ``benchmark_key`` and whose figures are in
the copy of DfE's "Education, health and care plans" release shipped with the suite, the
weakness reports draw :func:`~sendready.reports.charts.benchmark_chart`: the area's
published figure each year with its rank and quartile among all authorities.

Honesty: a pack knows nothing after its period end, so only the years whose release had
come out by then are shown (:mod:`sendready.comparators.availability`: the figure for
calendar year Y is published in June Y + 1, a January census in June of that year). A
profile naming an area the release does not know, or a period before the first figures
were published, gets a plain "no published comparison" line instead of a chart.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from sendready.comparators import (
    IndicatorIndex,
    area_series,
    authority_table,
    find_authority,
    load_shipped_values,
    neighbours_of,
)
from sendready.comparators.availability import published_by, published_on
from sendready.core.errors import SendreadyError
from sendready.core.formatting import format_date
from sendready.indicators import REGISTRY


@dataclass(frozen=True)
class PublishedComparison:
    """What the shipped release can say about one indicator for one pack.

    Attributes:
        series: :func:`~sendready.comparators.area_series` rows of the years published
            by the period end (None when there is nothing to chart).
        reason: Why there is no chart (empty when there is one).
    """

    series: pd.DataFrame | None
    reason: str = ""


@functools.cache
def _shipped() -> tuple[pd.DataFrame, list]:
    """The shipped figures and their authorities, read once per process."""
    values = load_shipped_values()
    return values, authority_table(values)


@functools.cache
def _indicator_rows(key: str) -> pd.DataFrame:
    values, _ = _shipped()
    return values[(values["indicator_id"] == key) & values["breakdown"].isna()]


def _find_area(names: tuple[str, ...], authorities: list):
    """The profile's authority: its DfE code, then its GSS code, then its name."""
    for text in names:
        if not text:
            continue
        try:
            return find_authority(str(text), authorities)
        except SendreadyError:
            continue
    return None


@functools.cache
def _comparison(
    key: str, names: tuple[str, ...], period_end: pd.Timestamp
) -> PublishedComparison | None:
    rows = _indicator_rows(key)
    if rows.empty:
        return None
    _, authorities = _shipped()
    authority = _find_area(names, authorities)
    if authority is None:
        return PublishedComparison(
            None,
            f"No published comparison: DfE's published figures have no local authority "
            f"matching {names[-1]} (codes {', '.join(names[:-1]) or 'not given'}).",
        )
    shown = published_by(rows, period_end)
    if shown.empty:
        first = rows.sort_values("period").iloc[0]
        when = published_on(first["period"], first["time_identifier"])
        return PublishedComparison(
            None,
            f"No published comparison yet: the first published figures in the suite's copy "
            f"(for {first['period']}) came out by {format_date(when)}, after this pack's "
            f"period end of {format_date(period_end)}.",
        )
    series = area_series(IndicatorIndex(shown), authority, neighbours_of(authority, authorities))
    return PublishedComparison(series)


def published_comparison(ctx, indicator_id: str) -> PublishedComparison | None:
    """The published comparison for one indicator of a pack, or None when its definition
    has no benchmark or the shipped release has no figures for it (module docstring)."""
    definition = REGISTRY.get(indicator_id)
    key = getattr(definition, "benchmark_key", None)
    if not key:
        return None
    area = ctx.profile.area
    codes = tuple(str(c) for c in (area.la_code, area.ons_code) if c)
    return _comparison(key, (*codes, area.name), pd.Timestamp(ctx.evidence.period_end))


def sentence_rows(comparison: PublishedComparison | None) -> pd.DataFrame | None:
    """England, region and neighbour-average rows for the narrative's comparison sentence."""
    if comparison is None or comparison.series is None:
        return None
    series = comparison.series
    rows = series[series["role"].isin(["england", "region", "neighbour_average"])]
    return rows[["geography", "period", "value", "role"]].reset_index(drop=True)
