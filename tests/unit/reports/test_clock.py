"""The period-end clock: a pack knows only what was known when its quarter closed.

The built-in Bury 2017 profile records the outcome of the May 2019 re-visit; a pack for
the quarter to 31 March 2019 used to print it. Every dated fact of the profile is cut at
the period end in one place (:func:`sendready.reports.context.profile_at`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.report_fixtures import EXTRACT, WEAKNESS, small_context
from sendready.core.errors import ProfileError
from sendready.indicators import StagedData
from sendready.metadata.profile import Profile, load_profile
from sendready.reports.context import ReportContext, profile_at, recorded_status_applies
from sendready.reports.summary import BoardSummary
from sendready.reports.weakness import WeaknessReport, actions_status_at

REVISIT = dt.date(2019, 5, 13)


def test_profile_at_the_period_end_drops_what_came_later():
    bury = load_profile("bury-2017-wsoa")
    assert bury.framework.revisit_date == REVISIT
    before = profile_at(bury, "2019-03-31")
    # By hand from the profile: history on 12 June 2017, 31 October 2017 and 13 May 2019;
    # eight weaknesses each with an outcome of the re-visit.
    assert [h.date for h in before.framework.history] == [
        dt.date(2017, 6, 12),
        dt.date(2017, 10, 31),
    ]
    assert all(w.revisit_outcome is None for w in before.weaknesses)
    assert before.framework.revisit_date is None
    # The quarter the re-visit fell in knows it.
    after = profile_at(bury, "2019-06-30")
    assert len(after.framework.history) == 3
    assert after.weakness("W4").revisit_outcome == "not sufficient progress"
    # The plan submitted on 31 October 2017 is unknown to a pack for September 2017.
    assert profile_at(bury, "2017-09-30").framework.plan_submitted is None
    assert profile_at(bury, "2017-12-31").framework.plan_submitted == dt.date(2017, 10, 31)
    # The priority-action profile's publication (7 May 2024) is cut the same way.
    priority = load_profile("bury-2024-priority-actions")
    assert profile_at(priority, "2024-03-31").framework.published is None
    assert profile_at(priority, "2024-06-30").framework.published == dt.date(2024, 5, 7)


def test_weakness_report_for_march_2019_does_not_print_the_may_revisit():
    ctx = small_context()  # Bury's W8, quarter to 31 March 2019
    assert ctx.profile.weakness(WEAKNESS).revisit_outcome == "not sufficient progress"
    march = WeaknessReport(ctx, WEAKNESS).inspection_html()
    assert "re-visit" not in march and "not sufficient progress" not in march
    june = SimpleNamespace(
        **{
            **vars(ctx),
            "evidence": dataclasses.replace(ctx.evidence, period_end=pd.Timestamp("2019-06-30")),
        }
    )
    assert "Recorded outcome of the re-visit: not sufficient progress." in (
        WeaknessReport(june, WEAKNESS).inspection_html()
    )
    assert BoardSummary(ctx).profile.framework.history[-1].date < REVISIT


def test_report_context_applies_the_clock_on_creation(tmp_path: Path):
    small = small_context()
    ctx = ReportContext(
        profile=small.profile,
        evidence=small.evidence,
        ingest=small.ingest,
        data_dir=tmp_path,
        outputs=tmp_path,
        folder=tmp_path,
    )
    assert all(e.date <= dt.date(2019, 3, 31) for e in ctx.profile.framework.history)
    assert ctx.profile.weakness(WEAKNESS).revisit_outcome is None
    assert ctx.evidence.profile is ctx.profile  # the narrator and index read this one


def test_an_undated_revisit_outcome_is_refused_when_the_profile_is_loaded(tmp_path: Path):
    bury = load_profile("bury-2017-wsoa").model_dump(mode="json")
    del bury["framework"]["revisit_date"]
    with pytest.raises(ValueError, match="framework.revisit_date"):
        Profile.model_validate(bury)
    path = tmp_path / "area.yaml"
    import yaml

    path.write_text(yaml.safe_dump(bury), encoding="utf-8")
    with pytest.raises(ProfileError, match="revisit_date"):
        load_profile(path)


def _actions() -> pd.DataFrame:
    end = pd.Timestamp("2019-03-31")
    return pd.DataFrame(
        {
            "action_id": ["A1", "A2", "A3"],
            "weakness_id": [WEAKNESS] * 3,
            # As recorded at the extract date, 5 April 2019.
            "status": ["at_risk", "complete", "not_started"],
            "due_date": [end + pd.Timedelta(days=60)] * 3,
            "completed_date": [pd.NaT, pd.Timestamp("2019-02-01"), pd.NaT],
        }
    )


@pytest.mark.parametrize(
    ("period_end", "expected"),
    [
        # The quarter's own extract (5 days after): the recorded statuses describe it.
        ("2019-03-31", ["at_risk", "complete", "not_started"]),
        # A quarter earlier: A2 was not yet complete, and "at risk" in April is hindsight.
        ("2018-12-31", ["on_track", "on_track", "on_track"]),
    ],
)
def test_action_statuses_recorded_later_are_not_used_for_an_earlier_quarter(period_end, expected):
    use = recorded_status_applies(EXTRACT, period_end)
    status = actions_status_at(_actions(), pd.Timestamp(period_end), use_recorded=use)
    assert list(status) == expected


def test_action_chart_of_an_earlier_quarter_uses_dates_only():
    ctx = small_context()
    data = StagedData(tables={"action_plan": _actions()}, extract_date=EXTRACT)
    earlier = SimpleNamespace(
        **{
            **vars(ctx),
            "data": data,
            "evidence": dataclasses.replace(ctx.evidence, period_end=pd.Timestamp("2018-12-31")),
        }
    )
    markup = WeaknessReport(earlier, WEAKNESS).actions_html()
    # The chart's table lists every status; none is at risk or not started.
    assert '<th scope="row">At risk</th><td>0</td>' in markup
    assert '<th scope="row">Not started</th><td>0</td>' in markup
    assert '<th scope="row">On track</th><td>3</td>' in markup
    assert f"Of 3 actions for {WEAKNESS}, 0 were complete and 0 overdue" in markup
    assert recorded_status_applies(None, "2019-03-31") is False
    assert recorded_status_applies(pd.Timestamp("2019-06-05"), "2019-03-31") is False
