"""The display helper and the house theme: alt text, escaping, tables, contrast, font."""

from __future__ import annotations

import base64
import html
import re
import warnings

import matplotlib

matplotlib.use("Agg")  # this test module only; never MPLBACKEND (docs/architecture.md)

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

from sendready.privacy.disclosure import DisclosureError  # noqa: E402
from sendready.reports.charts import display as display_module  # noqa: E402
from sendready.reports.charts.comparison import STATUS_COLOURS  # noqa: E402
from sendready.reports.charts.display import (  # noqa: E402
    LONG_TABLE_ROWS,
    Chart,
    check_alt_text,
    figure_png,
    format_cell,
    show_figure,
)
from sendready.reports.charts.distributions import LIKERT_COLOURS  # noqa: E402
from sendready.reports.charts.theme import (  # noqa: E402
    FONT,
    LINE_COLOURS,
    SPC_COLOURS,
    contrast_ratio,
    new_figure,
    plain_text,
    relative_luminance,
    styled,
    text_colour_on,
)

ALT = "Bar chart of three made-up values; the second is the largest at 20."
XSS = "<script>alert('x')</script>"


@pytest.fixture
def shown(monkeypatch):
    """Capture what show_figure hands to IPython instead of a real notebook front end."""
    calls = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: calls.append(objs))
    return calls


def small_figure():
    with styled():
        figure, ax = new_figure((4, 3))
        ax.bar(["a", "b", "c"], [10, 20, 15])
    return figure


# --- alt text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        None,
        42,
        "image",
        "Chart",
        "Figure.",
        "graph",
        "alt text",
        "No description has been provided for this image",
        "no description has been provided for this image.",
        "<Figure size 800x450 with 1 Axes>",
        "<matplotlib.figure.Figure at 0x7f>",
        "TODO: describe the chart properly later",
        "A short description",
        "Chart of waits",
    ],
)
def test_placeholder_alt_text_is_refused(bad, shown):
    with pytest.raises(ValueError):
        check_alt_text(bad)
    with pytest.raises(ValueError):
        show_figure(small_figure(), bad)
    assert shown == []  # nothing reaches the notebook


def test_real_alt_text_passes_with_whitespace_tidied():
    assert check_alt_text(f"  {ALT}\n ") == ALT
    assert check_alt_text("Line chart  of\nwaits by month, falling.") == (
        "Line chart of waits by month, falling."
    )


# --- show_figure -----------------------------------------------------------------------------


def test_show_figure_emits_one_html_figure_with_alt_caption_and_table(shown):
    data = pd.DataFrame({"Item": ["a", "b", "c"], "Value": [10, 20, 15]})
    markup = show_figure(small_figure(), ALT, data, "Made-up values")
    assert len(shown) == 1 and len(shown[0]) == 1
    emitted = shown[0][0]
    assert type(emitted).__name__ == "HTML" and emitted.data == markup
    assert markup.startswith('<figure class="chart">')
    img = re.search(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"', markup)
    assert img and img.group(2) == html.escape(ALT, quote=True)
    png = base64.b64decode(img.group(1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int(re.search(r'<img [^>]*width="(\d+)"', markup).group(1))
    assert width == int.from_bytes(png[16:20], "big")
    # The phone-width copy: its own size, and narrower than the wide image.
    source = re.search(
        r'<source media="\(max-width: 40rem\)" srcset="data:image/png;base64,([^"]+)" '
        r'width="(\d+)"',
        markup,
    )
    narrow = base64.b64decode(source.group(1))
    assert int(source.group(2)) == int.from_bytes(narrow[16:20], "big") < width
    assert "<figcaption>Made-up values</figcaption>" in markup
    assert "<caption>Numbers behind the chart: Made-up values</caption>" in markup
    assert markup.count('<th scope="col">') == 2
    assert '<th scope="row">b</th><td>20</td>' in markup
    assert markup.index("</figure>") < markup.index("<table")


def test_show_figure_closes_a_pyplot_figure(shown):
    figure, ax = plt.subplots()
    ax.plot([1, 2, 3])
    assert figure.number in plt.get_fignums()
    show_figure(figure, ALT)
    assert figure.number not in plt.get_fignums()


def test_show_figure_closes_even_when_alt_text_is_refused(shown):
    figure, _ = plt.subplots()
    with pytest.raises(ValueError):
        show_figure(figure, "chart")
    assert figure.number not in plt.get_fignums()


def test_everything_free_text_is_escaped(shown):
    data = pd.DataFrame({XSS: [f"St {XSS} School", "b & c"], "Pupils": [120, 1234]})
    markup = show_figure(
        small_figure(), f'Bar chart of schools {XSS} with quotes " here', data, f"Caption {XSS}"
    )
    assert "<script>" not in markup
    # alt, figure caption, table caption, column heading, cell
    assert markup.count("&lt;script&gt;") == 5
    assert "&quot; here" in markup  # a quote cannot end the alt attribute early
    assert "b &amp; c" in markup
    assert "1,234" in markup


def test_table_has_no_index_and_british_numbers():
    data = pd.DataFrame(
        {
            "Month": pd.to_datetime(["2019-03-31", "2019-04-30"]),
            "Rate": pd.array([58.25, None], dtype="Float64"),
            "Cases": pd.array([1234, 5], dtype="Int64"),
            "Small": pd.array([False, True], dtype="boolean"),
        },
        index=pd.Index(["index-one", "index-two"], name="hidden"),
    )
    markup = display_module.data_table_html(data, "Caption", {"Rate": "percent"})
    assert "index-one" not in markup and "hidden" not in markup
    assert '<th scope="row">31 March 2019</th><td>58.3%</td><td>1,234</td><td>No</td>' in markup
    assert "<td>no data</td><td>5</td><td>Yes</td>" in markup
    assert "<details>" not in markup


def test_long_tables_fold_behind_details():
    rows = LONG_TABLE_ROWS + 1
    data = pd.DataFrame({"Month": range(rows), "Value": range(rows)})
    markup = display_module.data_table_html(data, "Long")
    assert markup.startswith("<details><summary>") and "(13 rows)" in markup
    assert "<caption>Long</caption>" in markup  # the table keeps its caption inside


def test_table_with_identifiers_is_refused():
    data = pd.DataFrame({"upn": ["A123"], "Value": [1]})
    with pytest.raises(DisclosureError):
        display_module.data_table_html(data, "Leaky")


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1234, None, "1,234"),
        (12.345, None, "12.3"),
        (58.25, "percent", "58.3%"),
        (pd.Timestamp("2019-03-01"), "month", "March 2019"),
        (pd.NA, "percent", "no data"),
        ("already text", "percent", "already text"),
        (True, None, "Yes"),
        (42.0, "days", "42 days"),
    ],
)
def test_format_cell(value, unit, expected):
    assert format_cell(value, unit) == expected


def test_chart_show_goes_through_show_figure(shown):
    chart = Chart(
        figure=small_figure(),
        alt_text=ALT,
        data=pd.DataFrame({"Item": ["a"], "Value": [1]}),
        caption="Caption",
    )
    markup = chart.show()
    assert len(shown) == 1 and 'alt="Bar chart of three' in markup
    with pytest.raises(ValueError):
        Chart(small_figure(), "figure", None, None).show()


def test_compact_png_is_smaller_and_the_same_size():
    figure = small_figure()
    full, compact = figure_png(figure, compact=False), figure_png(figure)
    assert compact[16:24] == full[16:24]  # same width and height
    assert len(compact) < len(full)


# --- theme -----------------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF") == pytest.approx(1.0)
    # #767676 is the lightest grey with 4.5:1 on white, a widely quoted WCAG example.
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
    # By hand: #005EB8 -> linear (0, 0.1119, 0.4793); L = 0.7152*0.1119 + 0.0722*0.4793
    # = 0.1146; (1.05) / (0.1646) = 6.38.
    assert relative_luminance("#005EB8") == pytest.approx(0.1146, abs=5e-4)
    assert contrast_ratio("#005EB8") == pytest.approx(6.38, abs=0.01)


@pytest.mark.parametrize(
    ("name", "colour"),
    [
        *LINE_COLOURS.items(),
        *(("likert " + k, v) for k, v in LIKERT_COLOURS.items()),
        *(("status " + k, v) for k, v in STATUS_COLOURS.items()),
    ],
)
def test_every_graphic_colour_has_3_to_1_contrast_on_white(name, colour):
    assert contrast_ratio(colour) >= 3.0, name


def test_spc_palette_keeps_making_data_count_hues():
    hue = {
        k: matplotlib.colors.rgb_to_hsv(matplotlib.colors.to_rgb(v))[0] * 360
        for k, v in SPC_COLOURS.items()
    }
    assert 190 <= hue["special_cause_improvement"] <= 230  # blue
    assert 15 <= hue["special_cause_concern"] <= 40  # orange
    assert 260 <= hue["special_cause_neutral"] <= 290  # purple
    r, g, b = matplotlib.colors.to_rgb(SPC_COLOURS["common_cause"])
    assert r == g == b  # grey


@pytest.mark.parametrize("fill", list(LIKERT_COLOURS.values()))
def test_labels_inside_bars_are_readable(fill):
    assert contrast_ratio(text_colour_on(fill), fill) >= 4.5


def test_house_font_exists_and_is_used_without_warnings():
    font_manager.findfont(font_manager.FontProperties(family=FONT), fallback_to_default=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = small_figure()
        figure_png(figure)
    texts = [t for t in figure.findobj(matplotlib.text.Text) if t.get_text()]
    assert texts and {t.get_fontname() for t in texts} == {"DejaVu Sans"}


def test_theme_leaves_global_settings_alone():
    before = dict(matplotlib.rcParams)
    small_figure()
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Price $5 and $6", r"Price \$5 and \$6"),
        ("Tab\there\nnew  line", "Tab here new line"),
        ("a\x07bell", "a bell"),
        ("A very long school name indeed", "A very long…"),
    ],
)
def test_plain_text(raw, expected):
    assert plain_text(raw, 12 if "long" in raw else None) == expected


def test_plain_text_is_never_mathtext_and_draws_without_warnings():
    label = plain_text("Fund $x^2$ and $y$ \U0001f600 \u4e2d")  # DejaVu has no CJK
    assert not matplotlib.cbook.is_math_text(label)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn here
        with styled():
            figure, ax = new_figure((4, 2))
            ax.set_title(label)
        figure_png(figure)
    # What matplotlib will draw: the text with dollars shown, not parsed as mathematics.
    (title,) = [t for t in figure.findobj(matplotlib.text.Text) if t.get_text() == label]
    drawn, is_math = title._preprocess_math(title.get_text())
    assert (drawn, is_math) == ("Fund $x^2$ and $y$ \U0001f600 \ufffd", False)


def test_returned_html_is_not_echoed_as_a_cell_result(shown):
    from IPython.core.formatters import DisplayFormatter

    markup = show_figure(small_figure(), ALT)
    assert isinstance(markup, str) and markup.startswith("<figure")
    # As a cell's last line IPython would format the value for Out[n]: nothing to show.
    assert DisplayFormatter().format(markup) == ({}, {})
    assert DisplayFormatter().format(str(markup))[0]  # a plain str would be echoed
