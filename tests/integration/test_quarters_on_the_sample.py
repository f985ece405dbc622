"""Quarter composition on every indicator of a real batch (the sample area)."""

from __future__ import annotations

import pandas as pd

from helpers.quarters_reference import composition_row_by_row
from sendready.indicators.quarters import quarter_composition


def test_quarter_composition_matches_on_the_sample_area(sample_pack):
    table = pd.read_parquet(sample_pack.restricted / "evidence" / "indicators.parquet")
    for indicator_id, rows in table.groupby("indicator_id"):
        fast = quarter_composition(rows)
        for label, expected in composition_row_by_row(rows).items():
            got = fast.loc[label]
            assert (
                bool(got["covered"]),
                bool(got["flow"]),
                bool(got["stock"]),
                list(got["months"]),
            ) == expected, (indicator_id, label)
