"""Benchmark trends: an area's published figure over the years beside England, its region
and its statistical neighbours, with its rank and quartile among all authorities.

The area is the thick blue line with round markers, labelled with its figure each year;
England is a dark dashed line, the region a dotted one and the neighbour average a grey
dash-dot line, each named at its right-hand end, so no colour has to be told apart. The
range of the neighbours' figures is a pale band behind them. The table beneath gives
every figure, the area's rank (1 = the highest figure) and quartile each year.

Takes the tidy rows of :func:`sendready.comparators.authorities.area_series` (``period,
role, geography, value``; ``rank, n_ranked, quartile`` on the area's rows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.core.formatting import format_value
from sendready.reports.charts.display import Chart
from sendready.reports.charts.theme import (
    HIGHLIGHT,
    INK,
    LINE_GREY,
    SERIES_GREY,
    SHADE,
    clean_text,
    new_figure,
    percent_axis,
    plain_text,
    styled,
)

_STYLES = {
    "england": {"color": INK, "linestyle": (0, (6, 3)), "linewidth": 1.8},
    "region": {"color": LINE_GREY, "linestyle": ":", "linewidth": 2.0},
    "neighbour_average": {"color": SERIES_GREY, "linestyle": "-.", "linewidth": 1.8},
    "predecessor": {"color": HIGHLIGHT, "linestyle": ":", "linewidth": 1.6, "marker": "s"},
}
_QUARTER = {1: "highest", 2: "second-highest", 3: "second-lowest", 4: "lowest"}


def _label(role: str, name: str) -> str:
    return {
        "england": "England",
        "neighbour_average": "Neighbour average",
        "predecessor": f"{name} (before)",
    }.get(role, name)


def rank_words(rank: object, n: object, quartile: object) -> str:
    """ "12th of 150 (highest quarter)", or "" without a rank."""
    if pd.isna(rank) or pd.isna(n):
        return ""
    rank, n = int(rank), int(n)
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix} of {n} ({_QUARTER[int(quartile)]} quarter)"


def benchmark_table(series: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The numbers behind the chart: one row per year, one column per comparator."""
    periods = sorted(series["period"].astype(str).unique())
    table = pd.DataFrame({"Year": periods})
    area = series[series["role"] == "area"].set_index("period")
    order = ["area", "predecessor", "england", "region", "neighbour_average"]
    for role in order:
        rows = series[series["role"] == role]
        if rows.empty:
            continue
        name = clean_text(str(rows["geography"].dropna().iloc[0]))
        column = _label(role, name)
        table[column] = rows.set_index("period")["value"].reindex(periods).astype("Float64").array
    near = series[series["role"] == "neighbour"]
    if len(near):
        spread = near.groupby("period")["value"].agg(["min", "max", "count"]).reindex(periods)
        table["Neighbours' range"] = [
            "" if pd.isna(lo) else f"{format_value(lo, unit)} to {format_value(hi, unit)}"
            for lo, hi in zip(spread["min"], spread["max"], strict=True)
        ]
    if "rank" in area:
        table["Rank among authorities"] = [
            rank_words(*(area[c].get(p, pd.NA) for c in ("rank", "n_ranked", "quartile")))
            for p in periods
        ]
    return table


def benchmark_alt_text(series: pd.DataFrame, title: str, unit: str, direction: str | None) -> str:
    """Alt text: the area's first and last figures, England's and the region's last,
    and the area's latest rank and quartile."""
    area = series[(series["role"] == "area") & series["value"].notna()].sort_values("period")
    periods = sorted(series["period"].astype(str).unique())
    span = f"{periods[0]} to {periods[-1]}" if len(periods) > 1 else periods[0]
    sentences = [f"Line chart of {title}, {span}."]
    if area.empty:
        sentences.append("The area has no published figure in these years.")
        return " ".join(sentences)
    name = clean_text(str(area["geography"].iloc[-1]))
    first, last = area.iloc[0], area.iloc[-1]
    if len(area) > 1:
        sentences.append(
            f"{name} went from {format_value(first['value'], unit)} in {first['period']} "
            f"to {format_value(last['value'], unit)} in {last['period']}."
        )
    else:
        sentences.append(f"{name}: {format_value(last['value'], unit)} in {last['period']}.")
    latest = series[series["period"] == last["period"]]
    others = []
    for role in ("england", "region", "neighbour_average"):
        hit = latest[(latest["role"] == role) & latest["value"].notna()]
        if len(hit):
            label = _label(role, clean_text(str(hit["geography"].iloc[0])))
            others.append(f"{label} {format_value(hit['value'].iloc[0], unit)}")
    if others:
        sentences.append(f"In {last['period']}: " + ", ".join(others) + ".")
    words = rank_words(last["rank"], last["n_ranked"], last["quartile"])
    if words:
        better = {"up": " Higher is better.", "down": " Lower is better."}.get(direction or "", "")
        sentences.append(f"{name} ranked {words}, highest figure first.{better}")
    return " ".join(sentences)


def benchmark_chart(
    series: pd.DataFrame,
    title: str,
    *,
    unit: str = "percent",
    direction: str | None = None,
) -> Chart:
    """Lines over the years: the area, England, its region and the neighbour average.

    Args:
        series: Tidy rows from :func:`sendready.comparators.authorities.area_series`.
        title: Plain words for the title (the indicator's title).
        unit: ``percent`` (axis 0-100%) or ``count``.
        direction: ``up``/``down`` adds "higher/lower is better" to the alt text.

    Returns:
        A :class:`~sendready.reports.charts.display.Chart`; ``chart.html()`` gives the
        figure with its alt text and the table of every figure, rank and quartile.
    """
    series = series.assign(period=series["period"].astype(str))
    periods = sorted(series["period"].unique())
    x = {p: i for i, p in enumerate(periods)}
    with styled():
        figure, ax = new_figure((8.0, 4.4))
        near = series[(series["role"] == "neighbour") & series["value"].notna()]
        if len(near):
            spread = near.groupby("period")["value"].agg(["min", "max"])
            xs = [x[p] for p in spread.index]
            ax.fill_between(
                xs, spread["min"].astype(float), spread["max"].astype(float), color=SHADE, lw=0
            )
        ends = [
            _line(ax, series, role, x, _STYLES[role], unit, label_values=False)
            for role in ("england", "region", "neighbour_average", "predecessor")
        ]
        area_style = {"color": HIGHLIGHT, "linewidth": 3.0, "marker": "o", "markersize": 7}
        ends.append(_line(ax, series, "area", x, area_style, unit, label_values=True))
        ax.set_xticks(range(len(periods)), periods)
        ax.set_xlim(-0.3, len(periods) - 1 + 1.9)
        if unit == "percent":
            percent_axis(ax, which="y")
        else:
            top = float(np.nanmax(series["value"].astype(float).to_numpy(), initial=1.0))
            ax.set_ylim(0, top * 1.15)
        ax.set_title(plain_text(title))
        _end_labels(ax, [e for e in ends if e is not None])
    return Chart(
        figure=figure,
        alt_text=benchmark_alt_text(series, title, unit, direction),
        data=benchmark_table(series, unit),
        caption=title,
        units={c: unit for c in benchmark_table(series, unit).columns[1:]},
        facts={"periods": periods},
    )


def _line(ax, series, role, x, style, unit, *, label_values: bool) -> tuple | None:
    rows = series[(series["role"] == role) & series["value"].notna()].sort_values("period")
    if rows.empty:
        return None
    xs = [x[p] for p in rows["period"]]
    ys = rows["value"].astype(float).to_numpy()
    ax.plot(xs, ys, **style)
    name = _label(role, clean_text(str(rows["geography"].iloc[0])))
    end = (xs[-1], float(ys[-1]), plain_text(name, 24), style["color"], role == "area")
    if label_values:
        for xi, yi in zip(xs, ys, strict=True):
            ax.annotate(
                format_value(yi, unit),
                (xi, yi),
                xytext=(0, 9),
                textcoords="offset points",
                ha="center",
                fontsize=9.5,
                color=INK,
                # A white backing keeps the figure readable where another line crosses it.
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85},
            )
    return end


def _end_labels(ax, ends: list[tuple]) -> None:
    """Each line's name at its right-hand end, moved apart where lines end close together
    (two names printed over each other can be read as neither)."""
    low, high = ax.get_ylim()
    gap = 0.06 * (high - low)
    placed: list[tuple[float, float]] = []  # (x, y) of labels already placed
    for x, y, name, colour, bold in sorted(ends, key=lambda e: e[1]):
        target = y
        for px, py in placed:
            if abs(px - x) < 1.5 and target < py + gap:
                target = py + gap
        placed.append((x, target))
        ax.annotate(
            name,
            (x, y),
            xytext=(x + 0.12, target),
            textcoords="data",
            va="center",
            fontsize=10,
            color=colour,
            fontweight="bold" if bold else "normal",
        )
