"""Backtest on the whole sample area: the statistics alone find the planted truth.

The Bury scenario plants improvement after the written statement of action in W1, W2,
W3, W5 and W6 and none in W4, W7 and W8, as the May 2019 re-visit found; and, after the
2024 inspection, improvement in P1, P5 and P6, none in P2 and P4, and longer waits (P3).
The engine never reads the scenario: these tests compare its verdicts with the re-visit
outcome recorded in the 2017 profile, and with the truth the scenario declares
(``scenario.json``) for the 2024 one.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sendready.evidence.build import build_evidence, save_evidence
from sendready.ingest.run import run_ingest
from sendready.metadata.profile import load_profile
from sendready.sample import generate_sample


@pytest.fixture(scope="module")
def sample_evidence(tmp_path_factory):
    root = tmp_path_factory.mktemp("evidence")
    generate_sample(out_dir=root / "data", scale=1.0, seed=2017)
    profile = load_profile("bury-2017-wsoa")
    ingest = run_ingest(profile, data_dir=root / "data", out_dir=root / "staged")
    return profile, build_evidence(profile, ingest.out_dir, "2019-03-31"), root


def test_verdicts_match_the_2019_revisit(sample_evidence):
    profile, evidence, _ = sample_evidence
    for weakness in profile.weaknesses:
        verdict = evidence.verdicts[weakness.id]
        sufficient = weakness.revisit_outcome == "sufficient progress"
        assert verdict.improving == sufficient, (weakness.id, verdict.code, verdict.reasons)


def test_improving_weaknesses_rest_on_special_cause_or_significant_change(sample_evidence):
    profile, evidence, _ = sample_evidence
    for weakness in profile.weaknesses:
        verdict = evidence.verdicts[weakness.id]
        if verdict.improving:
            improving = [a for a in verdict.assessments if a.signal == "improvement"]
            assert improving and all(a.since is not None for a in improving)
            assert all(
                a.method in ("p_chart", "xmr_chart", "baseline_comparison") for a in improving
            )


def test_every_catalogue_indicator_is_in_the_table(sample_evidence):
    profile, evidence, _ = sample_evidence
    ids = {i for w in profile.weaknesses for i in w.indicators}
    assert ids <= set(evidence.table["indicator_id"])
    quarter = evidence.table[evidence.table["period_type"] == "quarter"]
    assert set(quarter["indicator_id"]) == ids
    # A proportion's value is its numerator over its denominator, and its Wilson interval
    # contains it.
    props = quarter[(quarter["statistic"] == "proportion") & ~quarter["no_data"].astype(bool)]
    assert ((props["value"] - props["numerator"] / props["denominator"] * 100).abs() < 1e-9).all()
    assert ((props["ci_low"] <= props["value"]) & (props["value"] <= props["ci_high"])).all()


def test_twenty_weeks_quarter_matches_a_direct_count(sample_evidence):
    """EHC01 for January-March 2019 recounted from the staged table by a second method."""
    _, evidence, root = sample_evidence
    requests = pd.read_parquet(root / "staged" / "ehc_requests.parquet")
    issued = requests[
        (requests["plan_issued_date"] >= "2019-01-01")
        & (requests["plan_issued_date"] <= "2019-03-31")
    ]
    issued = issued[
        issued["exception_20wk"].isna()
        & ~issued["mediation"].fillna(False)
        & ~issued["tribunal"].fillna(False)
    ]
    on_time = sum(
        (row.plan_issued_date - row.received_date).days <= 140 for row in issued.itertuples()
    )
    row = evidence.quarter("EHC01")
    assert (row["numerator"], row["denominator"]) == (on_time, len(issued))


def test_saved_evidence_round_trips(sample_evidence, tmp_path):
    _, evidence, _ = sample_evidence
    save_evidence(evidence, tmp_path)
    verdicts = json.loads((tmp_path / "verdicts.json").read_text())
    assert {k: v["verdict"] for k, v in verdicts["verdicts"].items()} == {
        k: v.code for k, v in evidence.verdicts.items()
    }
    table = pd.read_parquet(tmp_path / "indicators.parquet")
    assert len(table) == len(evidence.table)


def test_period_before_the_baseline_is_a_clear_error(sample_evidence):
    from sendready.core.errors import SendreadyError

    _, _, root = sample_evidence
    profile = load_profile("bury-2024-priority-actions")
    with pytest.raises(SendreadyError, match="before the baseline"):
        build_evidence(profile, root / "staged", "2019-03-31")


IMPROVING = {"sustained_improvement", "some_improvement"}


def test_the_2024_profile_finds_the_declared_priority_action_truth(sample_evidence):
    _, _, root = sample_evidence
    truth = json.loads((root / "data" / "scenario.json").read_text())["truths"]
    profile = load_profile("bury-2024-priority-actions")
    evidence = build_evidence(profile, root / "staged", "2025-12-31")
    for area in profile.weaknesses:
        verdict = evidence.verdicts[area.id]
        planted = truth["bury-2024-priority-actions"][area.id]
        assert verdict.code != "not_enough_data", (area.id, verdict.reasons)
        if planted == "improves":
            assert verdict.code in IMPROVING, (area.id, verdict.code, verdict.reasons)
        else:
            assert verdict.code not in IMPROVING, (area.id, verdict.code, verdict.reasons)
        if planted == "worsens":
            assert verdict.code in {"deterioration", "some_deterioration"}, (
                area.id,
                verdict.code,
                verdict.reasons,
            )
