"""Spiegelhalter funnel limits, checked against binomial quantiles, hand sums and known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.shared_paths import SHARED_ROOT
from sendready.stats.funnel import (
    classify_units,
    estimate_overdispersion,
    exact_binomial_limit,
    funnel_curves,
    funnel_limits,
    overall_rate,
    phi_interval,
)

SHARED_DATA = SHARED_ROOT / "data"


def test_hand_example_p0_015_n_10():
    # R ~ Bin(10, 0.15). By hand:
    #   P(0) = 0.85^10 = 0.196874          cumulative 0.196874
    #   P(1) = 10 * 0.15 * 0.85^9 = 0.347425   cumulative 0.544300
    #   P(2) = 45 * 0.0225 * 0.85^8 = 0.275897 cumulative 0.820196
    #   P(3) = 120 * 0.003375 * 0.85^7 = 0.129834 cumulative 0.950030
    #   P(4) = 210 * 0.00050625 * 0.85^6 = 0.040095 cumulative 0.990126
    # Upper 95% (p = 0.975): r_p = 4; alpha = (0.990126 - 0.975) / 0.040095 = 0.377254;
    #   limit = (4 - 0.377254) / 10 = 0.362275.
    # Lower 95% (p = 0.025): r_p = 0, alpha = (0.196874 - 0.025) / 0.196874 = 0.873, so the
    #   limit (0 - 0.873) / 10 is negative and is clipped to 0: no count can fall below it.
    limits = funnel_limits([10], 0.15)
    assert limits["upper_95"].iloc[0] == pytest.approx(0.362275, abs=2e-6)
    assert limits["lower_95"].iloc[0] == 0.0


def test_p0_015_n_100_is_close_to_the_normal_approximation():
    # Normal approximation: sd = sqrt(0.15 * 0.85 / 100) = 0.0357071;
    # 95%: 0.15 -/+ 1.959964 * 0.0357071 = 0.080014, 0.219986;
    # 99.8%: 0.15 -/+ 3.090232 * 0.0357071 = 0.039656, 0.260344.
    # Exact limits: 0.078383, 0.218332 (95%) and 0.045097, 0.264953 (99.8%); the 99.8% pair
    # leans upward because Bin(100, 0.15) is right-skewed.
    limits = funnel_limits([100], 0.15).iloc[0]
    assert limits["lower_95"] == pytest.approx(0.080014, abs=0.005)
    assert limits["upper_95"] == pytest.approx(0.219986, abs=0.005)
    assert limits["lower_998"] == pytest.approx(0.039656, abs=0.01)
    assert limits["upper_998"] == pytest.approx(0.260344, abs=0.01)
    assert limits["upper_998"] - 0.15 > 0.15 - limits["lower_998"]


@pytest.mark.parametrize("p0", [0.03, 0.15, 0.5, 0.85])
@pytest.mark.parametrize("probability", [0.001, 0.025, 0.975, 0.999])
def test_interpolated_limit_lies_between_the_bracketing_binomial_quantiles(p0, probability):
    n = np.array([5, 12, 30, 57, 100, 250, 1000, 4321])
    limit = exact_binomial_limit(n, p0, probability)
    r = stats.binom.ppf(probability, n, p0)  # smallest count with P(R <= r) >= probability
    assert np.all(limit <= r / n + 1e-12)
    assert np.all(limit >= np.maximum(r - 1, 0) / n - 1e-12)


def test_interpolation_weight_matches_the_point_probability():
    # alpha = (P(R <= r) - p) / P(R = r), computed here from the pmf rather than cdf differences.
    n, p0, p = 250, 0.2, 0.975
    r = stats.binom.ppf(p, n, p0)
    alpha = (stats.binom.cdf(r, n, p0) - p) / stats.binom.pmf(r, n, p0)
    assert exact_binomial_limit([n], p0, p)[0] == pytest.approx((r - alpha) / n, rel=1e-10)


def test_funnel_narrows_with_size_and_curves_cover_the_range():
    curves = funnel_curves(0.15, 2000, n_min=20, points=50)
    n = curves["denominator"].to_numpy(dtype=float)
    assert n[0] == 20 and n[-1] == 2000
    assert np.all(np.diff(n) > 0) and np.all(n == np.round(n))
    width = (curves["upper_998"] - curves["lower_998"]).to_numpy(dtype=float)
    assert width[-1] < width[0] / 5  # sqrt(2000 / 20) = 10 times narrower, roughly
    assert np.all(curves["lower_95"] >= curves["lower_998"])
    assert np.all(curves["upper_95"] <= curves["upper_998"])


def test_obvious_outliers_are_classified():
    # Twenty schools of 200 pupils: eighteen at 30/200 (15%), one at 80/200, one at 2/200.
    numerators = pd.Series([30] * 18 + [80, 2], index=[f"school_{i}" for i in range(20)])
    denominators = pd.Series([200] * 20, index=numerators.index)
    result = classify_units(numerators, denominators)
    # p0 = (18 * 30 + 80 + 2) / 4000 = 622 / 4000 = 0.1555
    assert result.attrs["p0"] == pytest.approx(0.1555)
    assert result.loc["school_18", "band_998"] == "above"
    assert result.loc["school_19", "band_998"] == "below"
    assert (result["band_95"].iloc[:18] == "within").all()
    assert str(result["band_95"].dtype) == "string"


def test_unit_without_a_denominator_has_no_band():
    result = classify_units([3, 0], [20, 0], p0=0.15)
    assert pd.isna(result["band_95"].iloc[1]) and pd.isna(result["lower_95"].iloc[1])
    assert result["band_95"].iloc[0] == "within"


# A constructed set with a known answer: ten units of 100 around a given p0 = 0.5, so each
# binomial sd is sqrt(0.25 / 100) = 0.05 and z = (count - 50) / 5.
# Counts 40 40 45 45 50 50 55 55 60 80 give z = -2 -2 -1 -1 0 0 1 1 2 6.
# Winsorising (numpy's linear percentiles over 10 sorted values):
#   10th percentile at position 0.9: -2 + 0.9 * 0 = -2   (nothing changes at the bottom)
#   90th percentile at position 8.1: 2 + 0.1 * (6 - 2) = 2.4, so z = 6 becomes 2.4
#   phi = (4 + 4 + 1 + 1 + 0 + 0 + 1 + 1 + 4 + 5.76) / 10 = 2.176   (5.2 without winsorising)
# Chi-squared: I phi = 21.76 on 9 degrees of freedom; the 5% critical value is 16.919.
# DerSimonian-Laird: w = 1 / 0.0025 = 400 each; sum w = 4000, sum w^2 / sum w = 400;
#   tau^2 = (21.76 - 9) / (4000 - 400) = 12.76 / 3600 = 0.0035444
KNOWN_COUNTS = [40, 40, 45, 45, 50, 50, 55, 55, 60, 80]


def test_overdispersion_estimate_on_a_constructed_dataset():
    estimate = estimate_overdispersion(KNOWN_COUNTS, [100] * 10, p0=0.5)
    assert estimate.phi == pytest.approx(2.176)
    assert estimate.tau2 == pytest.approx(12.76 / 3600)
    assert estimate.units == 10
    assert 10 * estimate.phi > 16.919 and estimate.p_value < 0.05
    assert estimate.overdispersed is True


def test_no_overdispersion_leaves_limits_alone():
    # z = -0.4 -0.2 0 0.2 0.4 (twice): phi is far below 1.
    counts = [48, 49, 50, 51, 52] * 2
    estimate = estimate_overdispersion(counts, [100] * 10, p0=0.5)
    assert estimate.phi < 1 and estimate.overdispersed is False and estimate.tau2 == 0.0
    result = classify_units(counts, [100] * 10, p0=0.5, overdispersion="multiplicative")
    assert result.attrs["phi"] == 1.0
    plain = funnel_limits([100], 0.5)
    assert result["upper_95"].iloc[0] == pytest.approx(plain["upper_95"].iloc[0])


def test_multiplicative_and_additive_widening():
    plain = funnel_limits([100], 0.5).iloc[0]
    # Multiplicative with phi = 4 doubles every limit's distance from p0.
    wide = funnel_limits([100], 0.5, phi=4.0).iloc[0]
    assert wide["upper_95"] - 0.5 == pytest.approx(2 * (plain["upper_95"] - 0.5))
    assert 0.5 - wide["lower_998"] == pytest.approx(2 * (0.5 - plain["lower_998"]))
    # Additive with tau^2 = 0.0075 on a binomial variance of 0.0025: sd ratio sqrt(4) = 2.
    additive = funnel_limits([100], 0.5, tau2=0.0075).iloc[0]
    assert additive["upper_95"] == pytest.approx(wide["upper_95"])


def test_classify_applies_the_estimated_adjustment():
    plain = classify_units(KNOWN_COUNTS, [100] * 10, p0=0.5)
    assert plain["band_998"].iloc[-1] == "above"  # 80/100 against 0.5
    adjusted = classify_units(KNOWN_COUNTS, [100] * 10, p0=0.5, overdispersion="multiplicative")
    assert adjusted.attrs["phi"] == pytest.approx(2.176)
    ratio = (adjusted["upper_95"] - 0.5) / (plain["upper_95"] - 0.5)
    assert ratio.iloc[0] == pytest.approx(np.sqrt(2.176))
    additive = classify_units(KNOWN_COUNTS, [100] * 10, p0=0.5, overdispersion="additive")
    assert additive.attrs["tau2"] == pytest.approx(12.76 / 3600)


def test_too_few_units_are_not_widened_however_spread():
    # Four units of 100 at 20%, 20%, 20% and 60%: phi is far above 1 and significant, but
    # four units are too few to set limits on (MIN_UNITS_TO_WIDEN): the limits stay plain.
    counts, sizes = [20, 20, 20, 60], [100] * 4
    assert estimate_overdispersion(counts, sizes).overdispersed
    result = classify_units(counts, sizes, overdispersion="additive")
    assert result.attrs["tau2"] == 0.0 and result.attrs["phi"] == 1.0


def test_phi_interval_by_hand():
    # The constructed set: I phi = 21.76 on 9 degrees of freedom. Chi-squared table values
    # for 9 df: 19.023 (upper 2.5%) and 2.700 (lower 2.5%). Interval for the true phi:
    # 21.76 / 19.023 = 1.1439 to 21.76 / 2.700 = 8.059: wholly above 1.
    estimate = estimate_overdispersion(KNOWN_COUNTS, [100] * 10, p0=0.5)
    assert estimate.phi_low == pytest.approx(21.76 / 19.023, rel=1e-3)
    assert estimate.phi_high == pytest.approx(21.76 / 2.700, rel=1e-3)
    assert phi_interval(2.176, 10) == pytest.approx((estimate.phi_low, estimate.phi_high))
    assert all(np.isnan(v) for v in phi_interval(2.0, 1))


def _second_method(x: np.ndarray, n: np.ndarray) -> tuple[float, float, float]:
    """p0, phi and tau^2 written out from Spiegelhalter's formulae with plain Python:
    winsorising by sorting and interpolating by hand, not with numpy's quantile."""
    p0 = float(sum(x) / sum(n))
    s = [math.sqrt(p0 * (1 - p0) / k) for k in n]
    z = [(xi / ni - p0) / si for xi, ni, si in zip(x, n, s, strict=True)]
    ordered = sorted(z)

    def percentile(q: float) -> float:
        position = q * (len(ordered) - 1)
        below = math.floor(position)
        above = min(below + 1, len(ordered) - 1)
        return ordered[below] + (position - below) * (ordered[above] - ordered[below])

    low, high = percentile(0.1), percentile(0.9)
    phi = sum(min(max(v, low), high) ** 2 for v in z) / len(z)
    w = [1 / si**2 for si in s]
    tau2 = (len(z) * phi - (len(z) - 1)) / (sum(w) - sum(v * v for v in w) / sum(w))
    return p0, phi, max(tau2, 0.0)


def test_widened_limits_find_the_outlier_not_the_spread():
    # 21 schools of 2,000 pupils: twenty spread evenly from 15% to 24.5% (a spread far
    # beyond chance: the binomial sd at n = 2,000 is under 1 point) and one at 35%.
    n = np.full(21, 2000.0)
    x = np.array([300.0 + 10 * i for i in range(20)] + [700.0])
    p0, phi, tau2 = _second_method(x, n)
    estimate = estimate_overdispersion(x, n)
    assert estimate.phi == pytest.approx(phi) and estimate.tau2 == pytest.approx(tau2)
    assert estimate.overdispersed and phi > 5
    plain = classify_units(x, n)
    # Against unwidened limits half the schools are "outside": that counts the spread.
    assert (plain["band_998"] != "within").sum() >= 8
    additive = classify_units(x, n, overdispersion="additive")
    multiplicative = classify_units(x, n, overdispersion="multiplicative")
    # Second method, the normal approximation (close at n = 2,000): p0 +/- 3.0902 sd, with
    # sd^2 = p0 (1 - p0) / n + tau^2 (additive) or phi p0 (1 - p0) / n (multiplicative).
    binomial = p0 * (1 - p0) / 2000
    for frame, variance in ((additive, binomial + tau2), (multiplicative, phi * binomial)):
        assert frame["upper_998"].iloc[0] == pytest.approx(
            p0 + 3.0902 * math.sqrt(variance), abs=0.001
        )
        assert frame["lower_998"].iloc[0] == pytest.approx(
            p0 - 3.0902 * math.sqrt(variance), abs=0.001
        )
        # Only the school at 35% stands out once the spread is allowed for.
        assert list(frame.index[frame["band_998"] != "within"]) == [20]


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="shared published data folder not present")
def test_local_authority_twenty_week_rates_2021_are_overdispersed():
    # DfE SEN2 2021: plans issued within 20 weeks (excluding exceptions) by local authority.
    sen2 = pd.read_csv(SHARED_DATA / "dfe_sen2_la_2014_2022.csv", dtype=str)
    year = sen2[sen2["time_period"] == "2021"].copy()
    for column in ("no_exc_20week_ehc", "tot_no_exc_ehc"):
        year[column] = pd.to_numeric(year[column].str.strip(), errors="coerce")
    la = year[year["geographic_level"] == "Local authority"].dropna(
        subset=["no_exc_20week_ehc", "tot_no_exc_ehc"]
    )
    england = year[year["geographic_level"] == "National"].iloc[0]
    # The pooled LA rate is England's published rate (59.9%, DfE SEN2, sen2_mi.csv).
    p0 = overall_rate(la["no_exc_20week_ehc"], la["tot_no_exc_ehc"])
    assert p0 == pytest.approx(england["no_exc_20week_ehc"] / england["tot_no_exc_ehc"])
    assert round(100 * p0, 1) == 59.9
    estimate = estimate_overdispersion(la["no_exc_20week_ehc"], la["tot_no_exc_ehc"])
    assert estimate.overdispersed and estimate.phi > 10
    plain = classify_units(la["no_exc_20week_ehc"], la["tot_no_exc_ehc"])
    adjusted = classify_units(
        la["no_exc_20week_ehc"], la["tot_no_exc_ehc"], overdispersion="multiplicative"
    )
    # Binomial limits alone would put most authorities "outside" at 99.8%; that is the
    # over-dispersion Spiegelhalter warns about. Allowing for it leaves only a few.
    assert (plain["band_998"] != "within").mean() > 0.5
    assert (adjusted["band_998"] != "within").mean() < 0.05
    bury = plain[la["old_la_code"].str.strip().to_numpy() == "351"].iloc[0]
    assert bury["proportion"] == pytest.approx(90 / 259) and bury["band_998"] == "below"
