"""Reading raw extracts as text: encodings, workbooks, Parquet, row numbers and bad files."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pandas as pd
import pytest

from sendready.core.errors import SourceError
from sendready.ingest import readers
from sendready.ingest.readers import read_source


def _values(table, column):
    return table.frame[column].tolist()


# --- encodings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "encoding", "label"),
    [
        (b"", "utf-8", "UTF-8"),
        (b"\xef\xbb\xbf", "utf-8", "UTF-8 with BOM"),
        (b"", "cp1252", "Windows-1252"),
    ],
)
def test_csv_encodings_are_detected_and_decoded(tmp_path, prefix, encoding, label):
    text = "provider,cost\r\nCafé Ltd,£12\r\nNaïve Trust,£7\r\n"
    path = tmp_path / "x.csv"
    path.write_bytes(prefix + text.encode(encoding))
    table = read_source(path)
    assert table.encoding == label
    assert list(table.frame.columns) == ["provider", "cost"]
    assert _values(table, "provider") == ["Café Ltd", "Naïve Trust"]
    assert _values(table, "cost") == ["£12", "£7"]


def test_cp1252_bytes_are_single_bytes_not_utf8(tmp_path):
    # "£" is 0xA3 in Windows-1252 and invalid as a lone byte in UTF-8: proof the file
    # really was Windows-1252 and was decoded as such.
    path = tmp_path / "x.csv"
    path.write_bytes(b"a\r\n\xa3\r\n")
    assert read_source(path).frame["a"].tolist() == ["£"]


def test_text_is_kept_exactly_apart_from_surrounding_spaces(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"id, name ,flag\n007,  Ann\xc2\xa0,NA\n008,,\n")
    table = read_source(path)
    assert list(table.frame.columns) == ["id", "name", "flag"]
    assert _values(table, "id") == ["007", "008"]  # leading zeros kept
    assert _values(table, "name") == ["Ann", ""]  # non-breaking space trimmed too
    assert _values(table, "flag") == ["NA", ""]  # "NA" is a value, a blank is blank
    assert all(isinstance(v, str) for v in table.frame.to_numpy().ravel())


def test_row_numbers_count_records_as_a_spreadsheet_does(tmp_path):
    # Row 3 holds a cell with a line break; row 4 is blank (skipped, counted).
    path = tmp_path / "x.csv"
    path.write_bytes(b'id,note\n1,a\n2,"two\nlines"\n\n3,c\n,\n')
    table = read_source(path)
    assert table.frame.index.tolist() == [2, 3, 5]
    assert table.frame.index.name == "row_number"
    assert _values(table, "note") == ["a", "two\nlines", "c"]
    assert table.blank_rows == 2


def test_short_rows_from_excel_read_as_blank_cells(tmp_path):
    # Excel may leave off trailing separators when the last cells of a row are blank.
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b,c\n1,2,3\n4\n5,6,7\n")
    table = read_source(path)
    assert table.frame.index.tolist() == [2, 3, 4]
    assert table.frame.loc[3].tolist() == ["4", "", ""]


def test_a_row_with_too_many_cells_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n1,2\n3,4,5\n")
    with pytest.raises(SourceError) as info:
        read_source(path)
    assert "line 3" in str(info.value) and str(path) in str(info.value)


def test_semicolon_separated_files_are_read(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a;b\r\n1,5;x\r\n")
    assert read_source(path).frame.loc[2].tolist() == ["1,5", "x"]


def test_header_only_file_is_a_source_with_no_rows(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\r\n")
    table = read_source(path)
    assert list(table.frame.columns) == ["a", "b"] and len(table.frame) == 0


def test_blank_unnamed_columns_are_dropped_but_unnamed_data_is_kept(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,,\n1,,x\n2,,\n")
    table = read_source(path)
    assert list(table.frame.columns) == ["a", "(unnamed column C)"]


# --- workbooks and Parquet -----------------------------------------------------------------


def _workbook(path, rows, title="Sheet"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_xlsx_cells_become_the_text_a_csv_would_hold(tmp_path):
    path = _workbook(
        tmp_path / "x.xlsx",
        [
            ["id", "received", "count", "cost", "flag"],
            ["007", dt.date(2019, 3, 31), 12.0, 12.5, True],
            [8, dt.datetime(2019, 4, 1, 14, 5), 3, None, False],
        ],
    )
    table = read_source(path)
    assert table.file_format == "xlsx" and table.encoding is None
    assert table.frame.loc[2].tolist() == ["007", "2019-03-31", "12", "12.5", "TRUE"]
    assert table.frame.loc[3].tolist() == ["8", "2019-04-01 14:05:00", "3", "", "FALSE"]


def test_xlsx_row_numbers_are_sheet_rows_even_below_a_title(tmp_path):
    path = _workbook(
        tmp_path / "x.xlsx",
        [
            ["Requests extract, June 2019"],
            [],
            ["request_id", "decision"],
            ["R1", "assess"],
            [None, None],
            ["R2", " not_assess "],
        ],
    )
    table = read_source(path, expected_headers=["request_id"])
    assert table.frame.index.tolist() == [4, 6]
    assert _values(table, "decision") == ["assess", "not_assess"]
    assert table.blank_rows == 1


def test_xlsx_named_sheet_and_missing_sheet(tmp_path):
    path = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["read me"])
    ws = wb.create_sheet("Data")
    ws.append(["a"])
    ws.append(["1"])
    wb.save(path)
    assert _values(read_source(path, sheet="Data"), "a") == ["1"]
    with pytest.raises(SourceError) as info:
        read_source(path, sheet="Extract")
    assert "'Extract'" in str(info.value) and "'Notes', 'Data'" in str(info.value)


def test_parquet_columns_become_text(tmp_path):
    path = tmp_path / "x.parquet"
    pd.DataFrame(
        {
            "id": ["007", None],
            "when": pd.to_datetime(["2019-03-31", None]),
            "n": [12.0, 1.5],
            "k": pd.array([4, None], dtype="Int64"),
            "flag": [True, False],
        }
    ).to_parquet(path)
    table = read_source(path)
    assert table.frame.index.tolist() == [2, 3]
    assert table.frame.loc[2].tolist() == ["007", "2019-03-31", "12", "4", "TRUE"]
    assert table.frame.loc[3].tolist() == ["", "", "1.5", "", "FALSE"]


# --- files the suite must refuse, clearly ----------------------------------------------------


def _error(path, **kw) -> str:
    with pytest.raises(SourceError) as info:
        read_source(path, **kw)
    message = str(info.value)
    assert str(path) in message and "What to do:" in message
    return message


def test_missing_file(tmp_path):
    assert "Cannot find" in _error(tmp_path / "nope.csv")


def test_zero_byte_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    assert "empty" in _error(path)


def test_binary_garbage(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 40)
    assert "binary" in _error(path)


def test_workbook_saved_with_a_csv_name(tmp_path):
    path = _workbook(tmp_path / "x.xlsx", [["a"], [1]]).rename(tmp_path / "x.csv")
    assert "Excel workbook" in _error(path)


def test_utf16_text_is_explained(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("a,b\r\n1,2\r\n".encode("utf-16"))
    assert "UTF-16" in _error(path)


def test_truncated_xlsx(tmp_path):
    whole = _workbook(tmp_path / "whole.xlsx", [["a"], [1]]).read_bytes()
    path = tmp_path / "x.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    assert "damaged" in _error(path)


def test_xlsx_with_a_corrupt_member(tmp_path):
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "not xml at all")
    assert "cannot be read as an Excel workbook" in _error(path)


def test_csv_named_xlsx(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"a,b\n1,2\n")
    assert "not an Excel workbook" in _error(path)


def test_truncated_parquet(tmp_path):
    whole = tmp_path / "whole.parquet"
    pd.DataFrame({"a": ["1"]}).to_parquet(whole)
    path = tmp_path / "x.parquet"
    path.write_bytes(whole.read_bytes()[:-10])
    assert "Parquet" in _error(path)


def test_duplicated_headers_ignoring_case(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"person_id,Gender,gender\nP1,F,M\n")
    message = _error(path)
    assert "'gender'" in message and "columns B and C" in message


def test_none_of_the_expected_headers(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"<html><body>Session expired</body></html>\n")
    message = _error(path, expected_headers=["person_id", "gender"])
    assert "None of the headers" in message and "Session expired" in message


def test_unknown_file_type(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"a\n1\n")
    assert ".txt" in _error(path)


def test_size_ceiling_argument(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a\n" + b"1\n" * 1000)
    assert "limit" in _error(path, max_bytes=1000)


def test_size_ceiling_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a\n" + b"1\n" * 600_000)  # 1.2 MB
    monkeypatch.setenv(readers.MAX_FILE_ENV, "1")
    message = _error(path)
    assert readers.MAX_FILE_ENV in message
    monkeypatch.setenv(readers.MAX_FILE_ENV, "2")
    assert len(read_source(path).frame) == 600_000


def test_headers_are_checked_before_the_body_is_parsed(tmp_path, monkeypatch):
    # The wrong large file must be refused without being loaded into memory.
    def must_not_parse(*args, **kwargs):
        raise AssertionError("the body was parsed before the headers were checked")

    monkeypatch.setattr(readers, "_parse_csv", must_not_parse)
    path = tmp_path / "x.csv"
    path.write_bytes(b"x,y\n" + b"1,2\n" * 100_000)
    assert "None of the headers" in _error(path, expected_headers=["a"])


def test_large_csv_is_read_quickly(tmp_path):
    # About 40 MB and 1M rows: the fast path must stay fast and keep every row.
    path = tmp_path / "big.csv"
    row = b"P0000001,2019-01-10,parent,assess,some free text here\n"
    path.write_bytes(b"person_id,received_date,requester,decision,note\n" + row * 1_000_000)
    import time

    started = time.perf_counter()
    table = read_source(path)
    assert time.perf_counter() - started < 10
    assert len(table.frame) == 1_000_000 and table.frame.index[-1] == 1_000_001


def test_sheet_cell_texts_writes_each_kind_of_cell_as_pandas_read_it_before():
    cells = [
        "a",
        "NA",  # one of pandas' missing-value words, exactly: blank
        " NA",  # not exactly: kept (trimmed later)
        12.0,
        12.5,
        1e20,  # a whole number however large, as pandas made it an int
        True,
        dt.datetime(2019, 4, 5),
        dt.datetime(2019, 4, 5, 13, 45, 7),
        dt.datetime(2019, 4, 5),  # a repeated date, written the same again
        dt.date(2020, 2, 29),
        dt.time(9, 30),
        None,
        float("nan"),
        7,
    ]
    assert readers.sheet_cell_texts(cells) == [
        "a",
        "",
        " NA",
        "12",
        "12.5",
        "100000000000000000000",
        "TRUE",
        "2019-04-05",
        "2019-04-05 13:45:07",
        "2019-04-05",
        "2020-02-29",
        "09:30:00",
        "",
        "",
        "7",
    ]


def test_a_workbook_whose_first_cell_starts_with_a_byte_order_mark(tmp_path):
    # Read through pandas, whose parser drops the mark, as it always was.
    path = tmp_path / "persons.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["\ufeffperson_id", "upn"])
    book.active.append(["P0000001", "NULL"])
    book.save(path)
    frame = read_source(path).frame
    assert frame.columns.tolist() == ["person_id", "upn"]
    assert frame.loc[2].tolist() == ["P0000001", ""]
