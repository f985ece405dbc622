"""W6 identification of SEND at school level: ID01-ID08 (docs/indicators.md).

Inspectors found identification "inaccurate and inconsistent" between schools. Rates
differ between schools for good reasons (intake, size), so schools are compared on
Spiegelhalter funnel plots (docs/method.md) rather than ranked. Two separate questions,
two separate measures at each census:

- **How much do schools differ beyond chance?** (ID07 SEN support, ID08 EHC plans) The
  over-dispersion estimate phi with its 95% interval (:mod:`sendready.stats.funnel`): 1
  means schools differ only as chance allows; 5 means five times the variance. This is
  the inconsistency itself.
- **Which schools stand out even allowing for that spread?** (ID01, ID02) Schools beyond
  the 99.8% limits widened for over-dispersion (additive random effects), as schools to
  look at. Counted against unwidened limits, the share of schools "outside" would mostly
  measure the spread (phi) again: with phi near 6 a third of schools fall outside, and
  the share drops to nothing when the spread narrows, whichever schools are unusual.

The census indicators have grain ``event``: a value in the month of each census and none
in between.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from sendready.comparators import load_published_benchmarks
from sendready.comparators.names import geography_key
from sendready.core.errors import SendreadyError
from sendready.indicators.periods import (
    as_timestamp,
    assign_period,
    flow_proportion,
    stock_count,
)
from sendready.indicators.registry import (
    IndicatorDefinition,
    NoData,
    SchoolFunnel,
    StagedData,
    register,
)
from sendready.indicators.statutory import _decisions
from sendready.indicators.workforce import training_indicator
from sendready.metadata.contracts import SEN_TYPES
from sendready.stats.funnel import classify_units, estimate_overdispersion

# Special schools and pupil referral units take pupils because of their needs, so their
# rates say nothing about how consistently mainstream schools identify SEND; left in, every
# special school would sit above the EHC plan limits by design.
NOT_IN_FUNNEL = ("special", "pru")
PLAN_NEEDS = tuple(t for t in SEN_TYPES if t != "NSA")
OTHER_NEEDS = "other"
CENSUS_COLUMNS = ("census_date", "school_urn", "phase", "sen_provision", "primary_need")
# How school funnels are widened when schools differ beyond chance. Additive (random
# effects) rather than multiplicative: school sizes vary tenfold, and a multiplicative
# factor keeps the limits of large schools narrow, so large schools would be flagged for
# differences that are ordinary between schools; an additive between-school variance
# widens every school's limits by the same real spread of true rates (Spiegelhalter
# 2005, section 6).
SCHOOL_OVERDISPERSION = "additive"

FUNNEL_NOTES = (
    "Limits are exact binomial limits (Spiegelhalter 2005) around the rate of all the schools "
    "in the funnel at that census, widened for over-dispersion (additive random effects, "
    "with winsorised z-scores) when schools differ by more than chance; schools above or "
    "below the widened 99.8% limits count, as schools to look at. How much schools differ "
    "(the over-dispersion itself) is measured separately, by ID07 and ID08. Special schools "
    "and pupil referral units are left out. England's rate across all its pupils (DfE, "
    "Special educational needs in England, January school census) is context for the "
    "funnel's centre, not a benchmark for the share of schools, so no benchmark is attached."
)
SPREAD_NOTES = (
    "Spiegelhalter's (2005) over-dispersion estimate phi: the mean of the schools' squared "
    "z-scores against the area rate, winsorised at the 10th and 90th percentiles so that a "
    "few extreme schools do not set it. 1 means schools differ only as chance allows; the "
    "95% interval treats I x phi as chi-squared on I - 1 degrees of freedom (I schools), an "
    "approximation. Special schools and pupil referral units are left out. Censuses are a "
    "year apart, so too few points for a control chart: read the intervals."
)


def _census_by_period(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    """Census rows with their period ``p``, keeping only the latest census in each period."""
    # Only the columns counted: filtering a million-row census drags every text column along.
    census = data.require("school_census")[list(CENSUS_COLUMNS)]
    census = census.assign(p=assign_period(census["census_date"], periods).to_numpy())
    census = census[census["p"] >= 0]
    latest = census.groupby("p")["census_date"].transform("max")
    return census[census["census_date"] == latest]


def _school_counts(census: pd.DataFrame, provision: str, by: list[str]) -> pd.DataFrame:
    """Pupils on roll and pupils with ``provision`` per school (funnel schools only)."""
    in_funnel = census[~census["phase"].isin(NOT_IN_FUNNEL)]
    hit = in_funnel["sen_provision"].eq(provision).fillna(False).astype(bool)
    grouped = in_funnel.assign(hit=hit).groupby(by, observed=True)["hit"]
    return pd.DataFrame({"pupils": grouped.size(), "count": grouped.sum()})


def _funnel_bands(count: pd.Series, denominator: pd.Series) -> pd.DataFrame:
    """Funnel limits, widened for over-dispersion when it is significant, and a plain
    label per unit (see :mod:`sendready.stats.funnel`)."""
    funnel = classify_units(count, denominator, overdispersion=SCHOOL_OVERDISPERSION)
    labels = np.select(
        [
            funnel["band_998"] == "above",
            funnel["band_95"] == "above",
            funnel["band_998"] == "below",
            funnel["band_95"] == "below",
        ],
        ["above 99.8% limit", "above 95% limit", "below 99.8% limit", "below 95% limit"],
        default="within limits",
    )
    out = funnel.drop(columns=["numerator", "denominator", "z"]).rename(
        columns={"proportion": "rate"}
    )
    out["classification"] = pd.array(labels, dtype="string")
    out.attrs.update(funnel.attrs)
    return out


def schools_outside_limits(data: StagedData, periods: pd.DataFrame, provision: str) -> pd.DataFrame:
    counts = _school_counts(_census_by_period(data, periods), provision, ["p", "school_urn"])
    outside = pd.Series(0, index=range(len(periods)))
    schools = pd.Series(0, index=range(len(periods)))
    for p, one_census in counts.groupby(level="p"):
        bands = _funnel_bands(one_census["count"], one_census["pupils"])
        outside[p] = int((bands["band_998"] != "within").sum())
        schools[p] = len(one_census)
    out = periods.copy()
    out["numerator"] = outside.to_numpy()
    out["denominator"] = schools.to_numpy()
    return out


def school_spread(data: StagedData, periods: pd.DataFrame, provision: str) -> pd.DataFrame:
    """The over-dispersion phi of schools' ``provision`` rates at each census, with its
    95% interval, over the schools in the funnel (ID07, ID08)."""
    counts = _school_counts(_census_by_period(data, periods), provision, ["p", "school_urn"])
    columns = {name: pd.Series(np.nan, index=range(len(periods))) for name in ("phi", "lo", "hi")}
    schools = pd.Series(0, index=range(len(periods)))
    for p, one_census in counts.groupby(level="p"):
        estimate = estimate_overdispersion(one_census["count"], one_census["pupils"])
        if estimate.units >= 2 and np.isfinite(estimate.p_value):
            columns["phi"][p], columns["lo"][p], columns["hi"][p] = (
                estimate.phi,
                estimate.phi_low,
                estimate.phi_high,
            )
        schools[p] = len(one_census)
    out = periods.copy()
    out["numerator"] = pd.NA
    out["denominator"] = schools.to_numpy()
    out["value"] = columns["phi"].to_numpy()
    out["ci_low"] = columns["lo"].to_numpy()
    out["ci_high"] = columns["hi"].to_numpy()
    return out


def school_identification_funnel(
    data: StagedData, census_date: str | pd.Timestamp, provision: str = "K"
) -> pd.DataFrame:
    """One census's schools on the funnel behind ID01 (``provision="K"``) or ID02 (``"E"``).

    For funnel charts and drill-down tables. ``school_name`` is free text from the census
    extract: escape it wherever it is displayed and never use it to match records.

    Returns:
        One row per school, largest first: ``school_urn, school_name, pupils, count, rate``
        (0-1), the 95% and 99.8% limits (0-1), ``band_95``, ``band_998`` and
        ``classification``; ``attrs["p0"]`` holds the area rate at the centre.

    Raises:
        NoData: The census extract is missing or holds no census on that date.
    """
    census = data.require("school_census")
    day = as_timestamp(census_date)
    rows = census[census["census_date"] == day]
    if rows.empty:
        held = ", ".join(f"{d.day} {d:%B %Y}" for d in sorted(census["census_date"].unique()))
        raise NoData(f"there is no school census on {day.day} {day:%B %Y} (censuses: {held})")
    counts = _school_counts(rows, provision, ["school_urn"])
    names = rows.groupby("school_urn", observed=True)["school_name"].first()
    bands = _funnel_bands(counts["count"], counts["pupils"])
    out = pd.concat([counts, bands], axis=1)
    out.insert(0, "school_name", names.reindex(out.index).astype("string"))
    out.attrs.update(bands.attrs)
    return out.reset_index().sort_values(
        "pupils", ascending=False, kind="stable", ignore_index=True
    )


def no_specialist_assessment(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    census = _census_by_period(data, periods)
    support = census[census["sen_provision"] == "K"]
    return flow_proportion(support, "census_date", support["primary_need"] == "NSA", periods)


def _england_need_rows(table: pd.DataFrame | None) -> pd.DataFrame | None:
    """The ID04 England rows of a benchmark table (None when it has none)."""
    if table is None or "breakdown" not in table:
        return None
    england = table["geography"].map(geography_key, na_action="ignore") == "england"
    rows = table[
        (table["indicator_id"] == "ID04") & england & table["breakdown"].str.startswith("need=")
    ]
    return None if rows.empty else rows


def _england_need_mixes(data: StagedData) -> pd.DataFrame:
    """England's primary-need shares of EHC plans (percent): needs x publication dates.

    The area's own ``benchmarks`` extract wins when it has ID04 England rows (it may be
    newer); otherwise the table shipped with the suite (``published_benchmarks.csv``: DfE,
    "Education, health and care plans", primary need of plans in January 2025).
    Needs the table does not list are pooled as ``other`` (100 less the listed shares).
    """
    table = _england_need_rows(data.get("benchmarks"))
    if table is None:
        try:
            table = _england_need_rows(load_published_benchmarks())
        except SendreadyError:
            table = None
    if table is None:
        raise NoData("no England primary-need mix is available to compare with")
    when = pd.to_datetime(table["period"].astype(str), errors="coerce", format="mixed")
    mixes = (
        table.assign(when=when, need=table["breakdown"].str.removeprefix("need="))
        .dropna(subset=["when", "value"])
        .pivot_table(index="need", columns="when", values="value", aggfunc="last")
    )
    # A need missing from one publication is pooled with the needs not listed.
    mixes = mixes.reindex([n for n in mixes.index if n in PLAN_NEEDS]).astype(float).fillna(0)
    mixes.loc[OTHER_NEEDS] = (100 - mixes.sum()).clip(lower=0)
    return mixes


def need_mix(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    plans = data.require("ehc_plans")
    mixes = _england_need_mixes(data)
    active = stock_count(periods, plans["start_date"], plans["cease_date"])
    shares = {}
    rows = [periods.assign(breakdown="", numerator=pd.NA, denominator=active)]
    for need in PLAN_NEEDS:
        mine = plans[plans["primary_need"] == need]
        count = stock_count(periods, mine["start_date"], mine["cease_date"])
        shares[need] = np.where(active > 0, 100 * count / np.maximum(active, 1), np.nan)
        rows.append(
            periods.assign(
                breakdown=f"need={need}", numerator=count, denominator=active, value=shares[need]
            )
        )
    area = pd.DataFrame(shares).T  # needs x periods
    # The mix in force at each period end: latest published on or before it, else the
    # earliest (the series may start before the first publication in the table).
    dates = mixes.columns.to_numpy(dtype="datetime64[ns]")
    pick = (
        np.searchsorted(dates, periods["period_end"].to_numpy(dtype="datetime64[ns]"), "right") - 1
    )
    england = mixes.to_numpy()[:, np.clip(pick, 0, None)]
    published = area.reindex(mixes.index[:-1]).to_numpy()
    area_other = 100 - published.sum(axis=0)
    gaps = np.abs(np.vstack([published, area_other]) - england)
    rows[0]["value"] = np.where(active > 0, gaps.sum(axis=0) / 2, np.nan)
    return pd.concat(rows, ignore_index=True)


def refusals_by_school(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    decided = _school_requests_decided(data)
    refused = (decided["decision"] == "not_assess").astype(bool)
    overall = flow_proportion(decided, "decision_date", refused, periods).assign(breakdown="")
    # One grouped count rather than a pass per school: an area has hundreds of schools.
    events = pd.DataFrame(
        {
            "school_urn": decided["school_urn"],
            "refused": refused,
            "p": assign_period(decided["decision_date"], periods),
        }
    )
    schools = events["school_urn"].dropna().unique()
    grid = pd.MultiIndex.from_product(
        [sorted(schools), range(len(periods))], names=["school_urn", "p"]
    )
    counts = (
        events[events["p"] >= 0]
        .groupby(["school_urn", "p"])["refused"]
        .agg(["sum", "count"])
        .reindex(grid, fill_value=0)
    )
    per_school = (
        periods.iloc[grid.get_level_values("p")]
        .reset_index(drop=True)
        .assign(
            numerator=counts["sum"].to_numpy(),
            denominator=counts["count"].to_numpy(),
            breakdown=("school_urn=" + grid.get_level_values("school_urn").astype(str)).to_numpy(),
        )
    )
    return pd.concat([overall, per_school], ignore_index=True)


def _school_requests_decided(data: StagedData) -> pd.DataFrame:
    decided = _decisions(data)
    return decided[decided["requester"] == "school"]


def school_refusal_funnel(
    data: StagedData, period_start: str | pd.Timestamp, period_end: str | pd.Timestamp
) -> pd.DataFrame:
    """Schools' refusal rates (ID05) for decisions made between two dates, on a funnel.

    A month holds too few decisions per school for a funnel; pass a year or more.

    Returns:
        One row per requesting school: ``school_urn, decisions, refused, rate`` (0-1),
        limits, bands and ``classification``; ``attrs["p0"]`` is the schools' overall rate.
    """
    decided = _school_requests_decided(data)
    start, end = as_timestamp(period_start), as_timestamp(period_end)
    window = decided[decided["decision_date"].between(start, end) & decided["school_urn"].notna()]
    if window.empty:
        raise NoData("no decisions on requests made by schools fall in those dates")
    grouped = window.assign(refused=window["decision"] == "not_assess").groupby(
        "school_urn", observed=True
    )["refused"]
    counts = pd.DataFrame({"decisions": grouped.size(), "refused": grouped.sum()})
    bands = _funnel_bands(counts["refused"], counts["decisions"])
    out = pd.concat([counts, bands], axis=1)
    out.attrs.update(bands.attrs)
    return out.reset_index()


_W6 = ("W6",)
_CENSUS = ("school_census",)
_IN_FUNNEL = "schools in the census (excluding special schools and pupil referral units)"
for outliers_id, spread_id, provision, rate_words, pupils_words in (
    ("ID01", "ID07", "K", "SEN support", "on SEN support"),
    ("ID02", "ID08", "E", "EHC plan", "with an EHC plan"),
):
    # The same census, two questions (module docstring): which schools stand out, and
    # how much schools differ. Counts of schools and a spread are about no one, so
    # neither is suppressed.
    common = dict(sources=_CENSUS, direction="down", weaknesses=_W6, grain="event")
    register(
        IndicatorDefinition(
            id=outliers_id,
            title=f"Schools whose {rate_words} rate stands out even allowing for the "
            "spread between schools",
            unit="percent",
            statistic="proportion",
            compute=partial(schools_outside_limits, provision=provision),
            numerator=f"schools whose share of pupils {pupils_words} lies outside the 99.8% funnel "
            "limits widened for over-dispersion (above or below)",
            denominator=_IN_FUNNEL,
            notes=FUNNEL_NOTES,
            about_people=False,
            chart="funnel",
            funnel=SchoolFunnel(provision, f"pupils {pupils_words}"),
            **common,
        )
    )
    register(
        IndicatorDefinition(
            id=spread_id,
            title=f"How much schools' {rate_words} rates differ beyond chance",
            unit="ratio",
            statistic="rate",
            compute=partial(school_spread, provision=provision),
            numerator=f"over-dispersion phi of schools' shares of pupils {pupils_words} (1 "
            "means only chance variation), with its 95% interval",
            denominator=_IN_FUNNEL,
            notes=SPREAD_NOTES,
            about_people=False,
            **common,
        )
    )
register(
    IndicatorDefinition(
        id="ID03",
        title="Pupils on SEN support with no specialist assessment of need",
        sources=_CENSUS,
        unit="percent",
        direction="down",
        statistic="proportion",
        weaknesses=_W6,
        grain="event",
        compute=no_specialist_assessment,
        numerator="pupils on SEN support whose primary need is recorded as NSA (no specialist "
        "assessment)",
        denominator="pupils on SEN support in the census (all schools)",
        notes="Counted at each census; where a month holds two census dates only the later counts.",
    )
)
register(
    IndicatorDefinition(
        id="ID04",
        title="How far the mix of primary needs differs from England's",
        sources=("ehc_plans", "benchmarks"),
        unit="percent",
        direction="neutral",
        statistic="rate",
        weaknesses=_W6,
        compute=need_mix,
        benchmark_key="ID04",
        numerator="index of dissimilarity: half the sum, over primary needs, of the gap between "
        "the area's share of active plans and England's share (percentage points); "
        "the breakdown by primary need gives each need's share of plans",
        denominator="EHC plans active at the period end",
        notes="The index (Duncan and Duncan 1955) is the share of plans whose primary need would "
        "have to change for the area's mix to match England's. England's mix comes from the "
        "area's own benchmark file when it holds England figures for this indicator, otherwise "
        "from the figures shipped with the suite (DfE, Education, health and care plans, "
        'January 2025: seven needs, the rest compared as one "other" group). The latest mix '
        "published on or before each period end is used, or "
        "the earliest when none is that old, so early months are compared with a later "
        "England (the ASD share has been rising). Shares describe recording, not need: a "
        "higher share is neither good nor bad. No interval is given for the index: it "
        "is biased upwards when plans are few.",
    )
)
register(
    IndicatorDefinition(
        id="ID05",
        title="Requests for assessment refused, by requesting school",
        sources=("ehc_requests",),
        unit="percent",
        direction="neutral",
        statistic="proportion",
        weaknesses=_W6,
        compute=refusals_by_school,
        numerator="decisions not to assess on requests made by a school",
        denominator="decisions on whether to assess requests made by a school (withdrawn "
        "requests excluded); the breakdown by school gives one figure per school",
        notes="Only requests whose requester is a school: a school's refused requests say "
        "something about its identification, a parent's do not. The whole-area figure is "
        "EHC04 (requests refused) for school requests only, including those with no school "
        "reference number (URN). Monthly figures per school are small: a funnel plot of "
        "schools over a year or more shows which schools fall outside the funnel limits.",
    )
)
register(
    training_indicator(
        "ID06",
        "SENCOs trained in the graduated approach in the last twelve months",
        "W6",
        "senco",
        "graduated_approach",
        staff_words="SENCO",
        course_words="graduated approach",
    )
)
