"""The lists and their validation report as workbooks; lists read back; the shared page.

Workbooks are written by :mod:`sendready.lists.xlsx` (a county's lists in seconds); text
that Excel would run as a formula gets an apostrophe first, and dates are real dates.
Every workbook here is restricted: it names children. The one page that may be shared,
:func:`write_summary`, holds counts only, with small ones suppressed.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pandas as pd

from sendready.core.errors import SourceError
from sendready.lists.build import COLUMNS, DATE_COLUMNS, TITLES
from sendready.lists.rules import RULES
from sendready.lists.xlsx import write_workbook
from sendready.privacy.disclosure import SUPPRESSED, is_complement_primary, is_primary

LIST_FILES = {"list1": "list1_ehc_plans.xlsx", "list2": "list2_sen_support.xlsx"}
VALIDATION_FILE = "validation.xlsx"


def _frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: frame[c] if c in frame else pd.Series([None] * len(frame), index=frame.index)
            for c in columns
        }
    )


def write_lists(lists: dict[str, pd.DataFrame], folder: Path) -> dict[str, Path]:
    """Each list as its own workbook in ``folder`` (restricted)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, frame in lists.items():
        columns = list(COLUMNS[name])
        path = folder / LIST_FILES[name]
        write_workbook(path, [(name, [COLUMNS[name][c] for c in columns], _frame(frame, columns))])
        written[name] = path
    return written


def write_validation(
    failures: pd.DataFrame, counts: pd.DataFrame, lists: dict[str, pd.DataFrame], folder: Path
) -> Path:
    """Counts per rule, then one sheet per failing rule with the rows (restricted)."""
    header = ["Rule", "Annex A", "Severity", "List", "Description", "Rows failing", "Rows in list"]
    sheets = [("Counts per rule", header, counts)]
    for rule in RULES:
        for name in rule.lists:
            hit = failures[(failures["rule"] == rule.id) & (failures["list"] == name)]
            if hit.empty:
                continue
            columns = list(COLUMNS[name])
            rows = _frame(lists[name].iloc[hit["row"].to_numpy()], columns)
            rows.insert(0, "row_in_list", (hit["row"].to_numpy() + 2).astype(str))
            sheets.append(
                (
                    f"{name} {rule.id}",
                    ["Row in workbook", *(COLUMNS[name][c] for c in columns)],
                    rows,
                )
            )
    return write_workbook(folder / VALIDATION_FILE, sheets)


def read_list(path: Path | str, which: str) -> pd.DataFrame:
    """A list an area keeps (a workbook or CSV with the headings of :data:`COLUMNS`).

    Headings are matched ignoring case and spaces; the column name itself is accepted too.

    Raises:
        SourceError: the file cannot be read, or lacks a heading the checks need.
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".csv":
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            raw = pd.read_excel(path, dtype=object, engine="openpyxl")
    except (OSError, ValueError) as exc:
        raise SourceError(
            f"{path} cannot be read as {TITLES[which]} ({exc}).",
            hint="Save it as .xlsx or .csv with the headings in the first row.",
        ) from None
    wanted = {h.casefold().replace(" ", ""): c for c, h in COLUMNS[which].items()}
    wanted |= {c.casefold(): c for c in COLUMNS[which]}
    rename = {
        h: wanted[str(h).casefold().replace(" ", "")]
        for h in raw.columns
        if str(h).casefold().replace(" ", "") in wanted
    }
    frame = raw.rename(columns=rename)
    missing = [COLUMNS[which][c] for c in ("person_id", "upn", "date_of_birth") if c not in frame]
    if missing:
        raise SourceError(
            f"{path} has no column {', '.join(repr(m) for m in missing)}, which the checks "
            f"of {TITLES[which]} need; its headings are: "
            f"{', '.join(str(h) for h in raw.columns[:12])}.",
            hint=f"Head the columns as in a list the suite writes: "
            f"{', '.join(COLUMNS[which].values())}.",
        )
    for column in COLUMNS[which]:
        if column not in frame:
            frame[column] = None
    for column in DATE_COLUMNS:
        if column in frame:
            frame[column] = _dates(frame[column])
    for column in frame.columns:
        if column not in DATE_COLUMNS:
            frame[column] = frame[column].map(_text)
    return frame[list(COLUMNS[which])]


def _heading(text: object) -> str:
    """A heading compared ignoring case, spaces, underscores and the kind of dash."""
    return "".join(str(text).casefold().replace("–", "-").replace("_", "").split())


def _dates(values: pd.Series) -> pd.Series:
    """Dates as a workbook holds them (real dates) or as text: ISO (2019-03-31, with or
    without a time) or British (31/03/2019); anything else is blank."""
    text = values.map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    text = text.astype("string").str.strip()
    iso = pd.to_datetime(text.where(text.str.match(r"^\d{4}-")), errors="coerce", format="ISO8601")
    british = pd.to_datetime(
        text.where(text.str.match(r"^\d{1,2}/\d{1,2}/\d{4}$")), errors="coerce", format="%d/%m/%Y"
    )
    return iso.fillna(british).astype("datetime64[ns]")


def _text(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
        return value[1:]
    return str(value)


def shown(count: int, total: int, threshold: int) -> str:
    """A count as the shared page shows it: ``c`` if it, or the rest of its list, is small."""
    if is_primary(count, threshold) or is_complement_primary(count, total, threshold):
        return SUPPRESSED
    return f"{count:,}"


def write_summary(
    counts: pd.DataFrame,
    sizes: dict[str, int],
    path: Path,
    area: str,
    as_at: dt.date,
    threshold: int,
) -> Path:
    """The page that may be shared: list sizes and rows failing each rule, suppressed."""
    esc = html.escape
    size_rows = "".join(
        f"<tr><th scope='row'>{esc(TITLES[n])}</th><td>{esc(shown(s, s, threshold))}</td></tr>"
        for n, s in sizes.items()
    )
    rule_rows = "".join(
        f"<tr><th scope='row'>{esc(r.description)}</th><td>{esc(r.severity)}</td>"
        f"<td>{esc(r.list.replace('list', 'List '))}</td>"
        f"<td>{esc(shown(r.rows_failing, r.rows_in_list, threshold))}</td></tr>"
        for r in counts.itertuples()
    )
    when = f"{as_at.day} {as_at:%B %Y}"
    page = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inspection lists: summary for {esc(area)}, {esc(when)}</title>
<style>body{{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#0b0c0c}}
table{{border-collapse:collapse;margin:1rem 0}}
th,td{{border:1px solid #505a5f;padding:.3rem .6rem;text-align:left}}
td{{text-align:right}}</style></head>
<body><main>
<h1>Inspection lists: summary for {esc(area)} as at {esc(when)}</h1>
<p>How many children and young people are on each list, and how many rows each check
found to query or correct. Counts only: the lists themselves name children and stay with
the analysts.</p>
<table><caption>Rows on each list</caption>
<thead><tr><th scope="col">List</th><th scope="col">Rows</th></tr></thead>
<tbody>{size_rows}</tbody></table>
<table><caption>Rows failing each check</caption>
<thead><tr><th scope="col">Check</th><th scope="col">Kind</th><th scope="col">List</th>
<th scope="col">Rows</th></tr></thead>
<tbody>{rule_rows}</tbody></table>
<p>{SUPPRESSED}: fewer than {threshold} rows, or a number from which such a count could be
worked out; not shown to protect privacy. An error is something to correct before the
list is sent; a query something to check and be ready to explain.</p>
</main></body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
