"""The public pack: one short page of published figures for any of England's 153 areas.

``sendready public --la Kent`` writes ``outputs/public/<slug>.html`` from the figures
DfE publishes (the copy shipped with the suite, :mod:`sendready.comparators.release`)
and nothing else: no area's own extracts, so anyone (a board member, a parent carer
forum, a new analyst) can see where an area stands before any data are built.
``--all`` writes every area and an ``index.html``.

Each page covers requests for assessment, assessments, timeliness, annual reviews and
needs, 2019-2024 where published, with England, the region and the area's statistical
neighbours, its rank among authorities and a plain-English sentence per measure. Every
area, England and region figure is a published cell; the neighbour average (the mean of
the neighbours' published figures) and the ranks are worked out here and say so.

The page is self-contained: CSS inline, charts as inline PNG with alt text and the table
of figures beneath, and no link other than to the gov.uk pages of the sources.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from sendready.comparators.authorities import (
    Authority,
    IndicatorIndex,
    area_series,
    authority_table,
    find_authority,
    neighbours_of,
    quartile_words,
)
from sendready.comparators.mapping import NEED_COLUMNS
from sendready.comparators.release import (
    LICENCE,
    LICENCE_URL,
    RELEASE_TITLE,
    SOURCE_URL,
    load_shipped_values,
)
from sendready.core.formatting import format_value
from sendready.reports.charts.benchmark import benchmark_chart, benchmark_table, rank_words
from sendready.reports.common import escape, heading, paragraph, slug, table_html

NEIGHBOURS_URL = "https://www.gov.uk/government/publications/local-authority-interactive-tool-lait"


@dataclass(frozen=True)
class Measure:
    """One published measure on the page.

    Attributes:
        indicator_id: Id in the shipped figures (catalogue or ``CTX_``).
        title: Plain words, used as the table caption.
        direction: ``up``, ``down`` or ``neutral`` (ranks are always highest first).
        chart: Draw the trend chart (multi-year rates only; the rest are tables).
        compare: Show England, region and neighbours (rates); counts show the area only.
    """

    indicator_id: str
    title: str
    direction: str = "neutral"
    chart: bool = False
    compare: bool = True


SECTIONS_FILE = Path(__file__).with_name("public_sections.yaml")


@functools.cache
def _layout() -> dict:
    return yaml.safe_load(SECTIONS_FILE.read_text(encoding="utf-8"))


def sections() -> tuple[tuple[str, str, tuple[Measure, ...]], ...]:
    """The public pack's sections (title, why, measures), read from
    ``public_sections.yaml``: which published figures a page shows is data about the
    release, kept beside the code rather than in it."""
    raw = _layout()["sections"]
    return tuple(
        (
            section["title"],
            section["why"],
            tuple(
                Measure(
                    m["indicator"],
                    m["title"],
                    m.get("direction", "neutral"),
                    chart=m.get("chart", False),
                    compare=m.get("compare", True),
                )
                for m in section["measures"]
            ),
        )
        for section in raw
    )


@dataclass
class PublishedFigures:
    """The shipped figures, split once by indicator, with ranks worked out once."""

    values: pd.DataFrame
    authorities: list[Authority]
    by_id: dict[tuple[str, str], IndicatorIndex]

    def series(self, indicator_id: str, authority: Authority, near: list[Authority], part=""):
        key = (indicator_id, part)
        if key not in self.by_id:
            return None
        return area_series(self.by_id[key], authority, near)


@functools.cache
def published_figures() -> PublishedFigures:
    """The shipped figures, ready for packs (read once per process)."""
    values = load_shipped_values()
    by_id = {
        (indicator_id, part): IndicatorIndex(rows)
        for (indicator_id, part), rows in values.groupby(
            ["indicator_id", values["breakdown"].fillna("")], sort=False
        )
    }
    return PublishedFigures(values, authority_table(values), by_id)


# --- one pack --------------------------------------------------------------------------


def public_pack_html(la: str, figures: PublishedFigures | None = None) -> tuple[Authority, str]:
    """The page for the authority ``la`` names (code or name; see
    :func:`sendready.comparators.authorities.find_authority`)."""
    figures = figures or published_figures()
    authority = find_authority(la, figures.authorities)
    near = neighbours_of(authority, figures.authorities)
    parts = [_intro(authority, near)]
    for title, why, measures in sections():
        parts.append(_section(figures, authority, near, title, why, measures))
    parts.append(_needs(figures, authority, near))
    parts.append(_sources())
    return authority, _page(f"{authority.name}: EHC plans in published figures", parts)


def _intro(authority: Authority, near: list[Authority]) -> str:
    names = "; ".join(n.name for n in near) if near else "none listed"
    lines = [
        heading(1, f"{authority.name}: education, health and care plans in published figures"),
        '<p class="sr-notice"><strong>This page shows published figures only.</strong> '
        "Every figure for the area, England and the region is taken unchanged from "
        f"{escape(RELEASE_TITLE)}; nothing comes from the council's own records. "
        "The neighbour average and the ranks are worked out from those published "
        "figures.</p>",
        paragraph(
            f"{authority.name} (DfE code {authority.old_code}, {authority.code}) is in "
            f"the {authority.region} region. Its statistical neighbours (the ten most "
            f"similar authorities in DfE's benchmarking tool) are: {names}."
        ),
    ]
    if authority.predecessor:
        code, name, year = authority.predecessor
        lines.append(
            paragraph(
                f"{authority.name} began in April {year}, when {name} (code {code}) was "
                f"replaced by two new authorities. Figures before {year} are {name}'s, "
                f"shown separately as \u201c{name} (before)\u201d: they cover a larger area."
            )
        )
    lines.append(
        paragraph(
            "Ranks count all authorities with a published figure, highest figure first "
            "(1st is the highest), and quarters split them into four equal groups."
        )
    )
    return "".join(lines)


def _section(figures, authority, near, title, why, measures) -> str:
    anchor = slug(title)
    out = [f'<section aria-labelledby="{anchor}">', heading(2, title, anchor), paragraph(why)]
    for measure in measures:
        series = figures.series(measure.indicator_id, authority, near)
        if series is None or series[series["role"] == "area"]["value"].isna().all():
            out.append(heading(3, measure.title))
            out.append(paragraph(f"DfE publishes no figure for {authority.name} for this."))
            continue
        out.append(_measure(measure, series, authority))
    out.append("</section>")
    return "".join(out)


def _measure(measure: Measure, series: pd.DataFrame, authority: Authority) -> str:
    unit = "percent" if measure.compare else "count"
    shown = series if measure.compare else series[series["role"].isin(["area", "predecessor"])]
    shown = shown[shown["period"].isin(_periods_with_figures(shown))]
    out = [heading(3, measure.title), paragraph(_sentence(measure, shown, authority, unit))]
    if measure.chart:
        chart = benchmark_chart(shown, measure.title, unit=unit, direction=measure.direction)
        try:
            out.append(chart.html())
        finally:
            import matplotlib.pyplot as plt

            plt.close(chart.figure)
    else:
        table = benchmark_table(shown, unit)
        if not measure.compare:  # a count's rank says only how big the area is
            table = table.drop(columns=["Rank among authorities"], errors="ignore")
        units = {c: unit for c in table.columns[1:]}
        out.append(table_html(table, measure.title, units))
    if shown["derived"].fillna(False).astype(bool).any():
        years = sorted(shown.loc[shown["derived"].fillna(False).astype(bool), "period"].unique())
        out.append(
            paragraph(
                f"DfE publishes the counts but not this percentage for {', '.join(years)}: "
                "those figures are the published counts' ratio.",
                "sr-note",
            )
        )
    return "".join(out)


def _periods_with_figures(series: pd.DataFrame) -> list[str]:
    has = series[series["value"].notna()]
    return sorted(has["period"].unique())


def _sentence(measure: Measure, series: pd.DataFrame, authority: Authority, unit: str) -> str:
    """One plain-English sentence: the area's latest figure, the year before, England
    and the region, and its rank."""
    area = series[(series["role"] == "area") & series["value"].notna()].sort_values("period")
    if area.empty:
        return f"DfE publishes no figure for {authority.name} for this."
    last = area.iloc[-1]
    text = (
        f"In {last['period']}, {authority.name}: {format_value(last['value'], unit)}"
        + (
            f" (in {area.iloc[-2]['period']}: {format_value(area.iloc[-2]['value'], unit)})"
            if len(area) > 1
            else ""
        )
        + "."
    )
    if not measure.compare:
        return text
    latest = series[series["period"] == last["period"]]

    def figure(role: str) -> str | None:
        hit = latest[(latest["role"] == role) & latest["value"].notna()]
        return None if hit.empty else format_value(hit["value"].iloc[0], unit)

    england, region = figure("england"), figure("region")
    if england:
        text += f" England: {england}."
    if region:
        text += f" {authority.region}: {region}."
    words = rank_words(last["rank"], last["n_ranked"], last["quartile"])
    if words:
        where = quartile_words(last["quartile"], measure.direction)
        text += f" That ranks {authority.name} {words.split(' (')[0]}, in {where}."
    return text


def _needs(figures: PublishedFigures, authority: Authority, near: list[Authority]) -> str:
    anchor = "primary-needs"
    needs_id = _layout()["primary_needs_indicator"]
    rows = []
    for code in NEED_COLUMNS.values():
        series = figures.series(needs_id, authority, near, f"need={code}")
        if series is None:
            continue
        row = {"Primary need": NEED_WORDS.get(code, code)}
        for role, label in (
            ("area", authority.name),
            ("england", "England"),
            ("region", authority.region),
            ("neighbour_average", "Neighbour average"),
        ):
            hit = series[series["role"] == role]["value"]
            row[label] = hit.iloc[0] if len(hit) else pd.NA
        rows.append(row)
    out = [
        f'<section aria-labelledby="{anchor}">',
        heading(2, "Primary needs of EHC plans, January 2025", anchor),
    ]
    if not rows:
        out.append(paragraph("DfE publishes no figures by primary need for this area."))
        return "".join([*out, "</section>"])
    table = pd.DataFrame(rows)
    table[table.columns[1:]] = table[table.columns[1:]].astype("Float64")
    top = table.sort_values(authority.name, ascending=False).iloc[0]
    out.append(
        paragraph(
            f"In January 2025 the most common primary need among {authority.name}'s plans "
            f"was {top['Primary need'].lower()}: {format_value(top[authority.name], 'percent')} "
            f"of plans (England: {format_value(top['England'], 'percent')}). A different mix "
            "is not better or worse: it describes what is recorded."
        )
    )
    caption = "Share of EHC plans by primary need, January 2025"
    out.append(table_html(table, caption, {c: "percent" for c in table.columns[1:]}))
    out.append("</section>")
    return "".join(out)


NEED_WORDS = {
    "ASD": "Autistic spectrum disorder",
    "HI": "Hearing impairment",
    "MLD": "Moderate learning difficulty",
    "MSI": "Multi-sensory impairment",
    "OTH": "Other difficulty or disability",
    "PD": "Physical disability",
    "PMLD": "Profound and multiple learning difficulty",
    "SEMH": "Social, emotional and mental health",
    "SLCN": "Speech, language and communication needs",
    "SLD": "Severe learning difficulty",
    "SPLD": "Specific learning difficulty",
    "VI": "Visual impairment",
    "NSA": "Need not recorded",
}


def _sources() -> str:
    return (
        '<footer class="sr-provenance" aria-labelledby="sources">'
        + heading(2, "Sources", "sources")
        + f'<p>{escape(RELEASE_TITLE)}: <a href="{SOURCE_URL}">Education, health and '
        "care plans on explore-education-statistics</a>. Statistical neighbours: DfE's "
        f"children's services statistical neighbour benchmarking tool (<a href=\""
        f'{NEIGHBOURS_URL}">local authority interactive tool</a>). Contains public sector '
        f'information licensed under the <a href="{LICENCE_URL}">{LICENCE}</a>.</p>'
        f"<p>Made with sendready on {dt.date.today():%d %B %Y}.</p></footer>"
    )


_CSS = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#1b1b1b;background:#fff;
line-height:1.5;margin:0;overflow-wrap:break-word}
main{max-width:60rem;margin:0 auto;padding:0 1rem 2rem}
a{color:#1d4f91;text-decoration:underline}
a:focus,a:focus-visible{outline:3px solid #ffbf47;background:#ffbf47;color:#0b0c0c}
table:focus-visible{outline:3px solid #0b0c0c;outline-offset:2px}
.sr-skip{position:absolute;left:-999px;top:0;padding:.5rem 1rem;background:#fff}
.sr-skip:focus{left:.5rem;z-index:10}
.sr-notice{border-left:6px solid #1d4f91;padding:.5rem 1rem;background:#f3f2f1}
img{max-width:100%;height:auto}figure{margin:1rem 0}
figcaption{color:#4a4a4a;font-size:.95rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.95rem;display:block;
max-width:100%;overflow-x:auto}
caption{text-align:left;font-weight:bold;padding:.25rem 0}
th,td{border:1px solid #b1b4b6;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f2f1}td.sr-num,th.sr-num{text-align:right}
.sr-note{color:#4a4a4a;font-size:.95rem}
.sr-provenance{border-top:1px solid #b1b4b6;margin-top:2rem;color:#4a4a4a;font-size:.9rem}
"""


def _page(title: str, parts: list[str]) -> str:
    # Every table a tab stop, so a keyboard can scroll one that is wider than a narrow
    # screen (as publish.export.focusable_tables does for the board pack, without
    # importing nbconvert for it).
    body = re.sub(r"<table\b(?![^>]*\btabindex=)", '<table tabindex="0"', "".join(parts))
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        '<a class="sr-skip" href="#main">Skip to the figures</a>'
        f'<main id="main">{body}</main></body></html>\n'
    )


# --- writing packs -----------------------------------------------------------------------


def write_public_pack(la: str, out_dir: str | Path) -> Path:
    """Write one area's page to ``out_dir/<slug>.html`` and return its path."""
    authority, page = public_pack_html(la)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{slug(authority.name)}.html"
    path.write_text(page, encoding="utf-8")
    return path


def _one(code: str, out_dir: str) -> str:
    return str(write_public_pack(code, out_dir))


def write_all_public_packs(
    out_dir: str | Path, jobs: int | None = None, progress: Callable[[str], None] | None = None
) -> list[Path]:
    """Every authority's page plus ``index.html``, in ``jobs`` processes (default: the
    machine's processors, at most 4)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = published_figures()
    codes = [a.old_code for a in figures.authorities]
    jobs = jobs or min(4, os.cpu_count() or 1)
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        from sendready.core.pools import pool_context

        with ProcessPoolExecutor(
            jobs, mp_context=pool_context(), initializer=published_figures
        ) as pool:
            paths = list(pool.map(_one, codes, [str(out_dir)] * len(codes), chunksize=8))
    else:
        paths = [_one(code, str(out_dir)) for code in codes]
    if progress:
        progress(f"wrote {len(paths)} area pages")
    index = out_dir / "index.html"
    index.write_text(_index(figures.authorities), encoding="utf-8")
    return [Path(p) for p in paths] + [index]


def _index(authorities: list[Authority]) -> str:
    by_region: dict[str, list[Authority]] = {}
    for authority in authorities:
        by_region.setdefault(authority.region, []).append(authority)
    parts = [
        heading(1, "Education, health and care plans: published figures for every area"),
        '<p class="sr-notice"><strong>These pages show published figures only</strong>, '
        f"from {escape(RELEASE_TITLE)}, for each of England's {len(authorities)} local "
        "authorities.</p>",
    ]
    for region in sorted(by_region):
        parts.append(heading(2, region))
        items = "".join(
            f'<li><a href="{slug(a.name)}.html">{escape(a.name)}</a></li>'
            for a in sorted(by_region[region], key=lambda a: a.name)
        )
        parts.append(f"<ul>{items}</ul>")
    parts.append(_sources())
    return _page("EHC plans: published figures for every area", parts)
