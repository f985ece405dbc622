"""The board view and the pages' layout on a phone (390 CSS px), checked in the rendered page.

A board member reads the pack on a phone as often as on paper. At 390 px every page must
read without sideways scrolling, tables must reflow (into stacked cards) rather than break
a word or a number across lines ("Evid enc e", "40,3 76"), the board view must be short
enough to read in five minutes, and its icons must say what they mean to a screen reader.

Measured page heights go to ``outputs/test-artefacts/layout-390.json`` with a screenshot of
the board view, for a person to compare between versions.
"""

from __future__ import annotations

import json

import pytest

from helpers.pack_checks import ARTEFACTS

PHONE = 390
PAGES = ["index", "board_summary", "W1", "W6", "data_quality"]
# Before tables reflowed, the board summary was 68,797 px tall at 390 px; a page this
# long again means something stopped reflowing (a table squeezed into a thin column).
MAX_HEIGHT_390 = 40_000
MAX_BOARD_VIEW_WORDS = 350

# Visible words between the start of <main> and the first detailed section (the heading
# with id "weaknesses"): text in SVG (icons' titles) and visually hidden text do not count.
_WORDS_BEFORE_DETAIL = """() => {
  const stop = document.getElementById('weaknesses');
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const words = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (stop.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING) break;
    const el = n.parentElement;
    if (el.closest('svg, style, script')) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const box = range.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    words.push(...n.textContent.split(/\\s+/).filter(w => /[\\p{L}\\p{N}]/u.test(w)));
  }
  return words;
}"""

# Every word or number inside a table, as its own range: a token whose boxes sit on more
# than one line was broken inside itself. A line may still end after a hyphen
# ("co-" / "production"), as in print, so the parts of a hyphenated word are tokens.
_BROKEN_TOKENS = """() => {
  const broken = [];
  let checked = 0;
  for (const table of document.querySelectorAll('main table')) {
    const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest('svg')) continue;
      for (const m of n.textContent.matchAll(/[^\\s\\-\u2010\u2013\u2014]+/g)) {
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()]
          .filter(r => r.width > 0).map(r => Math.round(r.top)));
        checked += 1;
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return {checked, broken};
}"""

_LAYOUT = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  height: document.documentElement.scrollHeight,
  wide: [...document.querySelectorAll('main *')]
    .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 3).map(el => el.outerHTML.slice(0, 120)),
})"""

_ICONS = """() => [...document.querySelectorAll('.sr-boardview svg, .sr-legend-short svg')]
  .map(svg => ({role: svg.getAttribute('role'), label: svg.getAttribute('aria-label') || '',
                title: (svg.querySelector('title') || {}).textContent || '',
                spark: svg.classList.contains('sr-spark')}))"""


def _open(browser, path, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    return page


@pytest.fixture(scope="module")
def heights():
    found: dict[str, int] = {}
    yield found
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "layout-390.json").write_text(json.dumps(found, indent=2), encoding="utf-8")


@pytest.mark.parametrize("name", PAGES)
def test_page_reads_at_390_px_without_sideways_scrolling(sample_pack, browser, heights, name):
    page = _open(browser, sample_pack.folder / f"{name}.html", PHONE)
    try:
        layout = page.evaluate(_LAYOUT)
    finally:
        page.close()
    heights[name] = layout["height"]
    assert layout["height"] < MAX_HEIGHT_390, layout["height"]
    assert layout["scrollWidth"] <= layout["clientWidth"], layout["wide"]
    assert layout["wide"] == [], layout["wide"]


@pytest.mark.parametrize("name", PAGES)
def test_no_word_or_number_in_a_table_is_broken_across_lines(sample_pack, browser, name):
    for width in (PHONE, 1280):
        page = _open(browser, sample_pack.folder / f"{name}.html", width)
        try:
            found = page.evaluate(_BROKEN_TOKENS)
        finally:
            page.close()
        assert found["checked"] > 0
        assert found["broken"] == [], f"at {width} px: {found['broken'][:10]}"


def test_board_view_is_short_enough_to_read_in_five_minutes(sample_pack, browser):
    page = _open(browser, sample_pack.folder / "index.html", 1280)
    try:
        words = page.evaluate(_WORDS_BEFORE_DETAIL)
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.locator("section.sr-board").screenshot(path=str(ARTEFACTS / "board-view.png"))
    finally:
        page.close()
    # The view holds its parts: the sentence, the note and a row per weakness.
    text = " ".join(words)
    assert "The board is asked to note" in text and "show improvement" in text
    assert 150 < len(words) <= MAX_BOARD_VIEW_WORDS, len(words)


def test_board_view_icons_carry_text_alternatives(sample_pack, browser):
    page = _open(browser, sample_pack.folder / "index.html", PHONE)
    try:
        icons = page.evaluate(_ICONS)
        rows = page.locator(".sr-boardview tbody tr").count()
    finally:
        page.close()
    assert rows == 8
    sparks = [i for i in icons if i["spark"]]
    assert len(sparks) == rows  # one sparkline per weakness
    # At least a variation icon per row, plus the key's ten symbols.
    assert len(icons) - len(sparks) >= rows + 10
    for icon in icons:
        assert icon["role"] == "img"
        assert len(icon["label"].split()) >= 1 and icon["title"] == icon["label"], icon
    # Sparklines describe the series, not just "chart".
    assert all(("trend" in s["label"].lower()) for s in sparks)


# Every chart image as shown: which file the browser chose (the <picture>'s phone-width
# source or the wide <img>), its natural and rendered widths, and the smallest font it was
# drawn with (data-font-pt on the chosen element) at its resolution (data-dpi).
_CHART_TEXT = """() => [...document.querySelectorAll('main figure.chart img')].map(img => {
  const source = img.closest('picture') && img.closest('picture').querySelector('source');
  const chosen = source && img.currentSrc === source.getAttribute('srcset') ? source : img;
  return {narrow: chosen !== img, natural: img.naturalWidth,
          rendered: img.getBoundingClientRect().width,
          font: parseFloat(chosen.dataset.fontPt), dpi: parseFloat(img.dataset.dpi)};
})"""


@pytest.mark.parametrize("name", PAGES)
def test_chart_text_reads_at_9_pt_or_more_at_390_px(sample_pack, browser, name):
    """Text drawn at f points into an image at d dots per inch reads, once the image is
    scaled from its natural to its rendered width, as f x d / 96 x rendered / natural
    points (96 CSS pixels to the inch)."""
    page = _open(browser, sample_pack.folder / f"{name}.html", PHONE)
    try:
        page.wait_for_load_state("load")
        charts = page.evaluate(_CHART_TEXT)
    finally:
        page.close()
    if name.startswith("W"):
        assert charts, "no chart on the page"
    small = []
    for chart in charts:
        assert chart["narrow"], chart  # a phone gets the phone-width copy
        shown = chart["font"] * chart["dpi"] / 96 * chart["rendered"] / chart["natural"]
        if shown < 9:
            small.append(round(shown, 2))
    assert small == [], f"{len(small)} of {len(charts)} charts read below 9 pt: {small[:5]}"
