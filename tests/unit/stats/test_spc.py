"""Making Data Count control charts, checked on hand-built series with hand-computed limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.shared_paths import SHARED_ROOT
from sendready.stats.spc import ASSURANCE_LABELS, VARIATION_LABELS, p_chart, xmr_chart

SHARED_DATA = SHARED_ROOT / "data"

# Twelve baseline months, worked by hand:
#   sum = 5+7+6+8+6+7+5+6+8+7+6+7 = 78, mean = 78 / 12 = 6.5
#   moving ranges = 2,1,2,2,1,2,1,2,1,1,1 (11 of them), sum 16, MR-bar = 16/11 = 1.454545
#   UCL = 6.5 + 2.66 * 1.454545 = 10.369091, LCL = 6.5 - 3.869091 = 2.630909
#   one sigma = 2.66 / 3 * 1.454545 = 1.289697; two-sigma lines 3.920606 and 9.079394
#   Sides of the mean: - + - + - + - - + + - +, so no run of 7; no 7-point trend either.
BASELINE = [5, 7, 6, 8, 6, 7, 5, 6, 8, 7, 6, 7]
MEAN, UCL, LCL = 6.5, 10.369091, 2.630909
UPPER_2SIGMA, LOWER_2SIGMA = 9.079394, 3.920606


def chart(extra, direction="up", target=None):
    """The hand baseline followed by ``extra`` points, limits fixed on the baseline."""
    values = BASELINE + list(extra)
    dates = pd.date_range("2019-04-01", periods=len(values), freq="MS")
    mask = [True] * len(BASELINE) + [False] * len(extra)
    return xmr_chart(values, dates, direction=direction, baseline=mask, target=target)


def flags(result, rule):
    """Positions (after the baseline) flagged by ``rule``."""
    column = result.points[f"rule_{rule}"].to_numpy(dtype=bool)
    return [int(i) - len(BASELINE) for i in np.flatnonzero(column)]


def test_xmr_limits_match_hand_calculation():
    result = xmr_chart(BASELINE, direction="up")
    pts = result.points
    assert pts["centre"].iloc[0] == pytest.approx(MEAN)
    assert pts["ucl"].iloc[0] == pytest.approx(UCL, abs=1e-6)
    assert pts["lcl"].iloc[0] == pytest.approx(LCL, abs=1e-6)
    assert pts["upper_2sigma"].iloc[0] == pytest.approx(UPPER_2SIGMA, abs=1e-6)
    assert pts["lower_2sigma"].iloc[0] == pytest.approx(LOWER_2SIGMA, abs=1e-6)
    assert not pts["special_cause"].any()
    assert result.variation == "common_cause"
    assert result.baseline_points == 12 and result.trial_limits is False
    assert result.signal_since is None


def test_baseline_limits_apply_to_later_points_and_dates_select_the_baseline():
    later = [9, 4, 7]
    by_mask = chart(later)
    values = BASELINE + later
    dates = pd.date_range("2019-04-01", periods=len(values), freq="MS")
    by_dates = xmr_chart(
        values, dates, direction="up", baseline_start="2019-04-01", baseline_end="2020-03-01"
    )
    for result in (by_mask, by_dates):
        assert result.baseline_points == 12
        assert result.points["ucl"].iloc[-1] == pytest.approx(UCL, abs=1e-6)
        assert result.points["in_baseline"].sum() == 12


def test_fewer_than_twelve_baseline_points_give_trial_limits():
    result = xmr_chart(BASELINE[:11])
    assert result.baseline_points == 11
    assert result.trial_limits is True
    assert result.summary()["trial_limits"] is True


def test_too_few_points_is_insufficient_data_not_common_cause():
    result = xmr_chart([7.0], direction="up", target=5)
    assert result.variation == "insufficient_data"
    assert result.assurance == "insufficient_data"
    assert result.points["ucl"].isna().all()


def test_rule_point_outside_limits():
    result = chart([10.3, 11.0])  # 10.3 is just inside UCL 10.369; 11.0 is beyond it
    assert flags(result, "outside_limits") == [1]
    last = result.points.iloc[-1]
    assert last["special_cause_rule"] == "outside_limits"
    assert last["signal_side"] == "high"
    assert result.variation == "special_cause_improvement"


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("up", "special_cause_concern"),
        ("down", "special_cause_improvement"),
        ("neutral", "special_cause_neutral"),
    ],
)
def test_low_point_is_improvement_or_concern_by_direction(direction, expected):
    result = chart([2.0], direction=direction)  # below LCL 2.630909
    assert result.variation == expected
    assert result.points["signal_side"].iloc[-1] == "low"
    assert VARIATION_LABELS[expected].startswith("Special cause variation")


def test_rule_seven_rising_points_is_a_trend_whatever_the_side_of_the_mean():
    # 4 -> 8 rises six times; the first four points are below the mean of 6.5, but a rising
    # trend is improvement when up is better.
    result = chart([4, 5, 5.5, 6, 7, 7.5, 8])
    assert flags(result, "trend") == [0, 1, 2, 3, 4, 5, 6]
    assert flags(result, "shift") == []
    tail = result.points.iloc[-7:]
    assert (tail["point_type"] == "special_cause_improvement").all()
    assert (tail["signal_side"] == "high").all()
    assert result.signal_since == pd.Timestamp("2020-04-01")


def test_six_rising_points_are_not_a_trend():
    result = chart([4, 5, 5.5, 6, 7, 7.5])
    assert flags(result, "trend") == []
    assert result.variation == "common_cause"


def test_a_tie_breaks_a_trend():
    # Eight points rising except one repeat (5.5, 5.5): runs of 3 and 5, so no trend.
    result = chart([4, 5, 5.5, 5.5, 6, 7, 7.5, 8])
    assert flags(result, "trend") == []


def test_falling_trend_above_the_mean_is_concern_when_up_is_better():
    # All seven points are above the mean (with the last baseline point, a shift of 8 high),
    # and the first three are beyond two sigma; the trend takes priority and it is falling.
    result = chart([10, 9.8, 9.5, 9, 8.5, 8, 7.6])
    tail = result.points.iloc[-7:]
    assert (tail["special_cause_rule"] == "trend").all()
    assert (tail["point_type"] == "special_cause_concern").all()
    assert flags(result, "two_in_three") == [0, 1, 2]
    assert flags(result, "shift") == [-1, 0, 1, 2, 3, 4, 5, 6]


def test_rule_two_of_three_beyond_two_sigma():
    # 9.5 is beyond the upper two-sigma line 9.079394 but inside UCL; 7 is not.
    result = chart([9.5, 7, 9.5])
    assert flags(result, "two_in_three") == [0, 2]  # the middle point is not flagged
    assert flags(result, "outside_limits") == []
    assert result.points["special_cause_rule"].iloc[-1] == "two_in_three"


def test_two_beyond_two_sigma_on_opposite_sides_or_too_far_apart_do_not_count():
    assert flags(chart([9.5, 7, 3.5]), "two_in_three") == []  # 3.5 < 3.920606: other side
    assert flags(chart([9.5, 6, 6, 9.5]), "two_in_three") == []  # only one in each window


def test_rule_seven_points_on_one_side_of_the_mean():
    result = chart([6, 7, 8, 7, 7.5, 8, 7, 8])
    assert flags(result, "shift") == [1, 2, 3, 4, 5, 6, 7]
    assert result.variation == "special_cause_improvement"
    assert result.signal_since == pd.Timestamp("2020-05-01")


def test_six_on_one_side_is_not_a_shift():
    assert flags(chart([6, 7, 8, 7, 8, 7, 8, 6]), "shift") == []


def test_a_point_on_the_mean_breaks_a_shift():
    # Same as the shift above with 7.5 replaced by the mean, 6.5: runs of 3 and 3.
    result = chart([6, 7, 8, 7, 6.5, 8, 7, 8])
    assert flags(result, "shift") == []
    assert result.variation == "common_cause"


def test_missing_month_is_skipped_not_a_break():
    result = chart([6, 7, 8, 7, np.nan, 7.5, 8, 7, 8])
    assert flags(result, "shift") == [1, 2, 3, 5, 6, 7, 8]
    assert pd.isna(result.points["point_type"].iloc[len(BASELINE) + 4])
    assert result.variation == "special_cause_improvement"


def test_p_chart_limits_against_hand_values_for_two_denominators():
    # Baseline counts 10/50, 30/150, 20/100, 40/200: p-bar = 100/500 = 0.2.
    #   n = 50:  sigma = sqrt(0.2 * 0.8 / 50)  = sqrt(0.0032) = 0.0565685
    #            limits 0.2 -/+ 0.1697056 = 0.0302944, 0.3697056; two sigma 0.0868629, 0.3131371
    #   n = 200: sigma = sqrt(0.0008) = 0.0282843; limits 0.1151472, 0.2848528
    #   n = 4:   sigma = 0.2; limits -0.4 and 0.8, the lower clipped to 0 (two sigma: 0, 0.6)
    # The last point, 60/200 = 0.30, is above its UCL of 0.2848528.
    numerators = [10, 30, 20, 40, 0, 60]
    denominators = [50, 150, 100, 200, 4, 200]
    mask = [True, True, True, True, False, False]
    result = p_chart(numerators, denominators, direction="up", baseline=mask)
    pts = result.points
    assert pts["centre"].iloc[0] == pytest.approx(0.2)
    assert pts["lcl"].iloc[0] == pytest.approx(0.0302944, abs=1e-7)
    assert pts["ucl"].iloc[0] == pytest.approx(0.3697056, abs=1e-7)
    assert pts["lower_2sigma"].iloc[0] == pytest.approx(0.0868629, abs=1e-7)
    assert pts["upper_2sigma"].iloc[0] == pytest.approx(0.3131371, abs=1e-7)
    assert pts["lcl"].iloc[3] == pytest.approx(0.1151472, abs=1e-7)
    assert pts["ucl"].iloc[3] == pytest.approx(0.2848528, abs=1e-7)
    assert (pts["lcl"].iloc[4], pts["ucl"].iloc[4]) == (0.0, pytest.approx(0.8))
    assert pts["upper_2sigma"].iloc[4] == pytest.approx(0.6)
    assert not pts["special_cause"].iloc[4]  # 0/4 sits on a clipped limit, not below it
    assert pts["rule_outside_limits"].iloc[5]
    assert result.variation == "special_cause_improvement"
    assert result.trial_limits is True and result.method == "p"


def test_p_chart_scale_gives_percentages():
    result = p_chart([10, 30], [50, 150], scale=100, target=15, direction="up")
    assert result.points["value"].tolist() == [20.0, 20.0]
    assert result.points["ucl"].iloc[0] == pytest.approx(36.97056, abs=1e-5)
    assert result.assurance == "hit_and_miss"  # latest limits (n = 150): 10.20 and 29.80


@pytest.mark.parametrize(
    ("direction", "target", "expected"),
    [
        ("up", 2.0, "consistently_pass"),  # target below LCL 2.63: every month beats it
        ("up", 11.0, "consistently_fail"),  # target above UCL 10.37: no month reaches it
        ("up", 6.0, "hit_and_miss"),
        ("down", 2.0, "consistently_fail"),  # lower is better and the process never gets there
        ("down", 11.0, "consistently_pass"),
        ("down", 10.0, "hit_and_miss"),
        ("up", None, "no_target"),
        ("neutral", 6.0, "no_target"),
    ],
)
def test_assurance_categories(direction, target, expected):
    result = xmr_chart(BASELINE, direction=direction, target=target)
    assert result.assurance == expected
    assert expected in ASSURANCE_LABELS


def test_summary_and_frame_types():
    result = chart([11.0], target=2.0)
    summary = result.summary()
    assert summary["method"] == "xmr"
    assert summary["variation_label"] == "Special cause variation – improvement"
    assert summary["assurance"] == "consistently_pass"
    assert summary["signal_since"] == pd.Timestamp("2020-04-01")
    pts = result.points
    assert str(pts["value"].dtype) == "Float64"
    assert str(pts["special_cause"].dtype) == "boolean"
    assert str(pts["point_type"].dtype) == "string"


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="shared published data folder not present")
def test_bury_twenty_week_p_chart_flags_the_2019_fall():
    # Bury issued every plan within 20 weeks in 2015-2018 (DfE SEN2, sen2_mi.csv), so
    # a baseline of those years puts p-bar at 100% with no spread; 2019 (78.9%) onwards is
    # below that process: special cause concern from 2019 to the end of the series (2021).
    sen2 = pd.read_csv(SHARED_DATA / "dfe_sen2_la_2014_2022.csv", dtype=str)
    bury = sen2[sen2["old_la_code"].str.strip() == "351"].copy()
    bury["year"] = bury["time_period"].astype(int)
    bury = bury[bury["year"].between(2015, 2021)].sort_values("year")
    num = bury["no_exc_20week_ehc"].str.strip().astype(int).to_numpy()
    den = bury["tot_no_exc_ehc"].str.strip().astype(int).to_numpy()
    dates = pd.to_datetime(bury["year"].astype(str) + "-01-01")
    result = p_chart(
        num,
        den,
        dates,
        direction="up",
        baseline_start="2015-01-01",
        baseline_end="2018-01-01",
        scale=100,
    )
    assert result.points["centre"].iloc[0] == 100.0
    assert result.variation == "special_cause_concern"
    assert result.signal_since == pd.Timestamp("2019-01-01")
    assert result.trial_limits is True


# --- assurance after a sustained shift ------------------------------------------------------

SHIFT_DATES = pd.date_range("2017-04-01", periods=20, freq="MS")
# Baseline: 12 months alternating 50 and 54. By hand: mean 52, every moving range 4, so
# sigma = 2.66 / 3 x 4 = 3.5467 and the limits are 52 -/+ 10.64 = 41.36 and 62.64.
# Then 8 months alternating 90 and 92: a shift (and beyond the limits). Recalculated from
# those 8 alone: mean 91, moving ranges 2, sigma 1.7733, limits 85.68 and 96.32.
SHIFT_VALUES = [50.0, 54.0] * 6 + [90.0, 92.0] * 4


def _shifted(target, **kw):
    return xmr_chart(
        SHIFT_VALUES, SHIFT_DATES, direction="up", baseline_end="2018-03-01", target=target, **kw
    )


@pytest.mark.parametrize(
    ("target", "expected"),
    [(80.0, "consistently_pass"), (88.0, "hit_and_miss"), (98.0, "consistently_fail")],
)
def test_assurance_after_a_sustained_shift_uses_limits_from_the_shift(target, expected):
    result = _shifted(target)
    assert result.assurance == expected
    lcl, ucl = result.assurance_limits
    assert lcl == pytest.approx(91 - 2.66 * 2) and ucl == pytest.approx(91 + 2.66 * 2)
    assert result.assurance_since == pd.Timestamp("2018-04-01")
    assert result.assurance_points == 8 and result.assurance_provisional
    # The chart itself keeps the baseline limits: the improvement shows against them.
    assert result.points["ucl"].iloc[-1] == pytest.approx(52 + 2.66 * 4)
    assert result.summary()["assurance_since"] == pd.Timestamp("2018-04-01")


def test_against_the_baseline_limits_the_same_target_would_read_consistently_missed():
    # Six shifted months: not yet 7 after the baseline, so the baseline limits stand, and
    # a target of 80 sits above their upper limit of 62.64.
    result = xmr_chart(
        SHIFT_VALUES[:18], SHIFT_DATES[:18], direction="up", baseline_end="2018-03-01", target=80.0
    )
    assert result.assurance == "consistently_fail" and result.assurance_since is None
    assert result.assurance_limits == (pytest.approx(52 - 2.66 * 4), pytest.approx(52 + 2.66 * 4))


def test_no_shift_at_the_latest_point_keeps_the_baseline_limits():
    values = [*SHIFT_VALUES[:19], 52.0]  # back to the old centre in the last month
    result = xmr_chart(values, SHIFT_DATES, direction="up", baseline_end="2018-03-01", target=80.0)
    assert result.assurance == "consistently_fail" and result.assurance_since is None


def test_p_chart_assurance_after_a_shift_is_recalculated_from_the_shift_counts():
    # Baseline 12 months of 40 of 50 (80%); then 8 months of 48 of 50 (96%).
    # Shift limits by hand: p-bar 384 / 400 = 0.96, sigma at n = 50 is
    # sqrt(0.96 x 0.04 / 50) = 0.027713, so 96 -/+ 8.31 = 87.69% to 104.3% (clipped to 100).
    nums, dens = [40] * 12 + [48] * 8, [50] * 20
    result = p_chart(
        nums, dens, SHIFT_DATES, direction="up", baseline_end="2018-03-01", target=85.0, scale=100
    )
    lcl, ucl = result.assurance_limits
    assert lcl == pytest.approx((0.96 - 3 * (0.96 * 0.04 / 50) ** 0.5) * 100)
    assert ucl == 100.0
    assert result.assurance == "consistently_pass"
    assert result.assurance_since == pd.Timestamp("2018-04-01")
    # Against the baseline process (80%, limits 63.0% to 97.0%) the target of 85% would
    # have read "hit and miss"; a target of 90% is still "hit and miss" after the shift.
    assert result.points["ucl"].iloc[-1] == pytest.approx((0.8 + 3 * (0.8 * 0.2 / 50) ** 0.5) * 100)
    assert (
        p_chart(
            nums,
            dens,
            SHIFT_DATES,
            direction="up",
            baseline_end="2018-03-01",
            target=90.0,
            scale=100,
        ).assurance
        == "hit_and_miss"
    )


def test_with_no_baseline_given_a_final_shift_is_rebased_on_its_own_points():
    values = [50.0, 54.0] * 6 + [60.0, 61.0] * 4
    result = xmr_chart(values, SHIFT_DATES, direction="up", target=57.0)
    # The centre of all 20 points is 55.4; the last 8 are all above it: a shift whose own
    # limits (mean 60.5, moving ranges 1: 60.5 -/+ 2.66) clear the target.
    assert result.assurance_since == pd.Timestamp("2018-04-01")
    assert result.assurance_limits == (pytest.approx(60.5 - 2.66), pytest.approx(60.5 + 2.66))
    assert result.assurance == "consistently_pass"


def test_a_neutral_measure_or_no_target_has_no_assurance_date():
    assert _shifted(None).assurance_since is None
    neutral = xmr_chart(
        SHIFT_VALUES, SHIFT_DATES, direction="neutral", baseline_end="2018-03-01", target=80.0
    )
    assert neutral.assurance == "no_target" and neutral.assurance_since is None


def test_a_series_still_climbing_at_the_latest_point_cannot_be_judged_against_its_target():
    # Cumulative training climbs every month: 60, 65, ... 95 after the baseline. Judged on
    # the baseline limits (41.36 to 62.64) or on the climb's own (its mean, 77.5, plus or
    # minus 2.66 x 5 = 64.2 to 90.8), a target of 90 would read "missed" or "hit and miss"
    # while the latest month is at 95: neither describes a process that has not settled.
    values = [50.0, 54.0] * 6 + [60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0, 95.0]
    result = xmr_chart(values, SHIFT_DATES, direction="up", baseline_end="2018-03-01", target=90.0)
    assert bool(result.points["rule_trend"].iloc[-1])
    assert result.assurance == "process_changing" and result.assurance_since is None
    assert "cannot be judged yet" in ASSURANCE_LABELS[result.assurance]
    # Once the climb levels off (seven months at 95 after it), the new level is judged
    # on its own: the climb is left out, so the limits are 95 to 95 (no variation) and the
    # target of 90 is consistently met, provisionally (7 months, fewer than 12).
    settled = xmr_chart(
        values + [95.0] * 7,
        pd.date_range("2017-04-01", periods=27, freq="MS"),
        direction="up",
        baseline_end="2018-03-01",
        target=90.0,
    )
    assert not bool(settled.points["rule_trend"].iloc[-1])
    assert settled.assurance_since == pd.Timestamp("2018-12-01")
    assert settled.assurance_limits == (95.0, 95.0)
    assert settled.assurance == "consistently_pass"
    assert settled.assurance_points == 7 and settled.assurance_provisional


def test_a_series_falling_away_from_its_target_is_still_judged_missed():
    # Falling from 49 to 35 (direction up, target 80): still trending, but away from a
    # target it has never reached, so the baseline limits' verdict stands.
    values = [50.0, 54.0] * 6 + [49.0, 47.0, 45.0, 43.0, 41.0, 39.0, 37.0, 35.0]
    result = xmr_chart(values, SHIFT_DATES, direction="up", baseline_end="2018-03-01", target=80.0)
    assert bool(result.points["rule_trend"].iloc[-1])
    assert result.assurance == "consistently_fail" and result.assurance_since is None
    assert result.assurance_limits == (pytest.approx(52 - 2.66 * 4), pytest.approx(52 + 2.66 * 4))
