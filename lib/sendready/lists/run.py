"""``sendready lists``: build or read the lists, check them, write the workbooks and page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sendready.ingest.stage import load_staged
from sendready.lists.build import build_lists
from sendready.lists.rules import rule_counts, validate_lists
from sendready.lists.workbook import read_list, write_lists, write_summary, write_validation
from sendready.metadata.profile import Profile

SOURCES = ("persons", "ehc_plans", "annual_reviews", "school_census")
SUMMARY_FILE = "summary.html"


@dataclass
class ListsResult:
    """What a run wrote, and the counts behind it."""

    lists: dict[str, pd.DataFrame]
    failures: pd.DataFrame
    counts: pd.DataFrame
    files: dict[str, Path]

    def describe(self) -> str:
        lines = [f"{name}: {len(frame):,} rows" for name, frame in self.lists.items()]
        failing = self.counts[self.counts["rows_failing"] > 0]
        lines += [
            f"  {r.list} {r.rule} ({r.severity}): {r.rows_failing:,} row(s)"
            for r in failing.itertuples()
        ]
        lines += [f"{what}: {path}" for what, path in self.files.items()]
        return "\n".join(lines)


def produce_lists(
    profile: Profile,
    staged: Path | None,
    as_at: dt.date,
    restricted: Path,
    shared: Path,
    inputs: dict[str, Path] | None = None,
) -> ListsResult:
    """Build the lists from the staged data (or read the given files), check and write.

    Args:
        profile: The area profile (its name and disclosure threshold).
        staged: The staged folder; not read when both lists are given in ``inputs``.
        as_at: The date the lists describe.
        restricted: Folder for the lists and the validation report (restricted).
        shared: Folder for the summary page that may be shared.
        inputs: Lists the area already keeps, by ``list1``/``list2``, used as they are.
    """
    inputs = inputs or {}
    lists = {name: read_list(path, name) for name, path in inputs.items()}
    if len(lists) < 2:
        tables = {name: load_staged(staged, name) for name in SOURCES}
        built = build_lists(tables, as_at)
        lists = {name: lists.get(name, built[name]) for name in ("list1", "list2")}
    failures = validate_lists(lists, as_at)
    counts = rule_counts(failures, lists)
    files = {f"{name} workbook": path for name, path in write_lists(lists, restricted).items()}
    files["validation report (restricted)"] = write_validation(failures, counts, lists, restricted)
    files["summary page (may be shared)"] = write_summary(
        counts,
        {name: len(frame) for name, frame in lists.items()},
        shared / SUMMARY_FILE,
        profile.area.name,
        as_at,
        profile.disclosure.threshold,
    )
    return ListsResult(lists, failures, counts, files)
