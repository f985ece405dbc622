"""The data dictionary and blank templates, generated from the source contracts.

The people who extract data for the suite work from ``data/README.md`` and the blank
files in ``data/templates/``. Both are written from :data:`sendready.metadata.contracts.CONTRACTS`,
the same definition ingest validates against, so the documentation cannot promise one
thing while validation checks another. A test regenerates the README and compares it with
the committed copy, so a contract change without ``sendready dictionary`` fails CI.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sendready.metadata.contracts import CONTRACTS, PLACEHOLDERS, Column, Contract

# Plain-English names for column kinds (contracts.py module docstring).
KIND_NAMES = {
    "id": "identifier (text)",
    "text": "text",
    "code": "code",
    "date": "date",
    "int": "whole number",
    "number": "number",
    "bool": "yes/no",
}

# What each identifier format accepts (identifiers.FORMAT_CHECKS performs the checks).
FORMAT_DESCRIPTIONS = {
    "upn": "UPN: 13 characters, the DfE check letter first (spaces and hyphens are removed "
    "and letters put in capitals before the check)",
    "nhs_number": "NHS number: 10 digits, the last a Modulus 11 check digit (spaces and "
    "hyphens are removed before the check)",
    "postcode": "UK postcode, e.g. AB1 2CD",
    "urn": "school or setting URN: 6 digits",
    "person_id": "`P` and 7 digits, e.g. P0001234",
    "weakness_id": "a letter and a number, e.g. W1 or P3",
}

# The reasons a row is quarantined (the rule names agreed in the interfaces between ingest
# and the sample generator); cross-field rules add their own names, listed per source.
QUARANTINE_RULES = {
    "missing_value": "blank in a column that does not allow blanks",
    "bad_date": "not a date",
    "bad_number": "not a number, or not a whole number where one is needed",
    "bad_bool": "not a yes/no value",
    "unknown_code": "not one of the column's codes",
    "bad_format": "an identifier that fails its format check; for a UPN or NHS number the "
    "reason says which check (length, check letter, check digit)",
    "out_of_range": "a number below the minimum or above the maximum",
    "date_after_extract": "a date after the extract date, in a column where that cannot be",
    "date_out_of_range": "a date before 1900 or after 2099: a typing error or a placeholder",
    "value_too_long": "more than 32,767 characters, the most a spreadsheet cell holds",
    "duplicate_key": "repeats the key of an earlier valid row (the first in file order is "
    "kept; the reason names it and any column where the two disagree)",
}

# Codes are listed in the column table when there are few; longer lists go below it.
_INLINE_CODES = 6

# An example of mapping an area's own file and headers onto a contract. A test loads it
# through the profile schema, so the documented example is always valid.
EXAMPLE_SOURCE = "ehc_plans"
EXAMPLE_FILE = "EHCP extract.xlsx"
EXAMPLE_SHEET = "Plans"
EXAMPLE_COLUMNS = {
    "Plan Ref": "plan_id",
    "Child ID": "person_id",
    "Date Issued": "start_date",
    "Primary Need": "primary_need",
}


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _codes(codes: tuple[str, ...]) -> str:
    return ", ".join(f"`{c}`" for c in codes)


def _values(col: Column) -> str:
    """The codes, format or range a column's values must meet."""
    parts: list[str] = []
    if col.codes:
        parts.append(
            _codes(col.codes)
            if len(col.codes) <= _INLINE_CODES
            else f"one of {len(col.codes)} codes (listed below)"
        )
    if col.format:
        parts.append(FORMAT_DESCRIPTIONS[col.format])
    if col.minimum is not None and col.maximum is not None:
        parts.append(f"{col.minimum:g} to {col.maximum:g}")
    elif col.minimum is not None:
        parts.append(f"{col.minimum:g} or more")
    elif col.maximum is not None:
        parts.append(f"{col.maximum:g} or less")
    if col.kind == "date":
        parts.append(
            "may be after the extract date" if col.future_allowed else "not after the extract date"
        )
    return "; ".join(parts)


def _required(col) -> str:
    """Whether the source loads without the column, and what leaving it out costs."""
    if col.required:
        return "yes"
    return "no (some indicators)" if col.indicators_need else "no"


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _source_section(contract: Contract) -> list[str]:
    lines = [
        f"## `{contract.name}`",
        "",
        f"- **One row is:** {contract.grain}.",
        f"- **Used for:** {contract.serves}.",
        "- **Source:** "
        + (
            "required: ingest stops without it."
            if contract.required
            else 'optional: without it, the indicators that need it show "no data".'
        ),
        f"- **Key:** {', '.join(f'`{k}`' for k in contract.key)} "
        "(a later row with the same key is quarantined; the first is kept).",
        f"- **File:** `{contract.name}.csv`, `{contract.name}.xlsx` or "
        f"`{contract.name}.parquet`; blank template `templates/{contract.name}.csv`.",
        "",
        "| column | type | column required? | blanks allowed? | codes, format or range "
        "| identifying? | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for col in contract.columns:
        lines.append(
            f"| `{col.name}` | {KIND_NAMES[col.kind]} | {_required(col)} "
            f"| {_yes_no(col.nullable)} | {_cell(_values(col))} | {_yes_no(col.identifying)} "
            f"| {_cell(col.description)} |"
        )
    lines.append("")
    if contract.rules:
        lines += ["Checks across columns (the rule name is what the quarantine file shows):", ""]
        lines += [f"- `{rule.name}`: {rule.describe()}." for rule in contract.rules]
        lines.append("")
    long_lists = [c for c in contract.columns if len(c.codes) > _INLINE_CODES]
    if long_lists:
        lines += ["Codes:", ""]
        lines += [f"- `{c.name}`: {_codes(c.codes)}" for c in long_lists]
        lines.append("")
    return lines


def _intro() -> list[str]:
    required = [c.name for c in CONTRACTS.values() if c.required]
    example = [
        "```yaml",
        "sources:",
        f"  {EXAMPLE_SOURCE}:",
        f"    file: {EXAMPLE_FILE}",
        f"    sheet: {EXAMPLE_SHEET}",
        "    columns:            # your header: the contract's column",
        *(f"      {own}: {ours}" for own, ours in EXAMPLE_COLUMNS.items()),
        "```",
    ]
    rules = [f"| `{name}` | {what} |" for name, what in QUARANTINE_RULES.items()]
    return [
        "# Data dictionary",
        "",
        "<!-- Generated by `sendready dictionary` from lib/sendready/metadata/contracts.py. "
        "Do not edit:",
        "     change the contract and regenerate. -->",
        "",
        "What to extract from local systems for sendready, and the checks each file must pass.",
        "Every source below is one file; blank templates with the right headers are in",
        "`templates/`.",
        "",
        "## What to extract",
        "",
        "- Put one file per source in one folder, named after the source: `persons.csv`,",
        "  `ehc_plans.xlsx` and so on. Ingest looks for `.csv`, then `.xlsx`, then `.parquet`;",
        "  more than one file for the same source is an error.",
        f"- Required sources: {', '.join(f'`{n}`' for n in required)}. Every other source is",
        "  optional: leave it out and the reports say which indicators have no data.",
        '- Columns marked "column required? no" may be left out of the file altogether; the',
        "  suite treats them as blank and records that they were missing. Those marked",
        '  "no (some indicators)" are needed only by the indicators that read them: left out,',
        '  or blank in every row, those indicators read "no data: <column> not supplied"',
        "  (never 0%), the data quality report lists the column, and the rest of the pack runs.",
        "- Person-level sources carry a pseudonymous `person_id` that links a child across",
        '  sources. Columns marked "identifying" (names, date of birth, UPN, NHS number,',
        "  postcode, `person_id`) are used only to link and check records: they never appear",
        "  in a report.",
        "",
        "## Formats accepted",
        "",
        "- **CSV** in UTF-8 (with or without a byte order mark) or Windows-1252, the encoding",
        '  Excel uses for "CSV" on Windows.',
        "- **Excel** `.xlsx`: the sheet named in the profile (`sheet:` under the source),",
        "  otherwise the one sheet whose headers are the source's columns (a notes sheet in",
        "  front is passed over, and the ingest summary says which sheet was read).",
        "- **Parquet**.",
        "- **Dates**: `2019-03-31`, `31/03/2019` (day first, as written in the UK) or an Excel",
        "  date. A file that writes dates month first (`03/31/2019`) is read only if the",
        "  profile says so: `date_order: mdy` under the source. Ingest checks each file's own",
        "  dates: one that can only be month first (`03/31/2019`) in a file read day first, or",
        "  a file that writes both orders, stops ingest with examples, because a date such as",
        "  `05/04/2019` would otherwise be read as the wrong day.",
        "- **Yes/no**: `yes`/`no`, `y`/`n`, `true`/`false` or `1`/`0`, in any case.",
        "- **Codes** must match one of the listed codes exactly, apart from spaces at either",
        "  end: `k` is not the same as `K`.",
        "- **Placeholder words** in a date or code column that allows blanks are read as",
        "  blank (any case): "
        + ", ".join(f"`{w}`" for w in sorted(PLACEHOLDERS))
        + ". The row is kept and",
        "  the data quality report counts them per column. Where a value is required they",
        "  are still a fault and the row is quarantined.",
        "",
        "## Your own file names and headers",
        "",
        "There is no need to rename anything in your exports. Name your file and map your own",
        "headers onto the contract's columns in the area profile (YAML), for example:",
        "",
        *example,
        "",
        "## The extract date",
        "",
        "Record the date the extracts were taken in `extract.json` beside the files, for",
        'example `{"extract_date": "2019-03-31"}`, or give `--extract-date 2019-03-31` to',
        "`sendready ingest` (the option wins over the file; with neither, today is used). A",
        "date after the extract date is treated as a mistake, except in columns marked",
        '"may be after the extract date" (due dates, contract end dates).',
        "",
        "## What happens to rows that fail a check",
        "",
        "Nothing is dropped silently. A row that passes every check is staged; a row that",
        "fails any check is set aside in `quarantine/<source>.csv` in the staging folder, one",
        "line for each failure, with the row number as you see it in a spreadsheet (the header",
        "is row 1), the column, the rule, the value and the reason. The data quality report",
        "shows, for each source, rows read = rows staged + rows quarantined. A file that lacks",
        "a required column cannot be read at all, and ingest says which column is missing.",
        "",
        "| rule | the row is quarantined for |",
        "|---|---|",
        *rules,
        "",
        "Checks across columns have their own rule names, listed under each source.",
        "",
        "## Sources at a glance",
        "",
        "| source | one row is | required? | used for |",
        "|---|---|---|---|",
        *(
            f"| [`{c.name}`](#{c.name}) | {c.grain} | {_yes_no(c.required)} | {_cell(c.serves)} |"
            for c in CONTRACTS.values()
        ),
        "",
    ]


def render_data_dictionary() -> str:
    """The data dictionary as markdown, from the contracts alone."""
    lines = _intro()
    for contract in CONTRACTS.values():
        lines += _source_section(contract)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_template(contract: Contract, path: Path) -> Path:
    """A blank input file: the header row only.

    UTF-8 with a byte order mark, because without one Excel on Windows opens a CSV as
    Windows-1252 and garbles any non-ASCII text typed into it.
    """
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerow(contract.column_names)
    return path


def write_data_dictionary(readme: Path, templates_dir: Path) -> list[Path]:
    """Write the README and one blank template per source; return the files written."""
    readme = Path(readme)
    templates_dir = Path(templates_dir)
    readme.parent.mkdir(parents=True, exist_ok=True)
    templates_dir.mkdir(parents=True, exist_ok=True)
    readme.write_text(render_data_dictionary(), encoding="utf-8", newline="\n")
    written = [readme]
    for contract in CONTRACTS.values():
        written.append(write_template(contract, templates_dir / f"{contract.name}.csv"))
    return written
