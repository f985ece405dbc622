"""The second built-in area: Warwickshire's 2021 findings, run as a whole pack.

A sample is generated from the Warwickshire scenario (its truth for each of the profile's
five weaknesses) at small scale and the pack is built with ``run_pack``, as the other
pack tests do. Every shareable file under ``board-pack/`` must be free of Bury wording
(the area's name, its places and providers as the sample names them, the dates of its
inspections and written statement of action), and each weakness's verdict must agree
with the truth the scenario declares: ``improves`` reads as improvement, ``flat`` as
neither improvement nor deterioration.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sendready.evidence.verdicts import IMPROVING_VERDICTS
from sendready.metadata.profile import load_profile
from sendready.sample import names
from sendready.sample.advice import ACUTE_TRUST, COMMUNITY_TRUST

PROFILE = "warwickshire-2021-wsoa"
# Half of Bury's size: at 0.3 the few new plans a month (about four) leave the placement
# indicators' latest point inside its limits even after their planted halving, so W3 read
# "no evidence of change yet" (a limit of judging the latest point on small counts).
SCALE = 0.5
SEED = 2017
# Bury's name and its forum, the sample's Bury places and providers, and the dates of
# Bury's inspections, written statement of action and re-visit, as reports write them.
BURY_WORDS = (
    "Bury",
    "Bury2gether",
    "Greater Manchester",
    *names.PLACES,
    COMMUNITY_TRUST,
    ACUTE_TRUST,
    "12 June 2017",
    "16 June 2017",
    "31 October 2017",
    "13 May 2019",
    "15 May 2019",
    "12 February 2024",
    "2017-06-12",
    "2017-10-31",
    "2019-05-13",
)
SHAREABLE = (".html", ".json", ".csv", ".txt", ".svg", ".md")
# Embedded images are base64: random letters, which may spell anything.
_DATA_URI = re.compile(r"data:[^\"')\s]+")


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory):
    from sendready.publish.pipeline import run_pack
    from sendready.sample import generate_sample

    root = tmp_path_factory.mktemp("second_area")
    generate_sample(root / "data", scale=SCALE, seed=SEED, scenario="warwickshire")
    (outcome,) = run_pack(PROFILE, root / "data", [], root / "outputs", jobs=2, progress=print)
    return root, outcome


def test_every_report_of_the_second_area_is_built(pack):
    _, outcome = pack
    assert {r.key for r in outcome.results} == {
        "board_summary",
        "data_quality",
        *(w.id for w in load_profile(PROFILE).weaknesses),
    }
    assert all(r.status == "ok" for r in outcome.results), [
        (r.key, r.error) for r in outcome.results if r.status != "ok"
    ]


def test_no_shareable_file_carries_bury_wording(pack):
    root, _ = pack
    board = root / "outputs" / PROFILE / "board-pack"
    files = [p for p in board.rglob("*") if p.is_file() and p.suffix in SHAREABLE]
    assert any(p.name == "index.html" for p in files)
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in BURY_WORDS) + r")\b")
    found = {}
    for path in files:
        text = _DATA_URI.sub("", path.read_text(encoding="utf-8", errors="replace"))
        hits = sorted(set(pattern.findall(text)))
        if hits:
            found[str(path.relative_to(board))] = hits
    assert not found, found


def test_the_area_is_named_in_its_own_pack(pack):
    root, outcome = pack
    summary = (Path(outcome.folder) / "board_summary.html").read_text(encoding="utf-8")
    assert "Warwickshire" in summary


def test_verdicts_match_the_declared_truth(pack):
    root, outcome = pack
    truth = json.loads((root / "data" / "scenario.json").read_text())["truths"][PROFILE]
    verdicts = json.loads((Path(outcome.restricted) / "evidence" / "verdicts.json").read_text())
    got = {w: v["verdict"] for w, v in verdicts["verdicts"].items()}
    assert set(got) == set(truth)
    for weakness, planted in truth.items():
        reasons = verdicts["verdicts"][weakness]["reasons"]
        if planted == "improves":
            assert got[weakness] in IMPROVING_VERDICTS, (weakness, got[weakness], reasons)
        else:
            assert planted == "flat"
            assert got[weakness] not in IMPROVING_VERDICTS, (weakness, got[weakness], reasons)
            assert "deterioration" not in got[weakness], (weakness, got[weakness], reasons)
