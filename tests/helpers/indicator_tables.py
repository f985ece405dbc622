"""Indicator tables built by hand for the narrative and quarter tests.

One indicator (EHC01 by default) with a monthly series from April 2016 to March 2019 and
the reporting quarter to 31 March 2019, in the engine's column layout.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.engine import TABLE_COLUMNS

TITLE = "EHC plans issued within 20 weeks"
# Plans issued a month (all 20 a month). Baseline: 11 and 13 in turn (55% and 65%);
# from November 2017 on, 14 or 15 (70% or 75%): above the baseline average but inside
# two sigma, so the signal is a shift (seven or more points above the average).
BASE_NUMS = [11 if i % 2 == 0 else 13 for i in range(19)]
AFTER_NUMS = [14] * 14 + [14, 15, 14]  # Nov 2017 .. Mar 2019; the last three are Q1 2019
NUMS = BASE_NUMS + AFTER_NUMS
DEN = 20
# By hand: baseline 10 x 11 + 9 x 13 = 227 of 19 x 20 = 380 (59.7%); the quarter to
# 31 March 2019 is 14 + 15 + 14 = 43 of 60 (71.7%); the quarter to 31 December 2018 is
# 14 + 14 + 14 = 42 of 60 (70.0%).
PREVIOUS = (42, 60)


def monthly_table(
    nums, den=DEN, indicator_id="EHC01", title=TITLE, quarter=None, statistic="proportion"
):
    """Monthly rows with ``nums`` of ``den`` cases and a quarter row (by default the sum
    of the last three months, as for a flow indicator)."""
    months = pd.date_range("2016-04-01", periods=len(nums), freq="MS")
    rows = pd.DataFrame(
        {
            "period_type": "month",
            "period_start": months,
            "period_end": months + pd.offsets.MonthEnd(0),
            "numerator": [float(n) for n in nums],
            "denominator": float(den),
        }
    )
    q_num, q_den = quarter if quarter is not None else (sum(nums[-3:]), 3 * den)
    rows.loc[len(rows)] = [
        "quarter",
        months[-3],
        months[-1] + pd.offsets.MonthEnd(0),
        float(q_num),
        float(q_den),
    ]
    num, dens = rows["numerator"].astype("Float64"), rows["denominator"].astype("Float64")
    rows = rows.assign(
        indicator_id=indicator_id,
        title=title,
        unit="percent",
        direction="up",
        statistic=statistic,
        breakdown="",
        value=num / dens * 100,
        ci_low=pd.NA,
        ci_high=pd.NA,
        small_number=(num < 6) | (dens < 6),
        no_data=dens == 0,
        no_data_reason="",
        numerator=num,
        denominator=dens,
    )
    rows["period_start"] = rows["period_start"].astype("datetime64[ms]")
    rows["period_end"] = rows["period_end"].astype("datetime64[ms]")
    return rows[TABLE_COLUMNS]
