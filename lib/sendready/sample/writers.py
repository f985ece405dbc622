"""Turn generated sources into files the way council systems write them.

Most extracts are CSV in UTF-8; one comes from an old system in Windows-1252 (names such
as Zoë and Chloé become single bytes), one has a UTF-8 byte order mark (Excel's "CSV
UTF-8"), and a few small ones are Excel workbooks with real date cells. Large sources are
always CSV. Output is byte-for-byte reproducible: workbooks are written directly as
SpreadsheetML with fixed document dates and zip entry times.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from sendready.ingest.readers import column_letter
from sendready.metadata.contracts import Contract

# source: (file extension, CSV encoding), for every source not written as plain UTF-8 CSV.
FORMATS: dict[str, tuple[str, str]] = {
    "persons": ("csv", "cp1252"),
    "local_offer_feedback": ("csv", "utf-8-sig"),
    "ehc_plans": ("xlsx", ""),
    "annual_reviews": ("xlsx", ""),
    "action_plan": ("xlsx", ""),
    "governance": ("xlsx", ""),
    "commissioned_services": ("xlsx", ""),
}
# How yes/no is written: systems differ, and every style is a valid yes/no.
BOOL_STYLES: dict[str, tuple[str, str]] = {
    "ehc_requests": ("Y", "N"),
    "health_referrals": ("1", "0"),
    "local_offer_directory": ("TRUE", "FALSE"),
}
XLSX_BOOLS = ("Yes", "No")
DEFAULT_BOOLS = ("true", "false")
_FIXED_TIME = dt.datetime(2026, 4, 3, 8, 0, 0)
_MONEY = re.compile(r"_gbp$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def file_format(source: str) -> tuple[str, str]:
    """(extension, encoding) the sample uses for a source."""
    return FORMATS.get(source, ("csv", "utf-8"))


def _blank(values: np.ndarray) -> np.ndarray:
    return pd.isna(pd.Series(values, dtype=object)).to_numpy()


def to_text(frame: pd.DataFrame, contract: Contract, source: str) -> dict[str, np.ndarray]:
    """Contract columns as text, ready for faults and writing (blank = "")."""
    ext, _ = file_format(source)
    yes, no = XLSX_BOOLS if ext == "xlsx" else BOOL_STYLES.get(source, DEFAULT_BOOLS)
    out = {}
    for col in contract.columns:
        if col.name not in frame:
            if col.required:
                raise KeyError(f"{source}: the generator made no {col.name!r} column")
            continue  # an optional column this sample does not hold
        values = frame[col.name].to_numpy()
        if col.kind == "date":
            days = values.astype("datetime64[D]")
            text = np.datetime_as_string(days, unit="D").astype(object)
            text[np.isnat(days)] = ""
        elif col.kind == "bool":
            blank = _blank(values)
            truth = np.where(blank, False, values).astype(bool)
            text = np.where(blank, "", np.where(truth, yes, no)).astype(object)
        elif col.kind == "number":
            blank = _blank(values)
            fmt = "{:.2f}" if _MONEY.search(col.name) else "{:.10g}"
            text = np.array(
                ["" if b else fmt.format(float(v)) for v, b in zip(values, blank, strict=True)],
                dtype=object,
            )
        elif col.kind == "int":
            text = np.asarray(values).astype(np.int64).astype(str).astype(object)
        else:
            blank = _blank(values)
            text = np.asarray(values, dtype=object).copy()
            text[blank] = ""
        out[col.name] = text
    return out


def _csv_column(values: np.ndarray) -> np.ndarray:
    """Quote the cells that need it (RFC 4180): only where a comma, quote or newline
    occurs, which is checked on the distinct values so that large columns stay fast."""
    distinct = pd.unique(values)
    joined = "".join(distinct)
    if not any(ch in joined for ch in ',"\r\n'):
        return values
    special = [v for v in distinct if any(ch in v for ch in ',"\r\n')]
    if not special:
        return values
    quoted = {v: '"' + v.replace('"', '""') + '"' for v in special}
    return np.array([quoted.get(v, v) for v in values], dtype=object)


def write_csv(path: Path, table: dict[str, np.ndarray], encoding: str) -> None:
    columns = [_csv_column(values) for values in table.values()]
    with path.open("w", encoding=encoding, newline="") as fh:
        fh.write(",".join(table) + "\n")
        if columns and len(columns[0]):
            fh.write("\n".join(map(",".join, zip(*columns, strict=True))))
            fh.write("\n")


# --- XLSX --------------------------------------------------------------------------------
# A minimal SpreadsheetML package written directly: openpyxl took over half a minute for a
# county-sized sample and stamps files with the current time; this is fast and identical
# on every run. Dates are real date cells (Excel serial numbers with a date format).
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_STATIC_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/'
        'vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/extended-properties" '
        'Target="docProps/app.xml"/></Relationships>'
    ),
    "docProps/app.xml": (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>sendready sample generator</Application>'
        "</Properties>"
    ),
    "docProps/core.xml": (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>sendready sample generator</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{_FIXED_TIME:%Y-%m-%dT%H:%M:%SZ}'
        "</dcterms:created>"
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_FIXED_TIME:%Y-%m-%dT%H:%M:%SZ}'
        "</dcterms:modified></cp:coreProperties>"
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    # Style 1 is built-in number format 14, the short date Excel shows as 05/04/2019.
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_NS}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0"/></cellStyleXfs><cellXfs count="2">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/></cellXfs><cellStyles count="1">'
        '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    ),
}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cell(text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f' t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _xlsx_cells(values: np.ndarray, kind: str) -> list[str | None]:
    """The tail of each cell's XML (after its reference); ``None`` for an empty cell.

    Dates and numbers become real date and number cells where the text is one; anything
    else (a planted "TBC" in a date column) stays text, as in a hand-edited sheet.
    """
    cells: list[str | None] = []
    for value in values:
        text = str(value)
        if not text.strip():
            cells.append(None)
            continue
        if kind == "date":
            try:
                day = dt.date.fromisoformat(text) if _ISO_DATE.match(text) else None
            except ValueError:
                day = None
            cells.append(
                f' s="1"><v>{(day - _EXCEL_EPOCH).days}</v></c>' if day else _text_cell(text)
            )
        elif kind in ("int", "number") and _NUMBER.match(text):
            cells.append(f"><v>{text}</v></c>")
        else:
            cells.append(_text_cell(text))
    return cells


def write_xlsx(path: Path, table: dict[str, np.ndarray], contract: Contract) -> None:
    """One sheet named after the source, header in row 1, real date and number cells."""
    names = list(table)
    letters = [column_letter(i) for i in range(len(names))]
    columns = [_xlsx_cells(table[name], contract.column(name).kind) for name in names]
    rows = [
        '<row r="1">'
        + "".join(
            f'<c r="{letter}1"{_text_cell(name)}'
            for letter, name in zip(letters, names, strict=True)
        )
        + "</row>"
    ]
    for r, cells in enumerate(zip(*columns, strict=True), start=2):
        rows.append(
            f'<row r="{r}">'
            + "".join(
                f'<c r="{letter}{r}"{cell}'
                for letter, cell in zip(letters, cells, strict=True)
                if cell is not None
            )
            + "</row>"
        )
    sheet = (
        f'{_XML}<worksheet xmlns="{_NS}"><sheetData>' + "".join(rows) + "</sheetData></worksheet>"
    )
    workbook = (
        f'{_XML}<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name="{_escape(contract.name[:31])}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )
    parts = {name: _XML + xml for name, xml in _STATIC_PARTS.items()}
    parts["xl/workbook.xml"] = workbook
    parts["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            entry = zipfile.ZipInfo(name, date_time=_FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, xml.encode("utf-8"))


def write_source(
    out_dir: Path, source: str, table: dict[str, np.ndarray], contract: Contract
) -> Path:
    """Write one source in its sample format; returns the file written."""
    ext, encoding = file_format(source)
    path = out_dir / f"{source}.{ext}"
    if ext == "xlsx":
        write_xlsx(path, table, contract)
    else:
        write_csv(path, table, encoding)
    return path
