"""Which published EES measures are the catalogue's indicators, and how closely.

A published rate is only a fair benchmark for a local indicator when it counts the same
thing. Each mapping below names the published rate, the numerator and denominator
columns that reproduce it, and whether the definition is the ``same`` as the catalogue's
(docs/indicators.md) or only ``close``, with the difference written down so a report can say
so. Published figures the catalogue has no indicator for but a report quotes beside one
(requests received, plans issued with exceptions included, plans ceased) map to ``CTX_``
context ids. Measures used by neither (mediation followed by tribunal, residential
placements) are deliberately left unmapped, and
:func:`sendready.comparators.release.coverage` says so, file by file and column by
column. Where two mappings of one indicator give a figure for the same area and period,
the first listed wins (the file that published that era). Where DfE publishes the counts
but not the rate (EHC06; EHC04 before 2023) the rate is their ratio, marked ``derived``.

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
        indicator_id: Catalogue id (docs/indicators.md), or a ``CTX_`` context id
            (:data:`sendready.comparators.CONTEXT_IDS`) for a published figure the
            catalogue has no indicator for but a report quotes beside one.
        measure: The published rate's (or count's) column name (matched without regard
            to case: DfE has published both ``PC_plans_issued_20_weeks_ex`` and
            ``pc_plans_issued_20_weeks_ex``). None when DfE publishes the counts but no
            rate: the rate is then numerator / denominator x 100, marked ``derived``.
        numerator: Column holding the rate's numerator (None for a count).
        denominator: Column holding the rate's denominator (None for a count). ``a+b``
            is the sum of two columns (DfE publishes the parts, not the total);
            ``file:column`` reads the column from another release file of the same
            period (personal budgets over plans maintained).
        collection: The EES file and era the columns belong to.
        comparability: ``same`` definition as the catalogue, or only ``close``.
        note: How the published measure differs from the catalogue's, in words a board
            reader can follow.
        file: Release file (name without ``.csv``) the columns are read from; None for
            any file holding them. Needed where two files share a column name
            (``ehc_plans`` is in both needs files).
        unit: ``percent`` or ``count``.
        breakdown: The breakdown the figure describes (``need=ASD``), None for the whole.
        january: The file's ``202425`` is a January snapshot (SEN2's census date), so
            the period is written ``2025-01``, the shipped table's form for a snapshot.
    """

    indicator_id: str
    measure: str | None
    numerator: str | None
    denominator: str | None
    collection: str
    comparability: Comparability
    note: str
    file: str | None = None
    unit: str = "percent"
    breakdown: str | None = None
    january: bool = False


_RELEASE_2025 = "DfE, Education, health and care plans, June 2025 release"
_PLANS_COLLECTION = f"sen_needs_all_plans.csv ({_RELEASE_2025}), plans at January"
# Primary need columns of sen_needs_all_plans.csv -> the ehc_plans contract's need codes.
NEED_COLUMNS: dict[str, str] = {
    "asd": "ASD",
    "hi": "HI",
    "mld": "MLD",
    "msi": "MSI",
    "oth": "OTH",
    "pd": "PD",
    "pmld": "PMLD",
    "semh": "SEMH",
    "slcn": "SLCN",
    "sld": "SLD",
    "spld": "SPLD",
    "vi": "VI",
    "need_unknown": "NSA",
}


def _need_mapping(column: str, code: str) -> MeasureMapping:
    rate = "unknown_pc" if column == "need_unknown" else f"{column}_pc"
    return MeasureMapping(
        "ID04",
        rate,
        f"number_{column}",
        "ehc_plans",
        _PLANS_COLLECTION,
        "same",
        "Share of EHC plans maintained in January with this primary need.",
        file="sen_needs_all_plans",
        breakdown=f"need={code}",
        january=True,
    )


MAPPINGS: tuple[MeasureMapping, ...] = (
    # Person-level era column names, checked against the June 2025 release's
    # timeliness_20_week.csv (2019-2024 rows: DfE republished the earlier years in the
    # new layout).
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
        file="timeliness_20_week",
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
        "CTX_EHC_20WK_ALL",
        "pc_plans_issued_within_20_weeks",
        "plans_issued_within_20_weeks",
        "plans_issued_den",
        _PERSON_LEVEL,
        "close",
        "Plans issued within 20 weeks, all plans: exceptions (reg 10(4)) included, so "
        "lower than EHC01 where families asked for more time.",
        file="timeliness_20_week",
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
        file="timeliness_20_week",
    ),
    MeasureMapping(
        "CTX_PLANS_ISSUED",
        "plans_issued_den",
        None,
        None,
        _PERSON_LEVEL,
        "same",
        "New EHC plans issued in the calendar year, exceptions included.",
        file="timeliness_20_week",
        unit="count",
    ),
    MeasureMapping(
        "EHC03",
        "request_outcome_six_weeks_pc",
        "request_outcome_six_weeks",
        "request_outcome_six_weeks+request_outcome_over_6_weeks",
        f"requests.csv ({_RELEASE_2025})",
        "same",
        "Decisions on whether to assess made within 6 weeks of the request (person-level "
        "return, 2023 onwards). DfE's rate is shown as published; its denominator is "
        "not published and differs slightly from the sum of the two counts.",
        file="requests",
    ),
    MeasureMapping(
        "EHC04",
        "request_not_assess_pc",
        "requests_decided_not_to_assess",
        "requests_received_in_year",
        f"requests.csv ({_RELEASE_2025})",
        "close",
        "DfE divides refused initial requests by all initial requests received in the "
        "year; the catalogue divides refusals by decisions made, so requests withdrawn "
        "or still awaiting a decision lower DfE's rate but not the catalogue's. Before "
        "2023 DfE published the counts but not the rate: those years are the counts' "
        "ratio.",
        file="requests",
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
        "CTX_REQUESTS",
        "requests_received_in_year",
        None,
        None,
        f"requests.csv ({_RELEASE_2025})",
        "same",
        "Initial requests for an EHC needs assessment received in the calendar year.",
        file="requests",
        unit="count",
    ),
    MeasureMapping(
        "CTX_REFUSED",
        "requests_decided_not_to_assess",
        None,
        None,
        f"requests.csv ({_RELEASE_2025})",
        "same",
        "Requests the local authority decided not to assess.",
        file="requests",
        unit="count",
    ),
    MeasureMapping(
        "CTX_ASSESS_ISSUED",
        "assess_issued",
        None,
        None,
        f"assessments.csv ({_RELEASE_2025})",
        "same",
        "EHC needs assessments completed in the year that led to a plan.",
        file="assessments",
        unit="count",
    ),
    MeasureMapping(
        "CTX_ASSESS_NOT_ISSUED",
        "assess_not_issued",
        None,
        None,
        f"assessments.csv ({_RELEASE_2025})",
        "same",
        "EHC needs assessments completed in the year with a decision not to issue a plan.",
        file="assessments",
        unit="count",
    ),
    MeasureMapping(
        "EHC05",
        "outcome_decision_within_time_pc",
        "outcome_decision_within_time",
        "outcome_decision_within_time+outcome_decision_over_time",
        f"assessments.csv ({_RELEASE_2025})",
        "same",
        "Decisions not to issue a plan made within 16 weeks of the request (person-level "
        "return, 2023 onwards).",
        file="assessments",
    ),
    MeasureMapping(
        "EHC06",
        None,
        "total_review_meeting",
        "review_expected",
        f"annual_reviews.csv ({_RELEASE_2025})",
        "close",
        "DfE publishes counts, not a rate: plans due a review in the year with a review "
        "meeting recorded, over plans due a review. It does not say whether the meeting "
        "was held by its due date, as the catalogue's measure does.",
        file="annual_reviews",
    ),
    MeasureMapping(
        "EHC07",
        "pc_decsion_4weeks",
        "number_decsion_4weeks",
        "number_decsion_4weeks+number_decision_gt_4weeks",
        f"annual_reviews.csv ({_RELEASE_2025})",
        "same",
        "Review decisions notified within 4 weeks of the review meeting.",
        file="annual_reviews",
    ),
    MeasureMapping(
        "EHC09",
        "ehc_plans",
        None,
        None,
        _PLANS_COLLECTION,
        "same",
        "EHC plans maintained by the local authority in January.",
        file="sen_needs_all_plans",
        unit="count",
        january=True,
    ),
    *(_need_mapping(column, code) for column, code in NEED_COLUMNS.items()),
    MeasureMapping(
        "JC07",
        None,
        "personal_budget",
        "sen_needs_all_plans:ehc_plans",
        f"personal_budgets.csv and sen_needs_all_plans.csv ({_RELEASE_2025})",
        "close",
        "Personal budgets recorded in the 2024/25 SEN2 return over EHC plans maintained "
        "in January 2025 (DfE publishes the two counts, not the rate).",
        file="personal_budgets",
        january=True,
    ),
    MeasureMapping(
        "CTX_PERSONAL_BUDGETS",
        "personal_budget",
        None,
        None,
        f"personal_budgets.csv ({_RELEASE_2025})",
        "same",
        "Personal budgets recorded in the SEN2 return (all types).",
        file="personal_budgets",
        unit="count",
        january=True,
    ),
    MeasureMapping(
        "CTX_PLANS_CEASED",
        "total_ceased",
        None,
        None,
        f"ceased_plans.csv ({_RELEASE_2025})",
        "same",
        "EHC plans that ceased in the calendar year, for any reason.",
        file="ceased_plans",
        unit="count",
    ),
)

VALUE_COLUMNS = (
    "indicator_id",
    "period",
    *LONG_COLUMNS[1:],
    "breakdown",
    "value",
    "numerator",
    "denominator",
    "symbol",
    "derived",
    "unit",
    "measure",
    "file",
    "comparability",
    "note",
)
_NUMBERS = ("value", "numerator", "denominator")
_KEY = ["time_period", "geographic_level", "geography_code", "geography", "old_la_code"]


def mappings_for(indicator_id: str) -> list[MeasureMapping]:
    """The published measures that stand in for ``indicator_id`` (possibly none)."""
    return [m for m in MAPPINGS if m.indicator_id == indicator_id]


def indicator_values(frame: pd.DataFrame, indicator_id: str | None = None) -> pd.DataFrame:
    """Published values of mapped indicators, with numerator and denominator beside them.

    Args:
        frame: A long frame from :func:`sendready.comparators.read_ees_csv` (several may be
            concatenated; a ``source_file`` column, as
            :func:`sendready.comparators.release.read_release` adds, tells files apart).
        indicator_id: Restrict to one indicator; every mapped indicator when None.

    Returns:
        One row per indicator x period x geography x breakdown: ``indicator_id``,
        ``period``, ``time_identifier``, ``geographic_level``, ``geography``,
        ``geography_code``, ``old_la_code``, ``region_code``, ``region_name``,
        ``breakdown``, ``value``, ``numerator``, ``denominator`` (``Float64``),
        ``symbol`` (why the value is missing), ``derived`` (True where DfE published the
        counts but not this rate, so the value is their ratio), ``unit``, ``measure``,
        ``file``, ``comparability`` and ``note``. Rows split by a filter (age, need) are
        left out: only the all-plans rows are the indicator.

    Raises:
        SendreadyError: A file splits the measure by a filter with no total row, or holds
            two rows for one geography and period, so no single value can be chosen.
    """
    wanted = mappings_for(indicator_id) if indicator_id else list(MAPPINGS)
    frame = _with_file(frame)
    # Plain object columns while selecting: Arrow-backed strings cost more per operation
    # than the release's few thousand rows per measure take to filter. Typed at the end.
    text = [c for c in frame.columns if c not in ("value",) and frame[c].dtype != object]
    frame = frame.astype(dict.fromkeys(text, object))
    # Whether each row describes everyone (no age, need or ethnic group), once rather
    # than once per measure and count (a filter left blank describes everyone).
    total = pd.Series(True, index=frame.index)
    for column in _filter_columns(frame):
        total &= _is_total(frame[column].astype("string")).to_numpy()
    frame = frame.assign(_total=total)
    lower = frame["measure"].str.lower()
    parts = [
        part for part in (_mapped(frame, lower, mapping) for mapping in wanted) if part is not None
    ]
    if not parts:
        empty = pd.DataFrame({c: pd.Series(dtype="string") for c in VALUE_COLUMNS})
        return empty.astype({c: "Float64" for c in _NUMBERS} | {"derived": "boolean"})
    result = pd.concat(parts, ignore_index=True)
    # sen2_mi.csv repeats the first person-level year (2022) that timeliness_20_week.csv
    # also holds: where two mappings give the same figure, the one listed first wins.
    result = result.drop_duplicates(
        ["indicator_id", "period", "geographic_level", "geography_code", "geography", "breakdown"],
        keep="first",
    ).reset_index(drop=True)
    text = [c for c in VALUE_COLUMNS if c not in (*_NUMBERS, "derived")]
    result[text] = result[text].where(result[text].notna(), pd.NA).astype("string")
    result[list(_NUMBERS)] = result[list(_NUMBERS)].astype("Float64")
    result["derived"] = result["derived"].astype("boolean")
    return result[list(VALUE_COLUMNS)]


def _with_file(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a ``source_file`` column (the file name without ``.csv``)."""
    if "source_file" in frame.columns:
        return frame
    name = str(frame.attrs.get("source_file", ""))
    return frame.assign(source_file=name.removesuffix(".csv") or pd.NA)


def _rows(frame: pd.DataFrame, lower: pd.Series, column: str, file: str | None) -> pd.DataFrame:
    rows = frame[lower == column.lower()]
    if file is not None:
        mine = rows["source_file"] == file
        # A frame read from one file with no name (a test's constructed file) is taken
        # to be the file the mapping names.
        rows = rows[mine.fillna(True).astype(bool)]
    return rows


def _mapped(frame: pd.DataFrame, lower: pd.Series, mapping: MeasureMapping) -> pd.DataFrame | None:
    anchor_column = mapping.measure or mapping.numerator
    anchor = _rows(frame, lower, anchor_column, mapping.file)
    if anchor.empty:
        return None
    anchor = _total_rows(anchor, mapping)
    out = anchor[list(LONG_COLUMNS)].rename(columns={"time_period": "period"})
    out.insert(0, "indicator_id", mapping.indicator_id)
    out["breakdown"] = mapping.breakdown
    if mapping.measure:
        out["value"] = anchor["value"]
        out["symbol"] = anchor["symbol"]
    else:
        out["value"] = pd.Series(pd.NA, index=anchor.index, dtype="Float64")
        out["symbol"] = pd.Series(pd.NA, index=anchor.index, dtype="string")
    out["numerator"] = _count(frame, lower, mapping.numerator, mapping, anchor)
    out["denominator"] = _count(frame, lower, mapping.denominator, mapping, anchor)
    out["derived"] = False
    if mapping.unit == "percent":
        _fill_rates(out)
    if mapping.january:
        out["period"] = out["period"].map(_january)
    out["unit"] = mapping.unit
    out["measure"] = mapping.measure or f"{mapping.numerator} / {mapping.denominator}"
    out["file"] = anchor["source_file"]
    out["comparability"] = mapping.comparability
    out["note"] = mapping.note
    return out


def _fill_rates(out: pd.DataFrame) -> None:
    """Rates DfE did not publish (``x`` or no column) from the published counts; rates
    over nothing as not applicable."""
    # The 2022 rows of sen2_mi.csv publish 0 for a rate over zero cases (Isles of
    # Scilly, West Berkshire) where earlier years publish z. A rate of nothing is not
    # a figure to compare with: treat it as DfE does elsewhere, not applicable.
    empty = (out["denominator"] == 0).fillna(False).astype(bool)
    out.loc[empty, "value"] = pd.NA
    out.loc[empty, "symbol"] = "z"
    unpublished = out["symbol"].isna() | out["symbol"].isin(["x", ":"])
    computable = out["value"].isna() & unpublished & out["numerator"].notna() & ~empty
    computable &= out["denominator"].notna()
    ratio = (100 * out["numerator"] / out["denominator"]).round(9)  # no x.x4999... for x.x5
    out.loc[computable, "value"] = ratio[computable]
    out.loc[computable, "symbol"] = pd.NA
    out.loc[computable, "derived"] = True


def _january(period: object) -> object:
    """``202425`` (an academic or financial year) -> ``2025-01``, its January."""
    text = str(period)
    if len(text) == 6 and text.isdigit():
        return f"{text[:2]}{text[4:]}-01"
    return period


def _count(
    frame: pd.DataFrame,
    lower: pd.Series,
    spec: str | None,
    mapping: MeasureMapping,
    anchor: pd.DataFrame,
) -> pd.Series:
    """The count ``spec`` names (a column, ``a+b`` or ``file:column``) on each anchor row."""
    if not spec:
        return pd.Series(pd.NA, index=anchor.index, dtype="Float64")
    total = None
    for term in spec.split("+"):
        file, _, column = term.rpartition(":")
        rows = _rows(frame, lower, column, file or mapping.file)
        part = _aligned(anchor, _total_rows(rows, mapping, quiet=True))
        total = part if total is None else total + part
    return total


def _filter_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if c not in LONG_COLUMNS
        and c not in ("measure", "value", "symbol", "source_file", "_total")
    ]


def _is_total(values: pd.Series) -> pd.Series:
    text = values.fillna("Total").str.strip().str.lower()
    return text.isin(["total", "all"]) | text.str.startswith("all ")


def _total_rows(rows: pd.DataFrame, mapping: MeasureMapping, quiet: bool = False) -> pd.DataFrame:
    """The rows that describe everyone, not one age, need or ethnic group."""
    if "_total" in rows.columns:  # worked out once for the whole frame
        keep = rows["_total"].astype(bool)
        filters = [] if keep.any() or rows.empty else _filter_columns(rows)
        filters = [c for c in filters if rows[c].notna().any()]
    else:
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

    def joined(frame: pd.DataFrame) -> pd.Series:
        # One plain text key: merging on five Arrow-backed string columns is several
        # times slower, and the release has tens of thousands of rows.
        parts = [frame[c].astype(object).fillna("").to_numpy() for c in key]
        text = parts[0]
        for part in parts[1:]:
            text = text + "\x1f" + part
        return pd.Series(text, dtype=object)

    found = pd.Series(counts["value"].to_numpy(), index=joined(counts).to_numpy())
    found = found[~found.index.duplicated()]
    looked_up = found.reindex(joined(rate).to_numpy())
    return pd.Series(pd.array(looked_up.to_numpy(), dtype="Float64"), index=rate.index)
