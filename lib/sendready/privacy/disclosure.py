"""Disclosure control: what a board paper may show of small numbers, and no identifiers.

Board reports are published, so a count small enough to point at a child must not appear,
nor be recoverable from the figures that do (docs/method.md, "Small-number
suppression"). The rules, with the profile's ``disclosure.threshold`` as T:

- **Primary suppression**: a count from 1 to T - 1 is shown as ``c``. DfE statistics use
  T = 6 (counts of 1 to 5 shown as "c"; docs/assumptions-and-caveats.md, D1). **Zero is
  shown**, as DfE shows it: "none" points at no child, and hiding zeros would hide good
  news (no plan late) and bad (no review on time) alike. The known weakness is group
  disclosure: a zero beside a shown total says that *every* child in the group shares the
  other attribute; where that matters, leave the table out rather than rely on the
  threshold.
- **Secondary suppression**: in every line of cells that add up (a row or column of a
  table with a total; the breakdowns of an indicator against its whole-area row; the
  three months of a flow indicator against its quarter) a single hidden cell could be
  recovered by subtraction. So while any line has exactly one hidden cell, hide one more
  in it: the smallest cell above zero that is not a total (a zero gives little cover and
  totals are the figures readers most need), else the total, else a zero. Repeat until no
  line changes: one new hidden cell can leave another line with a single hidden cell.
- **Rates**: a rate is hidden when its numerator or denominator is, because rate and
  one count give the other (a share of a shown total included).
- **Rounding** (optional ``disclosure.rounding``, e.g. 5 in some NHS practice): shown
  counts are rounded to the nearest multiple; rates stay computed from exact counts.
- **Complements**: a share shown with its counts gives away the cases outside it too
  ("92.3% (12 of 13)" tells a reader that 1 plan was late). A proportion or rate whose
  complement, denominator - numerator, is from 1 to T - 1 is hidden as a primary cell
  (same ``c`` and reason), as DfE and NHS practice hide a cell that can be worked out.
  A complement of zero ("all 40 on time") is shown, as zero is: it points at no child
  outside the count, and when the total itself is small the count is already hidden.

Only indicators built from person-level sources are suppressed: a board meeting or a
website search is not a child. :func:`assert_aggregate` guards every displayed frame
against identifiers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from sendready.core.errors import SendreadyError
from sendready.core.formatting import format_count, format_percent, format_value
from sendready.indicators import REGISTRY
from sendready.indicators.quarters import count_columns as statistic_counts
from sendready.indicators.quarters import quarter_composition
from sendready.indicators.registry import suppression_count_for
from sendready.metadata.contracts import CONTRACTS
from sendready.metadata.identifiers import FORMAT_CHECKS
from sendready.metadata.profile import Disclosure, Profile

SUPPRESSED = "c"  # DfE symbol: suppressed to protect confidentiality
NOT_AVAILABLE = "x"  # DfE symbol: not available (no data for the period)
NOT_APPLICABLE = "z"  # DfE symbol: not applicable (no denominator for a count)

PRIMARY = "primary"
SECONDARY = "secondary"
RATE = "rate"


class DisclosureError(SendreadyError):
    """A frame about to be displayed holds person-level identifiers."""


def suppression_note(threshold: int) -> str:
    """The sentence that explains ``c`` to readers, placed under any table that uses it."""
    return (
        f"{SUPPRESSED}: fewer than {threshold} cases, or a figure from which such a "
        "number could be worked out; not shown to protect privacy."
    )


def symbol_notes(threshold: int) -> dict[str, str]:
    """Explanations of every symbol a display frame may hold (for a table's legend)."""
    return {
        SUPPRESSED: suppression_note(threshold),
        NOT_AVAILABLE: f"{NOT_AVAILABLE}: not available (no data for this period).",
        NOT_APPLICABLE: f"{NOT_APPLICABLE}: not applicable.",
    }


def is_suppressed(value: object) -> bool:
    """True for a hidden figure: the ``c`` symbol, or a row marked ``suppressed``."""
    if isinstance(value, pd.Series | Mapping) and "suppressed" in value:
        flag = value["suppressed"]
        return bool(flag) if not pd.isna(flag) else False
    return isinstance(value, str) and value.strip() == SUPPRESSED


def settings(
    threshold: int | Disclosure | Profile, rounding: int | None = None
) -> tuple[int, int | None]:
    """Threshold and rounding from a number, a profile's disclosure settings or a profile."""
    if isinstance(threshold, Profile):
        threshold = threshold.disclosure
    if isinstance(threshold, Disclosure):
        return threshold.threshold, rounding if rounding is not None else threshold.rounding
    return int(threshold), rounding


def is_primary(count: object, threshold: int) -> bool:
    """A count from 1 to threshold - 1 (zero and missing counts are not suppressed)."""
    return not pd.isna(count) and 0 < float(count) < threshold


# Statistics shown as "value (numerator of denominator)", whose complement a reader can
# work out; a median's cases or a count have none.
COMPLEMENT_STATISTICS = frozenset({"proportion", "rate"})


def is_complement_primary(numerator: object, denominator: object, threshold: int) -> bool:
    """The cases outside a share, denominator - numerator, number 1 to threshold - 1.

    Zero is not suppressed (module docstring), nor a negative difference: a rate whose
    numerator exceeds its denominator (events per person) has no complement.
    """
    if pd.isna(numerator) or pd.isna(denominator):
        return False
    return 0 < float(denominator) - float(numerator) < threshold


# --- secondary suppression over lines of cells that add up ---------------------------------


@dataclass(frozen=True)
class Line:
    """Cells whose ``parts`` add up to a shown ``total``, so that one hidden cell among
    them could be worked out from the others."""

    parts: tuple[Hashable, ...]
    total: Hashable

    @property
    def cells(self) -> tuple[Hashable, ...]:
        return (*self.parts, self.total)


def _complement(
    line: Line, hidden: set, sizes: Mapping[Hashable, float], order: Mapping[Hashable, int]
) -> Hashable | None:
    """The cell to hide beside a line's single hidden cell (preference: module docstring)."""

    def usable(cell: Hashable) -> bool:
        return cell not in hidden and not pd.isna(sizes.get(cell))

    parts = sorted((c for c in line.parts if usable(c)), key=lambda c: (sizes[c], order[c]))
    above_zero = [c for c in parts if sizes[c] > 0]
    if above_zero:
        return above_zero[0]
    if usable(line.total) and sizes[line.total] > 0:
        return line.total
    return parts[0] if parts else None


def secondary_suppression(
    sizes: Mapping[Hashable, float], lines: Iterable[Line], primary: Iterable[Hashable]
) -> set[Hashable]:
    """Cells to hide besides ``primary`` so that no line has exactly one hidden cell.

    Args:
        sizes: Each cell's count, used to pick the smallest cell to hide; the mapping's
            order breaks ties so that the result does not depend on set ordering.
        lines: Groups of cells that add up.
        primary: Cells already hidden.
    """
    lines = list(lines)
    order = {cell: i for i, cell in enumerate(sizes)}
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(cell in hidden for cell in line.cells) == 1:
                pick = _complement(line, hidden, sizes, order)
                if pick is not None:
                    hidden.add(pick)
                    changed = True
    return hidden - set(primary)


# --- tables with margins ---------------------------------------------------------------------


def table_suppression(
    frame: pd.DataFrame,
    count_columns: list[str],
    *,
    threshold: int | Disclosure | Profile,
    total_row: Hashable | None = None,
    total_column: str | None = None,
    rates: Mapping[str, tuple[str, str | None]] | None = None,
) -> pd.DataFrame:
    """Which cells of a table must be hidden, and why.

    Args:
        frame: Counts, one row per category; the index labels rows and must be unique.
        count_columns: Columns holding counts (the total column among them, if any).
        threshold: The profile's threshold (or the profile or its disclosure settings).
        total_row: Index label of the row of column totals, if the table has one.
        total_column: The column holding each row's total, if the table has one.
        rates: Rate column -> (numerator column, denominator column). A denominator of
            None means a share of the column total: the numerator column in ``total_row``.
            A numerator whose complement (denominator - numerator) is below the
            threshold is hidden as a primary cell.

    Returns:
        Frame like ``frame`` over the count and rate columns holding "" (shown),
        ``"primary"``, ``"secondary"`` or ``"rate"``.
    """
    limit, _ = settings(threshold)
    if not frame.index.is_unique:
        raise ValueError("the table's index must label each row once")
    rates = dict(rates or {})
    sizes = {(r, c): frame.at[r, c] for c in count_columns for r in frame.index}
    primary = [cell for cell, n in sizes.items() if is_primary(n, limit)]
    primary += _complement_cells(frame, rates, limit, set(primary))
    lines = _margin_lines(frame, count_columns, total_row, total_column)
    secondary = secondary_suppression(sizes, lines, primary)

    why = pd.DataFrame("", index=frame.index, columns=[*count_columns, *rates], dtype="string")
    for r, c in primary:
        why.at[r, c] = PRIMARY
    for r, c in secondary:
        why.at[r, c] = SECONDARY
    _mark_rates(why, rates, set(primary) | secondary, total_row)
    return why


def _complement_cells(
    frame: pd.DataFrame,
    rates: Mapping[str, tuple[str, str | None]],
    limit: int,
    already: set,
) -> list[tuple[Hashable, str]]:
    """Numerator cells whose complement in a shown denominator is small.

    A share of a shown denominator gives away the cases outside it, so its numerator (and
    with it the rate) is hidden when those are few. A share of the column total is left
    to the margins: the rest are other rows' cells, suppressed there.
    """
    cells = []
    for num, den in rates.values():
        if den is None:
            continue
        for r in frame.index:
            if (r, num) not in already and is_complement_primary(
                frame.at[r, num], frame.at[r, den], limit
            ):
                cells.append((r, num))
                already.add((r, num))
    return cells


def _margin_lines(
    frame: pd.DataFrame,
    count_columns: list[str],
    total_row: Hashable | None,
    total_column: str | None,
) -> list[Line]:
    """The sums a reader could redo: each row to its total column, each column to its total row."""
    parts = [c for c in count_columns if c != total_column]
    inner = [r for r in frame.index if r != total_row]
    lines = []
    if total_column is not None:
        lines += [Line(tuple((r, c) for c in parts), (r, total_column)) for r in frame.index]
    if total_row is not None:
        lines += [Line(tuple((r, c) for r in inner), (total_row, c)) for c in count_columns]
    return lines


def _mark_rates(
    why: pd.DataFrame,
    rates: Mapping[str, tuple[str, str | None]],
    hidden: set,
    total_row: Hashable | None,
) -> None:
    """A rate is hidden with its numerator or its denominator."""
    for rate, (num, den) in rates.items():
        if den is None and total_row is None:
            raise ValueError(
                f"rate {rate!r} is a share of the column total, but the table has no total_row"
            )
        for r in why.index:
            den_cell = (r, den) if den is not None else (total_row, num)
            if (r, num) in hidden or den_cell in hidden:
                why.at[r, rate] = RATE


def _round(count: float, rounding: int | None) -> float:
    if not rounding:
        return count
    return math.floor(count / rounding + 0.5) * rounding


def suppress_table(
    frame: pd.DataFrame,
    count_columns: list[str],
    *,
    threshold: int | Disclosure | Profile,
    total_row: Hashable | None = None,
    total_column: str | None = None,
    rates: Mapping[str, tuple[str, str | None]] | None = None,
    rounding: int | None = None,
) -> pd.DataFrame:
    """The table ready to display: counts and rates as text, hidden cells as ``c``.

    Arguments as :func:`table_suppression`; rates are percentages (0 to 100). ``rounding``
    (or the profile's) rounds the counts shown. Other columns are kept as they are.
    """
    _, rounding = settings(threshold, rounding)
    why = table_suppression(
        frame,
        count_columns,
        threshold=threshold,
        total_row=total_row,
        total_column=total_column,
        rates=rates,
    )
    shown = frame.copy()
    for column in why.columns:
        is_rate = column in (rates or {})
        texts = []
        for r in frame.index:
            value = frame.at[r, column]
            if why.at[r, column]:
                texts.append(SUPPRESSED)
            elif pd.isna(value):
                texts.append(NOT_AVAILABLE)
            else:
                texts.append(
                    format_percent(value)
                    if is_rate
                    else format_count(_round(float(value), rounding))
                )
        shown[column] = pd.array(texts, dtype="string")
    return shown


# --- the tidy indicator table ----------------------------------------------------------------


def _person_level_sources() -> tuple[frozenset[str], frozenset[str]]:
    """Sources about individual people, and the columns that identify a person or record.

    A source is person-level when it holds an identifying column or refers to a record of
    another person-level source by that record's own key (advice -> request -> person).
    Survey answers are one respondent's each, though keyed together with the question.
    """
    sources, keys = {"surveys"}, {"response_id"}
    while True:
        before = (len(sources), len(keys))
        for contract in CONTRACTS.values():
            identifying = {c.name for c in contract.columns if c.identifying}
            if identifying or set(contract.column_names) & keys:
                sources.add(contract.name)
            if contract.name in sources:
                keys |= identifying | (set(contract.key) if len(contract.key) == 1 else set())
        if (len(sources), len(keys)) == before:
            break
    return frozenset(sources), frozenset(keys)


PERSON_LEVEL_SOURCES, IDENTIFIER_COLUMNS = _person_level_sources()


def is_person_level(indicator_id: str) -> bool:
    """Whether an indicator counts people (or their records); unknown ids count as people.

    An indicator counts people when its definition says its counts are about people
    (``about_people``) and it is built from a person-level source.
    """
    defn = REGISTRY.get(indicator_id)
    if defn is None:
        return True
    return defn.about_people and bool(set(defn.sources) & PERSON_LEVEL_SOURCES)


NOT_CHILDREN = "not-children"  # value of the HTML attribute ``data-counts``


def counts_attribute(indicator_id: str) -> str:
    """The HTML attribute that marks an indicator's figures as not about children.

    ``' data-counts="not-children"'`` for an indicator whose definition says its counts
    are not of children (:func:`is_person_level` is false: meetings, actions, services,
    schools, web searches), else ``""``. Pages put it on the element that shows only that
    indicator's figures, so that a reader, or a check, can tell them from counts of
    children that must obey the disclosure rule.
    """
    return "" if is_person_level(indicator_id) else f' data-counts="{NOT_CHILDREN}"'


def suppression_count(indicator_id: str, statistic: str) -> str:
    """The count (``numerator`` or ``denominator``) whose size decides which cell to hide
    beside a hidden one: the definition's, else the default for the row's statistic."""
    defn = REGISTRY.get(indicator_id)
    return defn.suppression_count if defn is not None else suppression_count_for(statistic)


def _dimension(breakdown: str) -> str:
    return breakdown.split("=", 1)[0] if "=" in breakdown else ""


def row_is_primary(row: pd.Series, threshold: int, *, person_level_only: bool = True) -> bool:
    """One row (of the table, or derived from it) rests on a count below the threshold."""
    if bool(row.get("no_data", False)):
        return False
    if person_level_only and not is_person_level(str(row["indicator_id"])):
        return False
    statistic = str(row["statistic"])
    if any(is_primary(row[c], threshold) for c in statistic_counts(statistic)):
        return True
    return statistic in COMPLEMENT_STATISTICS and is_complement_primary(
        row["numerator"], row["denominator"], threshold
    )


def primary_rows(
    table: pd.DataFrame, threshold: int, *, person_level_only: bool = True
) -> pd.Series:
    """Rows whose own counts, or a share's complement, are below the threshold (boolean,
    aligned with ``table``)."""
    flags = pd.Series(False, index=table.index)
    for indicator_id, rows in table.groupby("indicator_id", sort=False):
        if person_level_only and not is_person_level(str(indicator_id)):
            continue
        small = pd.Series(False, index=rows.index)
        for column in statistic_counts(str(rows["statistic"].iloc[0])):
            counts = pd.to_numeric(rows[column], errors="coerce").astype("Float64")
            small |= ((counts > 0) & (counts < threshold)).fillna(False).astype(bool)
        if str(rows["statistic"].iloc[0]) in COMPLEMENT_STATISTICS:
            num = pd.to_numeric(rows["numerator"], errors="coerce").astype("Float64")
            den = pd.to_numeric(rows["denominator"], errors="coerce").astype("Float64")
            rest = den - num
            small |= ((rest > 0) & (rest < threshold)).fillna(False).astype(bool)
        flags[rows.index] = small & ~rows["no_data"].astype(bool)
    return flags


def _indicator_lines(rows: pd.DataFrame) -> list[Line]:
    """Lines that add up within one indicator: breakdowns by dimension against the
    whole-area row of each period; a flow quarter against its three months; and a quarter
    row that repeats a month's figures (a stock, or the latest census or survey wave)
    against that month, a line of one part, so that the two are hidden together."""
    totals: dict[tuple, Hashable] = {}
    parts: dict[tuple, list[Hashable]] = {}
    months: dict[tuple, Hashable] = {}
    keys = zip(
        rows.index,
        rows["period_type"],
        rows["period_start"],
        rows["period_end"],
        rows["breakdown"],
        strict=True,
    )
    for label, kind, start, end, breakdown in keys:
        if kind == "month":
            months[(breakdown, start, end)] = label
        if breakdown == "":
            totals[(kind, start, end)] = label
        else:
            parts.setdefault((kind, start, end, _dimension(breakdown)), []).append(label)
    # Breakdowns without a whole-area row in their period add up to nothing shown.
    lines = [
        Line(tuple(cells), totals[key[:3]]) for key, cells in parts.items() if key[:3] in totals
    ]
    for label, fit in quarter_composition(rows).iterrows():
        if fit.flow:
            lines.append(Line(tuple(fit.months), label))
        if fit.stock:
            lines.append(Line((fit.months[-1],), label))
    quarters = rows[rows["period_type"] == "quarter"]
    for label, breakdown, start, end in zip(
        quarters.index,
        quarters["breakdown"],
        quarters["period_start"],
        quarters["period_end"],
        strict=True,
    ):
        twin = months.get((breakdown, start, end))
        if twin is not None:
            lines.append(Line((twin,), label))
    return lines


def mark_suppression(
    table: pd.DataFrame, threshold: int | Disclosure | Profile, *, person_level_only: bool = True
) -> pd.DataFrame:
    """The indicator table with ``suppressed`` (boolean) and ``suppression_reason`` columns.

    Rows of person-level indicators whose numerator or denominator, or for a share
    the cases outside it (denominator - numerator), is below the threshold are hidden
    (primary); then breakdown rows, and months of a flow quarter, are
    hidden as needed so that none can be worked out by subtraction (secondary). Counts are
    kept, so that charts and tests can still read them; display through
    :func:`suppress_indicator_rows` and the narrative, which both honour the flag.
    """
    limit, _ = settings(threshold)
    marked = table.copy()
    primary = primary_rows(marked, limit, person_level_only=person_level_only)
    hidden_primary = list(marked.index[primary])
    sizes: dict[Hashable, float] = {}
    lines: list[Line] = []
    for indicator_id, rows in marked[
        marked["indicator_id"].isin(marked.loc[primary, "indicator_id"].unique())
    ].groupby("indicator_id", sort=False):
        size = suppression_count(str(indicator_id), str(rows["statistic"].iloc[0]))
        counts = pd.to_numeric(rows[size], errors="coerce").astype(float)
        sizes |= dict(zip(rows.index, counts, strict=True))
        lines += _indicator_lines(rows)
    secondary = secondary_suppression(sizes, lines, hidden_primary)
    reason = pd.Series("", index=marked.index, dtype="string")
    reason[list(secondary)] = (
        f"not shown so that a number below {limit} cannot be worked out from the other figures"
    )
    reason[hidden_primary] = f"fewer than {limit} cases"
    marked["suppressed"] = (reason != "").astype("boolean")
    marked["suppression_reason"] = reason
    return marked


def suppress_indicator_rows(
    table: pd.DataFrame,
    threshold: int | Disclosure | Profile,
    *,
    rounding: int | None = None,
    person_level_only: bool = True,
    marked: bool = False,
) -> pd.DataFrame:
    """Indicator rows ready to display: figures as text, hidden ones as ``c``.

    ``numerator``, ``denominator``, ``value``, ``ci_low`` and ``ci_high`` become text
    (``c`` hidden, ``x`` no data, ``z`` not applicable); ``suppressed`` and
    ``suppression_reason`` say which rows were hidden and why.

    With ``marked`` the rows already carry :func:`mark_suppression`'s columns (the
    narrator's table does, marked over every row of each indicator): they are displayed
    as marked, which also allows showing a subset such as the quarter rows alone.
    Marking again would cost seconds per report for a large county.
    """
    _, rounding = settings(threshold, rounding)
    if marked:
        missing = {"suppressed", "suppression_reason"} - set(table.columns)
        if missing:
            raise ValueError(f"rows said to be marked lack {sorted(missing)}")
    else:
        table = mark_suppression(table, threshold, person_level_only=person_level_only)
    shown = table.copy()
    hidden = table["suppressed"].astype(bool).tolist()
    no_data = table["no_data"].astype(bool).tolist()
    units = table["unit"].astype(str).tolist()

    def show(column: str, fmt) -> pd.Series:
        texts = [
            SUPPRESSED
            if h
            else (NOT_AVAILABLE if nd or column == "value" else NOT_APPLICABLE)
            if pd.isna(v)
            else fmt(v, u)
            for v, h, nd, u in zip(table[column], hidden, no_data, units, strict=True)
        ]
        return pd.Series(texts, index=table.index, dtype="string")

    def count(value: object, _unit: str) -> str:
        return format_count(_round(float(value), rounding))

    shown["numerator"] = show("numerator", count)
    shown["denominator"] = show("denominator", count)
    shown["value"] = show("value", format_value)
    shown["ci_low"] = show("ci_low", lambda v, _u: format_percent(v))
    shown["ci_high"] = show("ci_high", lambda v, _u: format_percent(v))
    return shown


# --- identifiers -----------------------------------------------------------------------------

# Common spellings of identifying columns that are not contract names.
_IDENTIFIER_ALIASES = {"dob", "birth_date", "nhs_no", "first_name", "last_name", "full_name"}
_TOKEN = re.compile(r"[A-Za-z0-9]+")
# Candidate identifiers inside free text; each candidate is then checked against the
# identifier's own format check (check letter, modulus 11) to avoid false alarms.
_VALUE_PATTERNS = {
    "upn": re.compile(r"\b[A-Z][0-9]{11}[0-9A-Z]\b"),
    "nhs_number": re.compile(r"\b[0-9]{3} ?[0-9]{3} ?[0-9]{4}\b"),
    "postcode": re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b", re.IGNORECASE),
    "person_id": re.compile(r"\bP[0-9]{7}\b"),
}
_WORDS = {
    "upn": "a UPN",
    "nhs_number": "an NHS number",
    "postcode": "a postcode",
    "person_id": "a person_id",
}


def _tokens(name: object) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(str(name))]


def _identifying_name(name: object) -> str | None:
    tokens = _tokens(name)
    for ident in sorted(IDENTIFIER_COLUMNS | _IDENTIFIER_ALIASES):
        want = ident.split("_")
        if any(tokens[i : i + len(want)] == want for i in range(len(tokens))):
            return ident
        if "".join(tokens) == "".join(want):  # "PersonID", "NHSNumber"
            return ident
    return None


def _identifiers_in(text: str) -> list[str]:
    found = []
    for kind, pattern in _VALUE_PATTERNS.items():
        for match in pattern.finditer(text):
            candidate = match.group(0).upper() if kind == "postcode" else match.group(0)
            if FORMAT_CHECKS[kind](
                candidate.replace(" ", "") if kind == "nhs_number" else candidate
            ):
                found.append(kind)
                break
    return found


def assert_aggregate(frame: pd.DataFrame, what: str = "The table") -> pd.DataFrame:
    """Refuse a frame holding person-level identifiers; return it unchanged otherwise.

    Checks column and index names against the identifying columns and record keys of the
    person-level contracts (plus common spellings such as ``dob``), and every text value
    (and whole numbers of ten digits) for UPNs, NHS numbers, postcodes and person ids that
    pass their format checks. The message names where, never the value, so that the
    identifier does not travel on into logs.

    Raises:
        DisclosureError: naming each offending column or cell.
    """
    problems = []
    names = [*frame.columns, *[n for n in frame.index.names if n is not None]]
    for name in names:
        ident = _identifying_name(name)
        if ident:
            problems.append(f"column {name!r} looks like {ident}")
    columns = [(f"column {name!r}", frame.iloc[:, j]) for j, name in enumerate(frame.columns)]
    if not isinstance(frame.index, pd.RangeIndex):
        columns += [
            ("the index", frame.index.get_level_values(level).to_series())
            for level in range(frame.index.nlevels)
        ]
    for where, values in columns:
        values = values.reset_index(drop=True)
        if pd.api.types.is_integer_dtype(values):  # an NHS number held as a number
            values = values[((values >= 10**9) & (values < 10**10)).fillna(False)]
        elif not (
            pd.api.types.is_string_dtype(values)
            or values.dtype == object
            or isinstance(values.dtype, pd.CategoricalDtype)
        ):
            continue
        for row, value in values.dropna().items():
            kinds = _identifiers_in(str(value))
            if kinds:
                problems.append(f"{_WORDS[kinds[0]]} in {where} (row {row + 1})")
                break
    if problems:
        raise DisclosureError(
            f"{what} holds person-level identifiers and must not be displayed: "
            + "; ".join(problems)
            + ".",
            hint="Display aggregates only: count or summarise by period, school or service, "
            "and drop identifier columns before display.",
        )
    return frame
