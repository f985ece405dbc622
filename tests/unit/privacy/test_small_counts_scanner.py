"""The small-count scanner (tests/helpers/small_counts.py) on pages built by hand: it finds
planted small counts and complements, and leaves alone what is not a count of children."""

from __future__ import annotations

from helpers.small_counts import scan_html


def _counts(markup: str) -> list[int]:
    return sorted(f.count for f in scan_html(markup))


def test_it_finds_small_counts_and_complements_in_sentences():
    page = (
        "<p>The figure was 90.7% (49 of 54) in the quarter.</p>"  # 5 late: complement
        "<p>Requests refused were 3 of 40.</p>"  # 3
        "<p>Unknown code (2); missing value (12).</p>"  # 2
        "<p>Only 4 children waited.</p>"  # 4
        "<p>The figure was 71.7% (43 of 60), and 0 of 12, and 40 of 40.</p>"  # none
    )
    assert _counts(page) == [2, 3, 4, 5]


def test_it_finds_small_cells_and_derivable_complements_in_tables():
    page = (
        "<table><caption>Linkage</caption><thead><tr><th>Link</th><th>Records</th>"
        "<th>Linked</th><th>Linked (%)</th></tr></thead><tbody>"
        "<tr><th>plans</th><td>54</td><td>49</td><td>90.7%</td></tr>"  # 5 not linked
        "<tr><th>reviews</th><td>80</td><td>3</td><td>3.8%</td></tr>"  # 3 linked
        "<tr><th>audits</th><td>80</td><td>c</td><td>c</td></tr>"  # hidden
        "</tbody></table>"
        "<table><caption>Schools</caption><thead><tr><th>School</th>"
        "<th>Number of pupils</th><th>Rate (%)</th></tr></thead><tbody>"
        "<tr><th>Fern Grove</th><td>193</td><td>1.0%</td></tr>"  # 2 pupils: 1.0% of 193
        "<tr><th>Oak Lea</th><td>549</td><td>17.3%</td></tr>"  # 95: fine
        "</tbody></table>"
    )
    assert _counts(page) == [2, 3, 3, 5]  # the 3 as a cell and as a share of 80


def test_it_ignores_years_dates_ids_percentages_and_what_the_page_says_is_not_children():
    page = (
        "<p>In the quarter to 31 March 2019, W1 and EHC01 rose to 58.3% from 2018.</p>"
        "<p>The rule: (1) not enough data; (2) deterioration.</p>"
        "<p>Quarter 2018Q2; URN 105123; version 1.2.3; 1 April 2016 to 31 October 2017.</p>"
        '<section data-counts="not-children"><p>Board meetings: 80.0% (8 of 10), '
        "3 of 4 meetings.</p></section>"
        "<table><caption>Actions</caption><thead><tr><th>Status</th><th>Actions</th>"
        '</tr></thead><tbody><tr data-counts="not-children"><th>Overdue</th><td>3</td></tr>'
        "</tbody></table>"
        "<table><caption>Chart</caption><thead><tr><th>Month</th><th>Value (%)</th>"
        "<th>Lower limit</th></tr></thead><tbody><tr><th>April 2016</th><td>4.0%</td>"
        "<td>2.0%</td></tr></tbody></table>"
    )
    assert scan_html(page) == []


def test_a_self_closed_image_does_not_unmark_what_encloses_it():
    # nbconvert writes <img .../>: its end tag closed no element, yet it popped the marked
    # <div> off the stack and the actions table after the chart was read as children's.
    markup = (
        '<div data-counts="not-children"><figure><img alt="Bar chart" src="x"/></figure>'
        "<table><caption>Actions</caption><thead><tr><th>Status</th><th>Actions</th></tr>"
        "</thead><tbody><tr><th>Overdue</th><td>3</td></tr></tbody></table></div>"
        "<table><caption>Children</caption><thead><tr><th>Group</th><th>Children</th></tr>"
        "</thead><tbody><tr><th>Late</th><td>4</td></tr></tbody></table>"
    )
    assert _counts(markup) == [4]


def test_a_cell_marked_as_not_about_children_is_left_alone_but_its_row_is_not():
    markup = (
        "<table><thead><tr><th>Weakness</th><th>Referrals</th><th>Overdue</th></tr></thead>"
        '<tbody><tr><th>W1</th><td>3</td><td data-counts="not-children">2</td></tr>'
        "</tbody></table>"
    )
    found = scan_html(markup)
    assert [(f.what, f.count) for f in found] == [("W1 / Referrals = 3", 3)]
