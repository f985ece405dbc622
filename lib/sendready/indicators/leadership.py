"""W1 strategic leadership and vision: delivery of the plan and partners at the board.

LEAD01-LEAD03 (docs/indicators.md). LEAD04, which looks at the suite's own indicator
coverage, is defined elsewhere. Inspectors judged leadership by whether the written
statement of action is delivered on time and whether the partners who must own it (the
council, the NHS, schools and the parent carer forum) are all at the table.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.common import (
    attended_all,
    board_meetings,
    count_by_period_end,
    with_breakdown,
)
from sendready.indicators.periods import flow_proportion, stock_count
from sendready.indicators.registry import (
    IndicatorDefinition,
    IndicatorResults,
    NoData,
    StagedData,
    register,
)
from sendready.stats.spc import MIN_BASELINE_POINTS

# The partners the 2017 findings (no SEND champion "at the highest strategic level", a
# lack of joined-up working; docs/domain.md) need round the board table together.
CORE_PARTNERS = ("la", "nhs", "schools", "parent_carer_forum")


def _on_time(actions: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    # The due date is never after the end of the period it is counted in, so a completion
    # on or before it is always known by that period end: no later data leaks in.
    on_time = actions["completed_date"].notna() & (actions["completed_date"] <= actions["due_date"])
    return flow_proportion(actions, "due_date", on_time, periods)


def actions_on_time(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    actions = data.require("action_plan")
    return with_breakdown(actions, "weakness_id", lambda rows: _on_time(rows, periods))


def _overdue(actions: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    out = periods.copy()
    # Open from the due date until completed: still open at the period end = overdue then,
    # whatever the status column says at the (later) extract date. An action completed
    # before it fell due is never open.
    out["numerator"] = stock_count(periods, actions["due_date"], actions["completed_date"])
    out["denominator"] = count_by_period_end(periods, actions["due_date"])
    return out


def actions_overdue(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    actions = data.require("action_plan")
    return with_breakdown(actions, "weakness_id", lambda rows: _overdue(rows, periods))


def _partnership_boards(data: StagedData) -> list[str]:
    """Boards at which the extract expects all the core partners at some meeting.

    The governance extract lists the organisations expected at each meeting, so a board
    that never lists schools (a joint commissioning group) is not the partnership board
    and would otherwise fail every meeting. The whole extract is used, not only rows up to
    each period end, so a board that invited schools late still counts the earlier
    meetings they were missing from.
    """
    governance = data.require("governance")
    listed = governance.groupby("board")["organisation"].unique()
    boards = [board for board, members in listed.items() if set(CORE_PARTNERS) <= set(members)]
    if not boards:
        raise NoData(
            "no board in the governance extract lists the council, the NHS, schools "
            "and the parent carer forum among its members"
        )
    return boards


def partners_present(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    meetings = board_meetings(data)
    meetings = meetings[meetings["board"].isin(_partnership_boards(data))]
    return flow_proportion(meetings, "meeting_date", attended_all(meetings, CORE_PARTNERS), periods)


def indicators_ready(results: IndicatorResults, periods: pd.DataFrame) -> pd.DataFrame:
    """LEAD04: how many of the other indicators have a target and enough data for SPC
    (12 monthly whole-area points with data by each period end), of all of them."""
    table = results.table
    monthly = table[
        (table["period_type"] == "month")
        & (table["breakdown"] == "")
        & ~table["no_data"].astype(bool)
    ]
    ends = periods["period_end"].to_numpy()
    ready = pd.Series(0, index=range(len(periods)))
    for ind in results.indicator_ids:
        if ind not in results.targets:
            continue
        dates = monthly.loc[monthly["indicator_id"] == ind, "period_end"].sort_values().to_numpy()
        points_by_end = pd.Series(dates.searchsorted(ends, side="right"))
        ready += (points_by_end >= MIN_BASELINE_POINTS).astype(int)
    out = periods.copy()
    out["numerator"], out["denominator"] = ready.to_numpy(), len(results.indicator_ids)
    out["value"] = out["numerator"] / out["denominator"] * 100
    return out


_W1 = ("W1",)
register(
    IndicatorDefinition(
        id="LEAD01",
        title="Plan actions completed by their due date",
        sources=("action_plan",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W1,
        numerator="actions due in the period that were completed on or before their due date",
        denominator="actions due in the period",
        compute=actions_on_time,
        notes="A monthly series: each action counts once, in the month it fell due, so the chart "
        "shows whether deadlines met recently are being kept (a cumulative share would "
        "barely move). An action finished on its due date is on time; one not completed "
        "counts as late. Completion after the due date never counts, even if it came before "
        "the period end. Figures are also given for each weakness.",
    )
)
register(
    IndicatorDefinition(
        id="LEAD02",
        title="Plan actions overdue",
        sources=("action_plan",),
        unit="percent",
        direction="down",
        statistic="proportion",
        weaknesses=_W1,
        numerator="actions due on or before the period end and not completed by then",
        denominator="actions due on or before the period end",
        compute=actions_overdue,
        notes="Taken on the last day of each period from the due and completed dates, not the "
        "recorded status (which is the status on the day the data were extracted). An action "
        "due on the last day and not completed that day counts as overdue; one completed on "
        "the last day does not. Later actions join the denominator as they fall due. "
        "Figures are also given for each weakness.",
    )
)
register(
    IndicatorDefinition(
        id="LEAD03",
        title="Partnership board meetings with all key partners present",
        sources=("governance",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W1,
        numerator="meetings in the period at which the council, the NHS, schools and the parent "
        "carer forum were all recorded as attending",
        denominator="meetings held in the period of boards at which all four are expected",
        compute=partners_present,
        notes="A meeting is one board on one date. Only boards at which the extract lists all "
        "four partners as expected (at any meeting) count: a group that never includes "
        "schools, such as a joint commissioning group, is not the partnership board. At "
        "those boards a partner with no row for a meeting (including a row set aside as "
        "invalid at ingest), or a blank attendance, counts as absent. Board names must be "
        "spelt the same way every time, or one board splits in two.",
    )
)
# LEAD04 measures the suite itself, so it is computed from the other indicators rather
# than from a staged table (docs/indicators.md, LEAD04).
register(
    IndicatorDefinition(
        id="LEAD04",
        title="Indicators with data and a target",
        sources=(),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W1,
        numerator="the profile's other indicators that have a target and at least "
        f"{MIN_BASELINE_POINTS} monthly figures by the period end, enough for a control chart",
        denominator="the profile's other indicators",
        compute=indicators_ready,
        derived=True,
        about_people=False,
    )
)
