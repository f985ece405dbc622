"""The one way a chart reaches a report: an accessible HTML figure plus its numbers.

Every chart in every notebook is shown through :func:`show_figure` (or
:meth:`Chart.show`, which calls it) because nbconvert's own image output cannot carry
alt text: it fills a placeholder ("No description has been provided for this image") that
passes automated checks yet tells a blind board member nothing (docs/architecture.md,
"Pitfalls the code works around"). So the helper

- refuses missing or placeholder alt text with a ``ValueError`` (a report should fail
  while being written, not be published without a description);
- renders the figure to PNG and emits one ``text/html`` output: a ``<figure>`` with the
  inlined image, its alt text and caption, then a table of the numbers behind the chart,
  because some readers need the figures rather than the picture, and a table is the only
  way a screen reader can compare them;
- escapes every piece of text (school names and quotes are free text and may contain
  markup) and refuses tables that hold person-level identifiers;
- closes the figure so the inline backend does not show it a second time, without alt.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import numbers
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from PIL import Image

from sendready.core.formatting import (
    NO_DATA,
    format_count,
    format_date,
    format_month,
    format_number,
    format_value,
)
from sendready.core.text import strip_bidi
from sendready.privacy.disclosure import assert_aggregate
from sendready.reports.charts.narrow import min_font_pt, narrow_png
from sendready.reports.charts.render import render_rgb
from sendready.reports.charts.theme import DPI

MIN_ALT_TEXT_LENGTH = 25  # shorter than this cannot state a chart type and a finding
LONG_TABLE_ROWS = 12  # longer tables fold away behind <details> so the report stays short

# Texts tools and people put in when they have nothing to say (compared lower-case,
# without surrounding punctuation).
PLACEHOLDER_ALT_TEXTS = frozenset(
    {
        "image",
        "img",
        "chart",
        "figure",
        "graph",
        "plot",
        "picture",
        "diagram",
        "photo",
        "alt",
        "alt text",
        "alternative text",
        "description",
        "untitled",
        "placeholder",
        "this is a chart",
        "a chart",
        "a graph",
        "chart of data",
        "figure 1",
        "image of chart",
        "no description has been provided for this image",
    }
)
_PLACEHOLDER_PATTERNS = (
    re.compile(r"no description has been provided"),  # nbconvert's filler
    re.compile(r"^<?matplotlib\b"),  # the repr of a Figure object
    re.compile(r"^<?figure size \d+(\.\d+)?x\d+(\.\d+)? with \d+ axes>?$"),
    re.compile(r"^(todo|tbc|tbd|fixme|xxx|lorem ipsum)\b"),
)

# Units a table column may be formatted in, beyond the indicator units of format_value.
DATE_UNITS = {"date": format_date, "month": format_month}


class ShownHTML(str):
    """The HTML :func:`show_figure` has already displayed.

    A plain string returned from the last line of a cell would be echoed as ``Out[n]``:
    a wall of base64 in the report. IPython calls ``_ipython_display_`` instead of
    printing a value that has one, and this one shows nothing more.
    """

    def _ipython_display_(self) -> None:
        return None


def check_alt_text(alt_text: object) -> str:
    """Return ``alt_text`` stripped, or raise ``ValueError`` if it describes nothing.

    Raises:
        ValueError: Empty, not a string, a known placeholder, or shorter than
            :data:`MIN_ALT_TEXT_LENGTH` characters.
    """
    if not isinstance(alt_text, str) or not alt_text.strip():
        raise ValueError(
            "A chart needs alt text: describe the chart type and its main "
            "finding (the charts module's *_alt_text functions build one)."
        )
    text = " ".join(alt_text.split())
    key = text.lower().strip(" .:;,!-–")
    if key in PLACEHOLDER_ALT_TEXTS or any(p.search(key) for p in _PLACEHOLDER_PATTERNS):
        raise ValueError(
            f"Alt text {text!r} is a placeholder: say what the chart shows and what it finds."
        )
    if len(text) < MIN_ALT_TEXT_LENGTH:
        raise ValueError(
            f"Alt text {text!r} is too short ({len(text)} characters, at least "
            f"{MIN_ALT_TEXT_LENGTH}): give the chart type and the main finding."
        )
    return text


def figure_png(figure: Figure, dpi: int = DPI, *, compact: bool = True) -> bytes:
    """The figure as PNG bytes (white background, no timestamp, so output is repeatable),
    cropped to what is drawn as ``savefig(bbox_inches="tight")`` would crop it, but drawn
    once (:mod:`~sendready.reports.charts.render`).

    With ``compact`` the image is reduced to a 256-colour palette: a chart uses a handful
    of colours plus anti-aliasing, so nothing visible changes, and the PNG (inlined as
    base64 in every report) is about a third of the size. The palette is chosen by
    octree: on the suite's charts no pixel moves by more than 15 of 255 in any channel
    (median cut moved some by 59), and it is nine times faster.
    """
    picture = render_rgb(figure, dpi)
    if compact:
        picture = picture.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    # Level 6 is zlib's default: level 9 (``optimize``) was four times slower for a
    # tenth less.
    picture.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def _png_size(png: bytes) -> tuple[int, int]:
    # Width and height are the first two fields of the IHDR chunk (PNG specification 11.2.2).
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _picture(figure: Figure, alt: str) -> str:
    """The chart as ``<picture>``: the wide PNG, and a phone-width rendering for screens
    up to 40rem (:mod:`~sendready.reports.charts.narrow`). Each image records the
    smallest font it draws (``data-font-pt``) and its resolution (``data-dpi``), so the
    size its text is read at can be checked in the rendered page."""
    wide_pt = min_font_pt(figure)
    png = figure_png(figure)
    narrow, narrow_pt = narrow_png(figure, figure_png)
    width, height = _png_size(png)

    def data(image: bytes) -> str:
        return "data:image/png;base64," + base64.b64encode(image).decode("ascii")

    source = ""
    if narrow is not None:
        n_width, n_height = _png_size(narrow)
        source = (
            f'<source media="(max-width: 40rem)" srcset="{data(narrow)}" '
            f'width="{n_width}" height="{n_height}" data-font-pt="{narrow_pt:g}">'
        )
    return (
        f"<picture>{source}"
        f'<img src="{data(png)}" alt="{html.escape(alt, quote=True)}" '
        f'width="{width}" height="{height}" style="max-width:100%;height:auto" '
        f'data-font-pt="{wide_pt:g}" data-dpi="{DPI}"></picture>'
    )


def format_cell(value: object, unit: str | None = None) -> str:
    """One table cell as a reader sees it: ``58.3%``, ``1,234``, ``31 March 2019``.

    Args:
        value: The raw value.
        unit: An indicator unit (``percent``, ``count``, ``days``, ``per_10000``, ``gbp``),
            ``date``, ``month``, ``text``, or None to format by the value's type.
    """
    if isinstance(value, str):
        return value
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return NO_DATA
    if unit in DATE_UNITS:
        return DATE_UNITS[unit](value)
    if unit == "text":
        return str(value)
    if unit is not None:
        return format_value(value, unit)
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    if isinstance(value, (pd.Timestamp, dt.date, np.datetime64)):
        return format_date(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return format_count(number) if number.is_integer() else format_number(number, 1)
    return str(value)


def data_table_html(
    data: pd.DataFrame, caption: str, units: Mapping[str, str] | None = None
) -> str:
    """An accessible HTML table of ``data``: caption, column headers, no index.

    The first column names the row (a month, a school, a service), so its cells are row
    headers; screen readers then announce "March 2019, upper limit, 71.2%". Tables
    longer than :data:`LONG_TABLE_ROWS` fold behind ``<details>``.
    """
    assert_aggregate(data, "The table behind a chart")
    units = dict(units or {})

    def esc(text: str) -> str:
        return html.escape(strip_bidi(text))

    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in data.columns)
    rows = []
    for record in data.itertuples(index=False, name=None):
        cells = []
        for position, (column, value) in enumerate(zip(data.columns, record, strict=True)):
            text = esc(format_cell(value, units.get(column)))
            cells.append(f'<th scope="row">{text}</th>' if position == 0 else f"<td>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    table = (
        f'<table class="chart-data"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    if len(data) > LONG_TABLE_ROWS:
        summary = f"Show the numbers behind this chart ({format_count(len(data))} rows)"
        return f"<details><summary>{esc(summary)}</summary>{table}</details>"
    return table


def figure_html(
    figure: Figure,
    alt_text: str,
    data: pd.DataFrame | None = None,
    caption: str | None = None,
    *,
    units: Mapping[str, str] | None = None,
) -> str:
    """The HTML :func:`show_figure` emits, without displaying or closing anything."""
    alt = strip_bidi(check_alt_text(alt_text))
    parts = ['<figure class="chart">', _picture(figure, alt)]
    if caption:
        parts.append(f"<figcaption>{html.escape(strip_bidi(caption))}</figcaption>")
    parts.append("</figure>")
    if data is not None and len(data.columns):
        table_caption = (
            f"Numbers behind the chart: {caption}" if caption else "Numbers behind the chart above"
        )
        parts.append(data_table_html(data, table_caption, units))
    return "\n".join(parts)


def show_figure(
    figure: Figure,
    alt_text: str,
    data: pd.DataFrame | None = None,
    caption: str | None = None,
    *,
    units: Mapping[str, str] | None = None,
) -> ShownHTML:
    """Show a chart in a notebook as one accessible HTML output, and close it.

    Args:
        figure: The matplotlib figure.
        alt_text: What the chart shows and finds (see the ``*_alt_text`` functions);
            placeholders are refused.
        data: The numbers behind the chart, one row per plotted item, readable column
            headings, no index (it is not shown). Numbers are formatted British style.
        caption: Visible caption; also captions the table.
        units: Column heading -> unit for formatting (see :func:`format_cell`).

    Returns:
        The HTML emitted (a ``str``), for tests and for callers building their own
        pages; as a cell's last line it adds no ``Out[n]`` echo.

    Raises:
        ValueError: The alt text is missing or a placeholder (nothing is displayed).
        sendready.privacy.disclosure.DisclosureError: ``data`` holds person-level identifiers.
    """
    try:
        markup = figure_html(figure, alt_text, data, caption, units=units)
    finally:
        # Closed even on error, so the inline backend never shows the bare image.
        plt.close(figure)
    from IPython.display import HTML, display  # only needed where there is a notebook

    display(HTML(markup))
    return ShownHTML(markup)


@dataclass
class Chart:
    """A drawn chart with everything needed to show it accessibly.

    Attributes:
        figure: The matplotlib figure (adjust it before showing if you need to).
        alt_text: Generated from the data: chart type and main finding.
        data: The numbers behind the chart, ready for :func:`data_table_html`.
        caption: Default visible caption (the chart's title).
        units: Column heading -> unit, for formatting the table.
        facts: The figures the alt text was built from, for narratives and tests.
    """

    figure: Figure
    alt_text: str
    data: pd.DataFrame | None
    caption: str | None
    units: dict[str, str] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)

    def html(self, caption: str | None = None) -> str:
        """The figure's HTML without displaying it (the figure stays open)."""
        return figure_html(
            self.figure,
            self.alt_text,
            self.data,
            caption if caption is not None else self.caption,
            units=self.units,
        )

    def show(self, caption: str | None = None, alt_text: str | None = None) -> ShownHTML:
        """Display through :func:`show_figure`; an analyst may give better alt text."""
        return show_figure(
            self.figure,
            alt_text or self.alt_text,
            self.data,
            caption if caption is not None else self.caption,
            units=self.units,
        )
