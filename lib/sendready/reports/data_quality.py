"""The data-quality report: what was read, staged and set aside, linkage, completeness.

Its counts are of rows and records, and almost every extract holds one row per child or
per event in a child's case, so each count is treated as a count about children and
obeys the profile's disclosure rule (:mod:`sendready.privacy.disclosure`): a count of 1
to T - 1 is shown as ``c``, as is a share whose complement is that small, and another
cell is hidden wherever a shown total would give a hidden one back. The lines that add
up are: rows read = staged + quarantined for each extract; each column over the extracts
against the headline's totals; and an extract's quarantine reasons against its
quarantined rows, when they add up to it (a row breaking two rules counts once there).
Extracts about meetings or web searches are treated the same way: a hidden cell in them
would otherwise give back one about children through the totals.
"""

from __future__ import annotations

import pandas as pd

from sendready.core.formatting import format_count, format_date, format_percent
from sendready.core.text import strip_bidi_frame
from sendready.evidence import data_quality as quality
from sendready.privacy.disclosure import (
    NOT_AVAILABLE,
    NOT_CHILDREN,
    SUPPRESSED,
    Line,
    is_complement_primary,
    is_primary,
    secondary_suppression,
    suppress_table,
    suppression_note,
)
from sendready.reports.common import escape, heading, paragraph, provenance_html, show, table_html

ALL = "All extracts"


def suppressed_quantities(summary: dict, threshold: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sources table's counts and the quarantine reasons, as text, suppressed together.

    Returns:
        ``sources``: one row per staged extract and a last row :data:`ALL`, columns
        ``Rows read``, ``Staged``, ``Quarantined`` and ``Quarantined (%)`` as text;
        ``reasons``: ``Source``, ``Rule``, ``Rows`` (text), as
        :func:`sendready.evidence.data_quality.reasons_table`.
    """
    staged = {n: s for n, s in summary.get("sources", {}).items() if s.get("status") == "staged"}
    counts = pd.DataFrame(
        {
            "Rows read": [s["rows_read"] for s in staged.values()],
            "Staged": [s["rows_staged"] for s in staged.values()],
            "Quarantined": [s["rows_quarantined"] for s in staged.values()],
        },
        index=list(staged),
        dtype=float,
    )
    counts.loc[ALL] = counts.sum()
    reasons = quality.reasons_table({"sources": staged})
    columns = ["Rows read", "Staged", "Quarantined"]
    sizes: dict = {(r, c): counts.at[r, c] for r in counts.index for c in columns}
    sizes |= {("reason", s, rule): float(n) for s, rule, n in reasons.itertuples(index=False)}
    primary = [cell for cell, n in sizes.items() if is_primary(n, threshold)]
    primary += [
        (r, "Quarantined")
        for r in counts.index
        if (r, "Quarantined") not in primary
        and is_complement_primary(counts.at[r, "Quarantined"], counts.at[r, "Rows read"], threshold)
    ]
    inner = [r for r in counts.index if r != ALL]
    lines = [Line(((r, "Staged"), (r, "Quarantined")), (r, "Rows read")) for r in counts.index]
    lines += [Line(tuple((r, c) for r in inner), (ALL, c)) for c in columns]
    for source, rows in reasons.groupby("Source", sort=False):
        if rows["Rows"].sum() == counts.at[source, "Quarantined"]:
            parts = tuple(("reason", source, rule) for rule in rows["Rule"])
            lines.append(Line(parts, (source, "Quarantined")))
    hidden = set(primary) | secondary_suppression(sizes, lines, primary)

    def text(cell) -> str:
        return SUPPRESSED if cell in hidden else format_count(sizes[cell])

    shown = pd.DataFrame(
        {c: [text((r, c)) for r in counts.index] for c in columns}, index=counts.index
    )
    shown["Quarantined (%)"] = [
        SUPPRESSED
        if (r, "Quarantined") in hidden or (r, "Rows read") in hidden
        else format_percent(counts.at[r, "Quarantined"] / counts.at[r, "Rows read"] * 100)
        if counts.at[r, "Rows read"]
        else NOT_AVAILABLE
        for r in counts.index
    ]
    reasons = reasons.assign(
        Rows=[
            text(("reason", s, rule))
            for s, rule in zip(reasons["Source"], reasons["Rule"], strict=True)
        ]
    )
    return shown, reasons


def controls_removed(data, sources) -> dict[tuple[str, str], int]:
    """Bidirectional control characters removed from each extract's text columns
    (:mod:`sendready.core.text`), by (extract, column).

    Reports read tables that are cleaned as they load
    (:class:`~sendready.reports.context.ShownStagedData` keeps the counts); tables that
    were not (a plain :class:`~sendready.indicators.StagedData`) are counted here.
    """
    kept = getattr(data, "controls_removed", None)
    removed: dict[tuple[str, str], int] = {}
    for source in sources:
        frame = data.get(source)
        if kept is None and frame is not None:
            removed |= {(source, c): n for c, n in strip_bidi_frame(frame)[1].items()}
    return dict(sorted((kept or {}).items())) | removed


class DataQualityReport:
    """Sections of the ``90_data_quality`` notebook."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.summary = ctx.ingest.summary
        self.threshold = ctx.profile.disclosure.threshold
        self.quantities = suppressed_quantities(self.summary, self.threshold)

    def headline_html(self) -> str:
        sources = self.summary.get("sources", {})
        staged = [s for s in sources.values() if s.get("status") == "staged"]
        shown, _ = self.quantities
        read, held = shown.at[ALL, "Rows read"], shown.at[ALL, "Quarantined"]
        missing = [n for n, s in sources.items() if s.get("status") != "staged"]
        text = (
            f"{format_count(len(staged))} extracts were read for {self.ctx.profile.area.name}, "
            f"taken on {format_date(self.summary.get('extract_date'))}: {read} rows, of "
            f"which {held} broke a data rule and were set aside in quarantine "
            "with the reason, so that no row is lost silently. Every count below "
            "reconciles: rows read = rows staged + rows quarantined."
        )
        if missing:
            text += f" Not supplied: {', '.join(missing)}."
        return (
            f'<h1 id="top">Data quality: {escape(self.ctx.profile.area.name)}</h1>'
            + paragraph(text)
            + paragraph(suppression_note(self.threshold))
        )

    def sources_html(self) -> str:
        table = quality.sources_table(self.summary)
        shown, reasons = self.quantities
        for column in ("Rows read", "Staged", "Quarantined", "Quarantined (%)"):
            table[column] = [
                shown.at[n, column] if n in shown.index else NOT_AVAILABLE for n in table["Source"]
            ]
        # The main reasons repeat the reasons table's counts, hidden as they are there.
        by_source = {s: rows for s, rows in reasons.groupby("Source", sort=False)}
        table["Main reasons"] = [
            "; ".join(
                f"{rule.replace('_', ' ')} ({n})"
                for rule, n in self._main_reasons(by_source[n]).itertuples(index=False)
            )
            if n in by_source
            else main
            for n, main in zip(table["Source"], table["Main reasons"], strict=True)
        ]
        return (
            heading(2, "Rows read, staged and quarantined")
            + table_html(table, "Rows per extract", units={"Quarantined (%)": "percent"})
            + self.gaps_html()
        )

    def gaps_html(self) -> str:
        """Columns not supplied (indicators without data) and rows naming weaknesses the
        profile does not have; empty when there are neither."""
        profile = self.ctx.profile
        ids = list(dict.fromkeys(i for w in profile.weaknesses for i in w.indicators))
        missing = quality.columns_not_supplied(self.ctx.data, ids)
        strays = quality.unknown_weakness_ids(self.ctx.data, [w.id for w in profile.weaknesses])
        parts = []
        if len(missing):
            parts.append(
                heading(2, "Columns not supplied")
                + paragraph(
                    "These columns are needed only by some indicators and were left out of "
                    "the extract or blank in every row. Those indicators show no data rather "
                    "than a figure; the rest of the pack is unaffected."
                )
                + table_html(missing, "Columns not supplied")
            )
        if len(strays):
            parts.append(
                heading(2, "Rows naming a weakness this profile does not have")
                + paragraph(
                    f"Weakness ids of {escape(profile.id)} are "
                    f"{escape(', '.join(w.id for w in profile.weaknesses))}. These rows name "
                    "others, so no weakness report shows them: correct the extract, or the "
                    "profile if a weakness is missing."
                )
                # Quotes are people's words: their counts obey the threshold too.
                + table_html(self._few_hidden(strays, "Rows"), "Rows with an unknown weakness id")
            )
        return "".join(parts)

    def _main_reasons(self, rows: pd.DataFrame) -> pd.DataFrame:
        """An extract's three commonest reasons (by the true count), shown as suppressed."""
        counts = self.summary["sources"][rows["Source"].iloc[0]].get("reasons", {})
        order = sorted(rows["Rule"], key=lambda rule: -counts.get(rule, 0))[:3]
        return rows.set_index("Rule").loc[order, ["Rows"]].reset_index()

    def reasons_html(self) -> str:
        _, table = self.quantities
        table = table.copy()
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
            + table_html(
                self._few_hidden(table, "Cells read as blank"),
                "Placeholder words read as blank, by field",
            )
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
            + table_html(self._few_hidden(table, "Rows"), "Conflicting rows, by source")
        )

    def _few_hidden(self, table, column: str):
        """A table of counts about children's records with no totals: only its own small
        cells are hidden (primary suppression), as in the completeness table."""
        return suppress_table(
            table.reset_index(drop=True), [column], threshold=self.ctx.profile.disclosure
        )

    def linkage_html(self) -> str:
        table = quality.linkage_table(self.ctx.data)
        if not table.empty:
            table = suppress_table(
                table.set_index("Link"),
                ["Records", "Linked"],
                threshold=self.ctx.profile.disclosure,
                rates={"Linked (%)": ("Linked", "Records")},
            ).reset_index()
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
        counts = table.pivot_table(
            index="Quarter", columns="Source", values="Records", aggfunc="sum"
        )
        filled = table.pivot_table(
            index="Quarter", columns="Source", values="Optional fields filled (%)"
        ).reindex(index=counts.index, columns=counts.columns)
        # No totals are shown, so only primary cells: a quarter's few records of an extract.
        wide = suppress_table(
            counts, list(counts.columns), threshold=self.ctx.profile.disclosure
        ).astype(object)
        # The share filled in describes the same few records: hidden with their count.
        filled = filled.astype(object)
        for column in counts.columns:
            for quarter in counts.index:
                if wide.at[quarter, column] == SUPPRESSED:
                    filled.at[quarter, column] = SUPPRESSED
        wide = wide.reset_index()
        wide.columns.name = None
        filled = filled.reset_index()
        filled.columns.name = None
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

    def controls_html(self) -> str:
        """How many text-direction control characters were taken out of free text.

        They count characters, not children or records, so the table is marked
        ``data-counts="not-children"`` and shows small numbers.
        """
        sources = [
            n for n, s in self.summary.get("sources", {}).items() if s.get("status") == "staged"
        ]
        removed = controls_removed(self.ctx.data, sources)
        parts = [
            heading(2, "Hidden text-direction characters"),
            paragraph(
                "Free text (quotes, actions, names) can hold invisible characters that "
                "make a browser show the words after them in another order, so that a "
                "page reads differently from what was recorded. They are removed before "
                "any text reaches a report."
            ),
        ]
        if not removed:
            parts.append(paragraph("No free text in the extracts held any."))
            return "".join(parts)
        table = pd.DataFrame(
            {
                "Extract": [source for source, _ in removed],
                "Column": [column for _, column in removed],
                "Characters removed": list(removed.values()),
            }
        )
        parts.append(
            f'<div data-counts="{NOT_CHILDREN}">'
            + table_html(table, "Text-direction characters removed, by extract and column")
            + "</div>"
        )
        return "".join(parts)

    def show_headline(self) -> None:
        show(self.headline_html())

    def show_sources(self) -> None:
        show(self.sources_html())

    def show_reasons(self) -> None:
        show(self.reasons_html())

    def show_linkage(self) -> None:
        show(self.linkage_html())

    def show_completeness(self) -> None:
        # The notebook's last data section; the controls are counted as its tables load.
        show(self.completeness_html() + self.controls_html())

    def show_provenance(self) -> None:
        show(provenance_html(self.ctx))
