"""Funnel plot of schools (or providers): rate against size, with chance limits.

A funnel rather than a league table: only schools outside the limits differ from the area
by more than chance explains (Spiegelhalter 2005; see :mod:`sendready.stats.funnel`, which
computes every limit drawn here). Schools outside the 99.8% limits are named on the
chart. Names are free text from the school census: they are drawn as plain text (a ``$``
would otherwise start mathematics), cut to a readable length, and escaped in HTML by
:func:`~sendready.reports.charts.display.show_figure`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from sendready.core.formatting import format_count, format_percent
from sendready.privacy.disclosure import SUPPRESSED
from sendready.reports.charts.display import Chart
from sendready.reports.charts.theme import (
    LIMIT_STYLE,
    MEAN_STYLE,
    NEUTRAL,
    SPC_COLOURS,
    WHITE,
    clean_text,
    new_figure,
    percent_axis,
    plain_text,
    styled,
)
from sendready.stats.funnel import Overdispersion, classify_units, funnel_curves

GREY = SPC_COLOURS["common_cause"]
# (position, marker, face, edge, legend words): shape and words as well as colour.
POSITIONS = (
    ("above 99.8% limit", "^", NEUTRAL, NEUTRAL, "Above the 99.8% limit (named)"),
    ("below 99.8% limit", "v", NEUTRAL, NEUTRAL, "Below the 99.8% limit (named)"),
    ("outside 95% limit only", "D", WHITE, GREY, "Outside the 95% limit only"),
    ("within 95% limits", "o", GREY, GREY, "Within the 95% limits"),
)
MAX_NAME_LENGTH = 28


def _positions(bands: pd.DataFrame) -> pd.Series:
    band_998, band_95 = bands["band_998"].fillna(""), bands["band_95"].fillna("")
    words = np.select(
        [band_998 == "above", band_998 == "below", band_95 != "within"],
        ["above 99.8% limit", "below 99.8% limit", "outside 95% limit only"],
        default="within 95% limits",
    )
    return pd.Series(words, index=bands.index, dtype="string")


def _names_list(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def funnel_alt_text(
    table: pd.DataFrame,
    p0: float,
    rate_label: str,
    units_word: str = "schools",
    hidden: int = 0,
) -> str:
    """Alt text from the funnel's table (columns ``name, size, rate, position``).

    Args:
        table: One row per plotted unit with ``name``, ``rate`` (percent) and ``position``
            (one of the :data:`POSITIONS` keys).
        p0: Area rate as a proportion (0-1).
        rate_label: What the rate is, e.g. "pupils on SEN support".
        units_word: Plural noun for the units.
        hidden: Units whose figures are hidden by disclosure control, so not plotted.
    """
    counts = table["position"].value_counts()
    above = table.loc[table["position"] == "above 99.8% limit", "name"].tolist()
    below = table.loc[table["position"] == "below 99.8% limit", "name"].tolist()
    outside_95 = int(counts.get("outside 95% limit only", 0))
    sentences = [
        f"Funnel plot of {rate_label} for {format_count(len(table))} {units_word}, each "
        f"plotted against its size, around the area rate of {format_percent(p0 * 100)} "
        "with 95% and 99.8% limits."
    ]
    if above or below:
        parts = []
        if above:
            parts.append(f"Above the 99.8% limit: {len(above)} ({_names_list(above)})")
        if below:
            parts.append(f"below it: {len(below)} ({_names_list(below)})")
        sentences.append("; ".join(parts) + ".")
    else:
        sentences.append(f"None of the {units_word} is outside the 99.8% limits.")
    within = int(counts.get("within 95% limits", 0))
    sentences.append(
        f"Outside the 95% limit only: {outside_95}. Within the 95% limits, "
        f"where chance alone explains the differences: {within}."
    )
    if hidden:
        sentences.append(
            f"Not plotted: {format_count(hidden)} {units_word} whose figures rest on too "
            "few cases to show."
        )
    return " ".join(sentences)


@dataclass(frozen=True)
class _Units:
    """The units as plotted: size, rate (percent), position words and (cleaned) names."""

    size: np.ndarray
    rate: np.ndarray
    position: pd.Series
    names: pd.Series
    z: np.ndarray  # distance from the area rate, for choosing which names to draw
    hidden: np.ndarray  # figures hidden by disclosure control: never drawn nor given

    @property
    def keep(self) -> np.ndarray:
        """Units with a size to plot whose figures may be shown."""
        return (self.size > 0) & ~self.hidden


def _draw_limits(ax: object, curves: pd.DataFrame, p0: float) -> list:
    """The area rate and the 95% and 99.8% limits; returns their legend handles."""
    grid = curves["denominator"].to_numpy(dtype=float)
    handles = ax.plot(
        [grid[0], grid[-1]],
        [p0 * 100] * 2,
        **MEAN_STYLE,
        label=f"Area rate {format_percent(p0 * 100)}",
    )
    for level, width, words in (("95", 1.2, "95% limits"), ("998", 2.0, "99.8% limits")):
        for side in ("lower", "upper"):
            line = ax.plot(
                grid,
                curves[f"{side}_{level}"].to_numpy(dtype=float) * 100,
                **{**LIMIT_STYLE, "linewidth": width},
                label=words,
            )
        handles += line
    return handles


def _draw_units(ax: object, units: _Units) -> list:
    """One marker style per position; returns the legend handles of those drawn."""
    handles = []
    for key, marker, face, edge, words in POSITIONS:
        mask = units.keep & (units.position == key).to_numpy(dtype=bool)
        if mask.any():
            handles.append(
                ax.scatter(
                    units.size[mask],
                    units.rate[mask],
                    marker=marker,
                    s=50,
                    facecolors=face,
                    edgecolors=edge,
                    linewidths=1.4,
                    zorder=4,
                    label=words,
                )
            )
    return handles


def _name_outliers(ax: object, units: _Units, n_max: int, max_labels: int) -> None:
    """Name the units outside the 99.8% limits, the furthest out first."""
    size, rate = units.size, units.rate
    outside = np.flatnonzero(units.keep & units.position.str.contains("99.8").to_numpy(dtype=bool))
    for i in outside[np.argsort(-units.z[outside], kind="stable")][:max_labels]:
        right_half = size[i] > n_max * 0.6
        ax.annotate(
            plain_text(units.names.iloc[i], MAX_NAME_LENGTH),
            (size[i], rate[i]),
            xytext=(-6 if right_half else 6, 6),
            textcoords="offset points",
            ha="right" if right_half else "left",
            fontsize=10.5,
            zorder=5,
        )


def _funnel_table(units: _Units) -> pd.DataFrame:
    """One row per unit, ordered by position (furthest above first), then by size.

    Units whose figures are hidden come last, in name order (their sizes must not order
    them), with ``hidden`` true.
    """
    table = pd.DataFrame(
        {
            "name": units.names.to_numpy(),
            "size": pd.array(units.size, dtype="Float64"),
            "rate": pd.array(units.rate, dtype="Float64"),
            "position": units.position.to_numpy(),
            "hidden": units.hidden,
        }
    )
    order = {key: rank for rank, (key, *_rest) in enumerate(POSITIONS)}
    rank = table["position"].map(order).to_numpy(dtype=float)
    rank[units.hidden] = len(POSITIONS)
    size = np.where(units.hidden, 0.0, units.size)
    by_name = np.where(units.hidden, units.names.rank(method="first").to_numpy(), 0.0)
    return table.iloc[np.lexsort((by_name, -size, rank))].reset_index(drop=True)


def _shown_table(table: pd.DataFrame, size_label: str, name_heading: str) -> pd.DataFrame:
    """The table under the chart: a hidden unit is named, its figures shown as ``c``."""
    shown = table.drop(columns="hidden")
    hidden = table["hidden"].to_numpy(dtype=bool)
    if hidden.any():
        shown = shown.astype(object)
        shown.loc[hidden, ["size", "rate", "position"]] = SUPPRESSED
    return shown.rename(
        columns={
            "name": name_heading,
            "size": size_label,
            "rate": "Rate (%)",
            "position": "Position",
        }
    )


def funnel_plot(  # noqa: PLR0913 -- public; panels.py and tests pass these by name
    units: pd.DataFrame,
    title: str,
    *,
    name_column: str = "school_name",
    count_column: str = "count",
    size_column: str = "pupils",
    p0: float | None = None,
    rate_label: str = "pupils on SEN support",
    size_label: str = "Number of pupils",
    units_word: str = "schools",
    name_heading: str = "School",
    overdispersion: Overdispersion = "none",
    max_labels: int = 10,
    hidden_column: str | None = None,
) -> Chart:
    """Draw a funnel plot and name the schools outside the 99.8% limits.

    Args:
        units: One row per school, e.g. from
            :func:`sendready.indicators.identification.school_identification_funnel`.
        title: Plain words for the chart title.
        name_column, count_column, size_column: The unit's name, its cases and its size.
        p0: Area rate (0-1); default ``units.attrs["p0"]`` or the pooled rate.
        rate_label: What the rate counts, for axis and alt text.
        size_label: The x-axis label.
        units_word: Plural noun for the units, for the alt text.
        name_heading: Heading of the name column in the table.
        overdispersion: Passed to :func:`~sendready.stats.funnel.classify_units`.
        max_labels: Most names drawn (the furthest out first); all are in the table.
        hidden_column: A boolean column marking units whose figures disclosure control
            hides: they count towards the centre and the spread of the limits, but are
            not drawn or named as outside them, and the table shows their figures as
            ``c``. None hides none.
    """
    if p0 is None:
        p0 = units.attrs.get("p0")
    bands = classify_units(
        units[count_column], units[size_column], p0, overdispersion=overdispersion
    )
    p0 = float(bands.attrs["p0"])
    plotted = _Units(
        size=bands["denominator"].to_numpy(dtype=float, na_value=np.nan),
        rate=bands["proportion"].to_numpy(dtype=float, na_value=np.nan) * 100,
        position=_positions(bands),
        names=units[name_column]
        .astype("string")
        .fillna("(no name)")
        .map(clean_text)
        .astype("string"),
        z=np.abs(bands["z"].to_numpy(dtype=float, na_value=0.0)),
        hidden=(
            units[hidden_column].fillna(False).to_numpy(dtype=bool)
            if hidden_column
            else np.zeros(len(units), dtype=bool)
        ),
    )
    size, rate, keep = plotted.size, plotted.rate, plotted.keep
    with styled():
        figure, ax = new_figure((8.0, 5.4))
        n_max = int(np.nanmax(size[keep]) * 1.05) + 1
        n_min = max(1, int(np.nanmin(size[keep]) * 0.8))
        curves = funnel_curves(
            p0, n_max, n_min=n_min, phi=bands.attrs["phi"], tau2=bands.attrs["tau2"]
        )
        grid = curves["denominator"].to_numpy(dtype=float)
        handles = _draw_limits(ax, curves, p0)
        handles += _draw_units(ax, plotted)
        _name_outliers(ax, plotted, n_max, max_labels)
        top = np.nanmax(
            np.r_[
                rate[keep],
                curves["upper_998"].to_numpy(dtype=float)[grid >= np.nanmin(size[keep])] * 100,
            ]
        )
        percent_axis(ax, top=min(100.0, float(np.ceil(top * 1.15 / 5) * 5)))
        ax.set_xlim(0, n_max)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_count(v)))
        ax.set_xlabel(size_label)
        label = plain_text(rate_label)
        ax.set_ylabel(f"{label[:1].upper()}{label[1:]} (%)")
        ax.set_title(plain_text(title))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
        for artist in handles:
            if isinstance(artist, Line2D):
                artist.set_zorder(3)

    table = _funnel_table(plotted)
    drawn = table[(table["size"].fillna(0) > 0) & ~table["hidden"]]
    hidden = int(table["hidden"].sum())
    alt = funnel_alt_text(drawn, p0, rate_label, units_word, hidden=hidden)
    facts = {
        "p0": p0,
        "units": int(keep.sum()),
        "hidden": hidden,
        "above_998": drawn.loc[drawn["position"] == "above 99.8% limit", "name"].tolist(),
        "below_998": drawn.loc[drawn["position"] == "below 99.8% limit", "name"].tolist(),
        "phi": bands.attrs["phi"],
        "tau2": bands.attrs["tau2"],
    }
    return Chart(
        figure=figure,
        alt_text=alt,
        data=_shown_table(table, size_label, name_heading),
        caption=title,
        units={size_label: "count", "Rate (%)": "percent"},
        facts=facts,
    )
