"""Funnel plots for comparing schools or providers without ranking them.

Why funnels: a league table of SEN support rates by school invites a ranking that chance
alone would reshuffle every year; small schools always fill both ends. Spiegelhalter's
funnel plot (Statistics in Medicine 2005; 24:1185-1202) plots each unit's rate against its
denominator with limits that narrow as the denominator grows, so only units whose distance
from the overall rate is larger than chance allows stand out (docs/method.md, "Funnel
plots"; used by indicators ID01, ID02, ID05).

**Exact limits** (Spiegelhalter 2005, appendix A.1.1, step 4). For a target rate ``p0``, a
denominator ``n`` and a tail probability ``p`` (0.025 / 0.975 for 95%, 0.001 / 0.999 for
99.8%), let ``r_p`` be the smallest count with ``P(R <= r_p) >= p`` where ``R ~ Bin(n, p0)``
(``scipy.stats.binom.ppf``). A count is discrete, so the limit is interpolated within the
step below ``r_p``:

``alpha = (P(R <= r_p) - p) / (P(R <= r_p) - P(R <= r_p - 1))``,  limit = ``(r_p - alpha) / n``.

This spreads the probability of each count evenly over the interval just below it, so the
limit lies between ``(r_p - 1) / n`` and ``r_p / n`` and moves smoothly with ``n``, giving a
funnel rather than a staircase (small ``n`` still wobbles: a count is a count). It is
clipped to [0, 1].

**Over-dispersion** (Spiegelhalter 2005, section 6). Real units differ for reasons the
binomial ignores (intake, size of the resourced provision), so far more than 5% of schools
may fall outside the 95% limits. With z-scores ``z_i = (y_i - p0) / sqrt(p0 (1 - p0) / n_i)``
winsorised at their 10th and 90th percentiles (so the outliers being looked for do not
inflate the estimate), ``phi = mean(z_i^2)``. ``I * phi`` is compared with a chi-squared
distribution on ``I - 1`` degrees of freedom; limits are widened only when that test is
significant at 5%, and only with at least ten units (:data:`MIN_UNITS_TO_WIDEN`). Two
ways to widen:

- multiplicative (default): variance ``phi * p0 (1 - p0) / n``;
- additive random effects (DerSimonian-Laird): variance ``p0 (1 - p0) / n + tau^2`` with
  ``tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w)``, ``w_i = 1 / s_i^2``.

**How much spread** (the over-dispersion itself, reported as its own measure). Treating
``I * phi / phi_true`` as chi-squared on ``I - 1`` degrees of freedom (exact for normal
z-scores without winsorising, a working approximation with it), a 95% interval for the
true ``phi`` is ``I * phi / chi2(0.975; I - 1)`` to ``I * phi / chi2(0.025; I - 1)``. An
interval that lies wholly above 1 says the units differ by more than chance; its size
says by how much, which an outlier count cannot: the number of units beyond unwidened
limits rises and falls mostly with ``phi``.

Spiegelhalter draws over-dispersed limits from the normal approximation. This module keeps
the exact limits and scales their distance from ``p0`` by the ratio of the inflated to the
binomial standard deviation (``sqrt(phi)``, or ``sqrt(1 + tau^2 / s^2)``): identical to his
formulae where the normal approximation holds, and still asymmetric for small schools.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

Overdispersion = Literal["none", "multiplicative", "additive"]

# Column suffix -> two-sided coverage; 95% and 99.8% (about 2 and 3 sigma) as Spiegelhalter.
LEVELS = {"95": 0.95, "998": 0.998}
WINSOR_FRACTION = 0.10  # Spiegelhalter 2005: winsorise z-scores at 10% and 90%
OVERDISPERSION_SIGNIFICANCE = 0.05
# Fewer units than this give too rough an estimate of phi to set limits on (with four
# units its 95% interval can run from 3 to over 100): limits are then left unwidened, and
# the estimate, reported with its interval, says how uncertain the spread is.
MIN_UNITS_TO_WIDEN = 10


def exact_binomial_limit(denominators: ArrayLike, p0: float, probability: float) -> np.ndarray:
    """Spiegelhalter's interpolated binomial quantile, as a proportion.

    Args:
        denominators: Unit sizes ``n`` (whole numbers); NaN or 0 gives NaN.
        p0: Target (overall) proportion.
        probability: Lower-tail probability of the limit, e.g. 0.975 for the upper 95% limit.
    """
    n = np.asarray(denominators, dtype=float)
    valid = n > 0
    n_safe = np.where(valid, n, 1.0)
    r = stats.binom.ppf(probability, n_safe, p0)
    at_r = stats.binom.cdf(r, n_safe, p0)
    below_r = stats.binom.cdf(r - 1, n_safe, p0)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(at_r > below_r, (at_r - probability) / (at_r - below_r), 0.0)
    limit = np.clip((r - alpha) / n_safe, 0.0, 1.0)
    return np.where(valid, limit, np.nan)


def _inflation(n: np.ndarray, p0: float, phi: float, tau2: float) -> np.ndarray:
    """Ratio of the over-dispersed standard deviation to the binomial one at each ``n``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        binomial_var = p0 * (1 - p0) / n
        return np.sqrt(phi) * np.sqrt(1 + np.where(binomial_var > 0, tau2 / binomial_var, 0.0))


def funnel_limits(
    denominators: ArrayLike, p0: float, *, phi: float = 1.0, tau2: float = 0.0
) -> pd.DataFrame:
    """95% and 99.8% funnel limits around ``p0`` for each denominator.

    Args:
        denominators: Unit sizes.
        p0: Target proportion (usually the overall rate; could be England's).
        phi: Multiplicative over-dispersion factor (1 = none).
        tau2: Additive between-unit variance (0 = none).

    Returns:
        Columns ``denominator, lower_95, upper_95, lower_998, upper_998`` (``Float64``),
        one row per denominator, in the input's index when it is a Series.
    """
    index = denominators.index if isinstance(denominators, pd.Series) else None
    n = (
        denominators.to_numpy(dtype=float, na_value=np.nan)
        if isinstance(denominators, pd.Series)
        else np.asarray(denominators, dtype=float)
    )
    factor = _inflation(n, p0, phi, tau2)
    out = pd.DataFrame({"denominator": pd.array(n, dtype="Float64")}, index=index)
    for suffix, coverage in LEVELS.items():
        tail = (1 - coverage) / 2
        for name, prob in (("lower", tail), ("upper", 1 - tail)):
            exact = exact_binomial_limit(n, p0, prob)
            limit = np.clip(p0 + factor * (exact - p0), 0.0, 1.0)
            out[f"{name}_{suffix}"] = pd.array(limit, dtype="Float64")
    return out


@dataclass(frozen=True)
class OverdispersionEstimate:
    """Spiegelhalter's over-dispersion estimate for one set of units.

    Attributes:
        phi: Winsorised mean squared z-score (1 means binomial variation only).
        tau2: DerSimonian-Laird between-unit variance (0 when ``I phi <= I - 1``).
        units: Units with a denominator above 0 (``I``).
        p_value: Chi-squared test of ``I phi`` on ``I - 1`` degrees of freedom.
        overdispersed: True when ``phi > 1`` and ``p_value < 0.05``: limits should widen.
        phi_low, phi_high: Approximate 95% interval for the true ``phi`` (module
            docstring); NaN with fewer than two units.
    """

    phi: float
    tau2: float
    units: int
    p_value: float
    overdispersed: bool
    phi_low: float = np.nan
    phi_high: float = np.nan


def _counts(numerators: ArrayLike, denominators: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    def as_float(values: ArrayLike) -> np.ndarray:
        if isinstance(values, pd.Series):
            return values.to_numpy(dtype=float, na_value=np.nan)
        return np.asarray(values, dtype=float)

    x, n = as_float(numerators), as_float(denominators)
    if x.shape != n.shape:
        raise ValueError("numerators and denominators must be the same length")
    if np.any((x < 0) | (n < 0) | (x > n)):
        raise ValueError("funnel needs 0 <= numerator <= denominator for every unit")
    return x, n


def overall_rate(numerators: ArrayLike, denominators: ArrayLike) -> float:
    """Pooled rate ``sum(x) / sum(n)`` over units with a denominator: the usual ``p0``."""
    x, n = _counts(numerators, denominators)
    keep = n > 0
    return float(x[keep].sum() / n[keep].sum())


def estimate_overdispersion(
    numerators: ArrayLike, denominators: ArrayLike, p0: float | None = None
) -> OverdispersionEstimate:
    """Estimate ``phi`` and ``tau^2`` from winsorised z-scores (see the module docstring).

    Args:
        numerators: Cases per unit (e.g. pupils on SEN support).
        denominators: Unit sizes (e.g. pupils on roll).
        p0: Target proportion; default the pooled rate of these units.
    """
    x, n = _counts(numerators, denominators)
    keep = n > 0
    x, n = x[keep], n[keep]
    units = len(n)
    if p0 is None:
        p0 = float(x.sum() / n.sum())
    if units < 2 or not 0 < p0 < 1:
        return OverdispersionEstimate(1.0, 0.0, units, np.nan, False)
    s2 = p0 * (1 - p0) / n
    z = (x / n - p0) / np.sqrt(s2)
    low, high = np.quantile(z, [WINSOR_FRACTION, 1 - WINSOR_FRACTION])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    w = 1 / s2
    excess = units * phi - (units - 1)
    tau2 = float(max(0.0, excess / (w.sum() - (w**2).sum() / w.sum())))
    p_value = float(stats.chi2.sf(units * phi, units - 1))
    overdispersed = phi > 1 and p_value < OVERDISPERSION_SIGNIFICANCE
    low, high = phi_interval(phi, units)
    return OverdispersionEstimate(phi, tau2, units, p_value, overdispersed, low, high)


def phi_interval(phi: float, units: int, coverage: float = 0.95) -> tuple[float, float]:
    """Approximate interval for the true over-dispersion from an estimate on ``units``
    units: ``I phi / chi2((1 + c) / 2; I - 1)`` to ``I phi / chi2((1 - c) / 2; I - 1)``
    (module docstring). NaN for fewer than two units."""
    if units < 2 or not np.isfinite(phi):
        return np.nan, np.nan
    df = units - 1
    tail = (1 - coverage) / 2
    return (
        float(units * phi / stats.chi2.ppf(1 - tail, df)),
        float(units * phi / stats.chi2.ppf(tail, df)),
    )


def classify_units(
    numerators: ArrayLike,
    denominators: ArrayLike,
    p0: float | None = None,
    *,
    overdispersion: Overdispersion = "none",
) -> pd.DataFrame:
    """Place each unit within, above or below the 95% and 99.8% funnel limits.

    Args:
        numerators: Cases per unit.
        denominators: Unit sizes.
        p0: Target proportion; default the pooled rate of these units.
        overdispersion: ``"none"``, ``"multiplicative"`` or ``"additive"``; the adjustment is
            applied only when :func:`estimate_overdispersion` finds significant
            over-dispersion among at least :data:`MIN_UNITS_TO_WIDEN` units, and the
            ``phi``/``tau2`` used are in the frame's ``attrs``.

    Returns:
        One row per unit (input index kept for Series): ``numerator, denominator,
        proportion, z`` (unadjusted), the four limits, and ``band_95`` / ``band_998`` with
        values ``"above"``, ``"below"`` or ``"within"`` (NA without a denominator).
    """
    if overdispersion not in ("none", "multiplicative", "additive"):
        raise ValueError(f"unknown over-dispersion method {overdispersion!r}")
    x, n = _counts(numerators, denominators)
    if p0 is None:
        p0 = overall_rate(x, n)
    estimate = estimate_overdispersion(x, n, p0)
    phi, tau2 = 1.0, 0.0
    widen = estimate.overdispersed and estimate.units >= MIN_UNITS_TO_WIDEN
    if widen and overdispersion == "multiplicative":
        phi = estimate.phi
    elif widen and overdispersion == "additive":
        tau2 = estimate.tau2
    index = next((v.index for v in (numerators, denominators) if isinstance(v, pd.Series)), None)
    limits = funnel_limits(pd.Series(n, index=index), p0, phi=phi, tau2=tau2)
    with np.errstate(divide="ignore", invalid="ignore"):
        proportion = np.where(n > 0, x / n, np.nan)
        z = (proportion - p0) / np.sqrt(p0 * (1 - p0) / n)
    out = pd.DataFrame(
        {
            "numerator": pd.array(x, dtype="Float64"),
            "denominator": pd.array(n, dtype="Float64"),
            "proportion": pd.array(proportion, dtype="Float64"),
            "z": pd.array(z, dtype="Float64"),
        },
        index=index,
    )
    out = pd.concat([out, limits.drop(columns="denominator")], axis=1)
    for suffix in LEVELS:
        lower = out[f"lower_{suffix}"].to_numpy(dtype=float, na_value=np.nan)
        upper = out[f"upper_{suffix}"].to_numpy(dtype=float, na_value=np.nan)
        band = np.where(
            proportion > upper, "above", np.where(proportion < lower, "below", "within")
        )
        out[f"band_{suffix}"] = pd.array(np.where(n > 0, band, None), dtype="string")
    out.attrs.update({"p0": p0, "phi": phi, "tau2": tau2, "overdispersion": estimate})
    return out


def funnel_curves(
    p0: float,
    n_max: int,
    *,
    n_min: int = 1,
    points: int = 200,
    phi: float = 1.0,
    tau2: float = 0.0,
) -> pd.DataFrame:
    """Funnel limits over a grid of denominators, for drawing the curves.

    The grid is geometric (denser at small ``n``, where the funnel bends most) and rounded
    to whole numbers, because a binomial count needs a whole-number denominator.

    Returns:
        Columns as :func:`funnel_limits`, one row per distinct grid denominator.
    """
    if n_min < 1 or n_max < n_min:
        raise ValueError("need 1 <= n_min <= n_max for a funnel grid")
    grid = np.unique(np.round(np.geomspace(n_min, n_max, points)))
    return funnel_limits(grid, p0, phi=phi, tau2=tau2)
