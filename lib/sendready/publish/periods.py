"""Which period ends a run may build: quarter ends, on or before the extract date.

A pack for "the quarter to 28 February" or for a quarter the extracts do not cover would
be built without complaint and read "all ok", every verdict "Changed", and would then
become the pack the next real quarter is compared with. So every period end is checked
before any work: it must be the last day of a calendar quarter (31 March, 30 June,
30 September or 31 December), not later than the date the extracts were taken, and not
in the future. A wrong one stops the run with one line saying what to give instead
(exit status 2).

Several quarters can be asked for at once, as repeated dates or as a range
``FIRST..LAST`` (every quarter end from the first to the last, both included).

Standard library only: the re-run path and the notebooks' parameter check use it before
anything heavy is imported.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence

from sendready.core.dates import iso_date, latest_quarter_end, long_date
from sendready.core.errors import SendreadyError

RANGE_SEPARATOR = ".."
QUARTER_END_WORDS = "31 March, 30 June, 30 September or 31 December"


def is_quarter_end(day: dt.date) -> bool:
    """Whether ``day`` is the last day of a calendar quarter."""
    return latest_quarter_end(day) == day


def previous_quarter_end(day: dt.date | str) -> dt.date:
    """The quarter end before the quarter that ``day`` falls in or ends."""
    return latest_quarter_end(iso_date(day) - dt.timedelta(days=1))


def quarter_ends_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every quarter end from ``first`` to ``last``, both included, earliest first."""
    ends = []
    day = latest_quarter_end(last)
    while day >= first:
        ends.append(day)
        day = previous_quarter_end(day)
    return ends[::-1]


def _parse_day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise SendreadyError(
            f"{option} {text.strip()!r} is not a date: give it as YYYY-MM-DD, e.g. 2019-03-31."
        ) from None


def parse_period_ends(values: Iterable[str], option: str = "--period-end") -> list[dt.date]:
    """Dates and ``FIRST..LAST`` ranges as a sorted list of distinct days.

    The ends of a range must themselves be quarter ends (a typing slip would otherwise
    silently drop a quarter); the days are checked against the extract date later, by
    :func:`check_period_ends`.

    Raises:
        SendreadyError: a value is not a date, a range is back to front, or a range end
            is not a quarter end.
    """
    days: set[dt.date] = set()
    for value in values:
        text = str(value).strip()
        if RANGE_SEPARATOR not in text:
            days.add(_parse_day(text, option))
            continue
        first_text, last_text = text.split(RANGE_SEPARATOR, 1)
        first, last = _parse_day(first_text, option), _parse_day(last_text, option)
        days.update(quarter_range(first, last, f"{option} {text}"))
    return sorted(days)


def quarter_range(first: dt.date, last: dt.date, what: str) -> list[dt.date]:
    """The quarter ends of a range whose ends are quarter ends, first not after last.

    Raises:
        SendreadyError: naming ``what`` (the option as typed) and what to give instead.
    """
    for day in (first, last):
        _require_quarter_end(day, what)
    if last < first:
        raise SendreadyError(
            f"{what}: the range ends ({last.isoformat()}) before it starts "
            f"({first.isoformat()}); give the earlier quarter end first."
        )
    return quarter_ends_between(first, last)


def _require_quarter_end(day: dt.date, what: str) -> None:
    if not is_quarter_end(day):
        before = latest_quarter_end(day)
        raise SendreadyError(
            f"{what}: {day.isoformat()} is not the last day of a quarter; give a quarter "
            f"end ({QUARTER_END_WORDS}), e.g. {before.isoformat()}."
        )


def check_period_end(
    day: dt.date | str,
    extract_date: dt.date | str | None,
    today: dt.date | None = None,
    what: str = "--period-end",
) -> dt.date:
    """``day`` as a date, if a pack may be built for it (see module docstring).

    Args:
        day: The period end asked for.
        extract_date: The date the extracts were taken; None when not known yet.
        today: Today's date (a test passes its own clock).
        what: How the user gave the period end, for the message.

    Raises:
        SendreadyError: (exit status 2) on one line, naming the date and what to give.
    """
    try:
        day = iso_date(day)
    except (TypeError, ValueError):
        raise SendreadyError(
            f"{what} {day!r} is not a date: give it as YYYY-MM-DD, e.g. 2019-03-31."
        ) from None
    _require_quarter_end(day, what)
    today = today or dt.date.today()
    if day > today:
        raise SendreadyError(
            f"{what}: {day.isoformat()} is in the future (today is {today.isoformat()}); "
            f"the latest quarter that has ended is {latest_quarter_end(today).isoformat()}."
        )
    if extract_date is not None:
        extract = iso_date(extract_date)
        if day > extract:
            raise SendreadyError(
                f"{what}: {day.isoformat()} is after the extracts were taken "
                f"({long_date(extract)}), so they cannot cover that quarter; the latest "
                f"quarter they cover ends on {latest_quarter_end(extract).isoformat()}."
            )
    return day


def check_period_ends(
    days: Iterable[dt.date | str],
    extract_date: dt.date | str | None,
    today: dt.date | None = None,
) -> list[dt.date]:
    """Every period end checked (:func:`check_period_end`), sorted and without repeats."""
    return sorted({check_period_end(d, extract_date, today) for d in days})


def max_jobs() -> int:
    """The most notebooks a run may execute at once on this machine: two per processor.

    Each worker holds a Jupyter kernel (a few hundred MB) and keeps a processor busy, so
    more workers than that only make every notebook wait longer.
    """
    return 2 * max(os.cpu_count() or 1, 1)


def check_jobs(jobs: int) -> int:
    """``jobs`` if it is a sensible number of workers (1 to :func:`max_jobs`).

    Raises:
        SendreadyError: (exit status 2) on one line, saying what range to use.
    """
    most = max_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= most:
        raise SendreadyError(
            f"--jobs {jobs} is not possible: give a whole number from 1 to {most} (two per "
            "processor on this machine); 2 is the default."
        )
    return jobs


def quarters_to_queue(sizes: Sequence[int], current: int, ahead: int) -> int:
    """How many quarters, from the first, should have their notebooks queued while a run
    of several quarters waits for quarter ``current`` (an index into ``sizes``).

    Quarters are finished in order, each as soon as its own notebooks are done; if the
    next quarter's notebooks were queued only then, one worker would sit idle while the
    last notebook of a quarter ran, and every worker while the main process wrote its
    index. So the quarters after ``current`` are queued until they hold at least
    ``ahead`` notebooks (or none are left): a quarter whose reports were mostly reused
    has few, and the one after it is queued too. No more than that, so that each quarter
    is queued in its longest-first order, taken from a quarter finished as recently as
    possible.

    Args:
        sizes: Notebooks each quarter runs, in the order the quarters are finished
            (0 for a quarter reused as it stands).
        current: The quarter the run is about to wait for.
        ahead: Notebooks to keep queued beyond it (a run uses two per worker).

    Returns:
        The number of quarters to have queued: at least ``current + 1``.
    """
    end = current + 1
    queued = 0
    while end < len(sizes) and queued < ahead:
        queued += sizes[end]
        end += 1
    return end
