"""Plain-English narrative: sentences a board member can read, no claim the data cannot bear.

* :mod:`~sendready.reports.narrative.sentences` - one indicator: its level, change since the
  baseline and the previous quarter, control-chart signal, target, benchmarks, caveats.
* :mod:`~sendready.reports.narrative.summaries` - one weakness: the summary paragraph and how its
  verdict was reached.
* :mod:`~sendready.reports.narrative.narrator` - :class:`Narrator`, which applies disclosure
  control once and serves every sentence to a notebook.
* :mod:`~sendready.reports.narrative.words` - shared wording (signals, rules, periods).
"""

from sendready.reports.narrative.narrator import Narrator
from sendready.reports.narrative.sentences import (
    baseline_row,
    baseline_sentence,
    benchmark_sentence,
    caveat_sentences,
    level_sentence,
    previous_quarter_sentence,
    spc_sentence,
    target_sentence,
)
from sendready.reports.narrative.summaries import (
    verdict_explanation,
    weakness_summary,
    weakness_summary_html,
)

__all__ = [
    "Narrator",
    "baseline_row",
    "baseline_sentence",
    "benchmark_sentence",
    "caveat_sentences",
    "level_sentence",
    "previous_quarter_sentence",
    "spc_sentence",
    "target_sentence",
    "verdict_explanation",
    "weakness_summary",
    "weakness_summary_html",
]
