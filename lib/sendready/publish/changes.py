"""``sendready diff``: what changed between two quarters' packs, by weakness and indicator.

Reads the evidence each pack was built from (the period's restricted ``evidence/``: the
verdicts, the assessments and the indicator table) and lists, for every weakness or
priority area, the verdict in each quarter and, for each of its indicators, the quarter's
value (as the packs show it: small counts suppressed exactly as the index suppresses
them) and what the statistics said. Everything that differs is marked, so a lead can see
at a glance what moved and why a verdict changed.

The result is printed as Markdown and written beside the packs as Markdown and as an
accessible HTML page (``board-pack/changes-<from>-to-<to>.html``); both hold only what the
packs themselves may show.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from sendready.core.dates import iso_date, long_date
from sendready.core.errors import SendreadyError
from sendready.evidence.build import Evidence
from sendready.evidence.verdicts import VERDICT_LABELS
from sendready.metadata.profile import Profile
from sendready.privacy.disclosure import mark_suppression
from sendready.publish.batch import today_label
from sendready.publish.boardview import quarter_row, shown_value
from sendready.publish.export import check_board_html, report_css, templates_dir
from sendready.publish.paths import BOARD_PACK_DIR, period_paths, profile_dir
from sendready.stats.spc import VARIATION_LABELS

NO_DATA = "no data"


@dataclass
class IndicatorChange:
    indicator_id: str
    title: str
    before: str
    after: str
    signal_before: str
    signal_after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after or self.signal_before != self.signal_after


@dataclass
class WeaknessChange:
    weakness_id: str
    title: str
    before: str
    after: str
    indicators: list[IndicatorChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class Changes:
    profile: Profile
    first: str
    second: str
    weaknesses: list[WeaknessChange]


def _load(outputs: Path, profile: Profile, period: str) -> Evidence:
    """The evidence a pack was built from (written by this suite into its restricted area)."""
    folder = period_paths(outputs, profile, period).evidence
    cache = folder / "evidence.pkl"
    if not cache.is_file():
        raise SendreadyError(
            f"There is no pack for the quarter to {long_date(period)} under "
            f"{profile_dir(outputs, profile)}: run `sendready run --profile {profile.id} "
            f"--period-end {period}` first."
        )
    with open(cache, "rb") as handle:
        return pickle.load(handle)


def _signal(evidence: Evidence, indicator_id: str) -> str:
    assessment = evidence.assessments.get(indicator_id)
    if assessment is None:
        return NO_DATA
    if assessment.method == "baseline_comparison":
        return {
            "improvement": "significant improvement on the baseline",
            "concern": "significant worsening on the baseline",
        }.get(assessment.signal, "no significant change on the baseline")
    return VARIATION_LABELS.get(assessment.variation, assessment.variation)


def _value(evidence: Evidence, marked, indicator_id: str) -> str:
    assessment = evidence.assessments.get(indicator_id)
    unit = assessment.unit if assessment is not None else ""
    return shown_value(quarter_row(marked, indicator_id), unit) or NO_DATA


def compare_packs(outputs: Path, profile: Profile, first: str, second: str) -> Changes:
    """What changed from the pack for ``first`` to the pack for ``second``."""
    first, second = iso_date(first).isoformat(), iso_date(second).isoformat()
    before, after = _load(outputs, profile, first), _load(outputs, profile, second)
    threshold = profile.disclosure.threshold
    marked_before = mark_suppression(before.table, threshold)
    marked_after = mark_suppression(after.table, threshold)
    weaknesses = []
    for weakness in profile.weaknesses:
        change = WeaknessChange(
            weakness.id,
            weakness.title,
            _verdict(before, weakness.id),
            _verdict(after, weakness.id),
        )
        for ind in weakness.indicators:
            title = after.assessments[ind].title if ind in after.assessments else ind
            change.indicators.append(
                IndicatorChange(
                    ind,
                    title,
                    _value(before, marked_before, ind),
                    _value(after, marked_after, ind),
                    _signal(before, ind),
                    _signal(after, ind),
                )
            )
        weaknesses.append(change)
    return Changes(profile, first, second, weaknesses)


def _verdict(evidence: Evidence, weakness_id: str) -> str:
    verdict = evidence.verdicts.get(weakness_id)
    return VERDICT_LABELS.get(verdict.code, verdict.code) if verdict is not None else NO_DATA


def to_markdown(changes: Changes) -> str:
    """The changes as Markdown: a section per weakness, a table of its indicators."""
    a, b = long_date(changes.first), long_date(changes.second)
    moved = sum(w.changed for w in changes.weaknesses)
    lines = [
        f"# What changed from the quarter to {a} to the quarter to {b}",
        "",
        f"{changes.profile.area.name} ({changes.profile.id}): {moved} of "
        f"{len(changes.weaknesses)} verdicts changed. Rows marked **changed** differ in "
        "value or in what the statistics say.",
        "",
    ]
    for w in changes.weaknesses:
        verdict = (
            f"**{w.before}** → **{w.after}** (changed)" if w.changed else f"{w.after} (unchanged)"
        )
        lines += [f"## {w.weakness_id}: {w.title}", "", f"Verdict: {verdict}", ""]
        lines += [
            f"| indicator | {a} | {b} | statistics, {a} | statistics, {b} | |",
            "|---|---|---|---|---|---|",
        ]
        for i in w.indicators:
            mark = "**changed**" if i.changed else ""
            lines.append(
                f"| {i.indicator_id} {i.title} | {i.before} | {i.after} | "
                f"{i.signal_before} | {i.signal_after} | {mark} |"
            )
        lines.append("")
    return "\n".join(lines)


def to_html(changes: Changes) -> str:
    """The changes as an accessible page in the packs' own style."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    a, b = long_date(changes.first), long_date(changes.second)
    html = environment.get_template("changes.html.j2").render(
        title=f"What changed: {changes.profile.area.name}, quarter to {a} to quarter to {b}",
        heading=f"What changed from the quarter to {a} to the quarter to {b}",
        area=changes.profile.area.name,
        first=a,
        second=b,
        moved=sum(w.changed for w in changes.weaknesses),
        weaknesses=changes.weaknesses,
        run_date=today_label(),
        css=report_css(),
    )
    check_board_html(html, "changes page")
    return html


def write_changes(outputs: Path, changes: Changes) -> tuple[Path, Path]:
    """Write the Markdown and HTML beside the packs; returns both paths."""
    folder = profile_dir(outputs, changes.profile) / BOARD_PACK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"changes-{changes.first}-to-{changes.second}"
    markdown, html = folder / f"{stem}.md", folder / f"{stem}.html"
    markdown.write_text(to_markdown(changes), encoding="utf-8")
    html.write_text(to_html(changes), encoding="utf-8")
    return markdown, html
