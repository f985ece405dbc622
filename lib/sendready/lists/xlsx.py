"""A small, fast writer of plain workbooks: text, whole numbers and dates, several sheets.

The lists of a large county run to tens of thousands of rows; openpyxl builds a Python
object per cell and took most of a minute for them on a busy two-core machine. A list
needs no formatting beyond a date format, so each sheet's XML is built a column at a
time with pandas' string operations and zipped, in a fraction of the time. Text is
written as inline strings (no shared-string table to build), escaped for XML, with an
apostrophe before anything Excel would run as a formula
(:func:`sendready.core.excel.neutralise`). Dates are real dates shown dd/mm/yyyy.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from sendready.core.excel import FORMULA_START
from sendready.ingest.readers import column_letter

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_EPOCH = pd.Timestamp("1899-12-30")
_STYLES = (
    f'<styleSheet xmlns="{_NS}"><numFmts count="1"><numFmt numFmtId="164" '
    'formatCode="dd/mm/yyyy"/></numFmts><fonts count="2"><font><sz val="11"/>'
    '<name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf/>'
    '<xf numFmtId="164" applyNumberFormat="1"/><xf fontId="1" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _escape(text: pd.Series) -> pd.Series:
    return (
        text.str.replace("&", "&amp;", regex=False)
        .str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False)
    )


def _column_cells(values: pd.Series, letter: str, rows: np.ndarray) -> np.ndarray:
    """Each cell's XML (empty string for a blank cell)."""
    refs = letter + pd.Series(rows.astype(str), index=values.index)
    if pd.api.types.is_datetime64_any_dtype(values):
        serial = (values - _EPOCH).dt.days
        cells = '<c r="' + refs + '" s="1"><v>' + serial.astype("Int64").astype(str) + "</v></c>"
        return cells.where(values.notna(), "").to_numpy()
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        cells = '<c r="' + refs + '"><v>' + values.astype(str) + "</v></c>"
        return cells.where(values.notna(), "").to_numpy()
    objects = values.astype(object)
    dates = objects.map(lambda v: isinstance(v, dt.date))
    if dates.any():
        as_dates = pd.to_datetime(objects.where(dates), errors="coerce")
        text_part = _column_cells(objects.where(~dates), letter, rows)
        date_part = _column_cells(as_dates, letter, rows)
        return np.where(dates.to_numpy(), date_part, text_part)
    blank = objects.isna() | (objects.astype(str).str.strip() == "")
    text = objects.astype(str)
    risky = text.str.startswith(FORMULA_START)
    text = text.where(~risky, "'" + text)
    spaced = text != text.str.strip()
    opening = np.where(spaced, '<t xml:space="preserve">', "<t>")
    cells = '<c r="' + refs + '" t="inlineStr"><is>' + opening + _escape(text) + "</t></is></c>"
    return cells.where(~blank, "").to_numpy()


def _sheet_xml(header: list[str], frame: pd.DataFrame) -> str:
    rows = np.arange(2, len(frame) + 2)
    head = "".join(
        f'<c r="{column_letter(i)}1" t="inlineStr" s="2"><is><t>'
        + _escape(pd.Series([h])).iloc[0]
        + "</t></is></c>"
        for i, h in enumerate(header)
    )
    body = ""
    if len(frame):
        columns = [
            _column_cells(frame.iloc[:, i].reset_index(drop=True), column_letter(i), rows)
            for i in range(frame.shape[1])
        ]
        cells = columns[0].astype(object)
        for column in columns[1:]:
            cells = cells + column.astype(object)
        starts = '<row r="' + rows.astype(str).astype(object) + '">'
        body = "".join(starts + cells + "</row>")
    return (
        f'{_XML}<worksheet xmlns="{_NS}"><sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        f'</sheetView></sheetViews><sheetData><row r="1">{head}</row>{body}</sheetData>'
        "</worksheet>"
    )


def write_workbook(path: Path, sheets: list[tuple[str, list[str], pd.DataFrame]]) -> Path:
    """Write ``(title, header, frame)`` sheets to ``path`` (the frame's columns in order).

    Numeric columns become number cells, datetime columns (or ``datetime.date`` values)
    date cells, anything else text.
    """
    names = [_escape(pd.Series([t[:31]])).iloc[0] for t, _, _ in sheets]
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                f'ContentType="{_CT}.worksheet+xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" '
            'Target="styles.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
            + "".join(
                f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in enumerate(names, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/styles.xml": _STYLES,
    }
    part = path.with_name(path.name + ".part")
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, xml in parts.items():
            archive.writestr(name, (_XML + xml).encode("utf-8"))
        for i, (_, header, frame) in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(header, frame).encode())
    part.replace(path)
    return path
