"""Which published EES measures are the catalogue's indicators, and how closely.

A published rate is only a fair benchmark for a local indicator when it counts the same
thing. Each mapping below names the published rate, the numerator and denominator
columns that reproduce it, and whether the definition is the ``same`` as the catalogue's
(docs/indicators.md) or only ``close``, with the difference written down so a report can say
so. Measures with no catalogue counterpart (plans issued including exceptions,
assessments not leading to a plan, mediation followed by tribunal) are deliberately left
unmapped. Where two mappings of one indicator give a figure for the same area and
period, the first listed wins (the file that published that era).

Verified against ``dfe_sen2_la_2014_2022.csv`` and its data guidance: for every row of
that file, numerator / denominator x 100 reproduces the published rate to within its
rounding (0.05) for both sen2_mi mappings; for example Bury 2019, 168 / 213 = 78.9%
(DfE, "Education, health and care plans", the SEN2 release).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from sendready.comparators.ees import LONG_COLUMNS
from sendready.core.errors import SendreadyError

Comparability = Literal["same", "close"]

_AGGREGATE = "sen2_mi.csv (aggregate SEN2 return, 2014-2021; person-level figures from 2022)"
_PERSON_LEVEL = "timeliness_20_week.csv (person-level SEN2 return, 2022 onwards)"


@dataclass(frozen=True)
class MeasureMapping:
    """One published EES measure standing in for a catalogue indicator.

    Attributes:
        indicator_id: Catalogue id (docs/indicators.md).
        measure: The published rate's column name (matched without regard to case:
            DfE has published both ``PC_plans_issued_20_weeks_ex`` and
            ``pc_plans_issued_20_weeks_ex``).
        numerator: Column holding the rate's numerator.
        denominator: Column holding the rate's denominator.
        collection: The EES file and era the columns belong to.
        comparability: ``same`` definition as the catalogue, or only ``close``.
        note: How the published measure differs from the catalogue's, in words a board
            reader can follow.
    """

    indicator_id: str
    measure: str
    numerator: str
    denominator: str
    collection: str
    comparability: Comparability
    note: str


MAPPINGS: tuple[MeasureMapping, ...] = (
    # Person-level era column names: PC_plans_issued_20_weeks_ex, plans_issued_20_weeks_ex
    # and plans_issued_den_ex are those listed in the shared data README for
    # timeliness_20_week.csv; the EHC02 columns are from the same file's published header
    # (2025 and later releases). No person-level file is held locally to check them on.
    MeasureMapping(
        "EHC01",
        "pc_plans_issued_20_weeks_ex",
        "plans_issued_20_weeks_ex",
        "plans_issued_den_ex",
        _PERSON_LEVEL,
        "same",
        "Plans issued within 20 weeks, excluding exceptions and cases with mediation or "
        "tribunal, calendar year (person-level return; a series break from the aggregate "
        "return).",
    ),
    MeasureMapping(
        "EHC01",
        "no_exc_20week_rate",
        "no_exc_20week_ehc",
        "tot_no_exc_ehc",
        _AGGREGATE,
        "same",
        "Plans issued within 20 weeks, excluding exceptions, calendar year. Before 2022 "
        "the aggregate return did not exclude cases that went to mediation or tribunal; "
        "the time limit was relaxed for part of 2020 (coronavirus).",
    ),
    MeasureMapping(
        "EHC04",
        "ass_refused_ehc_pc",
        "ass_refused_ehc",
        "inreq_ehc",
        _AGGREGATE,
        "close",
        "DfE divides refused initial requests by all initial requests received in the "
        "year; the catalogue divides refusals by decisions made, so requests withdrawn "
        "or still awaiting a decision lower DfE's rate but not the catalogue's.",
    ),
    MeasureMapping(
        "EHC02",
        "pc_plans_issued_gt_1_year",
        "plans_issued_gt_1_year",
        "plans_issued_den",
        _PERSON_LEVEL,
        "close",
        "DfE counts plans issued more than a year after the request; the catalogue "
        "counts more than 364 days (52 weeks), so a plan issued on day 365 differs.",
    ),
)


def mappings_for(indicator_id: str) -> list[MeasureMapping]:
    """The published measures that stand in for ``indicator_id`` (possibly none)."""
    return [m for m in MAPPINGS if m.indicator_id == indicator_id]


def indicator_values(frame: pd.DataFrame, indicator_id: str | None = None) -> pd.DataFrame:
    """Published values of mapped indicators, with numerator and denominator beside them.

    Args:
        frame: A long frame from :func:`sendready.comparators.read_ees_csv` (several may be
            concatenated).
        indicator_id: Restrict to one indicator; every mapped indicator when None.

    Returns:
        One row per indicator x period x geography: ``indicator_id``, ``period``,
        ``time_identifier``, ``geographic_level``, ``geography``, ``geography_code``,
        ``old_la_code``, ``region_code``, ``region_name``, ``value``, ``numerator``,
        ``denominator`` (``Float64``), ``symbol`` (why the value is missing),
        ``measure``, ``comparability`` and ``note``. Rows split by a filter (age, need)
        are left out: only the all-plans rows are the indicator.

    Raises:
        SendreadyError: A file splits the measure by a filter with no total row, or holds
            two rows for one geography and period, so no single value can be chosen.
    """
    wanted = mappings_for(indicator_id) if indicator_id else list(MAPPINGS)
    by_lower = frame["measure"].str.lower()
    parts = []
    for mapping in wanted:
        rate = frame[by_lower == mapping.measure.lower()]
        if rate.empty:
            continue
        rate = _total_rows(rate, mapping)
        out = rate[list(LONG_COLUMNS)].rename(columns={"time_period": "period"})
        out.insert(0, "indicator_id", mapping.indicator_id)
        out["value"] = rate["value"]
        for part, column in (
            ("numerator", mapping.numerator),
            ("denominator", mapping.denominator),
        ):
            counts = _total_rows(frame[by_lower == column.lower()], mapping, quiet=True)
            out[part] = _aligned(rate, counts)
        out["symbol"] = rate["symbol"]
        # The 2022 rows of sen2_mi.csv publish 0 for a rate over zero cases (Isles of
        # Scilly, West Berkshire) where earlier years publish z. A rate of nothing is not
        # a figure to compare with: treat it as DfE does elsewhere, not applicable.
        empty = (out["denominator"] == 0).fillna(False)
        out.loc[empty, "value"] = pd.NA
        out.loc[empty, "symbol"] = "z"
        out["measure"] = mapping.measure
        out["comparability"] = mapping.comparability
        out["note"] = mapping.note
        parts.append(out)
    if not parts:
        columns = [
            "indicator_id",
            "period",
            *LONG_COLUMNS[1:],
            "value",
            "numerator",
            "denominator",
            "symbol",
            "measure",
            "comparability",
            "note",
        ]
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns}).astype(
            {"value": "Float64", "numerator": "Float64", "denominator": "Float64"}
        )
    result = pd.concat(parts, ignore_index=True)
    # sen2_mi.csv repeats the first person-level year (2022) that timeliness_20_week.csv
    # also holds: where two mappings give the same figure, the one listed first wins.
    result = result.drop_duplicates(
        ["indicator_id", "period", "geographic_level", "geography_code", "geography"],
        keep="first",
    ).reset_index(drop=True)
    text = [c for c in result.columns if c not in ("value", "numerator", "denominator")]
    result[text] = result[text].astype("string")
    numbers = ["value", "numerator", "denominator"]
    result[numbers] = result[numbers].astype("Float64")
    return result


def _filter_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if c not in LONG_COLUMNS and c not in ("measure", "value", "symbol")
    ]


def _is_total(values: pd.Series) -> pd.Series:
    text = values.fillna("Total").str.strip().str.lower()
    return text.isin(["total", "all"]) | text.str.startswith("all ")


def _total_rows(rows: pd.DataFrame, mapping: MeasureMapping, quiet: bool = False) -> pd.DataFrame:
    """The rows that describe everyone, not one age, need or ethnic group."""
    filters = [c for c in _filter_columns(rows) if rows[c].notna().any()]
    keep = pd.Series(True, index=rows.index)
    for col in filters:
        keep &= _is_total(rows[col])
    if filters and not keep.any() and not rows.empty and not quiet:
        raise SendreadyError(
            f"The published measure {mapping.measure} is split by "
            f"{', '.join(filters)} and has no total row.",
            hint="Filter the frame to the rows you want to compare before asking for benchmarks.",
        )
    rows = rows[keep]
    dupes = rows.duplicated(
        ["time_period", "geographic_level", "geography_code", "geography", "old_la_code"],
        keep=False,
    )
    if dupes.any() and not quiet:
        first = rows[dupes].iloc[0]
        raise SendreadyError(
            f"More than one row of {mapping.measure} for {first['geography']} "
            f"{first['time_period']}: the same figure appears in two files or twice in one.",
            hint="Load each release once, or keep one file per collection era.",
        )
    return rows


def _aligned(rate: pd.DataFrame, counts: pd.DataFrame) -> pd.Series:
    """The count on the same period and geography as each rate row (NA if absent)."""
    key = ["time_period", "geographic_level", "geography_code", "geography", "old_la_code"]
    left = rate[key].fillna("")
    right = counts[key].fillna("").assign(count=counts["value"].to_numpy())
    right = right.drop_duplicates(key)
    merged = left.merge(right, on=key, how="left", validate="many_to_one")
    return pd.Series(merged["count"].astype("Float64").array, index=rate.index)
