"""The data-quality report: what was read, staged and set aside, linkage, completeness."""

from __future__ import annotations

from html import escape

from sendready.core.formatting import format_count, format_date
from sendready.evidence import data_quality as quality
from sendready.reports.common import heading, paragraph, provenance_html, show, table_html


class DataQualityReport:
    """Sections of the ``90_data_quality`` notebook."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.summary = ctx.ingest.summary

    def headline_html(self) -> str:
        sources = self.summary.get("sources", {})
        staged = [s for s in sources.values() if s.get("status") == "staged"]
        read = sum(s["rows_read"] for s in staged)
        held = sum(s["rows_quarantined"] for s in staged)
        missing = [n for n, s in sources.items() if s.get("status") != "staged"]
        text = (
            f"{len(staged)} extracts were read for {self.ctx.profile.area.name}, taken on "
            f"{format_date(self.summary.get('extract_date'))}: {format_count(read)} rows, of "
            f"which {format_count(held)} broke a data rule and were set aside in quarantine "
            "with the reason, so that no row is lost silently. Every count below "
            "reconciles: rows read = rows staged + rows quarantined."
        )
        if missing:
            text += f" Not supplied: {', '.join(missing)}."
        return f'<h1 id="top">Data quality: {escape(self.ctx.profile.area.name)}</h1>' + paragraph(
            text
        )

    def sources_html(self) -> str:
        table = quality.sources_table(self.summary)
        return heading(2, "Rows read, staged and quarantined") + table_html(
            table, "Rows per extract", units={"Quarantined (%)": "percent"}
        )

    def reasons_html(self) -> str:
        table = quality.reasons_table(self.summary)
        if table.empty:
            return (
                heading(2, "Why rows were quarantined")
                + paragraph("No row broke a rule.")
                + self.placeholders_html()
                + self.conflicts_html()
            )
        table["Rule"] = table["Rule"].str.replace("_", " ")
        return self._reasons_table_html(table) + self.placeholders_html() + self.conflicts_html()

    def _reasons_table_html(self, table) -> str:
        return (
            heading(2, "Why rows were quarantined")
            + paragraph(
                "Analysts can open each extract's quarantine file (it opens in "
                "Excel) to see every row set aside, its original row number, the "
                "column, the rule and the value."
            )
            + table_html(table, "Quarantined rows by rule", fold=True)
        )

    def placeholders_html(self) -> str:
        table = quality.placeholders_table(self.summary)
        title = heading(3, "Placeholder words read as blank")
        if table.empty:
            return title + paragraph("No optional field held a placeholder word.")
        return (
            title
            + paragraph(
                "Words such as 'N/A', 'TBC', 'unknown' or '-' in an optional date or code "
                "field say the value is not known, as a blank does, so they are read as "
                "blank and the row is kept. In a field that must be filled in they are "
                "still a fault and the row is quarantined. A large count here is worth "
                "raising with whoever keeps the system: the field is being filled in with "
                "words, not left blank."
            )
            + table_html(table, "Placeholder words read as blank, by field")
        )

    def conflicts_html(self) -> str:
        table = quality.conflicts_table(self.summary)
        title = heading(3, "Rows that contradict each other")
        if table.empty:
            return title + paragraph(
                "No key was repeated with different values, and no UPN or NHS number was "
                "held by more than one person id."
            )
        return (
            title
            + paragraph(
                "The same child recorded twice with different details, or one UPN or NHS "
                "number under two person ids, is a duplicate record in the area's system. "
                "The suite does not choose between them silently: the rule that decided "
                "what was kept is stated beside each count. 'Rows' counts the later rows "
                "that disagree, or the person ids that share an identifier."
            )
            + table_html(table, "Conflicting rows, by source")
        )

    def linkage_html(self) -> str:
        table = quality.linkage_table(self.ctx.data)
        return (
            heading(2, "How well the extracts link")
            + paragraph(
                "Reports join extracts on shared identifiers; a record that does "
                "not link cannot count towards indicators that need both."
            )
            + table_html(table, "Linkage between extracts", units={"Linked (%)": "percent"})
        )

    def completeness_html(self) -> str:
        table = quality.completeness_by_quarter(self.ctx.data, self.ctx.evidence.period_end)
        if table.empty:
            return heading(2, "Completeness over time") + paragraph("No dated records.")
        wide = table.pivot_table(
            index="Quarter", columns="Source", values="Records", aggfunc="sum"
        ).reset_index()
        filled = table.pivot_table(
            index="Quarter", columns="Source", values="Optional fields filled (%)"
        ).reset_index()
        return (
            heading(2, "Completeness over time")
            + paragraph(
                "A sudden fall in records or in filled-in fields usually means an "
                "extract problem rather than a change in services."
            )
            + table_html(wide, "Records per quarter, by extract", fold=True)
            + table_html(
                filled,
                "Optional fields filled in (%), by quarter and extract",
                units={c: "percent" for c in filled.columns[1:]},
                fold=True,
            )
        )

    def show_headline(self) -> None:
        show(self.headline_html())

    def show_sources(self) -> None:
        show(self.sources_html())

    def show_reasons(self) -> None:
        show(self.reasons_html())

    def show_linkage(self) -> None:
        show(self.linkage_html())

    def show_completeness(self) -> None:
        show(self.completeness_html())

    def show_provenance(self) -> None:
        show(provenance_html(self.ctx))
