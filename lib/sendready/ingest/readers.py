"""Read one raw extract into a frame of text, exactly as the file held it.

Validation must see what the council's system wrote, not what a reader guessed: "007"
keeps its zeros, "NA" stays a value, a blank stays blank. So every reader returns text
(trimmed of surrounding spaces) and leaves parsing to :mod:`sendready.ingest.validate`.

Each row keeps its *original row number* as a spreadsheet user sees it (header = row 1),
so a quarantined row can be found in the file it came from. Wholly blank rows are
dropped and counted rather than treated as records.

Problems a user can fix (no file, an empty file, a workbook saved as ``.csv``, a repeated
header, a file far too large) raise :class:`~sendready.core.errors.SourceError` naming the file
and what to do.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import math
import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pandas._libs.parsers import STR_NA_VALUES

from sendready.core.errors import SourceError
from sendready.metadata.contracts import FORMATS

MAX_FILE_ENV = "SENDREADY_MAX_FILE_MB"
# One source extract for a whole local area is a few MB to a few hundred MB; a file
# beyond this is far more likely the wrong file than a real extract, and reading it
# whole could exhaust a council laptop's memory.
DEFAULT_MAX_FILE_MB = 1024

_HEAD_BYTES = 64 * 1024
_CHUNK_BYTES = 8 * 1024 * 1024
# Signatures of files that often arrive with the wrong extension.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
_PARQUET_MAGIC = b"PAR1"
# How many rows at the top of a sheet may hold a title before the header row.
_XLSX_HEADER_SEARCH_ROWS = 20
# The words pandas' parsers read as missing ("NA", "NULL", "#N/A", "" and the like): a
# workbook cell holding exactly one of them has always been read as blank.
_PANDAS_NA_WORDS = frozenset(STR_NA_VALUES)
_ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252"}


@dataclass(frozen=True)
class RawTable:
    """One raw extract as text.

    Attributes:
        path: The file read.
        file_format: ``csv``, ``xlsx`` or ``parquet``.
        encoding: How a CSV was decoded (``UTF-8``, ``UTF-8 with BOM``,
            ``Windows-1252``); ``None`` for workbooks and Parquet.
        frame: One text column per header (trimmed), indexed by original row number
            (``row_number``).
        blank_rows: Wholly blank rows skipped (not records, so not in ``frame``).
        sheet: The worksheet read, for workbooks.
        notes: Sentences for the ingest summary about choices the reader made (a
            worksheet found by its headers).
    """

    path: Path
    file_format: str
    encoding: str | None
    frame: pd.DataFrame
    blank_rows: int = 0
    sheet: str | None = None
    notes: tuple[str, ...] = ()


def max_file_bytes() -> int:
    """The size ceiling: ``SENDREADY_MAX_FILE_MB`` if set, else the default."""
    raw = os.environ.get(MAX_FILE_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_FILE_MB * 1024 * 1024
    try:
        mb = float(raw)
    except ValueError:
        raise SourceError(
            f"The environment variable {MAX_FILE_ENV} is {raw!r}, which is not a number.",
            hint=f"Set it to a size in MB, e.g. {MAX_FILE_ENV}=4096, or unset it.",
        ) from None
    return int(mb * 1024 * 1024)


def read_source(
    path: Path | str,
    *,
    sheet: str | None = None,
    expected_headers: Collection[str] | None = None,
    source: str | None = None,
    max_bytes: int | None = None,
) -> RawTable:
    """Read a CSV, XLSX or Parquet file into text.

    Args:
        path: The file.
        sheet: Worksheet name for a workbook (default: the one sheet whose headers are
            the expected ones, see :func:`_choose_sheet`).
        expected_headers: Headers the caller can use (matched case-insensitively). If
            the file has none of them it is the wrong file or not a table, and reading
            stops before the body of a large file is loaded.
        source: Source name, used only to make messages clearer.
        max_bytes: Size ceiling; default from :func:`max_file_bytes`.

    Raises:
        SourceError: for anything about the file that the user must fix.
    """
    path = Path(path)
    what = f"the {source} extract " if source else ""
    if not path.is_file():
        raise SourceError(
            f"Cannot find {what}{path}.",
            hint="Check the folder and file name, or name the file in the profile "
            "(sources.<source>.file).",
        )
    size = path.stat().st_size
    limit = max_bytes if max_bytes is not None else max_file_bytes()
    if size > limit:
        raise SourceError(
            f"{path} is {size / 1024 / 1024:,.0f} MB, more than the {limit / 1024 / 1024:,.0f} "
            "MB limit for one extract.",
            hint="Check it is the right file. If it is, split it (for example by year) or "
            f"raise the limit with the environment variable {MAX_FILE_ENV} (in MB).",
        )
    if size == 0:
        raise SourceError(
            f"{path} is empty (0 bytes).",
            hint="Export the extract again; the file should at least hold a header row.",
        )
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise SourceError(
            f"{path} is not a file type the suite reads ({path.suffix or 'no extension'}).",
            hint="Save it as .csv (UTF-8), .xlsx or .parquet.",
        )
    expected = {h.strip().casefold() for h in expected_headers} if expected_headers else None
    try:
        if file_format == "csv":
            return _read_csv(path, expected)
        if file_format == "xlsx":
            return _read_xlsx(path, sheet, expected, source)
        return _read_parquet(path, expected)
    except PermissionError:
        raise SourceError(
            f"{path} cannot be opened: permission denied.",
            hint="Close the file if it is open in Excel (Windows locks open "
            "workbooks), or check you may read it.",
        ) from None


# --- CSV ---------------------------------------------------------------------------------


def _read_csv(path: Path, expected: set[str] | None) -> RawTable:
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    _reject_binary(path, head, "CSV")
    codec = _detect_encoding(path)
    text = head.decode(codec, errors="replace").lstrip("\ufeff")
    if not text.strip():
        raise SourceError(
            f"{path} holds no header row, only blank space.",
            hint="Export the extract again with its header row.",
        )
    sep = _delimiter(text)
    header_raw = _first_record(path, text, sep, complete=len(head) < _HEAD_BYTES)
    header = _clean_header(header_raw)
    _check_headers(path, header, expected)
    frame = _parse_csv(path, codec, sep, len(header_raw))
    return _finish(
        path,
        "csv",
        frame,
        header,
        first_data_row=2,
        encoding=_ENCODING_LABELS["utf-8-sig" if head.startswith(codecs.BOM_UTF8) else codec],
    )


def _reject_binary(path: Path, head: bytes, kind: str) -> None:
    """Stop early on a file that is not text, with the likeliest explanation."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SourceError(
            f"{path} is saved as UTF-16 (Excel's 'Unicode Text'), not as CSV.",
            hint="In Excel choose Save As > 'CSV UTF-8 (Comma delimited)'.",
        )
    if head.startswith(_ZIP_MAGIC):
        raise SourceError(
            f"{path} is an Excel workbook (or another zip file), not a {kind} file.",
            hint="Rename it to .xlsx, or save it from Excel as CSV UTF-8.",
        )
    if head.startswith(_OLE_MAGIC):
        raise SourceError(
            f"{path} is an old-style Excel .xls workbook, not a {kind} file.",
            hint="Open it in Excel and save it as .xlsx or CSV UTF-8.",
        )
    if head.startswith(_PARQUET_MAGIC):
        raise SourceError(
            f"{path} is a Parquet file, not a {kind} file.", hint="Rename it to .parquet."
        )
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    # Real text has no NUL and almost no other control bytes; random binary has ~12%.
    if b"\x00" in head or controls > max(1, len(head) // 100):
        raise SourceError(
            f"{path} is not a text file (it holds binary data), so it cannot be read as {kind}.",
            hint="Check it is the right file and export the extract again.",
        )


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes strictly, else Windows-1252.

    Decoded in chunks so a large file is checked without being held in memory. Excel's
    plain "CSV (Comma delimited)" writes Windows-1252, where "£" and "é" are single
    bytes that are invalid UTF-8; that is how the two are told apart.
    """
    for codec in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(codec)("strict")
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(_CHUNK_BYTES):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return "utf-8" if codec == "utf-8-sig" else codec
    raise SourceError(
        f"{path} is neither UTF-8 nor Windows-1252 text.",
        hint="Save it from Excel as 'CSV UTF-8 (Comma delimited)'.",
    )


def _delimiter(text: str) -> str:
    """Comma unless the header line has none and uses semicolons or tabs instead.

    Some European-locale Excel installations write semicolon-separated "CSV".
    """
    line = text.splitlines()[0] if text else ""
    if "," in line:
        return ","
    counts = {sep: line.count(sep) for sep in (";", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _first_record(path: Path, text: str, sep: str, complete: bool) -> list[str]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        record = next(reader)
    except (csv.Error, StopIteration) as exc:
        raise SourceError(
            f"The header row of {path} cannot be read as CSV ({exc}).",
            hint="Export the extract again as CSV UTF-8.",
        ) from None
    if not complete and "\n" not in text and "\r" not in text:
        raise SourceError(
            f"The first line of {path} is over {_HEAD_BYTES // 1024} KB long, "
            "so it is not a header row.",
            hint="Check it is the right file, saved as CSV with headers in row 1.",
        )
    if not any(field.strip() for field in record):
        raise SourceError(
            f"Row 1 of {path} is blank; the suite expects the headers there.",
            hint="Delete the blank rows above the headers and save again.",
        )
    return record


def _parse_csv(path: Path, codec: str, sep: str, width: int) -> pd.DataFrame:
    """Parse the whole file as text; row 0 of the result is the header.

    pyarrow parses strings many times faster, and with far less memory, than the pandas
    C engine, but rejects a row with fewer fields than the header, which Excel writes when
    trailing cells are blank. Such files fall back to pandas, which treats the missing
    fields as blanks.
    """
    names = [f"f{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, encoding=codec),
            parse_options=pacsv.ParseOptions(
                delimiter=sep, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                # large_string so a column over 2 GB cannot overflow.
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        # One contiguous array per column: later takes and lookups on a chunked array are
        # several times slower.
        table = pa.table({n: pc.utf8_trim_whitespace(table[n]).combine_chunks() for n in names})
        return table.to_pandas().fillna("")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding=codec,
            index_col=False,
        )
    except pd.errors.ParserError as exc:
        raise SourceError(
            f"{path} is not a well-formed CSV file: {str(exc).strip().splitlines()[-1]}",
            hint="A row has more cells than the header: look for an unquoted comma in a "
            "value, or export the extract again.",
        ) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(
            f"{path} cannot be read as CSV: {exc}", hint="Export the extract again as CSV UTF-8."
        ) from None
    frame = frame.fillna("")
    return frame.apply(lambda col: col.str.strip())


# --- XLSX --------------------------------------------------------------------------------


def _read_xlsx(
    path: Path, sheet: str | None, expected: set[str] | None, source: str | None = None
) -> RawTable:
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head.startswith(_ZIP_MAGIC):
        if head.startswith(_OLE_MAGIC):
            raise SourceError(
                f"{path} is an old-style Excel .xls workbook saved as .xlsx.",
                hint="Open it in Excel and save it as an Excel Workbook (.xlsx).",
            )
        raise SourceError(
            f"{path} is not an Excel workbook (.xlsx files are zip archives).",
            hint="If it is a CSV file, rename it to .csv; otherwise save it from Excel as .xlsx.",
        )
    sheet_names = _sheet_names(path)
    setting = f"sources.{source or '<source>'}.sheet"
    if sheet is not None and sheet not in sheet_names:
        raise SourceError(
            f"{path} has no worksheet called {sheet!r}.",
            hint=f"Its sheets are {_listed(sheet_names)}; correct {setting} in the profile.",
        )
    notes: tuple[str, ...] = ()
    if sheet is not None:
        use_sheet = sheet
    else:
        use_sheet, notes = _choose_sheet(path, sheet_names, expected, setting)
    try:
        text = _sheet_text(path, use_sheet)
    except Exception as exc:  # calamine raises several unrelated types for a damaged file
        raise SourceError(
            f"{path} cannot be read as an Excel workbook ({exc}).",
            hint="It may be damaged or incompletely copied: open it in Excel, "
            "save it again, and copy it again.",
        ) from None
    if text.empty:
        raise SourceError(
            f"Sheet {use_sheet!r} of {path} is empty.",
            hint="Export the extract again with its header row.",
        )
    header_at = _xlsx_header_row(text, expected)
    if header_at is None:
        raise SourceError(
            f"Sheet {use_sheet!r} of {path} has no header row (it is blank).",
            hint="Export the extract again with its header row.",
        )
    header = _clean_header(text.iloc[header_at].tolist())
    _check_headers(
        path,
        header,
        expected,
        hint=f"Check it is the right workbook. Its sheets are {_listed(sheet_names)}; name "
        f"the one that holds the extract in the profile ({setting}: 'Sheet name'). If your "
        f"system uses its own headers, map them under sources.{source or '<source>'}.columns.",
    )
    # calamine reads from cell A1, so position i is sheet row i + 1.
    table = _finish(
        path, "xlsx", text.iloc[header_at:], header, first_data_row=header_at + 2, sheet=use_sheet
    )
    return dataclasses.replace(table, notes=notes)


def _sheet_text(path: Path, sheet: str) -> pd.DataFrame:
    """Every cell of a worksheet as text (:func:`sheet_cell_texts`), trimmed, one column
    per sheet column.

    The cells come from python-calamine directly, as ``pandas.read_excel`` would give
    them (with ``header=None, dtype=object``) but without its per-cell passes in Python.
    A sheet whose first cell starts with a byte order mark, or whose rows differ in
    length, is still read through pandas, whose parser treats both specially.
    """
    from python_calamine import CalamineWorkbook

    rows = (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(sheet)
        .to_python(skip_empty_area=False)
    )
    first = rows[0][0] if rows and rows[0] else None
    if (isinstance(first, str) and first.startswith("\ufeff")) or len(set(map(len, rows))) > 1:
        cells = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, engine="calamine")
        columns = [cells[c].tolist() for c in cells.columns]
    else:
        columns = list(zip(*rows, strict=True))
    return pd.DataFrame(
        {i: pd.Series(sheet_cell_texts(c), dtype="str").str.strip() for i, c in enumerate(columns)}
    )


def sheet_cell_texts(values: Collection[object]) -> list[str]:
    """Worksheet cells as calamine gives them, as text: what :func:`_cell_text` gives for
    the cell ``pandas.read_excel`` makes of each (a whole-number float becomes an int, a
    date a midnight datetime, and one of pandas' missing-value words, such as "NA" or
    "NULL" exactly, a blank).

    Most cells are text, so those are handled inline; the rest go one by one through the
    conversions, each distinct value once (a column of dates or numbers repeats them).
    """
    seen: dict[tuple[type, object], str] = {}

    def other(value: object) -> str:
        key = (type(value), value)  # True is 1 and 1.0 in a dict, but not as text
        text = seen.get(key)
        if text is None:
            text = seen[key] = _other_cell_text(value)
        return text

    return [("" if v in _PANDAS_NA_WORDS else v) if type(v) is str else other(v) for v in values]


def _other_cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value in _PANDAS_NA_WORDS:
        return ""
    return _cell_text(value)


def _listed(names: list[str]) -> str:
    return ", ".join(map(repr, names))


def _choose_sheet(
    path: Path, sheet_names: list[str], expected: set[str] | None, setting: str
) -> tuple[str, tuple[str, ...]]:
    """The worksheet to read when the profile names none.

    Each sheet's likely header row (within its first rows) is scored by how many expected
    headers it holds; the one sheet with the highest score is read. A workbook with one
    sheet, or whose first sheet scores highest on its own, reads as before; a cover or
    notes sheet in front of the data no longer hides it. Two sheets with the same best
    score (2018 and 2019, say) cannot be told apart, and nor can sheets with no expected
    header at all: both stop with the sheets listed and the profile setting that names one.
    """
    if len(sheet_names) == 1 or not expected:
        return sheet_names[0], ()
    scores = {name: _sheet_score(path, name, expected) for name in sheet_names}
    best = max(scores.values())
    top = [name for name, score in scores.items() if score == best]
    if best == 0:
        raise SourceError(
            f"None of the worksheets of {path} has the headers the suite expects for this "
            f"source. Its sheets are {_listed(sheet_names)}.",
            hint=f"Check it is the right workbook. Name the sheet that holds the extract in "
            f"the profile ({setting}: 'Sheet name'), and map your own headers under "
            f"{setting.removesuffix('.sheet')}.columns if they differ from the contract's.",
        )
    if len(top) > 1:
        raise SourceError(
            f"More than one worksheet of {path} has the headers the suite expects for this "
            f"source ({_listed(top)}), so the suite cannot tell which to read. Its sheets "
            f"are {_listed(sheet_names)}.",
            hint=f"Name the sheet to read in the profile ({setting}: {top[-1]!r}), or keep "
            "only one such sheet in the workbook.",
        )
    chosen = top[0]
    if chosen == sheet_names[0]:
        return chosen, ()
    return chosen, (
        f"read worksheet {chosen!r}, the only one whose headers match the contract (the "
        f"workbook's sheets are {_listed(sheet_names)}); name it in the profile "
        f"({setting}) to make the choice explicit",
    )


def _sheet_score(path: Path, name: str, expected: set[str]) -> int:
    """Expected headers in the best of a sheet's first rows (read alone, not the sheet)."""
    from python_calamine import CalamineWorkbook

    try:
        rows = (
            CalamineWorkbook.from_path(str(path))
            .get_sheet_by_name(name)
            .to_python(nrows=_XLSX_HEADER_SEARCH_ROWS)
        )
    except Exception:  # a damaged sheet: reading it in full reports the damage
        return 0
    return max(
        (len({_cell_text(v).strip().casefold() for v in row} & expected) for row in rows),
        default=0,
    )


def _sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:  # zip, XML and calamine errors alike mean a damaged file
        raise SourceError(
            f"{path} cannot be read as an Excel workbook ({exc}).",
            hint="It may be damaged or incompletely copied: open it in Excel, "
            "save it again, and copy it again.",
        ) from None


def _xlsx_header_row(text: pd.DataFrame, expected: set[str] | None) -> int | None:
    """The header row: the first row with an expected header, else the first non-blank row.

    Exports from case-management systems often put a title and a blank row above the
    headers; the row numbers reported still match the sheet.
    """
    non_blank = [
        i for i in range(min(len(text), _XLSX_HEADER_SEARCH_ROWS)) if (text.iloc[i] != "").any()
    ]
    if expected:
        for i in non_blank:
            if any(v.casefold() in expected for v in text.iloc[i]):
                return i
    return non_blank[0] if non_blank else None


def _cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export of it would hold.

    Dates become ISO dates (the validator's first format); whole numbers lose the
    ``.0`` that calamine gives every number, so 12.0 reads as "12", the same as in CSV.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


# --- Parquet -----------------------------------------------------------------------------


def _read_parquet(path: Path, expected: set[str] | None) -> RawTable:
    import pyarrow.parquet as pq

    with path.open("rb") as fh:
        head = fh.read(4)
        fh.seek(-4, os.SEEK_END)
        tail = fh.read(4)
    if head != _PARQUET_MAGIC or tail != _PARQUET_MAGIC:
        raise SourceError(
            f"{path} is not a complete Parquet file.",
            hint="It may be damaged or incompletely copied; write or copy it again.",
        )
    try:
        parquet = pq.ParquetFile(path)
        header = _clean_header(list(parquet.schema_arrow.names))
        _check_headers(path, header, expected)
        frame = parquet.read().to_pandas(ignore_metadata=True)
    except SourceError:
        raise
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise SourceError(
            f"{path} cannot be read as Parquet ({exc}).",
            hint="It may be damaged or incompletely copied; write or copy it again.",
        ) from None
    frame.columns = range(frame.shape[1])
    text = frame.apply(_column_text)
    header_row = pd.DataFrame([dict(enumerate(header))])
    return _finish(
        path, "parquet", pd.concat([header_row, text], ignore_index=True), header, first_data_row=2
    )


def _column_text(col: pd.Series) -> pd.Series:
    """A typed Parquet column as text, written the way the CSV reader would see it."""
    if pd.api.types.is_datetime64_any_dtype(col):
        midnight = col.isna() | (col == col.dt.normalize())
        out = col.dt.strftime("%Y-%m-%d").where(midnight, col.dt.strftime("%Y-%m-%d %H:%M:%S"))
        return out.fillna("")
    if pd.api.types.is_bool_dtype(col):
        return col.map({True: "TRUE", False: "FALSE"}).astype(object).fillna("").astype(str)
    if pd.api.types.is_integer_dtype(col):
        return col.astype("string").fillna("").astype(str)
    if pd.api.types.is_string_dtype(col) and not pd.api.types.is_object_dtype(col):
        return col.fillna("").astype(str).str.strip()
    return col.astype(object).map(_cell_text).astype(str).str.strip()


# --- shared ------------------------------------------------------------------------------


def _clean_header(raw: list[object]) -> list[str]:
    """Trimmed header names; a blank header is named after its column letter."""
    header = []
    for i, value in enumerate(raw):
        name = "" if value is None else str(value).strip()
        header.append(name or f"(unnamed column {column_letter(i)})")
    return header


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _check_headers(
    path: Path, header: list[str], expected: set[str] | None, hint: str | None = None
) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name.startswith("(unnamed column "):
            continue
        key = name.casefold()
        if key in seen:
            raise SourceError(
                f"The header {name!r} appears more than once in {path} (columns "
                f"{column_letter(seen[key])} and {column_letter(i)}), so the suite cannot "
                "tell which to use.",
                hint="Rename or delete one of them so that every header appears once "
                "(headers are matched ignoring case).",
            )
        seen[key] = i
    if expected is not None and not (set(seen) & expected):
        shown = ", ".join(repr(h) for h in header[:8]) + (" ..." if len(header) > 8 else "")
        raise SourceError(
            f"None of the headers in {path} is one the suite expects for this source. "
            f"Its first row holds: {shown}.",
            hint=hint
            or "Check it is the right file, with the headers in row 1 and commas between "
            "columns; if your system uses its own headers, map them in the profile "
            "under sources.<source>.columns.",
        )


def _finish(
    path: Path,
    file_format: str,
    rows: pd.DataFrame,
    header: list[str],
    first_data_row: int,
    encoding: str | None = None,
    sheet: str | None = None,
) -> RawTable:
    """Name the columns, number the rows and drop wholly blank rows and columns.

    ``rows`` holds the header row first, then the data rows in file order.
    """
    body = rows.iloc[1:].copy()
    body.columns = header
    body.index = pd.RangeIndex(first_data_row, first_data_row + len(body), name="row_number")
    body = body.astype(str)
    blank = (body == "").all(axis=1)
    body = body.loc[~blank]
    # Columns with no header and no values are Excel's stray formatting, not data.
    empty_unnamed = [
        c for c in body.columns if c.startswith("(unnamed column ") and (body[c] == "").all()
    ]
    body = body.drop(columns=empty_unnamed)
    return RawTable(
        path=path,
        file_format=file_format,
        encoding=encoding,
        frame=body,
        blank_rows=int(blank.sum()),
        sheet=sheet,
    )
