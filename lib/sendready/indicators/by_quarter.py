"""The indicator table for many quarter ends at once: computed once, cut per quarter.

A decade of quarterly packs (40 period ends) computed one at a time runs every indicator's
compute function 80 times over the same staged tables. Here each runs twice: once over
every month of the series up to the latest period end, once over every reporting quarter
together. Each period end then gets the table :func:`~sendready.indicators.engine.
compute_indicators` would give it, cut from those rows: its months (none ending after
its period end) and its own quarter row, so a pack knows nothing after its period end.

That holds because every counting helper counts only events dated within a period and
takes stocks on the period's last day (:mod:`sendready.indicators.periods`), so a month's
figures do not depend on how many months follow it. ``test_by_quarter`` checks the cut
tables against the engine's own, quarter by quarter, row for row. Derived indicators
(computed from other indicators' results) are cheap and are computed per quarter end
from the cut table, as the engine does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import pandas as pd

from sendready.indicators.engine import (
    TABLE_COLUMNS,
    _finish,
    _no_data_row,
    compute_derived_indicator,
    compute_indicator,
)
from sendready.indicators.periods import as_timestamp, monthly_periods, quarter_period
from sendready.indicators.registry import (
    REGISTRY,
    IndicatorDefinition,
    IndicatorResults,
    NoData,
    StagedData,
)

_STRING_COLUMNS = ("indicator_id", "title", "unit", "direction", "statistic", "period_type")


def _quarters(ends: list[pd.Timestamp]) -> pd.DataFrame:
    return pd.concat([quarter_period(e) for e in ends], ignore_index=True)


def _one_indicator(
    defn: IndicatorDefinition,
    data: StagedData,
    ends: list[pd.Timestamp],
    series_start: pd.Timestamp,
    small_threshold: int,
) -> dict[pd.Timestamp, pd.DataFrame]:
    """One staged indicator's rows for each period end (see module docstring)."""
    try:
        monthly = defn.compute(data, monthly_periods(series_start, ends[-1]))
        if defn.grain == "event":
            monthly = monthly[pd.to_numeric(monthly["denominator"], errors="coerce").fillna(0) > 0]
            quarterly = None
        else:
            quarterly = defn.compute(data, _quarters(ends)).assign(period_type="quarter")
    except NoData:
        # The reason may differ by period (a wave before one end but not another): ask
        # the engine, period by period.
        return {e: compute_indicator(defn, data, e, series_start, small_threshold) for e in ends}
    monthly = monthly.assign(period_type="month")
    finished = _finish(defn, pd.concat([monthly, quarterly], ignore_index=True), small_threshold)
    ends_col = pd.to_datetime(finished["period_end"])
    is_month = finished["period_type"] == "month"
    out = {}
    for end in ends:
        months = finished[is_month & (ends_col <= end)]
        if defn.grain == "event":
            out[end] = _event_rows(defn, months, end)
        else:
            quarter = finished[~is_month & (ends_col == end)]
            out[end] = pd.concat([months, quarter], ignore_index=True)
    return out


def _event_rows(defn: IndicatorDefinition, months: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """A census or survey indicator at ``end``: its waves so far, the latest as the quarter."""
    if months.empty:
        return _no_data_row(
            defn, quarter_period(end), "no census or survey wave falls in the series"
        )
    latest = months[months["period_start"] == months["period_start"].max()].assign(
        period_type="quarter"
    )
    return pd.concat([months, latest], ignore_index=True)


def _tidy(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """As :func:`~sendready.indicators.engine.compute_indicators` orders and types it."""
    table = pd.concat(frames, ignore_index=True)[TABLE_COLUMNS]
    table["period_start"] = pd.to_datetime(table["period_start"]).astype("datetime64[ms]")
    table["period_end"] = pd.to_datetime(table["period_end"]).astype("datetime64[ms]")
    for col in _STRING_COLUMNS:
        table[col] = table[col].astype("string")
    return table.sort_values(
        ["indicator_id", "breakdown", "period_type", "period_start"], kind="stable"
    ).reset_index(drop=True)


def compute_indicators_by_quarter(
    data: StagedData,
    period_ends: Iterable[dt.date | str],
    series_start: dt.date | str,
    indicator_ids: Iterable[str],
    small_threshold: int = 6,
    targets: Mapping[str, float] | None = None,
) -> dict[pd.Timestamp, pd.DataFrame]:
    """The indicator table for each period end, equal to ``compute_indicators`` for it.

    Args:
        data: Staged tables.
        period_ends: Quarter ends (distinct); each must be on or before the extract date
            (the run checks that first, :mod:`sendready.publish.periods`).
        series_start: First month of every monthly series (the profile's baseline start).
        indicator_ids: Which indicators, as for ``compute_indicators``.
        small_threshold: Counts below this are flagged as small numbers.
        targets: The profile's targets by indicator id, for derived indicators.

    Returns:
        Period end (a normalised timestamp) -> its indicator table.
    """
    ends = sorted({as_timestamp(e) for e in period_ends})
    start = as_timestamp(series_start)
    ids = list(indicator_ids)
    unknown = [i for i in ids if i not in REGISTRY]
    if unknown:
        raise KeyError(f"unknown indicator ids: {unknown}")
    staged = [i for i in ids if not REGISTRY[i].derived]
    derived = [i for i in ids if REGISTRY[i].derived]
    per_indicator = [
        _one_indicator(REGISTRY[i], data, ends, start, small_threshold) for i in staged
    ]
    tables = {}
    for end in ends:
        table = _tidy([rows[end] for rows in per_indicator])
        if derived:
            results = IndicatorResults(
                table=table, indicator_ids=tuple(staged), targets=targets or {}
            )
            extra = [
                compute_derived_indicator(
                    REGISTRY[i], results, end, start, data.extract_date
                ).astype(table.dtypes.to_dict())
                for i in derived
            ]
            table = pd.concat([table, *extra], ignore_index=True)
        tables[end] = table
    return tables
