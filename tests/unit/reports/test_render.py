"""A chart drawn once and cropped gives the picture matplotlib's own tight save gives."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from matplotlib import dates as mdates
from matplotlib.patches import Rectangle
from PIL import Image

from sendready.reports.charts.render import render_rgb
from sendready.reports.charts.theme import DPI, WHITE, MemoDateLocator, new_figure, styled


def _saved_tight(figure) -> Image.Image:
    """The second method: matplotlib's ``savefig(bbox_inches="tight")``."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor=WHITE, bbox_inches="tight")
    buffer.seek(0)
    with Image.open(buffer) as image:
        return image.convert("RGB")


def _line_chart():
    with styled():
        figure, ax = new_figure((6, 3))
        ax.plot(range(12), [3, 5, 4, 6, 8, 7, 9, 8, 10, 12, 11, 13], label="Requests")
        ax.set_title("Requests for an assessment, by month")
        ax.legend(loc="upper left")
    return figure


def _mean_difference(a: Image.Image, b: Image.Image) -> float:
    width, height = min(a.width, b.width), min(a.height, b.height)
    pixels = [np.asarray(i.crop((0, 0, width, height)), dtype=float) for i in (a, b)]
    return float(np.abs(pixels[0] - pixels[1]).mean())


def test_cropped_picture_matches_matplotlibs_tight_save():
    figure = _line_chart()
    ours, theirs = render_rgb(figure, DPI), _saved_tight(figure)
    # The crop is rounded outwards to whole pixels; savefig truncates: at most 2 px apart.
    assert abs(ours.width - theirs.width) <= 2 and abs(ours.height - theirs.height) <= 2
    # The same picture: anti-aliased edges may shift by under a pixel, nothing more.
    assert _mean_difference(ours, theirs) < 6
    assert _mean_difference(ours, Image.new("RGB", ours.size, WHITE)) > 6  # it drew something


def test_pad_beyond_the_figure_is_white():
    with styled():
        figure, ax = new_figure((2, 1))
        figure.delaxes(ax)
        # Black from edge to edge of the figure, so the pad lies wholly outside it.
        figure.add_artist(
            Rectangle((0, 0), 1, 1, transform=figure.transFigure, color="black", linewidth=0)
        )
    picture = np.asarray(render_rgb(figure, DPI))
    pad = round(0.1 * DPI)  # savefig.pad_inches on each side, by default 0.1 inch
    assert picture.shape[:2] == (100 + 2 * pad, 200 + 2 * pad)
    assert (picture[: pad - 1] == 255).all() and (picture[:, : pad - 1] == 255).all()
    middle = picture[pad + 5 : -pad - 5, pad + 5 : -pad - 5]
    assert (middle == 0).all()


def test_text_drawn_outside_the_figure_is_kept():
    with styled():
        figure, ax = new_figure((3, 2))
        ax.plot([0, 1], [0, 1])
        # A name at the end of a line, left out of the layout: it runs off the right edge.
        note = ax.annotate("A name running well off the edge", (1, 1), annotation_clip=False)
        note.set_in_layout(False)
    ours, theirs = render_rgb(figure, DPI), _saved_tight(figure)
    assert ours.width > 3 * DPI  # wider than the figure: the name is in the picture
    assert abs(ours.width - theirs.width) <= 2 and abs(ours.height - theirs.height) <= 2
    assert _mean_difference(ours, theirs) < 6


def test_figure_is_left_as_it_was():
    figure = _line_chart()
    face, dpi, engine = figure.get_facecolor(), figure.dpi, figure.get_layout_engine()
    figure.set_facecolor("#EEEEEE")
    render_rgb(figure, 2 * DPI)
    assert figure.get_facecolor() != face  # our own colour, not the white drawn with
    assert figure.dpi == dpi and figure.get_layout_engine() is engine


def test_higher_resolution_is_proportionally_larger():
    figure = _line_chart()
    low, high = render_rgb(figure, DPI), render_rgb(figure, 2 * DPI)
    assert abs(high.width - 2 * low.width) <= 3 and abs(high.height - 2 * low.height) <= 3


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(2016, 4, 1), dt.date(2026, 3, 1)),
        (dt.date(2018, 1, 1), dt.date(2019, 3, 1)),
        (dt.date(2019, 1, 1), dt.date(2019, 4, 1)),
    ],
)
def test_memo_date_ticks_are_matplotlibs_own(first, last):
    figure, ax = new_figure()
    ax.plot([first, last], [0, 1])
    ax.set_xlim(first, last)
    memo = MemoDateLocator(minticks=4, maxticks=8)
    plain = mdates.AutoDateLocator(minticks=4, maxticks=8)
    memo.set_axis(ax.xaxis)
    plain.set_axis(ax.xaxis)
    assert list(memo()) == list(plain())
    assert list(memo()) == list(plain())  # the remembered answer is the same
    # The view changes: worked out again, not the remembered ticks.
    ax.set_xlim(first, first + dt.timedelta(days=200))
    assert list(memo()) == list(plain())
    returned = memo()
    returned[:] = 0  # a caller changing the answer does not change what is remembered
    assert list(memo()) == list(plain())


@pytest.mark.parametrize("runs_off", [False, True])
def test_a_kept_layout_gives_the_same_picture(runs_off):
    def chart():
        with styled():
            figure, ax = new_figure((3, 2))
            ax.plot([0, 1], [0, 1])
            text = "A name running well off the edge" if runs_off else "Short"
            ax.annotate(text, (0.5, 0.5), annotation_clip=False).set_in_layout(False)
        return figure

    laid_out = chart()
    laid_out.get_layout_engine().execute(laid_out)
    laid_out.set_layout_engine("none")  # as the phone copy keeps its layout
    kept, fresh = render_rgb(laid_out, DPI), render_rgb(chart(), DPI)
    assert kept.size == fresh.size
    assert _mean_difference(kept, fresh) < 1
