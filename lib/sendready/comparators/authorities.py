"""England's 153 local authorities in the published figures: names, codes, regions, ranks.

Publications name an authority three ways: its name, its nine-character GSS code
(``E08000002``) and DfE's three-digit code (``351``). The three-digit code is the one that
stays put: DfE's files gave Buckinghamshire ``E10000002`` in some years and
``E06000060`` in others, with ``825`` throughout. So the shipped figures are keyed on it.

Authorities that were reorganised keep their predecessor's figures apart: Northamptonshire
(``928``) became North and West Northamptonshire in April 2021, and Cumbria (``909``)
became Cumberland and Westmorland and Furness in April 2023. A successor's own series
starts when it was created; the predecessor's figures are shown beside it, labelled, never
merged into it (they count a different, larger area).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pandas as pd

from sendready.comparators.names import close_names, did_you_mean, geography_key, match_name
from sendready.comparators.neighbours import read_statistical_neighbours
from sendready.core.errors import SendreadyError

_GSS = re.compile(r"^E\d{8}$", re.IGNORECASE)

# successor's three-digit code -> (predecessor's code, its name, year the successor began)
PREDECESSORS: dict[str, tuple[str, str, int]] = {
    "940": ("928", "Northamptonshire", 2021),
    "941": ("928", "Northamptonshire", 2021),
    "942": ("909", "Cumbria", 2023),
    "943": ("909", "Cumbria", 2023),
}


@dataclass(frozen=True)
class Authority:
    """One local authority as the latest published figures describe it."""

    name: str
    code: str  # GSS code in the latest figures
    old_code: str  # DfE's three-digit code
    region: str
    region_code: str
    codes: tuple[str, ...]  # every GSS code the figures have used for it

    @property
    def predecessor(self) -> tuple[str, str, int] | None:
        """(code, name, year the authority began) of the authority it replaced, if any."""
        return PREDECESSORS.get(self.old_code)


def neighbours_path() -> Path:
    """The statistical neighbour list shipped with the suite: DfE's children's services
    statistical neighbour benchmarking tool, unchanged, under the Open Government Licence
    v3.0 (each column lists one authority's ten nearest neighbours, nearest first)."""
    return Path(str(files("sendready.comparators") / "data" / "statistical_neighbours.csv"))


def authority_table(values: pd.DataFrame) -> list[Authority]:
    """Every authority with a figure in the latest period, from :func:`indicator_values`."""
    las = values[values["geographic_level"] == "Local authority"]
    las = las.dropna(subset=["old_la_code"])
    latest_period = las["period"].str[:4].max()
    current = las[las["period"].str[:4] == latest_period]
    codes = las.groupby("old_la_code")["geography_code"].agg(lambda s: tuple(sorted(set(s))))
    rows = current.drop_duplicates("old_la_code").sort_values("geography")
    return [
        Authority(
            name=str(r.geography),
            code=str(r.geography_code),
            old_code=str(r.old_la_code),
            region=str(r.region_name),
            region_code=str(r.region_code),
            codes=codes[r.old_la_code],
        )
        for r in rows.itertuples()
    ]


def find_authority(text: str, authorities: list[Authority]) -> Authority:
    """The authority ``text`` names: a three-digit or GSS code, or a name.

    Raises:
        SendreadyError: Nothing matches; the message suggests close names, or names the
            successors of an authority that no longer exists.
    """
    text = str(text).strip()
    by_old = {a.old_code: a for a in authorities}
    if text.isdigit() and text in by_old:
        return by_old[text]
    if _GSS.match(text):
        for authority in authorities:
            if text.upper() in authority.codes:
                return authority
    matched = match_name(text, [a.name for a in authorities])
    if matched is not None:
        return next(a for a in authorities if a.name == matched)
    gone = _successors(text, authorities)
    if gone:
        raise SendreadyError(f"{text!r} is no longer a local authority.", hint=gone)
    suggestions = close_names(text, [a.name for a in authorities])
    raise SendreadyError(
        f"No local authority {text!r} in the published figures.",
        hint=(did_you_mean(suggestions) + " " if suggestions else "")
        + "Give the name (Bury), the GSS code (E08000002) or DfE's three-digit code (351).",
    )


def _successors(text: str, authorities: list[Authority]) -> str:
    key = geography_key(text)
    for old_code, name, year in {v for v in PREDECESSORS.values()}:
        if text == old_code or key == geography_key(name):
            heirs = [a.name for a in authorities if a.predecessor and a.predecessor[0] == old_code]
            return (
                f"{name} was replaced in April {year} by {' and '.join(heirs)}: give one of "
                "those (each pack shows the figures published for it beforehand)."
            )
    return ""


@functools.cache
def _neighbour_table() -> dict[str, list[str]]:
    return read_statistical_neighbours(neighbours_path())


def neighbours_of(authority: Authority, authorities: list[Authority]) -> list[Authority]:
    """The authority's statistical neighbours, nearest first, as authorities.

    A neighbour the list names that is not in the figures is left out; an authority the
    list does not have gets none (the pack then says so).
    """
    table = _neighbour_table()
    column = match_name(authority.name, table)
    if column is None:
        return []
    names = [a.name for a in authorities]
    found = []
    for name in table[column]:
        matched = match_name(name, names)
        if matched is not None:
            found.append(next(a for a in authorities if a.name == matched))
    return found


# --- ranks ----------------------------------------------------------------------------


def ranks(values: pd.DataFrame) -> pd.DataFrame:
    """Each local authority's rank and quartile among all authorities with a figure.

    Args:
        values: Rows of one indicator (and breakdown) from :func:`indicator_values`.

    Returns:
        ``period``, ``old_la_code``, ``rank`` (1 = highest value; ties share the better
        rank), ``n_ranked`` and ``quartile`` (1 = the highest quarter, 4 = the lowest),
        as DfE's local authority interactive tool bands them: quartile =
        ceil(4 x rank / n). Whether high is good is the caller's to say.
    """
    las = values[(values["geographic_level"] == "Local authority") & values["value"].notna()]
    las = las.drop_duplicates(["period", "old_la_code"])
    out = las[["period", "old_la_code"]].copy()
    value = las["value"].astype(float)
    out["rank"] = value.groupby(las["period"]).rank(ascending=False, method="min").astype(int)
    out["n_ranked"] = las.groupby("period")["period"].transform("size").astype(int)
    out["quartile"] = [
        min(4, max(1, math.ceil(4 * r / n)))
        for r, n in zip(out["rank"], out["n_ranked"], strict=True)
    ]
    return out.reset_index(drop=True)


def quartile_words(quartile: int, direction: str | None) -> str:
    """Plain words for a quartile: "the highest quarter (best)" and so on."""
    place = {1: "highest quarter", 2: "second-highest quarter", 3: "second-lowest quarter"}
    words = place.get(int(quartile), "lowest quarter")
    best = {("up", 1), ("down", 4)}
    worst = {("up", 4), ("down", 1)}
    if (direction, int(quartile)) in best:
        return f"the {words} of authorities (the best)"
    if (direction, int(quartile)) in worst:
        return f"the {words} of authorities (the furthest from the best)"
    return f"the {words} of authorities"


SERIES_COLUMNS = (
    "period",
    "role",
    "geography",
    "value",
    "numerator",
    "denominator",
    "symbol",
    "derived",
    "rank",
    "n_ranked",
    "quartile",
)


class IndicatorIndex:
    """One indicator's rows split once by place, as plain records, so that building many
    areas' series is cheap (a DataFrame per area and role would cost more than the rest
    of a public pack together).

    Args:
        values: Rows of one indicator and breakdown from :func:`indicator_values`.
    """

    def __init__(self, values: pd.DataFrame) -> None:
        rows = values[["period", "geography", "symbol"]].astype(object)
        rows = rows.where(rows.notna(), None)
        for column in ("value", "numerator", "denominator"):
            rows[column] = values[column].astype("float64")
        rows["derived"] = values["derived"].fillna(False).astype(bool)
        level = values["geographic_level"].astype(object).to_numpy()
        code = values["geography_code"].astype(object).to_numpy()
        old = values["old_la_code"].astype(object).to_numpy()
        self.national: list[dict] = []
        self.by_region: dict[str, list[dict]] = {}
        self.by_authority: dict[str, list[dict]] = {}
        for i, record in enumerate(rows.to_dict("records")):
            if level[i] == "National":
                self.national.append(record)
            elif level[i] == "Regional":
                self.by_region.setdefault(code[i], []).append(record)
            elif level[i] == "Local authority" and isinstance(old[i], str):
                self.by_authority.setdefault(old[i], []).append(record)
        ranked = ranks(values)
        self.ranks = {
            (r.old_la_code, r.period): (r.rank, r.n_ranked, r.quartile) for r in ranked.itertuples()
        }


def area_series(
    values: pd.DataFrame | IndicatorIndex,
    authority: Authority,
    neighbours: list[Authority] = (),
) -> pd.DataFrame:
    """One indicator for an authority beside England, its region and its neighbours.

    Args:
        values: Rows of one indicator and breakdown from :func:`indicator_values`, or
            their :class:`IndicatorIndex` (faster when building many areas' series).
        authority: The area.
        neighbours: Its statistical neighbours, nearest first.

    Returns:
        Columns :data:`SERIES_COLUMNS`, one row per period and geography; ``role`` is
        ``area``, ``predecessor`` (the authority it replaced, before it began),
        ``england``, ``region``, ``neighbour`` or ``neighbour_average`` (the plain mean
        of the neighbours' published figures, each counted once). Rank and quartile are
        on the area's rows.
    """
    index = values if isinstance(values, IndicatorIndex) else IndicatorIndex(values)
    records = []
    for record in index.by_authority.get(authority.old_code, []):
        rank = index.ranks.get((authority.old_code, record["period"]), (None, None, None))
        records.append(
            {
                **record,
                "role": "area",
                **dict(zip(("rank", "n_ranked", "quartile"), rank, strict=True)),
            }
        )
    records += [{**r, "role": "england"} for r in index.national]
    records += [{**r, "role": "region"} for r in index.by_region.get(authority.region_code, [])]
    if authority.predecessor:
        old = index.by_authority.get(authority.predecessor[0], [])
        records += [{**r, "role": "predecessor"} for r in old]
    sums: dict[str, list[float]] = {}
    for neighbour in neighbours:
        for record in index.by_authority.get(neighbour.old_code, []):
            records.append({**record, "role": "neighbour"})
            if record["value"] == record["value"]:  # not NaN
                sums.setdefault(record["period"], []).append(record["value"])
    records += [
        {
            "period": period,
            "role": "neighbour_average",
            "geography": "Statistical neighbours",
            # Rounded far below what is shown, so that a mean of exactly x.x5 is not
            # shown as x.x4999... rounded down.
            "value": round(sum(found) / len(found), 9),
        }
        for period, found in sums.items()
    ]
    series = pd.DataFrame.from_records(records, columns=list(SERIES_COLUMNS))
    series["value"] = series["value"].astype(float)
    return series.sort_values(["period", "role"], kind="stable").reset_index(drop=True)
