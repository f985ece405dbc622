"""The phone-width rendering of a chart: text large enough, and the figure put back."""

from __future__ import annotations

import io

from matplotlib.text import Text
from PIL import Image

from sendready.reports.charts.display import figure_png
from sendready.reports.charts.narrow import NARROW_FLOOR, min_font_pt, narrow_png
from sendready.reports.charts.theme import new_figure, styled


def _chart():
    with styled():
        figure, ax = new_figure()
        ax.plot(range(24), [x % 7 for x in range(24)], label="A rather long line label here")
        ax.plot(range(24), [3] * 24, label="Average")
        ax.set_title("A title long enough that a phone-width chart has to wrap it")
        ax.set_xticks(range(24), [f"Month {i}" for i in range(24)])
        ax.annotate("Name of a school with a long name", (5, 5))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
    return figure


def _state(figure):
    figure.draw_without_rendering()  # tick labels as drawn, not as first made
    texts = [
        (t.get_text(), t.get_fontsize(), t.get_visible())
        for t in figure.findobj(Text)
        if t.get_text().strip() and t.get_visible()
    ]
    return tuple(figure.get_size_inches()), sorted(texts)


def test_narrow_copy_is_phone_width_with_ten_point_text():
    figure = _chart()
    png, smallest = narrow_png(figure, figure_png)
    with Image.open(io.BytesIO(png)) as image:
        width = image.width
    wide = figure_png(figure)
    with Image.open(io.BytesIO(wide)) as image:
        assert width < image.width / 2
    # Drawn at 100 dpi and shown at its natural width or a little less (358 px of page),
    # 10-point text reads as 10 x 100 / 96 x 358 / width points.
    assert smallest >= NARROW_FLOOR
    assert smallest * 100 / 96 * min(1, 358 / width) >= 9


def test_the_wide_figure_is_put_back_as_it_was():
    figure = _chart()
    before = _state(figure)
    legend, engine = figure.axes[0].get_legend(), figure.get_layout_engine()
    narrow_png(figure, figure_png)
    assert _state(figure) == before
    assert figure.axes[0].get_legend() is legend
    assert figure.get_layout_engine() is engine  # laid out again when next drawn
    assert min_font_pt(figure) < NARROW_FLOOR + 2  # the wide chart's own sizes again
