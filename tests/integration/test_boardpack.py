"""The board pack's front page and its single-file version, from the shared sample run."""

from __future__ import annotations

import json
import pickle
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.pack_checks import external_references, scan
from sendready.metadata.profile import load_profile
from sendready.publish.batch import JobResult
from sendready.publish.boardpack import build_index, single_file_pack
from sendready.publish.export import ExportError, check_board_html


def _rows(index: str) -> dict[str, str]:
    """The detailed index table's rows, by weakness id (the board view above it is
    checked in tests/integration/test_boardview.py)."""
    body = index.split('class="sr-index', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    return {re.search(r">\s*(W\d+):", row).group(1): row for row in rows}


def _verdicts(folder: Path) -> dict:
    return json.loads((folder / "evidence" / "verdicts.json").read_text())["verdicts"]


def test_index_shows_area_period_run_date_and_every_weakness(sample_pack):
    index = (sample_pack.folder / "index.html").read_text(encoding="utf-8")
    found = scan(index)
    assert found.h1 == 1 and max(found.ids.values()) == 1 and found.scripts == 0
    assert "<h1>SEND improvement evidence for Bury</h1>" in index
    assert "Quarter to 31 March 2019" in index
    assert re.search(r"Reports generated on \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d", index)

    profile = load_profile("bury-2017-wsoa")
    rows = _rows(index)
    assert list(rows) == [w.id for w in profile.weaknesses]
    verdicts = _verdicts(sample_pack.restricted)
    for weakness in profile.weaknesses:
        row = rows[weakness.id]
        assert f'href="{weakness.id}.html"' in row
        assert (sample_pack.folder / f"{weakness.id}.html").is_file()
        assert verdicts[weakness.id]["label"] in row  # the verdict in words
        assert 'class="sr-verdict sr-verdict-' + verdicts[weakness.id]["verdict"] in row
        assert 'role="img" aria-label="' in row  # icons carry a text alternative
        for indicator in weakness.key_indicators or weakness.indicators:
            assert f"<strong>{indicator}</strong>" in row, (weakness.id, indicator)
        assert "No earlier pack to compare with" in row
    # Icons always come with words: every indicator line has a variation sentence.
    assert index.count('class="sr-icon"') >= sum(
        len(w.key_indicators or w.indicators) for w in profile.weaknesses
    )
    for target in ("board_summary.html", "data_quality.html"):
        assert f'href="{target}"' in index and (sample_pack.folder / target).is_file()
    assert "Data quality report" in index


def _load_evidence(folder: Path):
    # The batch's own cache, written by this test session's run.
    with open(folder / "evidence" / "evidence.pkl", "rb") as handle:
        return pickle.load(handle)


def test_index_compares_with_the_previous_pack(sample_pack, tmp_path):
    """An earlier pack with known verdicts and values; the index must report the change."""
    profile_dir = tmp_path / "bury-2017-wsoa" / "restricted"  # where evidence is kept
    now = profile_dir / "2019-03-31"
    shutil.copytree(sample_pack.restricted / "evidence", now / "evidence")
    earlier = profile_dir / "2018-12-31" / "evidence"
    earlier.mkdir(parents=True)
    verdicts = _verdicts(sample_pack.restricted)
    current = {k: v["verdict"] for k, v in verdicts.items()}
    ranked = [
        "sustained_improvement",
        "some_improvement",
        "no_evidence_of_change",
        "some_deterioration",
        "deterioration",
    ]
    # W1 was worse before (so now better, or "changed" if it cannot be ranked); W2 the same.
    before_w1 = "deterioration" if current["W1"] != "deterioration" else "sustained_improvement"
    expected_w1 = (
        "Changed"
        if current["W1"] not in ranked
        else "Better"
        if ranked.index(current["W1"]) < ranked.index(before_w1)
        else "Worse"
    )
    old = {k: {"verdict": v, "label": "", "reasons": []} for k, v in current.items()}
    old["W1"]["verdict"] = before_w1
    (earlier / "verdicts.json").write_text(json.dumps({"verdicts": old}))
    table = pd.read_parquet(sample_pack.restricted / "evidence" / "indicators.parquet")
    # LEAD03, a W1 key indicator, was 10 of 20 meetings (50.0%) in the earlier pack.
    mask = (
        (table["indicator_id"] == "LEAD03")
        & (table["breakdown"] == "")
        & (table["period_type"] == "quarter")
    )
    assert mask.sum() == 1
    table.loc[mask, ["numerator", "denominator", "value", "no_data"]] = [10, 20, 50.0, False]
    table.to_parquet(earlier / "indicators.parquet", index=False)

    evidence = _load_evidence(sample_pack.restricted)
    results = {"W1": JobResult("W1", "W1", "ok", 1.0, html=str(now / "W1.html"))}
    html = build_index(
        evidence, results, now, [("Area profile", "bury-2017-wsoa")], "1 April 2019 at 09:00"
    )
    rows = _rows(html)
    assert f"{expected_w1}: was " in rows["W1"] and "31 December 2018" in rows["W1"]
    assert "Unchanged since the pack for 31 December 2018" in rows["W2"]
    assert "Was 50.0% in the pack for 31 December 2018" in rows["W1"]
    # W2 had no report result here: not linked, and marked as failed.
    assert 'href="W2.html"' not in html and "report failed to run" in rows["W2"]


def test_single_file_pack_is_self_contained(sample_pack):
    pack = (sample_pack.folder / "pack.html").read_text(encoding="utf-8")
    found = scan(pack)
    assert found.h1 == 1 and found.scripts == 0
    duplicated = [i for i, n in found.ids.items() if n > 1]
    assert duplicated == []
    assert external_references(pack) == []
    profile = load_profile("bury-2017-wsoa")
    keys = ["board_summary", *[w.id for w in profile.weaknesses], "data_quality"]
    for key in keys:
        assert found.ids[f"report-{key}"] == 1, key
    # Every link stays inside the file and lands somewhere.
    for href in found.hrefs:
        assert href.startswith("#"), href
        assert href[1:] in found.ids, href
    assert 'href="#report-W1"' in pack and 'href="#report-data_quality"' in pack
    # Each report's own title is now a section heading under the pack's one h1.
    w1 = pack.split('id="report-W1"', 1)[1].split("</section>", 1)[0]
    assert "<h2" in w1 and "the absence of strategic leadership" in w1
    # Report figures came along, with their alt text.
    assert len(found.imgs) >= len(scan((sample_pack.folder / "W1.html").read_text()).imgs)
    assert all(len((img.get("alt") or "").strip()) > 30 for img in found.imgs)


def test_single_file_pack_refuses_an_external_reference(tmp_path):
    report = tmp_path / "W1.html"
    report.write_text(
        '<html><body><main id="main"><h1 id="t">W1</h1>'
        '<img src="https://example.org/chart.png" alt="A chart of waits">'
        "</main></body></html>"
    )
    index = '<html><body><main id="main"><h1>Pack</h1><a href="W1.html">W1</a></main></body>'
    with pytest.raises(ExportError, match="external"):
        single_file_pack(index, [("W1", report)])


def test_single_file_pack_links_between_reports_and_into_sections(tmp_path):
    summary = tmp_path / "board_summary.html"
    summary.write_text(
        '<main id="main"><h1 id="top">Summary</h1>'
        '<a href="W1.html">W1</a> <a href="W1.html#evidence">evidence</a>'
        '<a href="#top">top</a></main>'
    )
    w1 = tmp_path / "W1.html"
    w1.write_text(
        '<main id="main"><h1 id="top">W1</h1><h2 id="evidence">Evidence</h2>'
        '<p aria-labelledby="top evidence">x</p></main>'
    )
    index = '<main id="main"><h1>Pack</h1><a href="board_summary.html">s</a></main>'
    pack = single_file_pack(index, [("board_summary", summary), ("W1", w1)])
    found = scan(pack)
    assert found.h1 == 1 and max(found.ids.values()) == 1
    assert found.hrefs == [
        "#report-board_summary",
        "#report-W1",
        "#W1-evidence",
        "#board_summary-top",
    ]
    assert 'aria-labelledby="W1-top W1-evidence"' in pack
    assert all(h[1:] in found.ids for h in found.hrefs)


def test_board_checks_find_fetches_but_not_addresses_quoted_in_text():
    """A parent's quote may mention a web address; only real references are refused."""
    page = (
        "<h1>Pack</h1><p>&lt;img src=//evil.example&gt; see url(//x.example) "
        "or https://www.example.org</p>"
    )
    check_board_html(page, "quoted")  # nothing is fetched: no error
    for fetch in (
        '<style>p { background: url("https://x.example/a.png") }</style>',
        '<div style="background:url(//x.example/b.png)">x</div>',
        '<img alt="A chart of waits" srcset="a.png 1x, https://x.example/c.png 2x">',
        '<a href="file:///etc/passwd">local file</a>',
    ):
        with pytest.raises(ExportError, match="external"):
            check_board_html(page + fetch, "fetching")
