"""Hand-built staged frames with the dtypes ingest writes (``sendready.ingest.validate``).

Indicator tests build small tables row by row; this gives every one of them the staged
shape (all contract columns, blanks where a row leaves a column out, contract dtypes and a
``source_row``), so a test cannot pass only because its fixture had friendlier dtypes
than real staged data.
"""

from __future__ import annotations

import pandas as pd

from sendready.metadata.contracts import CONTRACTS

_DTYPES = {
    "id": "string",
    "text": "string",
    "code": "string",
    "date": "datetime64[ms]",
    "int": "Int64",
    "number": "Float64",
    "bool": "boolean",
}


def staged(source: str, rows: list[dict], drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """A staged frame of ``source`` from rows given as dicts (missing keys are blank).

    Args:
        source: Contract name.
        rows: One dict per row; dates may be ISO strings.
        drop: Columns to leave out, as when an optional column was not supplied.
    """
    contract = CONTRACTS[source]
    unknown = {key for row in rows for key in row} - set(contract.column_names)
    if unknown:
        raise KeyError(f"{source} has no columns {sorted(unknown)}")
    data: dict[str, pd.Series] = {}
    for column in contract.columns:
        if column.name in drop:
            continue
        values = [row.get(column.name) for row in rows]
        if column.kind == "date":
            data[column.name] = pd.Series(pd.to_datetime(values), dtype="datetime64[ms]")
        else:
            data[column.name] = pd.Series(values, dtype=_DTYPES[column.kind])
    frame = pd.DataFrame(data)
    frame["source_row"] = pd.array(range(2, len(rows) + 2), dtype="Int64")
    return frame


def by_period(table: pd.DataFrame, *fields: str, breakdown: str = "") -> dict:
    """Values of ``fields`` keyed by month ("2019-01") and "Q" for the reporting quarter.

    One field gives bare values; several give tuples. The default fields are
    (numerator, denominator), the pair every hand count in the tests is written as.
    """
    fields = fields or ("numerator", "denominator")
    rows = table[table["breakdown"] == breakdown]
    out = {}
    for row in rows.itertuples():
        key = "Q" if row.period_type == "quarter" else row.period_start.strftime("%Y-%m")
        values = tuple(getattr(row, f) for f in fields)
        out[key] = values[0] if len(values) == 1 else values
    return out
