"""Statistics the field already trusts, so that a board paper makes no claim they do not support.

- :mod:`~sendready.stats.intervals`: Wilson score intervals for a proportion, and a comparison
  of a period against the baseline for series too short for control charts.
- :mod:`~sendready.stats.spc`: NHS England "Making Data Count" control charts (XmR and
  p-chart), the four special-cause rules, variation and assurance icons.
- :mod:`~sendready.stats.funnel`: Spiegelhalter (2005) funnel limits for comparing schools or
  providers without league tables, with an allowance for over-dispersion.

All functions are pure: numbers in, numbers out, no files.
"""

from sendready.stats.funnel import (
    OverdispersionEstimate,
    classify_units,
    estimate_overdispersion,
    exact_binomial_limit,
    funnel_curves,
    funnel_limits,
    overall_rate,
    phi_interval,
)
from sendready.stats.intervals import (
    BaselineComparison,
    compare_with_baseline,
    newcombe_difference_interval,
    two_proportion_z_test,
    wilson_interval,
)
from sendready.stats.spc import (
    ASSURANCE_LABELS,
    VARIATION_ICON_COLOURS,
    VARIATION_LABELS,
    SpcResult,
    p_chart,
    xmr_chart,
)

__all__ = [
    "ASSURANCE_LABELS",
    "VARIATION_ICON_COLOURS",
    "VARIATION_LABELS",
    "BaselineComparison",
    "OverdispersionEstimate",
    "SpcResult",
    "classify_units",
    "compare_with_baseline",
    "estimate_overdispersion",
    "exact_binomial_limit",
    "funnel_curves",
    "funnel_limits",
    "newcombe_difference_interval",
    "overall_rate",
    "p_chart",
    "phi_interval",
    "two_proportion_z_test",
    "wilson_interval",
    "xmr_chart",
]
