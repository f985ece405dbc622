"""The board paper: the quarter's evidence as a PDF designed for print.

Many boards still read papers printed or as a PDF in a meeting app. The HTML reports are
built for screens (folded tables, links, long pages), so the paper is its own document,
built from the same evidence and the same board view as ``index.html``:

- the summary (the one-page board view, what the board is asked to note, the key to the
  icons) on at most two A4 pages;
- one section per weakness or priority area, starting on a new page and at most three
  pages long: the verdict and what it means, what the inspectors found and what success
  looks like, the key indicators with their Making Data Count icons, the headline
  indicator's control chart (as vector graphics, so it prints sharp at any resolution)
  and the plan's actions;
- an annex with the glossary of statistical terms and the provenance.

Every page carries its number, the date and the protective marking ("OFFICIAL" unless
the caller says otherwise) in the footer (CSS ``@page`` margin boxes); headings never end
a page (``break-after: avoid``); there are no interactive controls.

The PDF is printed by headless Chromium (Debian's ``chromium`` package; nothing is
downloaded; ``SENDREADY_CHROMIUM`` names another binary), with a private profile, no
network and the page loaded from a local file. It holds aggregates only, like the rest
of the board pack: values come from the indicator table after disclosure control.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd

from sendready.core.errors import SendreadyError
from sendready.core.formatting import format_date
from sendready.evidence.build import Evidence
from sendready.privacy.disclosure import mark_suppression
from sendready.publish.boardview import (
    BoardView,
    Headline,
    action_counts,
    build_board_view,
    figures,
    headline,
    read_actions,
)
from sendready.publish.export import check_board_html, label_cells, report_css

PDF_FILE = "board-paper.pdf"
PRINT_FIGSIZE = (6.4, 4.6)  # inches
DEFAULT_CLASSIFICATION = "OFFICIAL"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # the paper must need nothing from a network
    "--no-pdf-header-footer",  # the page's own footer (margin boxes) replaces Chromium's
)


class BoardPaperError(SendreadyError):
    """The PDF could not be printed (no browser, or the browser failed)."""


@dataclass
class WeaknessSection:
    """One weakness's pages in the paper."""

    id: str
    title: str
    verdict_code: str
    verdict_label: str
    verdict_meaning: str
    inspectors_found: str
    success_looks_like: str
    indicators: list[Headline]
    chart: str
    actions: str


def chromium_path() -> Path | None:
    """The Chromium binary: ``SENDREADY_CHROMIUM``, else ``chromium`` on the PATH."""
    named = os.environ.get("SENDREADY_CHROMIUM")
    if named:
        return Path(named) if Path(named).is_file() else None
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found else None


def _chart_svg(evidence: Evidence, indicator_id: str, marked: pd.DataFrame) -> str:
    """The headline indicator's control chart as an inline SVG image, or '' without one."""
    from sendready.reports.charts.spc_chart import spc_chart
    from sendready.reports.panels import small_flags

    assessment = evidence.assessments[indicator_id]
    if assessment.spc is None:
        return ""
    import matplotlib.pyplot as plt

    chart = spc_chart(
        assessment.spc,
        assessment.title,
        unit=assessment.unit,
        small_number=small_flags(marked, indicator_id),
        small_threshold=evidence.profile.disclosure.threshold,
    )
    # Smaller than on screen, so that at the printed size (about 82 mm high) the chart's
    # 13-point text prints at about 8 points rather than 6.
    chart.figure.set_size_inches(*PRINT_FIGSIZE)
    try:
        buffer = io.BytesIO()
        chart.figure.savefig(
            buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None}
        )
    finally:
        plt.close(chart.figure)
    source = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = jinja2.utils.markupsafe.escape(chart.alt_text)
    return (
        f'<figure class="sr-paper-chart"><img src="data:image/svg+xml;base64,{source}" '
        f'alt="{alt}"><figcaption>Control chart: {jinja2.utils.markupsafe.escape(assessment.title)}'
        "</figcaption></figure>"
    )


def _actions_sentence(counts) -> str:
    if counts is None:
        return "The action plan holds no actions for this area."
    total = counts.done + counts.not_yet_due + counts.overdue
    return (
        f"Of {total} plan actions, {counts.done} are done, {counts.not_yet_due} are not yet "
        f"due and {counts.overdue} {'is' if counts.overdue == 1 else 'are'} overdue."
    )


def weakness_sections(  # noqa: PLR0913 -- one call from board_paper_html
    evidence: Evidence,
    marked: pd.DataFrame,
    previous_table: pd.DataFrame | None,
    actions: pd.DataFrame | None,
    meanings: dict[str, str],
    *,
    charts: bool = True,
) -> list[WeaknessSection]:
    """One section per weakness or priority area, in the profile's order."""
    found = figures(
        evidence,
        marked,
        [i for w in evidence.profile.weaknesses for i in (w.key_indicators or w.indicators)],
        previous_table,
    )
    sections = []
    for w in evidence.profile.weaknesses:
        verdict = evidence.verdicts[w.id]
        keys = w.key_indicators or w.indicators
        sections.append(
            WeaknessSection(
                id=w.id,
                title=w.title,
                verdict_code=verdict.code,
                verdict_label=verdict.label,
                verdict_meaning=meanings.get(verdict.code, ""),
                inspectors_found=w.inspectors_found,
                success_looks_like=w.success_looks_like,
                indicators=[headline(evidence, i, found) for i in keys],
                chart=_chart_svg(evidence, keys[0], marked) if charts and keys else "",
                actions=_actions_sentence(action_counts(actions, w.id, evidence.period_end)),
            )
        )
    return sections


def board_paper_html(  # noqa: PLR0913 -- the pipeline passes what it holds
    evidence: Evidence,
    folder: Path,
    provenance: list[tuple[str, str]],
    run_date: str,
    *,
    classification: str = DEFAULT_CLASSIFICATION,
    actions: pd.DataFrame | None = None,
    charts: bool = True,
) -> str:
    """The board paper as one print-ready HTML page (the PDF's source).

    Args:
        evidence: The period's evidence.
        folder: The period's restricted folder (earlier packs and the staged action plan
            are found beside it).
        provenance: Label and value pairs for the annex.
        run_date: When the pack was produced, for the footer.
        classification: The protective marking printed on every page.
        actions: The staged action plan; read from beside ``folder`` when not given.
        charts: Draw each weakness's headline control chart (tests may skip them).
    """
    from sendready.publish.boardpack import (
        GLOSSARY,
        VERDICT_MEANING,
        change_words,
        previous_pack,
        template_environment,
    )
    from sendready.reports.charts import mdc_icons

    profile = evidence.profile
    wsoa = profile.framework.kind == "wsoa-2016"
    threshold = profile.disclosure.threshold
    marked = mark_suppression(evidence.table, threshold)
    previous = previous_pack(folder)
    previous_table = previous.table if previous is not None else None
    actions = read_actions(folder) if actions is None else actions
    changes = {
        w.id: change_words(
            evidence.verdicts[w.id].code,
            previous.verdicts.get(w.id) if previous else None,
            previous.period_end if previous else None,
        ).split(":")[0]
        for w in profile.weaknesses
    }
    board: BoardView = build_board_view(evidence, marked, {}, changes, previous_table, actions)
    period = format_date(evidence.period_end)
    html = (
        template_environment()
        .get_template("board_paper.html.j2")
        .render(
            title=f"Board paper: SEND improvement evidence for {profile.area.name}, quarter "
            f"to {period}",
            heading=f"SEND improvement evidence for {profile.area.name}",
            period_label=f"Quarter to {period}",
            classification=classification,
            run_date=run_date,
            footer_date=run_date.split(" at ")[0],
            board=board,
            item_word="Weakness" if wsoa else "Priority area",
            sections=weakness_sections(
                evidence, marked, previous_table, actions, VERDICT_MEANING, charts=charts
            ),
            suppression_note=f"Counts below {threshold} are not shown, to protect "
            "children's privacy.",
            icon_help=mdc_icons.legend_items(),
            glossary=GLOSSARY,
            provenance=provenance,
            css=report_css(),
        )
    )
    html = label_cells(html)
    check_board_html(html, PDF_FILE)
    return html


def print_pdf(html: str, pdf: Path, *, timeout: int = 180) -> Path:
    """Print an HTML page to ``pdf`` with headless Chromium.

    The page is written to a private temporary folder with a fresh browser profile, so
    nothing of the user's browser is read and nothing is left behind.

    Raises:
        BoardPaperError: Chromium is not installed or did not write the PDF.
    """
    browser = chromium_path()
    if browser is None:
        raise BoardPaperError(
            "cannot write the board paper (PDF): no Chromium browser was found",
            "install it (Debian or Ubuntu: apt-get install chromium), or set "
            "SENDREADY_CHROMIUM to its path; or run without --pdf",
        )
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sendready-pdf-") as tmp:
        page = Path(tmp) / "board-paper.html"
        page.write_text(html, encoding="utf-8")
        part = Path(tmp) / PDF_FILE
        env = {**os.environ, "HOME": tmp, "XDG_CONFIG_HOME": tmp, "XDG_CACHE_HOME": tmp}
        command = [
            str(browser),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={part}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise BoardPaperError(
                f"Chromium took more than {timeout} s to print the board paper",
                "try again when the machine is less busy, or run without --pdf",
            ) from exc
        if done.returncode != 0 or not part.is_file() or part.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1][:200]
            raise BoardPaperError(
                f"Chromium could not print the board paper (exit status {done.returncode}: {last})",
                "check that Chromium starts (chromium --headless --version), or run without --pdf",
            )
        shutil.move(str(part), pdf)
    return pdf


def write_board_paper(  # noqa: PLR0913 -- the pipeline passes what it holds
    evidence: Evidence,
    folder: Path,
    pack: Path,
    provenance: list[tuple[str, str]],
    run_date: str,
    *,
    classification: str = DEFAULT_CLASSIFICATION,
) -> Path:
    """Build the board paper and print it to ``<pack>/board-paper.pdf``."""
    html = board_paper_html(evidence, folder, provenance, run_date, classification=classification)
    return print_pdf(html, pack / PDF_FILE)
