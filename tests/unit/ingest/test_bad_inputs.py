"""Guarantee: bad input never reaches the user as a traceback, and nothing is lost silently.

Each file in ``tests/bad_inputs/`` (written by ``make_corpus.py`` there) is put into a
folder of otherwise valid extracts and ingested twice: through the command line, as a
user would (``sendready ingest``), and through ``run_ingest``. An unreadable file must stop
ingest with one message naming the file and saying what to do, and leave nothing behind;
a readable one must be staged, with each faulty row quarantined under the rule that
explains it, its row number as a spreadsheet shows it, and rows read = rows staged + rows
quarantined for every source. Expected outcomes were worked out by hand from the files.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
import re
import shutil
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from helpers.raw_fixtures import PERSONS, make_profile, write_csv, write_required
from sendready import cli
from sendready.core.errors import SourceError
from sendready.ingest.run import run_ingest
from sendready.metadata.profile import load_profile

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
# The data-quality report reads the disclosure threshold from a profile (Bury: 6).
PROFILE = "bury-2017-wsoa"


def _load_corpus_script():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_corpus = _load_corpus_script()

# --- expected outcomes ---------------------------------------------------------------------

# Unreadable files: words the one message must contain (besides the file's path).
UNREADABLE = {
    "persons--truncated.xlsx": ["cannot be read as an Excel workbook", "incompletely copied"],
    "persons--garbage.csv": ["is not a text file", "binary data"],
    "persons--garbage.xlsx": ["is not an Excel workbook"],
    "persons--garbage.parquet": ["is not a complete Parquet file"],
    "persons--utf16.csv": ["UTF-16", "CSV UTF-8"],
    "persons--neither-utf8-nor-1252.csv": ["neither UTF-8 nor Windows-1252"],
    "persons--duplicate-headers.csv": ["'Surname' appears more than once", "(columns E and J)"],
    "persons--duplicate-headers.xlsx": ["'Surname' appears more than once", "(columns E and J)"],
    "persons--empty.csv": ["is empty (0 bytes)"],
    "persons--blank.csv": ["holds no header row"],
    "persons--empty-sheet.xlsx": ["Sheet 'Extract'", "is empty"],
    "persons--wrong-file.csv": ["None of the headers", "'invoice_no', 'supplier', 'amount'"],
    "ehc_plans--month-first.csv": [
        "writes dates month first (mm/dd/yyyy): 4 cell(s)",
        "row 2, start_date '12/31/2018'; row 3, start_date '01/13/2019'; row 4, start_date "
        "'02/28/2019'",
        "British order",
        "'date_order: mdy' under sources.ehc_plans",
    ],
    "ehc_requests--both-orders.csv": [
        "writes dates both day first and month first",
        "Day first (2 cell(s)): row 2, received_date '15/01/2019'; row 2, decision_date "
        "'26/02/2019'.",
        "Month first (2 cell(s)): row 3, received_date '01/16/2019'; row 5, decision_date "
        "'02/27/2019'.",
        "yyyy-mm-dd",
    ],
    "persons--no-matching-sheet.xlsx": [
        "None of the worksheets",
        "Its sheets are 'Notes', 'Totals'",
        "(sources.persons.sheet: 'Sheet name')",
    ],
    "persons--two-matching-sheets.xlsx": [
        "More than one worksheet",
        "('2018', '2019')",
        "Its sheets are 'Notes', '2018', '2019'",
        "(sources.persons.sheet: '2019')",
    ],
}

DATE_OUT = "date_out_of_range"
# Readable files: the one source's outcome. ``failures`` is every (row number, column,
# rule) line its quarantine file must hold, and nothing else.
READABLE = {
    "persons--bom.csv": dict(read=3, encoding="UTF-8 with BOM", failures=set()),
    # Saved with a byte order mark twice (a tool that adds one to a file that has one).
    "persons--double-bom.csv": dict(read=3, encoding="UTF-8 with BOM", failures=set()),
    "persons--cp1252.csv": dict(read=3, encoding="Windows-1252", failures=set()),
    "persons--second-sheet.xlsx": dict(read=3, encoding=None, failures=set()),
    "persons--quarantine-headers.csv": dict(
        read=2, encoding="UTF-8", failures={(3, "gender", "unknown_code")}
    ),
    "persons--conflicts.csv": dict(
        read=7,
        encoding="UTF-8",
        failures={(3, "person_id", "duplicate_key"), (5, "person_id", "duplicate_key")},
    ),
    "ehc_requests--placeholders.csv": dict(
        read=7,
        encoding="UTF-8",
        failures={
            (4, "decision_date", "decision_date_required_when_decision"),  # 'not known'
            (5, "received_date", "bad_date"),  # TBC where a date is required
            (6, "requester", "unknown_code"),  # 'unknown' where a code is required
            (7, "mediation", "bad_bool"),  # n/a in a yes/no field
        },
    ),
    # Spaces and hyphens removed and UPNs in capitals before the checks; what still fails
    # is a wrong check character, a number with no check digit, or the wrong length.
    "persons--spaced-identifiers.csv": dict(
        read=7,
        encoding="UTF-8",
        failures={
            (4, "nhs_number", "bad_format"),
            (5, "upn", "bad_format"),
            (6, "nhs_number", "bad_format"),
            (7, "nhs_number", "bad_format"),
            (8, "upn", "bad_format"),
        },
    ),
    # Cut off after "Si" in row 4: its date of birth and gender never arrived.
    "persons--truncated.csv": dict(
        read=3,
        encoding="UTF-8",
        failures={(4, "date_of_birth", "missing_value"), (4, "gender", "missing_value")},
    ),
    "ehc_requests--mixed-dates.csv": dict(
        read=10,
        encoding="UTF-8",
        failures={
            (7, "received_date", "bad_date"),  # 2019-15-01: no month 15
            (8, "received_date", "bad_date"),  # 31/02/2019
            (9, "received_date", "bad_date"),  # 15-01-2019
            (10, "received_date", "bad_date"),  # 12345: a 1933 serial
            (11, "decision_date", "decision_date_not_before_received_date"),
        },
    ),
    "ehc_requests--mixed-dates.xlsx": dict(
        read=6, encoding=None, failures={(7, "received_date", "bad_date")}
    ),
    "ehc_plans--no-valid-rows.csv": dict(
        read=4,
        encoding="UTF-8",
        exit_code=1,
        failures={(row, "start_date", "bad_date") for row in range(2, 6)},
    ),
    "training--no-valid-rows.csv": dict(
        read=3,
        encoding="UTF-8",
        failures={(row, "staff_group", "unknown_code") for row in range(2, 5)},
    ),
    "persons--absurd.csv": dict(
        read=7,
        encoding="UTF-8",
        failures={
            (2, "date_of_birth", DATE_OUT),  # 1066-10-14
            (3, "date_of_birth", DATE_OUT),  # 14/10/1066
            (4, "date_of_birth", DATE_OUT),  # 2999-12-31: once, not also "after extract"
            (5, "date_of_birth", DATE_OUT),  # 1899-12-31, the day before the range
            (6, "date_of_birth", "bad_date"),  # 99999: a serial beyond 2099
        },
    ),
    "workforce--absurd.csv": dict(
        read=8,
        encoding="UTF-8",
        failures={
            (2, "headcount", "out_of_range"),  # -5
            (3, "headcount", "out_of_range"),  # 10**12
            (5, "headcount", "out_of_range"),  # 1,000,000: one over the maximum
            (6, "headcount", "bad_number"),  # 12.5
            (8, "headcount", "bad_number"),  # 20 digits: not a number the suite keeps
        },
    ),
    "school_census--absurd.csv": dict(
        read=6,
        encoding="UTF-8",
        failures={
            (2, "ncy", "out_of_range"),  # 99
            (3, "ncy", "out_of_range"),  # -3
            (6, "ncy", "bad_number"),  # Y7
            (7, "census_date", DATE_OUT),  # 2999-01-17
        },
    ),
    "action_plan--absurd.csv": dict(
        read=4,
        encoding="UTF-8",
        failures={
            (2, "due_date", DATE_OUT),  # 2999-12-31, though due dates may be future
            # 1066-10-14: one fault, not also "completed_date required when complete".
            (4, "completed_date", DATE_OUT),
        },
    ),
}

# Staged values, checked after ingest (source column -> values in file order).
STAGED = {
    "persons--bom.csv": {
        "forename": ["Ann", "Bob", "Zoë"],
        "surname": ["Smith", "Jones", "Siân"],
        "date_of_birth": ["2010-05-01", "2011-03-12", "2012-07-19"],
    },
    "persons--double-bom.csv": {
        "person_id": ["P0000001", "P0000002", "P0000003"],
        "surname": ["Smith", "Jones", "Siân"],
    },
    "persons--cp1252.csv": {
        "forename": ["Ann", "Bob", "Zoë"],
        "surname": ["Smith", "Jones", "O’Brien"],
    },
    "persons--truncated.csv": {"person_id": ["P0000001", "P0000002"]},
    "persons--second-sheet.xlsx": {"person_id": ["P0000001", "P0000002", "P0000003"]},
    # The first row of each person is kept; both ids sharing an identifier are kept.
    "persons--quarantine-headers.csv": {"person_id": ["P0000001"]},
    "persons--conflicts.csv": {
        "person_id": ["P0000001", "P0000002", "P0000003", "P0000004", "P0000005"],
        "date_of_birth": ["2010-05-01", "2011-03-12", "2012-07-19", "2012-01-01", "2012-01-01"],
    },
    "ehc_requests--placeholders.csv": {
        "request_id": ["R01", "R02", "R07"],
        "decision": [None, "assess", None],
        "decision_date": [None, "2019-02-26", None],
        "exception_20wk": [None, None, None],
    },
    "persons--spaced-identifiers.csv": {
        "upn": ["R351000000001", "F351000000002"],
        "nhs_number": ["9434765919", "4000000004"],
    },
    # Every way of writing 15 January and 26 February 2019 is the same pair of days.
    "ehc_requests--mixed-dates.csv": {
        "request_id": ["R01", "R02", "R03", "R04", "R05"],
        "received_date": ["2019-01-15"] * 5,
        "decision_date": ["2019-02-26"] * 5,
    },
    "ehc_requests--mixed-dates.xlsx": {
        "request_id": ["R01", "R02", "R03", "R04", "R05"],
        "received_date": ["2019-01-15"] * 5,
        "decision_date": ["2019-02-26"] * 5,
    },
    "ehc_plans--no-valid-rows.csv": {"plan_id": []},
    "training--no-valid-rows.csv": {"record_id": []},
    "persons--absurd.csv": {
        "person_id": ["P0000006", "P0000007"],
        "date_of_birth": ["1900-01-01", "2011-09-30"],
    },
    "workforce--absurd.csv": {"headcount": [999_999, 1200, 340]},
    "school_census--absurd.csv": {"ncy": [14, -2]},
    "action_plan--absurd.csv": {
        "action_id": ["A2", "A4"],
        "due_date": ["2030-06-30", "2018-06-30"],
    },
}

# Required sources in the base folder, as raw_fixtures writes them.
BASE_ROWS = {"persons": 2, "ehc_requests": 2, "ehc_plans": 1}


# --- helpers -------------------------------------------------------------------------------


def _source_of(name: str) -> str:
    return name.split("--")[0]


def _data_with(root: Path, name: str) -> Path:
    """A folder of valid required extracts with the corpus file standing in for its source."""
    data = write_required(root / "raw")
    source = _source_of(name)
    for existing in data.glob(f"{source}.*"):
        existing.unlink()
    shutil.copyfile(CORPUS / name, data / f"{source}{Path(name).suffix}")
    return data


def _profile_file(root: Path) -> Path:
    path = root / "profile.yaml"
    path.write_text(yaml.safe_dump(json.loads(make_profile().model_dump_json())), encoding="utf-8")
    return path


def _cli_ingest(data: Path, out: Path, capsys, caplog) -> tuple[int, str, str]:
    code = cli.main(
        [
            "ingest",
            "--data",
            str(data),
            "--out",
            str(out),
            "--profile",
            str(_profile_file(data.parent)),
            "--force",
        ]
    )
    captured = capsys.readouterr()
    for text in (captured.out, captured.err, caplog.text):
        assert "Traceback" not in text
    return code, captured.out, captured.err


def _count_records(path: Path, sheet_name: str | None = None) -> int:
    """Data rows in a file, counted without the suite: rows after the header that hold a
    value, read with the csv module or openpyxl."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        sheet = book[sheet_name] if sheet_name else book.worksheets[0]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        return sum(any(v not in (None, "") for v in row) for row in rows)
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    limit = csv.field_size_limit(len(raw) + 1)  # a cell may be megabytes long
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))[1:]
    finally:
        csv.field_size_limit(limit)
    return sum(any(cell.strip() for cell in row) for row in rows)


def _quarantine(out: Path, source: str) -> pd.DataFrame:
    path = out / "quarantine" / f"{source}.csv"
    if not path.is_file():
        return pd.DataFrame(columns=["row_number", "column", "rule", "value", "reason"])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _assert_reconciled(out: Path, data: Path) -> dict:
    """rows read = staged + quarantined for every staged source, each side counted apart."""
    quality = json.loads((out / "data_quality.json").read_text(encoding="utf-8"))
    staged_sources = {n: s for n, s in quality["sources"].items() if s["status"] == "staged"}
    assert staged_sources, "nothing was staged"
    for name, src in staged_sources.items():
        assert src["rows_read"] == src["rows_staged"] + src["rows_quarantined"], name
        assert src["rows_read"] == _count_records(data / src["file"], src["sheet"]), name
        assert len(pd.read_parquet(out / f"{name}.parquet")) == src["rows_staged"], name
        lines = _quarantine(out, name)
        assert lines["row_number"].nunique() == src["rows_quarantined"], name
    return quality


def _as_text(value) -> object:
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.strftime("%Y-%m-%d")
    return value


# --- the corpus itself ---------------------------------------------------------------------


def test_committed_corpus_is_exactly_what_the_script_writes(tmp_path):
    written = {p.name: p.read_bytes() for p in make_corpus.write_corpus(tmp_path)}
    committed = {
        p.name: p.read_bytes()
        for p in CORPUS.iterdir()
        if p.is_file() and p.name != "make_corpus.py"
    }
    assert written.keys() == committed.keys(), "run tests/bad_inputs/make_corpus.py"
    changed = sorted(n for n in written if written[n] != committed[n])
    assert not changed, f"regenerate the corpus: {changed} differ from make_corpus.py"


def test_every_corpus_file_has_an_expected_outcome():
    files = {p.name for p in CORPUS.iterdir() if p.name != "make_corpus.py" and p.is_file()}
    assert files == set(UNREADABLE) | set(READABLE)
    assert set(STAGED) == set(READABLE)
    assert all((CORPUS / f).stat().st_size <= 4096 for f in files), "keep the corpus tiny"


# --- unreadable files ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_file_stops_with_one_clear_message(name, tmp_path, capsys, caplog):
    data = _data_with(tmp_path, name)
    bad = data / f"{_source_of(name)}{Path(name).suffix}"

    out = tmp_path / "cli-out"
    code, stdout, stderr = _cli_ingest(data, out, capsys, caplog)
    assert code == 2
    assert stderr.startswith("sendready: ")
    assert str(bad) in stderr
    assert "\nWhat to do: " in stderr
    for words in UNREADABLE[name]:
        assert words in stderr
    assert "internal error" not in stderr
    assert not stdout.strip()
    # Nothing half-made is left: no staged table, quality report, cache or working folder.
    assert list(out.iterdir()) == []

    with pytest.raises(SourceError) as caught:
        run_ingest(make_profile(), data, tmp_path / "api-out")
    assert str(bad) in caught.value.message
    assert caught.value.hint
    for words in UNREADABLE[name]:
        assert words in str(caught.value)


def test_an_unreadable_file_leaves_the_previous_good_ingest_untouched(tmp_path):
    data = write_required(tmp_path / "raw")
    out = tmp_path / "out"
    first = run_ingest(make_profile(), data, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (data / "persons.csv").unlink()
    shutil.copyfile(CORPUS / "persons--truncated.xlsx", data / "persons.xlsx")
    with pytest.raises(SourceError):
        run_ingest(make_profile(), data, out)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    # The cache still vouches only for the old inputs, so restoring them reuses the work.
    (data / "persons.xlsx").unlink()
    write_csv(data / "persons.csv", PERSONS)
    again = run_ingest(make_profile(), data, out)
    assert again.cached and again.fingerprint == first.fingerprint


# --- readable files: staged or quarantined -------------------------------------------------


@pytest.mark.parametrize("name", sorted(READABLE))
def test_readable_file_is_staged_or_quarantined_with_reasons(name, tmp_path, capsys, caplog):
    expected = READABLE[name]
    source = _source_of(name)
    data = _data_with(tmp_path, name)
    file_name = f"{source}{Path(name).suffix}"
    n_failed = len({row for row, _, _ in expected["failures"]})

    out = tmp_path / "cli-out"
    code, stdout, stderr = _cli_ingest(data, out, capsys, caplog)
    assert code == expected.get("exit_code", 0), stderr
    assert "internal error" not in stderr
    # The terminal table names the file and shows the reconciliation for the source.
    encoding = f" ({expected['encoding']})" if expected["encoding"] else ""
    row = re.search(
        rf"^{source} +{re.escape(file_name + encoding)} +(\S+) +(\S+) +(\S+)", stdout, re.MULTILINE
    )
    assert row, stdout
    assert row.groups() == (str(expected["read"]), str(expected["read"] - n_failed), str(n_failed))
    if expected["read"] == n_failed:  # every row lost: said, with the quarantine file
        verdict = "Problem" if code else "Warning"
        assert f"{verdict}: every one of the {n_failed} rows of {source} was quarantined" in stdout
        assert str(out / "quarantine" / f"{source}.csv") in stdout

    result = run_ingest(make_profile(), data, tmp_path / "api-out")
    assert result.ok == (code == 0)
    for folder in (out, tmp_path / "api-out"):
        quality = _assert_reconciled(folder, data)
        src = quality["sources"][source]
        assert (src["rows_read"], src["rows_quarantined"]) == (expected["read"], n_failed)
        assert src["encoding"] == expected["encoding"]
        for base, rows in BASE_ROWS.items():
            if base != source:
                assert quality["sources"][base]["rows_staged"] == rows

        lines = _quarantine(folder, source)
        found = {
            (int(r), c, rule)
            for r, c, rule in lines[["row_number", "column", "rule"]].itertuples(index=False)
        }
        assert found == expected["failures"]
        assert len(lines) == len(found)  # one line per fault, none repeated

        staged = pd.read_parquet(folder / f"{source}.parquet")
        for column, values in STAGED[name].items():
            assert [_as_text(v) for v in staged[column]] == values, column


def test_quarantine_lines_name_the_value_and_the_reason(tmp_path):
    """Each line carries the cell as the file held it, and a reason quoting it."""
    data = _data_with(tmp_path, "persons--absurd.csv")
    for other in ("workforce--absurd.csv", "school_census--absurd.csv"):
        shutil.copyfile(CORPUS / other, data / f"{_source_of(other)}.csv")
    out = tmp_path / "out"
    run_ingest(make_profile(), data, out)

    persons = _quarantine(out, "persons").set_index("row_number")
    assert persons.loc["2", "value"] == "1066-10-14"
    assert persons.loc["2", "reason"] == (
        "'1066-10-14' is outside the years 1900 to 2099, so it is taken for a typing error "
        "or a placeholder date"
    )
    assert persons.loc["6", "reason"].startswith("'99999' is not a date")
    assert persons.loc["2", "surname"] == "Smith"  # the whole row follows

    workforce = _quarantine(out, "workforce").set_index("row_number")
    # A negative value is neutralised as a possible formula; the reason names the column
    # first, so it is not.
    assert workforce.loc["2", "value"] == "'-5"
    assert workforce.loc["2", "reason"] == (
        "headcount of -5 is outside the allowed range (0 to 999999)"
    )
    assert workforce.loc["3", "reason"] == (
        "headcount of 1000000000000 is outside the allowed range (0 to 999999)"
    )
    assert workforce.loc["6", "reason"] == "'12.5' is not a whole number"

    census = _quarantine(out, "school_census").set_index("row_number")
    assert census.loc["2", "reason"] == "ncy of 99 is outside the allowed range (-2 to 14)"


def test_a_ten_megabyte_cell_is_quarantined_not_staged(tmp_path, capsys, caplog):
    """A cell longer than a spreadsheet can hold (32,767 characters) is a broken export or
    pasted content; the longest a cell can be is still accepted."""
    data = write_required(tmp_path / "raw")
    huge = 10 * 1024 * 1024
    rows = [dict(r) for r in PERSONS]
    rows[0]["surname"] = "S" * 32_767
    rows[1]["surname"] = "J" * huge
    write_csv(data / "persons.csv", rows)

    started = time.perf_counter()
    code, stdout, stderr = _cli_ingest(data, tmp_path / "cli-out", capsys, caplog)
    seconds = time.perf_counter() - started
    assert code == 0, stderr
    assert seconds < 15

    out = tmp_path / "cli-out"
    _assert_reconciled(out, data)
    lines = _quarantine(out, "persons")
    assert lines[["row_number", "column", "rule"]].values.tolist() == [
        ["3", "surname", "value_too_long"]
    ]
    assert lines.loc[0, "reason"] == (
        "surname holds 10,485,760 characters, more than a spreadsheet cell can hold (32,767)"
    )
    assert lines.loc[0, "value"] == "J" * 40 + "..."
    staged = pd.read_parquet(out / "persons.parquet")
    assert staged["person_id"].tolist() == ["P0000001"]
    assert staged["surname"].str.len().tolist() == [32_767]


# --- links named like a source (built here: a link cannot be committed portably) ----------

SECRET = "root:x:0:0:root:/root:/bin/bash"  # pragma: allowlist secret (a passwd line, not a key)


def _link_or_skip(link: Path, target: Path) -> None:
    try:
        link.symlink_to(target, target_is_directory=target.is_dir())
    except (OSError, NotImplementedError):  # Windows without the right to make links
        pytest.skip("this platform cannot make symbolic links here")


@pytest.mark.parametrize("dangling", [False, True])
def test_a_link_named_like_a_source_is_refused_without_reading_it(
    dangling, tmp_path, capsys, caplog
):
    data = write_required(tmp_path / "raw")
    secret = tmp_path / "elsewhere" / "passwd"
    secret.parent.mkdir()
    if not dangling:
        secret.write_text(SECRET + "\n", encoding="utf-8")
    (data / "persons.csv").unlink()
    _link_or_skip(data / "persons.csv", secret)

    out = tmp_path / "out"
    code, stdout, stderr = _cli_ingest(data, out, capsys, caplog)
    assert code == 2
    assert str(data / "persons.csv") in stderr
    assert "symbolic link" in stderr and "not read" in stderr
    assert "\nWhat to do: Copy the extract itself" in stderr
    assert "root:x" not in stderr + stdout + caplog.text
    assert not out.exists() or list(out.iterdir()) == []
    with pytest.raises(SourceError, match="symbolic link"):
        run_ingest(make_profile(), data, tmp_path / "api-out")


def test_a_source_reached_through_a_linked_folder_outside_the_data_is_refused(tmp_path):
    data = write_required(tmp_path / "raw")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "persons.csv").write_text(SECRET + "\n", encoding="utf-8")
    _link_or_skip(data / "linked", outside)
    (data / "persons.csv").unlink()
    profile = make_profile({"persons": {"file": "linked/persons.csv"}})
    with pytest.raises(SourceError) as caught:
        run_ingest(profile, data, tmp_path / "out")
    message = str(caught.value)
    assert "outside the data folder" in message and "linked/persons.csv" in message
    assert "root:x" not in message


def test_a_linked_extract_json_is_refused(tmp_path):
    data = write_required(tmp_path / "raw", extract_date=None)
    secret = tmp_path / "secret.json"
    secret.write_text('{"extract_date": "2019-06-30"}', encoding="utf-8")
    _link_or_skip(data / "extract.json", secret)
    with pytest.raises(SourceError, match="extract.json is a symbolic link"):
        run_ingest(make_profile(), data, tmp_path / "out")


# --- workbooks with more than one sheet ----------------------------------------------------


def test_the_one_sheet_with_the_contract_s_headers_is_read_and_said(tmp_path, capsys, caplog):
    data = _data_with(tmp_path, "persons--second-sheet.xlsx")
    code, stdout, stderr = _cli_ingest(data, tmp_path / "out", capsys, caplog)
    assert code == 0, stderr
    assert "read worksheet 'Children', the only one whose headers match" in stdout
    assert "(sources.persons.sheet)" in stdout
    quality = json.loads((tmp_path / "out" / "data_quality.json").read_text(encoding="utf-8"))
    assert quality["sources"]["persons"]["sheet"] == "Children"
    assert quality["sources"]["persons"]["notes"][0].startswith("read worksheet 'Children'")
    # Named in the profile, the sheet is read without a note.
    named = run_ingest(
        make_profile({"persons": {"sheet": "Children"}}), data, tmp_path / "named", force=True
    )
    assert named.summary["sources"]["persons"]["notes"] == []


def test_a_workbook_without_the_headers_is_not_described_as_a_csv_file(tmp_path):
    data = _data_with(tmp_path, "persons--wrong-file.csv")
    (data / "persons.csv").unlink()
    (data / "persons.xlsx").write_bytes(
        make_corpus.workbook_bytes({"Invoices": [["invoice_no", "amount"], ["1", "2"]]})
    )
    with pytest.raises(SourceError) as caught:
        run_ingest(make_profile(), data, tmp_path / "out")
    message = str(caught.value)
    assert "commas" not in message and "row 1" not in message
    assert "Its sheets are 'Invoices'" in message and "sources.persons.sheet" in message


# --- identifiers written with spaces and hyphens -------------------------------------------


def test_a_failing_identifier_is_quarantined_with_the_check_it_failed(tmp_path):
    data = _data_with(tmp_path, "persons--spaced-identifiers.csv")
    run_ingest(make_profile(), data, tmp_path / "out")
    lines = _quarantine(tmp_path / "out", "persons").set_index("row_number")["reason"]
    assert lines["4"] == (
        "'943 476 5918' is not a valid NHS number: it fails the Modulus 11 check digit: the "
        "last digit is 8, but the first nine digits give 9 (a mistyped or transposed digit)"
    )
    assert lines["5"] == (
        "'A351 0000 0000 1' is not a valid UPN: it fails the check letter: the first "
        "character is A, but the other 12 give R (a mistyped or transposed character)"
    )
    assert "no valid NHS number starts with these nine digits" in lines["6"]
    assert "has 8 digits, not the 10 of an NHS number" in lines["7"]
    assert "starts with 'O', which is not a check letter" in lines["8"]


def test_linkage_uses_identifiers_without_their_spaces(tmp_path):
    """An NHS number written with spaces in one extract and without in another links."""
    from sendready.evidence.data_quality import linkage_table
    from sendready.ingest.stage import load_staged

    data = write_required(tmp_path / "raw")
    referral = {
        "referral_id": "H1",
        "person_id": "P0000001",
        "nhs_number": "943 476 5919",  # persons.csv holds 9434765919
        "service": "slt",
        "provider": "Testshire NHS",
        "referral_date": "2019-02-01",
        "triage_date": "",
        "first_contact_date": "",
        "ehcp_flag_on_record": "",
    }
    write_csv(data / "health_referrals.csv", [referral])
    out = tmp_path / "out"
    run_ingest(make_profile(), data, out)
    staged = {n: load_staged(out, n) for n in ("persons", "ehc_plans", "health_referrals")}
    assert staged["health_referrals"]["nhs_number"].tolist() == ["9434765919"]
    table = linkage_table(staged).set_index("Link")
    matched = table.loc["children with a plan matched to a health record by NHS number"]
    assert (matched["Records"], matched["Linked"]) == (1, 1)


# --- the order of day and month --------------------------------------------------------------


def _plans_with(tmp_path: Path, rows: list[list[str]], date_order: str | None):
    data = write_required(tmp_path / "raw")
    (data / "ehc_plans.csv").write_bytes(make_corpus.csv_bytes(make_corpus.EHC_PLANS_HEADER, rows))
    sources = {"ehc_plans": {"date_order": date_order}} if date_order else {}
    return data, make_profile(sources)


def test_a_file_declared_month_first_is_read_month_first(tmp_path, capsys, caplog):
    data, profile = _plans_with(tmp_path, make_corpus.US_DATED_PLANS, "mdy")
    result = run_ingest(profile, data, tmp_path / "out")
    src = result.summary["sources"]["ehc_plans"]
    assert (src["rows_staged"], src["date_order"]) == (5, "mdy")
    assert "read month first (mm/dd/yyyy), as the profile declares" in result.describe()
    staged = pd.read_parquet(tmp_path / "out" / "ehc_plans.parquet")
    assert [_as_text(v) for v in staged["start_date"]] == [
        "2018-12-31",
        "2019-01-13",
        "2019-02-28",
        "2019-03-25",
        "2019-04-05",  # 04/05/2019, not 4 May
    ]


def test_ambiguous_dates_are_read_day_first_unless_declared(tmp_path):
    rows = [["E1", "P0000001", "04/05/2019", "", "", "ASD", "mainstream", "", "N"]]
    for order, expected in ((None, "2019-05-04"), ("dmy", "2019-05-04"), ("mdy", "2019-04-05")):
        data, profile = _plans_with(tmp_path / str(order), rows, order)
        result = run_ingest(profile, data, tmp_path / str(order) / "out")
        assert result.summary["sources"]["ehc_plans"]["date_order"] == (order or "dmy")
        staged = pd.read_parquet(tmp_path / str(order) / "out" / "ehc_plans.parquet")
        assert [_as_text(v) for v in staged["start_date"]] == [expected]


def test_a_file_declared_month_first_that_writes_day_first_is_refused(tmp_path):
    rows = [["E1", "P0000001", "25/03/2019", "", "", "ASD", "mainstream", "", "N"]]
    data, profile = _plans_with(tmp_path, rows, "mdy")
    with pytest.raises(SourceError) as caught:
        run_ingest(profile, data, tmp_path / "out")
    message = str(caught.value)
    assert "declares that" in message and "row 2, start_date '25/03/2019'" in message
    assert "Remove date_order from sources.ehc_plans" in message


def test_a_month_first_file_declared_day_first_is_refused(tmp_path):
    data, profile = _plans_with(tmp_path, make_corpus.US_DATED_PLANS, "dmy")
    with pytest.raises(SourceError, match=r"the profile declares day first \(sources"):
        run_ingest(profile, data, tmp_path / "out")


# --- placeholder words in optional fields ----------------------------------------------------


def test_placeholder_words_in_optional_fields_are_blanked_and_counted(tmp_path, capsys, caplog):
    from types import SimpleNamespace

    from sendready.evidence.data_quality import placeholders_table
    from sendready.reports.data_quality import DataQualityReport

    data = _data_with(tmp_path, "ehc_requests--placeholders.csv")
    code, stdout, stderr = _cli_ingest(data, tmp_path / "out", capsys, caplog)
    assert code == 0, stderr
    counts = {
        "decision": 2,  # TBC, Unknown
        "decision_date": 3,  # TBC, not known, tbc
        "assessment_outcome": 1,
        "outcome_date": 1,
        "plan_issued_date": 1,
        "exception_20wk": 1,  # None
    }
    quality = json.loads((tmp_path / "out" / "data_quality.json").read_text(encoding="utf-8"))
    assert quality["sources"]["ehc_requests"]["placeholders_blanked"] == counts
    assert "read as blank in optional fields: decision 2, decision_date 3" in stdout
    # The quarantine file still shows the word as the file held it.
    lines = _quarantine(tmp_path / "out", "ehc_requests").set_index("row_number")
    assert lines.loc["4", "value"] == "not known"

    table = placeholders_table(quality)
    assert table.to_dict("records")[:2] == [
        {"Source": "ehc_requests", "Column": "decision", "Cells read as blank": 2},
        {"Source": "ehc_requests", "Column": "decision_date", "Cells read as blank": 3},
    ]
    report = DataQualityReport(
        SimpleNamespace(ingest=SimpleNamespace(summary=quality), profile=load_profile(PROFILE))
    )
    html = report.reasons_html()
    assert "Placeholder words read as blank" in html and "decision_date" in html
    # Counts of 1 to 5 children's records are hidden in the shared report (threshold 6).
    table = html[html.index("Placeholder words read as blank, by field") :]
    assert "<td>c</td>" in table and "<td>3</td>" not in table and "<td>2</td>" not in table


# --- rows that contradict each other ---------------------------------------------------------


def test_conflicting_rows_are_counted_and_the_rule_that_kept_one_is_stated(
    tmp_path, capsys, caplog
):
    from types import SimpleNamespace

    from sendready.evidence.data_quality import KEY_CONFLICT_RULE, conflicts_table
    from sendready.reports.data_quality import DataQualityReport

    data = _data_with(tmp_path, "persons--conflicts.csv")
    code, stdout, stderr = _cli_ingest(data, tmp_path / "out", capsys, caplog)
    assert code == 0, stderr
    quality = json.loads((tmp_path / "out" / "data_quality.json").read_text(encoding="utf-8"))
    persons = quality["sources"]["persons"]
    assert persons["key_conflicts"] == {
        "repeated_rows": 2,
        "conflicting_rows": 1,
        "columns": {"date_of_birth": 1},
    }
    assert persons["identifier_conflicts"] == {
        "upn": {"values": 1, "person_ids": 2},
        "nhs_number": {"values": 1, "person_ids": 2},
    }
    assert "1 later row(s) repeat a key with different values" in stdout
    assert "1 upn value(s) held by more than one person id (2 ids; all rows kept)" in stdout

    reasons = _quarantine(tmp_path / "out", "persons").set_index("row_number")["reason"]
    assert reasons["3"] == (
        "repeats the key (person_id) of an earlier row (row 2), which was kept; it differs "
        "from that row in date_of_birth"
    )
    assert reasons["5"].endswith("(row 4), which was kept, and agrees with it in every column")

    table = conflicts_table(quality)
    assert table["Rows"].tolist() == [1, 2, 2]
    assert table.loc[0, "Which row is kept"] == KEY_CONFLICT_RULE
    report = DataQualityReport(
        SimpleNamespace(ingest=SimpleNamespace(summary=quality), profile=load_profile(PROFILE))
    )
    html = report.reasons_html()
    assert "Rows that contradict each other" in html and "first row with a key" in html
    table = html[html.index("Conflicting rows, by source") :]
    assert "<td>c</td>" in table and "<td>2</td>" not in table and "<td>1</td>" not in table


# --- headers that are the quarantine file's own column names ---------------------------------


def test_headers_named_like_the_quarantine_s_columns_are_kept_apart(tmp_path, capsys, caplog):
    data = _data_with(tmp_path, "persons--quarantine-headers.csv")
    code, stdout, stderr = _cli_ingest(data, tmp_path / "out", capsys, caplog)
    assert code == 0, stderr
    path = tmp_path / "out" / "quarantine" / "persons.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header, line = list(csv.reader(fh))[:2]
    assert len(set(header)) == len(header)
    # Ours first, then the file's row under its own headers, renamed only where they clash.
    assert header[:5] == ["row_number", "column", "rule", "value", "reason"]
    row = dict(zip(header, line, strict=True))
    assert (row["row_number"], row["rule"]) == ("3", "unknown_code")
    assert row["rule (file column J)"] == "r1"  # the file's 'rule'
    assert row["rule (file)"] == "r2"  # the file's own 'rule (file)', as it was
    assert row["row_number (file)"] == "8"
    assert row["Reason"] == "r3"  # differs from 'reason' only in case: kept as it is
    # The renaming is said in the summary, so a reader can match columns to the file.
    quality = json.loads((tmp_path / "out" / "data_quality.json").read_text(encoding="utf-8"))
    assert quality["sources"]["persons"]["quarantine_columns_renamed"] == {
        "rule": "rule (file column J)",
        "row_number": "row_number (file)",
    }
    assert "the file's column 'rule' is headed 'rule (file column J)'" in stdout
