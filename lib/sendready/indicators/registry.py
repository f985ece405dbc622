"""The indicator registry: every catalogue indicator defined once, computed one way.

Each indicator is an :class:`IndicatorDefinition` with a compute function that turns
staged tables and a set of periods into numerators, denominators and values. The engine
in :mod:`sendready.indicators.engine` calls the same function for the monthly series and
for the reporting quarter, so a board figure and the chart behind it can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

Unit = Literal["percent", "count", "days", "per_10000", "gbp"]
Direction = Literal["up", "down", "neutral"]
# month: a value for every calendar month. event: values only in months holding a census
# or a survey wave; the engine drops the empty months and the quarter takes the latest
# event on or before the period end.
Grain = Literal["month", "event"]
Statistic = Literal["proportion", "count", "median", "sum", "rate"]


class NoData(Exception):
    """An indicator cannot be computed; the reason is shown to readers as "no data"."""


@dataclass(frozen=True)
class IndicatorDefinition:
    """One catalogue indicator (ids from INDICATORS.md; they are stable).

    Attributes:
        id: Catalogue id, e.g. ``EHC01``.
        title: Short title in plain English, as a board member reads it.
        sources: Staged tables it needs.
        unit: How the value is expressed.
        direction: Which way is better; ``neutral`` for context measures.
        grain: ``month`` or ``event`` (census/survey waves).
        statistic: What kind of figure it is; proportions get Wilson intervals and
            p-charts.
        numerator: Definition of the numerator (or statistic) in words.
        denominator: Definition of the denominator in words, if any.
        weaknesses: Weakness ids (Bury 2017) the catalogue lists it under.
        benchmark_key: Key into the benchmark table, when a published figure exists.
        compute: ``(data, periods) -> frame`` with one row per period and columns
            ``numerator``, ``denominator`` and, for non-proportions, ``value``; optionally
            a ``breakdown`` column for rows split by service, school or provider.
        notes: Definition choices a reader should know (caveats).
    """

    id: str
    title: str
    sources: tuple[str, ...]
    unit: Unit
    direction: Direction
    statistic: Statistic
    numerator: str
    denominator: str | None
    weaknesses: tuple[str, ...]
    compute: Callable[[StagedData, pd.DataFrame], pd.DataFrame]
    grain: Grain = "month"
    benchmark_key: str | None = None
    notes: str = ""


REGISTRY: dict[str, IndicatorDefinition] = {}


def register(definition: IndicatorDefinition) -> IndicatorDefinition:
    if definition.id in REGISTRY:
        raise ValueError(f"indicator {definition.id} is defined twice")
    REGISTRY[definition.id] = definition
    return definition


class StagedData:
    """Read-once access to the staged tables of one ingest.

    Args:
        staged_dir: The folder ``sendready ingest`` wrote.
        tables: Frames supplied directly (tests and the benchmark floor use this);
            a name mapped to ``None`` means the source was not supplied.
    """

    def __init__(
        self,
        staged_dir: Path | None = None,
        tables: dict[str, pd.DataFrame | None] | None = None,
        extract_date: pd.Timestamp | None = None,
    ) -> None:
        self.staged_dir = Path(staged_dir) if staged_dir else None
        self._tables: dict[str, pd.DataFrame | None] = dict(tables or {})
        self._extract_date = extract_date

    @property
    def extract_date(self) -> pd.Timestamp | None:
        """The day the extracts were taken: nothing after it can be known."""
        if self._extract_date is None and self.staged_dir is not None:
            import json

            quality = self.staged_dir / "data_quality.json"
            if quality.exists():
                day = json.loads(quality.read_text(encoding="utf-8")).get("extract_date")
                self._extract_date = pd.Timestamp(day) if day else None
        return self._extract_date

    def get(self, source: str) -> pd.DataFrame | None:
        if source not in self._tables:
            frame = None
            if self.staged_dir is not None:
                path = self.staged_dir / f"{source}.parquet"
                if path.exists():
                    frame = pd.read_parquet(path)
            self._tables[source] = frame
        return self._tables[source]

    def require(self, source: str) -> pd.DataFrame:
        """A staged table, or :class:`NoData` saying why it cannot be used."""
        frame = self.get(source)
        if frame is None:
            raise NoData(f"the {source} extract was not supplied")
        if frame.empty:
            raise NoData(f"the {source} extract has no valid rows")
        return frame
