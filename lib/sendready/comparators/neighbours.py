"""Children's services statistical neighbours, as DfE's benchmarking tool lists them.

The file is "wide": the header row names every local authority and the column under each
name lists that authority's ten nearest neighbours, nearest first. It starts with a
UTF-8 byte-order mark and some names hold commas ("Bristol, City of"), so it is read
with the ``csv`` module rather than split on commas.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from sendready.comparators.names import close_names, did_you_mean, match_name
from sendready.core.errors import SendreadyError


def read_statistical_neighbours(path: str | Path) -> dict[str, list[str]]:
    """Every authority's neighbours, nearest first, keyed by the name in the header.

    Raises:
        SendreadyError: The file is missing, empty, or repeats an authority in its header.
    """
    path = Path(path)
    if not path.is_file():
        raise SendreadyError(
            f"Cannot find the statistical neighbours file {path}.",
            hint="Point the profile at the CSV exported from DfE's statistical neighbour "
            "benchmarking tool.",
        )
    rows = _read_rows(path)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise SendreadyError(
            f"{path.name} has no neighbours under its header row.",
            hint="Each column should list one authority's neighbours below its name.",
        )
    header = [cell.strip() for cell in rows[0]]
    repeated = sorted(name for name, n in Counter(header).items() if name and n > 1)
    if repeated:
        raise SendreadyError(
            f"{path.name} names {', '.join(repeated)} more than once in its header row.",
            hint="Each authority should head exactly one column.",
        )
    table: dict[str, list[str]] = {}
    for i, name in enumerate(header):
        if not name:
            continue
        cells = (row[i].strip() if i < len(row) else "" for row in rows[1:])
        table[name] = [cell for cell in cells if cell]
    return table


def statistical_neighbours(path: str | Path, la_name: str) -> list[str]:
    """One authority's statistical neighbours, nearest first.

    ``la_name`` is matched exactly, then without regard to case, punctuation and styling
    ("County Durham" finds "Durham", "St Helens" finds "St. Helens").

    Raises:
        SendreadyError: The authority is not in the file; the message suggests close names.
    """
    table = read_statistical_neighbours(path)
    matched = match_name(la_name, table)
    if matched is None:
        suggestions = close_names(la_name, table)
        raise SendreadyError(
            f"{la_name!r} is not a local authority in {Path(path).name}.",
            hint=did_you_mean(suggestions)
            or "Use the authority's name as the file's header row spells it.",
        )
    return table[matched]


def _read_rows(path: Path) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with path.open(newline="", encoding=encoding) as handle:
                return list(csv.reader(handle))
        except UnicodeDecodeError:
            continue
        except csv.Error as exc:
            raise SendreadyError(f"{path.name} is not a readable CSV file ({exc}).") from None
    raise SendreadyError(
        f"{path.name} is not text in a known encoding.", hint="Save it as CSV (UTF-8)."
    )
