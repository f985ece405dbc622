"""Published benchmarks: England, region and statistical-neighbour comparators.

* :mod:`~sendready.comparators.ees` reads any DfE explore-education-statistics tidy CSV
  into a long frame, keeping suppression and other symbols beside the numbers.
* :mod:`~sendready.comparators.mapping` says which published measures are catalogue
  indicators (and how closely their definitions agree).
* :mod:`~sendready.comparators.neighbours` reads DfE's statistical neighbour list.
* :mod:`~sendready.comparators.compare` lines an area up against England, its region and
  its neighbours.
* :mod:`~sendready.comparators.release` knows every file of DfE's "Education, health and
  care plans" release, reports what is used of each, and ships and refreshes a trimmed copy.
* :mod:`~sendready.comparators.online` refreshes that copy from explore-education-statistics
  itself: downloads the release's ZIP, checks it, then refreshes as from a folder.
* :mod:`~sendready.comparators.authorities` finds any of the 153 authorities by code or
  name and builds its series beside England, its region and its neighbours, with ranks.
* :mod:`~sendready.comparators.published` loads the figures shipped with the suite and
  merges them with an area's own downloads into the ``benchmarks`` contract's shape.
"""

from sendready.comparators.authorities import (
    Authority,
    IndicatorIndex,
    area_series,
    authority_table,
    find_authority,
    neighbours_of,
    ranks,
)
from sendready.comparators.compare import benchmarks_for
from sendready.comparators.ees import SYMBOLS, read_ees_csv
from sendready.comparators.mapping import MAPPINGS, MeasureMapping, indicator_values, mappings_for
from sendready.comparators.neighbours import read_statistical_neighbours, statistical_neighbours
from sendready.comparators.published import (
    CONTEXT_IDS,
    PUBLISHED_COLUMNS,
    combine_benchmarks,
    ees_benchmarks,
    load_published_benchmarks,
    published_benchmarks_path,
    to_benchmarks_contract,
)
from sendready.comparators.release import (
    coverage,
    coverage_markdown,
    load_shipped_values,
    read_release,
    refresh_release,
)

__all__ = [
    "CONTEXT_IDS",
    "Authority",
    "IndicatorIndex",
    "area_series",
    "authority_table",
    "coverage",
    "coverage_markdown",
    "find_authority",
    "load_shipped_values",
    "neighbours_of",
    "ranks",
    "read_release",
    "refresh_release",
    "MAPPINGS",
    "PUBLISHED_COLUMNS",
    "SYMBOLS",
    "MeasureMapping",
    "benchmarks_for",
    "combine_benchmarks",
    "ees_benchmarks",
    "indicator_values",
    "load_published_benchmarks",
    "mappings_for",
    "published_benchmarks_path",
    "read_ees_csv",
    "read_statistical_neighbours",
    "statistical_neighbours",
    "to_benchmarks_contract",
]
