"""Judge each indicator's series with the statistics the field trusts.

One assessment per indicator says whether the latest figures show improvement, concern
or no significant change, how that was decided and since when. The narrative may only
claim what an assessment says (docs/method.md).

Method, by what the series allows:
- 12 or more monthly points: a control chart (p-chart for proportions, whose
  denominators vary month to month; XmR otherwise), limits from the profile's baseline.
- fewer points but a proportion (a census or survey waves): the latest point against the
  pooled baseline with a Newcombe interval for the difference.
- otherwise: not enough data to say.

Two things can make a signal weigh less in a weakness's verdict
(:mod:`sendready.evidence.verdicts`), and each is stated with its reason:

- **a change that began before the plan**: the run of special-cause points that ends at
  the latest point started inside the baseline (on or before ``baseline_end``, the plan
  date). The series was already moving before the plan, so the change is reported as
  "began before the plan (since <month>)" and is not credited as progress since it;
- **an unstable baseline**: at least :data:`UNSTABLE_BASELINE_POINTS` baseline points are
  themselves special cause (a climb or a shift before the plan). Limits drawn on such a
  baseline describe no single process, so the indicator may still show a signal but
  cannot count towards the strong verdicts.

A definition's ``trend_caveat`` (a known reason its trend may be an artefact of how the
data are recorded) is carried on the assessment so it is shown beside every verdict the
indicator feeds, and likewise keeps it from counting towards the strong verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from sendready.stats import compare_with_baseline, p_chart, xmr_chart
from sendready.stats.spc import MIN_BASELINE_POINTS, SpcResult

Signal = Literal["improvement", "concern", "neutral_change", "no_change", "no_data"]

# A special-cause improvement counts as sustained once it has held for this many monthly
# points: the Making Data Count shift rule needs 7 points in a row.
SUSTAINED_POINTS = 7
# A lone baseline point beyond the limits is what three-sigma limits allow by chance in a
# baseline of a dozen or more months; two or more special-cause points (a run, a trend,
# two near the limits, or two outliers) are a pattern: the baseline was not stable.
UNSTABLE_BASELINE_POINTS = 2

# How much an indicator's signal can weigh in a verdict (sendready.evidence.verdicts).
Weight = Literal["full", "reduced", "none"]


@dataclass
class IndicatorAssessment:
    """What the statistics say about one indicator at the period end."""

    indicator_id: str
    title: str
    direction: str
    unit: str
    method: str
    points: int
    signal: Signal
    sustained: bool
    since: pd.Timestamp | None
    reason: str
    # Monthly points since the signal's run began, after the plan (0 without a signal; 1
    # for a census or wave comparison, which can show no more than its latest point).
    held: int = 0
    latest_value: float | None = None
    latest_period: pd.Timestamp | None = None
    baseline_value: float | None = None
    target: float | None = None
    variation: str = "insufficient_data"
    assurance: str = "no_target"
    trial_limits: bool = False
    # Set when the target was judged on limits recalculated after a sustained shift
    # (see sendready.stats.spc): the first period of that shift.
    assurance_since: pd.Timestamp | None = None
    assurance_points: int = 0  # months those recalculated limits rest on
    # The signal's run began on or before the plan date (the baseline's end).
    began_before_plan: bool = False
    # Why the baseline is unstable ("" when it is stable or there is no chart).
    unstable_baseline: str = ""
    # The definition's caveat on reading a trend in this indicator ("" when none).
    trend_caveat: str = ""
    spc: SpcResult | None = field(default=None, repr=False)

    @property
    def weight(self) -> Weight:
        """How much the signal counts in a verdict: ``none`` for a change that began before
        the plan (not progress since it), ``reduced`` for an unstable baseline or a trend
        caveat (may count towards "some" evidence, never towards the strong verdicts),
        else ``full``."""
        if self.began_before_plan:
            return "none"
        if self.unstable_baseline or self.trend_caveat:
            return "reduced"
        return "full"

    @property
    def cautions(self) -> list[str]:
        """Why this indicator weighs less than full, in words for a reader."""
        out = []
        if self.began_before_plan and self.since is not None:
            out.append(
                f"the change began before the plan (since {self.since:%B %Y}), so it is not "
                "credited as progress since the plan"
            )
        if self.unstable_baseline:
            out.append(self.unstable_baseline)
        if self.trend_caveat:
            out.append(f"caveat: {self.trend_caveat}")
        return out

    def as_record(self) -> dict[str, object]:
        """A flat record for tables and the manifest (the chart object is left out)."""
        return {k: v for k, v in self.__dict__.items() if k != "spc"}


def _series(table: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    rows = table[
        (table["indicator_id"] == indicator_id)
        & (table["breakdown"] == "")
        & (table["period_type"] == "month")
    ]
    return rows[~rows["no_data"].astype(bool)].sort_values("period_start")


def _unstable_baseline(points: pd.DataFrame) -> str:
    """Why the baseline is unstable, or "" (see :data:`UNSTABLE_BASELINE_POINTS`).

    ``points`` is the chart of the baseline alone (as it stood at the plan date): on the
    whole series, a shift after the plan reaches back over the last baseline months that
    happen to lie on its side of the centre, and would flag a stable baseline.
    """
    in_base = points["in_baseline"].fillna(False).astype(bool)
    flagged = points[in_base & points["special_cause"].fillna(False).astype(bool)]
    if len(flagged) < UNSTABLE_BASELINE_POINTS:
        return ""
    return (
        f"unstable baseline: {len(flagged)} of {int(in_base.sum())} baseline months are "
        "themselves special cause, so the limits describe no single process before the "
        "plan and this indicator cannot count towards a strong verdict"
    )


def _chart_signal(
    spc: SpcResult, plan_date: pd.Timestamp, at_plan: SpcResult
) -> tuple[str, bool, object, str]:
    """The latest point's signal, whether it has held, since when, and the reason.

    A run of special-cause points can reach back into the baseline by chance (a step at
    the plan date joins the last baseline months that happen to sit on the same side of
    the centre into one shift). The change began before the plan only when the chart as
    it stood at the plan date (``at_plan``: the baseline alone) already ended on the same
    signal; then the run's month is given as when it began before the plan, not as
    progress "since" it. Otherwise the signal dates from its first month after the plan.
    """
    points = spc.points
    post = points[~points["in_baseline"].fillna(False).astype(bool)]
    since = pd.Timestamp(spc.signal_since) if spc.signal_since is not None else None
    kind = {
        "special_cause_improvement": ("improvement", "special-cause improvement"),
        "special_cause_concern": ("concern", "special-cause concern"),
        "special_cause_neutral": ("neutral_change", "special-cause variation on a neutral measure"),
    }.get(spc.variation)
    if kind is None:
        reason = "common-cause variation only: no significant change at the latest point"
        return "no_change", False, None, reason
    signal, words = kind
    if signal != "neutral_change":
        words += f" ({_rule_words(points)})"
    if since is not None and since <= plan_date and at_plan.variation == spc.variation:
        held = len(post)
        sustained = signal == "improvement" and held >= SUSTAINED_POINTS
        return (
            signal,
            sustained,
            since,
            (
                f"{words}; the change began before the plan (since {since:%B %Y}) and is not "
                "credited as progress since it"
            ),
        )
    if since is not None and since <= plan_date and len(post):
        since = pd.Timestamp(post["date"].iloc[0])
    held = int((post["date"] >= since).sum()) if since is not None else 1
    sustained = signal == "improvement" and held >= SUSTAINED_POINTS
    if since is None:
        return signal, sustained, since, words
    return signal, sustained, since, f"{words} since {since:%B %Y}"


def _chart(
    series: pd.DataFrame,
    statistic: str,
    direction: str,
    baseline: np.ndarray | None,
    target: float | None,
) -> SpcResult:
    """A p-chart for a proportion, an XmR chart otherwise (``baseline`` None: all points)."""
    dates = series["period_start"].to_numpy()
    if statistic == "proportion":
        return p_chart(
            series["numerator"].to_numpy(float),
            series["denominator"].to_numpy(float),
            dates,
            direction=direction,
            baseline=baseline,
            target=target,
            scale=100.0,
        )
    return xmr_chart(
        series["value"].to_numpy(float),
        dates,
        direction=direction,
        baseline=baseline,
        target=target,
    )


def _from_spc(
    base: dict,
    charts: tuple[SpcResult, SpcResult],
    series: pd.DataFrame,
    plan_date: pd.Timestamp,
) -> IndicatorAssessment:
    spc, at_plan = charts
    points = spc.points
    signal, sustained, since, reason = _chart_signal(spc, plan_date, at_plan)
    before_plan = since is not None and since <= plan_date
    post = points[~points["in_baseline"].fillna(False).astype(bool)].dropna(subset=["value"])
    held = 0 if signal == "no_change" else 1
    if held and since is not None:
        held = int((post["date"] >= since).sum())
    if spc.trial_limits:
        reason += f" (trial limits: fewer than {MIN_BASELINE_POINTS} baseline points)"
    baseline = series[points["in_baseline"].fillna(False).astype(bool).to_numpy()]
    return IndicatorAssessment(
        **base,
        method=f"{spc.method}_chart" if spc.method == "p" else "xmr_chart",
        points=int(points["value"].notna().sum()),
        signal=signal,
        sustained=sustained,
        since=since,
        reason=reason,
        held=held,
        variation=spc.variation,
        assurance=spc.assurance,
        assurance_since=spc.assurance_since,
        assurance_points=spc.assurance_points,
        trial_limits=spc.trial_limits,
        began_before_plan=before_plan,
        unstable_baseline=_unstable_baseline(at_plan.points),
        spc=spc,
        baseline_value=_pooled_value(baseline) if len(baseline) else None,
    )


def _rule_words(points: pd.DataFrame) -> str:
    last = points.dropna(subset=["value"]).iloc[-1]
    return {
        "outside_limits": "a point beyond the process limits",
        "trend": "seven points in a row moving one way",
        "two_in_three": "two of three points near the limits",
        "shift": "seven or more points in a row on one side of the average",
    }.get(str(last["special_cause_rule"]), "a special-cause pattern")


def _pooled_value(rows: pd.DataFrame) -> float:
    if rows["statistic"].iloc[0] == "proportion":
        return float(rows["numerator"].sum() / rows["denominator"].sum() * 100)
    return float(rows["value"].mean())


def assess_indicator(
    table: pd.DataFrame,
    indicator_id: str,
    baseline_start: object,
    baseline_end: object,
    target: float | None = None,
    trend_caveat: str = "",
) -> IndicatorAssessment:
    """Assess one indicator's overall monthly series from the indicator table.

    ``baseline_end`` is also the plan date: a signal whose run starts on or before it
    began before the plan (module docstring). ``trend_caveat`` is the definition's caveat
    on its trend, carried to the verdict.
    """
    meta = table[table["indicator_id"] == indicator_id]
    if meta.empty:
        raise KeyError(f"{indicator_id} is not in the indicator table")
    first = meta.iloc[0]
    base = dict(
        indicator_id=indicator_id,
        title=str(first["title"]),
        direction=str(first["direction"]),
        unit=str(first["unit"]),
        target=target,
        trend_caveat=trend_caveat,
    )
    series = _series(table, indicator_id)
    if series.empty:
        quarter = meta[meta["period_type"] == "quarter"]
        why = (str(quarter["no_data_reason"].iloc[0]) if len(quarter) else "") or "no data"
        return IndicatorAssessment(
            **base,
            method="none",
            points=0,
            signal="no_data",
            sustained=False,
            since=None,
            reason=why,
        )
    latest = series.iloc[-1]
    base |= dict(latest_value=float(latest["value"]), latest_period=latest["period_start"])
    direction = base["direction"]
    in_baseline = (series["period_end"] >= pd.Timestamp(baseline_start)) & (
        series["period_start"] <= pd.Timestamp(baseline_end)
    )
    baseline_rows = series[in_baseline]
    if len(series) >= MIN_BASELINE_POINTS and len(baseline_rows) >= 2:
        statistic = str(first["statistic"])
        spc = _chart(series, statistic, direction, in_baseline.to_numpy(), target)
        # The chart as it stood at the plan date: the baseline alone.
        at_plan = _chart(baseline_rows, statistic, direction, None, None)
        return _from_spc(base, (spc, at_plan), series, pd.Timestamp(baseline_end))
    after = series[~in_baseline]
    if first["statistic"] == "proportion" and len(baseline_rows) and len(after):
        comparison = compare_with_baseline(
            float(baseline_rows["numerator"].sum()),
            float(baseline_rows["denominator"].sum()),
            float(latest["numerator"]),
            float(latest["denominator"]),
            direction,
        )
        signal = {
            "improvement": "improvement",
            "concern": "concern",
            "neutral": "neutral_change",
        }.get(comparison.assessment, "no_change")
        words = {
            "improvement": "a significant improvement",
            "concern": "a significant worsening",
            "neutral_change": "a significant change",
        }.get(signal, "no significant change")
        return IndicatorAssessment(
            **base,
            method="baseline_comparison",
            points=len(series),
            signal=signal,
            # A significant change at a later census or wave than the baseline, held at the
            # latest point, is the most these sparse series can show.
            sustained=signal == "improvement",
            since=latest["period_start"] if signal != "no_change" else None,
            held=int(signal != "no_change"),
            baseline_value=comparison.baseline_rate * 100,
            reason=(
                f"{words} against the pooled baseline (95% interval for the change "
                f"{comparison.low * 100:+.1f} to {comparison.high * 100:+.1f} points)"
            ),
        )
    return IndicatorAssessment(
        **base,
        method="none",
        points=len(series),
        signal="no_data",
        sustained=False,
        since=None,
        reason=(
            f"only {len(series)} point(s), {len(baseline_rows)} in the baseline: not enough "
            "to judge change"
        ),
    )
