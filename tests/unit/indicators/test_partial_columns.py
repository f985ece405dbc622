"""A column only some indicators need, absent or blank throughout: "no data", never 0%."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.staged_frames import staged
from sendready.indicators import REGISTRY, StagedData, compute_indicators

# Three reviews due in February 2019, all held on time and all decided "amend" (so EHC06
# is 3 of 3); two amended plans finalised within 84 days (EHC08 counts in the month of
# the deadline: 20 Feb + 84 days = 15 May, after the period, so EHC08 is read on the
# quarter ending 30 June).
ROWS = [
    {
        "review_id": f"AR{n}",
        "plan_id": f"E{n}",
        "due_date": "2019-02-25",
        "meeting_date": "2019-02-20",
        "decision": "amend",
        "decision_date": "2019-03-01",
        "amended_plan_date": "2019-04-01" if n < 3 else None,
    }
    for n in (1, 2, 3)
]


def _quarter(table: pd.DataFrame, indicator_id: str) -> pd.Series:
    rows = table[(table["indicator_id"] == indicator_id) & (table["period_type"] == "quarter")]
    return rows.iloc[0]


def _table(reviews: pd.DataFrame) -> pd.DataFrame:
    data = StagedData(tables={"annual_reviews": reviews}, extract_date=pd.Timestamp("2019-07-01"))
    return compute_indicators(data, "2019-06-30", "2019-01-01", ["EHC06", "EHC08"])


def test_supplied_column_gives_the_figure():
    table = _table(staged("annual_reviews", ROWS))
    ehc08 = _quarter(table, "EHC08")
    assert (ehc08["numerator"], ehc08["denominator"]) == (2, 3)


@pytest.mark.parametrize("how", ["absent", "blank"])
def test_missing_column_reads_not_supplied_and_the_rest_runs(how):
    if how == "absent":
        reviews = staged(
            "annual_reviews",
            [{k: v for k, v in r.items() if k != "amended_plan_date"} for r in ROWS],
            drop=("amended_plan_date",),
        )
    else:
        reviews = staged("annual_reviews", [{**r, "amended_plan_date": None} for r in ROWS])
    table = _table(reviews)
    ehc08 = _quarter(table, "EHC08")
    assert bool(ehc08["no_data"])
    assert ehc08["no_data_reason"] == "annual_reviews.amended_plan_date not supplied"
    assert pd.isna(ehc08["value"])  # never 0.0%
    ehc06 = table[(table["indicator_id"] == "EHC06") & (table["period_type"] == "month")]
    february = ehc06[ehc06["period_start"] == pd.Timestamp("2019-02-01")].iloc[0]
    assert (february["numerator"], february["denominator"]) == (3, 3)


def test_only_columns_the_contract_marks_are_checked():
    # mediation and tribunal are optional too, but a blank there means "no": EHC01 still
    # has a figure when they are wholly blank.
    rows = [
        {
            "request_id": "R1",
            "person_id": "P0000001",
            "requester": "parent",
            "received_date": "2019-01-02",
            "plan_issued_date": "2019-03-01",
        }
    ]
    data = StagedData(
        tables={"ehc_requests": staged("ehc_requests", rows)},
        extract_date=pd.Timestamp("2019-04-01"),
    )
    table = compute_indicators(data, "2019-03-31", "2019-01-01", ["EHC01"])
    assert _quarter(table, "EHC01")["numerator"] == 1
    assert REGISTRY["EHC01"].columns is not None
