"""The sample's statutory figures follow Bury's published ones, 2016-2024.

The package ships a trimmed copy of the figures it calibrates to
(``sample/scenarios/calibration.csv``). The first test checks that copy against the
published DfE files (skipped where they are not available); the second regenerates the
Bury-sized sample and counts, from its raw ``ehc_requests`` file, requests received, new
plans issued and the share issued within 20 weeks in each calendar year.

Tolerances (sampling noise at Bury's size, about 300 requests a year, and the few rows
carrying planted faults, which are left out): requests within 15% of the published
figure each year, new plans within 30% each year (a plan follows its request by months,
so a year's plans come partly from the year before) and both within 10% over the nine
years together; the 20-week rate within 8 percentage points each year.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from helpers.sample_rows import clean_rows, dates
from helpers.shared_paths import SHARED_ROOT
from sendready.sample import generate_sample
from sendready.sample.ehc import calibration

YEARS = range(2016, 2025)
BURY = "351"
SEN2 = SHARED_ROOT / "data" / "dfe_sen2_la_2014_2022.csv"
EES = SHARED_ROOT / "data" / "ees_2025"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["old_la_code"].strip() == BURY]


def _number(text: str) -> float:
    return float(text.strip())


def published() -> pd.DataFrame:
    """Bury's figures by calendar year, read from the DfE files themselves."""
    out = {}
    for row in _rows(SEN2):
        year = int(row["time_period"])
        if 2016 <= year <= 2021:
            out[year] = (
                _number(row["inreq_ehc"]),
                _number(row["new_all_ehc"]),
                _number(row["inc_exc_20week_rate"]),
            )
    requests = {
        int(r["time_period"]): _number(r["requests_received_in_year"])
        for r in _rows(EES / "requests.csv")
        if r["breakdown_topic"].startswith("All")
    }
    for row in _rows(EES / "timeliness_20_week.csv"):
        year = int(row["time_period"])
        if year >= 2022 and row["breakdown_topic"].startswith("All"):
            out[year] = (
                requests[year],
                _number(row["plans_issued_den"]),
                _number(row["pc_plans_issued_within_20_weeks"]),
            )
    frame = pd.DataFrame.from_dict(
        out, orient="index", columns=["requests", "new_plans", "within_20_weeks_pct"]
    )
    return frame.sort_index().loc[list(YEARS)]


@pytest.mark.skipif(
    not (SEN2.exists() and EES.is_dir()),
    reason="the published DfE files are not available (set SENDREADY_SHARED_DIR)",
)
def test_shipped_calibration_is_the_published_figures():
    shipped = calibration().set_index("year").loc[list(YEARS)]
    expected = published()
    assert list(shipped.index) == list(expected.index)
    for column in expected.columns:
        assert (shipped[column] - expected[column]).abs().max() < 0.051, column


@pytest.fixture(scope="module")
def requests(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("bury")
    generate_sample(out, scale=1.0, seed=2017)
    return clean_rows(out, "ehc_requests")


def test_requests_new_plans_and_timeliness_follow_the_published_figures(requests):
    target = calibration().set_index("year").loc[list(YEARS)]
    received = dates(requests["received_date"])
    issued = dates(requests["plan_issued_date"])
    got_requests = received.dt.year.value_counts().reindex(list(YEARS))
    got_plans = issued.dt.year.value_counts().reindex(list(YEARS))
    on_time = ((issued - received).dt.days <= 140)[issued.notna()]
    got_rate = 100 * on_time.groupby(issued.dt.year).mean().reindex(list(YEARS))
    table = pd.DataFrame(
        {
            "requests": got_requests / target["requests"] - 1,
            "new_plans": got_plans / target["new_plans"] - 1,
            "rate_points": got_rate - target["within_20_weeks_pct"],
        }
    )
    assert (table["requests"].abs() <= 0.15).all(), table
    assert (table["new_plans"].abs() <= 0.30).all(), table
    assert (table["rate_points"].abs() <= 8).all(), table
    assert abs(got_requests.sum() / target["requests"].sum() - 1) <= 0.10
    assert abs(got_plans.sum() / target["new_plans"].sum() - 1) <= 0.10
