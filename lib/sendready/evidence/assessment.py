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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from sendready.stats import compare_with_baseline, p_chart, xmr_chart
from sendready.stats.spc import MIN_BASELINE_POINTS, SpcResult

Signal = Literal["improvement", "concern", "neutral_change", "no_change", "no_data"]

# A special-cause improvement counts as sustained once it has held for this many monthly
# points: the Making Data Count shift rule needs 7 points in a row.
SUSTAINED_POINTS = 7


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
    spc: SpcResult | None = field(default=None, repr=False)

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


def _from_spc(base: dict, spc: SpcResult, series: pd.DataFrame) -> IndicatorAssessment:
    points = spc.points
    latest_type = spc.variation
    post = points[~points["in_baseline"].fillna(False).astype(bool)]
    since = pd.Timestamp(spc.signal_since) if spc.signal_since is not None else None
    if latest_type == "special_cause_improvement":
        held = int((post["date"] >= since).sum()) if since is not None else 1
        signal, sustained = "improvement", held >= SUSTAINED_POINTS
        reason = (
            f"special-cause improvement ({_rule_words(points)}) since {since:%B %Y}"
            if since is not None
            else "special-cause improvement"
        )
    elif latest_type == "special_cause_concern":
        signal, sustained = "concern", False
        reason = f"special-cause concern ({_rule_words(points)}) since {since:%B %Y}"
    elif latest_type == "special_cause_neutral":
        signal, sustained = "neutral_change", False
        reason = f"special-cause variation on a neutral measure since {since:%B %Y}"
    else:
        signal, sustained, since = "no_change", False, None
        reason = "common-cause variation only: no significant change at the latest point"
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
        variation=spc.variation,
        assurance=spc.assurance,
        assurance_since=spc.assurance_since,
        assurance_points=spc.assurance_points,
        trial_limits=spc.trial_limits,
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
) -> IndicatorAssessment:
    """Assess one indicator's overall monthly series from the indicator table."""
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
        dates = series["period_start"].to_numpy()
        if first["statistic"] == "proportion":
            spc = p_chart(
                series["numerator"].to_numpy(float),
                series["denominator"].to_numpy(float),
                dates,
                direction=direction,
                baseline=in_baseline.to_numpy(),
                target=target,
                scale=100.0,
            )
        else:
            spc = xmr_chart(
                series["value"].to_numpy(float),
                dates,
                direction=direction,
                baseline=in_baseline.to_numpy(),
                target=target,
            )
        return _from_spc(base, spc, series)
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
