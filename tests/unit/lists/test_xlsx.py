"""The lean workbook writer: what it writes, openpyxl reads back as written."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from openpyxl import load_workbook

from sendready.lists.xlsx import write_workbook


def test_cells_read_back(tmp_path):
    frame = pd.DataFrame(
        {
            "text": ["Ada", "=SUM(A1)", " two spaces ", "<b>&", None],
            "when": pd.to_datetime(["2019-03-31", None, "2000-02-29", "1999-12-31", None]),
            "n": [1, 2, 3, 4, 5],
            "mixed": [dt.date(2020, 1, 2), "text", None, "", "x"],
        }
    )
    path = write_workbook(
        tmp_path / "t.xlsx", [("First", list(frame), frame), ("Second", ["a"], frame[["n"]])]
    )
    book = load_workbook(path)
    assert book.sheetnames == ["First", "Second"]
    rows = list(book["First"].iter_rows(values_only=True))
    assert rows[0] == ("text", "when", "n", "mixed")
    assert rows[1] == ("Ada", dt.datetime(2019, 3, 31), 1, dt.datetime(2020, 1, 2))
    assert rows[2] == ("'=SUM(A1)", None, 2, "text")  # a formula is never written as one
    assert rows[3] == (" two spaces ", dt.datetime(2000, 2, 29), 3, None)
    assert rows[4] == ("<b>&", dt.datetime(1999, 12, 31), 4, None)
    assert rows[5] == (None, None, 5, "x")
    assert book["First"]["B2"].number_format == "dd/mm/yyyy"
    assert [r for r in book["Second"].iter_rows(values_only=True)] == [
        ("a",),
        (1,),
        (2,),
        (3,),
        (4,),
        (5,),
    ]


def test_list_dates_read_in_both_written_forms(tmp_path):
    from sendready.lists.workbook import read_list

    path = tmp_path / "list2.csv"
    path.write_text(
        "Unique ID,UPN,Date of birth\nP1,,31/03/2010\nP2,,2010-03-30 00:00:00\nP3,,03/31/2010\n",
        encoding="utf-8",
    )
    frame = read_list(path, "list2")
    assert frame["date_of_birth"].dt.strftime("%Y-%m-%d").tolist()[:2] == [
        "2010-03-31",
        "2010-03-30",
    ]
    assert pd.isna(frame["date_of_birth"].iloc[2])  # month first is not a British date
