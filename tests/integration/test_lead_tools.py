"""A lead's tools around the packs: the history page, ``sendready diff`` and
``sendready export``, on the shared sample batch."""

from __future__ import annotations

import json
import pickle
import re
import shutil
from dataclasses import replace

import pytest

from helpers.pack_checks import SAMPLE_PACK_PROFILE, external_references, scan
from sendready import cli
from sendready.evidence.verdicts import VERDICT_LABELS
from sendready.metadata.profile import load_profile
from sendready.publish.boardview import SHORT_VERDICTS
from sendready.publish.changes import compare_packs, to_markdown
from sendready.publish.history import history_rows, render_history

PERIOD = "2019-03-31"
_MAIN = re.compile(r'<main id="main">(.*)</main>', re.DOTALL)


def test_the_run_wrote_a_history_page_linking_the_pack(sample_pack):
    page = sample_pack.outputs / SAMPLE_PACK_PROFILE / "board-pack" / "index.html"
    html = page.read_text(encoding="utf-8")
    found = scan(html)
    assert found.h1 == 1 and found.scripts == 0 and external_references(html) == []
    assert f"{PERIOD}/index.html" in found.hrefs
    verdicts = json.loads((sample_pack.folder / "manifest.json").read_text())["verdicts"]
    for code in verdicts.values():
        # The table's short words, and the legend's full wording beside them.
        assert f"{SHORT_VERDICTS[code]}: {VERDICT_LABELS[code].lower()}" in html


def test_history_compares_each_quarter_with_the_quarter_before_only():
    profile = load_profile(SAMPLE_PACK_PROFILE)
    ids = [w.id for w in profile.weaknesses]

    def manifest(period, w1, failed=0):
        verdicts = dict.fromkeys(ids, "no_evidence_of_change") | {"W1": w1}
        reports = [{"status": "ok"}] * 3 + [{"status": "failed"}] * failed
        return {"period_end": period, "verdicts": verdicts, "reports": reports}

    manifests = {
        "2018-09-30": manifest("2018-09-30", "deterioration"),
        # no pack for 2018-12-31: 2019-03-31 has nothing to compare with
        "2019-03-31": manifest("2019-03-31", "some_improvement", failed=1),
        "2019-06-30": manifest("2019-06-30", "sustained_improvement"),
    }
    rows = history_rows(profile, manifests)
    assert [r["period"] for r in rows] == ["2019-06-30", "2019-03-31", "2018-09-30"]
    w1 = [r["cells"][0] for r in rows]
    assert w1[0]["changed"] == "was: Some improvement"
    assert w1[1]["changed"] == ""  # the 2018-09-30 pack is two quarters back
    assert rows[1]["failed"] == 1 and rows[0]["ok"]
    html = render_history(profile, manifests, "1 July 2019 at 09:00")
    assert html.count('href="2019-03-31/index.html"') == 1


@pytest.fixture
def two_packs(sample_pack, tmp_path):
    """The sample pack's evidence as 31 March 2019, and a copy with W1's verdict and
    LEAD03's quarter value changed as the quarter before."""
    outputs = tmp_path / "outputs"
    restricted = outputs / SAMPLE_PACK_PROFILE / "restricted"
    shutil.copytree(sample_pack.restricted / "evidence", restricted / PERIOD / "evidence")
    with open(sample_pack.restricted / "evidence" / "evidence.pkl", "rb") as handle:
        evidence = pickle.load(handle)
    now_w1 = evidence.verdicts["W1"].code
    before_w1 = "deterioration" if now_w1 != "deterioration" else "some_improvement"
    evidence.verdicts["W1"] = replace(evidence.verdicts["W1"], code=before_w1)
    table = evidence.table
    mask = (
        (table["indicator_id"] == "LEAD03")
        & (table["breakdown"] == "")
        & (table["period_type"] == "quarter")
    )
    table.loc[mask, ["numerator", "denominator", "value", "no_data"]] = [10, 20, 50.0, False]
    (restricted / "2018-12-31" / "evidence").mkdir(parents=True)
    with open(restricted / "2018-12-31" / "evidence" / "evidence.pkl", "wb") as handle:
        pickle.dump(evidence, handle)
    return outputs, before_w1, now_w1


def test_diff_names_the_changed_verdict_and_value(two_packs, capsys):
    outputs, before_w1, now_w1 = two_packs
    profile = load_profile(SAMPLE_PACK_PROFILE)
    changes = compare_packs(outputs, profile, "2018-12-31", PERIOD)
    moved = [w for w in changes.weaknesses if w.changed]
    assert [w.weakness_id for w in moved] == ["W1"]
    assert (moved[0].before, moved[0].after) == (VERDICT_LABELS[before_w1], VERDICT_LABELS[now_w1])
    lead03 = next(i for i in moved[0].indicators if i.indicator_id == "LEAD03")
    assert lead03.before == "50.0%" and lead03.changed
    # Every other indicator is the same evidence: unchanged.
    others = [i for w in changes.weaknesses for i in w.indicators if i.indicator_id != "LEAD03"]
    assert not any(i.changed for i in others)
    assert "1 of 8 verdicts changed" in to_markdown(changes)

    code = cli.main(["diff", "--from", "2018-12-31", "--to", PERIOD, "--out", str(outputs)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "## W1:" in printed and "(changed)" in printed
    html_page = (
        outputs / SAMPLE_PACK_PROFILE / "board-pack" / f"changes-2018-12-31-to-{PERIOD}.html"
    )
    html = html_page.read_text(encoding="utf-8")
    assert scan(html).h1 == 1 and external_references(html) == []


def test_diff_without_a_pack_says_which_quarter_to_run(two_packs, capsys):
    outputs, _, _ = two_packs
    code = cli.main(["diff", "--from", "2018-09-30", "--to", PERIOD, "--out", str(outputs)])
    err = capsys.readouterr().err
    assert code == 2 and "--period-end 2018-09-30" in err and "Traceback" not in err


def test_export_of_an_executed_notebook_gives_the_batch_page(sample_pack, tmp_path):
    executed = sample_pack.restricted / "notebooks" / "W3.ipynb"
    out = tmp_path / "W3.html"
    assert cli.main(["export", str(executed), "--out", str(out)]) == 0
    mine = _MAIN.search(out.read_text(encoding="utf-8")).group(1)
    batch = _MAIN.search((sample_pack.folder / "W3.html").read_text(encoding="utf-8")).group(1)
    assert mine == batch


def test_export_refuses_a_notebook_that_never_ran(tmp_path, capsys):
    source = tmp_path / "plain.ipynb"
    shutil.copy(__import__("helpers").REPO_ROOT / "notebooks" / "10_weakness_report.ipynb", source)
    assert cli.main(["export", str(source)]) == 2
    assert "not run with papermill" in capsys.readouterr().err
