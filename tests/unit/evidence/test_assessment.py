"""Indicator assessments and weakness verdicts on constructed series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sendready.evidence.assessment import assess_indicator
from sendready.evidence.verdicts import weakness_verdict
from sendready.metadata.profile import VerdictRule

BASELINE = ("2016-04-01", "2017-10-31")  # 19 monthly points


def _table(
    indicator_id,
    numerators,
    denominators=None,
    direction="up",
    start="2016-04-01",
    statistic="proportion",
    quarter_reason="",
):
    months = pd.date_range(start, periods=len(numerators), freq="MS")
    num = np.asarray(numerators, dtype=float)
    if denominators is None:
        den = np.full(len(num), np.nan)
        value = num
    else:
        den = np.asarray(denominators, dtype=float)
        value = num / den * 100
    return pd.DataFrame(
        {
            "indicator_id": indicator_id,
            "title": f"title of {indicator_id}",
            "unit": "percent",
            "direction": direction,
            "statistic": statistic,
            "breakdown": "",
            "period_type": "month",
            "period_start": months,
            "period_end": months + pd.offsets.MonthEnd(0),
            "numerator": num,
            "denominator": den,
            "value": value,
            "no_data": np.isnan(value),
            "no_data_reason": quarter_reason,
        }
    )


def _stepped(before, after, n_before=19, n_after=17, den=40, wobble=(0, 1, -1, 2, -2, 1)):
    nums = [before + wobble[i % len(wobble)] for i in range(n_before)]
    nums += [after + wobble[i % len(wobble)] for i in range(n_after)]
    return nums, [den] * len(nums)


def test_step_improvement_is_sustained_improvement_with_its_start_month():
    nums, dens = _stepped(20, 34)  # 50% -> 85% of 40 cases a month from Nov 2017
    a = assess_indicator(_table("EHC01", nums, dens), "EHC01", *BASELINE, target=100)
    assert a.method == "p_chart"
    assert a.signal == "improvement" and a.sustained
    # The first post-baseline month is November 2017; the run of improvement starts there.
    assert a.since == pd.Timestamp("2017-11-01")
    assert a.baseline_value == pytest.approx(sum(nums[:19]) / (19 * 40) * 100)


def test_step_down_on_a_measure_where_up_is_better_is_concern():
    nums, dens = _stepped(30, 16)
    a = assess_indicator(_table("HINF01", nums, dens), "HINF01", *BASELINE)
    assert a.signal == "concern"


def test_flat_series_is_no_change():
    nums, dens = _stepped(20, 20)
    a = assess_indicator(_table("HINF01", nums, dens), "HINF01", *BASELINE)
    assert a.signal == "no_change" and a.since is None


def test_neutral_measure_never_improves():
    nums, dens = _stepped(10, 25)
    a = assess_indicator(_table("EHC04", nums, dens, direction="neutral"), "EHC04", *BASELINE)
    assert a.signal == "neutral_change"


def _censuses():
    """Four January censuses of ID03 (lower is better), 20% in the baseline, latest 10%."""
    table = _table(
        "ID03", [100, 100, 150, 100], [500, 500, 1000, 1000], direction="down", start="2016-01-01"
    )
    table["period_start"] = pd.to_datetime(["2016-01-01", "2017-01-01", "2018-01-01", "2019-01-01"])
    table["period_end"] = table["period_start"] + pd.offsets.MonthEnd(0)
    return table


def test_sparse_proportion_uses_baseline_comparison():
    # Four January censuses: two in the baseline (pooled 200/1000 = 20%), latest 100/1000.
    a = assess_indicator(_censuses(), "ID03", *BASELINE)
    assert a.method == "baseline_comparison"
    assert a.baseline_value == pytest.approx(20.0)
    assert a.signal == "improvement"


def test_no_rows_is_no_data_with_the_reason():
    table = _table(
        "HAW05", [np.nan], [np.nan], quarter_reason="the training extract was not supplied"
    )
    table["period_type"] = "quarter"
    a = assess_indicator(table, "HAW05", *BASELINE)
    assert a.signal == "no_data" and "training" in a.reason


def _assessed(kind):
    nums, dens = {"up": _stepped(20, 34), "flat": _stepped(20, 20), "down": _stepped(30, 16)}[kind]
    return assess_indicator(_table("X", nums, dens), "X", *BASELINE)


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["up", "up", "flat"], "sustained_improvement"),  # 2 of 3 >= half
        (["up", "flat", "flat"], "some_improvement"),  # 1 of 3 < half
        (["flat", "flat"], "no_evidence_of_change"),
        (["down", "down", "up"], "deterioration"),
        # One improvement against one concern: neither outweighs the other (the old rule
        # called this "some improvement"; see test_verdicts.py for the whole rule).
        (["up", "down"], "no_evidence_of_change"),
    ],
)
def test_verdict_rule(kinds, expected):
    verdict = weakness_verdict("W9", [_assessed(k) for k in kinds], VerdictRule())
    assert verdict.code == expected
    assert len(verdict.reasons) == len(kinds)


def test_verdict_without_enough_judged_indicators():
    table = _table("X", [np.nan], [np.nan], quarter_reason="no extract")
    table["period_type"] = "quarter"
    none = assess_indicator(table, "X", *BASELINE)
    verdict = weakness_verdict("W9", [none], VerdictRule(min_indicators_with_data=1))
    assert verdict.code == "not_enough_data"
    assert "0 of 1" in verdict.reasons[0]
