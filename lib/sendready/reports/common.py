"""Pieces every report page is built from: escaped HTML, headings, badges, provenance.

Report sections are emitted as ``text/html`` outputs built here rather than as markdown,
so that every piece of free text (a school name, a quote, a weakness title) goes through
``html.escape`` exactly once, and headings get stable ids for the contents list.
"""

from __future__ import annotations

import re
from html import escape as _html_escape

import pandas as pd

from sendready import __version__
from sendready.core.formatting import format_count, format_date, format_value
from sendready.core.text import strip_bidi
from sendready.reports.charts.display import data_table_html
from sendready.stats.spc import ASSURANCE_LABELS, VARIATION_LABELS

# Words always accompany a symbol; the symbol is hidden from screen readers because the
# words already say the same (WCAG 1.4.1: never colour or shape alone).
VERDICT_SYMBOLS = {
    "sustained_improvement": "▲▲",
    "some_improvement": "▲",
    "no_evidence_of_change": "■",
    "some_deterioration": "▼",
    "deterioration": "▼▼",
    "not_enough_data": "?",
}
VARIATION_SYMBOLS = {
    "common_cause": "●",
    "special_cause_improvement": "▲",
    "special_cause_concern": "▼",
    "special_cause_neutral": "◆",
    "insufficient_data": "…",
}
ASSURANCE_SYMBOLS = {
    "consistently_pass": "✓",
    "consistently_fail": "✗",
    "hit_and_miss": "~",
    "process_changing": "⋯",
    "no_target": "–",
    "insufficient_data": "…",
}
# Making Data Count colours, as shades with at least 4.5:1 contrast on white for text.
BADGE_COLOURS = {
    "sustained_improvement": "#1d4f91",
    "some_improvement": "#1d4f91",
    "special_cause_improvement": "#1d4f91",
    "consistently_pass": "#1d4f91",
    "deterioration": "#8a3b00",
    "some_deterioration": "#8a3b00",
    "special_cause_concern": "#8a3b00",
    "consistently_fail": "#8a3b00",
    "special_cause_neutral": "#5b2a86",
}
DEFAULT_BADGE = "#4a4a4a"


def escape(text: str, quote: bool = True) -> str:
    """Text escaped for HTML, without bidirectional control characters (free text may
    hold them: :mod:`sendready.core.text`)."""
    return _html_escape(strip_bidi(str(text)), quote)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def heading(level: int, text: str, anchor: str | None = None) -> str:
    return f'<h{level} id="{escape(anchor or slug(text))}">{escape(text)}</h{level}>'


def paragraph(text: str, css: str | None = None, *, attributes: str = "") -> str:
    """``text`` escaped in a ``<p>``; ``attributes`` (trusted markup such as
    :func:`~sendready.privacy.disclosure.counts_attribute`'s) go on the tag as given."""
    cls = f' class="{css}"' if css else ""
    return f"<p{cls}{attributes}>{escape(text)}</p>"


def badge(code: str, words: str, symbol: str) -> str:
    # An inline block keeps the badge's box together on one line where it fits, yet lets
    # its words wrap on a narrow screen or at 400% zoom; ``nowrap`` pushed long badges
    # off the side of the page, which then scrolled sideways (WCAG 1.4.10 reflow).
    colour = BADGE_COLOURS.get(code, DEFAULT_BADGE)
    return (
        f'<span class="sr-badge" style="color:{colour};border:2px solid {colour};'
        f"border-radius:0.25rem;padding:0 0.4rem;font-weight:bold;display:inline-block;"
        f'max-width:100%">'
        f'<span aria-hidden="true">{symbol}</span> {escape(words)}</span>'
    )


def verdict_badge(code: str, label: str) -> str:
    return badge(code, label, VERDICT_SYMBOLS.get(code, ""))


def variation_badge(code: str) -> str:
    return badge(code, VARIATION_LABELS.get(code, code), VARIATION_SYMBOLS.get(code, ""))


def assurance_badge(code: str) -> str:
    return badge(code, ASSURANCE_LABELS.get(code, code), ASSURANCE_SYMBOLS.get(code, ""))


def assurance_code(assessment) -> str:
    """The assurance to show for an assessment.

    An indicator judged without a control chart (a census or survey series) carries the
    default "no target" even when the profile sets one; the sentence beside the badge
    says there are too few points to judge the target, and the badge must agree.
    """
    if assessment.assurance == "no_target" and assessment.target is not None:
        return "insufficient_data"
    return assessment.assurance


def table_html(
    data: pd.DataFrame, caption: str, units: dict[str, str] | None = None, *, fold: bool = False
) -> str:
    """A report's own table (not the numbers behind a chart), shown open by default.

    :func:`~sendready.reports.charts.display.data_table_html` folds long tables behind "Show the
    numbers behind this chart", which misleads where there is no chart and hides a
    table that is the point of its section. ``fold`` keeps long tables folded, with a
    summary that says what is inside.
    """
    markup = data_table_html(data, caption, units)
    folded = re.fullmatch(r"<details><summary>.*?</summary>(.*)</details>", markup, re.DOTALL)
    if folded is None:
        return markup
    if not fold:
        return folded.group(1)
    summary = f"Show the table: {caption} ({format_count(len(data))} rows)"
    return f"<details><summary>{escape(summary)}</summary>{folded.group(1)}</details>"


def show(markup: str) -> str:
    """Display one HTML block in the notebook (and return it, for tests)."""
    from IPython.display import HTML, display

    display(HTML(markup))
    return markup


def figure_or_no_data(value: object, unit: str, suppressed: bool, threshold: int) -> str:
    if suppressed:
        return f"fewer than {threshold} (not shown)"
    return format_value(value, unit)


def provenance_rows(ctx) -> list[tuple[str, str]]:
    """What produced a page: profile, period, data fingerprint, extract date, versions."""
    summary = ctx.ingest.summary
    return [
        ("Area profile", f"{ctx.profile.id} ({ctx.profile.area.name})"),
        ("Reporting period", f"Quarter to {format_date(ctx.evidence.period_end)}"),
        ("Extract date", format_date(summary.get("extract_date"))),
        ("Data fingerprint", ctx.ingest.fingerprint[:16]),
        ("sendready version", __version__),
        ("pandas version", pd.__version__),
    ]


def provenance_html(ctx) -> str:
    rows = "".join(
        f'<tr><th scope="row">{escape(k)}</th><td>{escape(v)}</td></tr>'
        for k, v in provenance_rows(ctx)
    )
    return (
        heading(2, "Provenance") + "<table><caption>What this report was produced "
        f"from</caption><tbody>{rows}</tbody></table>"
    )
