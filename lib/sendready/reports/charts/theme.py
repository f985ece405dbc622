"""The house look of every chart: one font, one accessible palette, modest sizes.

Why these choices:

- **DejaVu Sans** ships with matplotlib, so it always exists. A missing font makes
  matplotlib print one ``findfont`` warning per text object, and warnings end up in the
  exported board HTML (docs/architecture.md, "Pitfalls").
- **Making Data Count colours** (grey common cause, blue improvement, orange concern,
  purple neutral; NHS England, "Making Data Count"; docs/method.md) because NHS
  board members already read them. MDC's own light blue and yellow-orange are too pale
  on white, so darker shades of the same hues are used: every line and marker colour has
  at least 3:1 contrast against white, the WCAG 2.1 minimum for graphical objects
  (success criterion 1.4.11). ``tests/test_charts.py`` computes the ratios.
- **Never colour alone** (WCAG 1.4.1): special-cause points also differ in marker shape,
  lines differ in style (targets dashed, limits dotted) and everything is labelled.
- **Modest size** (8 x 4.5 inches at 100 dpi) keeps each inlined PNG small, so a report
  with a dozen charts stays quick to open; fonts are large for reading on a projector.

Chart functions build their figures inside :func:`styled`, so importing this module
changes nothing global in a notebook.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Iterator

import matplotlib as mpl
import numpy as np
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

FONT = "DejaVu Sans"
DPI = 100
FIGSIZE = (8.0, 4.5)  # inches: 800 x 450 pixels at DPI
WHITE = "#FFFFFF"

# Making Data Count point classes, keyed as sendready.stats.spc point types.
SPC_COLOURS = {
    "common_cause": "#767676",  # grey; 4.5:1 on white
    "special_cause_improvement": "#005EB8",  # NHS blue
    "special_cause_concern": "#C25400",  # burnt orange
    "special_cause_neutral": "#6A3D9A",  # purple
}
# Shapes so that no class is told apart by colour alone; legends name each one.
SPC_MARKERS = {
    "common_cause": "o",
    "special_cause_improvement": "D",
    "special_cause_concern": "s",
    "special_cause_neutral": "P",
}
SPC_POINT_WORDS = {
    "common_cause": "Common cause (no special pattern)",
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neutral": "Special cause: neither better nor worse",
}

INK = "#222222"  # text
# Making Data Count draws targets as a red dashed line (never black, which reads as data);
# this red has 5.9:1 contrast against white.
TARGET_RED = "#C8102E"
LINE_GREY = "#595959"  # mean and limit lines
SERIES_GREY = "#8C8C8C"  # the line joining points: quieter than the points themselves
SHADE = "#ECECEC"  # baseline period and funnel band background
HIGHLIGHT = SPC_COLOURS["special_cause_improvement"]  # "our area" in comparisons
NEUTRAL = SPC_COLOURS["special_cause_neutral"]

TARGET_STYLE = {"color": TARGET_RED, "linestyle": (0, (6, 3)), "linewidth": 1.6}  # dashed
LIMIT_STYLE = {"color": LINE_GREY, "linestyle": ":", "linewidth": 1.6}  # dotted
MEAN_STYLE = {"color": LINE_GREY, "linestyle": "-", "linewidth": 1.4}

# Every colour used for a line, marker or bar outline: must reach 3:1 on white.
LINE_COLOURS = {**SPC_COLOURS, "ink": INK, "line_grey": LINE_GREY, "target": TARGET_RED}

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 11.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": LINE_GREY,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.facecolor": WHITE,
    "axes.facecolor": WHITE,
    "text.usetex": False,
}


@contextlib.contextmanager
def styled() -> Iterator[None]:
    """Apply the house style while a chart is built (text picks its font when created)."""
    with mpl.rc_context(RC):
        yield


def new_figure(figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, object]:
    """A figure with one axes, outside pyplot.

    A :class:`~matplotlib.figure.Figure` made directly is not registered with pyplot, so
    the notebook's inline backend never shows it a second time next to the accessible
    HTML figure, and a chart that fails half-way leaves nothing behind.
    """
    figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    return figure, figure.subplots()


# --- colour contrast (WCAG 2.1) ---------------------------------------------------------------


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a colour (0 black to 1 white)."""
    red, green, blue = mpl.colors.to_rgb(colour)

    def linear(channel: float) -> float:
        # The sRGB transfer curve, as WCAG defines it.
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(foreground: str, background: str = WHITE) -> float:
    """WCAG contrast ratio, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill`` (labels inside bars)."""
    return INK if contrast_ratio(INK, fill) >= contrast_ratio(WHITE, fill) else WHITE


# --- free text on a chart ---------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    path = font_manager.findfont(
        font_manager.FontProperties(family=FONT), fallback_to_default=False
    )
    return frozenset(FT2Font(path).get_charmap())


_SPACE = re.compile(r"\s+")


def clean_text(text: object) -> str:
    """Free text with control characters and runs of whitespace made single spaces.

    For alt text and table cells, which are HTML-escaped later; see :func:`plain_text`
    for text drawn on a chart.
    """
    cleaned = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in str(text))
    return _SPACE.sub(" ", cleaned).strip()


def plain_text(text: object, max_length: int | None = None) -> str:
    """Free text (school or service names) made safe to draw as a label.

    Matplotlib reads text between two ``$`` signs as mathematics ("St Mary's $5 fund $"
    would come out in italics with the dollars gone), so every ``$`` is escaped. Control
    characters and runs of whitespace become single spaces, characters the font lacks
    become U+FFFD (otherwise matplotlib warns "Glyph missing" into the report), and long
    names are cut at ``max_length`` with an ellipsis so labels do not run off the chart.

    Args:
        text: Anything with a ``str``.
        max_length: Longest label, in characters, including the ellipsis.
    """
    cleaned = clean_text(text)
    if max_length is not None and len(cleaned) > max_length:
        cleaned = cleaned[: max(1, max_length - 1)].rstrip() + "…"
    glyphs = _glyphs()
    cleaned = "".join(ch if ord(ch) in glyphs else "\ufffd" for ch in cleaned)
    return cleaned.replace("$", r"\$")


class MemoDateLocator(mdates.AutoDateLocator):
    """matplotlib's automatic month-and-year ticks, worked out once per view.

    matplotlib asks an axis for its ticks dozens of times in one drawing (each tick
    update, the layout, the crop), and :class:`~matplotlib.dates.AutoDateLocator` walks a
    dateutil rule every time: a tenth of the time spent drawing a report's charts. The
    ticks depend only on the dates in view, so the answer is kept until those change.
    """

    def __call__(self):
        view = tuple(self.axis.get_view_interval())
        if view != getattr(self, "_view", None):
            self._ticks, self._view = np.asarray(super().__call__()), view
        return self._ticks.copy()


def date_axis(ax: object, minticks: int = 4, maxticks: int = 8) -> None:
    """Month-and-year ticks ("Mar 2019") on the x axis, between ``minticks`` and
    ``maxticks`` of them (:class:`MemoDateLocator`)."""
    ax.xaxis.set_major_locator(MemoDateLocator(minticks=minticks, maxticks=maxticks))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))


def percent_axis(ax: object, which: str = "y", top: float = 100.0) -> None:
    """Show a 0-100 axis as percentages ("40%") so readers never meet a 0-1 proportion."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_locator(mpl.ticker.MultipleLocator(20 if top > 50 else 10))
    axis.set_major_formatter(mpl.ticker.FuncFormatter(lambda value, _pos: f"{value:.0f}%"))
    (ax.set_ylim if which == "y" else ax.set_xlim)(0, top)
