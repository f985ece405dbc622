"""The public pack: every figure on the page is the published file's cell.

Three authorities chosen for what can go wrong: Rutland (one of the smallest, with
suppressed and zero cells), Kent (one of the largest) and Westmorland and Furness
(created in April 2023 from Cumbria, so its earlier years are its predecessor's). Each
page is built with ``write_public_pack`` and read back as HTML; the expected figures are
read here, independently, from the release's own CSV files with the ``csv`` module: no
code of the suite is used to work them out.
"""

from __future__ import annotations

import csv
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

from helpers.shared_paths import SHARED_ROOT

RELEASE = SHARED_ROOT / "data" / "ees_2025"
NEIGHBOURS = SHARED_ROOT / "data" / "statistical_neighbours.csv"
# How each is asked for -> (name, region, predecessor) as the release gives them.
AREAS = {
    "Rutland": ("Rutland", "East Midlands", None),
    "E06000011": ("East Riding of Yorkshire", "Yorkshire and The Humber", None),
    "886": ("Kent", "South East", None),
    "westmorland & furness": ("Westmorland and Furness", "North West", "Cumbria"),
}
# The neighbour list spells four authorities differently from the release.
SPELLINGS = {
    "Bedford Borough": "Bedford",
    "Durham": "County Durham",
    "Herefordshire": "Herefordshire, County of",
    "Kingston Upon Hull, City of": "Kingston upon Hull, City of",
}
# Table caption -> (file, published column, or (numerator, denominator) where DfE
# publishes the counts only, unit).
MEASURES = {
    "Requests for an EHC needs assessment received": (
        "requests.csv",
        "requests_received_in_year",
        None,
        "count",
    ),
    "Requests refused (decided not to assess), % of requests received": (
        "requests.csv",
        "request_not_assess_pc",
        ("requests_decided_not_to_assess", "requests_received_in_year"),
        "percent",
    ),
    "Decisions whether to assess made within 6 weeks": (
        "requests.csv",
        "request_outcome_six_weeks_pc",
        None,
        "percent",
    ),
    "Assessments that led to a plan": ("assessments.csv", "assess_issued", None, "count"),
    "Assessments with a decision not to issue a plan": (
        "assessments.csv",
        "assess_not_issued",
        None,
        "count",
    ),
    "Decisions not to issue a plan made within 16 weeks": (
        "assessments.csv",
        "outcome_decision_within_time_pc",
        None,
        "percent",
    ),
    "EHC plans issued within 20 weeks, excluding exceptions": (
        "timeliness_20_week.csv",
        "PC_plans_issued_20_weeks_ex",
        None,
        "percent",
    ),
    "EHC plans issued within 20 weeks, exceptions included": (
        "timeliness_20_week.csv",
        "pc_plans_issued_within_20_weeks",
        None,
        "percent",
    ),
    "New EHC plans issued": ("timeliness_20_week.csv", "plans_issued_den", None, "count"),
    "Plans due a review in 2024 with a review meeting recorded": (
        "annual_reviews.csv",
        None,
        ("total_review_meeting", "review_expected"),
        "percent",
    ),
    "Review decisions made within 4 weeks of the meeting": (
        "annual_reviews.csv",
        "pc_decsion_4weeks",
        None,
        "percent",
    ),
}
NEEDS_CAPTION = "Share of EHC plans by primary need, January 2025"
NEED_COLUMNS = {
    "Autistic spectrum disorder": "asd_pc",
    "Hearing impairment": "hi_pc",
    "Moderate learning difficulty": "mld_pc",
    "Multi-sensory impairment": "msi_pc",
    "Other difficulty or disability": "oth_pc",
    "Physical disability": "pd_pc",
    "Profound and multiple learning difficulty": "pmld_pc",
    "Social, emotional and mental health": "semh_pc",
    "Speech, language and communication needs": "slcn_pc",
    "Severe learning difficulty": "sld_pc",
    "Specific learning difficulty": "spld_pc",
    "Visual impairment": "vi_pc",
    "Need not recorded": "unknown_pc",
}
QUARTERS = {1: "highest", 2: "second-highest", 3: "second-lowest", 4: "lowest"}


def _need_release() -> None:
    if not RELEASE.is_dir() or not NEIGHBOURS.is_file():
        pytest.skip(f"the published release files are not in {RELEASE.parent}")


def _rows(file: str) -> list[dict[str, str]]:
    """The whole-area rows of a release file, every cell as text."""
    with (RELEASE / file).open(newline="", encoding="utf-8-sig") as handle:
        return [r for r in csv.DictReader(handle) if r["breakdown_topic"].startswith("All")]


_CACHE: dict[str, list[dict[str, str]]] = {}


def _file(file: str) -> list[dict[str, str]]:
    if file not in _CACHE:
        _CACHE[file] = _rows(file)
    return _CACHE[file]


def _neighbours(name: str) -> list[str]:
    with NEIGHBOURS.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index(name)
    return [SPELLINGS.get(r[column], r[column]) for r in rows[1:] if r[column]]


def _number(row: dict[str, str], column: str | None, counts) -> Decimal | None:
    """The published figure, or the counts' ratio where DfE publishes no rate."""
    cell = row.get(column, "").strip() if column else ""
    try:
        return Decimal(cell)
    except ArithmeticError:
        pass
    if counts is None:
        return None
    try:
        numerator, denominator = (Decimal(row[c].strip()) for c in counts)
    except ArithmeticError:
        return None
    return 100 * numerator / denominator if denominator else None


def _shown(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "no data"
    if unit == "count":
        return f"{int(value):,}"
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _find(rows, year: str, **match) -> dict[str, str] | None:
    for row in rows:
        if row["time_period"] == year and all(row[k] == v for k, v in match.items()):
            return row
    return None


# --- reading the page ------------------------------------------------------------------


class _Page(HTMLParser):
    """Tables (caption, header, rows of cell text), paragraphs, and every src/href."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.paragraphs: list[str] = []
        self.links: list[tuple[str, str, str]] = []
        self._text: list[str] | None = None
        self._where = ""

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href"):
                self.links.append((tag, name, value or ""))
        if tag == "table":
            self.tables.append({"caption": "", "header": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        if tag in ("caption", "th", "td", "p"):
            self._text, self._where = [], tag

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._text is None or tag != self._where:
            return
        text = " ".join("".join(self._text).split())
        self._text = None
        if tag == "p":
            self.paragraphs.append(text)
        elif tag == "caption":
            self.tables[-1]["caption"] = text.removeprefix("Numbers behind the chart: ")
        else:
            self.tables[-1]["rows"][-1].append(text)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    _need_release()
    from sendready.publish.public import write_public_pack

    out = tmp_path_factory.mktemp("public")
    return {asked: write_public_pack(asked, out) for asked in AREAS}


# --- the checks ----------------------------------------------------------------------------


def _expected(header: str, year: str, spec, area) -> str | None:
    """What the page should show under ``header`` for ``year`` (None: not a cell)."""
    file, column, counts, unit = spec
    name, region, predecessor = area
    rows = _file(file)
    level = {"England": {"geographic_level": "National"}}
    level[region] = {"geographic_level": "Regional", "region_name": region}
    level[name] = {"geographic_level": "Local authority", "la_name": name}
    if predecessor:
        level[f"{predecessor} (before)"] = {
            "geographic_level": "Local authority",
            "la_name": predecessor,
        }
    if header in level:
        row = _find(rows, year, **level[header])
        return _shown(_number(row, column, counts) if row else None, unit)
    figures = [
        _number(row, column, counts)
        for n in _neighbours(name)
        if (row := _find(rows, year, geographic_level="Local authority", la_name=n))
    ]
    figures = [f for f in figures if f is not None]
    if header == "Neighbour average":
        return _shown(sum(figures) / len(figures), unit) if figures else "no data"
    if header == "Neighbours' range":
        return f"{_shown(min(figures), unit)} to {_shown(max(figures), unit)}" if figures else ""
    if header == "Rank among authorities":
        return _rank(rows, year, column, counts, name)
    raise AssertionError(f"a column the test does not know: {header!r}")


def _rank(rows, year, column, counts, name) -> str:
    las = [
        r for r in rows if r["time_period"] == year and r["geographic_level"] == "Local authority"
    ]
    figures = {r["la_name"]: _number(r, column, counts) for r in las}
    figures = {k: v for k, v in figures.items() if v is not None}
    if name not in figures:
        return ""
    rank = 1 + sum(v > figures[name] for v in figures.values())
    n = len(figures)
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix} of {n} ({QUARTERS[min(4, math.ceil(4 * rank / n))]} quarter)"


@pytest.mark.parametrize("asked", list(AREAS))
def test_every_figure_is_the_published_cell(packs, asked):
    area = AREAS[asked]
    page = _parse(packs[asked])
    checked = 0
    captions = {t["caption"] for t in page.tables}
    assert set(MEASURES) <= captions, set(MEASURES) - captions
    for table in page.tables:
        spec = MEASURES.get(table["caption"])
        if spec is None:
            continue
        header, *rows = table["rows"]
        assert header[0] == "Year"
        for row in rows:
            year = row[0]
            for column, shown in zip(header[1:], row[1:], strict=True):
                expected = _expected(column, year, spec, area)
                assert shown == expected, (table["caption"], year, column)
                checked += 1
    assert checked > 150


@pytest.mark.parametrize("asked", list(AREAS))
def test_primary_needs_are_the_published_shares(packs, asked):
    name, region, _ = AREAS[asked]
    page = _parse(packs[asked])
    table = next(t for t in page.tables if t["caption"] == NEEDS_CAPTION)
    header, *rows = table["rows"]
    assert header == ["Primary need", name, "England", region, "Neighbour average"]
    file = _file("sen_needs_all_plans.csv")
    places = {
        name: {"geographic_level": "Local authority", "la_name": name},
        "England": {"geographic_level": "National"},
        region: {"geographic_level": "Regional", "region_name": region},
    }
    assert [r[0] for r in rows] == list(NEED_COLUMNS)
    for row in rows:
        column = NEED_COLUMNS[row[0]]
        for place, shown in zip(header[1:4], row[1:4], strict=True):
            cell = _find(file, "202425", **places[place])
            assert shown == _shown(Decimal(cell[column]), "percent"), (row[0], place)
        near = [
            Decimal(c[column])
            for n in _neighbours(name)
            if (c := _find(file, "202425", geographic_level="Local authority", la_name=n))
        ]
        assert row[4] == _shown(sum(near) / len(near), "percent"), row[0]


@pytest.mark.parametrize("asked", list(AREAS))
def test_sentences_quote_the_tables(packs, asked):
    """Every figure in a sentence is in the page's tables (so, by the test above, a
    published cell), and the page says it shows published figures only."""
    page = _parse(packs[asked])
    text = " ".join(page.paragraphs)
    assert "This page shows published figures only" in text
    cells = {c for t in page.tables for r in t["rows"] for c in r}
    cells |= {c.split(" (")[0] for c in cells if " of " in c}  # "12th of 153 (...)"
    for paragraph in page.paragraphs:
        if paragraph.startswith(("Ranks count all", "Made with sendready", "DfE, ")):
            continue  # how ranks work; the date the page was made; the sources
        paragraph = re.sub(r"\bcode \d+", "", paragraph)  # DfE's three-digit codes
        for figure in re.findall(
            r"\b\d+(?:st|nd|rd|th) of \d+\b|\b\d{1,3}(?:,\d{3})*(?:\.\d)?(?!\d)(?![,.]\d)%?",
            paragraph,
        ):
            if re.fullmatch(r"(19|20)\d\d", figure) or figure in {"6", "16", "20", "4"}:
                continue  # years and the statutory weeks
            assert figure in cells, (figure, paragraph)


@pytest.mark.parametrize("asked", list(AREAS))
def test_no_external_requests(packs, asked):
    """Images are inline; the only links out are plain links to gov.uk pages."""
    page = _parse(packs[asked])
    html = packs[asked].read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "@import" not in html
    for tag, attribute, value in page.links:
        if attribute == "src":
            assert value.startswith("data:image/"), (tag, value[:60])
            continue
        parsed = urlparse(value)
        if parsed.scheme:
            assert tag == "a" and parsed.scheme == "https", value
            assert parsed.hostname.endswith(".gov.uk"), value
        else:
            assert value.startswith("#"), value


def test_a_predecessor_is_shown_apart_not_merged(packs):
    page = _parse(packs["westmorland & furness"])
    table = next(t for t in page.tables if t["caption"].startswith("EHC plans issued within 20"))
    header, *rows = table["rows"]
    assert "Cumbria (before)" in header
    by_year = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_year["2019"]["Westmorland and Furness"] == "no data"
    assert by_year["2024"]["Cumbria (before)"] == "no data"


def test_codes_and_names_find_the_same_area(packs):
    _need_release()
    from sendready.publish.public import public_pack_html

    by_name = public_pack_html("Kent")[0]
    assert public_pack_html("E10000016")[0] == by_name
    assert public_pack_html("886")[0] == by_name
    # Buckinghamshire's GSS code changed between years in DfE's files: both find it.
    assert public_pack_html("E10000002")[0] == public_pack_html("E06000060")[0]


def test_a_typo_gets_did_you_mean_and_a_gone_authority_its_successors():
    _need_release()
    from sendready.core.errors import SendreadyError
    from sendready.publish.public import public_pack_html

    with pytest.raises(SendreadyError) as typo:
        public_pack_html("Lancshire")
    assert "Did you mean Lancashire" in str(typo.value)
    with pytest.raises(SendreadyError) as gone:
        public_pack_html("Northamptonshire")
    assert "North Northamptonshire and West Northamptonshire" in str(gone.value)


def test_the_commands(capsys, tmp_path):
    _need_release()
    from sendready.cli import main

    assert main(["published", "coverage", "--from", str(RELEASE)]) == 0
    out = capsys.readouterr().out
    assert "## work_based_placements.csv" in out and "**Used**: nothing." in out
    assert main(["published", "refresh", "--from", str(RELEASE), "--to", str(tmp_path / "c")]) == 0
    assert (tmp_path / "c" / "provenance.json").is_file()
    capsys.readouterr()
    assert main(["public"]) == 2
    assert "--la with a name or code, or --all" in capsys.readouterr().err
    assert main(["public", "--la", "Rutlnd", "--out", str(tmp_path / "p")]) == 2
    assert "Did you mean Rutland" in capsys.readouterr().err
    assert main(["public", "--la", "E06000017", "--out", str(tmp_path / "p")]) == 0
    assert (tmp_path / "p" / "rutland.html").is_file()
