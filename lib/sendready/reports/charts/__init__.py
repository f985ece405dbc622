"""Charts for board reports: accessible, in the house style, shown one way.

Each chart function takes tidy data and returns a :class:`Chart`: the matplotlib figure,
alt text generated from the data (chart type and main finding), the numbers behind it
as a table, and the facts the alt text rests on. Notebooks show it with
``chart.show()`` (or :func:`show_figure` for a figure of their own), which refuses
placeholder alt text and emits one HTML figure with the table beneath.

- :mod:`~sendready.reports.charts.theme`: font, palette (with WCAG contrast checks), sizes.
- :mod:`~sendready.reports.charts.display`: :func:`show_figure` and :class:`Chart`.
- :mod:`~sendready.reports.charts.spc_chart`: Making Data Count control charts.
- :mod:`~sendready.reports.charts.funnel_plot`: schools against chance limits.
- :mod:`~sendready.reports.charts.distributions`: waits by service; survey answers by wave.
- :mod:`~sendready.reports.charts.comparison`: area against comparators; plan actions by status.
- :mod:`~sendready.reports.charts.benchmark`: an area's published figure over the years beside
  England, its region and its neighbours, with its rank and quartile.
"""

from sendready.reports.charts.benchmark import benchmark_alt_text, benchmark_chart, benchmark_table
from sendready.reports.charts.comparison import (
    actions_alt_text,
    actions_chart,
    comparison_alt_text,
    comparison_chart,
)
from sendready.reports.charts.display import (
    Chart,
    check_alt_text,
    data_table_html,
    figure_html,
    format_cell,
    show_figure,
)
from sendready.reports.charts.distributions import (
    likert_alt_text,
    likert_chart,
    waiting_times_chart,
    waits_alt_text,
)
from sendready.reports.charts.funnel_plot import funnel_alt_text, funnel_plot
from sendready.reports.charts.spc_chart import spc_alt_text, spc_chart
from sendready.reports.charts.theme import contrast_ratio, plain_text, styled

__all__ = [
    "Chart",
    "actions_alt_text",
    "actions_chart",
    "benchmark_alt_text",
    "benchmark_chart",
    "benchmark_table",
    "check_alt_text",
    "comparison_alt_text",
    "comparison_chart",
    "contrast_ratio",
    "data_table_html",
    "figure_html",
    "format_cell",
    "funnel_alt_text",
    "funnel_plot",
    "likert_alt_text",
    "likert_chart",
    "plain_text",
    "show_figure",
    "spc_alt_text",
    "spc_chart",
    "styled",
    "waiting_times_chart",
    "waits_alt_text",
]
