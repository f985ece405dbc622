"""The benchmark figures shipped with the suite, and merging them with an area's files.

``data/published_benchmarks.csv`` holds published DfE figures ("Education, health and care
plans", the SEN2 release, and "Special educational needs in England"), one row per figure
with its source, so a
report has England, North West and Bury comparators even when nobody has downloaded a
DfE file. An area that supplies explore-education-statistics files gets their figures as
well; where both give the same figure, the file's wins, because it carries numerators,
denominators and full precision where the shipped table has a rounded rate.

Ids starting ``CTX_`` are context measures that are not in the indicator catalogue (no
local data computes them); they sit in the table because reports quote them beside the
catalogue indicators. ``period`` is the calendar year (``2019``) for activity in a year
and ``YYYY-01`` for a January snapshot (census or caseload), so the two never collide.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path

import pandas as pd

from sendready.comparators.ees import read_ees_csv
from sendready.comparators.mapping import indicator_values
from sendready.comparators.names import geography_key
from sendready.core.errors import SendreadyError
from sendready.metadata.contracts import get_contract

PUBLISHED_COLUMNS = (
    "indicator_id",
    "geography",
    "geography_code",
    "period",
    "breakdown",
    "value",
    "numerator",
    "denominator",
    "unit",
    "source",
    "note",
)
_NUMBERS = ("value", "numerator", "denominator")

# Context measures: quoted beside catalogue indicators, computed by no local indicator.
CONTEXT_IDS: dict[str, str] = {
    "CTX_EHCP_PCT": "pupils in schools in England with an EHC plan (% of pupils, January)",
    "CTX_SENSUPPORT_PCT": "pupils on SEN support (% of pupils, January)",
    "CTX_EHCP_COUNT": "EHC plans maintained by the local authority (count, January)",
    "CTX_TRIBUNAL_APPEAL_RATE": "SEND Tribunal appeals as a % of appealable decisions",
    "CTX_EHC_20WK_ALL": "EHC plans issued within 20 weeks, exceptions included (%)",
    "CTX_PLANS_ISSUED": "new EHC plans issued in the calendar year (count)",
    "CTX_REQUESTS": "initial requests for an EHC needs assessment received (count)",
    "CTX_REFUSED": "requests the local authority decided not to assess (count)",
    "CTX_ASSESS_ISSUED": "EHC needs assessments that led to a plan (count)",
    "CTX_ASSESS_NOT_ISSUED": "EHC needs assessments with a decision not to issue (count)",
    "CTX_PERSONAL_BUDGETS": "personal budgets recorded in the SEN2 return (count)",
    "CTX_PLANS_CEASED": "EHC plans that ceased in the calendar year (count)",
}


def published_benchmarks_path() -> Path:
    """Where the shipped table lives inside the installed package."""
    return Path(str(files("sendready.comparators") / "data" / "published_benchmarks.csv"))


def load_published_benchmarks(path: str | Path | None = None) -> pd.DataFrame:
    """The shipped table (or a table in the same layout), typed.

    Returns:
        Columns :data:`PUBLISHED_COLUMNS`; numbers ``Float64``, text ``string`` with
        blanks as NA.

    Raises:
        SendreadyError: The file is missing, lacks a column or holds a value that is not
            a number.
    """
    path = Path(path) if path else published_benchmarks_path()
    if not path.is_file():
        raise SendreadyError(f"Cannot find the benchmark table {path}.")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in PUBLISHED_COLUMNS if c not in table.columns]
    if missing:
        raise SendreadyError(
            f"{path.name} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}.",
            hint=f"A benchmark table has the columns {', '.join(PUBLISHED_COLUMNS)}.",
        )
    table = table[list(PUBLISHED_COLUMNS)].apply(lambda col: col.str.strip())
    for col in _NUMBERS:
        cells = table[col]
        number = pd.to_numeric(cells.where(cells != ""), errors="coerce").astype("Float64")
        problem = (cells != "") & number.isna()
        if col == "value":  # a benchmark without a value is no benchmark
            problem |= cells == ""
        if problem.any():
            i = int(problem.to_numpy().argmax())
            what = "is blank" if cells.iloc[i] == "" else f"{cells.iloc[i]!r} is not a number"
            raise SendreadyError(
                f"{path.name} row {i + 2}: {col} {what}.",
                hint="Write percentages as 0-100 numbers without a % sign.",
            )
        table[col] = number
    text = [c for c in PUBLISHED_COLUMNS if c not in _NUMBERS]
    table[text] = table[text].replace("", pd.NA).astype("string")
    return table


def to_benchmarks_contract(table: pd.DataFrame) -> pd.DataFrame:
    """The columns of the ``benchmarks`` source contract, in its order.

    Works on the shipped table and on :func:`ees_benchmarks` output, so either can be
    staged or validated like an area's own ``benchmarks`` file.
    """
    columns = get_contract("benchmarks").column_names
    if "breakdown" not in columns:  # contracts without the breakdown column
        columns = [*columns, "breakdown"]
    return table[columns].reset_index(drop=True)


def ees_benchmarks(frame: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Mapped indicators of an EES long frame, in the shipped table's layout.

    Every geography in the frame (England, regions, each local authority) becomes a row.
    Cells holding a symbol (suppressed, not applicable) are left out: a benchmark row
    needs a value.

    Args:
        frame: Long frame from :func:`read_ees_csv`.
        source: Citation for the rows; by default the file name and column.
    """
    values = indicator_values(frame)
    values = values[values["value"].notna()]
    file_name = frame.attrs.get("source_file", "an explore-education-statistics file")
    out = pd.DataFrame(
        {
            "indicator_id": values["indicator_id"],
            "geography": values["geography"],
            "geography_code": values["geography_code"],
            "period": values["period"],
            "breakdown": values["breakdown"],
            "value": values["value"],
            "numerator": values["numerator"],
            "denominator": values["denominator"],
            "unit": values["unit"],
            "source": source
            if source
            else ("DfE, explore-education-statistics: " + file_name + ", " + values["measure"]),
            "note": values["note"],
        }
    )
    return out.astype({c: "string" for c in PUBLISHED_COLUMNS if c not in _NUMBERS}).reset_index(
        drop=True
    )


def combine_benchmarks(
    ees_files: Iterable[str | Path] = (),
    include_published: bool = True,
    contract_shape: bool = False,
) -> pd.DataFrame:
    """The shipped figures plus those of any EES files the area supplies.

    Where a file and the shipped table give the same indicator, geography (matched by
    GSS code, else by name), period and breakdown, the file's row is kept. Files are
    read in the order given and an earlier file wins over a later one.

    Args:
        ees_files: EES tidy CSVs (e.g. ``sen2_mi.csv``, ``timeliness_20_week.csv``).
        include_published: Add the shipped table.
        contract_shape: Return the ``benchmarks`` contract's columns only.
    """
    parts = [ees_benchmarks(read_ees_csv(path)) for path in ees_files]
    if include_published:
        parts.append(load_published_benchmarks())
    if not parts:
        combined = load_published_benchmarks().iloc[0:0]
    else:
        combined = pd.concat(parts, ignore_index=True)
    place = combined["geography_code"].fillna(
        "name:" + combined["geography"].fillna("").map(geography_key)
    )
    combined = combined.assign(_place=place, _part=combined["breakdown"].fillna(""))
    combined = combined.drop_duplicates(["indicator_id", "_place", "period", "_part"])
    combined = (
        combined.drop(columns=["_place", "_part"])
        .sort_values(
            ["indicator_id", "period", "geography", "breakdown"],
            kind="stable",
        )
        .reset_index(drop=True)
    )
    return to_benchmarks_contract(combined) if contract_shape else combined
