"""The verdict rule on constructed key indicators: what a verdict rests on, when there is
not enough data, why one indicator cannot carry a weakness, and how a change that began
before the plan, an unstable baseline and a trend caveat weigh."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sendready.evidence.assessment import assess_indicator
from sendready.evidence.verdicts import weakness_verdict
from sendready.metadata.profile import VerdictRule

from .test_assessment import BASELINE, _censuses, _stepped, _table

RULE = VerdictRule()


def _a(indicator_id: str, kind: str):
    """An assessment of a constructed series: up (step improvement from November 2017,
    sustained), down (step worsening), flat (no change) or none (no data)."""
    if kind == "none":
        table = _table(indicator_id, [np.nan], [np.nan], quarter_reason="no extract")
        table["period_type"] = "quarter"
        return assess_indicator(table, indicator_id, *BASELINE)
    nums, dens = {"up": _stepped(20, 34), "flat": _stepped(20, 20), "down": _stepped(30, 16)}[kind]
    return assess_indicator(_table(indicator_id, nums, dens), indicator_id, *BASELINE)


def _verdict(*kinds: str):
    return weakness_verdict("W9", [_a(f"X{i}", k) for i, k in enumerate(kinds)], RULE)


@pytest.mark.parametrize(
    ("kinds", "code", "basis"),
    [
        # Three of four judged, two sustained: 2 >= two agreeing and 2 >= half of 3.
        (
            ("up", "up", "flat", "none"),
            "sustained_improvement",
            "rests on 3 of 4 key indicators; 1 has no data",
        ),
        # One improving alone, two others flat: it cannot carry the weakness.
        (("up", "flat", "flat"), "some_improvement", "rests on 3 of 3 key indicators"),
        # One worsening alone, others flat: some evidence of deterioration, not "deterioration".
        (("down", "flat", "flat"), "some_deterioration", "rests on 3 of 3 key indicators"),
        (("down", "down", "flat"), "deterioration", "rests on 3 of 3 key indicators"),
        # Two of three without data: more than half, so not enough data (the old rule gave
        # "sustained improvement" on the one left).
        (
            ("up", "none", "none"),
            "not_enough_data",
            "rests on 1 of 3 key indicators; 2 have no data",
        ),
        # One of two without data is not more than half, but one cannot carry "sustained".
        (("up", "none"), "some_improvement", "rests on 1 of 2 key indicators; 1 has no data"),
        (("up", "down"), "no_evidence_of_change", "rests on 2 of 2 key indicators"),
        # Two of four worsen (two agreeing, half of those judged) and outnumber the one
        # improving.
        (("down", "down", "up", "flat"), "deterioration", "rests on 4 of 4 key indicators"),
        # One of four worsens, one improves: a tie.
        (("down", "flat", "up", "flat"), "no_evidence_of_change", "rests on 4 of 4 key indicators"),
        (("flat", "flat"), "no_evidence_of_change", "rests on 2 of 2 key indicators"),
    ],
)
def test_rule_and_basis(kinds, code, basis):
    verdict = _verdict(*kinds)
    assert verdict.code == code
    assert verdict.basis == basis


def test_a_single_key_indicator_never_reaches_a_strong_verdict():
    assert _verdict("up").code == "some_improvement"
    assert _verdict("down").code == "some_deterioration"


def _climb_then_hold():
    """A steady climb through the baseline (every month one case more, 10 -> 28 of 40)
    that carries on after the plan: the change began before it."""
    nums = list(range(10, 29)) + [29 + (i % 3) for i in range(17)]
    return _table("JOIN03", nums, [40] * len(nums))


def test_change_that_began_before_the_plan_is_not_credited():
    a = assess_indicator(_climb_then_hold(), "JOIN03", *BASELINE)
    assert a.signal == "improvement"
    # The climb's run of special-cause points starts inside the baseline (by hand: the
    # baseline mean is 19/40; every point from the first above the upper limit on is
    # special cause, and the trend rule flags the climb from its start in April 2016).
    assert a.since <= pd.Timestamp(BASELINE[1])
    assert a.began_before_plan and a.weight == "none"
    assert f"began before the plan (since {a.since:%B %Y})" in a.reason
    assert "since" not in a.reason.split("began before the plan")[0]
    verdict = weakness_verdict("W9", [a, _a("X1", "up"), _a("X2", "flat")], RULE)
    # Only X1's improvement counts: one alone, so "some", never "sustained".
    assert verdict.code == "some_improvement"
    assert any("JOIN03: the change began before the plan" in c for c in verdict.cautions)


def test_unstable_baseline_is_flagged_and_cannot_count_towards_sustained():
    # A baseline of 20 in 40 a month with two months at 34 in 40 in the middle (both far
    # beyond the upper limit: p-bar = (17 * 20 + 2 * 34) / 760 = 53.7%, sigma at n = 40 is
    # 7.9 points, so the limit is 77.3% and 85% lies beyond it), then a step to 34 in 40
    # after the plan that holds for 17 months. Special cause in the baseline, by hand: the
    # two spikes, and the eleven months after them, all below the raised centre line
    # (shift rule; the six before the spikes are one short of a run of seven): 13 of 19.
    nums = [20] * 6 + [34, 34] + [20 + (0, 1, -1)[i % 3] for i in range(11)]
    nums += [34 + (0, 1, -1)[i % 3] for i in range(17)]
    a = assess_indicator(_table("X0", nums, [40] * len(nums)), "X0", *BASELINE)
    assert a.signal == "improvement" and a.sustained and not a.began_before_plan
    assert a.since == pd.Timestamp("2017-11-01")
    assert a.unstable_baseline.startswith("unstable baseline: 13 of 19 baseline months")
    assert a.weight == "reduced"
    # With one other sustained improvement: two improving, only one at full weight.
    verdict = weakness_verdict("W9", [a, _a("X1", "up"), _a("X2", "flat")], RULE)
    assert verdict.code == "some_improvement"
    assert any(c.startswith("X0: unstable baseline") for c in verdict.cautions)
    # The same series without the two baseline spikes counts in full: sustained.
    steady = [20 + (0, 1, -1)[i % 3] for i in range(19)] + nums[19:]
    b = assess_indicator(_table("X0", steady, [40] * len(steady)), "X0", *BASELINE)
    assert b.weight == "full"
    verdict = weakness_verdict("W9", [b, _a("X1", "up"), _a("X2", "flat")], RULE)
    assert verdict.code == "sustained_improvement"


def test_trend_caveat_is_stated_beside_the_verdict_and_reduces_weight():
    nums, dens = _stepped(30, 16)
    caveated = assess_indicator(
        _table("HAW01", nums, dens),
        "HAW01",
        *BASELINE,
        trend_caveat="past figures may be overstated",
    )
    assert caveated.signal == "concern" and caveated.weight == "reduced"
    verdict = weakness_verdict("W7", [caveated, _a("X1", "down"), _a("X2", "flat")], RULE)
    # Two concerns, but only one of full weight: not "deterioration".
    assert verdict.code == "some_deterioration"
    assert verdict.cautions == ["HAW01: caveat: past figures may be overstated"]


def test_a_step_at_the_plan_is_credited_from_the_plan_even_if_the_run_reaches_back():
    # Baseline alternating 19 and 20 of 40 (mean 376 / 760 = 49.5%: 19 is below, 20 above),
    # ending 20, 21, 22, 21: four months above the centre, then a step to 34 of 40. On the
    # whole series the shift run reaches back over those four baseline months (July to
    # October 2017); on the baseline alone they are a run of four, no signal (seven are
    # needed), so the change dates from the first month after the plan and counts in full.
    base = [19, 20] * 7 + [19, 20, 21, 22, 21]
    nums = base + [34 + (0, 1, -1)[i % 3] for i in range(17)]
    a = assess_indicator(_table("X0", nums, [40] * len(nums)), "X0", *BASELINE)
    assert a.spc.signal_since <= pd.Timestamp("2017-10-01")  # the whole-series run
    assert a.signal == "improvement" and a.sustained
    assert not a.began_before_plan and a.unstable_baseline == ""
    assert a.since == pd.Timestamp("2017-11-01") and a.weight == "full"
    assert a.reason.endswith("since November 2017")


# --- "some" evidence must be corroborated --------------------------------------------------

WOBBLE = (0, 1, -1, 2, -2, 1)


def _late_step(indicator_id: str, months: int, to: int = 34):
    """20 of 40 a month (with the wobble of ``_stepped``) through the baseline and after
    the plan, then a step to ``to`` of 40 for the last ``months`` of the 17 after it.

    By hand: the baseline centre is (19 * 20 + 3) / 760 = 50.4% and one sigma at n = 40 is
    7.9 points, so the upper limit is 74.1% (29.6 of 40): every stepped month (32 to 36 of
    40) lies beyond it, no month before the step does, and the 20-a-month months before
    it alternate about the centre (no run of seven, no trend). The month before the step
    is set to 19, below the centre, so that it cannot join the stepped months into one run
    above it (the shift rule would flag it too). The signal therefore began at the step
    and has held for exactly ``months`` points."""
    nums = [20 + WOBBLE[i % 6] for i in range(36 - months)]
    nums[-1] = 19
    nums += [to + WOBBLE[i % 6] for i in range(months)]
    return assess_indicator(_table(indicator_id, nums, [40] * 36), indicator_id, *BASELINE)


@pytest.mark.parametrize(
    ("months", "code"), [(9, "no_evidence_of_change"), (10, "some_improvement")]
)
def test_a_lone_indicator_needs_ten_months_held(months, code):
    a = _late_step("X0", months)
    assert a.signal == "improvement" and a.weight == "full"
    assert a.held == months and a.since == pd.Timestamp("2019-03-01") - pd.DateOffset(
        months=months - 1
    )
    assert _verdict_of(a, _a("X1", "flat"), _a("X2", "flat")).code == code


def test_a_lone_single_month_signal_is_not_evidence():
    # The last month alone jumps to 38 of 40 (95%, beyond the 74.1% limit): one point.
    blip = _late_step("X0", 1, to=38)
    assert blip.signal == "improvement" and blip.held == 1 and not blip.sustained
    assert _verdict_of(blip, _a("X1", "flat"), _a("X2", "flat")).code == "no_evidence_of_change"
    # Two indicators agreeing are corroboration, however recent: 2 / 3 charts by chance
    # together is far rarer than one.
    other = _late_step("X1", 1, to=38)
    assert _verdict_of(blip, other, _a("X2", "flat")).code == "some_improvement"


def test_a_lone_signal_weighed_with_care_is_not_evidence_alone():
    nums, dens = _stepped(30, 16)
    caveated = assess_indicator(
        _table("HAW01", nums, dens), "HAW01", *BASELINE, trend_caveat="overstated"
    )
    # Held 17 months, but reduced weight: alone it is shown, not counted as evidence.
    assert caveated.signal == "concern" and caveated.held == 17 and caveated.weight == "reduced"
    verdict = _verdict_of(caveated, _a("X1", "flat"), _a("X2", "flat"))
    assert verdict.code == "no_evidence_of_change"
    assert verdict.reasons[0].startswith("HAW01")


def test_improvements_outnumbering_a_concern_still_give_some_evidence():
    # Two improving (held 17 months each) against one worsening: 2 > 1, and two agree.
    verdict = _verdict("up", "up", "down")
    assert verdict.code == "some_improvement"


def test_a_lone_significant_census_change_is_evidence():
    # Censuses at 20% in the baseline and 10% at the latest (lower better): Newcombe's
    # interval for the change excludes zero, so a significant improvement, which is all a
    # census can show at its latest point.
    census = assess_indicator(_censuses(), "ID03", *BASELINE)
    assert census.method == "baseline_comparison" and census.signal == "improvement"
    assert census.held == 1
    assert _verdict_of(census, _a("X1", "flat"), _a("X2", "flat")).code == "some_improvement"


def _verdict_of(*assessments):
    return weakness_verdict("W9", list(assessments), RULE)
