"""The sample area's calendar and the shared machinery every generator uses.

Dates are held as numpy ``datetime64[D]`` so that hundreds of thousands of events can be
shifted, compared and censored without a Python loop. The key dates are Bury's
(docs/domain.md, Bury's 2017 inspection): inspection 12-16 June 2017, written statement
of action (WSoA) submitted 31 October 2017, re-visit 13-15 May 2019.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

D = np.datetime64


def day(text: str) -> np.datetime64:
    """An ISO date as a numpy day."""
    return np.datetime64(text, "D")


# Monthly activity is simulated over these three financial years.
START = day("2016-04-01")
END = day("2019-03-31")
# Extracts were taken a few days after the window closed (written to extract.json).
EXTRACT = day("2019-04-05")
INSPECTION_START = day("2017-06-12")
INSPECTION_END = day("2017-06-16")
WSOA_SUBMITTED = day("2017-10-31")
# The planted change: the WSoA was accepted late in 2017 and its actions began to bite
# from December, so every improving indicator steps up from this day.
CHANGE = day("2017-12-01")
# Effects ramp in over this many days rather than jumping overnight.
RAMP_DAYS = 60
REVISIT_START = day("2019-05-13")
REVISIT_END = day("2019-05-15")
# January school census days (the third Thursday of January).
CENSUS_DATES = (day("2016-01-21"), day("2017-01-19"), day("2018-01-18"), day("2019-01-17"))
CENSUS_YEARS = (2016, 2017, 2018, 2019)
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

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def n(self, base: float, minimum: int = 1) -> int:
        """A people-driven volume at this scale (``base`` is the Bury-sized count)."""
        return max(minimum, int(round(base * self.scale)))


def effect(days: np.ndarray) -> np.ndarray:
    """How far the planted change has taken hold on each day: 0 before, 1 once ramped."""
    since = (np.asarray(days, dtype="datetime64[D]") - CHANGE).astype(np.int64)
    return np.clip(since / RAMP_DAYS, 0.0, 1.0)


def blend(before: float, after: float, days: np.ndarray) -> np.ndarray:
    """A parameter that moves from ``before`` to ``after`` as the change takes hold."""
    return before + (after - before) * effect(days)


def drift(start_value: float, end_value: float, days: np.ndarray) -> np.ndarray:
    """A parameter that drifts steadily over the window (no step at the change)."""
    frac = (np.asarray(days, dtype="datetime64[D]") - START).astype(np.int64) / float(
        (END - START).astype(np.int64)
    )
    return start_value + (end_value - start_value) * np.clip(frac, 0.0, 1.0)


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
