"""How the reporting quarter's row relates to the monthly rows of the indicator table.

The engine computes the reporting quarter with one call of an indicator's compute function
over the whole quarter, so the table holds no row for the *previous* quarter. Two kinds of
indicator let that figure be read from the monthly rows already in the table:

- **flow**: events counted in the period (plans issued, decisions made). The quarter's
  numerator and denominator are the sums of its three months', so the previous quarter is
  the sum of the three months before it.
- **stock**: a position on a day (active plans, children waiting, actions overdue at the
  period end). The quarter's figures are its last month's, so the previous quarter is the
  month that ends on the day before the quarter starts.

The kind is read from the table, not declared: whichever reading reproduces the engine's
own quarter rows exactly (overall and every breakdown) is the kind. When neither or both
fit (a median; a census or survey wave; a period end in mid month; a quarter in which only
the last month had cases) the kind is unknown and no previous-quarter figure is derived:
pass the previous period's saved indicator table instead.

The same test tells disclosure control whether a quarter row is the sum of its months, in
which case a suppressed month could be worked out by subtraction (there a row counts as
a sum even when the last month alone would fit too: caution costs only a hidden cell).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from sendready.indicators.engine import TABLE_COLUMNS

QuarterKind = Literal["flow", "stock", "unknown"]

# The columns that carry counts for each kind of statistic (the rest are NA).
_COUNT_COLUMNS = {
    "proportion": ("numerator", "denominator"),
    "count": ("numerator",),
    "sum": ("numerator",),
    "rate": ("numerator", "denominator"),
    "median": ("denominator",),
}
# Statistics whose value follows from summed counts, so a previous flow quarter can be
# given a value; a median of three months cannot be rebuilt from monthly medians.
_VALUE_FROM_COUNTS = ("proportion", "count", "sum")


def count_columns(statistic: str) -> tuple[str, ...]:
    """The count columns that hold figures for a statistic (``numerator``, ``denominator``)."""
    return _COUNT_COLUMNS.get(statistic, ("numerator", "denominator"))


def _same(a: object, b: object) -> bool:
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    return bool(np.isclose(float(a), float(b)))


def _same_columns(a: pd.Series, b: pd.Series) -> np.ndarray:
    """:func:`_same` for whole columns: both blank, or both present and close."""
    x = pd.to_numeric(a, errors="coerce").astype("Float64")
    y = pd.to_numeric(b, errors="coerce").astype("Float64")
    both_blank = (x.isna() & y.isna()).to_numpy()
    present = (x.notna() & y.notna()).to_numpy()
    close = np.isclose(
        x.to_numpy(dtype=float, na_value=np.nan), y.to_numpy(dtype=float, na_value=np.nan)
    )
    return both_blank | (present & close)


def _numbers(column: pd.Series) -> np.ndarray:
    """A count column as floats, blank (or not a number) as NaN."""
    return (
        pd.to_numeric(column, errors="coerce")
        .astype("Float64")
        .to_numpy(dtype=float, na_value=np.nan)
    )


def _close(a: float, b: float) -> bool:
    """:func:`_same` for two floats (NaN is blank): both blank, or both present and close."""
    if a != a or b != b:  # NaN
        return a != a and b != b
    return abs(a - b) <= 1e-08 + 1e-05 * abs(b)  # numpy.isclose's default tolerances


def _months_by_breakdown(months: pd.DataFrame, columns: tuple[str, ...]) -> dict:
    """Breakdown -> its months as (start, end, label, counts), by start (ties: table order)."""
    order = np.argsort(months["period_start"].to_numpy(), kind="stable")
    counts = [_numbers(months[c])[order] for c in columns]
    by_breakdown: dict = {}
    for position, (breakdown, start, end, label) in enumerate(
        zip(
            months["breakdown"].to_numpy(dtype=object)[order],
            months["period_start"].to_numpy()[order],
            months["period_end"].to_numpy()[order],
            months.index.to_numpy(dtype=object)[order],
            strict=True,
        )
    ):
        if not pd.isna(breakdown):  # a blank breakdown matches nothing
            values = tuple(c[position] for c in counts)
            by_breakdown.setdefault(breakdown, []).append((start, end, label, values))
    return by_breakdown


def _fit(quarter: tuple, inside: list, columns: tuple[str, ...]) -> tuple[bool, bool, bool, list]:
    """(covered, flow, stock, month labels) for one quarter row and the months inside it."""
    start, end, counts = quarter
    covered = len(inside) == 3 and inside[0][0] == start and inside[-1][1] == end
    flow = stock = covered
    for position in range(len(columns)):
        values = [m[3][position] for m in inside]
        # A sum with a blank month is blank, as the engine never sums blanks.
        total = np.nan if any(v != v for v in values) else float(sum(values))
        flow = flow and _close(counts[position], total)
        stock = stock and _close(counts[position], values[-1])
    return covered, flow, stock, [m[2] for m in inside] if covered else []


def quarter_composition(rows: pd.DataFrame) -> pd.DataFrame:
    """How each quarter row of one indicator relates to the monthly rows of its breakdown.

    Args:
        rows: One indicator's rows of the indicator table (any breakdowns).

    Returns:
        One row per quarter row (same index): ``covered`` (three whole months that start
        and end with the quarter are in the table), ``flow`` (the quarter's counts are
        their sums), ``stock`` (the quarter's counts are the last month's) and ``months``
        (index labels of those months, oldest first).

    Why a plain loop over the rows, months grouped by breakdown once: an indicator broken
    down by school has a quarter row per school (a row-by-row pandas comparison took
    seconds per report for a large county), and a pandas merge per indicator cost about
    50 ms even for a handful of rows, paid dozens of times per report and per index page.
    """
    if not rows.index.is_unique:
        raise ValueError("quarter_composition needs rows with unique index labels")
    columns = count_columns(str(rows["statistic"].iloc[0])) if len(rows) else ()
    # Only the columns read: selecting rows of the whole table copies every column.
    rows = rows[["period_type", "breakdown", "period_start", "period_end", *columns]]
    kind = rows["period_type"]
    quarters = rows[(kind == "quarter").to_numpy(dtype=bool, na_value=False)]
    months = rows[(kind == "month").to_numpy(dtype=bool, na_value=False)]
    found = {}
    if len(quarters) and len(months):
        by_breakdown = _months_by_breakdown(months, columns)
        counts = [_numbers(quarters[c]) for c in columns]
        for position, (label, breakdown, start, end) in enumerate(
            zip(
                quarters.index,
                quarters["breakdown"].to_numpy(dtype=object),
                quarters["period_start"].to_numpy(),
                quarters["period_end"].to_numpy(),
                strict=True,
            )
        ):
            if pd.isna(breakdown):
                continue
            inside = [m for m in by_breakdown.get(breakdown, ()) if m[0] >= start and m[1] <= end]
            if inside:
                quarter = (start, end, tuple(c[position] for c in counts))
                found[label] = _fit(quarter, inside, columns)
    nothing = (False, False, False, [])
    fits = [found.get(label, nothing) for label in quarters.index]
    return pd.DataFrame(
        {
            "covered": np.array([f[0] for f in fits], dtype=bool),
            "flow": np.array([f[1] for f in fits], dtype=bool),
            "stock": np.array([f[2] for f in fits], dtype=bool),
            "months": pd.Series(
                [f[3] for f in fits], index=quarters.index, dtype=object
            ).to_numpy(),
        },
        index=pd.Index(quarters.index, name="row"),
    )


def quarter_kind(table: pd.DataFrame, indicator_id: str) -> QuarterKind:
    """Whether an indicator's quarter rows are sums of months, last months, or neither."""
    read = ["statistic", "period_type", "no_data", "breakdown", "period_start", "period_end"]
    read += [c for c in ("numerator", "denominator") if c in table.columns]
    rows = table.loc[(table["indicator_id"] == indicator_id).to_numpy(dtype=bool), read]
    quarters = rows[rows["period_type"] == "quarter"]
    if quarters.empty or quarters["no_data"].astype(bool).all():
        return "unknown"
    fits = quarter_composition(rows)
    if not fits["covered"].all():
        return "unknown"
    if fits["flow"].all() and not fits["stock"].all():
        return "flow"
    if fits["stock"].all() and not fits["flow"].all():
        return "stock"
    return "unknown"


def _count_scale(quarter: pd.Series, rows: pd.DataFrame) -> Literal["total", "average"] | None:
    """Whether a flow count's quarter value is its three months' total or their average.

    An indicator's compute function decides (LO01, website users, shows the average month
    so that the quarter reads on the monthly chart's scale; others show the total). The
    previous quarter must be given on the same scale, or a sentence would compare a
    monthly figure with a three-month one. None when the quarter row fits neither reading
    (or both, as when every month is zero and the two cannot be told apart).
    """
    months = quarter_composition(rows).loc[quarter.name, "months"]
    values = rows.loc[months, "value"].astype("Float64")
    total = _same(quarter["value"], quarter["numerator"])
    average = bool(len(values)) and _same(quarter["value"], values.mean())
    if total and not average:
        return "total"
    if average and not total:
        return "average"
    return None


def previous_quarter(
    table: pd.DataFrame,
    indicator_id: str,
    breakdown: str = "",
    previous_table: pd.DataFrame | None = None,
) -> pd.Series | None:
    """The previous quarter's row for an indicator, or None when it cannot be known.

    Args:
        table: The indicator table of this period.
        indicator_id: The indicator.
        breakdown: ``""`` for the whole area.
        previous_table: The indicator table saved for the previous period, if any. Its
            quarter row is the engine's own figure and is preferred to one read from
            monthly rows.

    Returns:
        A row with the indicator table's columns, ``period_type`` "quarter", the previous
        quarter's dates, counts and value (``value`` for a flow proportion is numerator /
        denominator x 100, the engine's own formula; for a flow count or sum it is on the
        same scale as this quarter's value, the three months' total or their average);
        None when the previous quarter cannot be read (see the module docstring).
    """
    if previous_table is not None:
        found = previous_table[
            (previous_table["indicator_id"] == indicator_id)
            & (previous_table["breakdown"] == breakdown)
            & (previous_table["period_type"] == "quarter")
        ]
        return found.iloc[0] if len(found) else None
    rows = table[(table["indicator_id"] == indicator_id) & (table["breakdown"] == breakdown)]
    current = rows[rows["period_type"] == "quarter"]
    if current.empty:
        return None
    current_row = current.iloc[0]
    kind = quarter_kind(table, indicator_id)
    statistic = str(current_row["statistic"])
    end = current_row["period_start"] - pd.Timedelta(days=1)
    start = end - pd.DateOffset(months=3) + pd.Timedelta(days=1)
    months = rows[
        (rows["period_type"] == "month")
        & (rows["period_start"] >= start)
        & (rows["period_end"] <= end)
    ].sort_values("period_start")
    covered = (
        len(months) == 3
        and months["period_start"].iloc[0] == start
        and months["period_end"].iloc[-1] == end
    )
    if kind == "unknown" or not covered:
        return None
    if kind == "stock":
        row = months.iloc[-1].copy()
    elif statistic in _VALUE_FROM_COUNTS:
        # Only the table's own columns: marks a caller added to the last month (such as
        # its suppression) do not describe the sum.
        row = months.iloc[-1].reindex(TABLE_COLUMNS).copy()
        for column in count_columns(statistic):
            row[column] = months[column].astype("Float64").sum()
        if statistic == "proportion":
            den = row["denominator"]
            row["value"] = row["numerator"] / den * 100 if den > 0 else pd.NA
        else:
            scale = _count_scale(current_row, rows)
            if scale is None:
                return None
            row["value"] = (
                row["numerator"] if scale == "total" else months["value"].astype("Float64").mean()
            )
        row["ci_low"] = row["ci_high"] = pd.NA  # not derived: no sentence states it
        row["no_data"] = pd.isna(row["value"])
    else:
        return None
    row["period_type"], row["period_start"], row["period_end"] = "quarter", start, end
    return row
