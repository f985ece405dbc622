"""W2 co-production: families at the table, in the work and in their own plans.

COP01-COP05 (docs/indicators.md). Inspectors found a lack of understanding and practice of
co-production "at the heart of all strategic considerations" (docs/domain.md, Bury's 2017
inspection), so the measures run from the strategic boards down to the individual plan and review.
COP02-COP04, plain counts and proportions, are declared in ``definitions/coproduction.yaml``.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.common import (
    attended_all,
    board_meetings,
)
from sendready.indicators.periods import flow_proportion
from sendready.indicators.registry import IndicatorDefinition, StagedData, register
from sendready.indicators.surveys import survey_indicator


def forum_at_boards(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    meetings = board_meetings(data)
    attended = attended_all(meetings, ("parent_carer_forum",))
    return flow_proportion(meetings, "meeting_date", attended, periods)


_W2 = ("W2",)
register(
    IndicatorDefinition(
        id="COP01",
        title="Board meetings attended by the parent carer forum",
        sources=("governance",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W2,
        numerator=(
            "meetings in the period at which the parent carer forum was recorded as attending"
        ),
        denominator="board meetings held in the period",
        compute=forum_at_boards,
        notes="A meeting is one board on one date. Every board in the governance extract counts, "
        "including any the forum is not yet invited to: being absent from a strategic board "
        "is what the measure should show. No row or a blank attendance counts as absent.",
    )
)
register(
    survey_indicator(
        "COP05",
        "Parents who feel listened to",
        _W2,
        asked="they feel listened to",
    )
)
