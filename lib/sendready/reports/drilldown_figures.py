"""Drill-down tables for analysts: one school, one health provider, one month.

Board reports show the whole area; an analyst asked "why?" needs to look inside. These
functions answer three questions with aggregates only, using the same definitions as the
indicators they explain, so a drill-down can never disagree with the report:

- **a school**: its pupils by SEN provision at each census, its SEN support and EHC plan
  rates against the area's and its place on the funnel (ID01, ID02), and the requests
  for assessment made for its pupils and how many were refused (ID05);
- **a provider**: health advice on time and days to advice by month (HINF01, HINF02 for
  that provider), and its waiting list by month and by service (JC03-JC05);
- **a month**: every indicator of the profile for that month, from the evidence.

Every function returns counts, never rows about a child; :func:`display_counts` turns
them into text with disclosure control (small counts shown as ``c``). Nothing is counted
after the period end, nor after the extract date (a waiting list "in 2024" worked out
from a 2019 extract would be invented, not measured).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import pandas as pd

from sendready.core.errors import SendreadyError
from sendready.core.formatting import format_date, format_value
from sendready.evidence.build import Evidence, profile_indicator_ids
from sendready.indicators.health_information import (
    health_advice_on_time,
    median_days_to_health_advice,
)
from sendready.indicators.identification import (
    NOT_IN_FUNNEL,
    school_identification_funnel,
    school_refusal_funnel,
)
from sendready.indicators.periods import as_timestamp, monthly_periods
from sendready.indicators.registry import NoData, StagedData
from sendready.indicators.statutory import _decisions
from sendready.indicators.waits import (
    EIGHTEEN_WEEKS,
    FIFTY_TWO_WEEKS,
    median_wait_of_those_seen,
    waiting_at_period_end,
)
from sendready.privacy.disclosure import SUPPRESSED, suppress_indicator_rows, suppress_table
from sendready.stats.spc import VARIATION_LABELS

MONTHS_SHOWN = 12  # a year of months: enough to see a season, short enough to read
YEARS_SHOWN = 3  # requests per school are few; three years shows a pattern, if any
NOT_IN_FUNNEL_WORDS = "not in the funnel (special school or pupil referral unit)"
POSITION_WORDS = {
    "above 99.8% limit": "above the 99.8% limit",
    "above 95% limit": "above the 95% limit only",
    "below 99.8% limit": "below the 99.8% limit",
    "below 95% limit": "below the 95% limit only",
    "within limits": "within the limits",
}


# --- shared checks -----------------------------------------------------------------------


def check_within_extract(data: StagedData, period_end: object) -> pd.Timestamp:
    """The period end as a timestamp, or :class:`NoData` when the extract predates it.

    The same rule as the indicator engine: figures for a period the extracts were taken
    before would carry the last known position forward, not measure anything.
    """
    end = as_timestamp(period_end)
    extract = data.extract_date
    if extract is not None and end > extract:
        raise NoData(
            f"the extracts were taken on {format_date(extract)}, before the end of this period"
        )
    return end


def last_months(period_end: object, months: int = MONTHS_SHOWN) -> pd.DataFrame:
    """The ``months`` calendar months ending with the one holding ``period_end``."""
    end = as_timestamp(period_end)
    first = (end.to_period("M") - (months - 1)).start_time
    return monthly_periods(first, end)


def parse_month(month: str, period_end: object) -> pd.Timestamp:
    """The first day of the month an analyst asked for; blank means the period's last month.

    Raises:
        SendreadyError: The text is not a month.
    """
    text = str(month).strip()
    if not text:
        return as_timestamp(period_end).to_period("M").start_time
    try:
        return pd.Timestamp(text).to_period("M").start_time
    except (ValueError, TypeError):
        raise SendreadyError(
            f"The month {text!r} is not a month.", hint="Write it as year and month, e.g. 2019-03."
        ) from None


# --- finding a school or a provider by name --------------------------------------------------

SUGGESTIONS = 3  # a few close names help; a long list is what list_schools() is for
CLOSE = 0.6  # difflib.get_close_matches' own cut-off


def close_matches(wanted: str, choices: Mapping[str, str]) -> list[str]:
    """Keys of ``choices`` (key -> name) whose key or name is close to ``wanted``, closest
    first (ties in the order given: busiest provider, lowest URN).

    A mistyped URN is close to the right one (a digit dropped or swapped), and an analyst
    may type a school's name where its URN was asked for, so both are compared
    (:mod:`difflib`'s ratio, case-insensitive, at least 0.6 as ``get_close_matches``), as
    is the start of each name as long as the text typed ("Irwel Acute" is far from the
    whole of "Irwell Acute Hospitals NHS Trust" but close to its first eleven letters);
    a name that contains the text typed counts as a full match.
    """
    text = str(wanted).strip().lower()
    if not text:
        return []

    def score(key: str, name: str) -> float:
        name = str(name).lower()
        if text in name:
            return 1.0
        ratios = (str(key).lower(), name, name[: len(text)])
        return max(difflib.SequenceMatcher(None, text, r).ratio() for r in ratios)

    scored = [(score(k, v), n, k) for n, (k, v) in enumerate(choices.items())]
    close = sorted((-s, n, k) for s, n, k in scored if s >= CLOSE)
    return [k for _, _, k in close[:SUGGESTIONS]]


def _did_you_mean(found: list[str], choices: Mapping[str, str], quote: bool) -> str:
    if not found:
        return ""
    words = [
        f"{k!r}" if quote else (f"{k} ({choices[k]})" if choices[k] != k else str(k)) for k in found
    ]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f" Did you mean {listed}?"


def schools(data: StagedData) -> pd.DataFrame:
    """Every school in the school census extract, as its latest census gives it.

    Returns:
        ``school_urn, school_name, phase, latest_census, pupils`` (pupils at that census),
        by URN.

    Raises:
        NoData: The school census extract was not supplied.
    """
    census = data.require("school_census")
    latest = census.sort_values("census_date", kind="stable").groupby(
        "school_urn", observed=True, sort=True
    )
    last = latest.tail(1).set_index("school_urn")
    sizes = (
        census.merge(last[["census_date"]].reset_index(), on=["school_urn", "census_date"])
        .groupby("school_urn", observed=True, sort=True)
        .size()
    )
    out = pd.DataFrame(
        {
            "school_name": last["school_name"],
            "phase": last["phase"],
            "latest_census": last["census_date"],
            "pupils": sizes,
        }
    ).sort_index()
    out.index.name = "school_urn"
    return out.reset_index()


def check_school(data: StagedData, school_urn: str) -> str:
    """The URN as the census holds it, or an error naming the closest schools.

    Raises:
        SendreadyError: No school in the census has this URN.
    """
    table = schools(data)
    names = dict(
        zip(table["school_urn"].astype(str), table["school_name"].astype(str), strict=True)
    )
    urn = str(school_urn).strip()
    if urn in names:
        return urn
    found = close_matches(urn, names)
    raise SendreadyError(
        f"No school with URN {urn!r} is in the school census extract."
        + _did_you_mean(found, names, quote=False),
        hint="Set school_urn to a URN the census holds; list_schools(ctx) lists every "
        "school (list_schools(ctx, 'part of a name') finds one).",
    )


def check_provider(data: StagedData, provider: str) -> str:
    """The provider as the extracts spell it (matched ignoring case and spacing), or an
    error naming the closest providers.

    Raises:
        SendreadyError: No provider in the health extracts has a name like this.
    """
    table = providers(data)
    names = {str(p): str(p) for p in table["provider"]}
    wanted = " ".join(str(provider).split())
    same = [p for p in names if " ".join(p.split()).lower() == wanted.lower()]
    if same:
        return same[0]
    found = close_matches(wanted, names)
    raise SendreadyError(
        f"No provider named {wanted!r} is in the health advice or referral extracts."
        + _did_you_mean(found, names, quote=True),
        hint="Set provider to a name as the extracts spell it; list_providers(ctx) lists them.",
    )


def find(table: pd.DataFrame, search: str, columns: list[str], what: str) -> pd.DataFrame:
    """Rows of ``table`` where any of ``columns`` contains ``search`` (case-insensitive).

    Raises:
        SendreadyError: Nothing matches; the message names the closest values.
    """
    text = str(search).strip().lower()
    if not text:
        return table
    hit = pd.Series(False, index=table.index)
    for column in columns:
        hit |= table[column].astype(str).str.lower().str.contains(text, regex=False)
    if hit.any():
        return table[hit]
    key = columns[0]
    names = dict(zip(table[key].astype(str), table[columns[-1]].astype(str), strict=True))
    found = close_matches(text, names)
    raise SendreadyError(
        f"No {what} matches {search!r}." + _did_you_mean(found, names, quote=len(columns) == 1),
        hint=f"Try part of the name, or leave the search out to list every {what}.",
    )


# --- a school ----------------------------------------------------------------------------


def census_dates(data: StagedData, period_end: object) -> list[pd.Timestamp]:
    """School census dates on or before the period end, oldest first."""
    census = data.require("school_census")
    end = as_timestamp(period_end)
    return sorted(d for d in census["census_date"].dropna().unique() if d <= end)


def default_school(data: StagedData, period_end: object) -> str:
    """The URN of the largest school in the funnel at the latest census: a school whose
    figures rest on many pupils, so the drill-down has something to show by default."""
    dates = census_dates(data, period_end)
    if not dates:
        raise NoData("no school census falls on or before the period end")
    census = data.require("school_census")
    latest = census[(census["census_date"] == dates[-1]) & ~census["phase"].isin(NOT_IN_FUNNEL)]
    sizes = latest.groupby("school_urn", observed=True).size()
    if sizes.empty:
        raise NoData("the latest census holds no mainstream school")
    # Largest first; the URN breaks ties so the choice does not depend on row order.
    return str(sorted(sizes.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0])


def school_name(data: StagedData, school_urn: str) -> str:
    """The school's name as the latest census gives it (free text: escape to display)."""
    census = data.require("school_census")
    rows = census[census["school_urn"] == school_urn].sort_values("census_date")
    return str(rows["school_name"].iloc[-1]) if len(rows) else f"school {school_urn}"


def school_census_profile(data: StagedData, school_urn: str, period_end: object) -> pd.DataFrame:
    """The school's pupils at each census up to the period end, against the area.

    Returns:
        One row per census: ``census_date, pupils, no_sen, sen_support, ehc_plan``
        (counts; ``no_sen`` is every pupil not recorded K or E, so the three add up to
        ``pupils``), ``sen_support_rate`` and ``ehc_plan_rate`` (percent), the funnel's
        centre for the area's mainstream schools ``area_sen_support_rate`` and
        ``area_ehc_plan_rate`` (percent, as ID01 and ID02 use it), and the school's
        position on each funnel in words.

    Raises:
        NoData: No census up to the period end lists the school.
    """
    end = check_within_extract(data, period_end)
    census = data.require("school_census")
    mine = census[(census["school_urn"] == school_urn) & (census["census_date"] <= end)]
    if mine.empty:
        raise NoData(
            f"no school census on or before {format_date(end)} lists a school with URN {school_urn}"
        )
    rows = []
    for day, pupils in mine.groupby("census_date", sort=True):
        provision = pupils["sen_provision"].fillna("")
        row = {
            "census_date": day,
            "pupils": len(pupils),
            "sen_support": int((provision == "K").sum()),
            "ehc_plan": int((provision == "E").sum()),
        }
        row["no_sen"] = row["pupils"] - row["sen_support"] - row["ehc_plan"]
        for code, key in (("K", "sen_support"), ("E", "ehc_plan")):
            row[f"{key}_rate"] = row[key] / row["pupils"] * 100
            funnel = school_identification_funnel(data, day, provision=code)
            row[f"area_{key}_rate"] = float(funnel.attrs["p0"]) * 100
            hit = funnel[funnel["school_urn"] == school_urn]
            row[f"{key}_position"] = (
                POSITION_WORDS[str(hit["classification"].iloc[0])]
                if len(hit)
                else NOT_IN_FUNNEL_WORDS
            )
        rows.append(row)
    columns = [
        "census_date",
        "pupils",
        "no_sen",
        "sen_support",
        "ehc_plan",
        "sen_support_rate",
        "area_sen_support_rate",
        "sen_support_position",
        "ehc_plan_rate",
        "area_ehc_plan_rate",
        "ehc_plan_position",
    ]
    return pd.DataFrame(rows)[columns]


def school_needs(data: StagedData, school_urn: str, census_date: object) -> pd.DataFrame:
    """Pupils with SEN at one census by primary need and provision, with totals.

    Returns:
        Index: primary need codes (most common first) then ``"All needs"``; columns
        ``sen_support``, ``ehc_plan`` and ``all_sen`` (their sum).
    """
    census = data.require("school_census")
    day = as_timestamp(census_date)
    pupils = census[
        (census["school_urn"] == school_urn)
        & (census["census_date"] == day)
        & census["sen_provision"].isin(["K", "E"]).fillna(False)
    ]
    if pupils.empty:
        raise NoData(f"no pupil with SEN is recorded at the school on {format_date(day)}")
    need = pupils["primary_need"].fillna("not recorded").astype(str)
    table = pd.crosstab(need, pupils["sen_provision"].astype(str))
    table = table.reindex(columns=["K", "E"], fill_value=0).rename(
        columns={"K": "sen_support", "E": "ehc_plan"}
    )
    table["all_sen"] = table["sen_support"] + table["ehc_plan"]
    table = table.sort_values(["all_sen"], ascending=False, kind="stable")
    table.loc["All needs"] = table.sum()
    table.index.name = "primary_need"
    table.columns.name = None
    return table.astype(int)


def _year_windows(period_end: pd.Timestamp, years: int) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Twelve-month windows ending on the period end and on the same day in earlier years."""
    windows = []
    for back in range(years - 1, -1, -1):
        stop = period_end - pd.DateOffset(years=back)
        windows.append((stop - pd.DateOffset(years=1) + pd.Timedelta(days=1), stop))
    return windows


def school_requests(
    data: StagedData, school_urn: str, period_end: object, years: int = YEARS_SHOWN
) -> pd.DataFrame:
    """Requests for assessment for the school's pupils, and refusals of the school's own.

    Counted over twelve-month windows ending on the period end (a month holds too few
    requests per school): requests received for children whose request names the school
    (any requester), requests the school itself made, decisions on the school's own
    requests and how many were refused (ID05's definition), the refusal rate, the rate for
    every school's requests in the area, and the school's place on the refusal funnel.
    """
    end = check_within_extract(data, period_end)
    requests = data.require("ehc_requests")
    decided = _decisions(data)
    from_schools = decided[decided["requester"] == "school"]
    rows = []
    for start, stop in _year_windows(end, years):
        received = requests[
            requests["received_date"].between(start, stop)
            & (requests["school_urn"] == school_urn).fillna(False)
        ]
        window = from_schools[from_schools["decision_date"].between(start, stop)]
        mine = window[(window["school_urn"] == school_urn).fillna(False)]
        refused = int((mine["decision"] == "not_assess").sum())
        all_refused = int((window["decision"] == "not_assess").sum())
        position = "no decisions on its requests"
        if len(mine):
            funnel = school_refusal_funnel(data, start, stop)
            hit = funnel[funnel["school_urn"] == school_urn]
            position = POSITION_WORDS[str(hit["classification"].iloc[0])]
        rows.append(
            {
                "year_to": stop,
                "requests_received": len(received),
                "requested_by_school": int((received["requester"] == "school").sum()),
                "decisions": len(mine),
                "refused": refused,
                "refusal_rate": refused / len(mine) * 100 if len(mine) else pd.NA,
                "area_refusal_rate": all_refused / len(window) * 100 if len(window) else pd.NA,
                "funnel_position": position,
            }
        )
    return pd.DataFrame(rows)


# --- a provider ----------------------------------------------------------------------------


def providers(data: StagedData) -> pd.DataFrame:
    """Providers named in the health advice and health referral extracts.

    Returns:
        ``provider, health_advice, referrals`` (record counts), busiest first.
    """
    counts = {}
    advice = data.get("ehc_advice")
    if advice is not None:
        health = advice[advice["advice_type"] == "health"]
        counts["health_advice"] = health.groupby("provider", observed=True).size()
    referrals = data.get("health_referrals")
    if referrals is not None:
        counts["referrals"] = referrals.groupby("provider", observed=True).size()
    if not counts:
        raise NoData("neither the ehc_advice nor the health_referrals extract was supplied")
    table = pd.DataFrame(counts).fillna(0).astype(int)
    table = table.reindex(columns=["health_advice", "referrals"], fill_value=0)
    table.index.name = "provider"
    order = (table["health_advice"] + table["referrals"]).sort_values(
        ascending=False, kind="stable"
    )
    return table.loc[order.index].reset_index()


def default_provider(data: StagedData) -> str:
    """The provider with the most health advice and referrals recorded."""
    table = providers(data)
    if table.empty:
        raise NoData("no provider is named in the health advice or referral extracts")
    return str(table["provider"].iloc[0])


def provider_advice_months(
    data: StagedData, provider: str, period_end: object, months: int = MONTHS_SHOWN
) -> pd.DataFrame:
    """HINF01 and HINF02 for one provider, by month.

    Returns:
        ``month`` (first day), ``advice_due`` (health advice requests whose 42-day deadline
        fell in the month), ``on_time`` and ``on_time_rate`` (percent), ``received`` (health
        advice received in the month) and ``median_days`` (request to receipt).

    Raises:
        NoData: The provider gave no health advice in the extract.
    """
    check_within_extract(data, period_end)
    advice = data.require("ehc_advice")
    mine = advice[(advice["provider"] == provider).fillna(False)]
    if not (mine["advice_type"] == "health").any():
        raise NoData(f"the ehc_advice extract holds no health advice from {provider}")
    # The indicators' own functions on the provider's rows: the same definitions exactly.
    own = StagedData(tables={"ehc_advice": mine}, extract_date=data.extract_date)
    periods = last_months(period_end, months)
    due = health_advice_on_time(own, periods)
    median = median_days_to_health_advice(own, periods)
    median = median[median["breakdown"] == ""].reset_index(drop=True)
    out = pd.DataFrame(
        {
            "month": periods["period_start"],
            "advice_due": due["denominator"].to_numpy(),
            "on_time": due["numerator"].to_numpy(),
            "received": median["denominator"].to_numpy(),
            "median_days": pd.array(median["value"].to_numpy(dtype=float), dtype="Float64"),
        }
    )
    out["on_time_rate"] = (
        out["on_time"] / out["advice_due"].where(out["advice_due"] > 0) * 100
    ).astype("Float64")
    return out[["month", "advice_due", "on_time", "on_time_rate", "received", "median_days"]]


def _provider_referrals(data: StagedData, provider: str) -> pd.DataFrame:
    referrals = data.require("health_referrals")
    mine = referrals[(referrals["provider"] == provider).fillna(False)]
    if mine.empty:
        raise NoData(f"the health_referrals extract holds no referral to {provider}")
    return mine


def provider_wait_months(
    data: StagedData, provider: str, period_end: object, months: int = MONTHS_SHOWN
) -> pd.DataFrame:
    """JC03-JC05 for one provider, by month.

    Returns:
        ``month``, ``waiting`` (children waiting at the month end), ``over_18_weeks``,
        ``over_18_weeks_rate``, ``over_52_weeks``, ``over_52_weeks_rate`` (percent of those
        waiting), ``first_seen`` (children first seen in the month) and ``median_wait``
        (days from referral to first contact for them).
    """
    check_within_extract(data, period_end)
    mine = _provider_referrals(data, provider)
    periods = last_months(period_end, months)
    over_18 = waiting_at_period_end(mine, periods, EIGHTEEN_WEEKS)
    over_52 = waiting_at_period_end(mine, periods, FIFTY_TWO_WEEKS)
    seen = median_wait_of_those_seen(mine, periods)
    out = pd.DataFrame(
        {
            "month": periods["period_start"],
            "waiting": over_18["denominator"].to_numpy(),
            "over_18_weeks": over_18["numerator"].to_numpy(),
            "over_52_weeks": over_52["numerator"].to_numpy(),
            "first_seen": seen["denominator"].to_numpy(),
            "median_wait": pd.array(seen["value"].to_numpy(dtype=float), dtype="Float64"),
        }
    )
    waiting = out["waiting"].where(out["waiting"] > 0)
    out["over_18_weeks_rate"] = (out["over_18_weeks"] / waiting * 100).astype("Float64")
    out["over_52_weeks_rate"] = (out["over_52_weeks"] / waiting * 100).astype("Float64")
    return out[
        [
            "month",
            "waiting",
            "over_18_weeks",
            "over_18_weeks_rate",
            "over_52_weeks",
            "over_52_weeks_rate",
            "first_seen",
            "median_wait",
        ]
    ]


def provider_waits_by_service(data: StagedData, provider: str, period_end: object) -> pd.DataFrame:
    """The provider's waiting list on the period end, by service (JC03 and JC04)."""
    end = check_within_extract(data, period_end)
    mine = _provider_referrals(data, provider)
    day = pd.DataFrame({"period_start": [end], "period_end": [end]})
    rows = []
    for service, referrals in mine.groupby("service", sort=True, observed=True):
        over_18 = waiting_at_period_end(referrals, day, EIGHTEEN_WEEKS)
        over_52 = waiting_at_period_end(referrals, day, FIFTY_TWO_WEEKS)
        waiting = int(over_18["denominator"].iloc[0])
        rows.append(
            {
                "service": str(service),
                "waiting": waiting,
                "over_18_weeks": int(over_18["numerator"].iloc[0]),
                "over_52_weeks": int(over_52["numerator"].iloc[0]),
            }
        )
    out = pd.DataFrame(rows, columns=["service", "waiting", "over_18_weeks", "over_52_weeks"])
    return out.set_index("service")


# --- a month ---------------------------------------------------------------------------------


def month_indicators(evidence: Evidence, month: pd.Timestamp) -> pd.DataFrame:
    """Every indicator of the profile in one month, ready to display.

    Figures come from the evidence's indicator table through
    :func:`~sendready.privacy.disclosure.suppress_indicator_rows`, so they are hidden exactly where
    the reports hide them; the control-chart reading of the month comes from the
    indicator's assessment.

    Returns:
        One row per indicator: ``indicator_id, title, numerator, denominator, value,
        interval, pattern`` (all text). An indicator with no row for the month (a census
        or survey indicator between waves, or no data) says so in ``value``.
    """
    start = as_timestamp(month).to_period("M").start_time
    shown = suppress_indicator_rows(evidence.table, evidence.profile.disclosure)
    rows = shown[
        (shown["period_type"] == "month")
        & (shown["breakdown"] == "")
        & (shown["period_start"] == start)
    ]
    out = []
    for indicator_id in profile_indicator_ids(evidence.profile):
        assessment = evidence.assessments[indicator_id]
        hit = rows[rows["indicator_id"] == indicator_id]
        record = {
            "indicator_id": indicator_id,
            "title": assessment.title,
            "numerator": "",
            "denominator": "",
            "value": "",
            "interval": "",
            "pattern": "",
        }
        if hit.empty:
            record["value"] = "no figure for this month"
            out.append(record)
            continue
        row = hit.iloc[0]
        record.update(
            numerator=row["numerator"], denominator=row["denominator"], value=row["value"]
        )
        if row["ci_low"] not in ("x", "z", SUPPRESSED) and not pd.isna(row["ci_low"]):
            record["interval"] = f"{row['ci_low']} to {row['ci_high']}"
        elif row["ci_low"] == SUPPRESSED:
            record["interval"] = SUPPRESSED
        record["pattern"] = _pattern(assessment, start)
        out.append(record)
    return pd.DataFrame(out)


def _pattern(assessment, start: pd.Timestamp) -> str:
    if assessment.spc is None:
        return "no control chart"
    points = assessment.spc.points
    hit = points[pd.to_datetime(points["date"]) == start]
    if hit.empty or pd.isna(hit["point_type"].iloc[0]):
        return "no point"
    return VARIATION_LABELS.get(str(hit["point_type"].iloc[0]), str(hit["point_type"].iloc[0]))


# --- display with disclosure control --------------------------------------------------------


def display_counts(
    frame: pd.DataFrame,
    counts: list[str],
    threshold: int,
    *,
    rates: Mapping[str, tuple[str, str]] | None = None,
    medians: Mapping[str, str] | None = None,
    total_column: str | None = None,
    total_row: object | None = None,
    rounding: int | None = None,
) -> pd.DataFrame:
    """A drill-down table as text, with small counts (and what rests on them) as ``c``.

    Counts and rates go through :func:`~sendready.privacy.disclosure.suppress_table` (primary and,
    where the table has totals, secondary suppression). A median rests on its count of
    cases: it is hidden with that count and shown in days otherwise.

    Args:
        frame: One row per month, census, service or need; a unique index.
        counts: Columns holding counts of children or records about them.
        threshold: The profile's disclosure threshold.
        rates: Rate column (percent) -> (numerator column, denominator column).
        medians: Median column (days) -> the count column it rests on.
        total_column: The column holding each row's total, if any.
        total_row: The index label of the totals row, if any.
        rounding: Round shown counts to this multiple (the profile's setting).
    """
    shown = suppress_table(
        frame,
        counts,
        threshold=threshold,
        rates=rates,
        total_column=total_column,
        total_row=total_row,
        rounding=rounding,
    )
    for median, basis in (medians or {}).items():
        texts = [
            SUPPRESSED if hidden == SUPPRESSED else format_value(value, "days")
            for value, hidden in zip(frame[median], shown[basis], strict=True)
        ]
        shown[median] = pd.array(texts, dtype="string")
    return shown
