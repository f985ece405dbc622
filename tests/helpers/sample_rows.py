"""Reading the sample's raw files back as text, independently of the suite's ingest.

Each source is read as the text a user's system wrote, whatever its format (csv or
xlsx) and encoding, and rows carrying a planted fault can be dropped, so tests check the
generator against its own files with code of their own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_text(folder: Path, source: str) -> pd.DataFrame:
    """A source as the text a user's system wrote, whatever its format and encoding."""
    csv, xlsx = folder / f"{source}.csv", folder / f"{source}.xlsx"
    if xlsx.exists():
        raw = pd.read_excel(xlsx, engine="calamine", dtype=object)
        return raw.map(_cell_text).astype(object)
    data = csv.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding=encoding)
    return frame.astype(object)


def planted(folder: Path) -> pd.DataFrame:
    return pd.read_csv(
        folder / "planted_faults.csv", dtype={"row_number": int}, keep_default_na=False
    )


def clean_rows(folder: Path, source: str) -> pd.DataFrame:
    """Rows of a source that carry no planted fault (index = original row number)."""
    frame = read_text(folder, source)
    frame.index = np.arange(2, len(frame) + 2)
    faults = planted(folder)
    bad = faults.loc[faults["source"] == source, "row_number"]
    return frame.drop(index=bad)


# --- an independent contract checker -----------------------------------------------------


def dates(text: pd.Series) -> pd.Series:
    iso = pd.to_datetime(
        text.where(text.str.match(r"^\d{4}-\d{2}-\d{2}$")), format="%Y-%m-%d", errors="coerce"
    )
    dmy = pd.to_datetime(
        text.where(text.str.match(r"^\d{2}/\d{2}/\d{4}$")), format="%d/%m/%Y", errors="coerce"
    )
    return iso.fillna(dmy)
