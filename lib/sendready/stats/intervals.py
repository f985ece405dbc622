"""Confidence intervals for proportions, and a test of change against the baseline.

Why Wilson: the simple "p plus or minus 1.96 standard errors" interval collapses to zero
width at 0% and 100% and can run below 0 or above 1. Local-area rates are often at those
extremes (Bury issued 100% of plans within 20 weeks in 2015-2018, DfE SEN2) and
on small monthly denominators, exactly where that interval misleads. The Wilson score
interval (Wilson 1927) stays inside [0, 1], is not degenerate at 0/n or n/n, and is the
interval docs/method.md uses for every proportion.

Why a baseline comparison: a monthly series needs enough points for SPC (Making Data Count
asks for at least 12 to fix limits). Before then, or for annual measures, the narrative may
still only say "improved" when the data support it; :func:`compare_with_baseline` gives that
judgement from the Newcombe (1998) hybrid score interval for a difference of proportions,
which is built from the same Wilson intervals and so never contradicts them at the ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

Direction = Literal["up", "down", "neutral"]


def _z(confidence: float) -> float:
    """Two-sided standard normal critical value, e.g. 1.959964 for 95%."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _as_float_array(values: ArrayLike) -> np.ndarray:
    """Numbers as a float array; pandas missing values become NaN."""
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(values, dtype=float)


def _template(*inputs: object) -> object:
    """The input whose shape the output should copy: a Series first, then any array."""
    for value in inputs:
        if isinstance(value, pd.Series):
            return value
    for value in inputs:
        if np.ndim(value) != 0:
            return value
    return inputs[0]


def _like(result: np.ndarray, template: object) -> object:
    """Return ``result`` in the shape the caller passed in: float, Series or array."""
    if isinstance(template, pd.Series):
        return pd.Series(result, index=template.index, dtype="Float64")
    if np.ndim(template) == 0:
        return float(result)
    return result


def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95
) -> tuple[object, object]:
    """Wilson score interval for a proportion, element by element.

    The interval is the set of true proportions ``p`` for which the observed proportion is
    not significantly different at the given level: the roots of
    ``(p_hat - p)^2 = z^2 p (1 - p) / n``, which give

    ``centre = (p_hat + z^2 / 2n) / (1 + z^2 / n)``,
    ``half_width = z / (1 + z^2 / n) * sqrt(p_hat (1 - p_hat) / n + z^2 / 4n^2)``.

    Args:
        successes: Numerator(s), e.g. plans issued within 20 weeks.
        trials: Denominator(s), e.g. plans issued. Where this is 0 there is no rate and both
            limits are NaN.
        confidence: Coverage, 0.95 by default.

    Returns:
        ``(low, high)`` as proportions (0 to 1), each a float for scalar input, a ``Float64``
        Series (same index) for a Series, otherwise a float array.

    Raises:
        ValueError: A count is negative or a numerator exceeds its denominator, which means
            the indicator was built wrongly.
    """
    x = _as_float_array(successes)
    n = _as_float_array(trials)
    x, n = np.broadcast_arrays(x, n)
    bad = (x < 0) | (n < 0) | (x > n)
    if np.any(bad):
        raise ValueError(
            "wilson_interval needs 0 <= successes <= trials; "
            f"{int(bad.sum())} value(s) break this (first: {x[bad][0]} of {n[bad][0]})"
        )
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_hat = x / n
        denom = 1 + z**2 / n
        centre = (p_hat + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p_hat * (1 - p_hat) / n + z**2 / (4 * n**2))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    # Rounding can leave 1e-17 where the exact answer is 0 (or 1): pin the ends.
    low = np.where(x == 0, 0.0, low)
    high = np.where(x == n, 1.0, high)
    empty = ~(n > 0)
    low = np.where(empty, np.nan, low)
    high = np.where(empty, np.nan, high)
    template = _template(successes, trials)
    return _like(low, template), _like(high, template)


def two_proportion_z_test(
    successes_1: ArrayLike, trials_1: ArrayLike, successes_2: ArrayLike, trials_2: ArrayLike
) -> tuple[object, object]:
    """Pooled two-proportion z-test of group 2 against group 1.

    The classical test, kept for analysts who want a p-value to quote. The significance
    judgement in reports comes from :func:`newcombe_difference_interval`, which behaves
    better with small counts and at 0% or 100%.

    Returns:
        ``(z, p_value)``: z is positive when group 2's rate is higher; the p-value is
        two-sided. NaN where either denominator is 0 or the pooled rate is 0 or 1 (no
        variation to test against).
    """
    x1, n1, x2, n2 = (_as_float_array(v) for v in (successes_1, trials_1, successes_2, trials_2))
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (x2 / n2 - x1 / n1) / se
    z = np.where((n1 > 0) & (n2 > 0) & (se > 0), z, np.nan)
    p_value = 2 * stats.norm.sf(np.abs(z))
    template = _template(successes_1, trials_1, successes_2, trials_2)
    return _like(z, template), _like(p_value, template)


def newcombe_difference_interval(
    successes_1: ArrayLike,
    trials_1: ArrayLike,
    successes_2: ArrayLike,
    trials_2: ArrayLike,
    confidence: float = 0.95,
) -> tuple[object, object]:
    """Interval for the difference ``p2 - p1`` by Newcombe's hybrid score method.

    Newcombe (1998, Statistics in Medicine 17:873, method 10) combines the two Wilson
    intervals ``(l1, u1)`` and ``(l2, u2)``:

    ``low  = d - sqrt((p2 - l2)^2 + (u1 - p1)^2)``,
    ``high = d + sqrt((u2 - p2)^2 + (p1 - l1)^2)``, with ``d = p2 - p1``.

    Returns:
        ``(low, high)`` on the proportion scale; NaN where either denominator is 0.
    """
    x1, n1, x2, n2 = (_as_float_array(v) for v in (successes_1, trials_1, successes_2, trials_2))
    l1, u1 = wilson_interval(x1, n1, confidence)
    l2, u2 = wilson_interval(x2, n2, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    d = p2 - p1
    low = d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    template = _template(successes_1, trials_1, successes_2, trials_2)
    return _like(low, template), _like(high, template)


@dataclass(frozen=True)
class BaselineComparison:
    """The current period's rate against the baseline's, with the judgement to report.

    Attributes:
        baseline_rate: Baseline proportion (0 to 1).
        current_rate: Current proportion (0 to 1).
        difference: ``current_rate - baseline_rate``.
        low: Lower limit of the Newcombe interval for the difference.
        high: Upper limit of that interval.
        p_value: Two-sided p-value of the pooled z-test (for quoting only).
        change: ``"increase"``, ``"decrease"`` or ``"no_significant_change"``; significant
            means the interval excludes 0.
        assessment: ``"improvement"``, ``"concern"``, ``"neutral"`` (a significant change in
            a measure with no better direction) or ``"no_significant_change"``; the same words
            SPC uses, so a report can treat both routes alike.
    """

    baseline_rate: float
    current_rate: float
    difference: float
    low: float
    high: float
    p_value: float
    change: str
    assessment: str


def compare_with_baseline(
    baseline_successes: float,
    baseline_trials: float,
    current_successes: float,
    current_trials: float,
    direction: Direction,
    confidence: float = 0.95,
) -> BaselineComparison:
    """Say whether a period's rate differs from the baseline's, and whether that is good.

    Used when a series has too few points for SPC: the narrative says "improving" only when
    the whole Newcombe interval for the change lies on the better side of zero.

    Args:
        baseline_successes: Numerator over the baseline period (pooled).
        baseline_trials: Denominator over the baseline period (pooled).
        current_successes: Numerator in the period being reported.
        current_trials: Denominator in that period.
        direction: Which way is better: ``"up"``, ``"down"`` or ``"neutral"``.
        confidence: Coverage of the interval, 0.95 by default.
    """
    if direction not in ("up", "down", "neutral"):
        raise ValueError(f"direction must be 'up', 'down' or 'neutral', not {direction!r}")
    if baseline_trials <= 0 or current_trials <= 0:
        raise ValueError("compare_with_baseline needs a denominator above 0 in both periods")
    low, high = newcombe_difference_interval(
        baseline_successes, baseline_trials, current_successes, current_trials, confidence
    )
    _, p_value = two_proportion_z_test(
        baseline_successes, baseline_trials, current_successes, current_trials
    )
    baseline_rate = baseline_successes / baseline_trials
    current_rate = current_successes / current_trials
    if low > 0:
        change = "increase"
    elif high < 0:
        change = "decrease"
    else:
        change = "no_significant_change"
    if change == "no_significant_change":
        assessment = "no_significant_change"
    elif direction == "neutral":
        assessment = "neutral"
    else:
        better = "increase" if direction == "up" else "decrease"
        assessment = "improvement" if change == better else "concern"
    return BaselineComparison(
        baseline_rate=float(baseline_rate),
        current_rate=float(current_rate),
        difference=float(current_rate - baseline_rate),
        low=float(low),
        high=float(high),
        p_value=float(p_value),
        change=change,
        assessment=assessment,
    )
