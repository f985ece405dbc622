"""Making Data Count icons and sparklines as small inline SVG, each with a text alternative.

NHS England's "Making Data Count" (MDC) summarises a control chart with two icons that
NHS board members already read:

- **variation**: grey for common cause (no significant change), blue for special-cause
  improvement, orange for special-cause concern and purple for a special cause that is
  neither better nor worse. A letter says which way the figures moved: **H** higher,
  **L** lower. The letter, not an arrow, carries the direction, so a blue "L" reads
  "improving because the figure fell" (waiting times) and never "up is good";
- **assurance** against a target: blue **P** (the target is consistently passed),
  orange **F** (consistently failed), grey **?** (hit and miss: sometimes met, sometimes
  not).

Two cases MDC does not draw get their own shapes, each used for one meaning only: a
dashed empty circle for "not enough data to judge", and a grey circle with a wave for
"the figures are still moving, so the target cannot be judged yet". The icons are
drawn rather than typed (a text glyph looks different in every font, and a triangle
reads as a direction), filled with the suite's accessible shades of the MDC colours
(``theme.SPC_COLOURS``, at least 3:1 against white) with white marks inside.

Every icon is ``role="img"`` with an ``aria-label`` and a ``<title>``, so a screen reader
says what the icon means; pages still put the meaning in words beside it or in a legend
(WCAG 1.4.1: never colour or shape alone).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import pandas as pd

from sendready.reports.charts.theme import SPC_COLOURS, TARGET_RED

GREY = SPC_COLOURS["common_cause"]
BLUE = SPC_COLOURS["special_cause_improvement"]
ORANGE = SPC_COLOURS["special_cause_concern"]
PURPLE = SPC_COLOURS["special_cause_neutral"]
SPARK_LINE = "#595959"

VARIATION_COLOURS = {
    "common_cause": GREY,
    "special_cause_improvement": BLUE,
    "special_cause_concern": ORANGE,
    "special_cause_neutral": PURPLE,
}
ASSURANCE_COLOURS = {
    "consistently_pass": BLUE,
    "consistently_fail": ORANGE,
    "hit_and_miss": GREY,
    "process_changing": GREY,
}
ASSURANCE_LETTERS = {"consistently_pass": "P", "consistently_fail": "F", "hit_and_miss": "?"}

# Plain-English words for each icon: what the board reads, and the icon's text alternative.
VARIATION_WORDS = {
    "common_cause": "No significant change",
    "special_cause_improvement": "Improving",
    "special_cause_concern": "Getting worse",
    "special_cause_neutral": "Changed, neither better nor worse",
    "insufficient_data": "Not enough data to judge",
}
SIDE_WORDS = {"high": "figures higher than before", "low": "figures lower than before"}
ASSURANCE_WORDS = {
    "consistently_pass": "Target consistently met",
    "consistently_fail": "Target consistently missed",
    "hit_and_miss": "Target sometimes met, sometimes missed",
    "process_changing": "Figures still moving: target cannot be judged yet",
    "insufficient_data": "Not enough data to judge the target",
    "no_target": "No target set",
}

SIZE = 28


def signal_side(assessment) -> str | None:
    """'high' or 'low': where the latest figures sit against the usual level."""
    spc = getattr(assessment, "spc", None)
    if spc is not None and "signal_side" in spc.points:
        sides = spc.points["signal_side"].dropna()
        if len(sides):
            return str(sides.iloc[-1])
    latest, base = assessment.latest_value, assessment.baseline_value
    if latest is None or base is None or pd.isna(latest) or pd.isna(base) or latest == base:
        return None
    return "high" if latest > base else "low"


def variation_code(assessment) -> str:
    """The MDC variation class; a census or survey series compared with its baseline
    maps its signal onto the same classes."""
    if assessment.method == "baseline_comparison":
        return {
            "improvement": "special_cause_improvement",
            "concern": "special_cause_concern",
        }.get(assessment.signal, "common_cause" if assessment.points else "insufficient_data")
    return assessment.variation


def _svg(label: str, body: str, size: int = SIZE, css: str = "sr-mdc") -> str:
    text = escape(label)
    return (
        f'<svg class="{css}" role="img" aria-label="{text}" width="{size}" height="{size}" '
        f'viewBox="0 0 32 32" xmlns="http://www.w3.org/2000/svg" focusable="false">'
        f"<title>{text}</title>{body}</svg>"
    )


def _dashed_empty() -> str:
    return (
        f'<circle cx="16" cy="16" r="14" fill="#ffffff" stroke="{GREY}" stroke-width="2.5" '
        'stroke-dasharray="4 3"/>'
    )


def _disc(colour: str) -> str:
    return f'<circle cx="16" cy="16" r="15" fill="{colour}"/>'


def _letter(letter: str, y: float = 15.5) -> str:
    return (
        f'<text x="16" y="{y}" text-anchor="middle" font-family="DejaVu Sans, Arial, '
        f'sans-serif" font-size="12" font-weight="bold" fill="#ffffff">{escape(letter)}</text>'
    )


def _dots(heights: Sequence[float]) -> str:
    """Five small white dots along the bottom of the disc, at the given heights."""
    return "".join(
        f'<circle cx="{8 + 4 * i}" cy="{y}" r="1.6" fill="#ffffff"/>' for i, y in enumerate(heights)
    )


def variation_label(code: str, side: str | None = None) -> str:
    """The words for a variation icon, e.g. 'Improving (figures lower than before)'."""
    words = VARIATION_WORDS.get(code, VARIATION_WORDS["insufficient_data"])
    if code in ("special_cause_improvement", "special_cause_concern", "special_cause_neutral"):
        if side in SIDE_WORDS:
            words += f" ({SIDE_WORDS[side]})"
    return words


def variation_icon(code: str, side: str | None = None, size: int = SIZE) -> str:
    """The MDC variation icon for a variation code and the side of the signal.

    Args:
        code: A :data:`sendready.stats.spc.VARIATION_LABELS` key.
        side: ``"high"`` or ``"low"``: which side of the usual level the latest figures
            are on (the letter H or L); ignored for common cause.
        size: Width and height in CSS pixels.
    """
    label = variation_label(code, side)
    if code not in VARIATION_COLOURS:
        return _svg(label, _dashed_empty(), size)
    if code == "common_cause":
        return _svg(label, _disc(GREY) + _dots([18, 22, 19, 22, 18]), size)
    letter = {"high": "H", "low": "L"}.get(side or "", "")
    trend = [25, 24, 22, 20, 18] if side == "high" else [18, 20, 22, 24, 25]
    return _svg(label, _disc(VARIATION_COLOURS[code]) + _letter(letter, 14) + _dots(trend), size)


def assurance_icon(code: str, size: int = SIZE) -> str:
    """The MDC assurance icon, or an empty string when no target is set."""
    label = ASSURANCE_WORDS.get(code, ASSURANCE_WORDS["insufficient_data"])
    if code == "no_target":
        return ""
    if code == "process_changing":
        wave = (
            '<path d="M7 17 q4.5 -7 9 0 t9 0" fill="none" stroke="#ffffff" stroke-width="2.6" '
            'stroke-linecap="round"/>'
        )
        return _svg(label, _disc(GREY) + wave, size)
    if code not in ASSURANCE_LETTERS:
        return _svg(label, _dashed_empty(), size)
    line = '<line x1="5" y1="22" x2="27" y2="22" stroke="#ffffff" stroke-width="1.6"/>'
    body = _disc(ASSURANCE_COLOURS[code]) + _letter(ASSURANCE_LETTERS[code], 17) + line
    return _svg(label, body, size)


def legend_items() -> list[tuple[str, str]]:
    """(icon, meaning) for every icon the board view can show, for its legend."""
    items = [
        (variation_icon("common_cause"), "No significant change: the figures vary as before."),
        (
            variation_icon("special_cause_improvement", "high"),
            "Improving, with figures higher than before (H); blue means better.",
        ),
        (
            variation_icon("special_cause_improvement", "low"),
            "Improving, with figures lower than before (L), as when waits get shorter.",
        ),
        (
            variation_icon("special_cause_concern", "high"),
            "Getting worse (orange); H or L says whether the figures rose or fell.",
        ),
        (
            variation_icon("special_cause_neutral", "high"),
            "Changed, but neither better nor worse (purple), for context measures.",
        ),
        (variation_icon("insufficient_data"), "Not enough data to judge (dashed circle)."),
        (assurance_icon("consistently_pass"), "P: the target is consistently met."),
        (assurance_icon("consistently_fail"), "F: the target is consistently missed."),
        (assurance_icon("hit_and_miss"), "?: the target is sometimes met and sometimes missed."),
        (
            assurance_icon("process_changing"),
            "Wave: the figures are still moving, so the target cannot be judged yet.",
        ),
    ]
    return items


def sparkline(
    values: Sequence[float | None],
    *,
    label: str,
    colour: str = GREY,
    target: float | None = None,
    width: int = 96,
    height: int = 26,
) -> str:
    """A small line of a series (gaps where a value is missing or hidden), last point marked.

    Args:
        values: The series, oldest first; None or NaN for a missing or suppressed point.
        label: The text alternative, e.g. 'Trend from April 2016 to March 2019: ...'.
        colour: The last point's colour (the variation icon's).
        target: Drawn as a red dashed line when inside the drawn range.
        width, height: Size in CSS pixels.
    """
    known = [(i, float(v)) for i, v in enumerate(values) if v is not None and not math.isnan(v)]
    text = escape(label)
    head = (
        f'<svg class="sr-spark" role="img" aria-label="{text}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        f'focusable="false"><title>{text}</title>'
    )
    if len(known) < 2:
        return head + "</svg>"
    numbers = [v for _, v in known] + ([target] if target is not None else [])
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    pad = 3

    def xy(i: int, v: float) -> tuple[float, float]:
        x = pad + (width - 2 * pad) * i / max(len(values) - 1, 1)
        y = height - pad - (height - 2 * pad) * (v - low) / span
        return round(x, 1), round(y, 1)

    segments, current, last = [], [], None
    for i, v in known:
        if last is not None and i != last + 1 and current:
            segments.append(current)
            current = []
        current.append(xy(i, v))
        last = i
    segments.append(current)
    lines = "".join(
        '<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"/>'.format(
            SPARK_LINE, " ".join(f"{x},{y}" for x, y in seg)
        )
        for seg in segments
        if len(seg) > 1
    )
    goal = ""
    if target is not None:
        _, ty = xy(0, target)
        goal = (
            f'<line x1="{pad}" y1="{ty}" x2="{width - pad}" y2="{ty}" stroke="{TARGET_RED}" '
            'stroke-width="1.2" stroke-dasharray="4 2"/>'
        )
    x, y = xy(*known[-1])
    dot = f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>'
    return head + goal + lines + dot + "</svg>"


def _badge(icon: str, words: str) -> str:
    return (
        '<span class="sr-badge" style="display:inline-flex;align-items:center;gap:0.3rem;'
        f'max-width:100%">{icon}<span>{escape(words)}</span></span>'
    )


def variation_badge(assessment) -> str:
    """The variation icon of an assessment with its meaning in plain words beside it."""
    code, side = variation_code(assessment), signal_side(assessment)
    return _badge(variation_icon(code, side, size=22), variation_label(code, side))


def assurance_badge(code: str) -> str:
    """The assurance icon with its meaning; the words alone when no target is set."""
    icon = assurance_icon(code, size=22)
    words = ASSURANCE_WORDS.get(code, ASSURANCE_WORDS["insufficient_data"])
    return _badge(icon, words) if icon else escape(words)
