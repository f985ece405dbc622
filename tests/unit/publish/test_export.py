"""Board HTML export: no code, no scripts, no external references, real alt text."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sendready.publish.export import (
    PLACEHOLDER_ALT,
    ExportError,
    add_contents,
    build_exporter,
    check_board_html,
    export_html,
    srcset_urls,
    tidy_html,
)


@pytest.fixture(scope="module")
def exporter():
    return build_exporter()


def _notebook() -> nbformat.NotebookNode:
    figure = (
        '<h2 id="evidence">Evidence</h2><figure><img src="data:image/png;base64,AAAA" '
        'alt="Line chart of plans issued within 20 weeks, rising from 55% to 88%">'
        "</figure>"
    )
    return new_notebook(
        cells=[
            new_code_cell('profile = "x"', metadata={"tags": ["parameters"]}),
            new_markdown_cell("# A weakness report"),
            new_code_cell(
                "secret_code_line = 42",
                outputs=[
                    new_output("display_data", data={"text/html": figure}),
                    new_output("stream", name="stderr", text="UserWarning: something internal\n"),
                ],
                execution_count=3,
            ),
            new_markdown_cell("## What inspectors found\nThey found things."),
            new_code_cell(
                "analyst_table()",
                metadata={"tags": ["analyst-only"]},
                outputs=[new_output("display_data", data={"text/plain": "ANALYST ONLY"})],
            ),
        ]
    )


def test_export_has_no_code_prompts_scripts_or_stderr(exporter):
    html = export_html(
        _notebook(),
        exporter,
        title="W1 report",
        area="Bury",
        period_label="Quarter to 31 March 2019",
        provenance=[("Area profile", "bury-2017-wsoa")],
    )
    assert '<html lang="en-GB">' in html
    assert "<title>W1 report</title>" in html
    assert "secret_code_line" not in html and "In&nbsp;[" not in html and "Out[" not in html
    assert "<script" not in html.lower()
    assert "UserWarning" not in html and "ANALYST ONLY" not in html
    assert 'profile = "x"' not in html
    assert not re.search(r"https?://", html)
    assert "bury-2017-wsoa" in html and "About this report" in html
    # The contents list links both second-level headings.
    assert '<a href="#evidence">Evidence</a>' in html
    assert 'href="#What-inspectors-found"' in html
    assert "@page" in html and "A4" in html  # print stylesheet


def test_board_html_checks_refuse_bad_pages():
    good = '<h1>Title</h1><img src="data:image/png;base64,AA" alt="Bar chart of waits by service">'
    check_board_html(good, "ok")
    with pytest.raises(ExportError, match="external"):
        check_board_html(good + '<script src="https://cdn.example.org/x.js"></script>', "x")
    with pytest.raises(ExportError, match="external"):
        check_board_html(good + '<link href="//fonts.example.org/a.css">', "x")
    with pytest.raises(ExportError, match="heading"):
        check_board_html("<h2>No top heading</h2>", "x")
    with pytest.raises(ExportError, match="alt text"):
        check_board_html(f'<h1>T</h1><img src="a.png" alt="{PLACEHOLDER_ALT}">', "x")
    with pytest.raises(ExportError, match="no alt"):
        check_board_html('<h1>T</h1><img src="data:image/png;base64,AA">', "x")


def test_tidy_html_drops_css_comments_and_tabstops():
    html = (
        "<style>/* see https://example.org */ a { color: red; }</style>"
        '<div class="jp-OutputArea-output" tabindex="0">x</div>'
    )
    tidy = tidy_html(html)
    assert "example.org" not in tidy and "color: red" in tidy
    assert "tabindex" not in tidy


def test_contents_need_two_sections_and_sit_after_the_heading():
    one = "<div><h1>T</h1></div><h2 id='a'>A</h2>"
    assert add_contents(one) == one
    two = '<div><h1>T</h1></div><h2 id="a">A &amp; B</h2><h2 id="b">C</h2>'
    out = add_contents(two)
    assert out.index("</h1>") < out.index("<nav") < out.index('<h2 id="a">')
    assert '<a href="#a">A &amp; B</a>' in out


def test_srcset_addresses_keep_the_comma_of_a_data_address():
    wide, narrow = "data:image/png;base64,iVBORw0K", "data:image/png;base64,AAAA"
    assert srcset_urls(f"{wide} 2x, {narrow} 1x") == [wide, narrow]
    assert srcset_urls("a.png, b.png 2x, https://x.example/c.png") == [
        "a.png",
        "b.png",
        "https://x.example/c.png",
    ]


def test_an_external_image_in_a_srcset_after_a_data_address_is_refused():
    page = (
        '<h1>t</h1><picture><source srcset="data:image/png;base64,AAAA 1x, '
        'https://x.example/c.png 2x"><img src="data:image/png;base64,AAAA" alt="x"></picture>'
    )
    with pytest.raises(ExportError, match="x.example"):
        check_board_html(page, "page")
