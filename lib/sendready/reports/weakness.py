"""The report for one weakness (or priority area): what a board member reads.

Sections, in order: headline verdict and summary; what inspectors found and what success
looks like; one evidence panel per indicator (chart, numbers, sentences); voices
(consented quotes only); plan actions; analyst commentary; data quality and caveats; how
the verdict was reached; provenance. Every number comes from the evidence's indicator
table through the narrator, with disclosure control applied.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sendready.core.formatting import format_date, format_month, format_percent
from sendready.core.text import strip_bidi
from sendready.indicators import REGISTRY
from sendready.privacy.disclosure import (
    NOT_CHILDREN,
    assert_aggregate,
    suppress_indicator_rows,
    suppression_note,
)
from sendready.reports import analyst, panels
from sendready.reports.common import (
    escape,
    heading,
    paragraph,
    provenance_html,
    show,
    verdict_badge,
)
from sendready.reports.context import profile_at, recorded_status_applies, shared_narrator

QUOTE_LIMIT = 5
SOURCE_WORDS = {
    "parent": "A parent or carer",
    "cyp": "A young person",
    "practitioner": "A practitioner",
}
STATUS_WORDS = {
    "complete": "Complete",
    "on_track": "On track",
    "at_risk": "At risk",
    "overdue": "Overdue",
    "not_started": "Not started",
}


class WeaknessReport:
    """Builds and shows each section of one weakness report.

    Args:
        ctx: From :func:`sendready.notebook.open_report`.
        weakness_id: Which weakness or priority area.
        commentary_dir: Optional folder of analyst commentary files named
            ``<weakness id>_<period end>.md`` (e.g. ``W3_2019-03-31.md``).
    """

    def __init__(self, ctx, weakness_id: str, commentary_dir: str = "") -> None:
        self.ctx = ctx
        # Only what was known at the period end (the clock; also applied by ReportContext).
        self.profile = profile_at(ctx.profile, ctx.evidence.period_end)
        self.weakness = self.profile.weakness(weakness_id)
        self.evidence = ctx.evidence
        self.verdict = ctx.evidence.verdicts[weakness_id]
        self.narrator = shared_narrator(ctx)  # suppression marked once per batch
        self.threshold = ctx.profile.disclosure.threshold
        self.commentary_dir = Path(commentary_dir) if commentary_dir else None
        self.wsoa = self.profile.framework.kind == "wsoa-2016"

    # --- sections ---------------------------------------------------------------------

    def headline_html(self) -> str:
        w = self.weakness
        kind = "Area of significant weakness" if self.wsoa else "Area for priority action"
        title = f"{w.id}: {w.title}"
        quoted = (
            f"Inspectors' words: “{w.title}”"
            if w.title_wording == "verbatim"
            else "Title summarised from the inspection report"
        )
        return "".join(
            [
                f'<h1 id="top">{escape(title)}</h1>',
                paragraph(
                    f"{kind}, {self.profile.area.name}. Evidence for the quarter to "
                    f"{format_date(self.evidence.period_end)}. {quoted}."
                ),
                "<p><strong>Verdict:</strong> "
                f"{verdict_badge(self.verdict.code, self.verdict.label)}</p>",
                heading(2, "Summary"),
                f"<p>{self.narrator.weakness_summary_html(w.id)}</p>",
            ]
        )

    def inspection_html(self) -> str:
        w = self.weakness
        parts = [
            heading(2, "What inspectors found"),
            paragraph(w.inspectors_found),
            heading(2, "What success looks like"),
            paragraph(w.success_looks_like),
        ]
        if w.revisit_outcome:
            parts.append(paragraph(f"Recorded outcome of the re-visit: {w.revisit_outcome}."))
        return "".join(parts)

    def evidence_panels(self) -> None:
        show(
            heading(2, "Evidence, indicator by indicator")
            + paragraph(suppression_note(self.threshold))
        )
        drawn: dict[str, str] = {}  # charts shared by several panels are drawn once
        for indicator_id in self.weakness.indicators:
            panels.show_indicator_panel(self.ctx, self.narrator, indicator_id, drawn)

    def voices_html(self) -> str:
        parts = [heading(2, "What families and practitioners say")]
        quotes = self._consented_quotes()
        if quotes.empty:
            parts.append(
                paragraph(
                    "No quotes with consent to publish were recorded for this "
                    "area of work up to the period end."
                )
            )
            return "".join(parts)
        for _, quote in quotes.iterrows():
            who = SOURCE_WORDS.get(str(quote["source"]), "Someone")
            parts.append(
                f'<figure class="sr-quote"><blockquote><p>{escape(str(quote["text"]))}'
                f"</p></blockquote><figcaption>{escape(who)}, "
                f"{escape(format_month(quote['date']))}</figcaption></figure>"
            )
        parts.append(paragraph("Only quotes given with consent to publish are shown."))
        return "".join(parts)

    def _consented_quotes(self) -> pd.DataFrame:
        quotes = self.ctx.data.get("quotes")
        if quotes is None:
            return pd.DataFrame()
        mine = quotes[
            (quotes["weakness_id"] == self.weakness.id)
            & quotes["consent"].fillna(False).astype(bool)
            & (quotes["date"] <= self.evidence.period_end)
        ]
        return mine.sort_values("date", ascending=False).head(QUOTE_LIMIT)

    def actions_html(self) -> str:
        parts = [heading(2, "Actions in the plan")]
        actions = self.ctx.data.get("action_plan")
        if actions is None or actions.empty:
            parts.append(
                paragraph(
                    "No action plan extract was supplied, so the plan's actions cannot be shown."
                )
            )
            return "".join(parts)
        mine = actions[actions["weakness_id"] == self.weakness.id]
        if mine.empty:
            parts.append(paragraph(f"The action plan holds no actions for {self.weakness.id}."))
            return "".join(parts)
        status = actions_status_at(
            mine,
            self.evidence.period_end,
            use_recorded=recorded_status_applies(
                getattr(self.ctx.data, "extract_date", None), self.evidence.period_end
            ),
        )
        parts.append(
            panels.actions_chart_html(
                pd.DataFrame({"status": status}),
                self.weakness.id,
                format_date(self.evidence.period_end),
            )
        )
        overdue = int((status == "overdue").sum())
        complete = int((status == "complete").sum())
        parts.append(
            paragraph(
                f"Of {len(mine)} actions for {self.weakness.id}, {complete} "
                f"were complete and {overdue} overdue at {format_date(self.evidence.period_end)}.",
                attributes=f' data-counts="{NOT_CHILDREN}"',  # actions are not children
            )
        )
        return "".join(parts)

    def commentary_html(self) -> str:
        parts = [heading(2, "Analyst commentary")]
        text = self._commentary_text()
        if text is None:
            parts.append(paragraph("No analyst commentary was provided for this period."))
        else:
            parts.append(render_commentary(text))
        return "".join(parts)

    def _commentary_text(self) -> str | None:
        if self.commentary_dir is None:
            return None
        name = f"{self.weakness.id}_{self.evidence.period_end.date().isoformat()}.md"
        path = self.commentary_dir / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def caveats_html(self) -> str:
        parts = [heading(2, "Data quality and caveats")]
        items = []
        sources = sorted(
            {s for i in self.weakness.indicators if i in REGISTRY for s in REGISTRY[i].sources}
        )
        summary = self.ctx.ingest.summary.get("sources", {})
        for source in sources:
            src = summary.get(source)
            if src is None or src.get("status") != "staged":
                items.append(
                    f"The {source} extract was not supplied: indicators that need it show no data."
                )
            elif src["rows_read"] and src["rows_quarantined"]:
                items.append(
                    f"{quarantined_share(src)} of the rows in the {source} extract "
                    "were set aside in quarantine because they broke a data rule (see "
                    "the data quality report)."
                )
        for indicator_id in self.weakness.indicators:
            a = self.evidence.assessments[indicator_id]
            if a.signal == "no_data":
                items.append(f"{indicator_id} {a.title}: no data ({a.reason}).")
            if indicator_id in REGISTRY and REGISTRY[indicator_id].notes:
                items.append(f"{indicator_id} definition: {REGISTRY[indicator_id].notes}")
        if self.weakness.caveats:
            items.append(self.weakness.caveats)
        parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
        return "".join(parts)

    def verdict_html(self) -> str:
        return "".join(
            [
                heading(2, "How the verdict was reached"),
                f"<p>{self.narrator.verdict_explanation_html(self.weakness.id)}</p>",
            ]
        )

    # --- notebook entry points (display and return nothing, so no Out[] appears) -------

    def show_headline(self) -> None:
        show(self.headline_html())

    def show_inspection(self) -> None:
        show(self.inspection_html())

    def show_evidence(self) -> None:
        self.evidence_panels()

    def show_voices(self) -> None:
        show(self.voices_html())

    def show_actions(self) -> None:
        show(self.actions_html())

    def show_commentary(self) -> None:
        show(self.commentary_html())

    def show_caveats(self) -> None:
        show(self.caveats_html())

    def show_verdict_explanation(self) -> None:
        show(self.verdict_html())

    def show_provenance(self) -> None:
        show(provenance_html(self.ctx))

    # --- for analysts: DataFrames and charts on demand (sendready.reports.analyst) ----

    def table(self) -> pd.DataFrame:
        """This weakness's rows of the indicator table (every period and breakdown) as the
        evidence holds them: numbers, counts not suppressed (restricted, see
        :mod:`sendready.reports.analyst`)."""
        return analyst.indicator_rows(self.evidence, self.weakness.indicators)

    def chart(self, indicator_id: str) -> analyst.IndicatorChart:
        """One indicator's chart, as the report draws it (see
        :func:`sendready.reports.analyst.indicator_chart`)."""
        wanted = analyst.check_indicator(self.evidence, self.weakness.indicators, indicator_id)
        return analyst.indicator_chart(self.ctx, self.narrator, wanted)

    def indicator_table(self) -> pd.DataFrame:
        """This weakness's quarter rows of the indicator table, suppressed as the report
        suppresses them (executed notebooks are kept and shared too): the table the
        notebook's analyst cell shows."""
        table = self.narrator.table
        rows = table[
            table["indicator_id"].isin(self.weakness.indicators)
            & (table["period_type"] == "quarter")
        ]
        cols = [
            "indicator_id",
            "breakdown",
            "numerator",
            "denominator",
            "value",
            "ci_low",
            "ci_high",
            "suppressed",
            "no_data_reason",
        ]
        # The narrator's table was marked over each indicator's every row, as secondary
        # suppression works within an indicator, so the quarter rows keep those marks.
        shown = suppress_indicator_rows(rows, self.profile.disclosure, marked=True)
        return assert_aggregate(shown[[c for c in cols if c in shown]]).reset_index(drop=True)


def quarantined_share(source: dict) -> str:
    """The share of an extract's rows quarantined, never rounded to a misleading "0.0%"."""
    share = source["rows_quarantined"] / source["rows_read"] * 100
    return "fewer than 0.1%" if 0 < share < 0.05 else format_percent(share)


def actions_status_at(
    actions: pd.DataFrame, period_end: pd.Timestamp, *, use_recorded: bool = False
) -> pd.Series:
    """Each action's status as at the period end, derived from its dates.

    The extract's ``status`` describes the extract date, which may be later than the
    period being reported; dates let an earlier quarter be reported as it stood: complete
    when completed by the period end, overdue when due before it and not complete, else
    on track (open and not yet due). Only with ``use_recorded`` (the extract is the
    quarter's own: :func:`sendready.reports.context.recorded_status_applies`) do the
    recorded at risk and not started, which dates alone cannot show, replace on track.
    """
    end = pd.Timestamp(period_end)
    done = actions["completed_date"].notna() & (actions["completed_date"] <= end)
    overdue = ~done & (actions["due_date"] < end)
    status = pd.Series("on_track", index=actions.index, dtype="string")
    status[overdue] = "overdue"
    status[done] = "complete"
    if use_recorded:
        recorded = actions["status"].astype("string")
        keep = ~done & ~overdue & recorded.isin(["at_risk", "not_started"])
        status[keep] = recorded[keep]
    return status


def render_commentary(text: str) -> str:
    """Analyst markdown as HTML with any raw HTML escaped (commentary is free text)."""
    import mistune

    html = mistune.create_markdown(escape=True)(strip_bidi(text))
    # Commentary sits under an h2: keep its own headings below that level.
    return _demote_headings(html)


def _demote_headings(html: str) -> str:
    import re

    return re.sub(r"<(/?)h([1-3])>", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 2}>", html)
