"""The indicator registry: every catalogue indicator defined once, computed one way.

Each indicator is an :class:`IndicatorDefinition` with a compute function that turns
staged tables and a set of periods into numerators, denominators and values. The engine
in :mod:`sendready.indicators.engine` calls the same function for the monthly series and
for the reporting quarter, so a board figure and the chart behind it can never disagree.

The definition is also the one place that says how later stages treat the indicator:
whether its counts are of children (and so are suppressed when small), which count a
small-number rule looks at, which chart its panel draws and which benchmark figures are
its. Privacy and reports read these fields; they keep no tables of their own keyed by id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

# ratio: a multiple of a reference (an over-dispersion phi: 1 = chance variation only).
Unit = Literal["percent", "count", "days", "per_10000", "gbp", "ratio"]
Direction = Literal["up", "down", "neutral"]
# month: a value for every calendar month. event: values only in months holding a census
# or a survey wave; the engine drops the empty months and the quarter takes the latest
# event on or before the period end.
Grain = Literal["month", "event"]
Statistic = Literal["proportion", "count", "median", "sum", "rate"]
# The count a figure rests on: the one whose smallness could point at a child.
SuppressionCount = Literal["numerator", "denominator"]
# The chart a panel draws beside the control chart (see IndicatorDefinition.chart).
ChartKind = Literal["spc", "funnel", "waits", "survey"]

# By default a figure rests on the cases behind it: a proportion or a median on its
# denominator (the cases it is taken over), a count, sum or rate on its numerator.
SUPPRESSION_COUNT_BY_STATISTIC: dict[str, SuppressionCount] = {
    "proportion": "denominator",
    "median": "denominator",
    "rate": "numerator",
    "count": "numerator",
    "sum": "numerator",
}


def suppression_count_for(statistic: str) -> SuppressionCount:
    """The count a figure of this kind rests on (``denominator`` for a kind not listed)."""
    return SUPPRESSION_COUNT_BY_STATISTIC.get(statistic, "denominator")


class NoData(Exception):
    """An indicator cannot be computed; the reason is shown to readers as "no data"."""


@dataclass(frozen=True)
class SchoolFunnel:
    """A funnel plot of schools at the latest census on or before the period end.

    Attributes:
        provision: The census ``sen_provision`` code whose share of pupils each school is
            plotted on (``K`` SEN support, ``E`` EHC plan).
        words: What is counted, as a reader says it (``pupils on SEN support``); used in
            the chart's title and axis.
    """

    provision: str
    words: str


@dataclass(frozen=True)
class BreakdownFunnel:
    """A funnel plot of the indicator's own figures, one point per value of its breakdown.

    Each school (provider, service) is a unit: its numerator and denominator are the
    indicator table's row for that breakdown value in the reporting quarter, so the
    funnel shows the very figures the table holds and the table's small-number
    suppression decides which units' figures may be shown.

    Attributes:
        column: The breakdown column (the table's ``breakdown`` is ``"<column>=<value>"``).
        words: What the rate counts, as a reader says it; used in the chart's title and
            axis.
        units: The units in the plural (``schools``), for the title and alt text.
        school_urns: The column holds school URNs: schools are named from the school
            census where it names them.
    """

    column: str
    words: str
    units: str
    school_urns: bool = False


@dataclass(frozen=True)
class IndicatorResults:
    """What a derived indicator is computed from: the other indicators' results.

    Attributes:
        table: The indicator table of the staged indicators computed in the same run
            (the engine's layout, :data:`sendready.indicators.engine.TABLE_COLUMNS`).
        indicator_ids: Those indicators, in the order requested (a profile's, normally).
        targets: The profile's target for each indicator that has one.
    """

    table: pd.DataFrame
    indicator_ids: tuple[str, ...]
    targets: Mapping[str, float]


@dataclass(frozen=True)
class IndicatorDefinition:
    """One catalogue indicator (ids from ``metadata.catalogue.INDICATOR_IDS``; they are stable).

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
        benchmark_key: The ``indicator_id`` under which published figures for this
            indicator are filed (the shipped benchmark table, the EES measure mappings of
            :mod:`sendready.comparators.mapping`, an area's ``benchmarks`` extract), when a
            published figure exists; None when none does.
        compute: ``(data, periods) -> frame`` with one row per period and columns
            ``numerator``, ``denominator`` and, for non-proportions, ``value``; optionally
            a ``breakdown`` column for rows split by service, school or provider. For a
            ``derived`` indicator, ``(results, periods) -> frame`` over
            :class:`IndicatorResults` instead, with ``value`` always given.
        notes: Definition choices a reader should know (caveats).
        trend_caveat: A caveat that undermines reading a trend in this indicator (how it
            is recorded can make it rise or fall with no change in practice), in a few
            words; "" when none. It is stated beside every verdict the indicator feeds,
            and keeps the indicator from counting towards a strong verdict
            (:mod:`sendready.evidence.verdicts`).
        derived: Computed from the other indicators' results rather than from staged
            tables (LEAD04 measures the suite's own coverage). The engine computes it
            after the others, and gives it no interval or small-number flag: it counts
            indicators, not cases.
        about_people: Whether the numerator and denominator count children (or their
            records, or respondents), so that a small count could point at someone and must
            be suppressed. False where the sources hold people but the count is of
            something else (schools outside funnel limits; the suite's own indicators).
            An indicator whose sources are not person-level is never suppressed whatever
            this says: a board meeting or a website search is not a child.
        chart: The chart the indicator's panel draws beside the control chart that every
            indicator with a monthly series gets: ``spc`` nothing more; ``funnel`` a
            funnel plot (``funnel`` says of what); ``waits`` days waited by service for
            children still waiting; ``survey`` answers by wave.
        funnel: The funnel to draw, for ``chart="funnel"`` (and only then): schools at the
            census (:class:`SchoolFunnel`), or the indicator's own figures by its
            breakdown (:class:`BreakdownFunnel`, proportions only).
        suppress_on: The count that decides secondary suppression (which cell is the
            smallest to hide beside a hidden one). None takes the default for the
            statistic (:func:`suppression_count_for`); set it only where the figure rests
            on another count than its kind suggests.
        columns: The columns of each source it reads, where they are known for certain
            (a declared indicator's conditions); None to find them in the compute
            function's code (:func:`sendready.indicators.catalogue_doc.columns_read`).
            The engine reads "no data: <column> not supplied" rather than a figure when
            a column the contract lets an area leave out is absent or wholly blank.
        declared: The YAML definition it was made from, for a declared indicator
            (:mod:`sendready.indicators.declared`); None for one written in Python.
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
    compute: (
        Callable[[StagedData, pd.DataFrame], pd.DataFrame]
        | Callable[[IndicatorResults, pd.DataFrame], pd.DataFrame]
    )
    grain: Grain = "month"
    benchmark_key: str | None = None
    notes: str = ""
    trend_caveat: str = ""
    derived: bool = False
    about_people: bool = True
    chart: ChartKind = "spc"
    funnel: SchoolFunnel | BreakdownFunnel | None = None
    suppress_on: SuppressionCount | None = None
    columns: Mapping[str, tuple[str, ...]] | None = None
    declared: object | None = None

    def __post_init__(self) -> None:
        if (self.chart == "funnel") != (self.funnel is not None):
            raise ValueError(
                f"indicator {self.id}: a funnel chart needs its SchoolFunnel or "
                "BreakdownFunnel, and only a funnel chart has one"
            )
        if isinstance(self.funnel, BreakdownFunnel) and self.statistic != "proportion":
            raise ValueError(
                f"indicator {self.id}: a funnel of its breakdown needs a proportion, not a "
                f"{self.statistic}"
            )
        if self.derived and self.grain != "month":
            raise ValueError(f"indicator {self.id}: a derived indicator has a monthly grain")

    @property
    def suppression_count(self) -> SuppressionCount:
        """The count a small-number rule weighs for this indicator's figures."""
        return self.suppress_on or suppression_count_for(self.statistic)


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
