"""A figure as a cropped RGB picture, drawn once where matplotlib's own route draws twice.

``savefig(bbox_inches="tight")`` lays the figure out and measures every piece of text in
one pass, then draws it again into a canvas the size of the crop. The second canvas has
a new renderer, and matplotlib keeps its text measurements per renderer, so every tick
label, title and legend entry is measured twice. A report draws about fifty charts, each
twice (wide and phone width: :mod:`~sendready.reports.charts.narrow`), so those passes
were most of a report's time.

Here the figure is drawn once, full size, on its own Agg canvas (layout and pixels in the
same pass, with one renderer), and the picture is cut out of that canvas: the box
``savefig`` would use, everything drawn plus ``savefig.pad_inches``, with white where
the pad reaches beyond the figure. Only when something is drawn outside the figure
itself (a long name at the end of a line, on a phone-width copy), which a full-size
canvas cannot hold, does it fall back to ``savefig`` with that same box, as before.
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Iterator

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.transforms import Bbox
from PIL import Image

from sendready.reports.charts.theme import WHITE

_SLACK = 1e-6  # inches: a box on the figure's edge counts as inside it
_DUST = 1e-6  # pixels


def _agg_canvas(figure: Figure) -> FigureCanvasAgg:
    """The figure's canvas, made an Agg one if it is not (a figure made outside pyplot
    has a plain base canvas). Kept on the figure, so later draws at the same size reuse
    its renderer and the text measured in them."""
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)  # attaches itself to the figure
    return figure.canvas


def _crop_box(tight: Bbox, figure: Figure, dpi: float) -> tuple[int, int, int, int] | None:
    """``tight`` (inches, padded) as pixel columns and rows of the full canvas, from its
    top left: ``(left, top, right, bottom)``, possibly beyond the canvas where only the
    pad reaches; ``None`` when something drawn lies outside the figure."""
    width, height = figure.get_size_inches()
    pad = mpl.rcParams["savefig.pad_inches"]
    drawn = tight.padded(-pad)
    inside = (
        drawn.x0 >= -_SLACK
        and drawn.y0 >= -_SLACK
        and drawn.x1 <= width + _SLACK
        and drawn.y1 <= height + _SLACK
    )
    if not inside:
        return None

    # Outwards to whole pixels, ignoring floating-point dust (1.1 - 1 is not 0.1).
    def down(pixels: float) -> int:
        return math.floor(pixels + _DUST)

    def up(pixels: float) -> int:
        return math.ceil(pixels - _DUST)

    return (
        down(tight.x0 * dpi),
        down((height - tight.y1) * dpi),
        up(tight.x1 * dpi),
        up((height - tight.y0) * dpi),
    )


def _cut(rgba: np.ndarray, box: tuple[int, int, int, int]) -> Image.Image:
    """The box cut out of the canvas's pixels, white where it reaches beyond them."""
    left, top, right, bottom = box
    rows, columns = rgba.shape[:2]
    picture = Image.new("RGB", (right - left, bottom - top), WHITE)
    inner = rgba[max(top, 0) : min(bottom, rows), max(left, 0) : min(right, columns)]
    picture.paste(Image.fromarray(inner, "RGBA").convert("RGB"), (max(-left, 0), max(-top, 0)))
    return picture


@contextlib.contextmanager
def layout_kept(figure: Figure) -> Iterator[None]:
    """The figure's present layout kept while the block runs: its layout engine is set to
    ``"none"`` (so drawing does not lay it out again) and put back afterwards."""
    engine = figure.get_layout_engine()
    if engine is not None:
        figure.set_layout_engine("none")
    try:
        yield
    finally:
        if engine is not None:
            figure.set_layout_engine(engine)


def _saved(figure: Figure, tight: Bbox, dpi: float) -> Image.Image:
    """The picture by ``savefig`` with the box already measured (the fallback). The layout
    just done is kept: with its layout engine on, ``savefig`` would lay it out again."""
    buffer = io.BytesIO()
    with layout_kept(figure):
        figure.savefig(
            buffer,
            format="png",
            dpi=dpi,
            facecolor=WHITE,
            bbox_inches=tight,
            pil_kwargs={"compress_level": 0},  # decoded again at once
        )
    buffer.seek(0)
    with Image.open(buffer) as image:
        return image.convert("RGB")


def render_rgb(figure: Figure, dpi: float) -> Image.Image:
    """The figure drawn at ``dpi`` on white and cropped as ``savefig(bbox_inches="tight")``
    crops it (module docstring). The figure is left as it was, bar its Agg canvas.

    A figure whose layout was worked out and kept (its engine set to ``"none"``, as the
    phone copy's is) is measured before it is drawn: drawing will not move anything, and
    a figure that needs the fallback is then drawn only once, by ``savefig``.
    """
    canvas = _agg_canvas(figure)
    saved_dpi, saved_face = figure.dpi, figure.get_facecolor()
    try:
        if figure.dpi != dpi:
            figure.dpi = dpi
        figure.set_facecolor(WHITE)
        kept = isinstance(figure.get_layout_engine(), PlaceHolderLayoutEngine)
        if not kept:
            canvas.draw()  # the layout, then every artist, with one renderer
        pad = mpl.rcParams["savefig.pad_inches"]
        tight = figure.get_tightbbox(canvas.get_renderer()).padded(pad)
        box = _crop_box(tight, figure, dpi)
        if box is None:
            return _saved(figure, tight, dpi)
        if kept:
            canvas.draw()
        return _cut(np.asarray(canvas.buffer_rgba()), box)
    finally:
        figure.set_facecolor(saved_face)
        if figure.dpi != saved_dpi:
            figure.dpi = saved_dpi
