"""The explore notebook's helpers: the monthly series, a first look at change, and the
seaborn small multiples and distributions, on the hand-built context."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers.report_fixtures import small_context
from sendready.reports import explore


def test_monthly_series_is_the_whole_areas_months_with_their_phase():
    ctx = small_context()
    series = explore.monthly_series(ctx)
    table = ctx.evidence.table
    months = table[
        (table["period_type"] == "month") & (table["breakdown"] == "") & ~table["no_data"]
    ]
    assert len(series) == len(months)
    # The profile's baseline (bury-2017-wsoa: April 2016 to October 2017).
    start = pd.Timestamp(ctx.profile.framework.baseline_start)
    end = pd.Timestamp(ctx.profile.framework.baseline_end)
    ehc01 = series[series["indicator_id"] == "EHC01"].set_index("period_start")
    for day, phase in ehc01["phase"].items():
        assert (phase == "baseline") == (start <= day <= end)
    # Only one unit; only one weakness's indicators.
    assert set(explore.monthly_series(ctx, unit="percent")["unit"]) == {"percent"}
    assert set(explore.monthly_series(ctx, weakness_id="W8")["indicator_id"]) == {
        "EHC01",
        "JC03",
        "JC04",
    }


def test_change_since_baseline_by_hand():
    series = pd.DataFrame(
        {
            "indicator_id": ["A", "A", "A", "B", "B"],
            "unit": ["percent"] * 5,
            "direction": ["up"] * 5,
            "phase": ["baseline", "baseline", "since the baseline"]
            + ["baseline", "since the baseline"],
            "value": [10.0, 20.0, 40.0, 50.0, 45.0],
        }
    )
    change = explore.change_since_baseline(series).set_index("indicator_id")
    assert change.index.tolist() == ["A", "B"]  # largest change first, whatever its sign
    assert change.loc["A", ["baseline", "since the baseline", "change"]].tolist() == [
        15.0,
        40.0,
        25.0,
    ]
    assert change.loc["B", "change"] == pytest.approx(-5.0)


def test_small_multiples_and_distributions_draw_a_panel_per_indicator():
    series = explore.monthly_series(small_context())
    for draw in (explore.small_multiples, explore.distributions):
        grid = draw(series)
        titles = sorted(ax.get_title() for ax in grid.axes.flat)
        assert titles == ["EHC01", "JC03", "JC04"]
        assert all(ax.has_data() for ax in grid.axes.flat)
        plt.close(grid.figure)
