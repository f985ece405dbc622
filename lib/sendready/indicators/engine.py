"""One entry point that computes any indicator for any period end into one tidy table.

The table has one row per indicator x breakdown x period, where a period is either a
calendar month of the series or the reporting quarter. Every figure a report shows,
chart or sentence, is read from this table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from sendready.indicators.periods import as_timestamp, monthly_periods, quarter_period
from sendready.indicators.registry import (
    REGISTRY,
    IndicatorDefinition,
    IndicatorResults,
    NoData,
    StagedData,
)
from sendready.stats.intervals import wilson_interval

TABLE_COLUMNS = [
    "indicator_id",
    "title",
    "unit",
    "direction",
    "statistic",
    "breakdown",
    "period_type",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "small_number",
    "no_data",
    "no_data_reason",
]

OVERALL = ""  # breakdown label of the whole-area row


def _no_data_reasons(raw: pd.DataFrame, no_data: pd.Series) -> pd.Series:
    """Why each row has no data: the compute function's own reason where it gives one
    (a rolling year not yet covered by the extract), else "no cases in this period"."""
    given = raw["no_data_reason"] if "no_data_reason" in raw else pd.Series("", index=raw.index)
    given = given.fillna("").astype(str).to_numpy()
    reasons = np.where(given != "", given, "no cases in this period")
    return pd.Series(np.where(no_data, reasons, ""), index=no_data.index, dtype="string")


def _finish(defn: IndicatorDefinition, raw: pd.DataFrame, small_threshold: int) -> pd.DataFrame:
    """Add value, Wilson interval and flags to a compute function's rows."""
    out = raw.copy()
    if "breakdown" not in out:
        out["breakdown"] = OVERALL
    out["breakdown"] = out["breakdown"].fillna(OVERALL).astype("string")
    num = pd.to_numeric(out["numerator"], errors="coerce").astype("Float64")
    den = pd.to_numeric(out["denominator"], errors="coerce").astype("Float64")
    out["numerator"], out["denominator"] = num, den
    if defn.statistic == "proportion":
        with np.errstate(invalid="ignore", divide="ignore"):
            out["value"] = (num / den.where(den > 0)) * 100
        low, high = wilson_interval(num.fillna(0).to_numpy(float), den.fillna(0).to_numpy(float))
        out["ci_low"] = pd.array(np.asarray(low) * 100, dtype="Float64")
        out["ci_high"] = pd.array(np.asarray(high) * 100, dtype="Float64")
        out["no_data"] = (den.fillna(0) == 0).astype("boolean")
        out["no_data_reason"] = _no_data_reasons(raw, out["no_data"])
        # Small numbers make a rate unstable and can identify a child: flag both cases.
        out["small_number"] = (
            ((den < small_threshold) | ((num > 0) & (num < small_threshold)))
            .fillna(False)
            .astype("boolean")
        )
    else:
        if "value" not in out:
            out["value"] = num
        out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("Float64")
        # An interval the compute function gives (an over-dispersion estimate's) is kept.
        for bound in ("ci_low", "ci_high"):
            given = out[bound] if bound in out else pd.Series(pd.NA, index=out.index)
            out[bound] = pd.to_numeric(given, errors="coerce").astype("Float64")
        out["no_data"] = out["value"].isna().astype("boolean")
        out["no_data_reason"] = pd.Series(
            np.where(out["no_data"], "no cases in this period", ""), index=out.index, dtype="string"
        )
        count_basis = den if defn.statistic == "median" else num
        out["small_number"] = (
            ((count_basis > 0) & (count_basis < small_threshold)).fillna(False).astype("boolean")
        )
    out["value"] = out["value"].astype("Float64")
    out["indicator_id"] = defn.id
    out["title"] = defn.title
    out["unit"] = defn.unit
    out["direction"] = defn.direction
    out["statistic"] = defn.statistic
    return out


def _finish_derived(defn: IndicatorDefinition, raw: pd.DataFrame) -> pd.DataFrame:
    """A derived indicator's rows as given: it counts indicators, not cases, so it gets no
    Wilson interval, no small-number flag and no "no cases" reading of its value."""
    out = raw.copy()
    out["breakdown"] = OVERALL
    out["ci_low"], out["ci_high"] = pd.NA, pd.NA
    out["small_number"], out["no_data"], out["no_data_reason"] = False, False, ""
    out["indicator_id"], out["title"] = defn.id, defn.title
    out["unit"], out["direction"], out["statistic"] = defn.unit, defn.direction, defn.statistic
    return out


def _no_data_row(defn: IndicatorDefinition, quarter: pd.DataFrame, reason: str) -> pd.DataFrame:
    row = quarter.copy()
    row["period_type"] = "quarter"
    row["breakdown"] = OVERALL
    for col in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        row[col] = pd.array([pd.NA], dtype="Float64")
    row["small_number"] = pd.array([False], dtype="boolean")
    row["no_data"] = pd.array([True], dtype="boolean")
    row["no_data_reason"] = pd.array([reason], dtype="string")
    row["indicator_id"], row["title"] = defn.id, defn.title
    row["unit"], row["direction"], row["statistic"] = defn.unit, defn.direction, defn.statistic
    return row


def columns_needed(defn: IndicatorDefinition) -> dict[str, tuple[str, ...]]:
    """Columns of each source the indicator reads: as declared, else found in its code."""
    if defn.columns is not None:
        return dict(defn.columns)
    from sendready.indicators.catalogue_doc import columns_read

    return {source: tuple(cols) for source, cols in (columns_read(defn) or {}).items()}


def not_supplied(defn: IndicatorDefinition, data: StagedData) -> str | None:
    """The first column the indicator needs that the area did not supply, as
    ``source.column``, or None.

    Only columns the contract lets an area leave out and marks as needed by the
    indicators reading them (``indicators_need``) are looked at: such a column, absent
    from the file or blank in every row, says nothing, and a figure computed from it would
    read as 0% instead of "no data". Other columns may be wholly blank for a real reason
    (no 20-week exceptions this year), or are ones an indicator falls back without.
    """
    from sendready.metadata.contracts import CONTRACTS

    for source, columns in columns_needed(defn).items():
        contract, frame = CONTRACTS.get(source), data.get(source)
        if contract is None or frame is None or frame.empty:
            continue
        for column in columns:
            if column in contract.column_names and contract.column(column).indicators_need:
                if column not in frame or not frame[column].notna().any():
                    return f"{source}.{column}"
    return None


def compute_indicator(
    defn: IndicatorDefinition,
    data: StagedData,
    period_end: dt.date | str,
    series_start: dt.date | str,
    small_threshold: int = 6,
) -> pd.DataFrame:
    """Monthly series and reporting-quarter rows for one indicator (see module docstring)."""
    if defn.derived:
        raise ValueError(
            f"{defn.id} is computed from other indicators' results: use compute_indicators"
        )
    end = as_timestamp(period_end)
    months = monthly_periods(series_start, end)
    quarter = quarter_period(end)
    extract = data.extract_date
    if extract is not None and end > extract:
        # Stocks (children waiting, staff trained) would otherwise carry the last known
        # position forward into months the extract knows nothing about.
        return _no_data_row(
            defn,
            quarter,
            f"the extracts were taken on {extract.day} "
            f"{extract:%B %Y}, before the end of this period",
        )
    missing = not_supplied(defn, data)
    if missing is not None:
        return _no_data_row(defn, quarter, f"{missing} not supplied")
    try:
        monthly = defn.compute(data, months)
        if defn.grain == "event":
            monthly = monthly[pd.to_numeric(monthly["denominator"], errors="coerce").fillna(0) > 0]
            if monthly.empty:
                raise NoData("no census or survey wave falls in the series")
            # The quarter shows the latest event on or before the period end.
            latest = monthly[monthly["period_start"] == monthly["period_start"].max()].copy()
            latest["period_type"] = "quarter"
            quarterly = latest
        else:
            quarterly = defn.compute(data, quarter)
            quarterly["period_type"] = "quarter"
    except NoData as reason:
        return _no_data_row(defn, quarter, str(reason))
    monthly = monthly.copy()
    monthly["period_type"] = "month"
    combined = pd.concat([monthly, quarterly], ignore_index=True)
    return _finish(defn, combined, small_threshold)


def compute_derived_indicator(
    defn: IndicatorDefinition,
    results: IndicatorResults,
    period_end: dt.date | str,
    series_start: dt.date | str,
    extract_date: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Monthly series and reporting-quarter rows for one derived indicator.

    As for a staged indicator, nothing is said about a period ending after the extracts
    were taken: the other indicators have no figures for it either.
    """
    end = as_timestamp(period_end)
    months = monthly_periods(series_start, end)
    quarter = quarter_period(end)
    if extract_date is not None and end > extract_date:
        return _no_data_row(
            defn,
            quarter,
            f"the extracts were taken on {extract_date.day} "
            f"{extract_date:%B %Y}, before the end of this period",
        )[TABLE_COLUMNS]
    try:
        monthly = defn.compute(results, months).assign(period_type="month")
        quarterly = defn.compute(results, quarter).assign(period_type="quarter")
    except NoData as reason:
        return _no_data_row(defn, quarter, str(reason))[TABLE_COLUMNS]
    combined = pd.concat([monthly, quarterly], ignore_index=True)
    return _finish_derived(defn, combined)[TABLE_COLUMNS]


def compute_indicators(
    data: StagedData,
    period_end: dt.date | str,
    series_start: dt.date | str,
    indicator_ids: Iterable[str] | None = None,
    small_threshold: int = 6,
    targets: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The tidy indicator table for every requested indicator (all by default).

    Indicators computed from staged tables come first, sorted; derived indicators (which
    are computed from those results, see :class:`IndicatorResults`) follow them in the
    order requested.

    Args:
        data: Staged tables.
        period_end: Last day of the reporting quarter (an ISO string is accepted, as
            papermill passes dates as text).
        series_start: First month of the monthly series (normally the profile's
            baseline start, so that SPC limits can be set on the baseline).
        indicator_ids: Which indicators; unknown ids raise ``KeyError`` naming them.
        small_threshold: Counts below this are flagged as small numbers.
        targets: The profile's targets by indicator id, for derived indicators.
    """
    ids = list(indicator_ids) if indicator_ids is not None else list(REGISTRY)
    unknown = [i for i in ids if i not in REGISTRY]
    if unknown:
        raise KeyError(f"unknown indicator ids: {unknown}")
    staged = [i for i in ids if not REGISTRY[i].derived]
    derived = [i for i in ids if REGISTRY[i].derived]
    frames = [
        compute_indicator(REGISTRY[i], data, period_end, series_start, small_threshold)
        for i in staged
    ]
    table = pd.concat(frames, ignore_index=True)[TABLE_COLUMNS]
    table["period_start"] = pd.to_datetime(table["period_start"]).astype("datetime64[ms]")
    table["period_end"] = pd.to_datetime(table["period_end"]).astype("datetime64[ms]")
    for col in ("indicator_id", "title", "unit", "direction", "statistic", "period_type"):
        table[col] = table[col].astype("string")
    table = table.sort_values(
        ["indicator_id", "breakdown", "period_type", "period_start"], kind="stable"
    ).reset_index(drop=True)
    if not derived:
        return table
    results = IndicatorResults(table=table, indicator_ids=tuple(staged), targets=targets or {})
    extra = [
        compute_derived_indicator(
            REGISTRY[i], results, period_end, series_start, data.extract_date
        ).astype(table.dtypes.to_dict())
        for i in derived
    ]
    return pd.concat([table, *extra], ignore_index=True)
