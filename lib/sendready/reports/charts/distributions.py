"""Distributions: days waited by health service, and survey answers by wave.

**Waits.** Box plots drawn from quantiles computed here (matplotlib's ``bxp``), not from
raw points: the chart, its table and its alt text then use the same numbers, and no
single child's wait appears as a dot (board reports show aggregates only: docs/method.md,
"Small-number suppression"). Services with fewer waits than the disclosure threshold are
left out and named in the alt text. seaborn 0.13.2's ``boxplot`` is not used because it passes
matplotlib's deprecated ``vert`` argument, which warns on matplotlib 3.11.

**Likert bars.** One 100% stacked bar per survey wave, strongly disagree on the left to
strongly agree on the right, each segment with its own hatching and, where wide enough,
its percentage, so colour is never the only cue. "Don't know" and blanks are counted
but not plotted, as in :mod:`sendready.indicators.surveys`.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sendready.core.formatting import format_count, format_month, format_percent
from sendready.privacy.disclosure import (
    SUPPRESSED,
    is_complement_primary,
    is_primary,
    table_suppression,
)
from sendready.reports.charts.display import Chart
from sendready.reports.charts.theme import (
    HIGHLIGHT,
    INK,
    TARGET_STYLE,
    WHITE,
    clean_text,
    new_figure,
    percent_axis,
    plain_text,
    styled,
    text_colour_on,
)

# NHS waiting-list bands in days (18 and 52 weeks; docs/indicators.md, JC03 and JC04).
WAIT_THRESHOLDS = ((126, "18 weeks"), (364, "52 weeks"))
THRESHOLD_DASHES = ((0, (6, 3)), (0, (2, 2, 8, 2)))  # dashed; dash-dot-dash for the second
SERVICE_WORDS = {
    "slt": "Speech and language therapy",
    "ot": "Occupational therapy",
    "physio": "Physiotherapy",
    "community_paediatrics": "Community paediatrics",
    "camhs": "CAMHS (mental health)",
    "neurodevelopmental": "Neurodevelopmental (autism, ADHD)",
}
BOX_FILL = "#CFE0F3"
SUMMARY_COLUMNS = [
    "Service",
    "Waits",
    "Median (days)",
    "25th percentile",
    "75th percentile",
    "10th percentile",
    "90th percentile",
    "Over 18 weeks (%)",
    "Over 52 weeks (%)",
]

LIKERT_ORDER = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")
LIKERT_WORDS = {
    "strongly_disagree": "Strongly disagree",
    "disagree": "Disagree",
    "neutral": "Neither agree nor disagree",
    "agree": "Agree",
    "strongly_agree": "Strongly agree",
}
# Diverging orange-grey-blue, dark enough for white labels (>= 4.5:1) on every segment.
LIKERT_COLOURS = {
    "strongly_disagree": "#7A3100",
    "disagree": "#C25400",
    "neutral": "#767676",
    "agree": "#2F6DB5",
    "strongly_agree": "#003B74",
}
LIKERT_HATCHES = {
    "strongly_disagree": "xx",
    "disagree": "//",
    "neutral": "",
    "agree": "\\\\",
    "strongly_agree": "..",
}
MIN_LABELLED_SHARE = 12.0  # percent: narrower segments are left to the table


def _list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def wait_summary(
    waits: pd.DataFrame,
    service_column: str,
    days_column: str,
    min_count: int,
    labels: dict[str, str],
) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """Per service shown: quantiles and shares over 18 and 52 weeks.

    Returns:
        The summary (longest median first), the services too small to show, and the
        days waited in the services shown (for whole-chart shares).
    """
    days = pd.to_numeric(waits[days_column], errors="coerce").astype("Float64")
    frame = pd.DataFrame({"service": waits[service_column].astype("string"), "days": days})
    frame = frame.dropna()
    rows, hidden, kept = [], [], [np.zeros(0)]
    for service, group in frame.groupby("service", sort=True):
        name = clean_text(labels.get(service, service))
        values = group["days"].to_numpy(dtype=float)
        if len(values) < min_count:
            hidden.append(name)
            continue
        kept.append(values)
        q10, q25, q50, q75, q90 = np.percentile(values, [10, 25, 50, 75, 90])
        rows.append(
            {
                "Service": name,
                "Waits": len(values),
                "Median (days)": q50,
                "25th percentile": q25,
                "75th percentile": q75,
                "10th percentile": q10,
                "90th percentile": q90,
                "Over 18 weeks (%)": float((values > 126).mean() * 100),
                "Over 52 weeks (%)": float((values > 364).mean() * 100),
            }
        )
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    if len(summary):
        summary = summary.sort_values("Median (days)", ascending=False, kind="stable")
    return summary.reset_index(drop=True), hidden, np.concatenate(kept)


def wait_shares_hidden(summary: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Which shares over 18 and 52 weeks must be hidden: a share of a service's shown
    waits gives back the children over the line, and those under it, so it is hidden
    when either number is 1 to threshold - 1 (boolean, same index as ``summary``)."""
    rates = {f"Over {words} (%)": words for _days, words in WAIT_THRESHOLDS}
    counts = pd.DataFrame({"Waits": summary["Waits"].astype(float)}, index=summary.index)
    for column, words in rates.items():
        counts[words] = (summary[column].astype(float) * counts["Waits"] / 100).round()
        counts[column] = summary[column].astype(float)
    why = table_suppression(
        counts,
        ["Waits", *rates.values()],
        threshold=threshold,
        rates={column: (words, "Waits") for column, words in rates.items()},
    )
    return why[list(rates)].astype(bool)


def waits_alt_text(
    summary: pd.DataFrame, all_days: np.ndarray, hidden: list[str], min_count: int
) -> str:
    """Alt text for the waits chart from its summary table."""
    if summary.empty:
        return (
            "Box plot of days waited by service: no service has enough waits to show "
            f"(at least {min_count} are needed)."
        )
    total = int(summary["Waits"].sum())
    sentences = [
        f"Box plot of days waited for {format_count(total)} referrals in "
        f"{len(summary)} service{'s' if len(summary) != 1 else ''}, with lines at 18 "
        "weeks (126 days) and 52 weeks (364 days)."
    ]
    longest, shortest = summary.iloc[0], summary.iloc[-1]
    sentences.append(
        f"Longest median wait: {longest['Service']}, {format_count(longest['Median (days)'])} days."
    )
    if len(summary) > 1:
        sentences.append(
            f"Shortest: {shortest['Service']}, {format_count(shortest['Median (days)'])} days."
        )
    shares = []
    hidden_shares = wait_shares_hidden(summary, min_count)
    for days, words in WAIT_THRESHOLDS:
        over = int((all_days > days).sum())
        column = f"Over {words} (%)"
        # Not when small, nor when it would give back a service's hidden share.
        if not (
            is_primary(over, min_count)
            or is_complement_primary(over, len(all_days), min_count)
            or hidden_shares[column].any()
        ):
            share = format_percent(over / len(all_days) * 100)
            shares.append(f"{share} {'of waits were ' if not shares else ''}over {words}")
    if shares:
        sentences.append(f"Across these services {' and '.join(shares)}.")
    if hidden:
        sentences.append(f"Not shown (fewer than {min_count} waits): {_list(hidden)}.")
    return " ".join(sentences)


def waiting_times_chart(
    waits: pd.DataFrame,
    title: str = "Days waited, by service",
    *,
    service_column: str = "service",
    days_column: str = "days_waited",
    service_labels: dict[str, str] | None = None,
    min_count: int = 6,
) -> Chart:
    """Box plot of days waited per service, with the 18- and 52-week lines.

    Args:
        waits: One row per referral (aggregated here; nothing person-level is drawn).
        title: Plain words for the title.
        service_column, days_column: Service code and days waited.
        service_labels: Code -> words; defaults to :data:`SERVICE_WORDS`.
        min_count: Services with fewer waits are left out (the disclosure threshold).
    """
    labels = SERVICE_WORDS if service_labels is None else service_labels
    summary, hidden, all_days = wait_summary(waits, service_column, days_column, min_count, labels)
    with styled():
        figure, ax = new_figure((8.0, max(3.6, 1.6 + 0.6 * len(summary))))
        stats = [
            {
                "label": plain_text(r["Service"], 34),
                "med": r["Median (days)"],
                "q1": r["25th percentile"],
                "q3": r["75th percentile"],
                "whislo": r["10th percentile"],
                "whishi": r["90th percentile"],
                "fliers": [],
            }
            for _, r in summary.iloc[::-1].iterrows()
        ]  # longest wait at the top
        if stats:
            orientation = {"orientation": "horizontal"} if _has_orientation() else {"vert": False}
            ax.bxp(
                stats,
                showfliers=False,
                patch_artist=True,
                widths=0.55,
                boxprops={"facecolor": BOX_FILL, "edgecolor": HIGHLIGHT, "linewidth": 1.4},
                medianprops={"color": INK, "linewidth": 2.4},
                whiskerprops={"color": HIGHLIGHT, "linewidth": 1.4},
                capprops={"color": HIGHLIGHT, "linewidth": 1.4},
                **orientation,
            )
            for position, entry in enumerate(stats, start=1):
                ax.annotate(
                    f"median {format_count(entry['med'])}",
                    (entry["whishi"], position),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=10.5,
                )
        handles = [
            Patch(facecolor=BOX_FILL, edgecolor=HIGHLIGHT, label="Middle half of waits"),
            Line2D([], [], color=INK, linewidth=2.4, label="Median"),
            Line2D([], [], color=HIGHLIGHT, label="10th to 90th percentile"),
        ]
        for (days, words), dashes in zip(WAIT_THRESHOLDS, THRESHOLD_DASHES, strict=True):
            handles.append(
                ax.axvline(
                    days, **{**TARGET_STYLE, "linestyle": dashes}, label=f"{words} ({days} days)"
                )
            )
        right = max([364.0] + [entry["whishi"] for entry in stats])
        ax.set_xlim(0, right * 1.2)
        ax.set_xlabel("Days waited")
        ax.grid(axis="y", visible=False)
        ax.set_title(plain_text(title))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    table = summary[
        [
            "Service",
            "Waits",
            "Median (days)",
            "25th percentile",
            "75th percentile",
            "Over 18 weeks (%)",
            "Over 52 weeks (%)",
        ]
    ]
    table = table.astype(object)
    hidden_shares = wait_shares_hidden(summary, min_count)
    for column in hidden_shares.columns:
        table.loc[hidden_shares[column], column] = SUPPRESSED
    units = {
        "Waits": "count",
        "Median (days)": "days",
        "25th percentile": "days",
        "75th percentile": "days",
        "Over 18 weeks (%)": "percent",
        "Over 52 weeks (%)": "percent",
    }
    facts = {"services": summary["Service"].tolist(), "hidden": hidden, "waits": len(all_days)}
    return Chart(
        figure=figure,
        alt_text=waits_alt_text(summary, all_days, hidden, min_count),
        data=table,
        caption=title,
        units=units,
        facts=facts,
    )


def _has_orientation() -> bool:
    # bxp gained ``orientation`` in matplotlib 3.10 and deprecated ``vert`` in 3.11.
    major, minor = (int(p) for p in mpl.__version__.split(".")[:2])
    return (major, minor) >= (3, 10)


# --- survey answers by wave -------------------------------------------------------------------


def _wave_label(value: object) -> str:
    if isinstance(value, pd.Timestamp | np.datetime64):
        return format_month(value)
    return clean_text(value)


def likert_shares(
    answers: pd.DataFrame, wave_column: str, answer_column: str, count_column: str | None
) -> pd.DataFrame:
    """Answers on the agree scale per wave: counts, percentages and the others left out."""
    counts = (
        answers[count_column] if count_column else pd.Series(1, index=answers.index, dtype="Int64")
    )
    frame = pd.DataFrame(
        {
            "wave": answers[wave_column],
            "answer": answers[answer_column].astype("string"),
            "n": pd.to_numeric(counts, errors="coerce").fillna(0),
        }
    )
    waves = frame["wave"].drop_duplicates().dropna()
    if pd.api.types.is_datetime64_any_dtype(waves):
        waves = waves.sort_values()
    rows = []
    for wave in waves:
        one = frame[(frame["wave"] == wave).fillna(False).astype(bool)]
        by_answer = one.groupby("answer", dropna=False)["n"].sum()
        on_scale = {key: float(by_answer.get(key, 0)) for key in LIKERT_ORDER}
        answered = sum(on_scale.values())
        row = {
            "Wave": _wave_label(wave),
            "Answers": answered,
            "Not on the scale": float(one["n"].sum()) - answered,
        }
        for key in LIKERT_ORDER:
            row[f"{LIKERT_WORDS[key]} (%)"] = on_scale[key] / answered * 100 if answered else np.nan
        row["Agree or strongly agree (%)"] = row["Agree (%)"] + row["Strongly agree (%)"]
        rows.append(row)
    return pd.DataFrame(rows)


AGREE = ("agree", "strongly_agree")
DISAGREE = ("strongly_disagree", "disagree")
AGREE_COLUMN = "Agree or strongly agree (%)"


def _answer_counts(row: pd.Series) -> dict[str, float]:
    """Each answer's count in one wave, worked back from its share (as a reader could)."""
    total = float(row["Answers"])
    # A wave with no answer on the scale has no shares (NaN): none of its answers counts.
    return {
        k: 0 if not total else round(float(row[f"{LIKERT_WORDS[k]} (%)"]) * total / 100)
        for k in LIKERT_ORDER
    }


def pair_shown(row: pd.Series, hidden: set[str], pair: tuple[str, str], threshold: int) -> bool:
    """Whether the share answering either of ``pair`` in one wave may be shown.

    Not when the two together, or the answers outside them, number 1 to threshold - 1;
    nor when it would give back a hidden answer: one of the pair hidden and the other
    not, or both hidden while another answer of the wave is hidden too (the wave's
    answers add up to its total).
    """
    if "Answers" in hidden or not row["Answers"]:
        return False
    inside = hidden & set(pair)
    if inside and (inside != set(pair) or hidden - set(pair)):
        return False
    together = sum(_answer_counts(row)[k] for k in pair)
    return not is_primary(together, threshold) and not is_complement_primary(
        together, row["Answers"], threshold
    )


def likert_hidden(shares: pd.DataFrame, threshold: int) -> list[set[str]]:
    """For each wave, which of ``Answers``, the answer codes and ``Not on the scale`` are
    hidden: counts of 1 to threshold - 1, shares whose complement is that small, and the
    cells secondary suppression adds so that no hidden answer can be worked out from
    the wave's total (:func:`sendready.privacy.disclosure.table_suppression`)."""
    if shares.empty:
        return []
    counts = pd.DataFrame([_answer_counts(row) for _, row in shares.iterrows()])
    counts["Answers"] = shares["Answers"].to_numpy(dtype=float)
    counts["Not on the scale"] = shares["Not on the scale"].to_numpy(dtype=float)
    for key in LIKERT_ORDER:
        counts[key + "%"] = shares[f"{LIKERT_WORDS[key]} (%)"].to_numpy(dtype=float)
    why = table_suppression(
        counts,
        [*LIKERT_ORDER, "Answers"],
        threshold=threshold,
        total_column="Answers",
        rates={key + "%": (key, "Answers") for key in LIKERT_ORDER},
    )
    hidden = []
    for r in counts.index:
        cells = {c for c in [*LIKERT_ORDER, "Answers"] if why.at[r, c]}
        if is_primary(counts.at[r, "Not on the scale"], threshold):
            cells.add("Not on the scale")  # a count of its own: in no line
        hidden.append(cells)
    return hidden


def likert_table(shares: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The table behind the survey chart, hidden cells as ``c``: answers are parents' and
    young people's, so a share of a shown total must not give back a few of them."""
    shown = shares.astype(object)
    for r, cells in zip(shares.index, likert_hidden(shares, threshold), strict=True):
        row = shares.loc[r]
        for cell in cells:
            column = cell if cell in ("Answers", "Not on the scale") else None
            if column is None:
                column = f"{LIKERT_WORDS[cell]} (%)"
            shown.at[r, column] = SUPPRESSED
        if "Answers" in cells:
            for key in LIKERT_ORDER:
                shown.at[r, f"{LIKERT_WORDS[key]} (%)"] = SUPPRESSED
        if not pair_shown(row, cells, AGREE, threshold):
            shown.at[r, AGREE_COLUMN] = SUPPRESSED if row["Answers"] else np.nan
    return shown


def _answers_words(n: float, hidden: set[str], threshold: int) -> str:
    return (
        f"fewer than {threshold} answers" if "Answers" in hidden else f"{format_count(n)} answers"
    )


def _latest_wave_sentence(
    first: pd.Series | None, last: pd.Series, hidden: tuple[set[str], set[str]], threshold: int
) -> str:
    if not pair_shown(last, hidden[1], AGREE, threshold):
        text = (
            f"In {last['Wave']} the share who agreed is not shown, as it would point at "
            f"fewer than {threshold} people"
        )
    else:
        agree = last[AGREE_COLUMN]
        text = (
            f"In {last['Wave']} {format_percent(agree)} agreed or strongly agreed "
            f"({format_count(last['Answers'])} answers)"
        )
        if first is not None and pair_shown(first, hidden[0], AGREE, threshold):
            before = first[AGREE_COLUMN]
            if format_percent(before) == format_percent(agree):
                text += f", the same as in {first['Wave']}"
            else:
                text += (
                    f", {'up' if agree > before else 'down'} from {format_percent(before)} "
                    f"in {first['Wave']}"
                )
    if not pair_shown(last, hidden[1], DISAGREE, threshold):
        return f"{text}."
    disagree = last["Disagree (%)"] + last["Strongly disagree (%)"]
    return f"{text}; {format_percent(disagree)} disagreed or strongly disagreed."


def likert_alt_text(shares: pd.DataFrame, subject: str, threshold: int = 6) -> str:
    """Alt text: the agree share at the first and latest wave, and what was left out,
    each only where the disclosure rule lets the table show it (:func:`likert_table`)."""
    if shares.empty:
        return f"100% stacked bar chart of answers to {subject}: no answers yet."
    first, last = shares.iloc[0], shares.iloc[-1]
    hidden = likert_hidden(shares, threshold)
    n = len(shares)
    sentences = [
        f"100% stacked bar chart of answers to {subject}, one bar per survey wave "
        f"({n} wave{'s' if n != 1 else ''}"
        + (f", {first['Wave']} to {last['Wave']})." if n > 1 else f", {first['Wave']}).")
    ]
    if last["Answers"] == 0:
        sentences.append(f"No answers on the agree-disagree scale in {last['Wave']}.")
    else:
        sentences.append(
            _latest_wave_sentence(
                first if n > 1 else None, last, (hidden[0], hidden[-1]), threshold
            )
        )
    left_out = int(shares["Not on the scale"].sum())
    # The sum over waves would give back a wave's hidden count, or be small itself.
    if left_out and not is_primary(left_out, threshold):
        if not any("Not on the scale" in cells for cells in hidden):
            sentences.append(
                f"{format_count(left_out)} answers of don't know or no answer not shown."
            )
    return " ".join(sentences)


def likert_chart(
    answers: pd.DataFrame,
    title: str,
    *,
    subject: str | None = None,
    wave_column: str = "wave_date",
    answer_column: str = "answer",
    count_column: str | None = None,
    threshold: int = 6,
) -> Chart:
    """100% stacked horizontal bars of agree-scale answers, one bar per wave.

    The table behind the chart, its alt text and the labels on the bars obey the
    disclosure rule (``threshold``, the profile's): see :func:`likert_table`.

    Args:
        answers: One row per answer (survey rows) or, with ``count_column``, counts per
            wave and answer. Answer codes as the ``surveys`` contract.
        title: Plain words for the title.
        subject: The question in words for the alt text (default the title).
        wave_column: Wave date (drawn as "March 2019") or label; earliest wave on top.
        answer_column: Answer codes.
        count_column: Counts, when answers are already aggregated.
        threshold: Counts of 1 to threshold - 1 are hidden (DfE: 6).
    """
    shares = likert_shares(answers, wave_column, answer_column, count_column)
    hidden = likert_hidden(shares, threshold)
    with styled():
        figure, ax = new_figure((8.0, max(3.8, 2.4 + 0.7 * len(shares))))
        y = np.arange(len(shares))
        left = np.zeros(len(shares))
        for key in LIKERT_ORDER:
            width = (
                shares[f"{LIKERT_WORDS[key]} (%)"].to_numpy(dtype=float)
                if len(shares)
                else np.zeros(0)
            )
            width = np.nan_to_num(width)
            colour = LIKERT_COLOURS[key]
            ax.barh(
                y,
                width,
                left=left,
                height=0.6,
                color=colour,
                edgecolor=WHITE,
                linewidth=1.2,
                hatch=LIKERT_HATCHES[key],
                label=LIKERT_WORDS[key],
            )
            for yi, (start, share) in enumerate(zip(left, width, strict=True)):
                # A hidden share is not written on its bar either.
                if share >= MIN_LABELLED_SHARE and key not in hidden[yi]:
                    ax.text(
                        start + share / 2,
                        yi,
                        format_percent(share),
                        ha="center",
                        va="center",
                        fontsize=10.5,
                        color=text_colour_on(colour),
                        bbox={"facecolor": colour, "edgecolor": "none", "pad": 1.2},
                    )
            left = left + width
        ax.set_yticks(
            y,
            [
                plain_text(f"{w} ({_answers_words(n, cells, threshold)})", 40)
                for w, n, cells in zip(
                    shares.get("Wave", []), shares.get("Answers", []), hidden, strict=True
                )
            ],
        )
        ax.invert_yaxis()  # earliest wave on top: read down in time order
        percent_axis(ax, which="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Share of answers on the agree-disagree scale")
        ax.set_title(plain_text(title))
        # One row, in scale order, so the legend reads left to right like the bars.
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.45, -0.22),
            ncol=5,
            handleheight=1.4,
            handlelength=1.6,
            columnspacing=0.9,
            handletextpad=0.4,
            fontsize=10.5,
        )
    percent_columns = [c for c in shares.columns if c.endswith("(%)")]
    units = {c: "percent" for c in percent_columns} | {
        "Answers": "count",
        "Not on the scale": "count",
    }
    facts = {
        "waves": shares.get("Wave", pd.Series(dtype="string")).tolist(),
        "agree": shares.get("Agree or strongly agree (%)", pd.Series(dtype="Float64")).tolist(),
    }
    return Chart(
        figure=figure,
        alt_text=likert_alt_text(shares, subject or title, threshold),
        data=likert_table(shares, threshold),
        caption=title,
        units=units,
        facts=facts,
    )
