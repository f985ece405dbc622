"""The benchmark trend chart: its alt text and its table, on figures worked out by hand."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from sendready.reports.charts import benchmark_chart, check_alt_text


def _series() -> pd.DataFrame:
    rows = [
        ("2023", "area", "Bury", 74.1, 20, 150, 1),
        ("2024", "area", "Bury", 99.0, 2, 150, 1),
        ("2023", "england", "England", 50.3, None, None, None),
        ("2024", "england", "England", 46.4, None, None, None),
        ("2023", "region", "North West", 56.7, None, None, None),
        ("2024", "region", "North West", 50.5, None, None, None),
        ("2023", "neighbour", "Rochdale", 40.0, None, None, None),
        ("2024", "neighbour", "Rochdale", 30.0, None, None, None),
        ("2023", "neighbour", "Wigan", 60.0, None, None, None),
        ("2024", "neighbour", "Wigan", 50.0, None, None, None),
        ("2023", "neighbour_average", "Statistical neighbours", 50.0, None, None, None),
        ("2024", "neighbour_average", "Statistical neighbours", 40.0, None, None, None),
    ]
    return pd.DataFrame(
        rows, columns=["period", "role", "geography", "value", "rank", "n_ranked", "quartile"]
    )


def test_alt_text_gives_the_trend_the_comparators_and_the_rank():
    chart = benchmark_chart(_series(), "EHC plans issued within 20 weeks", direction="up")
    try:
        alt = check_alt_text(chart.alt_text)
    finally:
        plt.close(chart.figure)
    assert alt.startswith("Line chart of EHC plans issued within 20 weeks, 2023 to 2024.")
    assert "Bury went from 74.1% in 2023 to 99.0% in 2024." in alt
    assert "In 2024: England 46.4%, North West 50.5%, Neighbour average 40.0%." in alt
    assert "Bury ranked 2nd of 150 (highest quarter), highest figure first." in alt
    assert alt.endswith("Higher is better.")


def test_table_has_every_figure_the_range_and_the_rank():
    chart = benchmark_chart(_series(), "Plans in time")
    plt.close(chart.figure)
    table = chart.data.set_index("Year")
    assert list(table.columns) == [
        "Bury",
        "England",
        "North West",
        "Neighbour average",
        "Neighbours' range",
        "Rank among authorities",
    ]
    assert table.loc["2024", "Bury"] == 99.0
    assert table.loc["2023", "Neighbours' range"] == "40.0% to 60.0%"
    assert table.loc["2023", "Rank among authorities"] == "20th of 150 (highest quarter)"
    html = chart.html()
    assert "<table" in html and 'alt="Line chart of Plans in time' in html
