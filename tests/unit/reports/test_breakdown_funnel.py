"""A funnel of a declared indicator's own figures by school (``funnel: {from: breakdown}``).

The area's indicator XF01 (plans issued within 16 weeks, split by ``school_urn``) is
declared in a profile written to a temporary file. Before 2019 its plans name no school;
in the reporting quarter (January to March 2019) six schools' plans are issued, chosen so
that every figure is known by hand:

====== ============ ===== ========= ==========================================
URN    census name  plans on time   what the quarter's figure does
====== ============ ===== ========= ==========================================
100001 Ash Primary     40        34 85.0%: far above the centre (z about 5.2)
100002 Birch School    60        12 20.0%: far below it (z about -3.8)
100003 Cedar Primary   30         7 23.3%: below the 95% limit only (z about -2.3)
100004 (none)          20        10 50.0%: within; no census name, so its URN
100005 Elm Infants      3         2 hidden: 3 plans, below the threshold of 6
100006 Fir Juniors     12         8 hidden: 4 plans outside the count
====== ============ ===== ========= ==========================================

Ten more plans in the quarter name no school, five of them on time, so the area's figure
for the quarter is 78 of 175 (44.6%), the funnel's centre, not the six schools' pooled
73 of 165 (44.2%). Six schools are too few to
estimate over-dispersion from (at least ten are needed), so the limits are the exact
binomial ones, worked out here a second way: the binomial distribution summed term by
term with :func:`math.comb` and Spiegelhalter's interpolation, not scipy.
"""

from __future__ import annotations

import copy
import math
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from helpers.declared_fixtures import XA01, baseline_plans
from helpers.report_fixtures import issued_plan
from helpers.small_counts import scan_html
from helpers.staged_frames import staged
from sendready.core.errors import ProfileError
from sendready.evidence.build import build_evidence
from sendready.indicators import REGISTRY, StagedData
from sendready.indicators.declared import forget_profile_indicators
from sendready.indicators.registry import BreakdownFunnel
from sendready.metadata.profile import builtin_profiles, load_profile
from sendready.reports import panels
from sendready.reports.breakdown_funnel import breakdown_funnel_chart, breakdown_units
from sendready.reports.narrative.narrator import Narrator

PERIOD_END = "2019-03-31"
EXTRACT = pd.Timestamp("2019-04-05")
# urn, census name (None: not in the census), plans in the quarter, plans on time
SCHOOLS = (
    ("100001", "Ash Primary", 40, 34),
    ("100002", "Birch School", 60, 12),
    ("100003", "Cedar Primary", 30, 7),
    ("100004", None, 20, 10),
    ("100005", "Elm Infants", 3, 2),
    ("100006", "Fir Juniors", 12, 8),
)
HIDDEN = {"Elm Infants", "Fir Juniors"}
P0 = 78 / 175  # the area's figure for the quarter
UNNAMED = (10, 5)  # the quarter's plans naming no school, and those on time

XF01 = {
    **XA01,
    "id": "XF01",
    "breakdown": "school_urn",
    "chart": "funnel",
    "funnel": {"from": "breakdown", "words": "plans issued within 16 weeks"},
}


def _requests() -> pd.DataFrame:
    """Twenty plans a month (fourteen on time) naming no school, then the quarter's."""
    rows = baseline_plans()
    months = pd.date_range("2019-01-01", "2019-03-01", freq="MS")
    for urn, _name, plans, on_time in SCHOOLS:
        for k in range(plans):
            issued = months[k % 3] + pd.Timedelta(days=k // 3)
            days = 100 if k < on_time else 200
            rows.append(issued_plan(len(rows) + 1, issued, days, school_urn=urn))
    for k in range(UNNAMED[0]):
        days = 100 if k < UNNAMED[1] else 200
        rows.append(issued_plan(len(rows) + 1, months[k % 3] + pd.Timedelta(days=20), days))
    return staged("ehc_requests", rows)


def _census() -> pd.DataFrame:
    """One pupil row per named school, on the January 2019 census, and an older name."""
    rows = []
    for n, (urn, name, *_counts) in enumerate(SCHOOLS):
        if name is None:
            continue
        for day, school_name in (("2018-01-18", f"Old {name}"), ("2019-01-17", name)):
            rows.append(
                {
                    "census_date": day,
                    "school_urn": urn,
                    "school_name": school_name,
                    "phase": "primary",
                    "person_id": f"P{9000000 + n:07d}",
                    "sen_provision": "N",
                }
            )
    return staged("school_census", rows)


def _profile_file(folder: Path, indicator: dict) -> Path:
    """The Bury profile judged on W1 alone, whose only indicator is ``indicator``."""
    raw = yaml.safe_load(builtin_profiles()["bury-2017-wsoa"].read_text(encoding="utf-8"))
    w1 = next(w for w in raw["weaknesses"] if w["id"] == "W1")
    w1.update(indicators=[indicator["id"]], key_indicators=[indicator["id"]], targets={})
    raw.update(id="own-area", weaknesses=[w1], indicators=[indicator])
    path = folder / "own-area.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    """The parts of a report context panels read; XF01 registered while the module runs."""
    profile = load_profile(_profile_file(tmp_path_factory.mktemp("profile"), XF01))
    data = StagedData(
        tables={"ehc_requests": _requests(), "school_census": _census()}, extract_date=EXTRACT
    )
    evidence = build_evidence(profile, data, PERIOD_END)  # registers XF01
    yield SimpleNamespace(profile=profile, evidence=evidence, data=data)
    # Other tests compare the registry with the catalogue: leave no area's own behind.
    forget_profile_indicators()


@pytest.fixture(scope="module")
def narrator(ctx):
    return Narrator.from_evidence(ctx.evidence)


# --- the limits, a second way ----------------------------------------------------------------


def _cdf(r: int, n: int, p: float) -> float:
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(r + 1))


def _limit(n: int, p: float, probability: float) -> float:
    """Spiegelhalter (2005, appendix A.1.1): the smallest r with P(R <= r) >= probability,
    moved back within the step below it by the share of that step's probability left."""
    r = next(r for r in range(n + 1) if _cdf(r, n, p) >= probability)
    at, below = _cdf(r, n, p), _cdf(r - 1, n, p) if r > 0 else 0.0
    return (r - (at - probability) / (at - below)) / n


def _position(count: int, n: int) -> str:
    rate = count / n
    if rate > _limit(n, P0, 0.999):
        return "above 99.8% limit"
    if rate < _limit(n, P0, 0.001):
        return "below 99.8% limit"
    if not _limit(n, P0, 0.025) <= rate <= _limit(n, P0, 0.975):
        return "outside 95% limit only"
    return "within 95% limits"


# --- the declaration ----------------------------------------------------------------------------


def test_the_declaration_becomes_a_funnel_of_its_breakdown(ctx):
    funnel = REGISTRY["XF01"].funnel
    assert funnel == BreakdownFunnel("school_urn", "plans issued within 16 weeks", "schools", True)


def test_other_units_are_named_by_their_value_and_their_column():
    from sendready.indicators.declared import to_definition
    from sendready.metadata.indicator_spec import DeclaredIndicator
    from sendready.reports.breakdown_funnel import unit_names

    advice = DeclaredIndicator.model_validate(
        {
            "id": "XF02",
            "title": "Advice received within 6 weeks",
            "source": "ehc_advice",
            "statistic": "proportion",
            "date": "requested_date",
            "numerator": {
                "when": "days_between(requested_date, received_date) <= 42",
                "words": "advice received within 6 weeks",
            },
            "denominator": {"words": "advice requested"},
            "direction": "up",
            "breakdown": "provider",
            "chart": "funnel",
            "funnel": {"from": "breakdown", "words": "advice on time"},
        }
    )
    funnel = to_definition(advice).funnel
    assert funnel == BreakdownFunnel("provider", "advice on time", "providers", False)
    names = unit_names(pd.Series(["Trust_A", "Council"]), funnel, _census(), PERIOD_END)
    assert names.tolist() == ["Trust A", "Council"]


def test_the_catalogue_says_it_has_a_funnel_of_its_breakdown(ctx):
    from sendready.indicators.catalogue_doc import render_indicator

    assert (
        "also split by `school_urn`; a funnel of its quarter's figures by `school_urn`"
        in render_indicator("XF01")
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"breakdown": None}, ["funnel.from", "add breakdown:"]),
        (
            {"breakdown": "person_id"},
            ["person_id identifies a person", "school, provider or service"],
        ),
        (
            {"statistic": "count", "denominator": None},
            ["must be a proportion (it is a count)"],
        ),
        (
            {"funnel": {"from": "breakdown", "provision": "K", "words": "x"}},
            ["provision: a funnel from the breakdown", "leave provision out"],
        ),
        ({"funnel": {"words": "x"}}, ["sen_provision code it counts (K or E)", "from: breakdown"]),
        ({"funnel": {"provision": "N", "words": "x"}}, ["'N' is not a sen_provision code"]),
        ({"funnel": {"from": "schools", "words": "x"}}, ["funnel.from", "'census' or 'breakdown'"]),
        ({"funnel": None}, ["chart: funnel needs funnel", "from: breakdown and words"]),
    ],
)
def test_a_funnel_that_cannot_be_drawn_is_refused_naming_the_key(tmp_path, change, words):
    path = _profile_file(tmp_path, {**XF01, **change})
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert str(path) in message and "indicator XF01" in message
    for word in words:
        assert word in message


def test_a_mistyped_from_is_suggested(tmp_path):
    path = _profile_file(tmp_path, {**XF01, "funnel": {"form": "breakdown", "words": "x"}})
    with pytest.raises(ProfileError, match="unknown key \\(did you mean 'from'\\?\\)"):
        load_profile(path)


# --- the units, from the indicator table ------------------------------------------------------


def test_units_are_the_quarters_breakdown_rows_with_their_suppression(ctx, narrator):
    units = breakdown_units(narrator.table, "XF01", REGISTRY["XF01"].funnel, PERIOD_END)
    got = {row.value: (row.count, row.size, row.hidden) for row in units.itertuples(index=False)}
    # By hand: the quarter's plans per school; Elm rests on 3 plans, Fir leaves 4 late.
    assert got == {
        "100001": (34, 40, False),
        "100002": (12, 60, False),
        "100003": (7, 30, False),
        "100004": (10, 20, False),
        "100005": (2, 3, True),
        "100006": (8, 12, True),
    }
    whole = ctx.evidence.quarter("XF01")
    assert (whole["numerator"], whole["denominator"]) == (78, 175)


def test_funnel_limits_and_positions_agree_with_a_second_method(ctx, narrator):
    chart = breakdown_funnel_chart(ctx, narrator, "XF01", REGISTRY["XF01"].funnel)
    panels.plt.close(chart.figure)
    assert chart.facts["p0"] == pytest.approx(P0)
    assert chart.facts["phi"] == 1.0 and chart.facts["tau2"] == 0.0  # six: never widened
    assert (chart.facts["units"], chart.facts["hidden"]) == (4, 2)
    table = chart.data.set_index("School")
    for urn, name, plans, on_time in SCHOOLS:
        label = name or f"URN {urn}"
        row = table.loc[label]
        if label in HIDDEN:
            assert list(row) == ["c", "c", "c"]
            continue
        assert row["Plans issued in the period"] == plans
        assert row["Rate (%)"] == pytest.approx(100 * on_time / plans)
        assert row["Position"] == _position(on_time, plans), label
    # The second method's verdicts, one school in each place: by hand, Cedar's 23.3% lies
    # below the lower 95% limit for 30 plans (25.1%) and above the 99.8% one (15.8%).
    assert [table.loc[n, "Position"] for n in ("Ash Primary", "Cedar Primary", "URN 100004")] == [
        "above 99.8% limit",
        "outside 95% limit only",
        "within 95% limits",
    ]
    assert _limit(30, P0, 0.025) == pytest.approx(0.2514, abs=5e-5)
    assert _limit(30, P0, 0.001) == pytest.approx(0.1576, abs=5e-5)
    assert chart.facts["above_998"] == ["Ash Primary"]
    assert chart.facts["below_998"] == ["Birch School"]
    # Hidden schools come last, in name order, so their sizes order nothing.
    assert list(table.index[-2:]) == ["Elm Infants", "Fir Juniors"]


def test_alt_text_and_title_say_what_is_plotted_and_what_is_not(ctx, narrator):
    chart = breakdown_funnel_chart(ctx, narrator, "XF01", REGISTRY["XF01"].funnel)
    panels.plt.close(chart.figure)
    assert chart.caption == (
        "Schools compared: plans issued within 16 weeks, the quarter to 31 March 2019"
    )
    assert chart.alt_text.startswith(
        "Funnel plot of plans issued within 16 weeks for 4 schools, each plotted against "
        "its size, around the area rate of 44.6% with 95% and 99.8% limits."
    )
    assert (
        "Above the 99.8% limit: 1 (Ash Primary); below it: 1 (Birch School). Outside the "
        "95% limit only: 1. Within the 95% limits, where chance alone explains the "
        "differences: 1."
    ) in chart.alt_text
    assert chart.alt_text.endswith(
        "Not plotted: 2 schools whose figures rest on too few cases to show."
    )
    assert "Elm" not in chart.alt_text and "Fir" not in chart.alt_text


# --- the panel -----------------------------------------------------------------------------------


def _text(markup: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _funnel_rows(panel: str) -> dict[str, list[str]]:
    table = next(
        t
        for t in re.findall(r'<table class="chart-data">.*?</table>', panel, re.DOTALL)
        if "Schools compared" in t
    )
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]:
        cells = [_text(c) for c in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row, re.DOTALL)]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_panel_draws_the_funnel_from_the_indicator_table(ctx, narrator):
    panel = panels.indicator_panel_html(ctx, narrator, "XF01")
    assert 'alt="Funnel plot of plans issued within 16 weeks for 4 schools' in panel
    rows = _funnel_rows(panel)
    # Each shown school's figures are its quarter row of the indicator table.
    table = ctx.evidence.table
    quarter = table[(table["indicator_id"] == "XF01") & (table["period_type"] == "quarter")]
    by_urn = quarter.set_index("breakdown")
    names = {urn: name or f"URN {urn}" for urn, name, *_ in SCHOOLS}
    for urn, name in names.items():
        row = by_urn.loc[f"school_urn={urn}"]
        if name in HIDDEN:
            assert rows[name] == ["c", "c", "c"]
        else:
            assert rows[name][:2] == [f"{row['denominator']:.0f}", f"{row['value']:.1f}%"]
    assert rows["Ash Primary"] == ["40", "85.0%", "above 99.8% limit"]
    # The census's latest name before the period end, not an older one.
    assert "Old Ash" not in panel
    # Nothing about children below the threshold can be read or worked out.
    assert scan_html(panel) == []


def test_a_funnel_of_an_indicator_not_about_children_is_marked_as_its_own(
    ctx, narrator, monkeypatch
):
    from sendready.privacy import disclosure

    real = disclosure.is_person_level
    monkeypatch.setattr(disclosure, "is_person_level", lambda i: i != "XF01" and real(i))
    panel = panels.indicator_panel_html(ctx, narrator, "XF01")
    # The funnel shows XF01's own figures: the panel is marked as a whole.
    assert panel.startswith('<section class="sr-panel" data-counts="not-children"')


def test_no_funnel_when_every_school_is_hidden(ctx, narrator):
    hidden = copy.copy(narrator)
    hidden.table = narrator.table.copy()
    hidden.table.loc[hidden.table["breakdown"] != "", "suppressed"] = True
    markup = panels.indicator_panel_html(ctx, hidden, "XF01")
    assert (
        "No funnel of schools: the figures of all the schools rest on too few cases to show."
        in _text(markup)
    )
    assert "Schools compared" not in markup


def test_no_funnel_when_the_areas_own_figure_is_hidden(ctx, narrator):
    # Then a single hidden school need not have a second beside it: no funnel at all.
    hidden = copy.copy(narrator)
    hidden.table = narrator.table.copy()
    whole = (hidden.table["indicator_id"] == "XF01") & (hidden.table["breakdown"] == "")
    hidden.table.loc[whole, "suppressed"] = True
    markup = panels.indicator_panel_html(ctx, hidden, "XF01")
    assert (
        "No funnel of schools: the area's figure for the quarter is hidden (too few cases), "
        "so the figures of its schools are not shown either." in _text(markup)
    )
    assert "Schools compared" not in markup


def test_the_weakness_report_shows_it_in_the_indicators_panel(ctx, monkeypatch):
    from sendready.reports import common, weakness

    blocks: list[str] = []
    for module in (common, panels, weakness):
        monkeypatch.setattr(module, "show", blocks.append)
    weakness.WeaknessReport(ctx, "W1").show_evidence()
    panel = next(b for b in blocks if 'id="ind-XF01"' in b)
    rows = _funnel_rows(panel)
    assert rows["Birch School"] == ["60", "20.0%", "below 99.8% limit"]
    assert rows["Cedar Primary"] == ["30", "23.3%", "outside 95% limit only"]
    assert rows["URN 100004"] == ["20", "50.0%", "within 95% limits"]
    assert scan_html("".join(blocks)) == []
