"""The board summary: every weakness's verdict and key indicators on one page."""

from __future__ import annotations

import pandas as pd

from sendready.core.formatting import format_date, format_value
from sendready.evidence.build import profile_indicator_ids
from sendready.evidence.verdicts import VERDICT_LABELS, Verdict
from sendready.metadata.profile import VerdictRule
from sendready.privacy.disclosure import counts_attribute, suppression_note
from sendready.reports import analyst
from sendready.reports.charts import mdc_icons
from sendready.reports.common import (
    assurance_code,
    escape,
    heading,
    paragraph,
    provenance_html,
    show,
    verdict_badge,
)
from sendready.reports.context import profile_at, shared_narrator
from sendready.reports.narrative.summaries import rule_text
from sendready.reports.narrative.words import count_words


def verdict_rule_text(rule: VerdictRule) -> str:
    """The verdict rule in the words every weakness report uses, for this profile's rule.

    Built from the same steps as the narrative's verdict explanations, so the summary and
    the reports cannot describe the rule differently (the rule's module docstring is
    written for developers and names configuration keys).
    """
    return rule_text(
        rule,
        "Each verdict follows a fixed rule over the key indicators, taking the first step "
        "that applies: ",
    )


class BoardSummary:
    """Sections of the ``00_board_summary`` notebook."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.profile = profile_at(ctx.profile, ctx.evidence.period_end)  # the clock
        self.evidence = ctx.evidence
        self.narrator = shared_narrator(ctx)  # suppression marked once per batch
        self.threshold = ctx.profile.disclosure.threshold
        self.wsoa = self.profile.framework.kind == "wsoa-2016"
        self.item = "weakness" if self.wsoa else "priority area"

    def _items(self, n: int) -> str:
        if n == 1:
            return self.item
        return "weaknesses" if self.wsoa else "priority areas"

    def key_indicators(self, weakness) -> list[str]:
        return weakness.key_indicators or weakness.indicators

    def headline_html(self) -> str:
        verdicts: list[Verdict] = list(self.evidence.verdicts.values())
        improving = sum(v.improving for v in verdicts)
        period = format_date(self.evidence.period_end)
        return "".join(
            [
                f'<h1 id="top">Board summary: SEND improvement evidence for '
                f"{escape(self.profile.area.name)}</h1>",
                paragraph(
                    f"Quarter to {period}. Of the {count_words(len(verdicts))} "
                    f"{self._items(len(verdicts))}, {count_words(improving)} "
                    f"{'shows' if improving == 1 else 'show'} evidence of improvement that "
                    "the statistics support."
                ),
                paragraph(suppression_note(self.threshold)),
            ]
        )

    def verdicts_html(self) -> str:
        rows = []
        for w in self.profile.weaknesses:
            v = self.evidence.verdicts[w.id]
            link = f'<a href="{escape(w.id)}.html">{escape(w.id)}: {escape(w.title)}</a>'
            rows.append(
                f'<tr><th scope="row">{link}</th>'
                f"<td>{verdict_badge(v.code, v.label)}</td>"
                f"<td>{self.narrator.weakness_summary_html(w.id)}</td></tr>"
            )
        return (
            heading(2, f"Verdict for each {self.item}")
            + f"<table><caption>Verdicts, quarter to {format_date(self.evidence.period_end)}"
            f'</caption><thead><tr><th scope="col">{self.item.capitalize()}</th>'
            '<th scope="col">Verdict</th><th scope="col">Summary</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def key_indicators_html(self) -> str:
        parts = [heading(2, "Key indicators")]
        for w in self.profile.weaknesses:
            rows = []
            for indicator_id in self.key_indicators(w):
                a = self.evidence.assessments[indicator_id]
                level = self.narrator.level(indicator_id)
                change = self.narrator.change_since_previous_quarter(indicator_id) or (
                    "No comparable figure for the previous quarter."
                )
                # A key indicator of meetings, actions or services is marked as such.
                rows.append(
                    f"<tr{counts_attribute(indicator_id)}>"
                    f'<th scope="row">{escape(indicator_id)} {escape(a.title)}</th>'
                    f"<td>{escape(level)}</td><td>{escape(change)}</td>"
                    f"<td>{self.sparkline(indicator_id)}</td>"
                    f"<td>{mdc_icons.variation_badge(a)}</td>"
                    f"<td>{mdc_icons.assurance_badge(assurance_code(a))}</td></tr>"
                )
            parts.append(
                heading(3, f"{w.id}: {w.title}", f"key-{w.id}")
                + f"<table><caption>Key indicators for {escape(w.id)}</caption><thead><tr>"
                '<th scope="col">Indicator</th><th scope="col">Latest quarter</th>'
                '<th scope="col">Change since the previous quarter</th>'
                '<th scope="col">Monthly trend</th>'
                '<th scope="col">Variation</th><th scope="col">Assurance against target</th>'
                f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            )
        return "".join(parts)

    def sparkline(self, indicator_id: str) -> str:
        """The indicator's monthly figures as a small line, hidden months left as gaps."""
        table = self.narrator.table  # suppression marked
        rows = table[
            (table["indicator_id"] == indicator_id)
            & (table["breakdown"] == "")
            & (table["period_type"] == "month")
        ].sort_values("period_start")
        hidden = rows["no_data"].astype(bool) | rows["suppressed"].astype(bool)
        values = [None if h else float(v) for v, h in zip(rows["value"], hidden, strict=True)]
        a = self.evidence.assessments[indicator_id]
        shown = [v for v in values if v is not None]
        if len(shown) < 2:
            return "Too few monthly figures"
        start, end = rows["period_start"].iloc[0], rows["period_start"].iloc[-1]
        label = (
            f"Monthly trend of {a.title}, {start:%B %Y} to {end:%B %Y}: from "
            f"{format_value(shown[0], a.unit)} to {format_value(shown[-1], a.unit)}"
        )
        colour = mdc_icons.VARIATION_COLOURS.get(mdc_icons.variation_code(a), mdc_icons.GREY)
        return mdc_icons.sparkline(values, label=label, colour=colour, target=a.target)

    def how_to_read_html(self) -> str:
        items = "".join(f"<li>{escape(label)}</li>" for label in VERDICT_LABELS.values())
        return "".join(
            [
                heading(2, "How to read this summary"),
                paragraph(
                    "Each key indicator has two icons from NHS England's 'Making Data "
                    "Count' set. The first says whether the latest figures differ from "
                    "what the service produced before the plan by more than chance: blue "
                    "means improving, orange getting worse, grey no significant change "
                    "and purple a change that is neither better nor worse; the letter H or "
                    "L says whether the figures went up or down, so a blue L is an "
                    "improvement where lower is better. The second says whether the target "
                    "will be met if things carry on as they are: P met, F missed, ? "
                    "sometimes met and sometimes missed, and a wave when the figures are "
                    "still moving too much to tell. The trend line shows the monthly "
                    "figures (gaps where a figure is not shown), the latest point in the "
                    "first icon's colour, and the target as a red dashed line. The technical "
                    "annex on the index page explains the statistics."
                ),
                paragraph(verdict_rule_text(self.profile.verdict_rule)),
                f"<p>The verdicts, from best to worst, then the one given when the data cannot "
                f"support a judgement:</p><ul>{items}</ul>",
            ]
        )

    def show_headline(self) -> None:
        show(self.headline_html())

    def show_verdicts(self) -> None:
        show(self.verdicts_html())

    def show_key_indicators(self) -> None:
        show(self.key_indicators_html())

    def show_how_to_read(self) -> None:
        show(self.how_to_read_html())

    def show_provenance(self) -> None:
        show(provenance_html(self.ctx))

    def table(self) -> pd.DataFrame:
        """For analysts: the indicator table's rows for every indicator of the profile, as
        the evidence holds them (counts not suppressed: :mod:`sendready.reports.analyst`)."""
        return analyst.indicator_rows(self.ctx.evidence, profile_indicator_ids(self.ctx.profile))
