"""Reading any DfE explore-education-statistics (EES) tidy CSV into one long frame.

Every EES release publishes its underlying data in the same tidy layout: time and
geography columns first, then optional filter columns (``breakdown_topic``, ``age`` ...),
then one column per measure. Cells that are not numbers carry the Government Statistical
Service symbols (``c`` suppressed, ``z`` not applicable, ``x`` unavailable, ``low`` rounds
to zero, ``u`` low reliability) and some files pad numbers with spaces (``" 51.049"``).
Reading the cells as text and parsing them here, rather than letting pandas guess, keeps
the symbol an analyst needs to explain a gap ("suppressed", not "missing") and stops one
stray space from turning a whole column into text.

The layout rules come from DfE's open data standards for EES (the mandatory columns and
the geography matrix used by DfE's data screener).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sendready.core.errors import SendreadyError

# Columns every EES data file must have (DfE open data standards).
MANDATORY_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
)

# geographic_level -> (name column, code column) per DfE's geography matrix. For a local
# authority the nine-character GSS code (new_la_code) is the code: the three-digit
# old_la_code is kept alongside because DfE tables and LA staff still use it (Bury is 351).
GEOGRAPHY_COLUMNS: dict[str, tuple[str, str | None]] = {
    "National": ("country_name", "country_code"),
    "Regional": ("region_name", "region_code"),
    "Local authority": ("la_name", "new_la_code"),
    "Local authority district": ("lad_name", "lad_code"),
    "RSC region": ("rsc_region_lead_name", None),
    "Parliamentary constituency": ("pcon_name", "pcon_code"),
    "Local skills improvement plan area": ("lsip_name", "lsip_code"),
    "Local enterprise partnership": (
        "local_enterprise_partnership_name",
        "local_enterprise_partnership_code",
    ),
    "English devolved area": ("english_devolved_area_name", "english_devolved_area_code"),
    "Opportunity area": ("opportunity_area_name", "opportunity_area_code"),
    "Ward": ("ward_name", "ward_code"),
    "MAT": ("trust_name", "trust_id"),
    "Sponsor": ("sponsor_name", "sponsor_id"),
    "School": ("school_name", "school_urn"),
    "Provider": ("provider_name", "provider_ukprn"),
    "Institution": ("institution_name", "institution_id"),
    "Planning area": ("planning_area_name", "planning_area_code"),
}
# A local authority row must also say its three-digit code.
_EXTRA_REQUIRED = {"Local authority": ("old_la_code",)}

# DfE's statistics symbols, including the legacy ones older DfE files still carry
# (docs/domain.md, "Published statistics symbols").
SYMBOLS: dict[str, str] = {
    "c": "suppressed to protect confidentiality",
    "z": "not applicable",
    "x": "not available",
    "low": "positive but rounds to zero",
    "u": "low reliability",
    ":": "not available (legacy symbol)",
    "~": "positive but rounds to zero (legacy symbol)",
}

# Columns of the tidy frame, in order; filter columns of the file sit before `measure`.
LONG_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "geography",
    "geography_code",
    "old_la_code",
    "region_code",
    "region_name",
)

_KNOWN_COLUMNS = {
    *MANDATORY_COLUMNS,
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
    *(c for pair in GEOGRAPHY_COLUMNS.values() for c in pair if c),
    "school_laestab",
}
# Names DfE uses for observational units (codes, names, identifiers): never a measure,
# even when every value is a number (a URN, a UKPRN).
_UNIT_NAME = re.compile(r"(_code|_name|_id|_urn|_ukprn|_laestab|_upin)$|^(urn|ukprn|laestab)$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


def read_ees_csv(path: str | Path, dimensions: Sequence[str] = ()) -> pd.DataFrame:
    """Read an EES tidy CSV into a long frame: one row per geography x period x measure.

    Args:
        path: The CSV as downloaded from explore-education-statistics.
        dimensions: Filter columns to keep as dimensions even if every value is a number
            (an ``age`` column of 5, 6, 7 would otherwise look like a measure). Columns
            with any text that is not a number or a symbol are treated as filters anyway.

    Returns:
        Columns ``time_period``, ``time_identifier``, ``geographic_level``, ``geography``
        (the name for the row's level), ``geography_code`` (country, region or
        ``new_la_code``), ``old_la_code``, ``region_code``, ``region_name``, then the file's
        own filter columns (e.g. ``breakdown_topic``, ``breakdown``), then ``measure``,
        ``value`` (``Float64``; NA where the cell holds a symbol) and ``symbol`` (the
        cell's text where it is not a number, e.g. ``c``; NA where it is). Text columns
        are ``string``; blanks are NA.

    Raises:
        SendreadyError: The file is missing, unreadable, or not in the EES layout (the
            message names the file and the missing columns).
    """
    path = Path(path)
    raw = _read_text_frame(path)
    raw = _canonical_headers(raw)
    _check_layout(raw, path)

    filters = [c for c in raw.columns if c not in _KNOWN_COLUMNS and _is_filter(c, raw[c])]
    filters += [c for c in dimensions if c in raw.columns and c not in filters]
    measures = [c for c in raw.columns if c not in _KNOWN_COLUMNS and c not in filters]
    if not measures:
        raise SendreadyError(
            f"{path.name} has the explore-education-statistics layout but no measure columns.",
            hint="Check that this is the release's data file rather than its metadata file.",
        )

    ids = _identity_columns(raw)
    ids[filters] = raw[filters]
    ids = ids.replace("", pd.NA).astype("string")
    long = pd.concat([ids, raw[measures]], axis=1).melt(
        id_vars=list(ids.columns),
        value_vars=measures,
        var_name="measure",
        value_name="cell",
    )
    long["measure"] = long["measure"].astype("string")
    long["value"], long["symbol"] = _parse_cells(long.pop("cell"))
    long.attrs["source_file"] = path.name
    return long


def _read_text_frame(path: Path) -> pd.DataFrame:
    """Every cell as text, trimmed; BOM and Windows encodings tolerated."""
    if not path.is_file():
        raise SendreadyError(
            f"Cannot find the published data file {path}.",
            hint="Check the path; download the CSV from explore-education-statistics.",
        )
    last_error: Exception | None = None
    # utf-8-sig drops the byte-order mark Excel and EES put at the start; cp1252 covers
    # files re-saved from Excel on Windows.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding=encoding,
            )
            break
        except UnicodeDecodeError as exc:
            last_error = exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise SendreadyError(
                f"{path.name} is not a readable CSV file ({exc}).",
                hint="Download the release's underlying data CSV again.",
            ) from None
    else:
        raise SendreadyError(
            f"{path.name} is not text in a known encoding ({last_error}).",
            hint="Save it as CSV (UTF-8).",
        ) from None
    frame.columns = [str(c).replace("\ufeff", "").strip() for c in frame.columns]
    # A trailing comma on every line makes an unnamed, empty column: not data.
    empty_extra = [
        c
        for c in frame.columns
        if (c == "" or c.startswith("Unnamed:")) and frame[c].str.strip().eq("").all()
    ]
    frame = frame.drop(columns=empty_extra)
    return frame.apply(lambda col: col.str.strip())


def _canonical_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Standard column names in lower case, whatever case the file used."""
    lookup = {c.lower(): c for c in _KNOWN_COLUMNS}
    return frame.rename(
        columns={c: lookup[c.lower()] for c in frame.columns if c.lower() in lookup}
    )


def _check_layout(frame: pd.DataFrame, path: Path) -> None:
    missing = [c for c in MANDATORY_COLUMNS if c not in frame.columns]
    if missing:
        raise SendreadyError(
            f"{path.name} is not in the explore-education-statistics tidy format: "
            f"it has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}.",
            hint="Use the release's underlying data CSV (the 'download all data' files), "
            "not a table built on the website or an Excel download.",
        )
    levels = set(frame["geographic_level"]) - {""}
    needed: list[str] = []
    for level in sorted(levels):
        canonical = _level_name(level)
        if canonical is None:
            continue
        name_col, code_col = GEOGRAPHY_COLUMNS[canonical]
        for col in (name_col, code_col, *_EXTRA_REQUIRED.get(canonical, ())):
            if col and col not in frame.columns and col not in needed:
                needed.append(col)
    if needed:
        raise SendreadyError(
            f"{path.name} has rows for {', '.join(sorted(levels))} but no "
            f"{', '.join(needed)} column{'s' if len(needed) > 1 else ''}.",
            hint="Every geographic level needs its name and code columns; download the "
            "release's data CSV again.",
        )


def _level_name(level: str) -> str | None:
    for canonical in GEOGRAPHY_COLUMNS:
        if canonical.lower() == level.strip().lower():
            return canonical
    return None


def _is_filter(name: str, column: pd.Series) -> bool:
    """A filter (dimension) column: named like a unit, or holding words, not numbers."""
    if _UNIT_NAME.search(name.lower()):
        return True
    cells = column[column != ""]
    if cells.empty:
        return False
    numeric = pd.to_numeric(_without_thousands(cells), errors="coerce")
    return bool((numeric.isna() & ~cells.str.lower().isin(SYMBOLS)).any())


def _identity_columns(raw: pd.DataFrame) -> pd.DataFrame:
    """Time, level and the name and code that belong to each row's level."""
    out = pd.DataFrame(index=raw.index)
    for col in ("time_period", "time_identifier", "geographic_level"):
        out[col] = raw[col]
    out["geography"] = ""
    out["geography_code"] = ""
    for level, (name_col, code_col) in GEOGRAPHY_COLUMNS.items():
        rows = raw["geographic_level"].str.lower() == level.lower()
        if not rows.any():
            continue
        out.loc[rows, "geographic_level"] = level
        if name_col in raw.columns:
            out.loc[rows, "geography"] = raw.loc[rows, name_col]
        if code_col and code_col in raw.columns:
            out.loc[rows, "geography_code"] = raw.loc[rows, code_col]
    for col in ("old_la_code", "region_code", "region_name"):
        out[col] = raw[col] if col in raw.columns else ""
    return out


def _parse_cells(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers as Float64; anything else kept as its symbol text."""
    text = cells.astype("string").str.strip()
    number = pd.to_numeric(_without_thousands(text), errors="coerce")
    number = number.astype("Float64")
    # "inf" and "nan" parse as floats but are not published figures.
    finite = number.notna() & ~number.isin([float("inf"), float("-inf")])
    value = number.where(finite, pd.NA)
    symbol = text.where(~finite & text.ne(""), pd.NA).astype("string")
    return value, symbol


def _without_thousands(text: pd.Series) -> pd.Series:
    """ "1,234" as "1234"; EES forbids separators but hand-edited files have them."""
    if not text.str.contains(",", regex=False).any():
        return text  # the regex has a look-behind, which is slow: skip it when idle
    return text.str.replace(_THOUSANDS, "", regex=True)
