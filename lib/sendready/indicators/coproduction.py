"""W2 co-production: families at the table, in the work and in their own plans.

COP01-COP05 (docs/indicators.md). Inspectors found a lack of understanding and practice of
co-production "at the heart of all strategic considerations" (docs/domain.md, Bury's 2017
inspection), so the measures run from the strategic boards down to the individual plan and review.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.common import (
    attended_all,
    board_meetings,
    code_in,
    count_by_period_end,
    reviews_held,
    yes,
)
from sendready.indicators.periods import flow_proportion
from sendready.indicators.registry import IndicatorDefinition, StagedData, register
from sendready.indicators.surveys import survey_indicator

GOOD_OR_BETTER = ("good", "outstanding")


def forum_at_boards(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    meetings = board_meetings(data)
    attended = attended_all(meetings, ("parent_carer_forum",))
    return flow_proportion(meetings, "meeting_date", attended, periods)


def coproduced_from_design(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    items = data.require("coproduction")
    families = yes(items, "parent_carer_forum") | yes(items, "young_people")
    from_design = items[families & code_in(items, "stage", ("design",))]
    out = periods.copy()
    out["numerator"] = count_by_period_end(periods, from_design["date"])
    out["denominator"] = pd.NA
    return out


def voice_in_plans(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    audits = data.require("ehcp_audits")
    graded = audits[audits["grade_voice"].notna()]
    return flow_proportion(
        graded, "audit_date", code_in(graded, "grade_voice", GOOD_OR_BETTER), periods
    )


def young_person_in_review(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    held = reviews_held(data)
    return flow_proportion(held, "meeting_date", yes(held, "cyp_participated"), periods)


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
    IndicatorDefinition(
        id="COP02",
        title="Pieces of work co-produced from the design stage",
        sources=("coproduction",),
        unit="count",
        direction="up",
        statistic="count",
        weaknesses=_W2,
        numerator="pieces of work started on or before the period end in which the parent carer "
        "forum or young people took part from the design stage (running total)",
        denominator=None,
        compute=coproduced_from_design,
        notes="A running total from the first record in the extract, placed by the date the work "
        "started; work that families joined only at delivery or review is not counted. The "
        "quarter shows the total at its last day.",
    )
)
register(
    IndicatorDefinition(
        id="COP03",
        title="Plans with the child's voice graded good or better",
        sources=("ehcp_audits",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W2,
        numerator="audits in the period grading section A (the child's views, interests and "
        "aspirations) good or outstanding",
        denominator="audits in the period that graded section A",
        compute=voice_in_plans,
        notes="Placed by audit date. Audits that did not grade section A are left out rather "
        "than counted as poor.",
    )
)
register(
    IndicatorDefinition(
        id="COP04",
        title="Annual reviews the young person took part in",
        sources=("annual_reviews",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W2,
        numerator="review meetings held in the period in which the child or young person took part",
        denominator="review meetings held in the period",
        compute=young_person_in_review,
        notes="Placed by the date of the meeting; reviews not yet held are not counted. A blank "
        "participation field counts as not taking part, so poor recording shows up.",
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
