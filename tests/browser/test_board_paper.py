"""The board paper (``sendready run --pdf``): page counts, footers, no controls, a look.

The paper is printed from the shared sample run's evidence by the same call the pipeline
makes. Page counts and text are read back with pypdf (independently of the browser that
wrote the file); each page's first lines say which section it belongs to. A rendering of
the first pages is saved under ``outputs/test-artefacts/`` for a person to look at.
"""

from __future__ import annotations

import pickle
import re

import pytest

from helpers.pack_checks import ARTEFACTS, CHROMIUM
from sendready.publish.boardpaper import PDF_FILE, write_board_paper

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="the board paper is printed by Chromium, which is not installed"
)
pypdf = pytest.importorskip("pypdf", reason="pypdf is a test dependency (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def paper(sample_pack, tmp_path_factory):
    with open(sample_pack.restricted / "evidence" / "evidence.pkl", "rb") as handle:
        evidence = pickle.load(handle)
    out = tmp_path_factory.mktemp("paper")
    pdf = write_board_paper(
        evidence,
        sample_pack.restricted,
        out,
        [("Area profile", "bury-2017-wsoa")],
        "1 April 2019 at 09:00",
        classification="OFFICIAL-SENSITIVE",
    )
    assert pdf == out / PDF_FILE
    reader = pypdf.PdfReader(str(pdf))
    return pdf, [page.extract_text() for page in reader.pages], reader


def _sections(texts: list[str]) -> dict[str, list[int]]:
    """Page numbers (from 1) of each section: the summary, W1..W8 and the annex.

    Each section starts a page with its heading; the summary's table also has lines that
    start "W1: ", but never at the top of a page.
    """
    where: dict[str, list[int]] = {}
    current = "summary"
    for number, text in enumerate(texts, start=1):
        body = [line for line in text.splitlines() if not re.search(r"Page \d+ of \d+", line)]
        starts = re.match(r"(W\d+): |Annex: ", body[0] if body else "")
        if starts:
            current = starts.group(1) or "annex"
        where.setdefault(current, []).append(number)
    return where


def test_summary_fits_two_pages_and_each_weakness_three(paper):
    _, texts, reader = paper
    sections = _sections(texts)
    assert list(sections) == ["summary", *[f"W{i}" for i in range(1, 9)], "annex"]
    assert len(sections["summary"]) <= 2, sections
    for key in (f"W{i}" for i in range(1, 9)):
        assert 1 <= len(sections[key]) <= 3, (key, sections[key])
    # A4 portrait, in points.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_every_page_has_its_number_date_and_classification(paper):
    _, texts, _ = paper
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
        assert "OFFICIAL-SENSITIVE" in text and "1 April 2019" in text


def test_no_interactive_controls_or_split_headings(paper):
    _, texts, _ = paper
    everything = "\n".join(texts)
    assert "Show the numbers behind this chart" not in everything
    assert "Show the table" not in everything
    for text in texts:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        # The last line of body text on a page is never a section heading left alone.
        body = [line for line in lines if not re.search(r"Page \d+ of \d+", line)]
        assert body[-1] not in {
            "What the inspectors found",
            "What success looks like",
            "Key indicators",
            "Plan actions",
        }, body[-1]


def test_rendered_pages_are_saved_as_test_artefacts(paper):
    pdf, texts, _ = paper
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / PDF_FILE).write_bytes(pdf.read_bytes())
    pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 renders the pages to look at")
    document = pdfium.PdfDocument(str(pdf))
    try:
        for index in (0, 2):
            image = document[index].render(scale=1.5).to_pil()
            target = ARTEFACTS / f"board-paper-page-{index + 1}.png"
            image.save(target)
            grey = image.convert("L")
            dark = sum(grey.histogram()[:200]) / (grey.width * grey.height)
            # Neither page is nearly blank (the old first printed page was).
            assert dark > 0.02, (index, dark)
    finally:
        document.close()
