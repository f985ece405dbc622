"""Comparisons: the area against England, its region and statistical neighbours; plan
actions by status.

Both are labelled bar charts: every bar carries its figure, so nothing depends on reading
a value off an axis or telling colours apart. The area's own bar is blue and hatched and
its name is marked "(this area)"; comparators are grey.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from sendready.core.formatting import format_count, format_percent, format_value
from sendready.reports.charts.display import Chart
from sendready.reports.charts.theme import (
    HIGHLIGHT,
    LINE_GREY,
    SPC_COLOURS,
    clean_text,
    new_figure,
    percent_axis,
    plain_text,
    styled,
)

ROLE_WORDS = {
    "area": "This area",
    "england": "England",
    "region": "Region",
    "neighbour_average": "Statistical neighbour average",
    "neighbour": "Statistical neighbour",
}
COMPARATOR_GREY = LINE_GREY
NEIGHBOUR_GREY = SPC_COLOURS["common_cause"]


def _rows_for_period(benchmarks: pd.DataFrame, period: str | None) -> tuple[pd.DataFrame, str]:
    periods = benchmarks["period"].astype("string")
    if period is None:
        with_area = benchmarks[(benchmarks["role"] == "area") & benchmarks["value"].notna()]
        candidates = with_area["period"] if len(with_area) else periods
        period = str(candidates.astype("string").max())
    return benchmarks[(periods == period).fillna(False).astype(bool)], period


def comparison_alt_text(
    rows: pd.DataFrame, title: str, period: str, unit: str, direction: str | None
) -> str:
    """Alt text: each headline comparator's figure, then where the area sits among them."""

    def first(role: str) -> pd.Series | None:
        found = rows[rows["role"] == role]
        return None if found.empty else found.iloc[0]

    area = first("area")
    listed = [
        f"{clean_text(r['geography'])} {format_value(r['value'], unit)}"
        for role in ("area", "england", "region", "neighbour_average")
        if (r := first(role)) is not None
    ]
    sentences = [f"Bar chart of {title}, {period}: " + ", ".join(listed) + "."]
    if area is not None and pd.notna(area["value"]):
        name = clean_text(area["geography"])
        comparisons = []
        for role, label in (("england", "England"), ("neighbour_average", "the neighbour average")):
            other = first(role)
            if other is None or pd.isna(other["value"]):
                continue
            mine, theirs = format_value(area["value"], unit), format_value(other["value"], unit)
            word = (
                "the same as"
                if mine == theirs
                else "above"
                if area["value"] > other["value"]
                else "below"
            )
            comparisons.append(f"{word} {label}")
        if comparisons:
            better = {"up": " (higher is better)", "down": " (lower is better)"}.get(
                direction or "", ""
            )
            sentences.append(f"{name} is {' and '.join(comparisons)}{better}.")
        peers = rows[rows["role"].isin(["area", "neighbour"]) & rows["value"].notna()]
        if len(peers) > 1:
            rank = int((peers["value"] > area["value"]).sum()) + 1
            sentences.append(
                f"Among {name} and its {len(peers) - 1} neighbours with a figure, "
                f"{name} is {_ordinal(rank)} highest."
            )
    return " ".join(sentences)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def comparison_chart(
    benchmarks: pd.DataFrame,
    title: str,
    *,
    unit: str = "percent",
    period: str | None = None,
    direction: str | None = None,
) -> Chart:
    """Horizontal bars: the area, England, region, neighbour average, then each neighbour.

    Args:
        benchmarks: Tidy rows as from :func:`sendready.comparators.benchmarks_for`
            (``period, role, geography, value``; ``neighbour_rank`` optional).
        title: Plain words for the title.
        unit: Indicator unit (``percent`` puts the axis on 0-100%).
        period: Which period; default the latest with a figure for the area.
        direction: ``up``/``down`` adds "higher/lower is better" to the alt text.
    """
    rows, period = _rows_for_period(benchmarks, period)
    order = {"area": 0, "england": 1, "region": 2, "neighbour_average": 3, "neighbour": 4}
    rows = rows.assign(
        _order=rows["role"].map(order).astype("Int64"), _value=rows["value"].astype("Float64")
    )
    rows = rows.sort_values(
        ["_order", "_value"], ascending=[True, False], kind="stable", na_position="last"
    )
    rows = rows[rows["_order"].notna()].reset_index(drop=True)
    values = rows["value"].to_numpy(dtype=float, na_value=np.nan)
    # A gap between the headline comparators and the individual neighbours.
    y = np.arange(len(rows), dtype=float) + np.where(rows["role"] == "neighbour", 0.6, 0.0)
    with styled():
        figure, ax = new_figure((8.0, max(3.6, 1.8 + 0.42 * len(rows))))
        colours = [
            HIGHLIGHT if r == "area" else NEIGHBOUR_GREY if r == "neighbour" else COMPARATOR_GREY
            for r in rows["role"]
        ]
        bars = ax.barh(y, np.nan_to_num(values), height=0.7, color=colours)
        for bar, role in zip(bars, rows["role"], strict=True):
            if role == "area":
                bar.set_hatch("//")
                bar.set_edgecolor("white")
        top = 100.0 if unit == "percent" else float(np.nanmax(values, initial=1.0)) * 1.2
        for yi, value in zip(y, values, strict=True):
            text = format_value(value, unit)
            ax.text(
                (0 if np.isnan(value) else value) + top * 0.01, yi, text, va="center", fontsize=11
            )
        labels = [
            plain_text(g, 32) + (" (this area)" if r == "area" else "")
            for g, r in zip(rows["geography"].fillna(""), rows["role"], strict=True)
        ]
        ax.set_yticks(y, labels)
        for tick, role in zip(ax.get_yticklabels(), rows["role"], strict=True):
            if role == "area":
                tick.set_fontweight("bold")
        ax.invert_yaxis()
        if unit == "percent":
            percent_axis(ax, which="x")
        else:
            ax.set_xlim(0, top)
        ax.grid(axis="y", visible=False)
        ax.set_title(plain_text(f"{title}, {period}"))
        ax.legend(
            handles=[
                Patch(facecolor=HIGHLIGHT, hatch="//", edgecolor="white", label="This area"),
                Patch(facecolor=COMPARATOR_GREY, label="England, region, average"),
                Patch(facecolor=NEIGHBOUR_GREY, label="Each statistical neighbour"),
            ],
            loc="upper center",
            bbox_to_anchor=(0.4, -0.12),
            ncol=3,
            fontsize=10.5,
        )
    table = pd.DataFrame(
        {
            "Area": rows["geography"].astype("string").map(clean_text, na_action="ignore"),
            "Compared as": rows["role"].map(ROLE_WORDS),
            "Value": rows["value"].astype("Float64"),
        }
    )
    if "note" in rows:
        table["Note"] = rows["note"].astype("string").fillna("")
    facts = {"period": period, "values": dict(zip(table["Area"], values, strict=True))}
    return Chart(
        figure=figure,
        alt_text=comparison_alt_text(rows, title, period, unit, direction),
        data=table,
        caption=f"{title}, {period}",
        units={"Value": unit},
        facts=facts,
    )


# --- plan actions by status -------------------------------------------------------------------

# action_plan contract status codes, best first; colour follows MDC meaning, hatching and
# the labels carry it too.
STATUS_ORDER = ("complete", "on_track", "not_started", "at_risk", "overdue")
STATUS_WORDS = {
    "complete": "Complete",
    "on_track": "On track",
    "not_started": "Not started",
    "at_risk": "At risk",
    "overdue": "Overdue",
}
STATUS_COLOURS = {
    "complete": SPC_COLOURS["special_cause_improvement"],
    "on_track": SPC_COLOURS["common_cause"],
    "not_started": SPC_COLOURS["common_cause"],
    "at_risk": SPC_COLOURS["special_cause_concern"],
    "overdue": SPC_COLOURS["special_cause_concern"],
}
STATUS_HATCHES = {
    "complete": "",
    "on_track": "",
    "not_started": "..",
    "at_risk": "",
    "overdue": "//",
}


def actions_alt_text(counts: pd.Series, as_at: str | None = None) -> str:
    """Alt text: total actions, then each status with its count, largest share first."""
    total = int(counts.sum())
    when = f" at {as_at}" if as_at else ""
    if total == 0:
        return f"Bar chart of plan actions by status{when}: there are no actions."
    parts = [
        f"{format_count(n)} {STATUS_WORDS[s].lower()} ({format_percent(n / total * 100)})"
        for s, n in counts.items()
    ]
    listing = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f"Bar chart of {format_count(total)} plan actions by status{when}: {listing}."


def actions_chart(
    actions: pd.DataFrame,
    title: str = "Plan actions by status",
    *,
    status_column: str = "status",
    as_at: str | None = None,
) -> Chart:
    """Bars of plan actions per status (all five statuses, zeros included), labelled.

    Args:
        actions: One row per action (the ``action_plan`` source, perhaps one weakness's).
        title: Plain words for the title.
        status_column: Status codes as the ``action_plan`` contract.
        as_at: Date in words for the alt text and caption, e.g. "31 March 2019".

    Raises:
        ValueError: A status is not one of the contract's codes.
    """
    status = actions[status_column].astype("string")
    unknown = sorted(set(status.dropna()) - set(STATUS_ORDER))
    if unknown:
        raise ValueError(f"unknown action status {unknown}; expected one of {STATUS_ORDER}")
    counts = status.value_counts().reindex(list(STATUS_ORDER), fill_value=0).astype(int)
    total = int(counts.sum())
    with styled():
        figure, ax = new_figure((8.0, 3.8))
        y = np.arange(len(counts))
        bars = ax.barh(
            y,
            counts.to_numpy(),
            height=0.65,
            color=[STATUS_COLOURS[s] for s in counts.index],
            edgecolor="white",
        )
        for bar, key in zip(bars, counts.index, strict=True):
            bar.set_hatch(STATUS_HATCHES[key])
        right = max(1, int(counts.max()))
        for yi, n in zip(y, counts.to_numpy(), strict=True):
            share = f" ({format_percent(n / total * 100)})" if total else ""
            ax.text(n + right * 0.015, yi, f"{format_count(n)}{share}", va="center", fontsize=11)
        ax.set_yticks(y, [STATUS_WORDS[s] for s in counts.index])
        ax.invert_yaxis()
        ax.set_xlim(0, right * 1.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("Number of actions")
        ax.grid(axis="y", visible=False)
        ax.set_title(plain_text(title))
    caption = f"{title}, at {as_at}" if as_at else title
    table = pd.DataFrame(
        {
            "Status": [STATUS_WORDS[s] for s in counts.index],
            "Actions": pd.array(counts.to_numpy(), dtype="Int64"),
            "Share (%)": pd.array(
                counts.to_numpy() / total * 100 if total else [np.nan] * len(counts),
                dtype="Float64",
            ),
        }
    )
    return Chart(
        figure=figure,
        alt_text=actions_alt_text(counts, as_at),
        data=table,
        caption=caption,
        units={"Actions": "count", "Share (%)": "percent"},
        facts={"counts": counts.to_dict(), "total": total},
    )
