"""Wilson intervals and the baseline comparison, against hand calculations and published values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.shared_paths import SHARED_ROOT
from sendready.stats.intervals import (
    compare_with_baseline,
    newcombe_difference_interval,
    two_proportion_z_test,
    wilson_interval,
)

Z95 = 1.959963984540054  # standard normal 97.5th percentile
SHARED_DATA = SHARED_ROOT / "data"


def test_wilson_worked_example_81_of_263():
    # By hand, z = 1.959964, z^2 = 3.841459, n = 263, p_hat = 81/263 = 0.307985
    #   z^2/n = 0.014606, so the denominator 1 + z^2/n = 1.014606
    #   centre = (0.307985 + 0.014606/2) / 1.014606 = 0.315288 / 1.014606 = 0.310749
    #   p_hat(1 - p_hat)/n = 0.213131/263 = 0.00081039; z^2/(4n^2) = 0.00001388
    #   half = 1.959964 * sqrt(0.00082427) / 1.014606 = 1.959964 * 0.028710 / 1.014606 = 0.055462
    #   interval = (0.255287, 0.366211)
    low, high = wilson_interval(81, 263)
    assert isinstance(low, float)
    assert low == pytest.approx(0.255287, abs=2e-6)
    assert high == pytest.approx(0.366211, abs=2e-6)


def test_wilson_edges_zero_and_all():
    # With p_hat = 0 the upper limit is z^2/(n + z^2); with p_hat = 1 the lower is n/(n + z^2).
    # n = 10: 3.841459/13.841459 = 0.277533; n = 5: 5/8.841459 = 0.565518.
    low, high = wilson_interval(np.array([0, 5]), np.array([10, 5]))
    assert low[0] == 0.0 and high[1] == 1.0
    assert high[0] == pytest.approx(0.277533, abs=1e-6)
    assert low[1] == pytest.approx(0.565518, abs=1e-6)


def test_wilson_matches_roots_of_the_score_equation():
    # Independent route: the Wilson limits are the roots in p of
    # (p_hat - p)^2 = z^2 p (1 - p) / n, i.e. (1 + z^2/n) p^2 - (2 p_hat + z^2/n) p + p_hat^2 = 0.
    x = np.array([1, 3, 17, 40, 99, 250, 7])
    n = np.array([4, 20, 17, 120, 100, 1000, 9])
    low, high = wilson_interval(x, n, confidence=0.90)
    z = 1.6448536269514722
    for xi, ni, lo, hi in zip(x, n, low, high, strict=True):
        p_hat, k = xi / ni, z**2 / ni
        roots = np.sort(np.roots([1 + k, -(2 * p_hat + k), p_hat**2]).real)
        assert lo == pytest.approx(roots[0], abs=1e-9)
        assert hi == pytest.approx(roots[1], abs=1e-9)


def test_wilson_keeps_series_index_and_gives_na_without_cases():
    x = pd.Series([3, 0, 8], index=["Jan", "Feb", "Mar"], dtype="Int64")
    n = pd.Series([10, 0, 8], index=["Jan", "Feb", "Mar"], dtype="Int64")
    low, high = wilson_interval(x, n)
    assert list(low.index) == ["Jan", "Feb", "Mar"]
    assert str(low.dtype) == "Float64"
    assert pd.isna(low["Feb"]) and pd.isna(high["Feb"])
    assert high["Mar"] == 1.0


def test_wilson_rejects_numerator_above_denominator():
    with pytest.raises(ValueError, match="successes <= trials"):
        wilson_interval([5], [4])


def test_newcombe_matches_published_examples():
    # Newcombe (1998) Statistics in Medicine 17:873, Table II, method 10 (hybrid score):
    # 56/70 - 48/80 -> (0.0524, 0.3339); 9/10 - 3/10 -> (0.1705, 0.8090).
    low, high = newcombe_difference_interval(48, 80, 56, 70)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    low, high = newcombe_difference_interval(3, 10, 9, 10)
    assert (round(low, 4), round(high, 4)) == (0.1705, 0.8090)


def test_two_proportion_z_test_by_hand():
    # 48/80 = 0.6 against 56/70 = 0.8; pooled 104/150 = 0.693333
    # se = sqrt(0.693333 * 0.306667 * (1/80 + 1/70)) = sqrt(0.212622 * 0.0267857) = 0.075467
    # z = 0.2 / 0.075467 = 2.6502; two-sided p = 0.00804
    z, p = two_proportion_z_test(48, 80, 56, 70)
    assert z == pytest.approx(2.6502, abs=1e-4)
    assert p == pytest.approx(0.00804, abs=1e-5)


@pytest.mark.parametrize(
    ("direction", "assessment"),
    [("up", "improvement"), ("down", "concern"), ("neutral", "neutral")],
)
def test_compare_with_baseline_uses_direction(direction, assessment):
    result = compare_with_baseline(48, 80, 56, 70, direction)
    assert result.change == "increase"
    assert result.assessment == assessment
    assert result.difference == pytest.approx(0.2)


def test_compare_with_baseline_small_change_is_not_significant():
    # 5/10 to 6/10: the Newcombe interval is wide and spans 0.
    result = compare_with_baseline(5, 10, 6, 10, "up")
    assert result.low < 0 < result.high
    assert result.change == "no_significant_change"
    assert result.assessment == "no_significant_change"


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="shared published data folder not present")
def test_bury_twenty_week_fall_2019_to_2020_is_a_significant_concern():
    # Bury's plans issued within 20 weeks, excluding exceptions (DfE SEN2, sen2_mi.csv):
    # 2019 168/213 (78.9%), 2020 75/274 (27.4%).
    sen2 = pd.read_csv(SHARED_DATA / "dfe_sen2_la_2014_2022.csv", dtype=str)
    bury = sen2[sen2["old_la_code"].str.strip() == "351"].set_index("time_period")
    num = bury["no_exc_20week_ehc"].str.strip().astype(int)
    den = bury["tot_no_exc_ehc"].str.strip().astype(int)
    assert (num["2019"], den["2019"], num["2020"], den["2020"]) == (168, 213, 75, 274)
    result = compare_with_baseline(num["2019"], den["2019"], num["2020"], den["2020"], "up")
    assert result.assessment == "concern"
    assert result.high < -0.4  # a fall of about 51 points; even the interval's edge is > 40
