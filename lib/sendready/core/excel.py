"""CSV files written for people to open in Excel, the same on every platform.

Excel on Windows opens a CSV without a byte order mark as Windows-1252, garbling any
non-ASCII text; it turns a cell that starts with ``=``, ``+``, ``-`` or ``@`` into a
formula (CSV injection); and it shows dates in whatever format the laptop's locale
prefers. So every CSV the suite writes for people (the quarantine lists, the blank
templates, the evidence tables) is UTF-8 with a byte order mark, holds dates as ISO text
(2019-03-31) and prefixes formula-like text with an apostrophe, which Excel shows as text.
Numbers are left as numbers, negative ones included.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

# Python's name for UTF-8 with a byte order mark (written on open, skipped on read).
EXCEL_ENCODING = "utf-8-sig"
BOM = b"\xef\xbb\xbf"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text Excel will not run as a formula: an apostrophe before a formula-like start."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell_text(value: object) -> object:
    """A cell as written: dates as ISO text, text neutralised, numbers and blanks as they are.

    A date-time at midnight is written as its date alone, as it was surely meant.
    """
    import pandas as pd

    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return value
    if isinstance(value, dt.datetime):  # pandas' Timestamp included
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return value


def write_csv(frame, path: Path) -> Path:
    """Write a pandas DataFrame as a CSV for Excel (see the module's description)."""
    import pandas as pd

    out = pd.DataFrame(
        {
            neutralise(str(name)): (
                column.map(cell_text)
                if column.dtype == object
                or pd.api.types.is_string_dtype(column)
                or pd.api.types.is_datetime64_any_dtype(column)
                else column
            )
            for name, column in frame.items()
        }
    )
    out.to_csv(path, index=False, encoding=EXCEL_ENCODING, lineterminator="\r\n")
    return Path(path)
