"""Export executed notebooks to board-ready HTML: no code, no prompts, nothing fetched.

The suite's own nbconvert template (``templates/sendready``) extends ``lab``: it drops
every script (require.js, MathJax and mermaid would come from a CDN), declares British
English, and adds a skip link, a masthead, a provenance footer and print styles. After
rendering, a table of contents is built from the report's second-level headings, and the
page is checked for external references and placeholder alt text before it is written.
"""

from __future__ import annotations

import copy
import re
from html import escape, unescape
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

TEMPLATE_NAME = "sendready"
PLACEHOLDER_ALT = "No description has been provided for this image"
# Attributes whose address a browser fetches or follows, and the CSS that fetches.
_URL_ATTRIBUTES = frozenset(
    {
        "src",
        "href",
        "srcset",
        "poster",
        "action",
        "formaction",
        "data",
        "background",
        "xlink:href",
        "manifest",
        "ping",
    }
)
# Absolute (https://host, file:///) or protocol-relative (//host): anything off the page.
_OFF_PAGE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_CSS_FETCH = re.compile(
    r"""(?:url\(\s*["']?|@import\s+["'])\s*((?:[a-z][a-z0-9+.-]*:)?//)""", re.IGNORECASE
)


class ExportError(Exception):
    """An exported page breaks a board-report rule; the page is not written."""


def templates_dir() -> Path:
    return Path(str(resources.files("sendready.publish") / "templates"))


def report_css() -> str:
    return (templates_dir() / "report.css").read_text(encoding="utf-8")


def build_exporter() -> HTMLExporter:
    """One exporter, built once per worker process (building one costs far more than using it)."""
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(templates_dir())],
    )
    exporter.exclude_input = True
    # Prompts fail contrast checks and mean nothing to a board reader (docs/architecture.md,
    # "Pitfalls the code works around").
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.theme = "light"
    exporter.embed_images = True
    return exporter


def _strip_for_board(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what a board reader must never see: stderr (warnings) and cells tagged
    ``remove`` or ``analyst-only``."""
    nb = copy.deepcopy(nb)
    kept = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"remove", "analyst-only", "parameters", "injected-parameters"}:
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
        kept.append(cell)
    nb.cells = kept
    return nb


class _Headings(HTMLParser):
    """Collect second-level headings (id and text) for the table of contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self._current: str | None = None
        self._text: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._current = dict(attrs).get("id") or ""
            self._text = []
        elif self._current is not None and tag == "a":
            self._skip_depth += 1  # the pilcrow anchor link inside headings

    def handle_endtag(self, tag):
        if tag == "a" and self._skip_depth:
            self._skip_depth -= 1
        elif tag == "h2" and self._current is not None:
            text = " ".join("".join(self._text).split())
            if self._current and text and self._current != "provenance-footer":
                self.headings.append((self._current, text))
            self._current = None

    def handle_data(self, data):
        if self._current is not None and not self._skip_depth:
            self._text.append(data)


def add_contents(html: str) -> str:
    """Insert a contents list after the first ``</h1>`` linking every ``<h2>``."""
    parser = _Headings()
    parser.feed(html)
    if len(parser.headings) < 2:
        return html
    items = "".join(
        f'<li><a href="#{escape(hid)}">{escape(text)}</a></li>' for hid, text in parser.headings
    )
    nav = (
        f'<nav class="sr-contents" aria-labelledby="sr-contents-title">'
        f'<p id="sr-contents-title"><strong>Contents</strong></p><ol>{items}</ol></nav>'
    )
    end_h1 = html.find("</h1>")
    if end_h1 == -1:
        return html
    # Insert the list between cells, after the one holding the h1: inside an output area
    # it would become a flex item squeezed beside the heading.
    next_cell = re.search(r'<div[^>]*class="jp-Cell ', html[end_h1:])
    cut = end_h1 + next_cell.start() if next_cell else end_h1 + len("</h1>")
    return html[:cut] + nav + html[cut:]


_STYLE_BLOCK = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def tidy_html(html: str) -> str:
    """Remove what serves an editor, not a reader.

    CSS comments in JupyterLab's stylesheet carry web addresses (a page that mentions an
    external address cannot be shown to work offline), and ``tabindex="0"`` on every
    output area makes keyboard users tab through dozens of unfocusable blocks. Tables,
    on the other hand, become tab stops (a keyboard user can only scroll a box they can
    focus, WCAG 2.1.1, should a browser ever make one scroll), and every cell gets its
    column heading as ``data-label``: on a narrow screen the style sheet stacks each row
    as a card rather than letting the table scroll or break its words.
    """
    html = _STYLE_BLOCK.sub(
        lambda m: m.group(1) + _CSS_COMMENT.sub("", m.group(2)) + m.group(3), html
    )
    html = re.sub(r'(<div class="jp-[^"]*"[^>]*?)\s+tabindex="0"', r"\1", html)
    return label_cells(focusable_tables(html))


_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.DOTALL | re.IGNORECASE)
_CELL = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.DOTALL | re.IGNORECASE)


def _plain(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _label_table(table: str) -> str:
    head = re.search(r"<thead\b.*?</thead>", table, re.DOTALL | re.IGNORECASE)
    if head is None:
        return table
    rows = _ROW.findall(head.group(0))
    if not rows:
        return table
    labels = [_plain(cell[2]) for cell in _CELL.findall(rows[-1])]

    def label_row(row: re.Match) -> str:
        column = iter(labels)

        def label_cell(cell: re.Match) -> str:
            label = next(column, "")
            # A row's own heading (th) titles its card and needs no label.
            if not label or cell.group(1).lower() == "th" or "data-label=" in cell.group(2):
                return cell.group(0)
            return (
                f'<{cell.group(1)}{cell.group(2)} data-label="{escape(label)}">'
                f"{cell.group(3)}</{cell.group(1)}>"
            )

        return _CELL.sub(label_cell, row.group(0))

    start, end = head.end(), len(table)
    return table[:start] + _ROW.sub(label_row, table[start:end])


def label_cells(html: str) -> str:
    """Give every body data cell of a table with a header row its column's heading as
    ``data-label``, so that on a narrow screen, where the style sheet stacks each row as
    a card, every value still says what it is."""
    return _TABLE.sub(lambda m: _label_table(m.group(0)), html)


def focusable_tables(html: str) -> str:
    """Add ``tabindex="0"`` to every ``<table>`` that has no tabindex of its own."""
    return re.sub(r"<table\b(?![^>]*\btabindex=)", '<table tabindex="0"', html)


def srcset_urls(value: str) -> list[str]:
    """The addresses in a ``srcset``: each candidate's first word. A ``data:`` address
    holds a comma of its own, so the list cannot simply be split at commas; a candidate
    ends at a comma after its address or after its descriptor ("2x")."""
    urls, expect = [], True
    for token in value.split():
        if expect:
            urls.append(token.rstrip(","))
            expect = token.endswith(",")
        elif token.endswith(","):
            expect = True
    return urls


class _References(HTMLParser):
    """Collect every off-page address in tags and stylesheets.

    Parsing rather than searching the text means a quote that merely mentions a web
    address (escaped, in a paragraph) is not mistaken for a reference.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            if name in _URL_ATTRIBUTES:
                parts = srcset_urls(value) if name == "srcset" else [value]
                self.found += [f"<{tag} {name}={p[:80]!r}>" for p in parts if _OFF_PAGE.match(p)]
            elif name == "style":
                self._css(value, f"<{tag} style>")
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data, "<style>")

    def _css(self, css: str, where: str) -> None:
        for match in _CSS_FETCH.finditer(css):
            self.found.append(f"{where} {css[match.start() : match.end() + 60]!r}")


def external_references(html: str) -> list[str]:
    """Every address in the page that a browser would fetch from off the page."""
    parser = _References()
    parser.feed(html)
    parser.close()
    return parser.found


def check_board_html(html: str, where: str) -> None:
    """Refuse a page that would fetch from the internet, has no ``<h1>`` or a placeholder alt.

    Raises:
        ExportError: naming the report and the problem.
    """
    found = external_references(html)
    if found:
        raise ExportError(f"{where}: refers to an external address: {found[0]}")
    if "<h1" not in html:
        raise ExportError(f"{where}: has no top-level heading (<h1>)")
    if PLACEHOLDER_ALT in html:
        raise ExportError(f"{where}: has an image without real alt text")
    if re.search(r"<img(?![^>]*\balt=)[^>]*>", html):
        raise ExportError(f"{where}: has an image with no alt attribute")


def export_html(
    nb: nbformat.NotebookNode,
    exporter: HTMLExporter,
    *,
    title: str,
    area: str,
    period_label: str,
    provenance: list[tuple[str, str]],
    index_href: str | None = "index.html",
) -> str:
    """Render an executed notebook as a board report and check it."""
    board_nb = _strip_for_board(nb)
    board_nb.metadata["title"] = title
    extra = {
        "sendready": {
            "title": title,
            "area": area,
            "period_label": period_label,
            "provenance": provenance,
            "index_href": index_href,
            "css": report_css(),
        }
    }
    html, _ = exporter.from_notebook_node(board_nb, resources=extra)
    html = add_contents(tidy_html(html))
    check_board_html(html, title)
    return html
