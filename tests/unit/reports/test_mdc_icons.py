"""Making Data Count icons and sparklines: meaning, colours, text alternatives, geometry."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from sendready.reports.charts import mdc_icons
from sendready.reports.charts.theme import SPC_COLOURS

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def _texts(svg: ET.Element) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    "code, side, colour, letter, words",
    [
        ("special_cause_improvement", "high", "#005EB8", "H", "Improving (figures higher"),
        # Lower is better here (a waiting time): still blue, and the letter says it fell.
        ("special_cause_improvement", "low", "#005EB8", "L", "Improving (figures lower"),
        ("special_cause_concern", "high", "#C25400", "H", "Getting worse (figures higher"),
        ("special_cause_concern", "low", "#C25400", "L", "Getting worse (figures lower"),
        ("special_cause_neutral", "low", "#6A3D9A", "L", "Changed, neither better nor worse"),
    ],
)
def test_variation_icon_colour_says_good_or_bad_and_letter_says_which_way(
    code, side, colour, letter, words
):
    svg = _parse(mdc_icons.variation_icon(code, side))
    assert svg.get("role") == "img"
    assert svg.get("aria-label").startswith(words)
    assert svg.find(f"{SVG}title").text == svg.get("aria-label")
    disc = svg.find(f"{SVG}circle")
    assert disc.get("fill") == colour
    assert _texts(svg) == [letter]


def test_common_cause_is_grey_without_a_letter_and_missing_data_is_a_dashed_circle():
    common = _parse(mdc_icons.variation_icon("common_cause", "high"))
    assert common.find(f"{SVG}circle").get("fill") == "#767676"
    assert _texts(common) == [] and common.get("aria-label") == "No significant change"
    missing = _parse(mdc_icons.variation_icon("insufficient_data"))
    circle = missing.find(f"{SVG}circle")
    assert circle.get("stroke-dasharray") and circle.get("fill") == "#ffffff"
    assert missing.get("aria-label") == "Not enough data to judge"


@pytest.mark.parametrize(
    "code, colour, letter",
    [("consistently_pass", "#005EB8", "P"), ("consistently_fail", "#C25400", "F"),
     ("hit_and_miss", "#767676", "?")],
)  # fmt: skip
def test_assurance_icons_follow_mdc(code, colour, letter):
    svg = _parse(mdc_icons.assurance_icon(code))
    assert svg.find(f"{SVG}circle").get("fill") == colour
    assert _texts(svg) == [letter]
    assert svg.get("aria-label") == mdc_icons.ASSURANCE_WORDS[code]


def test_no_target_has_no_icon_and_every_symbol_has_one_meaning():
    assert mdc_icons.assurance_icon("no_target") == ""
    legend = mdc_icons.legend_items()
    labels = [_parse(icon).get("aria-label") for icon, _ in legend]
    assert len(set(labels)) == len(labels)  # no two icons with the same meaning
    # ... and no symbol drawn twice for different meanings (the old "…" was both).
    bodies = [re.sub(r"<title>.*?</title>|aria-label=\"[^\"]*\"", "", i) for i, _ in legend]
    assert len(set(bodies)) == len(bodies)


def test_icon_colours_are_the_theme_mdc_colours():
    assert mdc_icons.VARIATION_COLOURS == SPC_COLOURS


def test_sparkline_points_are_scaled_by_hand_with_a_gap_for_a_hidden_month():
    # width 96, height 26, padding 3: x = 3 + 90 * i / 4; y = 23 - 20 * (v - 10) / 30.
    markup = mdc_icons.sparkline(
        [10.0, 40.0, None, 25.0, 10.0], label="Trend of a test series", colour="#005EB8"
    )
    svg = _parse(markup)
    lines = [p.get("points") for p in svg.iter(f"{SVG}polyline")]
    assert lines == ["3.0,23.0 25.5,3.0", "70.5,13.0 93.0,23.0"]
    dot = svg.find(f"{SVG}circle")
    assert (dot.get("cx"), dot.get("cy"), dot.get("fill")) == ("93.0", "23.0", "#005EB8")
    assert svg.get("aria-label") == "Trend of a test series"


def test_sparkline_target_is_a_red_dashed_line_inside_the_range():
    svg = _parse(mdc_icons.sparkline([0.0, 50.0, 100.0], label="x", target=75.0))
    line = svg.find(f"{SVG}line")
    # y = 23 - 20 * 75 / 100 = 8
    assert line.get("y1") == "8.0" and line.get("stroke") == "#C8102E"
    assert line.get("stroke-dasharray")


def test_sparkline_with_too_few_points_is_an_empty_labelled_image():
    svg = _parse(mdc_icons.sparkline([None, 5.0], label="Too few figures"))
    assert list(svg.iter(f"{SVG}polyline")) == [] and svg.get("role") == "img"
