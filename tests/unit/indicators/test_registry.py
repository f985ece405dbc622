"""Every indicator is defined in one place, completely and consistently.

The registry's definitions carry what later stages need to know about an indicator (is
it about children, which count a small-number rule weighs, which chart its panel draws,
which benchmark figures are its). These tests walk the registry and check each
definition against itself, the source contracts and the comparators; and check that no
later stage keeps its own table keyed by indicator id, which would bring the scattering
back.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from sendready.comparators import CONTEXT_IDS, MAPPINGS, load_published_benchmarks
from sendready.indicators import REGISTRY
from sendready.indicators.registry import (
    ChartKind,
    Direction,
    Grain,
    IndicatorDefinition,
    SchoolFunnel,
    Statistic,
    SuppressionCount,
    Unit,
    suppression_count_for,
)
from sendready.metadata.catalogue import INDICATOR_IDS
from sendready.metadata.contracts import CONTRACTS, SEN_PROVISION
from sendready.privacy.disclosure import PERSON_LEVEL_SOURCES, is_person_level
from sendready.sample.benchmarks import make_benchmarks

DEFINITIONS = list(REGISTRY.values())
PACKAGE = Path(__file__).resolve().parents[3] / "lib" / "sendready"


def _ids(definitions):
    return [d.id for d in definitions]


@pytest.mark.parametrize("defn", DEFINITIONS, ids=_ids(DEFINITIONS))
def test_definition_is_complete(defn: IndicatorDefinition):
    assert defn.id in INDICATOR_IDS
    assert defn.title.strip() and defn.numerator.strip()
    assert defn.unit in get_args(Unit)
    assert defn.direction in get_args(Direction)
    assert defn.statistic in get_args(Statistic)
    assert defn.grain in get_args(Grain)
    assert defn.chart in get_args(ChartKind)
    assert callable(defn.compute)
    assert all(re.fullmatch(r"W[1-8]", w) for w in defn.weaknesses), defn.weaknesses
    if defn.statistic in ("proportion", "median"):
        assert defn.denominator, "a proportion or median is taken over something"
    assert all(source in CONTRACTS for source in defn.sources), defn.sources
    if defn.derived:
        # Computed from other indicators' results: it reads no staged table.
        assert defn.sources == () and defn.grain == "month"
    else:
        assert defn.sources, "an indicator computed from staged tables names them"


@pytest.mark.parametrize("defn", DEFINITIONS, ids=_ids(DEFINITIONS))
def test_chart_fits_the_indicator(defn: IndicatorDefinition):
    if defn.chart == "funnel":
        # A funnel of schools needs a school breakdown: the census, one row per pupil
        # and school, taken at census dates.
        assert isinstance(defn.funnel, SchoolFunnel)
        assert "school_census" in defn.sources and defn.grain == "event"
        assert defn.funnel.provision in SEN_PROVISION and defn.funnel.provision != "N"
        assert defn.funnel.words.startswith("pupils ")
    else:
        assert defn.funnel is None
    # Answers by wave are drawn for exactly the indicators built from survey answers.
    assert (defn.chart == "survey") == ("surveys" in defn.sources)
    if defn.chart == "waits":
        assert "health_referrals" in defn.sources


def test_a_funnel_needs_its_provision():
    with pytest.raises(ValueError, match="funnel"):
        IndicatorDefinition(**{**vars(REGISTRY["ID01"]), "funnel": None})
    with pytest.raises(ValueError, match="funnel"):
        IndicatorDefinition(
            **{**vars(REGISTRY["EHC01"]), "funnel": SchoolFunnel("K", "pupils on SEN support")}
        )


@pytest.mark.parametrize("defn", DEFINITIONS, ids=_ids(DEFINITIONS))
def test_about_people_is_false_only_where_the_count_is_of_something_else(defn):
    if defn.about_people:
        return
    # Either the suite's own indicators (a derived indicator), schools outside funnel
    # limits (numerator and denominator both count schools, not pupils), or the spread
    # between schools (a ratio over schools: ID07, ID08).
    counts_schools = defn.numerator.startswith("schools") and defn.denominator.startswith("schools")
    spread = defn.unit == "ratio" and defn.denominator.startswith("schools")
    assert defn.derived or spread or (defn.chart == "funnel" and counts_schools), defn.numerator


def test_person_level_follows_the_definition():
    for defn in DEFINITIONS:
        expected = defn.about_people and bool(set(defn.sources) & PERSON_LEVEL_SOURCES)
        assert is_person_level(defn.id) == expected, defn.id
    assert not is_person_level("LEAD04")
    assert not is_person_level("ID01") and not is_person_level("ID02")
    assert is_person_level("EHC01") and is_person_level("ID03")
    assert is_person_level("XYZ99")  # an unknown id is treated as counting people


@pytest.mark.parametrize("defn", DEFINITIONS, ids=_ids(DEFINITIONS))
def test_suppression_count_is_one_the_statistic_has(defn: IndicatorDefinition):
    assert defn.suppression_count in get_args(SuppressionCount)
    if defn.suppress_on is not None:
        # An override says something the statistic does not: never the default again.
        assert defn.suppress_on != suppression_count_for(defn.statistic)
    if defn.denominator is None:
        assert defn.suppression_count == "numerator"


def test_suppression_count_defaults_to_the_statistic():
    expected = {
        "proportion": "denominator",
        "median": "denominator",
        "rate": "numerator",
        "count": "numerator",
        "sum": "numerator",
    }
    assert {s: suppression_count_for(s) for s in get_args(Statistic)} == expected
    assert suppression_count_for("something new") == "denominator"
    assert REGISTRY["EHC01"].suppression_count == "denominator"
    assert REGISTRY["EHC09"].suppression_count == "numerator"


def test_benchmark_keys_agree_with_the_comparators():
    keys = {d.benchmark_key: d for d in DEFINITIONS if d.benchmark_key is not None}
    # Panels look published figures up under the indicator's own id.
    assert all(key == defn.id for key, defn in keys.items())
    # Every published measure mapped to the catalogue lands on an indicator that says it
    # has published figures, and one whose figure is of the published kind (a rate, or a
    # count such as the plans maintained).
    # (A CTX_ id is a context figure outside the catalogue: shown, never judged.)
    for mapping in MAPPINGS:
        if mapping.indicator_id in CONTEXT_IDS:
            continue
        assert mapping.indicator_id in keys, mapping.measure
        assert keys[mapping.indicator_id].unit == mapping.unit, mapping.measure
    # So does every catalogue figure shipped with the suite or planted in the sample.
    shipped = set(load_published_benchmarks()["indicator_id"].dropna()) - set(CONTEXT_IDS)
    planted = set(make_benchmarks()["indicator_id"])
    assert shipped | planted <= set(keys), sorted((shipped | planted) - set(keys))


def test_lead04_is_an_ordinary_registered_indicator():
    lead04 = REGISTRY["LEAD04"]
    assert lead04.derived and not lead04.about_people
    assert lead04.weaknesses == ("W1",) and lead04.statistic == "proportion"


_LATER_STAGES = ("evidence", "privacy", "reports", "publish")
_AN_ID = re.compile("[\"'](?:" + "|".join(map(re.escape, INDICATOR_IDS)) + ")[\"']")


@pytest.mark.parametrize("stage", _LATER_STAGES)
def test_no_later_stage_keeps_a_table_keyed_by_indicator_id(stage):
    # What an indicator is belongs on its definition: a stage that names an id in its
    # code is keeping a fact about that indicator somewhere else.
    found = [
        f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
        for path in sorted((PACKAGE / stage).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _AN_ID.search(line)
    ]
    assert not found, found
