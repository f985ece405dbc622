"""Statistical process control the NHS way: NHS England's "Making Data Count" (MDC).

Board members from the NHS already read MDC charts and icons, so the suite draws the same
charts with the same rules rather than inventing its own (docs/method.md). The
reference implementation is the NHS-R Community's R package NHSRplotthedots; where this
module departs from it, the docstring says so and why.

Charts:

- **XmR** (:func:`xmr_chart`): centre = mean of the baseline values; limits = mean plus or
  minus 2.66 x the mean moving range (2.66 = 3 / 1.128, the d2 constant for ranges of two
  points, so the limits are three sigma); one sigma = 2.66 / 3 x mean moving range.
- **p-chart** (:func:`p_chart`): for proportions with small, varying denominators, where an
  XmR chart would treat a month of 4 cases like a month of 40. Centre p-bar = sum of
  numerators / sum of denominators over the baseline; sigma_i = sqrt(p-bar (1 - p-bar) / n_i)
  point by point; limits clipped to [0, 1].

Limits come from the baseline points and are applied to the whole series, so later
improvement shows up against the process as it was. Fewer than 12 baseline points give
*trial* limits (MDC's minimum for fixing limits).

Special-cause rules, each flagged on every point of the pattern:

1. ``outside_limits``: a point strictly above the upper or below the lower limit.
2. ``trend``: 7 points in a row each strictly higher (or each strictly lower) than the one
   before, i.e. 6 consecutive increases or decreases. A tie (a point equal to the one before)
   breaks the run, as in NHSRplotthedots (``sign(diff(y))`` must be all 1 or all -1). NHS
   Improvement's run-chart guide treats a repeat as neither adding to nor breaking a trend;
   we take the stricter reading so that flat, rounded series (percentages to one decimal
   place) do not signal on repeats.
3. ``two_in_three``: 2 (or 3) of any 3 consecutive points beyond the same two-sigma line;
   the points beyond it are flagged. This is the classical (Western Electric) wording MDC
   uses. NHSRplotthedots counts only points strictly between two and three sigma and asks
   all three points to be on one side of the mean; we also count a point beyond three sigma
   (it is beyond two sigma too), and the third point may be anywhere.
4. ``shift``: 7 points in a row above the centre, or 7 below. A point exactly on the centre
   line breaks the run.

Each flagged point gets one rule for its colour, by the priority NHSRplotthedots uses
(outside limits, then trend, then two-in-three, then shift), and a side: high or low for
limits, two-in-three and shifts; rising or falling for trends (a falling trend above the
mean is still falling). With an improvement direction the side becomes improvement (blue)
or concern (orange); a neutral measure gets "neutral" (purple).

Variation icon: the latest point's class (common cause is grey). Assurance icon: where the
target sits against the process limits at the latest point (MDC: a target outside the
limits is always or never met while the process stays as it is).

Assurance after a sustained shift: when the latest point ends a shift (7 or more points in
a row on one side of the baseline centre), the baseline limits describe a process that no
longer runs, and judging the target against them would call a service that now meets its
target every month "consistently missed". MDC's answer is to recalculate the limits from
the points since the shift began; the assurance icon is judged on those, and
``assurance_since`` says from when. Left out of the recalculation: points of the baseline
period (they are the old process) and a climb or fall to the new level (the points up to
the last one flagged by the trend rule), so that only the level the process settled at
is judged. At least 7 such points are needed, and fewer than 12 are provisional
(``assurance_provisional``, said in the wording), as trial limits are. The chart keeps the
baseline limits, so the improvement still shows against the process as it was.
NHSRplotthedots recalculates only where its user asks (``recalc_here``); doing it for
assurance alone, automatically, keeps a board's icon honest without hiding the change.
While the figures are still moving (the latest point is part of a trend, or a shift has
fewer than 7 settled points) and the movement could change the answer (the target lies
within the range the figures moved through, or they are heading towards it), the
assurance is ``process_changing`` rather than a claim that the target is met or missed.
A series moving away from a target it never reached keeps its "consistently missed".

Missing values (a month with no cases) are left out of the calculation: runs and moving
ranges connect the observed points either side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

Direction = Literal["up", "down", "neutral"]

XMR_LIMIT_FACTOR = 2.66  # 3 / 1.128 (d2 for moving ranges of two points); MDC
MIN_BASELINE_POINTS = 12  # MDC: limits from fewer points are trial limits
RUN_LENGTH = 7  # MDC: 7 points in a row, for both trends and shifts

RULES = ("outside_limits", "trend", "two_in_three", "shift")  # also the colour priority

VARIATION_LABELS = {
    "common_cause": "Common cause variation – no significant change",
    "special_cause_improvement": "Special cause variation – improvement",
    "special_cause_concern": "Special cause variation – concern",
    "special_cause_neutral": "Special cause variation – neither improvement nor concern",
    "insufficient_data": "Not enough data to set process limits",
}
# The MDC icon colours, by name; the charting code chooses accessible shades.
VARIATION_ICON_COLOURS = {
    "common_cause": "grey",
    "special_cause_improvement": "blue",
    "special_cause_concern": "orange",
    "special_cause_neutral": "purple",
    "insufficient_data": "none",
}
ASSURANCE_LABELS = {
    "consistently_pass": "The target is consistently met",
    "consistently_fail": "The target is consistently missed",
    "hit_and_miss": "The target is met in some periods and missed in others (hit and miss)",
    "process_changing": (
        "The figures are still moving, so whether the target will be met cannot be judged yet"
    ),
    "no_target": "No target set",
    "insufficient_data": "Not enough data to judge the target",
}


@dataclass(frozen=True)
class SpcResult:
    """One control chart: a tidy frame of points and the judgements drawn from it.

    Attributes:
        points: One row per period: ``date, value`` (for p-charts also ``numerator,
            denominator``), ``in_baseline``, ``centre, lcl, ucl, lower_2sigma,
            upper_2sigma``, one boolean column per rule (``rule_outside_limits``,
            ``rule_trend``, ``rule_two_in_three``, ``rule_shift``), ``special_cause``,
            ``special_cause_rule`` (the rule that colours the point), ``signal_side``
            (``high``/``low``), ``point_type`` (a :data:`VARIATION_LABELS` key; NA where
            the value is missing).
        method: ``"xmr"`` or ``"p"``.
        direction: The improvement direction used.
        baseline_points: Observed points the limits were computed from.
        trial_limits: True when fewer than 12 baseline points.
        variation: Class of the latest observed point (a :data:`VARIATION_LABELS` key).
        assurance: An :data:`ASSURANCE_LABELS` key.
        signal_since: Date (or label) of the first point of the unbroken run of special-cause
            points of the latest point's class that ends at the latest point; None when the
            latest point is common cause.
        target: The target used for assurance, if any.
        assurance_since: First date of the sustained shift whose own limits the assurance
            was judged on; None when it was judged on the baseline limits.
        assurance_limits: The lower and upper limits the target was compared with.
        assurance_points: Points those recalculated limits rest on (0 for the baseline's).
    """

    points: pd.DataFrame
    method: str
    direction: str
    baseline_points: int
    trial_limits: bool
    variation: str
    assurance: str
    signal_since: object
    target: float | None
    assurance_since: object = None
    assurance_limits: tuple[float, float] = (np.nan, np.nan)
    assurance_points: int = 0

    @property
    def assurance_provisional(self) -> bool:
        """Recalculated limits resting on fewer points than MDC asks for fixed limits."""
        return 0 < self.assurance_points < MIN_BASELINE_POINTS

    def summary(self) -> dict[str, object]:
        """The headline facts as a flat dict, for the indicator table and narratives."""
        latest = self.points.dropna(subset=["value"]).tail(1)
        return {
            "method": self.method,
            "direction": self.direction,
            "baseline_points": self.baseline_points,
            "trial_limits": self.trial_limits,
            "centre": float(latest["centre"].iloc[0]) if len(latest) else np.nan,
            "lcl": float(latest["lcl"].iloc[0]) if len(latest) else np.nan,
            "ucl": float(latest["ucl"].iloc[0]) if len(latest) else np.nan,
            "variation": self.variation,
            "variation_label": VARIATION_LABELS[self.variation],
            "assurance": self.assurance,
            "assurance_label": ASSURANCE_LABELS[self.assurance],
            "signal_since": self.signal_since,
            "target": self.target,
            "assurance_since": self.assurance_since,
        }


def xmr_chart(
    values: ArrayLike,
    dates: ArrayLike | None = None,
    *,
    direction: Direction = "neutral",
    baseline: ArrayLike | None = None,
    baseline_start: object = None,
    baseline_end: object = None,
    target: float | None = None,
) -> SpcResult:
    """XmR (individuals) chart with MDC rules, for a series of one value per period.

    Args:
        values: The series in time order; NaN for a period with no value.
        dates: Period labels (usually month starts). Defaults to the index of ``values`` if
            it is a Series, else 0, 1, 2, ...
        direction: Which way is better: ``"up"``, ``"down"`` or ``"neutral"``.
        baseline: Boolean mask of the points to compute limits from. Default: all points.
        baseline_start: Alternatively, first date of the baseline (inclusive).
        baseline_end: Last date of the baseline (inclusive).
        target: Target on the same scale as ``values``, for the assurance icon.
    """
    y, labels = _values_and_labels(values, dates)
    in_baseline = _baseline_mask(labels, y, baseline, baseline_start, baseline_end)
    base = y[in_baseline]
    n_base = len(base)
    centre = np.full(len(y), np.nan)
    sigma = np.full(len(y), np.nan)
    if n_base >= 2:
        mr_bar = float(np.mean(np.abs(np.diff(base))))
        centre[:] = float(np.mean(base))
        sigma[:] = XMR_LIMIT_FACTOR / 3 * mr_bar
    frame = pd.DataFrame({"date": labels, "value": pd.array(y, dtype="Float64")})
    process = _Process(frame, y, centre, sigma, in_baseline, n_base, "xmr")
    return _finish(process, direction, target)


def p_chart(
    numerators: ArrayLike,
    denominators: ArrayLike,
    dates: ArrayLike | None = None,
    *,
    direction: Direction = "neutral",
    baseline: ArrayLike | None = None,
    baseline_start: object = None,
    baseline_end: object = None,
    target: float | None = None,
    scale: float = 1.0,
) -> SpcResult:
    """p-chart (binomial limits per point) with MDC rules, for proportions.

    Args:
        numerators: Cases meeting the standard per period (e.g. plans within 20 weeks).
        denominators: Cases per period. A period with 0 has no value and no limits.
        dates: Period labels; defaults as in :func:`xmr_chart`.
        direction: Which way is better: ``"up"``, ``"down"`` or ``"neutral"``.
        baseline: Boolean mask of the points whose counts set p-bar. Default: all points.
        baseline_start: Alternatively, first date of the baseline (inclusive).
        baseline_end: Last date of the baseline (inclusive).
        target: Target on the output scale (a percentage when ``scale=100``).
        scale: Multiplies values, centre and limits; 100 gives percentages.
    """
    x, labels = _values_and_labels(numerators, dates)
    n, _ = _values_and_labels(denominators, labels)
    if len(n) != len(x):
        raise ValueError("numerators and denominators must be the same length")
    if np.any((x < 0) | (n < 0) | (x > n)):
        raise ValueError("p_chart needs 0 <= numerator <= denominator in every period")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, x / n, np.nan)
    in_baseline = _baseline_mask(labels, p, baseline, baseline_start, baseline_end)
    n_base = int(in_baseline.sum())
    base_trials = float(np.nansum(n[in_baseline]))
    centre = np.full(len(p), np.nan)
    sigma = np.full(len(p), np.nan)
    if base_trials > 0:
        p_bar = float(np.nansum(x[in_baseline])) / base_trials
        with np.errstate(divide="ignore", invalid="ignore"):
            sigma = np.where(n > 0, np.sqrt(p_bar * (1 - p_bar) / n), np.nan)
        centre[:] = p_bar
    frame = pd.DataFrame(
        {
            "date": labels,
            "value": pd.array(p * scale, dtype="Float64"),
            "numerator": pd.array(x, dtype="Float64"),
            "denominator": pd.array(n, dtype="Float64"),
        }
    )
    process = _Process(
        frame, p * scale, centre * scale, sigma * scale, in_baseline, n_base, "p", (0.0, scale)
    )
    return _finish(process, direction, target)


# --- internals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Process:
    """What each chart hands to :func:`_finish`: its points, centre and sigma per point.

    ``frame`` has one row per period (``date``, ``value`` and, for a p-chart, ``numerator``
    and ``denominator``); :func:`_finish` adds the limit, rule and judgement columns to it.
    ``y``, ``centre`` and ``sigma`` are on the output scale; ``clip`` bounds the lines of
    a proportion (``None`` for an XmR chart).
    """

    frame: pd.DataFrame
    y: np.ndarray
    centre: np.ndarray
    sigma: np.ndarray
    in_baseline: np.ndarray
    n_base: int
    method: str
    clip: tuple[float, float] | None = None


@dataclass(frozen=True)
class _Classified:
    """Each point's judgement: special cause or not, the rule, the side and the MDC type."""

    special: np.ndarray
    side: np.ndarray
    point_type: np.ndarray


def _values_and_labels(values: ArrayLike, dates: ArrayLike | None) -> tuple[np.ndarray, pd.Index]:
    """Values as floats (NaN for missing) and the period labels to report them by."""
    if isinstance(values, pd.Series):
        y = values.to_numpy(dtype=float, na_value=np.nan)
        default = values.index
    else:
        y = np.asarray(values, dtype=float).ravel()
        default = pd.RangeIndex(len(y))
    labels = pd.Index(default if dates is None else dates)
    if len(labels) != len(y):
        raise ValueError(f"{len(y)} values but {len(labels)} dates")
    if labels.dtype == object or pd.api.types.is_string_dtype(labels):
        try:  # ISO date strings, as papermill parameters arrive
            labels = pd.DatetimeIndex(pd.to_datetime(labels, format="ISO8601"))
        except (ValueError, TypeError):
            pass  # keep non-date labels as they are
    return y, labels


def _baseline_mask(
    labels: pd.Index, y: np.ndarray, baseline: ArrayLike | None, start: object, end: object
) -> np.ndarray:
    """Boolean mask of observed points that set the limits."""
    if baseline is not None and (start is not None or end is not None):
        raise ValueError("give the baseline either as a mask or as start/end dates, not both")
    if baseline is not None:
        mask = np.asarray(baseline, dtype=bool)
        if mask.shape != y.shape:
            raise ValueError(f"baseline mask has {mask.size} entries for {y.size} values")
    else:
        mask = np.ones(len(y), dtype=bool)
        if start is not None:
            mask &= np.asarray(labels >= pd.Timestamp(start))
        if end is not None:
            mask &= np.asarray(labels <= pd.Timestamp(end))
    return mask & ~np.isnan(y)


def _runs(values: np.ndarray) -> list[tuple[int, int, float]]:
    """Maximal runs of equal values as ``(start, stop, value)`` with ``stop`` exclusive."""
    runs = []
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            runs.append((start, i, values[start]))
            start = i
    return runs


def _detect(
    y: np.ndarray, centre: np.ndarray, lines: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Flag each rule on observed points; return flags and the side (+1/-1) each implies.

    The (possibly clipped) lines are used as drawn, so a p-chart point at 0% is never
    "below" a lower limit that has been clipped to 0%.
    """
    m = len(y)
    lcl, ucl = lines["lcl"], lines["ucl"]
    lo2, hi2 = lines["lower_2sigma"], lines["upper_2sigma"]
    flags = {rule: np.zeros(m, dtype=bool) for rule in RULES}
    sides = {rule: np.zeros(m) for rule in RULES}

    above, below = y > ucl, y < lcl
    flags["outside_limits"] = above | below
    sides["outside_limits"] = np.where(above, 1.0, np.where(below, -1.0, 0.0))

    # Later runs overwrite the side of a shared turning point, as NHSRplotthedots does.
    steps = np.sign(np.diff(y))
    for start, stop, step in _runs(steps):
        if step != 0 and stop - start >= RUN_LENGTH - 1:
            flags["trend"][start : stop + 1] = True
            sides["trend"][start : stop + 1] = step

    for beyond, side in ((y > hi2, 1.0), (y < lo2, -1.0)):
        for i in range(m - 2):
            window = beyond[i : i + 3]
            if window.sum() >= 2:
                flags["two_in_three"][i : i + 3] |= window
                sides["two_in_three"][i : i + 3][window] = side

    position = np.sign(y - centre)
    for start, stop, side in _runs(position):
        if side != 0 and stop - start >= RUN_LENGTH:
            flags["shift"][start:stop] = True
            sides["shift"][start:stop] = side
    return flags, sides


def _point_type(side: float, direction: str) -> str:
    if direction == "neutral":
        return "special_cause_neutral"
    better = 1.0 if direction == "up" else -1.0
    return "special_cause_improvement" if side == better else "special_cause_concern"


def _assurance(direction: str, target: float | None, lcl: float, ucl: float) -> str:
    """MDC assurance: is the target outside the process limits, and on which side?"""
    # A neutral measure has no side on which a target is passed, so no assurance icon.
    if target is None or direction == "neutral":
        return "no_target"
    if np.isnan(lcl) or np.isnan(ucl):
        return "insufficient_data"
    if target < lcl:  # the whole process runs above the target
        return "consistently_pass" if direction == "up" else "consistently_fail"
    if target > ucl:
        return "consistently_fail" if direction == "up" else "consistently_pass"
    return "hit_and_miss"


def _trailing_start(mask: np.ndarray) -> int:
    """Start of the unbroken run of True values that ends at the last position."""
    breaks = np.flatnonzero(~mask)
    return int(breaks[-1]) + 1 if len(breaks) else 0


def _shift_limits(
    frame: pd.DataFrame,
    y: np.ndarray,
    run: np.ndarray,
    method: str,
    clip: tuple[float, float] | None,
) -> tuple[float, float]:
    """Lower and upper limits at the last point, recalculated from the run's points alone."""
    if method == "p":
        x = frame["numerator"].to_numpy(dtype=float, na_value=np.nan)[run]
        n = frame["denominator"].to_numpy(dtype=float, na_value=np.nan)[run]
        p_bar = float(x.sum() / n.sum())
        sigma = float(np.sqrt(p_bar * (1 - p_bar) / n[-1]))
        scale = clip[1] if clip is not None else 1.0
        centre, sigma = p_bar * scale, sigma * scale
    else:
        values = y[run]
        centre = float(np.mean(values))
        sigma = XMR_LIMIT_FACTOR / 3 * float(np.mean(np.abs(np.diff(values))))
    lcl, ucl = centre - 3 * sigma, centre + 3 * sigma
    if clip is not None:
        lcl, ucl = (float(np.clip(v, *clip)) for v in (lcl, ucl))
    return lcl, ucl


def _moving_towards(values: np.ndarray, target: float) -> bool:
    """The target lies within the values' range, or they are moving towards it."""
    if values.min() <= target <= values.max():
        return True
    return bool(np.sign(values[-1] - values[0]) == np.sign(target - values[-1]) != 0)


def _settled_shift(
    process: _Process, idx: np.ndarray, flags: dict[str, np.ndarray]
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """After a shift at the last point: (settled positions, unsettled values); one is None.

    Positions count observed points only (``idx`` maps them to the series).
    """
    y, centre = process.y, process.centre
    side = np.sign(y[idx] - centre[idx])
    run = np.arange(_trailing_start(side == side[-1]), len(idx))
    # Baseline points belong to the old process by definition, unless the baseline is
    # the whole series (no baseline given).
    after = run[~process.in_baseline[idx[run]]]
    run = after if len(after) else run
    # A climb (or fall) to the new level is not part of the new level: only the
    # points after the last trend point of the run describe the process as it runs.
    trend_points = np.flatnonzero(flags["trend"][run])
    settled = run[trend_points[-1] + 1 :] if len(trend_points) else run
    if len(settled) >= RUN_LENGTH:
        return settled, None
    return None, y[idx[run]]


def _date_at(frame: pd.DataFrame, position: int) -> object:
    """The period label at ``position``, as a plain Python value where numpy gave a scalar."""
    date = frame["date"].iloc[position]
    return date.item() if isinstance(date, np.generic) else date


def _judge_assurance(
    process: _Process,
    idx: np.ndarray,
    flags: dict[str, np.ndarray],
    direction: str,
    target: float | None,
    baseline_limits: tuple[float, float],
):
    """Assurance, the limits it was judged on, their first date and number of points.

    See "Assurance after a sustained shift" in the module docstring.
    """
    limits, since, points = baseline_limits, None, 0
    unsettled: np.ndarray | None = None  # values of a movement that has not settled
    if len(idx) and flags["shift"][-1]:
        settled, unsettled = _settled_shift(process, idx, flags)
        if settled is not None:
            limits = _shift_limits(
                process.frame, process.y, idx[settled], process.method, process.clip
            )
            since, points = _date_at(process.frame, idx[settled[0]]), len(settled)
    if len(idx) and flags["trend"][-1]:
        unsettled = process.y[idx[_trailing_start(flags["trend"]) :]]
    assurance = _assurance(direction, target, *limits)
    if (
        assurance not in ("no_target", "insufficient_data")
        and unsettled is not None
        and _moving_towards(unsettled, float(target))
    ):
        # Still moving, and the movement could change the answer: claim neither.
        return "process_changing", limits, None, 0
    if assurance in ("no_target", "insufficient_data"):
        since, points = None, 0
    return assurance, limits, since, points


def _limit_lines(process: _Process) -> dict[str, np.ndarray]:
    """Three- and two-sigma lines around the centre, clipped for a proportion."""
    centre, sigma = process.centre, process.sigma
    lines = {
        "lcl": centre - 3 * sigma,
        "ucl": centre + 3 * sigma,
        "lower_2sigma": centre - 2 * sigma,
        "upper_2sigma": centre + 2 * sigma,
    }
    if process.clip is not None:  # a proportion cannot leave [0, 1] (or [0, scale])
        lines = {name: np.clip(line, *process.clip) for name, line in lines.items()}
    return lines


def _classify(
    frame: pd.DataFrame,
    idx: np.ndarray,
    rules: tuple[dict[str, np.ndarray], dict[str, np.ndarray]],
    direction: str,
) -> _Classified:
    """Write the ``rule_*`` columns and judge each point from the rules' flags and sides."""
    flags, sides = rules
    m = len(frame)
    rule = np.full(m, "", dtype=object)
    side = np.zeros(m)
    special = np.zeros(m, dtype=bool)
    for name in RULES:
        hit = np.zeros(m, dtype=bool)
        hit[idx] = flags[name]
        frame[f"rule_{name}"] = pd.array(hit, dtype="boolean")
    for name in reversed(RULES):  # highest priority written last
        hit = frame[f"rule_{name}"].to_numpy(dtype=bool)
        rule[hit] = name
        side[idx[flags[name]]] = sides[name][flags[name]]
        special |= hit
    point_type = np.full(m, None, dtype=object)
    point_type[idx] = "common_cause"
    for i in np.flatnonzero(special):
        point_type[i] = _point_type(side[i], direction)
    frame["special_cause"] = pd.array(special, dtype="boolean")
    frame["special_cause_rule"] = pd.array(rule, dtype="string")
    frame["signal_side"] = pd.array(
        np.where(side > 0, "high", np.where(side < 0, "low", "")), dtype="string"
    )
    frame["point_type"] = pd.array(point_type, dtype="string")
    return _Classified(special=special, side=side, point_type=point_type)


def _latest_variation(
    frame: pd.DataFrame, idx: np.ndarray, lines: dict[str, np.ndarray], points: _Classified
) -> tuple[str, object, tuple[float, float]]:
    """Variation at the last observed point, since when, and the limits there."""
    if len(idx) == 0:
        return "insufficient_data", None, (np.nan, np.nan)
    special, side, point_type = points.special, points.side, points.point_type
    last = idx[-1]
    variation = point_type[last]
    since = None
    if special[last]:
        k = len(idx) - 1
        while (
            k > 0
            and special[idx[k - 1]]
            and (point_type[idx[k - 1]] == variation and side[idx[k - 1]] == side[last])
        ):
            k -= 1
        since = _date_at(frame, idx[k])
    return variation, since, (lines["lcl"][last], lines["ucl"][last])


def _finish(process: _Process, direction: str, target: float | None) -> SpcResult:
    """Limits, rule flags and judgements common to both charts."""
    if direction not in ("up", "down", "neutral"):
        raise ValueError(f"direction must be 'up', 'down' or 'neutral', not {direction!r}")
    frame, y = process.frame, process.y
    lines = _limit_lines(process)
    frame["in_baseline"] = pd.array(process.in_baseline, dtype="boolean")
    frame["centre"] = pd.array(process.centre, dtype="Float64")
    for name, line in lines.items():
        frame[name] = pd.array(line, dtype="Float64")

    observed = ~np.isnan(y) & ~np.isnan(process.centre) & ~np.isnan(process.sigma)
    idx = np.flatnonzero(observed)
    flags, sides = _detect(
        y[idx], process.centre[idx], {name: line[idx] for name, line in lines.items()}
    )
    points = _classify(frame, idx, (flags, sides), direction)
    variation, since, last_limits = _latest_variation(frame, idx, lines, points)
    assurance, assurance_limits, assurance_since, assurance_points = _judge_assurance(
        process, idx, flags, direction, target, last_limits
    )
    return SpcResult(
        points=frame,
        method=process.method,
        direction=direction,
        baseline_points=process.n_base,
        trial_limits=process.n_base < MIN_BASELINE_POINTS,
        variation=variation,
        assurance=assurance,
        signal_since=since,
        target=target,
        assurance_since=assurance_since,
        assurance_limits=assurance_limits,
        assurance_points=assurance_points,
    )
