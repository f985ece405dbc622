"""Sections of the analyst drill-down notebook (``50_drilldown``): a school, a provider, a
month.

Not part of the board pack, but built to the same rules: aggregates only, small counts
shown as ``c`` (:func:`sendready.reports.drilldown_figures.display_counts`), every chart
with alt text written from its numbers, free text (school and provider names) escaped,
and "no data" said plainly with the reason when there is nothing to show.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.core.errors import SendreadyError
from sendready.core.formatting import format_date, format_month, format_percent
from sendready.evidence.build import profile_indicator_ids
from sendready.indicators.registry import NoData
from sendready.privacy.disclosure import SUPPRESSED, suppression_note
from sendready.reports import drilldown_figures as dd
from sendready.reports.charts.display import figure_html
from sendready.reports.charts.theme import (
    HIGHLIGHT,
    LINE_GREY,
    clean_text,
    new_figure,
    percent_axis,
    styled,
)
from sendready.reports.common import escape, heading, paragraph, provenance_html, show, table_html

# DfE's names for the SEN type codes (docs/domain.md, school census codes).
NEED_NAMES = {
    "SPLD": "Specific learning difficulty",
    "MLD": "Moderate learning difficulty",
    "SLD": "Severe learning difficulty",
    "PMLD": "Profound and multiple learning difficulty",
    "SEMH": "Social, emotional and mental health",
    "SLCN": "Speech, language and communication needs",
    "HI": "Hearing impairment",
    "VI": "Visual impairment",
    "MSI": "Multi-sensory impairment",
    "PD": "Physical disability",
    "ASD": "Autistic spectrum disorder",
    "DS": "Down syndrome",
    "OTH": "Other difficulty or disability",
    "NSA": "SEN support, no specialist assessment of need",
}

# The health_referrals service codes (contracts.py) as a reader would name them.
SERVICE_NAMES = {
    "slt": "Speech and language therapy",
    "ot": "Occupational therapy",
    "physio": "Physiotherapy",
    "community_paediatrics": "Community paediatrics",
    "camhs": "Children's mental health (CAMHS)",
    "neurodevelopmental": "Neurodevelopmental (autism and ADHD)",
}


def _no_data(title: str, reason: object) -> str:
    return heading(2, title) + paragraph(f"No data: {reason}.")


def list_schools(ctx, search: str = "") -> pd.DataFrame:
    """Every school in the school census extract (URN, name, phase, latest census, pupils),
    or those whose URN or name contains ``search``.

    Raises:
        SendreadyError: Nothing matches ``search`` (the message names the closest
            schools), or the census extract was not supplied.
    """
    try:
        table = dd.schools(ctx.data)
    except NoData as reason:
        raise SendreadyError(f"There is no school to list: {reason}.") from None
    return dd.find(table, search, ["school_urn", "school_name"], "school").reset_index(drop=True)


def list_providers(ctx, search: str = "") -> pd.DataFrame:
    """Every provider in the health advice and referral extracts, busiest first (records
    of each), or those whose name contains ``search``.

    Raises:
        SendreadyError: Nothing matches ``search`` (the message names the closest
            providers), or neither extract was supplied.
    """
    try:
        table = dd.providers(ctx.data)
    except NoData as reason:
        raise SendreadyError(f"There is no provider to list: {reason}.") from None
    return dd.find(table, search, ["provider"], "provider").reset_index(drop=True)


def _chosen(check, data, value: str) -> str:
    """A parameter as the extracts spell it; a name the extracts lack is an error (with
    the closest names), but an extract that was not supplied is "no data" below."""
    try:
        return check(data, value)
    except NoData:
        return value


class DrillDown:
    """The drill-down for one school, one provider and one month.

    Args:
        ctx: From :func:`sendready.notebook.open_report`.
        school_urn: The school's URN; blank for the largest school in the latest census.
        provider: A provider's name as the extracts spell it; blank for the busiest.
        month: ``YYYY-MM``; blank for the last month of the reporting quarter.

    Raises:
        SendreadyError: No school in the census has ``school_urn``, or no provider in the
            health extracts is called ``provider`` (the message names the closest ones).

    The ``show_*`` methods display the sections of the notebook; the other public methods
    return the numbers behind them as DataFrames, for analysts' own work: counts as
    counted, **not** suppressed (restricted, like the evidence table: never paste them
    into anything shared).
    """

    def __init__(self, ctx, school_urn: str = "", provider: str = "", month: str = "") -> None:
        self.ctx = ctx
        self.data = ctx.data
        self.period_end = ctx.evidence.period_end
        self.threshold = ctx.profile.disclosure.threshold
        self.rounding = ctx.profile.disclosure.rounding
        school_urn, provider = str(school_urn).strip(), str(provider).strip()
        self.school_urn = (
            _chosen(dd.check_school, self.data, school_urn)
            if school_urn
            else self._default(dd.default_school, self.data, self.period_end)
        )
        self.provider = (
            _chosen(dd.check_provider, self.data, provider)
            if provider
            else self._default(dd.default_provider, self.data)
        )
        self.month = dd.parse_month(month, self.period_end)
        self.chosen = {
            "school": bool(school_urn),
            "provider": bool(provider),
            "month": bool(str(month).strip()),
        }

    @staticmethod
    def _default(choose, *args) -> str:
        try:
            return choose(*args)
        except NoData:
            return ""

    def _counts(self, frame: pd.DataFrame, counts: list[str], **kw) -> pd.DataFrame:
        return dd.display_counts(frame, counts, self.threshold, rounding=self.rounding, **kw)

    # --- headline ---------------------------------------------------------------------------

    def headline_html(self) -> str:
        area = self.ctx.profile.area.name
        school = f"URN {self.school_urn}" if self.school_urn else "none: no census"
        provider = self.provider or "none: no health extracts"

        def how(key: str) -> str:
            return "as chosen" if self.chosen[key] else "the default"

        return "".join(
            [
                f'<h1 id="top">Drill-down: {escape(area)}, quarter to '
                f"{escape(format_date(self.period_end))}</h1>",
                paragraph(
                    f"One school ({school}, {how('school')}), one provider ({provider}, "
                    f"{how('provider')}) and one month ({format_month(self.month)}, "
                    f"{how('month')}). Set school_urn, provider and month in the parameters "
                    "cell and run all cells to look at others."
                ),
                paragraph(
                    "Aggregates only: no row describes a child. " + suppression_note(self.threshold)
                ),
            ]
        )

    # --- a school ---------------------------------------------------------------------------

    def school_html(self) -> str:
        title = "A school"
        if not self.school_urn:
            return _no_data(title, "the school census extract holds no census up to the period end")
        try:
            census = dd.school_census_profile(self.data, self.school_urn, self.period_end)
        except NoData as reason:
            return _no_data(title, reason)
        name = dd.school_name(self.data, self.school_urn)
        shown = self._census_display(census)
        parts = [
            heading(2, f"{title}: {name} (URN {self.school_urn})", "school"),
            paragraph(
                "Pupils at each January census, and the school's share of pupils "
                "on SEN support and with an EHC plan against the area's mainstream "
                "schools (the centre of the funnel plots behind ID01 and ID02)."
            ),
            self._census_chart(census, shown, name),
            table_html(shown, f"Pupils by SEN provision at each census, {name}"),
        ]
        latest = census["census_date"].iloc[-1]
        try:
            needs = dd.school_needs(self.data, self.school_urn, latest)
        except NoData as reason:
            parts.append(paragraph(f"Primary needs: no data ({reason})."))
        else:
            parts.append(
                table_html(
                    self._needs_display(needs),
                    f"Pupils with SEN by primary need, {format_date(latest)} census, {name}",
                )
            )
        parts.append(self._requests_html(name))
        return "".join(parts)

    def _census_display(self, census: pd.DataFrame) -> pd.DataFrame:
        frame = census.copy()
        frame.index = [format_date(d) for d in frame["census_date"]]
        shown = self._counts(
            frame,
            ["pupils", "no_sen", "sen_support", "ehc_plan"],
            total_column="pupils",
            rates={
                "sen_support_rate": ("sen_support", "pupils"),
                "ehc_plan_rate": ("ehc_plan", "pupils"),
            },
        )
        for column in ("area_sen_support_rate", "area_ehc_plan_rate"):
            shown[column] = [format_percent(v) for v in frame[column]]
        out = shown.reset_index(names="Census")[
            [
                "Census",
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
        ]
        return out.rename(
            columns={
                "pupils": "Pupils",
                "no_sen": "No SEN recorded",
                "sen_support": "SEN support",
                "ehc_plan": "EHC plan",
                "sen_support_rate": "SEN support (%)",
                "area_sen_support_rate": "Area SEN support (%)",
                "sen_support_position": "SEN support: funnel position",
                "ehc_plan_rate": "EHC plan (%)",
                "area_ehc_plan_rate": "Area EHC plan (%)",
                "ehc_plan_position": "EHC plan: funnel position",
            }
        )

    def _census_chart(self, census: pd.DataFrame, shown: pd.DataFrame, name: str) -> str:
        """School against area at each census; hidden rates are left out of the lines."""
        hidden = {
            "SEN support": shown["SEN support (%)"] == SUPPRESSED,
            "EHC plan": shown["EHC plan (%)"] == SUPPRESSED,
        }
        with styled():
            figure, ax = new_figure()
            x = census["census_date"]
            top = 0.0
            for words, key, marker in (
                ("SEN support", "sen_support", "o"),
                ("EHC plan", "ehc_plan", "s"),
            ):
                school = census[f"{key}_rate"].astype(float).where(~hidden[words].to_numpy())
                area = census[f"area_{key}_rate"].astype(float)
                ax.plot(
                    x,
                    school,
                    color=HIGHLIGHT,
                    marker=marker,
                    linewidth=2,
                    label=f"{words}: this school",
                )
                ax.plot(
                    x,
                    area,
                    color=LINE_GREY,
                    marker=marker,
                    linestyle="--",
                    label=f"{words}: area mainstream schools",
                )
                top = max(
                    top, np.nanmax(school.to_numpy(dtype=float), initial=0), float(area.max())
                )
            percent_axis(ax, top=min(100.0, max(10.0, np.ceil(top / 10 + 0.5) * 10)))
            ax.set_xticks(list(x), [format_date(d) for d in x])
            ax.set_ylabel("Share of pupils")
            ax.legend(loc="upper left", fontsize="small")
        return figure_html(
            figure,
            self._census_alt(census, shown, name),
            caption=f"SEN support and EHC plan rates at each census, "
            f"{clean_text(name)}, against the area",
        )

    def _census_alt(self, census: pd.DataFrame, shown: pd.DataFrame, name: str) -> str:
        last = census.iloc[-1]
        row = shown.iloc[-1]

        def figure(words: str, key: str) -> str:
            own = row[f"{words} (%)"]
            own = f"not shown (fewer than {self.threshold} pupils)" if own == SUPPRESSED else own
            return (
                f"{words} {own} against the area's {format_percent(last[f'area_{key}_rate'])}"
                f", {last[f'{key}_position']}"
            )

        return (
            f"Line chart of the share of pupils on SEN support and with an EHC plan at "
            f"{clean_text(name)} at {len(census)} censuses from "
            f"{format_date(census['census_date'].iloc[0])} to "
            f"{format_date(last['census_date'])}, each against the area's mainstream "
            f"schools. At the latest census: {figure('SEN support', 'sen_support')}; "
            f"{figure('EHC plan', 'ehc_plan')}."
        )

    def _needs_display(self, needs: pd.DataFrame) -> pd.DataFrame:
        shown = self._counts(
            needs,
            ["sen_support", "ehc_plan", "all_sen"],
            total_column="all_sen",
            total_row="All needs",
        )
        shown.index = [NEED_NAMES.get(str(code), str(code)) for code in shown.index]
        return shown.reset_index(names="Primary need").rename(
            columns={
                "sen_support": "SEN support",
                "ehc_plan": "EHC plan",
                "all_sen": "All with SEN",
            }
        )

    def _requests_html(self, name: str) -> str:
        try:
            requests = dd.school_requests(self.data, self.school_urn, self.period_end)
        except NoData as reason:
            return paragraph(f"Requests for assessment: no data ({reason}).")
        frame = requests.copy()
        frame.index = [f"Year to {format_date(d)}" for d in frame["year_to"]]
        shown = self._counts(
            frame,
            ["requests_received", "requested_by_school", "decisions", "refused"],
            rates={"refusal_rate": ("refused", "decisions")},
        )
        shown["area_refusal_rate"] = [format_percent(v) for v in frame["area_refusal_rate"]]
        shown = shown.reset_index(names="Twelve months")[
            [
                "Twelve months",
                "requests_received",
                "requested_by_school",
                "decisions",
                "refused",
                "refusal_rate",
                "area_refusal_rate",
                "funnel_position",
            ]
        ].rename(
            columns={
                "requests_received": "Requests for the school's pupils",
                "requested_by_school": "Made by the school",
                "decisions": "Decisions on the school's requests",
                "refused": "Refused",
                "refusal_rate": "Refused (%)",
                "area_refusal_rate": "All schools' requests refused (%)",
                "funnel_position": "Refusal funnel position",
            }
        )
        return (
            heading(3, "Requests for an EHC needs assessment", "school-requests")
            + paragraph(
                "Requests naming the school, by twelve months to the period end "
                "and the same day in earlier years; refusals are of requests the "
                "school made (ID05), placed on a funnel of every requesting "
                "school's refusal rate."
            )
            + table_html(shown, f"Requests and refusals, {name}")
        )

    # --- a provider -------------------------------------------------------------------------

    def provider_html(self) -> str:
        title = "A health provider"
        if not self.provider:
            return _no_data(title, "no provider is named in the health extracts")
        parts = [heading(2, f"{title}: {self.provider}", "provider")]
        parts.append(self._advice_html())
        parts.append(self._waits_html())
        return "".join(parts)

    def _advice_html(self) -> str:
        head = heading(3, "Health advice for EHC needs assessments", "provider-advice")
        try:
            months = dd.provider_advice_months(self.data, self.provider, self.period_end)
        except NoData as reason:
            return head + paragraph(f"No data: {reason}.")
        frame = months.copy()
        frame.index = [format_month(m) for m in frame["month"]]
        shown = self._counts(
            frame,
            ["advice_due", "on_time", "received"],
            rates={"on_time_rate": ("on_time", "advice_due")},
            medians={"median_days": "received"},
        )
        shown = shown.reset_index(names="Month")[
            ["Month", "advice_due", "on_time", "on_time_rate", "received", "median_days"]
        ]
        shown = shown.rename(
            columns={
                "advice_due": "Due in the month",
                "on_time": "Received within 6 weeks",
                "on_time_rate": "Within 6 weeks (%)",
                "received": "Received in the month",
                "median_days": "Median days to advice",
            }
        )
        return (
            head
            + paragraph(
                "As HINF01 and HINF02 count them, for this provider only: "
                "requests are placed in the month their 42-day deadline "
                "falls; the median is of advice received in the month."
            )
            + table_html(shown, f"Health advice from {self.provider}, by month")
        )

    def _waits_html(self) -> str:
        head = heading(3, "Children waiting for a first contact", "provider-waits")
        try:
            months = dd.provider_wait_months(self.data, self.provider, self.period_end)
            services = dd.provider_waits_by_service(self.data, self.provider, self.period_end)
        except NoData as reason:
            return head + paragraph(f"No data: {reason}.")
        frame = months.copy()
        frame.index = [format_month(m) for m in frame["month"]]
        shown = self._counts(
            frame,
            ["waiting", "over_18_weeks", "over_52_weeks", "first_seen"],
            rates={
                "over_18_weeks_rate": ("over_18_weeks", "waiting"),
                "over_52_weeks_rate": ("over_52_weeks", "waiting"),
            },
            medians={"median_wait": "first_seen"},
        )
        shown = shown.reset_index(names="Month")[
            [
                "Month",
                "waiting",
                "over_18_weeks",
                "over_18_weeks_rate",
                "over_52_weeks",
                "over_52_weeks_rate",
                "first_seen",
                "median_wait",
            ]
        ].rename(
            columns={
                "waiting": "Waiting at month end",
                "over_18_weeks": "Over 18 weeks",
                "over_18_weeks_rate": "Over 18 weeks (%)",
                "over_52_weeks": "Over 52 weeks",
                "over_52_weeks_rate": "Over 52 weeks (%)",
                "first_seen": "First seen in month",
                "median_wait": "Median wait of those seen",
            }
        )
        services.index = [SERVICE_NAMES.get(s, s) for s in services.index]
        by_service = self._counts(services, ["waiting", "over_18_weeks", "over_52_weeks"])
        by_service = by_service.reset_index(names="Service").rename(
            columns={
                "waiting": "Waiting",
                "over_18_weeks": "Over 18 weeks",
                "over_52_weeks": "Over 52 weeks",
            }
        )
        return (
            head
            + paragraph(
                "As JC03 to JC05 count them, for this provider only: a child "
                "waits from referral to first contact (or discharge), and is "
                "counted as waiting at each month end until then."
            )
            + self._waits_chart(months, shown)
            + table_html(shown, f"Waiting list of {self.provider}, by month")
            + table_html(
                by_service,
                f"Children waiting for {self.provider} on "
                f"{format_date(self.period_end)}, by service",
            )
        )

    def _waits_chart(self, months: pd.DataFrame, shown: pd.DataFrame) -> str:
        hidden = (shown["Over 18 weeks (%)"] == SUPPRESSED).to_numpy()
        rate = months["over_18_weeks_rate"].astype(float).where(~hidden)
        with styled():
            figure, ax = new_figure()
            ax.plot(months["month"], rate, color=HIGHLIGHT, marker="o", linewidth=2)
            percent_axis(ax)
            ax.set_ylabel("Waiting over 18 weeks")
            ax.set_xticks(
                list(months["month"]),
                [m.strftime("%b %Y") for m in months["month"]],
                rotation=45,
                ha="right",
            )
        last = shown.iloc[-1]
        latest = (
            last["Over 18 weeks (%)"]
            if last["Over 18 weeks (%)"] != SUPPRESSED
            else f"not shown (fewer than {self.threshold} children)"
        )
        shown_rates = rate.dropna()
        span = (
            f"between {format_percent(shown_rates.min())} and {format_percent(shown_rates.max())}"
            if len(shown_rates)
            else "not shown"
        )
        alt = (
            f"Line chart of the share of children on {clean_text(self.provider)}'s waiting "
            f"list who had waited over 18 weeks, at each month end from "
            f"{format_month(months['month'].iloc[0])} to "
            f"{format_month(months['month'].iloc[-1])}: {span} over the months shown; "
            f"{latest} at the end of {format_month(months['month'].iloc[-1])}, of "
            f"{last['Waiting at month end']} children waiting."
        )
        return figure_html(
            figure, alt, caption=f"Children waiting over 18 weeks, {clean_text(self.provider)}"
        )

    # --- a month ----------------------------------------------------------------------------

    def month_html(self) -> str:
        title = f"A month: {format_month(self.month)}"
        if self.month > self.period_end:
            return _no_data(
                title,
                f"{format_month(self.month)} falls after the reporting "
                f"period, which ends on {format_date(self.period_end)}; set a "
                "later period_end to see it",
            )
        table = dd.month_indicators(self.ctx.evidence, self.month)
        if (table["value"] == "no figure for this month").all():
            return _no_data(
                title,
                "no indicator has a figure for this month (the monthly "
                "series start at the profile's baseline, and none is computed "
                "for a period the extracts predate)",
            )
        shown = table.rename(
            columns={
                "indicator_id": "Indicator",
                "title": "Title",
                "numerator": "Numerator",
                "denominator": "Denominator",
                "value": "Value",
                "interval": "95% interval",
                "pattern": "Control chart reading",
            }
        )
        return (
            heading(2, title, "month")
            + paragraph(
                "Every indicator of the profile in this month, as the reports "
                "count it (monthly rows of the indicator table; census and survey "
                "indicators have figures only in the month of a census or wave). "
                "x: no data; z: not applicable."
            )
            + table_html(shown, f"Indicators in {format_month(self.month)}")
        )

    # --- DataFrames for analysts (unsuppressed: see the class docstring) ---------------------

    def _frame(self, compute, *args) -> pd.DataFrame:
        try:
            return compute(self.data, *args)
        except NoData as reason:
            raise SendreadyError(f"No data: {reason}.") from None

    def school_census(self) -> pd.DataFrame:
        """The school's pupils at each census, against the area (see
        :func:`~sendready.reports.drilldown_figures.school_census_profile`)."""
        return self._frame(dd.school_census_profile, self.school_urn, self.period_end)

    def school_needs(self) -> pd.DataFrame:
        """The school's pupils with SEN by primary need at its latest census."""
        latest = self.school_census()["census_date"].iloc[-1]
        return self._frame(dd.school_needs, self.school_urn, latest)

    def school_requests(self) -> pd.DataFrame:
        """Requests for assessment for the school's pupils, by twelve months."""
        return self._frame(dd.school_requests, self.school_urn, self.period_end)

    def provider_advice(self) -> pd.DataFrame:
        """The provider's health advice on time and days to advice, by month."""
        return self._frame(dd.provider_advice_months, self.provider, self.period_end)

    def provider_waits(self) -> pd.DataFrame:
        """The provider's waiting list at each month end."""
        return self._frame(dd.provider_wait_months, self.provider, self.period_end)

    def provider_waits_by_service(self) -> pd.DataFrame:
        """The provider's waiting list on the period end, by service."""
        return self._frame(dd.provider_waits_by_service, self.provider, self.period_end)

    def month_table(self) -> pd.DataFrame:
        """The month's rows of the indicator table (whole area), for every indicator of
        the profile that has one: the evidence table's own rows and columns."""
        table = self.ctx.evidence.table
        ids = profile_indicator_ids(self.ctx.profile)
        rows = table[
            (table["period_type"] == "month")
            & (table["breakdown"] == "")
            & (table["period_start"] == self.month)
            & table["indicator_id"].isin(ids)
        ]
        return rows.reset_index(drop=True)

    # --- notebook entry points --------------------------------------------------------------

    def show_headline(self) -> None:
        show(self.headline_html())

    def show_school(self) -> None:
        show(self.school_html())

    def show_provider(self) -> None:
        show(self.provider_html())

    def show_month(self) -> None:
        show(self.month_html())

    def show_provenance(self) -> None:
        show(provenance_html(self.ctx))
