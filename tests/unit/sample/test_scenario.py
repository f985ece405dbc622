"""Scenarios: read from YAML, checked with clear errors, evaluated as declared."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from helpers import REPO_ROOT
from sendready.core.errors import SendreadyError
from sendready.metadata.profile import load_profile
from sendready.sample.random_scenario import draw_scenario, scenario_mapping
from sendready.sample.scenario import (
    REQUIRED,
    SCENARIO_DIR,
    load_scenario,
    scenario_from_mapping,
    shipped_scenarios,
)

SAMPLE = REPO_ROOT / "lib" / "sendready" / "sample"


def bury_doc() -> dict:
    return yaml.safe_load((SCENARIO_DIR / "bury.yaml").read_text(encoding="utf-8"))


def test_shipped_scenarios_load_and_declare_every_generated_indicator():
    assert set(shipped_scenarios()) >= {"bury", "mixed", "null"}
    for name in shipped_scenarios():
        scenario = load_scenario(name)
        assert set(REQUIRED) <= set(scenario.effects), name


def test_truths_name_every_weakness_of_the_profiles_they_cover():
    # Bury's scenarios cover both Bury profiles wholly; the Warwickshire scenario covers
    # its own profile wholly; Bury's may also give Warwickshire's own weaknesses (those
    # whose indicators no Bury weakness holds, W3 and W4) a truth.
    covers = {"warwickshire": ("warwickshire-2021-wsoa",)}
    for name in shipped_scenarios():
        truths = load_scenario(name).truths
        whole = covers.get(name, ("bury-2017-wsoa", "bury-2024-priority-actions"))
        for profile_id in whole:
            ids = {w.id for w in load_profile(profile_id).weaknesses}
            assert set(truths[profile_id]) == ids, (name, profile_id)
        for profile_id in set(truths) - set(whole):
            ids = {w.id for w in load_profile(profile_id).weaknesses}
            assert set(truths[profile_id]) <= ids, (name, profile_id)


def test_null_scenario_changes_nothing():
    null = load_scenario("null")
    assert all(not e.changes for e in null.effects.values())
    assert set(v for t in null.truths.values() for v in t.values()) == {"flat"}


def test_mixed_scenario_is_another_truth_at_another_scale():
    mixed, bury = load_scenario("mixed"), load_scenario("bury")
    assert mixed.scale != bury.scale
    ours, theirs = mixed.truths["bury-2017-wsoa"], bury.truths["bury-2017-wsoa"]
    assert set(ours.values()) == {"improves", "flat", "worsens"}
    assert sum(ours[w] != theirs[w] for w in ours) >= 5


def test_step_ramp_and_drift_by_hand():
    doc = bury_doc()
    doc["indicators"]["EHC03"] = {
        "changes": [
            {"before": 0.5, "after": 0.7, "when": "2017-01-01", "shape": "step"},
            {"before": 0.7, "after": 0.9, "when": "2018-01-01", "shape": "ramp"},
            {
                "before": 0.9,
                "after": 0.5,
                "when": "2020-01-01",
                "shape": "drift",
                "until": "2020-12-31",
            },
        ]
    }
    effect = scenario_from_mapping(doc).effects["EHC03"]
    # Before the step, on it, half-way through the 60-day ramp, after it, half-way
    # through the drift (2020-07-01 is day 182 of 365), after it.
    days = ["2016-12-31", "2017-01-01", "2018-01-31", "2018-06-01", "2020-07-01", "2021-06-01"]
    expected = [0.5, 0.7, 0.7 + 0.2 * 30 / 60, 0.9, 0.9 - 0.4 * 182 / 365, 0.5]
    got = effect.value(np.array(days, dtype="datetime64[D]"))
    assert np.allclose(got, expected)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["indicators"].pop("HINF01"), "no effect declared for HINF01"),
        (lambda d: d["indicators"].update({"XX01": {"value": 0.1}}), "XX01"),
        (lambda d: d["indicators"]["EHC03"].update({"value": 1.4}), "outside 0 to 1"),
        (lambda d: d["indicators"]["HAW02"].update({"changes": []}), "not both"),
        (
            lambda d: d["indicators"]["EHC06"]["changes"][0].update({"shape": "jump"}),
            "shape must be one of",
        ),
        (
            lambda d: d["indicators"]["EHC06"]["changes"][1].update({"before": 0.5}),
            "starts from 0.5",
        ),
        (
            lambda d: d["indicators"]["EHC06"]["changes"][1].pop("until"),
            "a drift needs 'until'",
        ),
        (
            lambda d: d["indicators"]["EHC06"]["changes"][0].update({"when": "1 Dec 2017"}),
            "must be a date",
        ),
        (lambda d: d["truths"]["bury-2017-wsoa"].update({"W1": "better"}), "truth of W1"),
    ],
)
def test_a_broken_scenario_is_a_clear_error(edit, message):
    doc = copy.deepcopy(bury_doc())
    edit(doc)
    with pytest.raises(SendreadyError, match=re.escape(message)):
        scenario_from_mapping(doc, name="broken")


def test_unknown_scenario_names_the_shipped_ones(tmp_path: Path):
    with pytest.raises(SendreadyError, match="bury, mixed, null, warwickshire"):
        load_scenario("nonesuch")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(SendreadyError, match="not valid YAML"):
        load_scenario(bad)


def test_random_scenarios_are_seeded_and_follow_their_truth():
    a, b = draw_scenario(4), draw_scenario(4)
    assert a.document() == b.document()
    profile = load_profile("bury-2017-wsoa")
    for seed in range(6):
        scenario = draw_scenario(seed)
        for weakness in profile.weaknesses:
            truth = scenario.truths["bury-2017-wsoa"][weakness.id]
            moved = [
                bool(scenario.effects[i].changes) for i in weakness.indicators if i in REQUIRED
            ]
            assert all(moved) if truth != "flat" else not any(moved), (seed, weakness.id)


def test_no_generator_names_a_weakness_outcome():
    """Generators read indicator parameters only: the truth lives in the scenario files."""
    pattern = re.compile(
        r"WEAKNESS_OUTCOMES|revisit_outcome|\"(improves|worsens)\"|sufficient progress"
    )
    allowed = {"scenario.py", "random_scenario.py"}
    offenders = [
        p.name
        for p in SAMPLE.glob("*.py")
        if p.name not in allowed and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_lower_is_better_matches_the_catalogue_directions():
    from sendready.indicators.registry import REGISTRY
    from sendready.sample.random_scenario import LOWER_IS_BETTER

    down = {i for i in REQUIRED if REGISTRY[i].direction == "down"}
    assert LOWER_IS_BETTER == down


def test_random_scenarios_move_the_second_areas_own_weaknesses_by_their_truth():
    from sendready.indicators.registry import REGISTRY

    seen = set()
    for seed in range(12):
        scenario = draw_scenario(seed)
        truths = scenario.truths["warwickshire-2021-wsoa"]
        assert set(truths) == {"W3", "W4"}  # W1, W2 and W5 share indicators with Bury's
        for weakness, indicators in {"W3": ("PLC01", "PLC02"), "W4": ("TRN01", "TRN02")}.items():
            truth = truths[weakness]
            seen.add(truth)
            for ind in indicators:
                changes = scenario.effects[ind].changes
                if truth == "flat":
                    assert not changes, (seed, ind)
                    continue
                rise = changes[0].after > changes[0].before
                better = rise == (REGISTRY[ind].direction == "up")
                assert better == (truth == "improves"), (seed, ind, truth, changes)
    assert seen == {"improves", "flat", "worsens"}


def test_a_drawn_multiple_moves_by_one_ratio_either_way():
    # Bury's site use (LO01) starts at 1.0 and first rises by 1.2: up is x2.2, so down is
    # /2.2 (not 1.0 - 1.2, clipped to almost nothing, which left LO02 without searches).
    # Bury's median wait (HINF02, lower is better) falls from 46 by 18.4 days: down is
    # x0.6, so a worsening is 46 / 0.6 days.
    worse = {f"W{i}": "worsens" for i in range(1, 9)}
    better = {f"W{i}": "improves" for i in range(1, 9)}
    moved = {
        truth: scenario_mapping(truths, truth, 0.2, "")["indicators"]
        for truth, truths in (("worsens", worse), ("improves", better))
    }
    lo01 = [moved[t]["LO01"]["changes"][0] for t in ("worsens", "improves")]
    assert [(c["before"], c["after"]) for c in lo01] == [(1.0, round(1 / 2.2, 4)), (1.0, 2.2)]
    hinf02 = [moved[t]["HINF02"]["changes"][0] for t in ("worsens", "improves")]
    assert [c["after"] for c in hinf02] == [round(46 / 0.6, 4), 27.6]
    # A proportion still moves by the difference: HAW02 from 0.45, 20 points either way.
    haw02 = [moved[t]["HAW02"]["changes"][0]["after"] for t in ("worsens", "improves")]
    assert haw02 == pytest.approx([0.25, 0.65])
