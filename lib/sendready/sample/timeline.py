"""The sample area's calendar and the shared machinery every generator uses.

Dates are held as numpy ``datetime64[D]`` so that hundreds of thousands of events can be
shifted, compared and censored without a Python loop. The sample covers a decade, April
2016 to March 2026, and the key dates are Bury's (docs/domain.md): the 2017 inspection
(12-16 June 2017), the written statement of action (WSoA, submitted 31 October 2017), the
re-visit (13-15 May 2019); then the 2024 inspection (12-16 February 2024), its priority
actions and the DfE/NHS England stocktakes (December 2024, July 2025). When indicators
change is the scenario's business (:mod:`sendready.sample.scenario`), not the calendar's.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sendready.sample.scenario import Scenario

D = np.datetime64


def day(text: str) -> np.datetime64:
    """An ISO date as a numpy day."""
    return np.datetime64(text, "D")


# Monthly activity is simulated over these ten financial years.
START = day("2016-04-01")
END = day("2026-03-31")
# Extracts were taken a few days after the window closed (written to extract.json).
EXTRACT = day("2026-04-03")
INSPECTION_START = day("2017-06-12")
INSPECTION_END = day("2017-06-16")
WSOA_SUBMITTED = day("2017-10-31")
# The WSoA was accepted late in 2017: its delivery group met from December.
WSOA_DELIVERY = day("2017-12-01")
REVISIT_START = day("2019-05-13")
REVISIT_END = day("2019-05-15")
INSPECTION_2024_START = day("2024-02-12")
INSPECTION_2024_END = day("2024-02-16")
# The priority action plan's own actions, from the summer after the report.
PRIORITY_PLAN = day("2024-07-01")
STOCKTAKES = (day("2024-12-10"), day("2025-07-08"))
# January school census days (the third Thursday of January).
CENSUS_YEARS = tuple(range(2016, 2027))


def _third_thursday(year: int) -> np.datetime64:
    first = np.datetime64(f"{year}-01-01", "D")
    weekday = int((first.astype(np.int64) + 3) % 7)  # Monday = 0
    return first + np.timedelta64((3 - weekday) % 7 + 14, "D")


CENSUS_DATES = tuple(_third_thursday(y) for y in CENSUS_YEARS)
LA_CODE = "351"  # Bury's DfE local authority code (docs/domain.md)


@dataclass(frozen=True)
class Context:
    """What every generator needs: the seed, the scale and named random streams.

    Each generator draws from its own stream (seeded from the run's seed and the
    stream's name), so changing how one source is generated never shifts the random
    numbers of another, and the same seed always gives the same files.
    """

    seed: int
    scale: float
    scenario: Scenario

    def value(self, indicator: str, days: np.ndarray | np.datetime64) -> np.ndarray:
        """The scenario's generating parameter for ``indicator`` on each day."""
        return self.scenario.value(indicator, days)

    def at(self, indicator: str, day: np.datetime64 | str) -> float:
        """The scenario's generating parameter for ``indicator`` on one day."""
        return self.scenario.at(indicator, day)

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def n(self, base: float, minimum: int = 1) -> int:
        """A people-driven volume at this scale (``base`` is the Bury-sized count)."""
        return max(minimum, int(round(base * self.scale)))


def uniform_days(
    rng: np.random.Generator,
    lo: np.datetime64 | np.ndarray,
    hi: np.datetime64 | np.ndarray,
    size: int | None = None,
) -> np.ndarray:
    """Days drawn uniformly between ``lo`` and ``hi`` inclusive (either may be arrays)."""
    lo = np.asarray(lo, dtype="datetime64[D]")
    hi = np.asarray(hi, dtype="datetime64[D]")
    span = (hi - lo).astype(np.int64)
    if size is None:
        size = int(np.broadcast(lo, hi).size)
    offset = np.floor(rng.random(size) * (np.maximum(span, 0) + 1)).astype(np.int64)
    return lo + offset.astype("timedelta64[D]")


def add_days(dates: np.ndarray, days: np.ndarray | int) -> np.ndarray:
    """Dates shifted by whole days (``days`` rounded to the nearest whole day)."""
    shift = np.rint(np.asarray(days, dtype=float)).astype(np.int64).astype("timedelta64[D]")
    return np.asarray(dates, dtype="datetime64[D]") + shift


def lognormal_days(
    rng: np.random.Generator, median: np.ndarray | float, sigma: float, size: int
) -> np.ndarray:
    """Durations in days with the given median: waits and turnaround times are skewed."""
    return np.maximum(1.0, np.asarray(median) * np.exp(sigma * rng.standard_normal(size)))


def month_starts(first: np.datetime64 = START, last: np.datetime64 = END) -> np.ndarray:
    """First day of each month from ``first`` to ``last``."""
    return np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1).astype(
        "datetime64[D]"
    )


def academic_year(dates: np.ndarray) -> np.ndarray:
    """Year in which each date's academic year began (September to August)."""
    months = np.asarray(dates, dtype="datetime64[M]")
    years = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month_no = (months - months.astype("datetime64[Y]")).astype(np.int64) + 1
    return np.where(month_no >= 9, years, years - 1)


def censor(dates: np.ndarray, limit: np.datetime64 = END) -> np.ndarray:
    """Events after the window have not happened yet at extract time: blank them."""
    out = np.asarray(dates, dtype="datetime64[D]").copy()
    out[out > limit] = np.datetime64("NaT", "D")
    return out


def frame(columns: dict[str, object]) -> pd.DataFrame:
    """A frame that keeps text as plain Python objects.

    pandas 3 would convert every text column to its Arrow-backed ``str`` dtype and back
    again each time the generators read it, which for a county-sized sample costs more
    than generating the data. Scalars are repeated to the length of the array columns.
    """
    arrays = {k: np.asarray(v) for k, v in columns.items()}
    n = max((a.shape[0] for a in arrays.values() if a.ndim), default=1)
    out = {}
    for name, values in arrays.items():
        if values.ndim == 0:
            values = np.full(
                n, values.item(), dtype=object if values.dtype.kind in "OUS" else values.dtype
            )
        if values.dtype.kind in "OUS":
            out[name] = pd.Series(values, dtype=object)
        else:
            out[name] = pd.Series(values)
    return pd.DataFrame(out)
