"""Find counts of 1 to 5 about children in a published HTML page, written independently of
the library's suppression code.

What counts as a finding:

- text "N of M" (digits) where N, or the complement M - N, is 1 to 5: "92.3% (12 of 13)"
  tells a reader that 1 case fell outside;
- a count in brackets alone, "unknown code (3)";
- a small number followed by a word for children or their records ("3 children");
- in a table, a cell of 1 to 5 in a column of counts (its header names no rate, average,
  limit, time or measure), and any row where a rate column equals a/b for two count
  columns a < b (or rate x b for one) so that a, or b - a, is 1 to 5 and can be worked out.

What is left alone: years, dates, quarters ("2018Q2"), identifiers with letters, percentages
without counts, and anything inside an element marked ``data-counts="not-children"``:
the page itself says that those figures count meetings, schools, actions or indicators,
so the scanner learns it from the page's structure, not from a list of sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

LIMIT = 6  # counts of 1 to LIMIT - 1 are disclosive (DfE: 1 to 5)
NOT_CHILDREN = "not-children"
_N_OF_M = re.compile(r"(?<![\w.,/-])(\d{1,3}(?:,\d{3})*|\d+) of (\d{1,3}(?:,\d{3})*|\d+)(?![\w%])")
# "unknown code (3);" but not a numbered step, "(1) not enough data".
_BRACKETED = re.compile(r"\((\d+)\)(?=\s*(?:[;,.]|$))")
_NOUNS = (
    r"(?:children|child|young people|young person|pupils?|plans?|requests?|families|"
    r"cases|records|rows|referrals|reviews)"
)
_BEFORE_NOUN = re.compile(rf"(?<![\w.,/-])(\d+) {_NOUNS}\b")
_NOT_COUNT_HEADER = re.compile(
    r"%|rate|share|average|mean|median|limit|percentile|days|weeks|year|month|quarter|"
    r"date|wave|census|period|index|score|urn|id\b|value|pattern|position|compared",
    re.IGNORECASE,
)
_INTEGER = re.compile(r"^\d{1,3}(?:,\d{3})*$|^\d+$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")


@dataclass(frozen=True)
class Finding:
    where: str  # "text" or "table: <caption>"
    what: str  # the words or cells that give the count away
    count: int  # the small count a reader can read or work out


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text.replace(",", "")) if _INTEGER.match(text) else None


def _small(n: int | None) -> bool:
    return n is not None and 0 < n < LIMIT


@dataclass
class _Table:
    caption: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    skip_rows: set[int] = field(default_factory=set)
    skip_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, column)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, not about children)
        self.texts: list[str] = []
        self.tables: list[_Table] = []
        self._table: list[_Table] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self._caption: list[str] | None = None

    def _excluded(self) -> bool:
        return any(flag for _, flag in self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        flag = values.get("data-counts") == NOT_CHILDREN
        if tag not in ("br", "img", "meta", "link", "input", "hr", "col", "wbr"):
            self.stack.append((tag, flag))
        if tag == "table":
            self._table.append(_Table())
        elif tag == "caption":
            self._caption = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table:
            self._row = []
            if self._excluded():
                self._table[-1].skip_rows.add(len(self._table[-1].rows))
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            if self._excluded() and self._table and not self._in_head:
                # One cell marked (a count of actions in a row about a weakness).
                self._table[-1].skip_cells.add((len(self._table[-1].rows), len(self._row)))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            table = self._table[-1]
            if self._in_head:
                table.header = self._row
            else:
                table.rows.append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "caption" and self._caption is not None and self._table:
            self._table[-1].caption = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag == "table" and self._table:
            self.tables.append(self._table.pop())
        # An end tag with no open element ("<img/>" ends an element never pushed) must not
        # close, and so unmark, the elements around it.
        if all(open_tag != tag for open_tag, _ in self.stack):
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] in ("style", "script"):
            return
        if self._caption is not None:
            self._caption.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if not self._excluded():
            self.texts.append(data)


def _text_findings(text: str) -> list[Finding]:
    found = []
    for m in _N_OF_M.finditer(text):
        n, total = _number(m.group(1)), _number(m.group(2))
        if n is None or total is None:
            continue
        context = text[max(0, m.start() - 40) : m.end() + 5]
        if _small(n):
            found.append(Finding("text", context, n))
        elif n <= total and _small(total - n):
            found.append(Finding("text", context, total - n))
    for pattern in (_BRACKETED, _BEFORE_NOUN):
        for m in pattern.finditer(text):
            n = int(m.group(1))
            if _small(n):
                found.append(Finding("text", text[max(0, m.start() - 40) : m.end() + 5], n))
    return found


def _table_findings(table: _Table) -> list[Finding]:
    found = []
    where = f"table: {table.caption}"
    counts = [i for i, h in enumerate(table.header) if i > 0 and not _NOT_COUNT_HEADER.search(h)]
    rates = [i for i, h in enumerate(table.header) if "%" in h or "rate" in h.lower()]
    for r, row in enumerate(table.rows):
        if r in table.skip_rows:
            continue
        label = row[0] if row else ""
        numbers = {
            i: _number(row[i]) for i in counts if i < len(row) and (r, i) not in table.skip_cells
        }
        for i, n in numbers.items():
            if _small(n):
                found.append(Finding(where, f"{label} / {table.header[i]} = {row[i]}", n))
        for k in rates:
            match = _PERCENT.match(row[k]) if k < len(row) else None
            if not match:
                continue
            rate = float(match.group(1))
            for j, b in numbers.items():
                if not b:
                    continue
                derived = round(rate * b / 100)
                if abs(derived / b * 100 - rate) >= 0.05:
                    continue  # the rate is not a share of this column
                for n in (derived, b - derived):
                    if _small(n):
                        found.append(
                            Finding(where, f"{label}: {row[k]} of {table.header[j]} {b}", n)
                        )
                        break
    return found


def scan_html(markup: str) -> list[Finding]:
    """Every count of 1 to 5 about children that a reader of ``markup`` could read or work out."""
    markup = re.sub(r"data:image/[a-z+.-]+;base64,[A-Za-z0-9+/=\s]+", "", markup)
    page = _Page()
    page.feed(markup)
    page.close()
    text = " ".join(" ".join(page.texts).replace("\u00a0", " ").split())
    found = _text_findings(text)
    for table in page.tables:
        found += _table_findings(table)
    return found


def scan_file(path: Path) -> list[Finding]:
    return scan_html(path.read_text(encoding="utf-8", errors="replace"))
