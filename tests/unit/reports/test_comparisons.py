"""Published comparisons in the weakness reports: only years published by the period end,
ranks and quartiles as the shipped CSV gives them (computed here from the raw file)."""

from __future__ import annotations

import datetime as dt
import math
from importlib.resources import files
from types import SimpleNamespace

import pandas as pd
import pytest
from matplotlib import pyplot as plt

from sendready.comparators.availability import published_on
from sendready.reports.charts import benchmark_chart
from sendready.reports.comparisons import published_comparison, sentence_rows

RAW = files("sendready.comparators") / "data" / "ehcp_release" / "timeliness_20_week.csv"


def _ctx(period_end: str, name="Bury", la_code="351", ons_code="E08000002"):
    area = SimpleNamespace(name=name, la_code=la_code, ons_code=ons_code, region="North West")
    return SimpleNamespace(
        profile=SimpleNamespace(area=area),
        evidence=SimpleNamespace(period_end=pd.Timestamp(period_end)),
    )


def _raw_ranks() -> pd.DataFrame:
    """Bury's EHC01 rank and quartile per year straight from the release file: plans
    issued within 20 weeks excluding exceptions, all plans, among authorities with a
    number (suppressed 'x' and the like left out), highest first, ties sharing the
    better rank; quartile = ceil(4 x rank / n)."""
    raw = pd.read_csv(str(RAW), dtype=str)
    las = raw[
        (raw["geographic_level"] == "Local authority")
        & (raw["breakdown"] == "All EHC plans issued")
    ].copy()
    las["v"] = pd.to_numeric(las["PC_plans_issued_20_weeks_ex"], errors="coerce")
    las = las.dropna(subset=["v"])
    out = {}
    for year, rows in las.groupby("time_period"):
        bury = rows.loc[rows["old_la_code"] == "351", "v"]
        if bury.empty:
            continue
        rank = int((rows["v"] > bury.iloc[0]).sum()) + 1
        n = len(rows)
        out[str(year)] = (rank, n, math.ceil(4 * rank / n))
    return pd.DataFrame.from_dict(out, orient="index", columns=["rank", "n", "quartile"])


def test_before_any_release_there_is_a_line_not_a_chart():
    found = published_comparison(_ctx("2019-03-31"), "EHC01")
    assert found.series is None
    # The first figures (calendar year 2019) came out in June 2020.
    assert "No published comparison yet" in found.reason
    assert "30 June 2020" in found.reason
    assert sentence_rows(found) is None


def test_years_and_ranks_at_end_2025_match_the_raw_file():
    found = published_comparison(_ctx("2025-12-31"), "EHC01")
    raw = _raw_ranks()
    area = found.series[found.series["role"] == "area"].set_index("period")
    # Calendar year Y is published in June Y + 1: 2024 is the last year shown in 2025.
    assert sorted(found.series["period"].unique()) == sorted(y for y in raw.index if y <= "2024")
    assert list(area.index) == sorted(raw.index)
    for year, (rank, n, quartile) in raw.iterrows():
        assert (area.loc[year, "rank"], area.loc[year, "n_ranked"]) == (rank, n)
        assert area.loc[year, "quartile"] == quartile
    chart = benchmark_chart(found.series, "Plans within 20 weeks", unit="percent", direction="up")
    try:
        assert list(chart.data["Year"]) == sorted(raw.index)
    finally:
        plt.close(chart.figure)


@pytest.mark.parametrize(
    ("period_end", "last"), [("2022-06-29", "2020"), ("2022-06-30", "2021"), ("2023-03-31", "2021")]
)
def test_a_year_appears_only_once_its_june_release_is_out(period_end, last):
    found = published_comparison(_ctx(period_end), "EHC01")
    assert found.series["period"].max() == last


def test_census_figures_are_published_the_same_june():
    assert published_on("2025-01", "Academic year") == dt.date(2025, 6, 30)
    assert published_on("2024", "Calendar year") == dt.date(2025, 6, 30)


def test_an_area_the_release_does_not_know_gets_a_plain_line():
    found = published_comparison(
        _ctx("2025-12-31", name="Nowhere", la_code="999", ons_code="E09999999"), "EHC01"
    )
    assert found.series is None
    assert found.reason.startswith("No published comparison: ")
    assert "Nowhere" in found.reason


def test_indicators_without_published_figures_are_left_to_the_area_files():
    assert published_comparison(_ctx("2025-12-31"), "JC03") is None


def test_sentence_rows_are_the_comparators_only():
    rows = sentence_rows(published_comparison(_ctx("2025-12-31"), "EHC01"))
    assert set(rows["role"]) == {"england", "region", "neighbour_average"}
    assert set(rows.loc[rows["role"] == "region", "geography"]) == {"North West"}
