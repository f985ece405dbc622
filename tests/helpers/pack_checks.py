"""Checks on exported board HTML, written independently of the library's own checks.

The library refuses external references with a regular expression; here an HTML parser
walks every attribute and every stylesheet instead, so a gap in one is unlikely to be a gap
in the other. Also: headless Chromium for rendering checks (docs/architecture.md, "Pitfalls the code
works around").
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PACK_PROFILE = "bury-2017-wsoa"
# Small enough to keep the run short; large enough that every Bury indicator still has
# data and the verdicts differ between weaknesses.
SAMPLE_PACK_SCALE = 0.3
SAMPLE_PACK_SEED = 2017
# The quarter before the May 2019 re-visit: the first story's test quarter. The sample runs
# to March 2026, so the run names it rather than taking the last quarter of the extract.
SAMPLE_PACK_PERIOD = "2019-03-31"
ARTEFACTS = ROOT / "outputs" / "test-artefacts"
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
# Attributes whose value a browser fetches or follows.
_URL_ATTRIBUTES = {
    "src",
    "href",
    "srcset",
    "poster",
    "action",
    "data",
    "formaction",
    "xlink:href",
    "background",
    "manifest",
    "ping",
}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_CSS_IMPORT = re.compile(r"@import\s+(['\"])(.*?)\1", re.IGNORECASE)


def is_external(url: str) -> bool:
    """True for anything that would be fetched from another host (or another file system
    location than the pack): http(s), protocol-relative, file:, ftp: and the like."""
    url = url.strip()
    lowered = url.lower()
    if not url or lowered.startswith(("#", "data:", "mailto:")):
        return False
    return lowered.startswith("//") or bool(re.match(r"^[a-z][a-z0-9+.-]*:", lowered))


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.ids: Counter[str] = Counter()
        self.hrefs: list[str] = []
        self.imgs: list[dict[str, str | None]] = []
        self.h1 = 0
        self.scripts = 0
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids[value] += 1
            if name == "href":
                self.hrefs.append(value)
            if name in _URL_ATTRIBUTES:
                candidates = (
                    [part.split()[0] for part in value.split(",") if part.strip()]
                    if name == "srcset"
                    else [value]
                )
                self.found += [f"<{tag} {name}={c!r}>" for c in candidates if is_external(c)]
            if name == "style":
                self._css(value, f"<{tag} style>")
        if tag == "h1":
            self.h1 += 1
        if tag == "script":
            self.scripts += 1
        if tag == "img":
            self.imgs.append(values)
        if tag == "style":
            self._in_style = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data, "<style>")

    def _css(self, css: str, where: str) -> None:
        for _, url in _CSS_URL.findall(css):
            if is_external(url):
                self.found.append(f"{where} url({url[:80]})")
        for _, url in _CSS_IMPORT.findall(css):
            if is_external(url):
                self.found.append(f"{where} @import {url[:80]}")


def scan(html: str) -> _Scanner:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner


def external_references(html: str) -> list[str]:
    return scan(html).found


# --- Chromium ------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No name resolves: a page that needed the internet could not get it.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
]


def run_chromium(tmp: Path, *args: str, timeout: int = 90) -> subprocess.CompletedProcess:
    """Run headless Chromium with a fresh profile and a private home (hermetic)."""
    home = tmp / "chromium-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TMPDIR": str(tmp),
    }
    profile = tmp / f"chromium-profile-{len(list(tmp.glob('chromium-profile-*')))}"
    command = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def non_white_share(png: Path) -> float:
    """Share of pixels that are not (near) white: a blank page scores about 0."""
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    total = sum(histogram)
    return sum(histogram[:240]) / total
