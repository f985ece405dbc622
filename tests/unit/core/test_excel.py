"""CSV files for people open in Excel as written: UTF-8 with a BOM, ISO dates, no formulas.

The quarantine lists and the blank templates have their own tests (tests/unit/ingest/
test_stage.py and test_dictionary.py), the evidence table its own (tests/unit/evidence/
test_evidence_csv.py); here the shared writer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd

from sendready.core.excel import BOM, EXCEL_ENCODING, cell_text, neutralise, write_csv


def _rows(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM), "no byte order mark: Excel would read it as Windows-1252"
    return list(csv.reader(io.StringIO(raw.decode(EXCEL_ENCODING), newline="")))


def test_formula_like_text_is_neutralised_and_numbers_are_not():
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert [neutralise(t) for t in ("+1", "-1 day", "@SUM", "\tx", "plain")] == [
        "'+1",
        "'-1 day",
        "'@SUM",
        "'\tx",
        "plain",
    ]
    assert cell_text(-2.5) == -2.5 and cell_text(None) is None


def test_dates_are_iso_text():
    assert cell_text(pd.Timestamp("2019-03-01")) == "2019-03-01"
    assert cell_text(dt.date(2019, 3, 31)) == "2019-03-31"
    assert cell_text(dt.datetime(2019, 3, 31, 9, 30)) == "2019-03-31 09:30:00"


def test_write_csv_has_a_bom_iso_dates_and_no_formulas(tmp_path):
    frame = pd.DataFrame(
        {
            "title": ["Café waits", "=cmd|' /C calc'!A0"],
            "since": [pd.Timestamp("2018-07-01"), None],
            "month": pd.to_datetime(["2019-01-01", "2019-02-01"]),
            "value": [-0.25, 3],
            "=header": ["a", "b"],
        }
    )
    path = write_csv(frame, tmp_path / "table.csv")
    rows = _rows(path)
    assert rows[0] == ["title", "since", "month", "value", "'=header"]
    assert rows[1] == ["Café waits", "2018-07-01", "2019-01-01", "-0.25", "a"]
    assert rows[2] == ["'=cmd|' /C calc'!A0", "", "2019-02-01", "3.0", "b"]
