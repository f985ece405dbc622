"""The board view: the whole quarter on one page, readable in five minutes.

Board members asked for one page they can read before the meeting: one sentence on how
many areas improve, what the board is asked to note, and one row per weakness (or
priority area) with its verdict, its headline indicator (the first key indicator) as a
figure, a sparkline and the Making Data Count variation and assurance icons, the change
since the previous quarter and the plan's actions done, not yet due and overdue.

Everything here is in plain English; statistical terms ("special cause", "process
limits") are explained in the technical annex and glossary further down the index. The
view shows no number the reports would hide: values come from the indicator table after
disclosure control has marked what to suppress, and suppressed months are gaps in the
sparkline. Actions are not children, so their counts are shown as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sendready.core.formatting import format_number, format_value
from sendready.evidence.build import Evidence
from sendready.evidence.verdicts import IMPROVING_VERDICTS
from sendready.indicators.quarters import previous_quarter
from sendready.privacy.disclosure import mark_suppression
from sendready.reports.charts import mdc_icons
from sendready.reports.narrative.words import count_words
from sendready.reports.weakness import actions_status_at

# The verdicts and variation in as few words as a one-page view allows; the detailed
# table below it uses the full labels.
SHORT_VERDICTS = {
    "sustained_improvement": "Sustained improvement",
    "some_improvement": "Some improvement",
    "no_evidence_of_change": "No change yet",
    "some_deterioration": "Some signs of worsening",
    "deterioration": "Worse",
    "not_enough_data": "Not enough data",
}
WORSENING_VERDICTS = ("deterioration", "some_deterioration")
SHORT_VARIATION = {
    "common_cause": "no change",
    "special_cause_improvement": "improving",
    "special_cause_concern": "worse",
    "special_cause_neutral": "neither",
    "insufficient_data": "no data",
}
# A change smaller than this (in the indicator's own unit) reads as "no change".
_UNCHANGED = 1e-9


@dataclass
class Headline:
    """The headline indicator of one row: its figure, trend and icons."""

    indicator_id: str
    title: str
    value: str
    sparkline: str
    variation_icon: str
    variation_words: str
    assurance_icon: str = ""
    assurance_words: str = ""
    change: str = "No figure"
    variation_short: str = ""


@dataclass
class ActionCounts:
    """Plan actions for one weakness, as at the period end."""

    done: int
    not_yet_due: int
    overdue: int


@dataclass
class BoardRow:
    """One weakness or priority area in the board view."""

    id: str
    title: str
    href: str | None
    verdict_code: str
    verdict_label: str
    headline: Headline | None
    actions: ActionCounts | None
    failed: bool = False  # its report failed to run: the verdict stands, the page does not


@dataclass
class BoardView:
    """What the one-page view shows, ready for the template."""

    sentence: str
    notes: list[str]
    rows: list[BoardRow]
    legend: list[tuple[str, str]] = field(default_factory=list)


def quarter_row(marked: pd.DataFrame | None, indicator_id: str) -> pd.Series | None:
    """The whole-area quarter row of an indicator, or None."""
    if marked is None:
        return None
    rows = marked[
        (marked["indicator_id"] == indicator_id)
        & (marked["breakdown"] == "")
        & (marked["period_type"] == "quarter")
    ]
    return rows.iloc[0] if len(rows) else None


def shown_value(row: pd.Series | None, unit: str) -> str | None:
    """The value as the index may show it; None when there is no data."""
    if row is None or bool(row["no_data"]):
        return None
    if bool(row.get("suppressed", False)):
        reason = str(row.get("suppression_reason", "") or "too few cases")
        return f"not shown ({reason})"
    return format_value(row["value"], unit)


def assurance_code(assessment) -> str:
    if assessment.target is None:
        return "no_target"
    if assessment.assurance == "no_target":
        return "insufficient_data"  # a target, but no control chart to judge it on
    return assessment.assurance


@dataclass
class Figures:
    """The rows the view reads, looked up once: filtering the whole indicator table for
    every indicator and marking suppression row by row cost seconds per pack."""

    months: dict[str, pd.DataFrame]
    quarters: dict[str, pd.Series | None]
    previous: dict[str, pd.Series | None]


def figures(
    evidence: Evidence,
    marked: pd.DataFrame,
    indicator_ids: list[str],
    previous_table: pd.DataFrame | None = None,
) -> Figures:
    """Monthly rows, this quarter's row and the previous quarter's row (suppression
    marked) of each indicator."""
    wanted = set(indicator_ids)
    raw = {k: g for k, g in evidence.table.groupby("indicator_id") if k in wanted}
    shown = {k: g for k, g in marked.groupby("indicator_id") if k in wanted}
    earlier = (
        {k: g for k, g in previous_table.groupby("indicator_id") if k in wanted}
        if previous_table is not None
        else {}
    )
    found = {}
    for i in wanted:
        if i not in raw:
            continue
        if previous_table is None:
            row = previous_quarter(raw[i], i)
        else:  # the earlier pack's own quarter row, when it has one
            row = previous_quarter(raw[i], i, previous_table=earlier[i]) if i in earlier else None
        if row is not None:
            found[i] = row
    previous: dict[str, pd.Series | None] = dict.fromkeys(wanted)
    if found:
        frame = pd.DataFrame([found[i] for i in found]).reset_index(drop=True)
        frame = mark_suppression(frame, evidence.profile.disclosure.threshold)
        for position, i in enumerate(found):
            previous[i] = frame.iloc[position]
    months = {}
    for i, rows in shown.items():
        whole = rows[rows["breakdown"] == ""]
        months[i] = whole[whole["period_type"] == "month"].sort_values("period_start")
    return Figures(
        months=months,
        quarters={i: quarter_row(shown.get(i), i) for i in wanted},
        previous=previous,
    )


def _monthly_values(months: pd.DataFrame | None) -> tuple[list, str]:
    if months is None or months.empty:
        return [], ""
    hidden = months["no_data"].astype(bool) | months["suppressed"].astype(bool)
    values = [None if h else float(v) for v, h in zip(months["value"], hidden, strict=True)]
    first, last = months["period_start"].iloc[0], months["period_start"].iloc[-1]
    return values, f"{pd.Timestamp(first):%B %Y} to {pd.Timestamp(last):%B %Y}"


def _difference_words(now: float, before: float, unit: str, direction: str) -> str:
    diff = now - before
    if abs(diff) < _UNCHANGED:
        return "No change"
    size = abs(diff)
    amount = f"{format_number(size, 1)} points" if unit == "percent" else format_value(size, unit)
    words = f"{'Up' if diff > 0 else 'Down'} {amount}"
    if direction in ("up", "down"):
        better = (diff > 0) == (direction == "up")
        words += " (better)" if better else " (worse)"
    return words


def _change_since_previous(assessment, now: pd.Series | None, before: pd.Series | None) -> str:
    if now is None or before is None:
        return "No figure"
    rows = (now, before)
    if any(bool(r["suppressed"]) or bool(r["no_data"]) for r in rows):
        return "Not shown"
    values = [float(r["value"]) for r in rows]
    if any(math.isnan(v) for v in values):
        return "No figure"
    return _difference_words(values[0], values[1], assessment.unit, assessment.direction)


def headline(evidence: Evidence, indicator_id: str, found: Figures) -> Headline:
    """The headline indicator's figure, sparkline, icons and change since last quarter."""
    a = evidence.assessments[indicator_id]
    now = found.quarters.get(indicator_id)
    value = shown_value(now, a.unit) or "no data"
    if value.startswith("not shown"):
        value = "not shown"  # the reason is in the report; the view stays short
    variation = mdc_icons.variation_code(a)
    side = mdc_icons.signal_side(a)
    assurance = assurance_code(a)
    values, span = _monthly_values(found.months.get(indicator_id))
    colour = mdc_icons.VARIATION_COLOURS.get(variation, mdc_icons.GREY)
    shown = [v for v in values if v is not None]
    trend = (
        f"Monthly trend of {a.title}, {span}: from {format_value(shown[0], a.unit)} to "
        f"{format_value(shown[-1], a.unit)}"
        if len(shown) >= 2
        else f"Too few monthly figures to draw a trend of {a.title}"
    )
    if a.target is not None:
        trend += f"; red dashed line: target {format_value(a.target, a.unit)}"
    return Headline(
        indicator_id=indicator_id,
        title=a.title,
        value=value,
        sparkline=mdc_icons.sparkline(values, label=trend, colour=colour, target=a.target),
        variation_icon=mdc_icons.variation_icon(variation, side),
        variation_words=mdc_icons.variation_label(variation, side),
        variation_short=SHORT_VARIATION.get(variation, "not enough data"),
        assurance_icon=mdc_icons.assurance_icon(assurance),
        assurance_words=mdc_icons.ASSURANCE_WORDS.get(assurance, ""),
        change=_change_since_previous(a, now, found.previous.get(indicator_id)),
    )


def read_actions(restricted_period: Path) -> pd.DataFrame | None:
    """The staged action plan beside the period's restricted folder, if there is one."""
    path = restricted_period.parent / "staged" / "action_plan.parquet"
    return pd.read_parquet(path) if path.is_file() else None


def action_counts(
    actions: pd.DataFrame | None, weakness_id: str, period_end
) -> ActionCounts | None:
    """Done, not yet due and overdue plan actions for one weakness at the period end."""
    if actions is None or actions.empty:
        return None
    mine = actions[actions["weakness_id"] == weakness_id]
    if mine.empty:
        return None
    status = actions_status_at(mine, pd.Timestamp(period_end))
    done = int((status == "complete").sum())
    overdue = int((status == "overdue").sum())
    return ActionCounts(done, len(mine) - done - overdue, overdue)


def _list_words(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]


def headline_sentence(rows: list[BoardRow], items: str) -> str:
    """One sentence: how many areas improve, worsen, show no change or cannot be judged."""
    n = len(rows)
    improving = sum(r.verdict_code in IMPROVING_VERDICTS for r in rows)
    worse = sum(r.verdict_code in WORSENING_VERDICTS for r in rows)
    unknown = sum(r.verdict_code == "not_enough_data" for r in rows)
    flat = n - improving - worse - unknown
    parts = [f"{count_words(improving).capitalize()} of {count_words(n)} {items} show improvement"]
    if worse:
        parts.append(f"{count_words(worse)} {'is' if worse == 1 else 'are'} getting worse")
    if flat:
        parts.append(f"{count_words(flat)} {'shows' if flat == 1 else 'show'} no clear change")
    if unknown:
        parts.append(f"{count_words(unknown)} cannot be judged yet for lack of data")
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text + "."


def board_notes(rows: list[BoardRow], changes: dict[str, str]) -> list[str]:
    """What the board is asked to note, in order of importance."""
    notes = []
    worse = [r.id for r in rows if r.verdict_code == "deterioration"]
    if worse:
        notes.append(f"worsening: {_list_words(worse)}")
    signs = [r.id for r in rows if r.verdict_code == "some_deterioration"]
    if signs:
        notes.append(f"early signs of worsening: {_list_words(signs)}")
    sustained = [r.id for r in rows if r.verdict_code == "sustained_improvement"]
    some = [r.id for r in rows if r.verdict_code == "some_improvement"]
    if sustained:
        notes.append(f"sustained improvement: {_list_words(sustained)}")
    if some:
        notes.append(f"early improvement: {_list_words(some)}")
    late = [(r.id, r.actions.overdue) for r in rows if r.actions and r.actions.overdue]
    if late:
        total = sum(n for _, n in late)
        most = max(n for _, n in late)
        where = _list_words([i for i, n in late if n == most])
        notes.append(
            f"{count_words(total)} plan action{'s are' if total != 1 else ' is'} overdue, "
            f"most in {where} ({most}{' each' if len(where.split()) > 1 else ''})"
        )
    moved = [f"{i} {word.lower()}" for i, word in changes.items() if word in ("Better", "Worse")]
    if moved:
        notes.append(f"verdicts changed since the last pack: {_list_words(moved)}")
    if not notes:
        notes.append("that no verdict has changed and no plan action is overdue")
    return notes


def legend() -> list[tuple[str, str]]:
    """A short legend (icon, words) for the board view: every symbol it can show."""
    short = [
        (mdc_icons.variation_icon("common_cause"), "no change"),
        (mdc_icons.variation_icon("special_cause_improvement", "high"), "improving (H/L: up/down)"),
        (mdc_icons.variation_icon("special_cause_concern", "low"), "worse"),
        (mdc_icons.variation_icon("special_cause_neutral", "high"), "neither"),
        (mdc_icons.variation_icon("insufficient_data"), "no data"),
        (mdc_icons.assurance_icon("consistently_pass"), "target met"),
        (mdc_icons.assurance_icon("consistently_fail"), "missed"),
        (mdc_icons.assurance_icon("hit_and_miss"), "hit and miss"),
        (mdc_icons.assurance_icon("process_changing"), "too early"),
    ]
    return short


def build_board_view(  # noqa: PLR0913 -- the index passes what it already holds
    evidence: Evidence,
    marked: pd.DataFrame,
    hrefs: dict[str, str | None],
    changes: dict[str, str],
    previous_table: pd.DataFrame | None = None,
    actions: pd.DataFrame | None = None,
) -> BoardView:
    """The board view for one period.

    Args:
        evidence: The period's evidence.
        marked: Its indicator table with suppression marked.
        hrefs: Weakness id -> the report's file name, or None when it failed (a weakness
            not named has no page to link, as in the board paper).
        changes: Weakness id -> 'Better', 'Worse', 'Unchanged' or '' (verdict since the
            previous pack).
        previous_table: The previous pack's indicator table, if any.
        actions: The staged action plan, if supplied.
    """
    profile = evidence.profile
    wsoa = profile.framework.kind == "wsoa-2016"
    found = figures(
        evidence,
        marked,
        [(w.key_indicators or w.indicators)[0] for w in profile.weaknesses],
        previous_table,
    )
    rows = []
    for w in profile.weaknesses:
        verdict = evidence.verdicts[w.id]
        keys = w.key_indicators or w.indicators
        rows.append(
            BoardRow(
                id=w.id,
                title=w.short_title or w.title,
                href=hrefs.get(w.id),
                verdict_code=verdict.code,
                verdict_label=SHORT_VERDICTS[verdict.code],
                headline=headline(evidence, keys[0], found) if keys else None,
                actions=action_counts(actions, w.id, evidence.period_end),
                failed=w.id in hrefs and hrefs[w.id] is None,
            )
        )
    items = "areas of weakness" if wsoa else "areas for priority action"
    return BoardView(
        sentence=headline_sentence(rows, items),
        notes=board_notes(rows, changes),
        rows=rows,
        legend=legend(),
    )
