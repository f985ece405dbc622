"""Write the bad-input corpus: small, hostile extracts that ingest must handle cleanly.

Run ``python tests/bad_inputs/make_corpus.py`` to (re)write the files beside this script.
The output is byte-for-byte reproducible (fixed random seed, fixed zip entry times, no
library that stamps the current time), and ``tests/test_bad_inputs.py`` checks that the
committed files are exactly what this script writes. Only the standard library is used,
so a change to the suite's own writers can never change the corpus.

Files are named ``<source>--<case>.<ext>``: the test puts each one into a folder of
otherwise valid extracts under the name ``<source>.<ext>``. What each case must do is
stated in the test, not here.

The cases that cannot be committed are built by the tests themselves: a 10 MB cell (too
big) and symbolic links named like a source (not portable, and a link committed to a
repository is itself a hazard).
"""

from __future__ import annotations

import csv
import io
import random
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
_ZIP_TIME = (2019, 4, 5, 8, 0, 0)

PERSONS_HEADER = [
    "person_id",
    "upn",
    "nhs_number",
    "forename",
    "surname",
    "date_of_birth",
    "gender",
    "ethnicity",
    "postcode",
]
PERSONS = [
    ["P0000001", "", "", "Ann", "Smith", "2010-05-01", "F", "WBRI", ""],
    ["P0000002", "", "", "Bob", "Jones", "12/03/2011", "M", "", ""],
    ["P0000003", "", "", "Zoë", "Siân", "2012-07-19", "F", "WOTH", ""],
]
# Windows-1252 has a curly apostrophe (0x92) and accented letters as single bytes.
PERSONS_1252 = [*PERSONS[:2], ["P0000003", "", "", "Zoë", "O’Brien", "2012-07-19", "F", "", ""]]

EHC_REQUESTS_HEADER = [
    "request_id",
    "person_id",
    "received_date",
    "requester",
    "school_urn",
    "decision",
    "decision_date",
    "assessment_outcome",
    "outcome_date",
    "plan_issued_date",
    "exception_20wk",
    "mediation",
    "tribunal",
]


def _request(request_id: str, received: str | float, decided: str | float) -> list:
    return [
        request_id,
        "P0000001",
        received,
        "parent",
        "",
        "assess",
        decided,
        "ongoing",
        "",
        "",
        "",
        "",
        "",
    ]


# 15 January 2019 and 26 February 2019 written every way an export writes a date. Excel
# serial 43466 is 1 January 2019, so 43480 is 15 January and 43522 (43466 + 31 + 25) is
# 26 February.
MIXED_DATE_REQUESTS = [
    _request("R01", "2019-01-15", "2019-02-26"),
    _request("R02", "15/01/2019", "26/02/2019"),
    _request("R03", "43480", "43522"),
    _request("R04", "15/1/2019", "2019-02-26 00:00:00"),
    _request("R05", "2019-01-15T09:30:00", "26/2/2019"),
    _request("R06", "2019-15-01", "2019-02-26"),  # year, day, month: no month 15
    _request("R07", "31/02/2019", "2019-02-26"),  # no 31 February
    _request("R08", "15-01-2019", "2019-02-26"),  # day first with dashes: not accepted
    _request("R09", "12345", "2019-02-26"),  # a serial for 1933: not read as a date
    _request("R10", "2019-01-15", "14/01/2019"),  # decided the day before it arrived
]


def _placeholder_request(request_id: str, **cells: str) -> list[str]:
    row = dict(zip(EHC_REQUESTS_HEADER, _request(request_id, "2019-01-15", ""), strict=True))
    row.update({"decision": "", "assessment_outcome": "", **cells})
    return list(row.values())


# Words a system or a person puts in a field to mean "not known". In optional fields they
# are blanks; where a value is required they are still faults.
PLACEHOLDER_REQUESTS = [
    _placeholder_request("R01", decision="TBC", decision_date="TBC"),
    _placeholder_request(
        "R02",
        decision="assess",
        decision_date="2019-02-26",
        assessment_outcome="n/a",
        outcome_date="N/A",
        plan_issued_date="-",
        exception_20wk="None",
    ),
    # Blanked, the decision date is missing where the decision needs one.
    _placeholder_request("R03", decision="assess", decision_date="not known"),
    _placeholder_request("R04", received_date="TBC"),  # required: not a date
    _placeholder_request("R05", requester="unknown"),  # required: not a code
    _placeholder_request("R06", mediation="n/a"),  # yes/no: not a date or a code
    _placeholder_request("R07", decision="  Unknown ", decision_date=" tbc"),
]

EHC_PLANS_HEADER = [
    "plan_id",
    "person_id",
    "start_date",
    "cease_date",
    "cease_reason",
    "primary_need",
    "setting_type",
    "school_urn",
    "personal_budget",
]
# Every start date written with dots, as a German-locale export does: none is a date.
DOTTED_PLANS = [
    ["E1", "P0000001", "31.12.2018", "", "", "ASD", "mainstream", "", "N"],
    ["E2", "P0000002", "13.01.2019", "", "", "SLCN", "special", "", "Y"],
    ["E3", "P0000003", "28.02.2019", "", "", "SEMH", "mainstream", "", ""],
    ["E4", "P0000001", "25.03.2019", "", "", "MLD", "post16", "", "N"],
]
# Start dates written month first, as a US-configured export does. Four can only be read
# that way; E5's 04/05/2019 (5 April) would be staged as 4 May if read day first.
US_DATED_PLANS = [
    ["E1", "P0000001", "12/31/2018", "", "", "ASD", "mainstream", "", "N"],
    ["E2", "P0000002", "01/13/2019", "", "", "SLCN", "special", "", "Y"],
    ["E3", "P0000003", "02/28/2019", "", "", "SEMH", "mainstream", "", ""],
    ["E4", "P0000001", "03/25/2019", "", "", "MLD", "post16", "", "N"],
    ["E5", "P0000002", "04/05/2019", "", "", "ASD", "mainstream", "", "N"],
]
# Requests from two systems pasted together: 15/01/2019 is day first, 01/16/2019 month
# first, so 05/02/2019 could be either.
BOTH_ORDER_REQUESTS = [
    _request("R01", "15/01/2019", "26/02/2019"),
    _request("R02", "01/16/2019", "2019-02-26"),
    _request("R03", "05/02/2019", "2019-02-26"),
    _request("R04", "2019-01-17", "02/27/2019"),
]

TRAINING_HEADER = ["record_id", "organisation", "staff_group", "course", "completed_date"]
# Staff groups capitalised by a case-management system: codes are case-sensitive.
CAPITALISED_TRAINING = [
    ["T1", "Bury Council", "Teacher", "ehc_plans", "2019-01-10"],
    ["T2", "Bury Council", "SENCO", "graduated_approach", "2019-02-11"],
    ["T3", "Bury CCG", "Health_Practitioner", "ehc_plans", "2019-03-12"],
]

# UPNs and NHS numbers as people type them. Check characters worked out by hand: body
# 351000000001 gives R (raw_fixtures), 351000000002 gives F (3*2 + 5*3 + 1*4 + 2*13 = 51;
# 51 mod 23 = 5, the sixth letter); 943476591 gives 9 (raw_fixtures), 400000000 gives 4
# (4*10 = 40; 40 mod 11 = 7; 11 - 7 = 4), and 400000008 gives 10, which no NHS number has
# (40 + 8*2 = 56; 56 mod 11 = 1; 11 - 1 = 10).
SPACED_IDENTIFIERS = [
    ["P0000001", "R351 0000 0000 1", "943 476 5919", "Ann", "Smith", "2010-05-01", "F", "", ""],
    ["P0000002", "f351-000-000-002", "400-000-0004", "Bob", "Jones", "2011-03-12", "M", "", ""],
    ["P0000003", "", "943 476 5918", "Cai", "Evans", "2012-07-19", "M", "", ""],  # digit
    ["P0000004", "A351 0000 0000 1", "", "Dee", "Patel", "2012-01-01", "F", "", ""],  # letter
    ["P0000005", "", "400 000 0080", "Eve", "Brown", "2013-02-02", "F", "", ""],  # no check
    ["P0000006", "", "9434 7659", "Fin", "Green", "2013-03-03", "M", "", ""],  # 8 digits
    ["P0000007", "O351000000001", "", "Gus", "White", "2013-04-04", "M", "", ""],  # O
]

# Rows that contradict each other: P0000001 twice with two dates of birth, P0000002 twice
# alike, one UPN under P0000001 and P0000003, one NHS number (once with spaces) under
# P0000004 and P0000005.
CONFLICTING_PERSONS = [
    ["P0000001", "R351000000001", "", "Ann", "Smith", "2010-05-01", "F", "", ""],
    ["P0000001", "R351000000001", "", "Ann", "Smith", "2010-01-05", "F", "", ""],
    ["P0000002", "", "", "Bob", "Jones", "2011-03-12", "M", "", ""],
    ["P0000002", "", "", "Bob", "Jones", "12/03/2011", "M", "", ""],
    ["P0000003", "R351000000001", "", "Cai", "Smith", "2012-07-19", "M", "", ""],
    ["P0000004", "", "9434765919", "Dee", "Patel", "2012-01-01", "F", "", ""],
    ["P0000005", "", "943 476 5919", "Dee", "Patel", "2012-01-01", "F", "", ""],
]

NOTES_SHEET = [
    ["Children known to the SEND service"],
    [""],
    ["Run by the case management system on 5 April 2019"],
]

ABSURD_PERSONS = [
    ["P0000001", "", "", "Ann", "Smith", "1066-10-14", "F", "", ""],
    ["P0000002", "", "", "Bob", "Jones", "14/10/1066", "M", "", ""],
    ["P0000003", "", "", "Cai", "Evans", "2999-12-31", "M", "", ""],
    ["P0000004", "", "", "Dee", "Patel", "1899-12-31", "F", "", ""],
    ["P0000005", "", "", "Eve", "Brown", "99999", "F", "", ""],
    ["P0000006", "", "", "Fin", "Green", "1900-01-01", "M", "", ""],
    ["P0000007", "", "", "Gus", "White", "2011-09-30", "M", "", ""],
]

WORKFORCE_HEADER = ["organisation", "staff_group", "period", "headcount"]
ABSURD_WORKFORCE = [
    ["Bury Council", "senco", "2019-03-31", "-5"],
    ["Bury Council", "teacher", "2019-03-31", "1000000000000"],
    ["Bury Council", "social_worker", "2019-03-31", "999999"],
    ["Bury Council", "send_officer", "2019-03-31", "1000000"],
    ["Bury Council", "health_practitioner", "2019-03-31", "12.5"],
    ["Bury Council", "other", "2019-03-31", "1,200"],
    ["Bury CCG", "senco", "2019-03-31", "10000000000000000000"],
    ["Bury CCG", "health_practitioner", "2019-03-31", "340"],
]

SCHOOL_CENSUS_HEADER = [
    "census_date",
    "school_urn",
    "school_name",
    "phase",
    "person_id",
    "ncy",
    "sen_provision",
    "primary_need",
]


def _pupil(person: str, ncy: str, census: str = "2019-01-17") -> list[str]:
    return [census, "105555", "Hilltop Primary", "primary", person, ncy, "N", ""]


ABSURD_CENSUS = [
    _pupil("P0000001", "99"),
    _pupil("P0000002", "-3"),
    _pupil("P0000003", "14"),
    _pupil("P0000004", "-2"),
    _pupil("P0000005", "Y7"),
    _pupil("P0000006", "4", census="2999-01-17"),
]

ACTION_PLAN_HEADER = [
    "action_id",
    "weakness_id",
    "owner_org",
    "due_date",
    "status",
    "completed_date",
]
ABSURD_ACTIONS = [
    ["A1", "W1", "Bury Council", "2999-12-31", "on_track", ""],
    ["A2", "W1", "Bury Council", "2030-06-30", "on_track", ""],
    ["A3", "W2", "Bury CCG", "2018-06-30", "complete", "1066-10-14"],
    ["A4", "W2", "Bury CCG", "2018-06-30", "complete", "2018-06-01"],
]


def csv_bytes(
    header: Sequence[str], rows: Sequence[Sequence[str]], encoding: str = "utf-8"
) -> bytes:
    """Rows as CSV with Windows line endings, as Excel writes them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


# --- a minimal workbook ------------------------------------------------------------------

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _parts(sheet_names: Sequence[str]) -> dict[str, str]:
    """The workbook's parts other than its worksheets, for sheets named in order."""
    numbers = range(1, len(sheet_names) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in numbers
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in numbers
    )
    sheets = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in zip(numbers, sheet_names, strict=True)
    )
    return {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}"
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}">{sheet_rels}'
            f'<Relationship Id="rId{len(sheet_names) + 1}" Type="{_REL}/styles" '
            'Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
        "xl/workbook.xml": (
            f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'
        ),
    }


_STYLES = (
    # Style 1 is built-in number format 14, Excel's short date.
    f'<styleSheet xmlns="{_NS}"><fonts count="1"><font><sz val="11"/>'
    '<name val="Calibri"/></font></fonts><fills count="1"><fill>'
    '<patternFill patternType="none"/></fill></fills><borders count="1"><border/>'
    '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
    'borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" '
    'fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" '
    'borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1">'
    '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


class Date(float):
    """An Excel serial shown as a date (a real date cell)."""


class Number(float):
    """A plain number cell."""


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(ref: str, value: str | float) -> str:
    if isinstance(value, Date):
        return f'<c r="{ref}" s="1"><v>{float(value):g}</v></c>'
    if isinstance(value, Number):
        return f'<c r="{ref}"><v>{float(value):g}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet_xml(rows: Sequence[Sequence[str | float]]) -> str:
    xml_rows = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_letter(c)}{r}", v) for c, v in enumerate(row) if v != "")
        xml_rows.append(f'<row r="{r}">{cells}</row>')
    return f'<worksheet xmlns="{_NS}"><sheetData>{"".join(xml_rows)}</sheetData></worksheet>'


def xlsx_bytes(rows: Sequence[Sequence[str | float]]) -> bytes:
    """One sheet, row 1 first; an empty string is an empty cell."""
    return workbook_bytes({"Extract": rows})


def workbook_bytes(sheets: dict[str, Sequence[Sequence[str | float]]]) -> bytes:
    """Sheets in order, each as in :func:`xlsx_bytes`."""
    worksheets = {
        f"xl/worksheets/sheet{i}.xml": _sheet_xml(rows)
        for i, rows in enumerate(sheets.values(), start=1)
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in {**_parts(list(sheets)), **worksheets}.items():
            entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, (_XML + xml).encode("utf-8"))
    return buffer.getvalue()


# --- the corpus --------------------------------------------------------------------------


def corpus() -> dict[str, bytes]:
    """File name -> content for every case."""
    rng = random.Random(20170612)
    # Random bytes, but never starting with a signature the readers recognise (zip, OLE,
    # Parquet, byte order marks), so the case is "garbage", not "the wrong kind of file".
    garbage = b"\x07" + rng.randbytes(2047)
    persons_csv = csv_bytes(PERSONS_HEADER, PERSONS)
    persons_xlsx = xlsx_bytes([PERSONS_HEADER, *PERSONS])
    duplicated = [*PERSONS_HEADER, "Surname "]
    files = {
        # Unreadable files: each must stop ingest with one clear message.
        "persons--truncated.xlsx": persons_xlsx[: len(persons_xlsx) // 2],
        "persons--garbage.csv": garbage,
        "persons--garbage.xlsx": garbage,
        "persons--garbage.parquet": garbage,
        "persons--utf16.csv": csv_bytes(PERSONS_HEADER, PERSONS, "utf-16"),
        # 0x81 is invalid as UTF-8 and has no character in Windows-1252 either.
        "persons--neither-utf8-nor-1252.csv": persons_csv.replace(b"Smith", b"Sm\x81th"),
        "persons--duplicate-headers.csv": csv_bytes(duplicated, [[*row, "x"] for row in PERSONS]),
        "persons--duplicate-headers.xlsx": xlsx_bytes(
            [duplicated, *([*row, "x"] for row in PERSONS)]
        ),
        "persons--empty.csv": b"",
        "persons--blank.csv": b"\r\n   \r\n\t\r\n",
        "persons--empty-sheet.xlsx": xlsx_bytes([]),
        "persons--wrong-file.csv": csv_bytes(
            ["invoice_no", "supplier", "amount"], [["1001", "Acme Ltd", "250.00"]]
        ),
        # Readable files: staged, or quarantined row by row.
        "persons--bom.csv": b"\xef\xbb\xbf" + persons_csv,
        "persons--double-bom.csv": b"\xef\xbb\xbf\xef\xbb\xbf" + persons_csv,
        "persons--cp1252.csv": csv_bytes(PERSONS_HEADER, PERSONS_1252, "cp1252"),
        # Cut off in the middle of its last row, as an interrupted copy leaves it.
        "persons--truncated.csv": persons_csv[: persons_csv.index("Siân".encode()) + 2],
        "ehc_requests--mixed-dates.csv": csv_bytes(EHC_REQUESTS_HEADER, MIXED_DATE_REQUESTS),
        "ehc_requests--mixed-dates.xlsx": xlsx_bytes(
            [
                EHC_REQUESTS_HEADER,
                # The same two days as a date cell, a plain number, UK text, ISO text, and a
                # date cell holding a time of day (43480.5 is noon on 15 January 2019).
                _request("R01", Date(43480), Date(43522)),
                _request("R02", Number(43480), Number(43522)),
                _request("R03", "15/01/2019", "26/02/2019"),
                _request("R04", "2019-01-15", "2019-02-26"),
                _request("R05", Date(43480.5), Date(43522)),
                _request("R06", "2019-15-01", Date(43522)),
            ]
        ),
        "ehc_plans--no-valid-rows.csv": csv_bytes(EHC_PLANS_HEADER, DOTTED_PLANS),
        "ehc_plans--month-first.csv": csv_bytes(EHC_PLANS_HEADER, US_DATED_PLANS),
        "ehc_requests--placeholders.csv": csv_bytes(EHC_REQUESTS_HEADER, PLACEHOLDER_REQUESTS),
        "ehc_requests--both-orders.csv": csv_bytes(EHC_REQUESTS_HEADER, BOTH_ORDER_REQUESTS),
        "training--no-valid-rows.csv": csv_bytes(TRAINING_HEADER, CAPITALISED_TRAINING),
        "persons--absurd.csv": csv_bytes(PERSONS_HEADER, ABSURD_PERSONS),
        # Headers that are the quarantine file's own column names (and its renaming of
        # them), with one faulty row so that a quarantine file is written.
        "persons--quarantine-headers.csv": csv_bytes(
            [*PERSONS_HEADER, "rule", "rule (file)", "Reason", "row_number"],
            [
                [*PERSONS[0], "r1", "r2", "r3", "7"],
                [*PERSONS[1][:6], "X", *PERSONS[1][7:], "r1", "r2", "r3", "8"],
            ],
        ),
        "persons--conflicts.csv": csv_bytes(PERSONS_HEADER, CONFLICTING_PERSONS),
        "persons--spaced-identifiers.csv": csv_bytes(PERSONS_HEADER, SPACED_IDENTIFIERS),
        # The data on the second sheet, behind a notes sheet: found by its headers.
        "persons--second-sheet.xlsx": workbook_bytes(
            {"Notes": NOTES_SHEET, "Children": [PERSONS_HEADER, *PERSONS]}
        ),
        # No sheet has the headers, or two have them equally: the sheets are listed.
        "persons--no-matching-sheet.xlsx": workbook_bytes(
            {"Notes": NOTES_SHEET, "Totals": [["Year", "Children"], ["2019", Number(3)]]}
        ),
        "persons--two-matching-sheets.xlsx": workbook_bytes(
            {
                "Notes": NOTES_SHEET,
                "2018": [PERSONS_HEADER, *PERSONS[:2]],
                "2019": [PERSONS_HEADER, *PERSONS],
            }
        ),
        "workforce--absurd.csv": csv_bytes(WORKFORCE_HEADER, ABSURD_WORKFORCE),
        "school_census--absurd.csv": csv_bytes(SCHOOL_CENSUS_HEADER, ABSURD_CENSUS),
        "action_plan--absurd.csv": csv_bytes(ACTION_PLAN_HEADER, ABSURD_ACTIONS),
    }
    return files


def write_corpus(folder: Path = HERE) -> list[Path]:
    """Write every case into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in corpus().items():
        path = folder / name
        path.write_bytes(content)
        written.append(path)
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in write_corpus(out):
        print(f"{path.stat().st_size:>7,}  {path.name}")
