"""The board pack opens and renders in a real browser, offline.

Headless Chromium (the Debian package; test tools cannot download browsers here) loads
the index, a weakness report and the single-file pack from the shared sample run, with
every host name unresolvable, and takes a screenshot of each. Screenshots and the PDF are
kept under ``outputs/test-artefacts/`` so that CI keeps them for a person to look at.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from helpers.pack_checks import ARTEFACTS, CHROMIUM, non_white_share, run_chromium

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install -y chromium); the browser "
    "checks need /usr/bin/chromium",
)
WIDTH, HEIGHT = 1280, 1600


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", header[16:24])


def _screenshot(page: Path, name: str, tmp: Path) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    png = ARTEFACTS / f"{name}.png"
    png.unlink(missing_ok=True)
    done = run_chromium(
        tmp, f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={png}", page.as_uri()
    )
    assert done.returncode == 0 and png.is_file(), done.stderr[-2000:]
    return png


def _rendered_dom(page: Path, tmp: Path) -> str:
    done = run_chromium(tmp, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize(
    "page, heading",
    [
        ("index.html", "SEND improvement evidence for Bury"),
        ("W1.html", "W1: the absence of strategic leadership"),
        ("pack.html", "SEND improvement evidence for Bury"),
    ],
)
def test_page_renders_in_headless_chromium(sample_pack, tmp_path, page, heading):
    path = sample_pack.folder / page
    dom = _rendered_dom(path, tmp_path)
    # The browser parsed the page into the document we wrote: its one h1 and its language.
    h1 = re.findall(r"<h1[^>]*>(.*?)</h1>", dom, re.DOTALL)
    assert len(h1) == 1 and heading in re.sub(r"<[^>]+>", "", h1[0])
    assert '<html lang="en-GB"' in dom

    png = _screenshot(path, f"browser-{path.stem}", tmp_path)
    assert _png_size(png) == (WIDTH, HEIGHT)
    assert png.stat().st_size > 30_000  # a blank page compresses to a few kilobytes
    share = non_white_share(png)
    assert 0.02 < share < 0.6, share  # text and charts on a white page


def test_report_prints_on_a4(sample_pack, tmp_path):
    """The print stylesheet's ``@page { size: A4 }`` reaches the printer (Chromium's own
    default paper is US Letter, 612 x 792 points)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTEFACTS / "browser-W1-print.pdf"
    pdf.unlink(missing_ok=True)
    done = run_chromium(
        tmp_path,
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        (sample_pack.folder / "W1.html").as_uri(),
    )
    assert done.returncode == 0 and pdf.is_file(), done.stderr[-2000:]
    content = pdf.read_bytes()
    boxes = {
        tuple(round(float(v)) for v in box.split())
        for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", content)
    }
    assert boxes == {(0, 0, 595, 842)}  # A4 in points
    assert len(re.findall(rb"/Type\s*/Page\b", content)) > 1
