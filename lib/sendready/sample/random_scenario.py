"""Scenarios drawn at random, and the shipped null and mixed scenarios built the same way.

A drawn scenario gives each weakness of the 2017 profile a truth (``improves``, ``flat``
or ``worsens``) and moves every indicator of that weakness accordingly, in the
indicator's own better direction, from the written statement of action (December 2017,
over 60 days). Nothing changes afterwards, so every priority action of 2024 is ``flat``.
The weaknesses of the Warwickshire profile whose indicators no Bury weakness holds
(placement, W3; training of mainstream staff, W4) are drawn too, and move the same way
from the same day; its other weaknesses share indicators with Bury's and are not given a
truth.
The starting values are the Bury scenario's, so the data look like Bury's at the start;
the size of each change is Bury's first change where it has one, else a default. A
proportion moves by that difference; a multiple or a count by the ratio it implies, the
same ratio up or down, so that a drawn worsening never wipes out the volume another
indicator counts (:func:`_by_ratio`).

Used by tests and by ``python -m sendready.dev.scenario_rates`` at small scale.
"""

from __future__ import annotations

import numpy as np

from sendready.metadata.profile import load_profile
from sendready.sample.scenario import (
    NOT_PROPORTIONS,
    REQUIRED,
    TRUTHS,
    Scenario,
    load_scenario,
    scenario_from_mapping,
)

CHANGE_DAY = "2017-12-01"
SECOND_PROFILE = "warwickshire-2021-wsoa"
# The smallest change planted: a proportion moves at least this far, a multiple or a
# count by at least this share of its start.
MIN_PROPORTION_STEP = 0.20
MIN_RELATIVE_STEP = 0.40
# Generating parameters for which lower is better (docs/indicators.md, direction "down":
# a median wait, a multiple of waits, the spread between schools, failed searches, needs
# not assessed, placements in and moves to special schools, the SEND share of exclusions,
# persistent absence, appeals). Higher is better for the rest; for JC01 and JC07, context
# measures with no better direction, "improves" simply means higher.
LOWER_IS_BETTER = frozenset(
    {"HINF02", "LO02", "ID01", "ID03", "JC03", "JC05", "PLC01", "PLC02", "EXC01", "ATT01", "TRB01"}
)


# Starting values that differ from the Bury scenario's: Bury reported every plan within
# 20 weeks in 2016-2018, a ceiling where a p-chart sees a single late plan as special
# cause; drawn scenarios start from about England's rate then (59% in 2016).
START_OVERRIDE = {"EHC01": 0.60}


def _better_sign(indicator: str) -> int:
    """+1 if a higher generating parameter is better, -1 if lower is."""
    return -1 if indicator in LOWER_IS_BETTER else 1


def _step(indicator: str, bury: Scenario) -> float:
    effect = bury.effects[indicator]
    size = abs(effect.changes[0].after - effect.changes[0].before) if effect.changes else 0.0
    if indicator in NOT_PROPORTIONS:
        return max(size, MIN_RELATIVE_STEP * effect.start)
    return max(size, MIN_PROPORTION_STEP)


def _moved(indicator: str, start: float, truth: str, step: float) -> float:
    if truth == "flat":
        return start
    sign = _better_sign(indicator) * (1 if truth == "improves" else -1)
    lo, hi = 0.02, 0.98  # a proportion (a multiple or count moves by a ratio: _by_ratio)
    after = float(np.clip(start + sign * step, lo, hi))
    if abs(after - start) < step / 2:  # no room that way: start from the other side
        start = float(np.clip(after - sign * step, lo, hi))
    return round(after, 4) if after != start else start


def _by_ratio(indicator: str, start: float, truth: str, bury: Scenario) -> float:
    """A multiple or count after its change: multiplied (or divided) by one ratio.

    A multiple or a count moves by a ratio, not a difference: Bury's first change of site
    use (LO01) is +1.2 on a start of 1.0, which taken off instead leaves 5% of the
    site's users and with them too few searches for LO02 to show anything. The ratio is the
    larger of the two the additive step implies (up by it, or down by it where it is
    smaller than the start), so a change keeps at least its old size one way and the
    same proportional size the other way.
    """
    step = _step(indicator, bury)
    ratio = (start + step) / start
    if step < start:
        ratio = max(ratio, start / (start - step))
    exponent = _better_sign(indicator) * (1 if truth == "improves" else -1)
    lo, hi = NOT_PROPORTIONS[indicator]
    return round(float(np.clip(start * ratio**exponent, lo + 0.02, hi)), 4)


def _change(indicator: str, start: float, truth: str, bury: Scenario) -> tuple[float, float]:
    """The parameter before and after the drawn change (equal when ``flat``)."""
    if truth == "flat":
        return start, start
    if indicator in NOT_PROPORTIONS:
        return start, _by_ratio(indicator, start, truth, bury)
    step = _step(indicator, bury)
    after = _moved(indicator, start, truth, step)
    if after == start:
        return start, start
    sign = _better_sign(indicator) * (1 if truth == "improves" else -1)
    before = after - sign * step if not np.isclose(abs(after - start), step) else start
    return round(float(np.clip(before, 0.0, 1.0)), 4), after


def own_weaknesses() -> dict[str, list[str]]:
    """The second profile's weaknesses whose indicators no Bury 2017 weakness holds, with
    their catalogue indicators (a profile's own indicators are not generated directly)."""
    held = {ind for w in load_profile("bury-2017-wsoa").weaknesses for ind in w.indicators}
    out = {}
    for w in load_profile(SECOND_PROFILE).weaknesses:
        generated = [i for i in w.indicators if i in REQUIRED]
        if generated and not (set(w.indicators) & held):
            out[w.id] = generated
    return out


def scenario_mapping(
    truths: dict[str, str],
    name: str,
    scale: float,
    description: str,
    second: dict[str, str] | None = None,
) -> dict:
    """A scenario document in which each 2017 weakness moves as ``truths`` says, and each
    of the second profile's own weaknesses as ``second`` says (flat when not given)."""
    bury = load_scenario("bury")
    second = second or {}
    weakness_of = {
        ind: w.id for w in load_profile("bury-2017-wsoa").weaknesses for ind in w.indicators
    }
    truth_of = {ind: truths.get(w, "flat") for ind, w in weakness_of.items()}
    for weakness, inds in own_weaknesses().items():
        truth_of.update({ind: second.get(weakness, "flat") for ind in inds})
    indicators = {}
    for ind in REQUIRED:
        start = START_OVERRIDE.get(ind, round(bury.effects[ind].start, 4))
        truth = truth_of.get(ind, "flat")
        before, after = _change(ind, start, truth, bury)
        if truth == "flat" or after == before:
            indicators[ind] = {"value": start, "unit": bury.effects[ind].unit}
            continue
        indicators[ind] = {
            "unit": bury.effects[ind].unit,
            "changes": [{"before": before, "after": after, "when": CHANGE_DAY, "shape": "ramp"}],
        }
    return {
        "name": name,
        "description": description,
        "scale": scale,
        "truths": {
            "bury-2017-wsoa": dict(truths),
            "bury-2024-priority-actions": {f"P{i}": "flat" for i in range(1, 7)},
            SECOND_PROFILE: {w: second.get(w, "flat") for w in own_weaknesses()},
        },
        "indicators": indicators,
    }


def draw_scenario(seed: int, scale: float = 0.3) -> Scenario:
    """A random scenario: each of W1-W8 improves, stays flat or worsens at random."""
    rng = np.random.default_rng([seed, 1117])
    truths = {f"W{w}": str(TRUTHS[int(rng.integers(0, 3))]) for w in range(1, 9)}
    # A stream of its own, so the 2017 draws stay what they were before it was added.
    rng_second = np.random.default_rng([seed, 2021])
    second = {w: str(TRUTHS[int(rng_second.integers(0, 3))]) for w in own_weaknesses()}
    doc = scenario_mapping(
        truths,
        f"random-{seed}",
        scale,
        f"Drawn at random (seed {seed}): {truths}; {SECOND_PROFILE}: {second}.",
        second,
    )
    return scenario_from_mapping(doc, name=f"random-{seed}")
