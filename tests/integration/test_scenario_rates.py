"""Verdicts against planted truths: random scenarios and the null, at small scale.

Targets (docs/scenario-rates.md holds the measured rates): over randomly drawn scenarios,
at least 90% of weakness verdicts in the planted direction and none in the opposite
direction; under the null scenario, 5 seeds x 8 weaknesses, no "sustained improvement"
or "deterioration" at all and at most 4 of 40 "some evidence of improvement" (held here to
4 of 40 for "some evidence" of improvement and of deterioration together).

Each run generates, ingests and judges a whole sample, so the runs are kept few and
small (scale 0.2): five random scenarios and five null seeds.
"""

from __future__ import annotations

import pytest

from sendready.dev.scenario_rates import measure, rejudge

N_RANDOM, K_NULL, SCALE = 5, 5, 0.2


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("scenario-cache")


@pytest.fixture(scope="module")
def rates(cache):
    return measure(N_RANDOM, K_NULL, SCALE, cache=cache)


def test_cached_runs_rejudged_give_the_same_verdicts(rates, cache):
    # Re-assessing the cached indicator tables is what tuning relies on: with the rules
    # unchanged it must give every verdict the full runs gave.
    random_rates, null_rates = rates
    again_random, again_null = rejudge(cache)
    assert again_random.rows == random_rates.rows
    assert again_null.rows == null_rates.rows


def test_random_scenarios_are_judged_in_the_planted_direction(rates):
    random_rates, _ = rates
    rows = random_rates.rows
    assert len(rows) == 8 * N_RANDOM
    assert random_rates.opposite == 0, [r for r in rows if r[3] != "no_evidence_of_change"]
    assert random_rates.matching >= 0.9 * len(rows), rows


def test_the_null_raises_no_false_alarm(rates):
    _, null_rates = rates
    codes = null_rates.codes()
    assert len(null_rates.rows) == 8 * K_NULL
    assert codes["sustained_improvement"] == 0 and codes["deterioration"] == 0, codes
    # The weaker verdicts either way share the budget of 4 in 40.
    assert codes["some_improvement"] + codes["some_deterioration"] <= 4, codes
