"""Indicators declared in a profile (YAML) or in an area's own Python module.

The area's own indicator XA01 (plans issued within 16 weeks of the request) is added to a
copy of the Bury profile as W1's only key indicator, and followed through the indicator
table, SPC, the verdict, the index and small-number suppression. The fixture's counts are
chosen so every figure is known by hand: twenty plans a month from April 2016 to December
2018, fourteen issued after 100 days (within 112) and six after 200; then three plans in
the reporting quarter, two within 112 days.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.declared_fixtures import XA01, baseline_plans
from helpers.report_fixtures import issued_plan
from helpers.staged_frames import staged
from sendready.core.errors import ProfileError
from sendready.evidence.build import build_evidence
from sendready.indicators import REGISTRY, StagedData
from sendready.indicators.declared import forget_profile_indicators, register_profile_indicators
from sendready.metadata.profile import builtin_profiles, load_profile
from sendready.privacy.disclosure import mark_suppression

PERIOD_END = "2019-03-31"
EXTRACT = pd.Timestamp("2019-04-05")
QUARTER = (("2019-01-15", 100), ("2019-02-15", 200), ("2019-03-15", 100))


def _requests() -> pd.DataFrame:
    rows = baseline_plans()
    for issued, days in QUARTER:
        rows.append(issued_plan(len(rows) + 1, pd.Timestamp(issued), days))
    return staged("ehc_requests", rows)


def _profile_copy(tmp_path: Path, **extra) -> Path:
    """The Bury profile with W1 judged on XA01 alone, plus ``extra`` top-level keys."""
    raw = yaml.safe_load(builtin_profiles()["bury-2017-wsoa"].read_text(encoding="utf-8"))
    for weakness in raw["weaknesses"]:
        if weakness["id"] == "W1":
            weakness["indicators"] = [*weakness["indicators"], "XA01"]
            weakness["key_indicators"] = ["XA01"]
    raw["id"] = "own-area"
    raw["indicators"] = [XA01]
    raw.update(extra)
    path = tmp_path / "own-area.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module", autouse=True)
def _catalogue_only_afterwards():
    """Other tests compare the registry with the catalogue: leave no area's own behind."""
    yield
    forget_profile_indicators()


@pytest.fixture(scope="module")
def evidence(tmp_path_factory):
    profile = load_profile(_profile_copy(tmp_path_factory.mktemp("profile")))
    data = StagedData(tables={"ehc_requests": _requests()}, extract_date=EXTRACT)
    return build_evidence(profile, data, PERIOD_END)


def test_declared_indicator_is_in_the_indicator_table(evidence):
    rows = evidence.table[evidence.table["indicator_id"] == "XA01"]
    months = rows[rows["period_type"] == "month"].set_index("period_start")
    # Every month to December 2018: 14 of 20 (70%); nothing issued after it.
    full = months.loc[:"2018-12-01"]
    assert len(full) == 33
    assert (full["numerator"] == 14).all() and (full["denominator"] == 20).all()
    assert (full["value"] == 70.0).all()
    quarter = evidence.quarter("XA01")
    assert (quarter["numerator"], quarter["denominator"]) == (2, 3)
    assert quarter["title"] == "EHC plans issued within 16 weeks"
    assert bool(quarter["small_number"])


def test_declared_indicator_gets_spc_target_and_verdict(evidence):
    assessment = evidence.assessments["XA01"]
    assert assessment.spc is not None  # 33 monthly points, a p-chart
    assert assessment.target == 90.0  # the definition's target, given to W1
    assert evidence.profile.weakness("W1").targets["XA01"].value == 90.0
    verdict = evidence.verdicts["W1"]
    assert verdict.assessments == [assessment]
    assert verdict.reasons[-1].startswith("XA01 EHC plans issued within 16 weeks: ")


def test_declared_indicator_is_suppressed_on_the_index(evidence, tmp_path):
    from sendready.publish.boardpack import build_index

    marked = mark_suppression(evidence.table, evidence.profile.disclosure.threshold)
    xa01 = marked[marked["indicator_id"] == "XA01"]
    quarter = xa01[xa01["period_type"] == "quarter"]
    # Three plans, two on time: both counts below 6, so the quarter is hidden; a month of
    # 14 of 20 (6 outside) is not.
    assert quarter["suppressed"].all()
    assert not xa01[xa01["period_start"] == pd.Timestamp("2018-12-01")]["suppressed"].any()
    html = build_index(evidence, {}, tmp_path, [], "1 April 2019")
    assert "XA01" in html and "EHC plans issued within 16 weeks" in html
    assert "66.7%" not in html  # 2 of 3, hidden


def test_python_module_registers_like_a_family(tmp_path):
    module = tmp_path / "own_indicators.py"
    module.write_text(
        """
import pandas as pd
from sendready.indicators.periods import flow_count
from sendready.indicators.registry import IndicatorDefinition, register


def refused(data, periods):
    rows = data.require("ehc_requests")
    return flow_count(rows[rows["decision"] == "not_assess"], "decision_date", periods)


register(
    IndicatorDefinition(
        id="XB01",
        title="Requests refused (count)",
        sources=("ehc_requests",),
        unit="count",
        direction="neutral",
        statistic="count",
        numerator="decisions not to assess",
        denominator=None,
        weaknesses=(),
        compute=refused,
    )
)
""",
        encoding="utf-8",
    )
    path = _profile_copy(tmp_path, indicator_modules=["own_indicators.py"])
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["weaknesses"][0]["indicators"].append("XB01")
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    profile = load_profile(path)
    rows = [
        {"request_id": "R1", "person_id": "P0000001", "requester": "parent"},
        {"request_id": "R2", "person_id": "P0000002", "requester": "parent"},
        {"request_id": "R3", "person_id": "P0000003", "requester": "parent"},
    ]
    decided = [("not_assess", "2019-02-03"), ("not_assess", "2019-02-20"), ("assess", "2019-02-21")]
    for row, (decision, day) in zip(rows, decided, strict=True):
        row.update(received_date="2019-01-02", decision=decision, decision_date=day)
    data = StagedData(tables={"ehc_requests": staged("ehc_requests", rows)}, extract_date=EXTRACT)
    evidence = build_evidence(profile, data, PERIOD_END)
    assert "XB01" in REGISTRY
    month = evidence.table[
        (evidence.table["indicator_id"] == "XB01")
        & (evidence.table["period_start"] == pd.Timestamp("2019-02-01"))
        & (evidence.table["period_type"] == "month")
    ]
    assert month["value"].tolist() == [2.0]
    assert evidence.quarter("XB01")["value"] == 2.0
    # Imported once per process; registering the profile again puts its indicator back.
    forget_profile_indicators()
    assert "XB01" not in REGISTRY
    assert register_profile_indicators(profile) == ["XA01", "XB01"]
    assert REGISTRY["XB01"].title == "Requests refused (count)"


def test_profile_indicator_files_are_read_beside_the_profile(tmp_path):
    (tmp_path / "more.yaml").write_text(yaml.safe_dump([XA01]), encoding="utf-8")
    path = _profile_copy(tmp_path, indicator_files=["more.yaml"])
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw.pop("indicators")
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    profile = load_profile(path)
    assert [i.id for i in profile.indicators] == ["XA01"]
    assert register_profile_indicators(profile) == ["XA01"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"numerator": {"when": "days_between(received, plan_issued_date) < 9", "words": "x"}},
            ["indicator XA01", "numerator.when", "'received' is not a column", "Allowed:"],
        ),
        (
            {"where": ["__import__('os').system('true')"]},
            ["indicator XA01", "where[0]", "not a condition this vocabulary knows"],
        ),
        (
            {"where": ["decision == 'asess'"]},
            ["where[0]", "'asess' is not one of the codes of decision"],
        ),
        ({"date": None}, ["give either date", "or stock"]),
        ({"id": "EHC01"}, ["EHC01 is a built-in indicator"]),
    ],
)
def test_a_bad_definition_names_profile_indicator_and_key(tmp_path, change, words):
    path = _profile_copy(tmp_path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["indicators"] = [{**XA01, **change}]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_cadence_is_refused_with_what_to_do(tmp_path):
    raw = yaml.safe_load(builtin_profiles()["bury-2017-wsoa"].read_text(encoding="utf-8"))
    raw["framework"]["cadence"] = "monthly"
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ProfileError, match="cadence is no longer a profile key: remove it"):
        load_profile(path)


def test_a_breakdown_splits_the_figures_and_adds_up():
    from sendready.indicators.declared import to_definition
    from sendready.indicators.engine import compute_indicator
    from sendready.metadata.indicator_spec import DeclaredIndicator

    declared = DeclaredIndicator.model_validate({**XA01, "breakdown": "school_urn"})
    requests = _requests()
    # Plans of even-numbered rows come through one school, the rest through another.
    requests["school_urn"] = pd.array(
        ["100001" if n % 2 else "100002" for n in range(len(requests))], dtype="string"
    )
    data = StagedData(tables={"ehc_requests": requests}, extract_date=EXTRACT)
    table = compute_indicator(to_definition(declared), data, PERIOD_END, "2018-12-01")
    december = table[table["period_start"] == pd.Timestamp("2018-12-01")].set_index("breakdown")
    # 20 plans in December, alternately at each school: k = 0..13 on time (100 days).
    assert december.loc["", ["numerator", "denominator"]].tolist() == [14, 20]
    by_school = december.drop(index="")
    assert sorted(by_school.index) == ["school_urn=100001", "school_urn=100002"]
    assert by_school["numerator"].sum() == 14 and by_school["denominator"].sum() == 20
    assert (by_school["denominator"] == 10).all()


def test_module_mistakes_and_missing_ids_are_profile_errors(tmp_path):
    module = tmp_path / "broken.py"
    module.write_text("def oops(:\n", encoding="utf-8")
    path = _profile_copy(tmp_path, indicator_modules=["broken.py"])
    with pytest.raises(ProfileError, match="broken.py could not be loaded: SyntaxError"):
        register_profile_indicators(load_profile(path))
    module.write_text("X = 1\n", encoding="utf-8")  # registers nothing
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["weaknesses"][0]["indicators"].append("XZ09")
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(ProfileError, match="lists indicator XZ09, which neither the catalogue"):
        register_profile_indicators(load_profile(path))
    missing = _profile_copy(tmp_path, indicator_modules=["nowhere.py"])
    with pytest.raises(ProfileError, match="indicator_modules names 'nowhere.py'"):
        load_profile(missing)
