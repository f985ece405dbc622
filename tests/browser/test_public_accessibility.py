"""Accessibility of the public packs, checked in a real browser with axe-core.

Three areas' pages (a small, a large and a reorganised authority) and the index of all
of them are opened in Debian's Chromium and checked against the WCAG 2.0, 2.1 and 2.2 A
and AA rules, as the board pack is (``test_accessibility``, whose browser and axe helpers
this reuses); the tests skip where Chromium or the browser packages are absent.
"""

from __future__ import annotations

import pytest

from browser.test_accessibility import (  # the browser fixture comes from conftest.py
    _SIDEWAYS,
    ZOOMED_WIDTHS,
    _axe_violations,
    _describe,
    _open,
    _structure,
)

AREAS = ("Rutland", "Kent", "Westmorland and Furness")


@pytest.fixture(scope="module")
def public_pages(tmp_path_factory):
    from sendready.comparators.authorities import authority_table
    from sendready.publish.public import _index, published_figures, write_public_pack

    out = tmp_path_factory.mktemp("public")
    pages = {name: write_public_pack(name, out) for name in AREAS}
    index = out / "index.html"
    index.write_text(_index(authority_table(published_figures().values)), encoding="utf-8")
    pages["index"] = index
    return pages


@pytest.mark.parametrize("name", [*AREAS, "index"])
def test_one_h1_headings_in_order_and_real_alt_text(public_pages, name):
    page = _structure(public_pages[name])
    assert page.headings.count(1) == 1 and page.headings[0] == 1
    assert all(b <= a + 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    for image in page.images:
        assert len((image.get("alt") or "").split()) >= 6, image.get("alt")


@pytest.mark.parametrize("name", [*AREAS, "index"])
def test_axe_finds_no_wcag_a_or_aa_violation_in_public_packs(public_pages, browser, name):  # noqa: F811
    page = _open(browser, public_pages[name])
    try:
        violations = _axe_violations(page)
    finally:
        page.close()
    assert violations == [], "\n" + _describe(violations)


@pytest.mark.parametrize("name", [*AREAS, "index"])
def test_public_packs_reflow_at_200_and_400_percent_zoom(public_pages, browser, name):  # noqa: F811
    for width in ZOOMED_WIDTHS:
        page = _open(browser, public_pages[name], width)
        try:
            layout = page.evaluate(_SIDEWAYS)
        finally:
            page.close()
        assert layout["scrollWidth"] <= layout["clientWidth"], width
        for box in layout["scrollers"]:
            assert box["tag"] == "table" and box["tabindex"] >= 0, box["html"]
