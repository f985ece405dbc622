"""Published benchmarks: England, region and statistical-neighbour comparators.

* :mod:`~sendready.benchmarks.ees` reads any DfE explore-education-statistics tidy CSV
  into a long frame, keeping suppression and other symbols beside the numbers.
* :mod:`~sendready.benchmarks.mapping` says which published measures are catalogue
  indicators (and how closely their definitions agree).
* :mod:`~sendready.benchmarks.neighbours` reads DfE's statistical neighbour list.
* :mod:`~sendready.benchmarks.compare` lines an area up against England, its region and
  its neighbours.
* :mod:`~sendready.benchmarks.published` loads the figures shipped with the suite and
  merges them with an area's own downloads into the ``benchmarks`` contract's shape.
"""

from sendready.benchmarks.compare import benchmarks_for
from sendready.benchmarks.ees import SYMBOLS, read_ees_csv
from sendready.benchmarks.mapping import MAPPINGS, MeasureMapping, indicator_values, mappings_for
from sendready.benchmarks.neighbours import read_statistical_neighbours, statistical_neighbours
from sendready.benchmarks.published import (
    CONTEXT_IDS,
    PUBLISHED_COLUMNS,
    combine_benchmarks,
    ees_benchmarks,
    load_published_benchmarks,
    published_benchmarks_path,
    to_benchmarks_contract,
)

__all__ = [
    "CONTEXT_IDS",
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
