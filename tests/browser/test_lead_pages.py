"""The lead's pages (the history page and ``sendready diff``'s page) in a real browser:
axe-core finds no WCAG 2.2 A or AA violation, and at 320 CSS pixels (400% zoom) the page
does not scroll sideways except inside a data table a keyboard can focus.

Both pages are rendered from constructed inputs (manifests; a list of changes), so this
needs no batch run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sendready.metadata.profile import load_profile
from sendready.publish.changes import Changes, IndicatorChange, WeaknessChange, to_html
from sendready.publish.history import render_history

CHROMIUM = Path(os.environ.get("SENDREADY_CHROMIUM", "/usr/bin/chromium"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("axe_playwright_python")
    manager = sync_api.sync_playwright().start()
    launched = manager.chromium.launch(executable_path=str(CHROMIUM))
    yield launched
    launched.close()
    manager.stop()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    profile = load_profile("bury-2017-wsoa")
    ids = [w.id for w in profile.weaknesses]
    codes = ["sustained_improvement", "some_improvement", "no_evidence_of_change"]
    manifests = {
        period: {
            "period_end": period,
            "verdicts": {w: codes[(i + n) % 3] for i, w in enumerate(ids)},
            "reports": [{"status": "ok"}],
        }
        for n, period in enumerate(["2018-09-30", "2018-12-31", "2019-03-31"])
    }
    weaknesses = [
        WeaknessChange(
            w.id,
            w.title,
            "No evidence of change yet",
            "Some evidence of improvement",
            [
                IndicatorChange(i, f"indicator {i}", "12.0%", "15.5%", "a", "b")
                for i in w.indicators
            ],
        )
        for w in profile.weaknesses
    ]
    folder = tmp_path_factory.mktemp("lead_pages")
    history = folder / "index.html"
    history.write_text(render_history(profile, manifests, "1 April 2019 at 09:00"))
    changes = folder / "changes.html"
    changes.write_text(to_html(Changes(profile, "2018-12-31", "2019-03-31", weaknesses)))
    return {"history": history, "changes": changes}


@pytest.mark.parametrize("name", ["history", "changes"])
def test_lead_pages_pass_axe_and_reflow(chromium, pages, name):
    from axe_playwright_python.sync_playwright import Axe

    for width in (1280, 320):
        page = chromium.new_page(viewport={"width": width, "height": 900})
        try:
            page.goto(pages[name].as_uri())
            if width == 1280:
                found = Axe().run(
                    page,
                    options={
                        "runOnly": {"type": "tag", "values": AXE_TAGS},
                        "resultTypes": ["violations"],
                    },
                )
                assert found.response["violations"] == [], found.response["violations"][0]
            sideways = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert sideways <= 0, f"{name} scrolls sideways at {width} px"
        finally:
            page.close()
