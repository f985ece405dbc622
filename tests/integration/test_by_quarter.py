"""Many quarters at once: the indicator table computed once and cut per quarter end must be
the table the engine computes for each quarter end on its own, row for row.

On the shared sample batch's staged data, for every quarter end from the first after the
baseline start to the last before the extract date, with every indicator of both built-in
profiles (the second reaches indicators the first does not use).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sendready.evidence.build import build_evidence, profile_indicator_ids, profile_targets
from sendready.indicators import StagedData, compute_indicators
from sendready.indicators.by_quarter import compute_indicators_by_quarter
from sendready.metadata.profile import load_profile
from sendready.publish.evidence_cache import PARALLEL_FROM, evidence_key, prepare_evidence
from sendready.publish.periods import quarter_ends_between
from sendready.reports.context import stored_narrator
from sendready.reports.narrative.narrator import Narrator


@pytest.mark.parametrize("profile_id", ["bury-2017-wsoa", "bury-2024-priority-actions"])
def test_tables_cut_per_quarter_equal_the_engine_quarter_by_quarter(sample_pack, profile_id):
    profile = load_profile(profile_id)
    data = StagedData(sample_pack.outputs / "bury-2017-wsoa" / "restricted" / "staged")
    start = profile.framework.baseline_start
    # Up to three years of quarters from the profile's baseline, within the data (the
    # sample runs to March 2026, so each profile gets its own decade's slice).
    ends = quarter_ends_between(start + dt.timedelta(days=1), data.extract_date.date())
    ends = [e for e in ends if e > start][:12]
    if not ends:
        pytest.skip(f"the sample's data end before {profile_id}'s baseline starts")
    ids = profile_indicator_ids(profile)
    targets = profile_targets(profile)
    threshold = profile.disclosure.threshold
    tables = compute_indicators_by_quarter(data, ends, start, ids, threshold, targets)
    assert sorted(tables) == [pd.Timestamp(e) for e in ends]
    for end in ends:
        alone = compute_indicators(data, end, start, ids, threshold, targets)
        cut = tables[pd.Timestamp(end)]
        pd.testing.assert_frame_equal(cut, alone, obj=f"table at {end}")
        # Nothing after the period end is in its table.
        assert (cut["period_end"] <= pd.Timestamp(end)).all()


def test_prepared_evidence_is_what_each_period_would_build(sample_pack, tmp_path):
    profile = load_profile("bury-2017-wsoa")
    staged = sample_pack.outputs / "bury-2017-wsoa" / "restricted" / "staged"
    ingest = _ingest(staged)
    ends = ["2018-09-30", "2018-12-31", "2019-03-31"]
    folders = {end: tmp_path / end for end in ends}
    built = prepare_evidence(profile, ingest, folders)
    assert sorted(built) == ends
    for end in ends:
        alone = build_evidence(profile, staged, end)
        assert {k: v.code for k, v in built[end].verdicts.items()} == {
            k: v.code for k, v in alone.verdicts.items()
        }
        assert (folders[end] / "evidence" / "verdicts.json").is_file()
    # A second call finds every period current and computes nothing.
    assert prepare_evidence(profile, ingest, folders) == {}


def test_evidence_judged_in_worker_processes_is_what_one_process_stores(sample_pack, tmp_path):
    profile = load_profile("bury-2017-wsoa")
    ingest = _ingest(sample_pack.outputs / "bury-2017-wsoa" / "restricted" / "staged")
    ends = ["2018-06-30", "2018-09-30", "2018-12-31", "2019-03-31"]
    assert len(ends) >= PARALLEL_FROM  # so that the second call really uses workers
    here = prepare_evidence(profile, ingest, {e: tmp_path / "one" / e for e in ends})
    there = prepare_evidence(profile, ingest, {e: tmp_path / "two" / e for e in ends}, workers=2)
    assert sorted(there) == ends
    for end in ends:
        pd.testing.assert_frame_equal(there[end].table, here[end].table)
        assert {k: v.code for k, v in there[end].verdicts.items()} == {
            k: v.code for k, v in here[end].verdicts.items()
        }
        for name in ("assessments.csv", "verdicts.json", "evidence.key"):
            one = (tmp_path / "one" / end / "evidence" / name).read_bytes()
            assert (tmp_path / "two" / end / "evidence" / name).read_bytes() == one
        stored = stored_narrator(tmp_path / "two" / end, evidence_key(profile, ingest, end))
        pd.testing.assert_frame_equal(stored.table, Narrator.from_evidence(here[end]).table)


def _ingest(staged):
    import json

    from sendready.ingest.plan import pinned_staged

    fingerprint = json.loads((staged / "ingest_cache.json").read_text())["fingerprint"]
    return pinned_staged(staged, fingerprint)
