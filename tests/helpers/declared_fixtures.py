"""An area's own declared indicator, as tests write it in a profile.

XA01 (EHC plans issued within 16 weeks of the request) is the declaration the declared
indicator tests follow through the indicator table; the funnel tests add a school
breakdown and a funnel to it. Both build on the same history of plans
(:func:`baseline_plans`).
"""

from __future__ import annotations

import pandas as pd

from helpers.report_fixtures import issued_plan

XA01 = {
    "id": "XA01",
    "title": "EHC plans issued within 16 weeks",
    "source": "ehc_requests",
    "statistic": "proportion",
    "where": ["filled(plan_issued_date)"],
    "date": "plan_issued_date",
    "numerator": {
        "when": "days_between(received_date, plan_issued_date) <= 112",
        "words": "plans issued within 112 days of the request",
    },
    "denominator": {"words": "plans issued in the period"},
    "direction": "up",
    "target": {"value": 90, "source": "local target"},
}


def baseline_plans() -> list[dict]:
    """``ehc_requests`` rows of twenty plans a month from April 2016 to December 2018,
    fourteen issued 100 days after the request (within XA01's 112) and six after 200;
    numbered from 1 (so the next request is ``len(rows) + 1``)."""
    rows = []
    for month in pd.date_range("2016-04-01", "2018-12-01", freq="MS"):
        for k in range(20):
            days = 100 if k < 14 else 200
            rows.append(issued_plan(len(rows) + 1, month + pd.Timedelta(days=k), days))
    return rows
