"""The board pack's front page, its single-file version and its manifest.

``index.html`` is what a board member opens first: every weakness with its verdict in
words and an icon, the key indicators for the quarter, what changed since the previous
pack, and links to each report. It is rendered with Jinja2 with autoescaping on, so a
title or a failure message can never inject markup.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2
import pandas as pd

from sendready.batch import JobResult
from sendready.disclosure import mark_suppression
from sendready.evidence import Evidence
from sendready.export import check_board_html, report_css, templates_dir
from sendready.formatting import format_date, format_value
from sendready.reports.common import VERDICT_SYMBOLS
from sendready.stats.spc import VARIATION_LABELS
from sendready.verdicts import VERDICT_LABELS

VERDICT_MEANING = {
    "sustained_improvement": "at least half of the key indicators show improvement that the "
                             "statistics support and that has held, and none shows concern",
    "some_improvement": "at least one key indicator shows improvement at the latest point",
    "no_evidence_of_change": "the key indicators vary only as they did before the plan",
    "deterioration": "more key indicators show a significant worsening than an improvement",
    "not_enough_data": "too few key indicators have enough data to judge",
}
VERDICT_ORDER = ["sustained_improvement", "some_improvement", "no_evidence_of_change",
                 "deterioration", "not_enough_data"]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True, undefined=jinja2.StrictUndefined,
    )


def indicator_line(evidence: Evidence, indicator_id: str, marked: pd.DataFrame) -> str:
    """'EHC01 EHC plans issued within 20 weeks: 88.0% – Special cause variation – improvement'.

    ``marked`` is the indicator table after disclosure control marked what to hide.
    """
    assessment = evidence.assessments[indicator_id]
    rows = marked[(marked["indicator_id"] == indicator_id) & (marked["breakdown"] == "")
                  & (marked["period_type"] == "quarter")]
    row = rows.iloc[0] if len(rows) else None
    if row is None or bool(row["no_data"]):
        reason = "" if row is None else str(row["no_data_reason"])
        return f"{indicator_id} {assessment.title}: no data ({reason or 'not available'})"
    if bool(row.get("suppressed", False)):
        value = f"fewer than {evidence.profile.disclosure.threshold} cases (not shown)"
    else:
        value = format_value(row["value"], assessment.unit)
    words = VARIATION_LABELS.get(assessment.variation, "")
    if assessment.method == "baseline_comparison":
        words = {"improvement": "significant improvement on the baseline",
                 "concern": "significant worsening on the baseline"}.get(
            assessment.signal, "no significant change on the baseline")
    return f"{indicator_id} {assessment.title}: {value}" + (f" – {words}" if words else "")


def previous_verdicts(period_folder: Path) -> tuple[str, dict[str, str]] | None:
    """The verdicts of the latest earlier pack of the same profile, if there is one."""
    siblings = sorted(p for p in period_folder.parent.iterdir()
                      if p.is_dir() and re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.name)
                      and p.name < period_folder.name)
    for folder in reversed(siblings):
        path = folder / "evidence" / "verdicts.json"
        if path.exists():
            content = json.loads(path.read_text(encoding="utf-8"))
            return folder.name, {k: v["verdict"] for k, v in content["verdicts"].items()}
    return None


def _change_words(now: str, before: str | None, when: str | None) -> str:
    if before is None:
        return "No earlier pack to compare with"
    date = format_date(pd.Timestamp(when))
    if before == now:
        return f"Unchanged since the pack for {date}"
    direction = ("better" if VERDICT_ORDER.index(now) < VERDICT_ORDER.index(before)
                 else "different")
    return f"{direction.capitalize()}: was '{VERDICT_LABELS[before]}' in the pack for {date}"


def build_index(evidence: Evidence, results: dict[str, JobResult], folder: Path,
                provenance: list[tuple[str, str]], run_date: str) -> str:
    """Render ``index.html`` for one period (see module docstring)."""
    profile = evidence.profile
    wsoa = profile.framework.kind == "wsoa-2016"
    previous = previous_verdicts(folder)
    marked = mark_suppression(evidence.table, profile.disclosure.threshold)
    rows = []
    for weakness in profile.weaknesses:
        verdict = evidence.verdicts[weakness.id]
        result = results.get(weakness.id)
        keys = weakness.key_indicators or weakness.indicators
        before = previous[1].get(weakness.id) if previous else None
        rows.append({
            "id": weakness.id, "title": weakness.title,
            "href": Path(result.html).name if result and result.status == "ok" else None,
            "verdict_code": verdict.code, "verdict_label": verdict.label,
            "verdict_icon": VERDICT_SYMBOLS[verdict.code],
            "indicators": [indicator_line(evidence, i, marked) for i in keys],
            "change": _change_words(verdict.code, before, previous[0] if previous else None),
        })
    others = []
    for key, title in (("board_summary", "Board summary"), ("data_quality", "Data quality")):
        result = results.get(key)
        if result is not None:
            others.append({"title": title,
                           "href": Path(result.html).name if result.status == "ok" else None})
    failures = [r for r in results.values() if r.status != "ok"]
    period_label = f"Quarter to {format_date(evidence.period_end)}"
    html = _environment().get_template("index.html.j2").render(
        title=f"SEND improvement evidence: {profile.area.name}, quarter to "
              f"{format_date(evidence.period_end)}",
        heading=f"SEND improvement evidence for {profile.area.name}",
        area=profile.area.name, period_label=period_label,
        intro=(f"Evidence of progress against the {len(rows)} "
               + ("areas of significant weakness in the written statement of action"
                  if wsoa else "areas for priority action")
               + ", from the partnership's own data, judged with the statistical methods the "
                 "NHS and DfE use."),
        run_date=run_date,
        suppression_note=(f"Counts below {profile.disclosure.threshold} are not shown, to "
                          "protect children's privacy."),
        failures=failures, rows=rows,
        items_heading="Weaknesses" if wsoa else "Areas for priority action",
        item_word="Weakness" if wsoa else "Priority area",
        table_caption=f"Verdict for each {'weakness' if wsoa else 'priority area'}, "
                      f"quarter to {format_date(evidence.period_end)}",
        other_links=others,
        verdict_help=[(c, VERDICT_LABELS[c]) for c in VERDICT_ORDER],
        verdict_meaning=VERDICT_MEANING,
        provenance=provenance, css=report_css(),
    )
    check_board_html(html, "index.html")
    return html


_MAIN = re.compile(r'<main id="main">(.*)</main>', re.DOTALL)


def _demote(fragment: str, prefix: str) -> str:
    """Nest a report inside the pack: headings one level down, ids made unique."""
    fragment = re.sub(r"<(/?)h([1-5])\b", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}",
                      fragment)
    fragment = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', fragment)
    fragment = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', fragment)
    fragment = re.sub(r'aria-labelledby="([^"]+)"',
                      lambda m: f'aria-labelledby="{prefix}-{m.group(1)}"', fragment)
    return fragment


def single_file_pack(index_html: str, reports: list[tuple[str, Path]]) -> str:
    """One self-contained HTML file (for email): the index, then every report in turn.

    Links from the index to report files become links to the sections holding them.
    """
    body = index_html
    sections = []
    for key, path in reports:
        report = path.read_text(encoding="utf-8")
        match = _MAIN.search(report)
        if not match:
            continue
        sections.append(f'<section class="sr-weakness" id="report-{key}" '
                        f'aria-label="{key} report">{_demote(match.group(1), key)}</section>')
        body = body.replace(f'href="{path.name}"', f'href="#report-{key}"')
    return body.replace("</main>", "\n".join(sections) + "</main>", 1)
