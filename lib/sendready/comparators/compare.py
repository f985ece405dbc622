"""An area's published figure beside England, its region and its statistical neighbours.

Inspectors and DfE advisers read a local rate against three yardsticks: the national
figure, the region, and the ten statistically similar authorities. The neighbour average
here is the plain mean of the neighbours' rates, not their pooled numerators over pooled
denominators: each neighbour is one comparable area and counts once, as in DfE's own
statistical-neighbour averages. Pooling would weight by volume, so in Bury's list the
two largest authorities (Kent and Lancashire) would set most of the "average". The
pooled figure is available with ``average="pooled"`` for readers who want the combined
rate of the group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

import pandas as pd

from sendready.comparators.mapping import indicator_values, mappings_for
from sendready.comparators.names import close_names, did_you_mean, match_name
from sendready.core.errors import SendreadyError

Role = Literal["england", "region", "neighbour", "neighbour_average", "area"]
ROLE_ORDER = ("england", "region", "neighbour", "neighbour_average", "area")
COLUMNS = (
    "indicator_id",
    "period",
    "role",
    "neighbour_rank",
    "geography",
    "geography_code",
    "value",
    "numerator",
    "denominator",
    "symbol",
    "n_areas",
    "note",
)
_GSS = re.compile(r"^[EWSN]\d{8}$")


def benchmarks_for(
    indicator_id: str,
    frame: pd.DataFrame,
    area: str,
    region_name: str | None = None,
    neighbours: Sequence[str] = (),
    periods: Iterable[str] | None = None,
    average: Literal["mean", "pooled"] = "mean",
) -> pd.DataFrame:
    """England, region, each neighbour, the neighbour average and the area, per period.

    Args:
        indicator_id: Catalogue id with a published counterpart (see
            :data:`sendready.comparators.MAPPINGS`).
        frame: Long frame(s) from :func:`sendready.comparators.read_ees_csv`.
        area: The local authority: its name ("Bury"), GSS code ("E08000002") or
            three-digit DfE code ("351").
        region_name: Region to compare with (name or code); taken from the area's own
            rows when None.
        neighbours: Statistical neighbours, nearest first (e.g. from
            :func:`sendready.comparators.statistical_neighbours`).
        periods: Periods to report; every period the file holds for England when None.
        average: ``mean`` of neighbours' rates (default, see module docstring) or
            ``pooled`` numerators over pooled denominators.

    Returns:
        Tidy frame with columns ``indicator_id, period, role, neighbour_rank, geography,
        geography_code, value, numerator, denominator, symbol, n_areas, note``. ``role``
        is one of england, region, neighbour, neighbour_average, area. A neighbour with
        no figure keeps its row with an NA value and a note saying why; ``n_areas`` on the
        average says how many neighbours it rests on.

    Raises:
        SendreadyError: The indicator has no published counterpart in the frame, or the
            area or region cannot be found (with close names suggested).
    """
    if average not in ("mean", "pooled"):
        raise SendreadyError(
            f"Unknown neighbour average {average!r}.", hint="Use 'mean' or 'pooled'."
        )
    values = indicator_values(frame, indicator_id)
    if values.empty:
        expected = ", ".join(m.measure for m in mappings_for(indicator_id)) or "none"
        raise SendreadyError(
            f"The published data holds no figures for {indicator_id}.",
            hint=f"Published measures that stand in for {indicator_id}: {expected}. "
            "Load the release file that has them.",
        )
    las = values[values["geographic_level"] == "Local authority"]
    area_rows = _area_rows(las, area)
    region_rows = _region_rows(values, region_name, area_rows)
    england_rows = values[values["geographic_level"] == "National"]

    wanted = (
        list(periods)
        if periods is not None
        else sorted(set(england_rows["period"]) | set(area_rows["period"]))
    )
    wanted = [str(p) for p in wanted]

    pieces = [
        _role_rows(england_rows, "england", wanted, "England"),
        _role_rows(region_rows, "region", wanted, region_name or "region"),
    ]
    neighbour_pieces = []
    for rank, name in enumerate(neighbours, start=1):
        matched = match_name(name, las["geography"].dropna().unique())
        rows = las[las["geography"] == matched] if matched else las.iloc[0:0]
        why = None if matched else "not in the published data"
        piece = _role_rows(rows, "neighbour", wanted, name, missing_note=why)
        piece["neighbour_rank"] = rank
        neighbour_pieces.append(piece)
    pieces += neighbour_pieces
    if neighbours:
        pieces.append(_neighbour_average(pd.concat(neighbour_pieces), wanted, average))
    pieces.append(_role_rows(area_rows, "area", wanted, area))

    result = pd.concat(pieces, ignore_index=True)
    result.insert(0, "indicator_id", indicator_id)
    result["role_order"] = result["role"].map({r: i for i, r in enumerate(ROLE_ORDER)})
    result = result.sort_values(["period", "role_order", "neighbour_rank"], kind="stable")
    return _typed(result[list(COLUMNS)].reset_index(drop=True))


def _area_rows(las: pd.DataFrame, area: str) -> pd.DataFrame:
    area = str(area).strip()
    if _GSS.match(area):
        rows = las[las["geography_code"] == area]
    elif area.isdigit():
        rows = las[las["old_la_code"] == area]
    else:
        matched = match_name(area, las["geography"].dropna().unique())
        rows = las[las["geography"] == matched] if matched else las.iloc[0:0]
    if rows.empty:
        suggestions = close_names(area, las["geography"].dropna().unique())
        raise SendreadyError(
            f"No local authority {area!r} in the published data.",
            hint=(did_you_mean(suggestions) + " " if suggestions else "")
            + "Give the name as DfE spells it, the GSS code (E08000002) or the three-digit "
            "code (351).",
        )
    return rows


def _region_rows(
    values: pd.DataFrame, region_name: str | None, area_rows: pd.DataFrame
) -> pd.DataFrame:
    regions = values[values["geographic_level"] == "Regional"]
    if region_name is None:
        named = area_rows.dropna(subset=["region_name"]).sort_values("period")
        if named.empty:
            return regions.iloc[0:0]
        region_name = named["region_name"].iloc[-1]
    if _GSS.match(region_name.strip()):
        return regions[regions["geography_code"] == region_name.strip()]
    matched = match_name(region_name, regions["geography"].dropna().unique())
    if matched is None and not regions.empty:
        suggestions = close_names(region_name, regions["geography"].dropna().unique())
        raise SendreadyError(
            f"No region {region_name!r} in the published data.",
            hint=f"Regions in the file: {', '.join(sorted(regions['geography'].unique()))}."
            + (" " + did_you_mean(suggestions[:1]) if suggestions else ""),
        )
    return regions[regions["geography"] == matched]


def _role_rows(
    rows: pd.DataFrame, role: str, periods: list[str], label: str, missing_note: str | None = None
) -> pd.DataFrame:
    """One row per wanted period, NA where the geography has no figure that period."""
    rows = rows[rows["period"].isin(periods)]
    by_period = rows.set_index("period")
    out = pd.DataFrame({"period": periods})
    out["role"] = role
    out["neighbour_rank"] = pd.NA
    name = rows["geography"].dropna()
    code = rows["geography_code"].dropna()
    out["geography"] = name.iloc[-1] if not name.empty else label
    out["geography_code"] = code.iloc[-1] if not code.empty else pd.NA
    for col in ("value", "numerator", "denominator", "symbol"):
        out[col] = by_period[col].reindex(periods).to_numpy()
    out["n_areas"] = pd.NA
    present = out["period"].isin(by_period.index)
    out["note"] = pd.NA
    out.loc[~present, "note"] = missing_note or "no figure for this period"
    return out


def _neighbour_average(neighbours: pd.DataFrame, periods: list[str], how: str) -> pd.DataFrame:
    rows = []
    for period in periods:
        group = neighbours[neighbours["period"] == period]
        if how == "mean":
            rates = group["value"].dropna()
            value = rates.mean() if len(rates) else pd.NA
            num = den = pd.NA
            n_areas = len(rates)
            note = "mean of the neighbours' rates"
        else:
            both = group.dropna(subset=["numerator", "denominator"])
            num = both["numerator"].sum() if len(both) else pd.NA
            den = both["denominator"].sum() if len(both) else pd.NA
            value = 100 * num / den if len(both) and den else pd.NA
            n_areas = len(both)
            note = "pooled numerators over pooled denominators"
        rows.append(
            {
                "period": period,
                "role": "neighbour_average",
                "neighbour_rank": pd.NA,
                "geography": "Statistical neighbours",
                "geography_code": pd.NA,
                "value": value,
                "numerator": num,
                "denominator": den,
                "symbol": pd.NA,
                "n_areas": n_areas,
                "note": f"{note} ({n_areas} of {group.shape[0]} neighbours with a figure)",
            }
        )
    return pd.DataFrame(rows)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    types = {
        c: "string"
        for c in ("indicator_id", "period", "role", "geography", "geography_code", "symbol", "note")
    }
    types.update(
        {
            "value": "Float64",
            "numerator": "Float64",
            "denominator": "Float64",
            "neighbour_rank": "Int64",
            "n_areas": "Int64",
        }
    )
    return frame.astype(types)
