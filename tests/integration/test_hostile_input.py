"""Hostile input: markup comes out as text, formulas are neutralised, paths stay put.

A council's extracts are typed by hundreds of people, and some of what they type is
markup (``<b>``), script pasted from a web page, or text that a spreadsheet would run as
a formula. The board pack is opened in browsers and the quarantine files in Excel, so
neither may give that text a second meaning. One batch run over a poisoned sample
(``guarantee_pack``) is checked page by page and file by file; the profile-path checks
need no run.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from helpers.guarantee_pack import (
    EXTRA_HEADERS,
    FORMULA_CELLS,
    HOSTILE_AREA,
    MARKUP,
    hostile_pack,
)
from sendready.cli import main as cli_main
from sendready.core.errors import SendreadyError
from sendready.ingest.plan import locate_sources
from sendready.ingest.run import run_ingest
from sendready.metadata.contracts import CONTRACTS
from sendready.metadata.profile import Profile, builtin_profiles, load_profile

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$")


@pytest.fixture(scope="module")
def pack():
    return hostile_pack()


class _Page(HTMLParser):
    """Elements, attributes and the text a reader sees (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.attribute_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.attribute_text.extend(v for _, v in attrs if v)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pages(pack):
    files = pack.html_files
    names = {p.name for p in files}
    # The index, the board summary, every weakness report, data quality and the
    # single-file pack: a page missing here would escape every check below.
    assert {"index.html", "board_summary.html", "data_quality.html", "pack.html"} <= names
    return {p.name: p.read_text(encoding="utf-8") for p in files}


def test_every_report_in_the_hostile_run_succeeded(pack):
    # A report that failed on hostile text would hide it by not existing: the data-quality
    # report once did, on an area name holding markup (export refused its raw <img>).
    failed = [(r.key, r.error) for o in pack.outcomes for r in o.results if r.status != "ok"]
    assert failed == []
    weaknesses = {w.id for w in load_profile(pack.profile_path).weaknesses}
    assert {f"{w}.html" for w in weaknesses} <= {p.name for p in pack.html_files}


def test_no_page_holds_a_script_an_event_handler_or_a_javascript_link(pages):
    for name, html in pages.items():
        assert "<script" not in html.lower(), name
        for raw in (*MARKUP, HOSTILE_AREA):
            assert raw not in html, f"{name} holds {raw!r} unescaped"
        page = _parse(html)
        assert not [t for t, _ in page.tags if t in ("script", "iframe", "object", "embed")]
        for tag, attrs in page.tags:
            handlers = [a for a in attrs if a.lower().startswith("on")]
            assert not handlers, f"{name}: <{tag}> has event handler(s) {handlers}"
            for attr in ("href", "src"):
                value = (attrs.get(attr) or "").strip().lower()
                assert not value.startswith(("javascript:", "vbscript:")), (name, tag, value)
        # Every image is one the suite drew: an inlined PNG chart.
        for tag, attrs in page.tags:
            if tag == "img":
                assert (attrs.get("src") or "").startswith("data:image/png;base64,"), name


def _text(html: str) -> str:
    return _squash(" ".join(_parse(html).text))


def test_markup_in_quotes_is_shown_as_the_words_typed(pack, pages):
    # The latest consented quote of each weakness carries markup, and one more starts with
    # a spreadsheet formula; each is shown on its weakness's page, character for character.
    kept = {w.id for w in load_profile(pack.profile_path).weaknesses}
    changed = [
        q
        for q in _quotes(pack)
        if q["quote_id"] in pack.injected["quote_ids"] and q["weakness_id"] in kept
    ]
    assert len(changed) == len(kept) + 1
    for quote in changed:
        assert _squash(quote["text"]) in _text(pages[f"{quote['weakness_id']}.html"]), quote


def _quotes(pack) -> list[dict[str, str]]:
    with (pack.data_dir / "quotes.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_markup_in_school_names_is_shown_as_text_in_the_funnel_table(pack, pages):
    text = _text(pages["W6.html"])
    shown = [name for name in pack.injected["school"] if _squash(name) in text]
    # Every kind of hostile name reaches the page (the funnel's table lists the schools).
    for prefix in (*MARKUP, *FORMULA_CELLS):
        assert any(name.startswith(prefix) for name in shown), prefix


def test_markup_in_survey_questions_is_kept_as_text_in_the_chart_description(pack, pages):
    # The question is named in the survey chart's alt text: an attribute, decoded here.
    page = _parse(pages["W2.html"])
    described = _squash(" ".join([*page.text, *page.attribute_text]))
    assert any(_squash(q) in described for q in pack.injected["survey_question"])


def test_markup_in_the_area_name_is_shown_as_text_on_every_page(pages):
    for name, html in pages.items():
        page = _parse(html)
        title = html[html.index("<title>") + 7 : html.index("</title>")]
        assert "<" not in title, name
        assert HOSTILE_AREA in _squash(" ".join(page.text)), name


def test_markup_in_attributes_is_escaped_too(pages):
    # Alt text names survey questions (and, in comparison charts, the area); inside an
    # attribute the markup must be escaped as well, or a later edit that drops the quotes
    # around the value would open it up.
    in_attributes = [
        name
        for name, html in pages.items()
        if any(m in v for v in _parse(html).attribute_text for m in MARKUP)
    ]
    assert in_attributes, "no page put hostile text in an attribute: nothing was checked"
    for name, html in pages.items():
        assert not re.search(r"""=["'][^"'>]*<[a-z]""", html), name


# --- files for spreadsheets ---------------------------------------------------------------


def _csv_cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_quarantine_files_neutralise_every_formula_in_headers_and_cells(pack):
    quarantine = sorted((pack.staged / "quarantine").glob("*.csv"))
    assert quarantine, "the planted faults should have reached quarantine files"
    for path in quarantine:
        rows = _csv_cells(path)
        header = rows[0]
        for line, row in enumerate(rows):
            for column, cell in enumerate(row):
                if line and header[column] == "row_number":
                    assert cell.isdigit()
                    continue
                assert not cell.startswith(FORMULA_START), (path.name, line, cell)


def test_quarantined_formulas_are_kept_behind_an_apostrophe_not_dropped(pack):
    # Ingest read the extra columns (and says so) rather than failing on them.
    quality = json.loads((pack.staged / "data_quality.json").read_text(encoding="utf-8"))
    assert quality["sources"]["quotes"]["columns_unknown"] == list(EXTRA_HEADERS)
    rows = _csv_cells(pack.staged / "quarantine" / "quotes.csv")
    header, body = rows[0], rows[1:]
    # The extra headers keep their words; the one that was a formula is now text.
    assert f"'{EXTRA_HEADERS[1]}" in header and EXTRA_HEADERS[0] in header
    text = [dict(zip(header, row, strict=True))["text"] for row in body]
    for cell in FORMULA_CELLS:
        assert any(t.startswith(f"'{cell} said at review") for t in text), cell
    schools = _csv_cells(pack.staged / "quarantine" / "school_census.csv")
    names = {dict(zip(schools[0], row, strict=True))["school_name"] for row in schools[1:]}
    assert any(n.startswith("'=HYPERLINK(") for n in names)


def _xlsx_cells(path: Path) -> list[str]:
    book = load_workbook(path, read_only=True)
    try:
        return [
            str(c)
            for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)
            for c in row
            if c is not None
        ]
    finally:
        book.close()


def test_no_other_spreadsheet_file_the_run_writes_holds_a_formula(pack):
    """Evidence tables and anything else: no cell may start a formula, bar plain numbers."""
    found = []
    for path in sorted(pack.outputs.rglob("*")):
        if path.parent.name == "quarantine" or path.suffix not in (".csv", ".xlsx"):
            continue
        found.append(path)
        cells = (
            _xlsx_cells(path)
            if path.suffix == ".xlsx"
            else [c for row in _csv_cells(path) for c in row]
        )
        for cell in cells:
            if cell.startswith(FORMULA_START):
                assert _NUMBER.match(cell), (path.name, cell)
    assert any(p.name == "assessments.csv" for p in found)


# --- profile paths cannot leave the data folder ---------------------------------------------


def _profile_with(file: str) -> Profile:
    raw = load_profile("bury-2017-wsoa").model_dump(mode="json")
    # Every other source optional, so that only the persons file decides the outcome.
    raw["sources"] = {name: {"required": False} for name in CONTRACTS}
    raw["sources"]["persons"] = {"file": file}
    return Profile.model_validate(raw)


@pytest.fixture
def folders(tmp_path):
    data = tmp_path / "area" / "data"
    (data / "sub").mkdir(parents=True)
    (data / "sub" / "people.csv").write_text("person_id\nP1000001\n", encoding="utf-8")
    outside = tmp_path / "area" / "persons.csv"
    outside.write_text("person_id\nP1000001\n", encoding="utf-8")
    return data, outside


@pytest.mark.parametrize(
    "file",
    [
        "../persons.csv",
        "sub/../../persons.csv",
        "../../../../../../etc/passwd",
        "/etc/passwd",
        "..\\persons.csv",
        "C:\\Windows\\win.ini",
        "\\\\server\\share\\persons.csv",
    ],
)
def test_a_profile_file_outside_the_data_folder_is_refused(folders, tmp_path, file):
    data, _ = folders
    with pytest.raises(SendreadyError) as caught:
        run_ingest(_profile_with(file), data, tmp_path / "staged")
    assert "outside the data folder" in caught.value.message
    assert repr(file) in caught.value.message
    assert "sources.persons.file" in caught.value.hint
    # Refused before anything was read or written.
    assert not (tmp_path / "staged").exists()


def test_an_absolute_path_to_a_real_file_outside_is_refused_even_though_it_exists(
    folders, tmp_path
):
    data, outside = folders
    with pytest.raises(SendreadyError, match="outside the data folder"):
        locate_sources(_profile_with(str(outside)), data)


def test_a_file_in_a_subfolder_of_the_data_folder_is_allowed(folders):
    data, _ = folders
    for file in ("sub/people.csv", "./sub/people.csv", "sub/../sub/people.csv"):
        plans = {p.name: p for p in locate_sources(_profile_with(file), data)}
        assert plans["persons"].path.resolve() == (data / "sub" / "people.csv").resolve()


def test_the_command_line_refuses_it_with_a_message_and_exit_status_2(folders, tmp_path, capsys):
    data, _ = folders
    raw = yaml.safe_load(Path(builtin_profiles()["bury-2017-wsoa"]).read_text(encoding="utf-8"))
    raw["sources"] = {"persons": {"file": "../../../etc/passwd"}}
    profile = tmp_path / "escape.yaml"
    profile.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code = cli_main(
        [
            "ingest",
            "--profile",
            str(profile),
            "--data",
            str(data),
            "--out",
            str(tmp_path / "staged"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "outside the data folder" in err and "Traceback" not in err


def test_csv_reader_helper_reads_what_the_writer_wrote(tmp_path):
    # _csv_cells is the yardstick above: check it decodes quoting and the byte order mark.
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["'=1+1", 'a "b", c'])
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    assert _csv_cells(path) == [["'=1+1", 'a "b", c']]
