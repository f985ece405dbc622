"""The board pack's front page and its single-file version.

``index.html`` is what a board member opens first: every weakness with its verdict in
words and an icon, the key indicators for the quarter (value, variation and target, each
as an icon and in words), what changed since the previous pack, and links to each report
and to the data-quality report. It is rendered with Jinja2 with autoescaping on, so a
title or a failure message can never inject markup. Reports that failed are listed by
title with a short reason; the exception's own text (which could quote data) stays in the
run log and the manifest.

``pack.html`` (optional) is the whole pack in one file for email: the index followed by
every report, with ids made unique and links between files turned into links to sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd

from sendready.core.formatting import format_date
from sendready.evidence.build import Evidence
from sendready.evidence.verdicts import VERDICT_LABELS
from sendready.privacy.disclosure import mark_suppression
from sendready.publish.batch import JobResult
from sendready.publish.boardview import (
    assurance_code,
    build_board_view,
    quarter_row,
    read_actions,
    shown_value,
)
from sendready.publish.export import check_board_html, label_cells, report_css, templates_dir
from sendready.publish.paths import evidence_dir, previous_verdicts
from sendready.reports.charts import mdc_icons

VERDICT_MEANING = {
    "sustained_improvement": "at least two key indicators, and at least half of those with "
    "data, show improvement that the statistics support and that has held, and none shows "
    "concern",
    "some_improvement": "more key indicators show improvement than worsening at the latest "
    "point, and at least two do or one has held it for ten months",
    "no_evidence_of_change": "the key indicators vary only as they did before the plan, as "
    "many worsen as improve, or a single indicator's signal is too recent to stand alone",
    "some_deterioration": "more key indicators show a significant worsening than an "
    "improvement, and at least two do or one has held it for ten months, but not enough "
    "for evidence of deterioration",
    "deterioration": "at least two key indicators, and at least half of those with data, "
    "show a significant worsening, outnumbering any improvement",
    "not_enough_data": "too few key indicators have enough data to judge (more than half "
    "have none)",
}
# The statistical words the board-facing text avoids, explained once, in the annex.
GLOSSARY = [
    (
        "Making Data Count",
        "NHS England's way of reading a monthly series with a statistical process control "
        "chart, used in NHS board papers; the icons on this page are its icon set.",
    ),
    (
        "Common cause variation",
        "the ups and downs a process always has. The figures vary, but not by more than "
        "before the plan: 'no significant change'.",
    ),
    (
        "Special cause variation",
        "a change too large or too sustained to be chance: a point outside the process "
        "limits, seven points in a row above or below the average or seven rising or "
        "falling, or two of three close to the same limit. Blue when better, orange when "
        "worse.",
    ),
    (
        "Process limits",
        "the range (three standard deviations either side of the average, estimated from "
        "the months before the plan) within which a stable process almost always falls.",
    ),
    (
        "Assurance",
        "whether the target will be met if the process stays as it is: met every month "
        "(P), missed every month (F), or sometimes met and sometimes missed (?).",
    ),
    (
        "Baseline comparison",
        "for censuses and surveys, with too few points for a control chart: the latest "
        "figure against the baseline, with 95% confidence intervals (Wilson).",
    ),
]
VERDICT_ORDER = [
    "sustained_improvement",
    "some_improvement",
    "no_evidence_of_change",
    "some_deterioration",
    "deterioration",
    "not_enough_data",
]


def template_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


@dataclass
class IndicatorLine:
    """One key indicator on the index: value, variation icon and words, target, change."""

    indicator_id: str
    title: str
    value: str
    icon: str
    words: str
    assurance_icon: str = ""
    assurance_words: str = ""
    previous: str = ""

    def __str__(self) -> str:
        text = f"{self.indicator_id} {self.title}: {self.value}"
        return text + (f" – {self.words}" if self.words else "")


@dataclass
class PreviousPack:
    """The latest earlier pack of the same profile: its date, verdicts and quarter values."""

    period_end: str
    verdicts: dict[str, str]
    table: pd.DataFrame | None


def indicator_line(
    evidence: Evidence,
    indicator_id: str,
    marked: pd.DataFrame,
    previous: PreviousPack | None = None,
    previous_marked: pd.DataFrame | None = None,
) -> IndicatorLine:
    """A key indicator for the index, e.g. 'EHC01 EHC plans issued within 20 weeks: 88.0%'
    with the MDC variation icon and 'Improving (figures higher than before)'.

    ``marked`` (and ``previous_marked``) are indicator tables after disclosure control
    marked what to hide: the index shows no number a report would hide.
    """
    assessment = evidence.assessments[indicator_id]
    row = quarter_row(marked, indicator_id)
    value = shown_value(row, assessment.unit)
    if value is None:
        reason = "" if row is None else str(row["no_data_reason"])
        return IndicatorLine(
            indicator_id,
            assessment.title,
            f"no data ({reason or 'not available'})",
            mdc_icons.variation_icon("insufficient_data"),
            "",
        )
    # Plain English on the index; the technical annex explains the statistics.
    variation = mdc_icons.variation_code(assessment)
    side = mdc_icons.signal_side(assessment)
    line = IndicatorLine(
        indicator_id,
        assessment.title,
        value,
        mdc_icons.variation_icon(variation, side),
        mdc_icons.variation_label(variation, side),
    )
    assurance = assurance_code(assessment)
    if assurance != "no_target":
        line.assurance_icon = mdc_icons.assurance_icon(assurance)
        line.assurance_words = mdc_icons.ASSURANCE_WORDS[assurance]
    if previous is not None:
        before = shown_value(quarter_row(previous_marked, indicator_id), assessment.unit)
        when = format_date(pd.Timestamp(previous.period_end))
        line.previous = (
            f"{before} in the pack for {when}"
            if before is not None
            else f"no data in the pack for {when}"
        )
    return line


def previous_pack(period_folder: Path) -> PreviousPack | None:
    """The latest earlier pack of the same profile, if there is one.

    ``period_folder`` is the period's restricted folder: an earlier pack's verdicts and
    indicator table are evidence, kept in the restricted area beside it.
    """
    found = previous_verdicts(period_folder)
    if found is None:
        return None
    period_end, verdicts = found
    table_path = evidence_dir(period_folder.parent / period_end) / "indicators.parquet"
    table = pd.read_parquet(table_path) if table_path.exists() else None
    return PreviousPack(period_end, verdicts, table)


# Verdicts that can be ranked from best to worst; "not enough data" cannot.
_RANKED = VERDICT_ORDER[:-1]


def change_words(now: str, before: str | None, when: str | None) -> str:
    if when is None:
        return "No earlier pack to compare with"
    date = format_date(pd.Timestamp(when))
    if before is None:
        return f"Not in the pack for {date}"
    if before == now:
        return f"Unchanged since the pack for {date}"
    if now == "not_enough_data":  # the data ran out: that is not a change in the area
        return (
            f"No data to judge this quarter (was '{VERDICT_LABELS[before]}' in the pack for {date})"
        )
    if now in _RANKED and before in _RANKED:
        direction = "Better" if _RANKED.index(now) < _RANKED.index(before) else "Worse"
    else:
        direction = "Changed"
    return f"{direction}: was '{VERDICT_LABELS[before]}' in the pack for {date}"


def build_index(
    evidence: Evidence,
    results: dict[str, JobResult],
    folder: Path,
    provenance: list[tuple[str, str]],
    run_date: str,
    actions: pd.DataFrame | None = None,
    marked: pd.DataFrame | None = None,
) -> str:
    """Render ``index.html`` for one period (see module docstring).

    ``folder`` is the period's restricted folder, where earlier packs' evidence is looked
    up; the page itself links only to the reports beside it in the board pack. The board
    view at the top counts the plan's actions from ``actions`` (the staged action plan),
    read from the staged folder beside ``folder`` when not given. ``marked`` is the
    evidence's table with suppression already marked at the profile's threshold (the
    batch's stored narrator holds it), so that it is not marked again; None marks it here.
    """
    profile = evidence.profile
    wsoa = profile.framework.kind == "wsoa-2016"
    previous = previous_pack(folder)
    threshold = profile.disclosure.threshold
    if marked is None:
        marked = mark_suppression(evidence.table, threshold)
    previous_marked = (
        mark_suppression(previous.table, threshold)
        if previous is not None and previous.table is not None
        else None
    )
    rows = []
    for weakness in profile.weaknesses:
        verdict = evidence.verdicts[weakness.id]
        result = results.get(weakness.id)
        keys = weakness.key_indicators or weakness.indicators
        rows.append(
            {
                "id": weakness.id,
                "title": weakness.title,
                "href": Path(result.html).name if result and result.status == "ok" else None,
                "verdict_code": verdict.code,
                "verdict_label": verdict.label,
                "indicators": [
                    indicator_line(evidence, i, marked, previous, previous_marked) for i in keys
                ],
                "change": change_words(
                    verdict.code,
                    previous.verdicts.get(weakness.id) if previous else None,
                    previous.period_end if previous else None,
                ),
            }
        )
    others = []
    for key, title in (("board_summary", "Board summary"), ("data_quality", "Data quality report")):
        result = results.get(key)
        if result is not None:
            others.append(
                {"title": title, "href": Path(result.html).name if result.status == "ok" else None}
            )
    order = {w.id: i for i, w in enumerate(profile.weaknesses)}
    failures = sorted(
        (r for r in results.values() if r.status != "ok"), key=lambda r: order.get(r.key, -1)
    )
    period_label = f"Quarter to {format_date(evidence.period_end)}"
    html = (
        template_environment()
        .get_template("index.html.j2")
        .render(
            title=f"SEND improvement evidence: {profile.area.name}, quarter to "
            f"{format_date(evidence.period_end)}",
            heading=f"SEND improvement evidence for {profile.area.name}",
            area=profile.area.name,
            period_label=period_label,
            intro=(
                f"Evidence of progress against the {len(rows)} "
                + (
                    "areas of significant weakness in the written statement of action"
                    if wsoa
                    else "areas for priority action"
                )
                + ", from the partnership's own data, judged with the statistical methods the "
                "NHS and DfE use."
            ),
            run_date=run_date,
            suppression_note=(
                f"Counts below {threshold} are not shown, to protect children's privacy."
            ),
            failures=failures,
            rows=rows,
            items_heading="Weaknesses" if wsoa else "Areas for priority action",
            item_word="Weakness" if wsoa else "Priority area",
            table_caption=f"Verdict for each {'weakness' if wsoa else 'priority area'}, "
            f"quarter to {format_date(evidence.period_end)}",
            other_links=others,
            verdict_help=[(c, VERDICT_LABELS[c]) for c in VERDICT_ORDER],
            verdict_meaning=VERDICT_MEANING,
            icon_help=mdc_icons.legend_items(),
            glossary=GLOSSARY,
            board=build_board_view(
                evidence,
                marked,
                {r["id"]: r["href"] for r in rows},
                {r["id"]: r["change"].split(":")[0] for r in rows},
                previous.table if previous is not None else None,
                read_actions(folder) if actions is None else actions,
            ),
            provenance=provenance,
            css=report_css(),
        )
    )
    html = label_cells(html)
    check_board_html(html, "index.html")
    return html


_MAIN = re.compile(r'<main id="main">(.*)</main>', re.DOTALL)


def _demote(fragment: str, prefix: str) -> str:
    """Nest a report inside the pack: headings one level down, ids made unique."""
    fragment = re.sub(
        r"<(/?)h([1-5])\b", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", fragment
    )
    fragment = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', fragment)
    fragment = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', fragment)
    fragment = re.sub(
        r'aria-(labelledby|describedby)="([^"]+)"',
        lambda m: (
            f'aria-{m.group(1)}="' + " ".join(f"{prefix}-{i}" for i in m.group(2).split()) + '"'
        ),
        fragment,
    )
    return fragment


def _first_heading_id(fragment: str) -> str | None:
    match = re.search(r'<h2[^>]*\bid="([^"]+)"', fragment)
    return match.group(1) if match else None


def single_file_pack(index_html: str, reports: list[tuple[str, Path]]) -> str:
    """One self-contained HTML file (for email): the index, then every report in turn.

    Each report's main content becomes a section (its headings one level down, its ids
    prefixed with the report's key so they stay unique), and every link to a report file,
    from the index or from another report, becomes a link to that report's section.

    Raises:
        ExportError: the result would break a board-report rule (for example, refer to an
            external address).
    """
    sections = []
    targets = {}
    for key, path in reports:
        match = _MAIN.search(path.read_text(encoding="utf-8"))
        if not match:
            continue
        body = _demote(match.group(1), key)
        label = _first_heading_id(body)
        labelled = f'aria-labelledby="{label}"' if label else f'aria-label="{key} report"'
        sections.append(
            f'<section class="sr-weakness" id="report-{key}" {labelled}>{body}</section>'
        )
        targets[path.name] = key
    pack = index_html.replace("</main>", "\n".join(sections) + "</main>", 1)
    for name, key in targets.items():
        # A link to a place inside a report goes to that place in its section.
        pack = re.sub(
            rf'href="(?:\./)?{re.escape(name)}(?:#([^"]*))?"',
            lambda m, k=key: f'href="#{k}-{m.group(1)}"' if m.group(1) else f'href="#report-{k}"',
            pack,
        )
    check_board_html(pack, "pack.html")
    return pack
