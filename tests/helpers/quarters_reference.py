"""A second, literal reading of quarter composition, to test the vectorised one against.

Row by row and label by label, as the rule is written, with no shared code: the unit tests
compare it with :func:`sendready.indicators.quarters.quarter_composition` on random tables,
and the integration tests on the whole sample area.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.quarters import count_columns


def _same_by_hand(a, b) -> bool:
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    return abs(float(a) - float(b)) <= 1e-8 + 1e-5 * abs(float(b))


def composition_row_by_row(rows: pd.DataFrame) -> dict:
    """The definition read literally, one quarter row at a time (the second method)."""
    columns = count_columns(str(rows["statistic"].iloc[0]))
    months = rows[rows["period_type"] == "month"].sort_values("period_start", kind="stable")
    out = {}
    for label, quarter in rows[rows["period_type"] == "quarter"].iterrows():
        found = months[
            (months["breakdown"] == quarter["breakdown"])
            & (months["period_start"] >= quarter["period_start"])
            & (months["period_end"] <= quarter["period_end"])
        ]
        covered = (
            len(found) == 3
            and found["period_start"].iloc[0] == quarter["period_start"]
            and found["period_end"].iloc[-1] == quarter["period_end"]
        )
        flow = covered and all(
            _same_by_hand(quarter[c], found[c].astype("Float64").sum(skipna=False)) for c in columns
        )
        stock = covered and all(_same_by_hand(quarter[c], found[c].iloc[-1]) for c in columns)
        out[label] = (covered, flow, stock, list(found.index) if covered else [])
    return out
