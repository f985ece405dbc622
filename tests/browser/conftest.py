"""What the browser tests share: one headless Chromium per module, driven by Playwright.

Debian's Chromium (``/usr/bin/chromium``, or ``SENDREADY_CHROMIUM``) is used as it is;
no browser is downloaded. Without it, or without Playwright, the tests are skipped with
the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SENDREADY_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's chromium package "
            "(.ci/run does) or set SENDREADY_CHROMIUM"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="the 'playwright' package is not installed (pip install -e '.[test]')",
    )
    pytest.importorskip(
        "axe_playwright_python",
        reason="the 'axe-playwright-python' package is not installed (pip install -e '.[test]')",
    )
    manager = sync_api.sync_playwright().start()
    try:
        launched = manager.chromium.launch(executable_path=str(CHROMIUM))
    except Exception as exc:  # a broken browser install: say so rather than error
        manager.stop()
        pytest.skip(f"Chromium at {CHROMIUM} would not start: {exc}")
    yield launched
    launched.close()
    manager.stop()
