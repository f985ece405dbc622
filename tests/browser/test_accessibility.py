"""Accessibility of the board pack, checked in a real browser.

Board members include people who use screen readers, magnifiers and keyboards; public
bodies must meet WCAG 2.2 AA (the Public Sector Bodies Accessibility Regulations 2018).
Every exported page of one batch run (``guarantee_pack``: the index, the board summary,
each weakness report, data quality and the single-file pack) is

* checked without a browser: exactly one ``<h1>``, headings that never skip a level on
  the way down, and real alt text on every image;
* opened in headless Chromium (Debian's, at /usr/bin/chromium, through Playwright; no
  browser is downloaded) and checked with axe-core against the WCAG 2.0, 2.1 and 2.2 A
  and AA rules, with zero violations allowed beyond ``AXE_EXCEPTIONS``;
* laid out 640 CSS pixels wide (a 1280-pixel window at 200% zoom) and 320 wide (WCAG
  1.4.10 reflow: 1280 at 400%): the page must not scroll sideways, and anything that does
  scroll sideways inside it must be a data table a keyboard can focus;
* walked with the Tab key until every link has had the focus, each with a visible
  focus indicator.

Screenshots of the index and one report go to ``outputs/test-artefacts/``.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers.guarantee_pack import KEPT_WEAKNESSES, ROOT, hostile_pack

ARTEFACTS = ROOT / "outputs" / "test-artefacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# axe rule id -> why it is accepted. None are: every page passes every rule.
AXE_EXCEPTIONS: dict[str, str] = {}
# A 1280-pixel window at 200% and at 400% zoom lays out this many CSS pixels.
ZOOMED_WIDTHS = (640, 320)
PAGES = [
    "index",
    "board_summary",
    *(KEPT_WEAKNESSES or [f"W{i}" for i in range(1, 9)]),
    "data_quality",
    "pack",
]
PLACEHOLDER_ALT = re.compile(
    r"^(image|img|chart|figure|graph|plot|picture|photo|alt|untitled|placeholder|"
    r"figure \d+|no description has been provided for this image|<?matplotlib.*|"
    r"<?figure size .*)$",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def pack():
    return hostile_pack()


def _page_file(pack, name: str) -> Path:
    path = pack.folder / f"{name}.html"
    assert path.exists(), f"the run wrote no {path.name}"
    return path


# --- without a browser -----------------------------------------------------------------------


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[int] = []
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images.append(dict(attrs))

    handle_startendtag = handle_starttag


def _structure(path: Path) -> _Structure:
    parsed = _Structure()
    parsed.feed(path.read_text(encoding="utf-8"))
    parsed.close()
    return parsed


@pytest.mark.parametrize("name", PAGES)
def test_one_h1_and_headings_never_skip_a_level_going_down(pack, name):
    levels = _structure(_page_file(pack, name)).headings
    assert levels.count(1) == 1, levels
    assert levels[0] == 1, "the first heading must be the page's <h1>"
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert skips == [], (
        f"heading levels jump from h{skips[0][0]} to h{skips[0][1]}" if skips else ""
    )


@pytest.mark.parametrize("name", PAGES)
def test_every_image_has_real_alt_text(pack, name):
    for image in _structure(_page_file(pack, name)).images:
        alt = " ".join((image.get("alt") or "").split())
        assert alt, "an image without alt text"
        assert not PLACEHOLDER_ALT.match(alt), alt
        # A description says what the chart shows: a few words at least, not a file name.
        assert len(alt.split()) >= 6 and not alt.lower().endswith((".png", ".svg")), alt


# --- in the browser ---------------------------------------------------------------------------


def _open(browser, path: Path, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    return page


def _axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    return [v for v in results.response["violations"] if v["id"] not in AXE_EXCEPTIONS]


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:3]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_wcag_a_or_aa_violation(pack, browser, name):
    page = _open(browser, _page_file(pack, name))
    try:
        violations = _axe_violations(page)
    finally:
        page.close()
    assert violations == [], "\n" + _describe(violations)


_SIDEWAYS = """() => {
  const root = document.documentElement;
  const scrollers = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      scrollers.push({tag: el.tagName.toLowerCase(), tabindex: el.tabIndex,
                      html: el.outerHTML.slice(0, 120)});
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, scrollers};
}"""


@pytest.mark.parametrize("name", PAGES)
def test_page_reflows_at_200_and_400_percent_zoom(pack, browser, name):
    for width in ZOOMED_WIDTHS:
        page = _open(browser, _page_file(pack, name), width)
        try:
            layout = page.evaluate(_SIDEWAYS)
        finally:
            page.close()
        assert layout["scrollWidth"] <= layout["clientWidth"], (
            f"at {width} CSS px the page scrolls sideways "
            f"({layout['scrollWidth']} > {layout['clientWidth']})"
        )
        # Data tables may scroll inside their own box (WCAG 1.4.10 allows it for content
        # that needs two dimensions), but only if a keyboard can reach them to scroll.
        for box in layout["scrollers"]:
            assert box["tag"] == "table", f"at {width} px this scrolls sideways: {box['html']}"
            assert box["tabindex"] >= 0, f"a scrolling table cannot be focused: {box['html']}"


_LABEL_LINKS = """() => {
  // Folded sections open, so that the links inside them are on the page to be reached
  // (a <summary> opens with Enter; that is the browser's job, not the report's).
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const links = [...document.querySelectorAll('a[href]')];
  links.forEach((a, i) => a.setAttribute('data-sr-link', String(i)));
  return {links: links.length,
          stops: document.querySelectorAll('a[href], [tabindex], summary, button, input').length};
}"""
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {link: el.getAttribute('data-sr-link'), tag: el.tagName.toLowerCase(),
          visible: outlined || style.boxShadow !== 'none',
          html: el.outerHTML.slice(0, 120)};
}"""


@pytest.mark.parametrize("name", PAGES)
def test_the_tab_key_reaches_every_link_with_a_visible_focus(pack, browser, name):
    page = _open(browser, _page_file(pack, name))
    try:
        counts = page.evaluate(_LABEL_LINKS)
        reached: set[str] = set()
        unseen_focus = []
        # Two passes' worth of presses at most: enough to wrap round once.
        for _ in range(2 * counts["stops"] + 5):
            page.keyboard.press("Tab")
            focused = page.evaluate(_FOCUSED)
            if focused is None:
                if reached:
                    break  # focus left the page: every stop has been visited
                continue
            if not focused["visible"]:
                unseen_focus.append(focused["html"])
            if focused["link"] is not None:
                reached.add(focused["link"])
    finally:
        page.close()
    assert counts["links"] > 0
    missing = set(map(str, range(counts["links"]))) - reached
    assert not missing, f"{len(missing)} of {counts['links']} links never had the focus"
    assert unseen_focus == [], f"focus not visible on: {unseen_focus[:3]}"


@pytest.mark.parametrize("name", ["index", "W6"])
def test_screenshots_are_saved_as_test_artefacts(pack, browser, name):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTEFACTS / f"accessibility-{name}.png"
    page = _open(browser, _page_file(pack, name))
    try:
        page.screenshot(path=str(target.with_suffix(".part.png")), full_page=True)
    finally:
        page.close()
    shutil.move(target.with_suffix(".part.png"), target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert target.stat().st_size > 10_000
