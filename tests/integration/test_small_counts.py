"""No page of a whole pack shows a count of 1 to 5 about children, read or worked out.

Every HTML file the batch wrote (the pages, the index and the single-file pack) is scanned
with :mod:`helpers.small_counts`, which knows nothing of the library's suppression code.
"""

from __future__ import annotations

from helpers.small_counts import scan_file


def test_no_page_of_the_pack_shows_a_small_count_about_children(sample_pack):
    pages = sorted(sample_pack.folder.rglob("*.html"))
    assert {p.name for p in pages} >= {"board_summary.html", "data_quality.html", "pack.html"}
    findings = {p.name: scan_file(p) for p in pages}
    leaks = {
        name: [(f.count, f.what) for f in found[:5]] for name, found in findings.items() if found
    }
    assert leaks == {}
