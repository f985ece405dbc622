"""Privacy canaries: no child's identifier leaves the staged layer.

Every identifier in the sample's raw files becomes a canary: full names ("Forename
Surname"), UPNs, NHS numbers (with and without spaces), postcodes (with and without the
space), person_ids, dates of birth (ISO, dd/mm/yyyy and "25 June 2012"), and the words of
every quote given without consent. Then everything the batch run wrote outside the
staged folder (the HTML pages, the index, the single-file pack, the manifest, the run log,
the executed notebooks, the evidence tables and cache) is searched for them. The staged
folder and its quarantine files are where identifiers are allowed to be, by design.

Canaries left out, and why:

* forenames or surnames alone ("Will", "Grace", "Hall"): ordinary words, and harmless
  without the other half;
* dates of birth that are also dates the suite reports on (month and quarter
  boundaries, census dates, the extract date, dates in the profile, written or in its
  text, staff training dates, the run's own date): those appear legitimately, and a
  child's birthday falling on one tells nothing;
* values the sample planted as malformed (an NHS number of 7 digits, a UPN without its
  check letter): they are not identifiers of anyone, only faults to be quarantined;
* any full name that is also part of published text (a school or provider name, a
  consented quote, a survey question, the profile): it can appear for that reason. The
  sample has none; the test reports any it finds.

The board pack is also checked for what sits beside it: its folder holds the pages, the
single-file pack and its own manifest only, never evidence (unsuppressed counts), executed
notebooks, staged data, quarantine files or the run log, and no page links outside it.
Those are in the restricted area, which carries its own README saying so.

Searching uses the text a reader would see: HTML entities are decoded and inlined chart
images (base64) are removed first, since random base64 could spell a short identifier.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import html
import html.parser
import json
import pickle
import re
from collections import defaultdict
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.guarantee_pack import hostile_pack
from helpers.pack_checks import is_external

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
IDENTIFIER_COLUMNS = {
    "person_id",
    "upn",
    "nhs_number",
    "forename",
    "surname",
    "date_of_birth",
    "postcode",
}
_IMAGE = re.compile(r"data:image/[a-z+.-]+;base64,[A-Za-z0-9+/=\s\\]+")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_PERSON_ID = re.compile(r"(?<![A-Za-z0-9])P\d{7}(?![A-Za-z0-9])")
_UPN = re.compile(r"(?<![A-Za-z0-9])[A-Z0-9]{13}(?![A-Za-z0-9])")
_NHS = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
_POSTCODE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})(?![A-Za-z0-9])")
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_UK_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_LONG_DATE = re.compile(r"(?<!\d)(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})(?!\d)")


@dataclass
class Canaries:
    """Identifiers to look for, each normalised as the scanner normalises what it finds."""

    names: set[str] = field(default_factory=set)  # "Forename Surname"
    person_ids: set[str] = field(default_factory=set)
    upns: set[str] = field(default_factory=set)
    nhs_numbers: set[str] = field(default_factory=set)  # ten digits, no spaces
    postcodes: set[str] = field(default_factory=set)  # no space
    births: set[dt.date] = field(default_factory=set)
    unconsented_quotes: set[str] = field(default_factory=set)
    excluded: dict[str, int] = field(default_factory=dict)  # why -> how many left out

    def counts(self) -> dict[str, int]:
        return {f.name: len(getattr(self, f.name)) for f in fields(self) if f.name != "excluded"}


def _rows(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def _date(text: str) -> dt.date | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _profile_dates(node) -> set[dt.date]:
    if isinstance(node, dt.date):
        return {node}
    if isinstance(node, dict):
        return set().union(*(_profile_dates(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_profile_dates(v) for v in node)) if node else set()
    return set()


def _dates_written_in(text: str) -> set[dt.date]:
    """Dates written out in free text, read with the same patterns the search uses."""
    found = set()
    for pattern, order in ((_ISO_DATE, (0, 1, 2)), (_UK_DATE, (2, 1, 0)), (_LONG_DATE, (2, 1, 0))):
        for match in pattern.findall(text):
            year, month, day = (match[i] for i in order)
            month = MONTHS.index(month) + 1 if month in MONTHS else int(month)
            with contextlib.suppress(ValueError):
                found.add(dt.date(int(year), month, int(day)))
    return found


def reporting_dates(data_dir: Path, profile_path: Path) -> set[dt.date]:
    """Dates the suite may print for reasons that have nothing to do with any child."""
    dates = set()
    for start in pd.date_range("1990-01-01", "2035-12-01", freq="MS"):
        end = start + pd.offsets.MonthEnd(0)
        dates |= {start.date(), end.date()}  # month and quarter boundaries
    dates |= {
        d
        for r in _rows(data_dir / "school_census.csv")
        if (d := _date(r["census_date"])) is not None
    }
    extract = json.loads((data_dir / "extract.json").read_text(encoding="utf-8"))
    dates.add(dt.date.fromisoformat(extract["extract_date"]))
    profile_text = profile_path.read_text(encoding="utf-8")
    dates |= _profile_dates(yaml.safe_load(profile_text))
    dates |= _dates_written_in(profile_text)  # "the re-visit (13 to 15 May 2019)"
    # Staff training is about the workforce, not children: the suite may name its dates
    # ("the training extract starts on 11 June 2015").
    dates |= {
        d for r in _rows(data_dir / "training.csv") if (d := _date(r["completed_date"])) is not None
    }
    today = dt.date.today()
    dates |= {today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)}
    return dates


def published_text(data_dir: Path, profile_path: Path) -> str:
    """Free text that may rightly appear in a report (names of schools, providers...)."""
    parts = [profile_path.read_text(encoding="utf-8")]
    for source, column in (
        ("school_census", "school_name"),
        ("ehc_advice", "provider"),
        ("health_referrals", "provider"),
        ("survey_questions", "text"),
    ):
        parts.extend({r[column] for r in _rows(data_dir / f"{source}.csv")})
    parts.extend(
        r["text"] for r in _rows(data_dir / "quotes.csv") if r["consent"].strip().lower() == "true"
    )
    return " ".join(" ".join(parts).split())


def gather_canaries(data_dir: Path, profile_path: Path) -> Canaries:
    """Every identifier in the raw files (see module docstring for what is left out)."""
    can = Canaries()
    excluded: dict[str, int] = defaultdict(int)
    # The sample writes persons.csv in Windows-1252, as an old council system would.
    persons = _rows(data_dir / "persons.csv", encoding="cp1252")
    published = published_text(data_dir, profile_path)
    for row in persons:
        forename, surname = row["forename"].strip(), row["surname"].strip()
        if forename and surname:
            full = f"{forename} {surname}"
            if re.search(rf"(?<!\w){re.escape(full)}(?!\w)", published):
                excluded["full name also in published text"] += 1
            else:
                can.names.add(full)
        postcode = row["postcode"].replace(" ", "").upper()
        if re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", postcode):
            can.postcodes.add(postcode)
        elif postcode:
            excluded["malformed postcode (planted fault)"] += 1
        born = _date(row["date_of_birth"])
        if born is not None:
            can.births.add(born)
    sources = {"persons": persons}
    for source in (
        "school_census",
        "health_referrals",
        "ehc_requests",
        "ehc_plans",
        "joint_packages",
    ):
        path = data_dir / f"{source}.csv"
        if path.exists():
            sources[source] = _rows(path)
    for rows in sources.values():
        for row in rows:
            for column, bucket, shape in (
                ("person_id", can.person_ids, r"P\d{7}"),
                ("upn", can.upns, r"[A-Z0-9]{13}"),
                ("nhs_number", can.nhs_numbers, r"\d{10}"),
            ):
                value = row.get(column, "").replace(" ", "").strip()
                if not value:
                    continue
                if re.fullmatch(shape, value):
                    bucket.add(value)
                else:
                    excluded[f"malformed {column} (planted fault)"] += 1
    for row in _rows(data_dir / "quotes.csv"):
        if row["consent"].strip().lower() != "true":
            can.unconsented_quotes.add(" ".join(row["text"].split()))
    births = len(can.births)
    can.births -= reporting_dates(data_dir, profile_path)
    excluded["date of birth that is also a reporting date"] = births - len(can.births)
    can.excluded = dict(excluded)
    return can


# --- reading what the run wrote -------------------------------------------------------------


def _strings(node, depth: int = 0):
    """Every string inside JSON-like data, dataclasses and frames (for the evidence cache)."""
    if depth > 12:
        return
    if isinstance(node, str):
        yield node
    elif isinstance(node, pd.DataFrame):
        yield node.to_csv(index=False)
    elif isinstance(node, pd.Series):
        yield node.to_csv(index=False)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not str(key).startswith("image/"):  # inlined pictures, not text
                yield from _strings(key, depth + 1)
                yield from _strings(value, depth + 1)
    elif isinstance(node, list | tuple | set):
        for value in node:
            yield from _strings(value, depth + 1)
    elif is_dataclass(node):
        for f in fields(node):
            yield from _strings(getattr(node, f.name), depth + 1)
    elif hasattr(node, "__dict__") and not isinstance(node, type):
        yield from _strings(vars(node), depth + 1)


def readable_text(path: Path) -> str:
    """What a person opening the file could read, as one whitespace-normalised string."""
    if path.suffix == ".parquet":
        text = pd.read_parquet(path).to_csv(index=False)
    elif path.suffix == ".pkl":
        with path.open("rb") as fh:
            text = "\n".join(_strings(pickle.load(fh)))  # the suite's own cache: trusted
    elif path.suffix == ".ipynb":
        text = "\n".join(_strings(json.loads(path.read_text(encoding="utf-8"))))
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
    text = html.unescape(_IMAGE.sub(" ", text))
    return " ".join(text.replace("\u00a0", " ").split())


def find_canaries(text: str, can: Canaries) -> dict[str, set[str]]:
    """Canaries present in ``text``, by kind."""
    found: dict[str, set[str]] = defaultdict(set)
    found["person_id"] = {m for m in _PERSON_ID.findall(text) if m in can.person_ids}
    found["upn"] = {m for m in _UPN.findall(text) if m in can.upns}
    found["nhs_number"] = {"".join(m) for m in _NHS.findall(text) if "".join(m) in can.nhs_numbers}
    found["postcode"] = {"".join(m) for m in _POSTCODE.findall(text) if "".join(m) in can.postcodes}
    found["date_of_birth"] = {d.isoformat() for d in _dates_written_in(text) & can.births}
    words = _NAME_WORD.findall(text)
    for size in (2, 3):
        for i in range(len(words) - size + 1):
            candidate = " ".join(words[i : i + size])
            if candidate in can.names:
                found["name"].add(candidate)
    found["unconsented_quote"] = {q for q in can.unconsented_quotes if q in text}
    return {kind: values for kind, values in found.items() if values}


# --- the tests --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack():
    return hostile_pack()


@pytest.fixture(scope="module")
def canaries(pack):
    return gather_canaries(pack.data_dir, pack.profile_path)


def _published_files(pack) -> list[Path]:
    staged = pack.staged.resolve()
    return [
        p
        for p in sorted(pack.outputs.rglob("*"))
        if p.is_file() and staged not in p.resolve().parents
    ]


def test_canaries_cover_every_kind_of_identifier(canaries):
    counts = canaries.counts()
    # The sample at this scale holds thousands of people; each kind must be well
    # represented or the search below proves little.
    for kind in ("names", "person_ids", "upns", "nhs_numbers", "postcodes", "births"):
        assert counts[kind] > 500, (kind, counts)
    assert counts["unconsented_quotes"] >= 5
    # A child who shares a name with a school ("John Fisher") is left out, and must be rare.
    assert canaries.excluded.get("full name also in published text", 0) < counts["names"] / 100
    # Reporting dates are a minority of birthdays: most remain canaries.
    assert canaries.excluded["date of birth that is also a reporting date"] < counts["births"]


def test_the_scanner_finds_identifiers_where_they_are_allowed(pack, canaries):
    """Positive control: the staged layer's quarantine file for persons is full of them."""
    text = readable_text(pack.staged / "quarantine" / "persons.csv")
    found = find_canaries(text, canaries)
    for kind in ("name", "person_id", "upn", "nhs_number", "postcode", "date_of_birth"):
        assert found.get(kind), kind


def test_the_scanner_finds_identifiers_written_as_a_report_would(canaries):
    name = sorted(canaries.names)[0]
    nhs = sorted(canaries.nhs_numbers)[0]
    postcode = sorted(canaries.postcodes)[0]
    born = sorted(canaries.births)[0]
    person = sorted(canaries.person_ids)[0]
    quote = sorted(canaries.unconsented_quotes)[0]
    page = (
        f"<p>{html.escape(name)} ({nhs[:3]} {nhs[3:6]} {nhs[6:]}), "
        f"{postcode[:-3]}&nbsp;{postcode[-3:]}, born {born.day} "
        f"{MONTHS[born.month - 1]} {born.year} "
        f"or {born:%d/%m/%Y}, id {person}</p><blockquote>{html.escape(quote)}</blockquote>"
        '<img src="data:image/png;base64,QUJD">'
    )
    path_text = " ".join(html.unescape(page).replace("\u00a0", " ").split())
    found = find_canaries(path_text, canaries)
    assert set(found) == {
        "name",
        "nhs_number",
        "postcode",
        "date_of_birth",
        "person_id",
        "unconsented_quote",
    }


def test_nothing_the_run_published_holds_a_childs_identifier(pack, canaries):
    files = _published_files(pack)
    kinds = {p.suffix for p in files}
    # Pages, pack, manifest, run log, executed notebooks and the evidence tables.
    assert {".html", ".json", ".ipynb", ".log", ".csv", ".parquet"} <= kinds
    assert any(p.name == "pack.html" for p in files)
    leaks = {}
    for path in files:
        found = find_canaries(readable_text(path), canaries)
        if found:
            leaks[str(path.relative_to(pack.outputs))] = {
                k: sorted(v)[:5] for k, v in found.items()
            }
    assert leaks == {}


def _table_headers(markup: str) -> set[str]:
    cells = re.findall(r"<th\b[^>]*>(.*?)</th>", markup, re.S)
    return {html.unescape(re.sub(r"<[^>]+>", "", c)).strip().lower() for c in cells}


def test_executed_notebooks_hold_no_person_level_frames(pack):
    notebooks = sorted((pack.restricted / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == len(pack.outcomes[0].results)
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                headers = _table_headers("".join(data.get("text/html", "")))
                assert not headers & IDENTIFIER_COLUMNS, (path.name, headers & IDENTIFIER_COLUMNS)
                plain = "".join(data.get("text/plain", "")) + "".join(output.get("text", ""))
                first_lines = " ".join(plain.splitlines()[:2])
                named = {
                    c for c in IDENTIFIER_COLUMNS if re.search(rf"(?<![\w.]){c}(?!\w)", first_lines)
                }
                assert not named, (path.name, named, first_lines[:200])


# --- the shareable board pack and the restricted area -----------------------------------

_SHAREABLE_SUFFIXES = {".html", ".pdf"}


def test_the_board_pack_folder_holds_only_shareable_files(pack):
    """Finding: evidence/indicators.parquet (unsuppressed counts), the executed notebooks
    and run.log sat inside the board-pack folder."""
    inside = sorted(pack.folder.rglob("*"))
    assert any(p.name == "index.html" for p in inside)
    assert [p for p in inside if p.is_dir()] == []  # no evidence/, notebooks/, staged/
    unshareable = [
        p.name for p in inside if p.suffix not in _SHAREABLE_SUFFIXES and p.name != "manifest.json"
    ]
    assert unshareable == []
    # Nothing restricted anywhere under the board-pack root, for any period.
    # (Beside the period's folder: the history page linking every period's pack.)
    root = pack.folder.parent
    assert sorted(p.name for p in root.iterdir()) == sorted([pack.folder.name, "index.html"])
    restricted_kinds = {".parquet", ".csv", ".ipynb", ".pkl", ".key", ".log"}
    assert not [p for p in root.rglob("*") if p.suffix in restricted_kinds]


def test_quarantine_and_evidence_are_in_the_restricted_area_with_a_readme(pack):
    """Finding: quarantine CSVs (names, NHS numbers, dates of birth) sat in a sibling of
    the board pack with no warning."""
    restricted = pack.restricted.parent
    assert restricted.name == "restricted" and not pack.folder.is_relative_to(restricted)
    assert pack.staged.is_relative_to(restricted)
    assert list((pack.staged / "quarantine").glob("*.csv"))  # the quarantine is here
    assert (pack.restricted / "evidence" / "indicators.parquet").is_file()
    assert (pack.restricted / "run.log").is_file()
    readme = (restricted / "README.md").read_text(encoding="utf-8")
    for words in ("never", "quarantine", "unsuppressed", "board-pack"):
        assert words in readme.lower(), words
    # The profile's folder holds the two areas and nothing else.
    assert sorted(p.name for p in restricted.parent.iterdir()) == ["board-pack", "restricted"]


_URL_ATTRIBUTES = {"href", "src", "srcset", "poster", "action", "data", "formaction"}


def _srcset_urls(value: str) -> list[str]:
    """The addresses of a srcset: each candidate's first word (a data: address holds a
    comma of its own, so the list is not simply split at commas)."""
    urls, expect = [], True
    for token in value.split():
        if expect:
            urls.append(token.rstrip(","))
            expect = token.endswith(",")
        elif token.endswith(","):
            expect = True
    return urls


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in _URL_ATTRIBUTES and value:
                parts = _srcset_urls(value) if name == "srcset" else [value]
                self.urls += [v.strip() for v in parts if v.strip()]


def test_nothing_in_the_board_pack_links_outside_it(pack):
    """Every href and src of every page resolves to a file in the board-pack folder (or to
    a place in the page, or inline data): nothing points into the restricted area."""
    restricted = pack.restricted.parent.resolve()
    folder = pack.folder.resolve()
    checked = 0
    for page in sorted(pack.folder.glob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.urls:
            if url.startswith("#") or url.lower().startswith(("data:", "mailto:")):
                continue
            assert not is_external(url), (page.name, url)
            target = (folder / url.split("#", 1)[0].split("?", 1)[0]).resolve()
            assert target.parent == folder and target.is_file(), (page.name, url)
            assert not target.is_relative_to(restricted), (page.name, url)
            checked += 1
    assert checked > 0  # the index links to the reports
    manifest = (pack.folder / "manifest.json").read_text(encoding="utf-8")
    assert str(restricted) not in manifest and "/restricted" not in manifest
