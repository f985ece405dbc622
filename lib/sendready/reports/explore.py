"""A starting point for analysts' own questions: the tidy indicator table, pandas and seaborn.

The ``explore`` notebook calls these one per cell. Each takes or returns a plain
DataFrame in the indicator table's own column names, so an analyst can copy a cell and
change the query or the plot without learning anything of the suite. The charts are
seaborn's own (small multiples with :func:`seaborn.relplot`, faceted distributions with
:func:`seaborn.displot`): quick looks for the analyst, not board charts, which go through
:mod:`sendready.reports.charts` with their alt text.

Figures here are **not** suppressed (the table is the restricted evidence): the
``small_number`` column says which rest on fewer cases than the profile's threshold.
"""

from __future__ import annotations

import pandas as pd

from sendready.reports.charts.theme import HIGHLIGHT, SERIES_GREY

BASELINE, SINCE = "baseline", "since the baseline"
PANEL_HEIGHT = 2.2  # inches: four panels a row fit a JupyterLab page
PANELS_PER_ROW = 4


def monthly_series(ctx, unit: str | None = None, weakness_id: str = "") -> pd.DataFrame:
    """The whole area's monthly figures of every indicator that has them.

    Args:
        ctx: From :func:`sendready.notebook.open_report`.
        unit: Keep one unit only (``"percent"``, ``"days"``, ``"count"``...): panels on
            one scale read more easily.
        weakness_id: Keep one weakness's (or priority area's) indicators only; blank
            for every indicator of the profile.

    Returns:
        The indicator table's monthly rows (breakdown blank, no "no data" rows), with
        ``phase``: ``"baseline"`` for months in the profile's baseline, else
        ``"since the baseline"``.
    """
    table = ctx.evidence.table
    rows = table[
        (table["period_type"] == "month")
        & (table["breakdown"] == "")
        & ~table["no_data"].astype(bool)
    ]
    if unit is not None:
        rows = rows[rows["unit"] == unit]
    if str(weakness_id).strip():
        rows = rows[rows["indicator_id"].isin(ctx.profile.weakness(weakness_id).indicators)]
    framework = ctx.profile.framework
    in_baseline = rows["period_start"].between(
        pd.Timestamp(framework.baseline_start), pd.Timestamp(framework.baseline_end)
    )
    out = rows.assign(phase=in_baseline.map({True: BASELINE, False: SINCE}))
    out["value"] = out["value"].astype(float)
    return out.reset_index(drop=True)


def change_since_baseline(series: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's average in the baseline and since, and the change, largest first.

    A plain mean of monthly values (not pooled counts): a first look, not the
    assessment, which the reports give with its statistics.
    """
    means = series.pivot_table(
        index=["indicator_id", "unit", "direction"],
        columns="phase",
        values="value",
        aggfunc="mean",
        observed=True,
    ).reindex(columns=[BASELINE, SINCE])
    means.columns.name = None
    means["change"] = means[SINCE] - means[BASELINE]
    order = means["change"].abs().sort_values(ascending=False, kind="stable").index
    return means.loc[order].reset_index()


def _panels(series: pd.DataFrame) -> dict:
    """What every chart here shares: a panel per indicator, four a row, coloured by phase
    (baseline grey, since blue: the house colours of :mod:`sendready.reports.charts.theme`)."""
    return {
        "col": "indicator_id",
        "col_wrap": min(PANELS_PER_ROW, max(1, series["indicator_id"].nunique())),
        "hue": "phase",
        "hue_order": [BASELINE, SINCE],
        "palette": [SERIES_GREY, HIGHLIGHT],
        "height": PANEL_HEIGHT,
        "aspect": 1.5,
    }


def small_multiples(series: pd.DataFrame, *, y: str = "value"):
    """One small line chart per indicator, months along the bottom, baseline months in
    grey and the months since in blue (:func:`seaborn.relplot`).

    Returns:
        The :class:`seaborn.FacetGrid`, to adjust (``.set_titles``, ``.set``) or save.
    """
    import seaborn as sns

    grid = sns.relplot(
        data=series,
        x="period_start",
        y=y,
        **_panels(series),
        kind="line",
        estimator=None,  # one figure a month: nothing to average or bootstrap
        errorbar=None,
        marker="o",
        markersize=3,
        facet_kws={"sharey": False},
    )
    grid.set_titles("{col_name}")
    grid.set_axis_labels("", y)
    grid.tick_params(axis="x", labelrotation=45)
    return grid


def distributions(series: pd.DataFrame, *, x: str = "value"):
    """Each indicator's monthly values as a histogram, the baseline against the months
    since, one panel per indicator (:func:`seaborn.displot`): has the spread moved, or
    only the average?

    Returns:
        The :class:`seaborn.FacetGrid`.
    """
    import seaborn as sns

    grid = sns.displot(
        data=series,
        x=x,
        **_panels(series),
        kind="hist",
        stat="density",
        common_norm=False,
        common_bins=False,  # each indicator its own range
        element="step",
        facet_kws={"sharex": False, "sharey": False},
    )
    grid.set_titles("{col_name}")
    return grid
