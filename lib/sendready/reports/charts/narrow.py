"""A phone-width copy of a chart, so its text stays readable on a 390-pixel screen.

Charts are drawn 800 pixels wide (8 inches at :data:`~sendready.reports.charts.theme.DPI`).
On a phone the page is about 358 CSS pixels wide, so the image is shown at under half
its size and 12-point tick labels read as about 5.5 points. Shrinking a picture cannot
make its text larger relative to it, so the phone gets its own rendering of the same
figure: :data:`NARROW_WIDTH` inches wide (shown at or near its natural size), every piece
of text scaled by :data:`NARROW_SCALE` but never below :data:`NARROW_FLOOR` points,
long titles, legend entries and category names set on several lines, legends stacked in
one column beneath the axes, and tick labels that would overlap thinned to every other
one. The report offers it through ``<picture><source media="(max-width: 40rem)">``.

Text drawn at ``f`` points into an image ``natural`` pixels wide at ``dpi``, shown
``rendered`` CSS pixels wide, reads as ``f x dpi / 96 x rendered / natural`` points
(96 CSS pixels to the inch, 72 points). The smallest size each copy draws is recorded
on the page (``data-font-pt``) so a browser test can check that figure.
"""

from __future__ import annotations

import contextlib
import textwrap
import warnings
from collections.abc import Callable, Iterator

from matplotlib.figure import Figure
from matplotlib.text import Text

from sendready.reports.charts.render import layout_kept

NARROW_WIDTH = 3.5  # inches: 350 px, within a 390-px screen less the page's margins
FIT_WIDTH = 3.9  # inches: text sticking out further than this narrows the axes instead
NARROW_HEIGHT_SCALE = 1.15  # taller: legends stack in one column beneath the axes
NARROW_SCALE = 0.75  # text relative to its wide size (the figure is 2.3 times narrower)
NARROW_FLOOR = 10.0  # points: shown at 350/358 px this reads as at least 10 points
_PAD = 3  # pixels between two tick labels before they count as touching
WRAP = 30  # characters a line of a title, legend entry or label may hold at phone width
TICK_WRAP = 16  # characters a line of a name beside the axis or by a point may hold


def _texts(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _stack_legend(ax, legend) -> None:
    """The axes' legend redrawn as one column beneath it (the wide one is put back after)."""
    texts = legend.get_texts()
    ax.legend(
        handles=legend.legend_handles,
        labels=[t.get_text() for t in texts],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=1,
        frameon=False,
        fontsize=texts[0].get_fontsize() if texts else None,
    )


def min_font_pt(figure: Figure) -> float:
    """The smallest font size, in points, of any visible text in the figure."""
    sizes = [float(t.get_fontsize()) for t in _texts(figure)]
    return min(sizes) if sizes else 0.0


def _tick_texts(figure: Figure) -> set[int]:
    return {id(t) for ax in figure.axes for t in (*ax.get_xticklabels(), *ax.get_yticklabels())}


def _wrap_categories(ax, saved: list) -> None:
    """Long category names on the y axis (services, schools) set on several lines."""
    labels = [t.get_text() for t in ax.get_yticklabels()]
    if not any(len(label) > TICK_WRAP for label in labels):
        return
    axis = ax.yaxis
    saved.append((ax, axis.get_major_locator(), axis.get_major_formatter(), ax.get_ylim()))
    wrapped = [textwrap.fill(label, TICK_WRAP, break_long_words=False) for label in labels]
    ax.set_yticks(ax.get_yticks(), wrapped)


def _lay_out(figure: Figure) -> None:
    """Place the axes for the figure's present size and text, without drawing it: only
    the layout engine runs, which measures what it needs (a figure with no engine gets a
    draw without rendering). Tick labels are then where a drawing would put them."""
    engine = figure.get_layout_engine()
    if engine is None:
        figure.draw_without_rendering()
        return
    engine.execute(figure)
    for ax in figure.axes:
        ax.xaxis._update_ticks()  # noqa: SLF001 -- as a draw does before measuring labels


def _thin_ticks(figure: Figure, hidden: list[Text]) -> None:
    """Hide every other x tick label of an axis whose labels would overlap."""
    _lay_out(figure)
    renderer = figure._get_renderer()  # noqa: SLF001 -- the public draw gave no renderer
    for ax in figure.axes:
        labels = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text().strip()]
        boxes = [t.get_window_extent(renderer) for t in labels]
        crowded = any(b.x0 < a.x1 + _PAD for a, b in zip(boxes, boxes[1:], strict=False) if a.width)
        if crowded:
            for label in labels[1::2]:
                label.set_visible(False)
                hidden.append(label)


def narrow_png(figure: Figure, render: Callable[[Figure], bytes]) -> tuple[bytes | None, float]:
    """The phone-width rendering of ``figure`` (module docstring) and the smallest font
    size it draws, in points; ``(None, 0)`` when the chart cannot be laid out that narrow
    (its axes would collapse): then only the wide image is offered. The figure is put
    back as it was.

    Args:
        figure: The chart.
        render: Turns the figure into PNG bytes (the report's own PNG writer).
    """
    with warnings.catch_warnings(record=True) as caught, _narrowed(figure) as smallest:
        warnings.simplefilter("always")
        png = render(figure)
    if any("collapsed" in str(w.message) for w in caught):
        return None, 0.0
    return png, smallest


def _title_across(figure: Figure, saved: dict) -> None:
    """A one-axes chart's title set across the whole figure, from its left edge: over
    the axes alone it starts after the category names and runs off the right."""
    if len(figure.axes) != 1 or figure.get_suptitle():
        return
    ax = figure.axes[0]
    for loc in ("left", "center", "right"):
        title = ax.get_title(loc=loc)
        if title:
            artist = {"left": ax._left_title, "center": ax.title, "right": ax._right_title}[loc]  # noqa: SLF001
            saved["title"] = (ax, loc, title, artist.get_fontsize(), artist.get_fontweight())
            ax.set_title("", loc=loc)
            figure.suptitle(
                title,
                x=0.0,
                ha="left",
                fontsize=artist.get_fontsize(),
                fontweight="bold",
            )
            return


def _scale_text(figure: Figure, saved: dict) -> None:
    ticks_of = _tick_texts(figure)
    notes = {id(t) for ax in figure.axes for t in ax.texts}
    saved["fonts"] = [(t, t.get_fontsize(), t.get_text()) for t in _texts(figure)]
    for text, font, words in saved["fonts"]:
        text.set_fontsize(max(NARROW_FLOOR, font * NARROW_SCALE))
        width = TICK_WRAP if id(text) in notes else WRAP
        if id(text) not in ticks_of and len(words) > width and "\n" not in words:
            text.set_text(textwrap.fill(words, width, break_long_words=False))
    for ax in figure.axes:
        xs, ys = ax.xaxis.get_ticklabels(), ax.yaxis.get_ticklabels()
        sizes = (xs[0].get_fontsize() if xs else None, ys[0].get_fontsize() if ys else None)
        saved["ticks"].append((ax, *sizes))
        for axis, tick_size in zip(("x", "y"), sizes, strict=True):
            if tick_size:
                ax.tick_params(axis=axis, labelsize=max(NARROW_FLOOR, tick_size * NARROW_SCALE))
        _wrap_categories(ax, saved["categories"])


def _restore(figure: Figure, saved: dict) -> None:
    if "title" in saved:
        ax, loc, title, size, weight = saved["title"]
        figure._suptitle.remove()  # noqa: SLF001 -- no public way to take a suptitle off
        figure._suptitle = None  # noqa: SLF001
        ax.set_title(title, loc=loc, fontsize=size, fontweight=weight)
    for ax, legend in saved["legends"]:
        ax.get_legend().remove()
        ax.legend_ = legend
    for label in saved["hidden"]:
        label.set_visible(True)
    for ax, x_size, y_size in saved["ticks"]:
        for axis, tick_size in (("x", x_size), ("y", y_size)):
            if tick_size:
                ax.tick_params(axis=axis, labelsize=tick_size)
    for ax, locator, formatter, limits in saved["categories"]:
        ax.yaxis.set_major_locator(locator)
        ax.yaxis.set_major_formatter(formatter)
        ax.set_ylim(limits)
    for text, font, words in saved.get("fonts", []):
        text.set_fontsize(font)
        text.set_text(words)
    figure.set_size_inches(*saved["size"])


def _fit_width(figure: Figure) -> None:
    """Narrow the figure by whatever its text sticks out beyond :data:`FIT_WIDTH` (names
    at the ends of lines, long category names): the saved image is cropped to everything
    drawn, and an image much wider than the screen is shown smaller than its fonts assume
    (up to about 410 pixels still reads at 9 points with 10-point text)."""
    renderer = figure._get_renderer()  # noqa: SLF001 -- as in _thin_ticks
    drawn = figure.get_tightbbox(renderer).width  # inches
    if drawn > FIT_WIDTH:
        width, height = figure.get_size_inches()
        figure.set_size_inches(width - (drawn - FIT_WIDTH), height)
        _lay_out(figure)


@contextlib.contextmanager
def _narrowed(figure: Figure) -> Iterator[float]:
    """The figure laid out for a phone while the block runs, then put back as it was;
    yields the smallest font size drawn, in points."""
    saved: dict = {
        "size": tuple(figure.get_size_inches()),
        "legends": [(ax, ax.get_legend()) for ax in figure.axes if ax.get_legend()],
        "hidden": [],
        "ticks": [],
        "categories": [],
    }
    try:
        for ax, legend in saved["legends"]:
            _stack_legend(ax, legend)
        figure.set_size_inches(NARROW_WIDTH, saved["size"][1] * NARROW_HEIGHT_SCALE)
        _title_across(figure, saved)
        _scale_text(figure, saved)
        _thin_ticks(figure, saved["hidden"])
        _fit_width(figure)
        # Drawn with the phone layout just worked out: laying it out again would cost a
        # third of the drawing and change only the room left by the labels just hidden.
        with layout_kept(figure):
            yield min_font_pt(figure)
    finally:
        _restore(figure, saved)
