"""Numbers and dates as a board member reads them: British style, one way everywhere.

Every sentence, table cell, chart label and alt text in a report formats its figures
through these functions, so "58.3%" in a chart and "58.3%" in the narrative can never
disagree by a rounding rule. Percentages round half up (58.25 -> 58.3) because that is
what readers expect and what a hand check gives; Python's ``round`` and ``format`` round
binary floats half to even and would show 58.2.

Missing values (``None``, ``NaN``, ``pd.NA``, ``NaT``) format as ``"no data"`` rather
than raising, because a gap in a series is a normal thing to report.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from sendready.core.dates import long_date

NO_DATA = "no data"


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _half_up(value: float, places: int) -> Decimal:
    # repr-based Decimal keeps the number as written (58.25 stays 58.25, not
    # 58.2499999...), so the half-up rule applies to the value the reader would see.
    quantum = Decimal(1).scaleb(-places)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def _grouped(number: Decimal, places: int) -> str:
    text = f"{number:,.{places}f}"
    # Decimal keeps the sign of a negative zero (-0.0); a reader should see 0.
    return text[1:] if text.startswith("-") and number == 0 else text


def format_number(value: object, places: int = 1) -> str:
    """A number with thousands separators and ``places`` decimals, rounded half up.

    Args:
        value: Any real number, or a missing value.
        places: Decimal places to show.

    Returns:
        e.g. ``"1,234.5"``; ``"no data"`` when missing.
    """
    if _is_missing(value) or math.isinf(float(value)):
        return NO_DATA
    return _grouped(_half_up(float(value), places), places)


def format_percent(value: object, places: int = 1) -> str:
    """A percentage already on the 0-100 scale, e.g. ``58.25 -> "58.3%"``.

    Indicator values with unit ``percent`` are stored as 0-100 (see
    ``sendready.indicators.engine``), so no scaling happens here.

    Args:
        value: The percentage (0-100 scale), or a missing value.
        places: Decimal places; one by default (reports give percentages to one place:
            CONTRIBUTING.md).

    Returns:
        e.g. ``"58.3%"``, ``"0.1%"`` for 0.05; ``"no data"`` when missing.
    """
    text = format_number(value, places)
    return text if text == NO_DATA else f"{text}%"


def format_count(value: object) -> str:
    """A whole number with thousands separators, e.g. ``1234 -> "1,234"``.

    Non-integers (rounded means, days) round half up to the nearest whole number.
    """
    return format_number(value, 0)


def format_date(value: object) -> str:
    """A date as ``"31 March 2019"``: day without a leading zero, month in full.

    Accepts ``datetime.date``, ``datetime.datetime``, ``pd.Timestamp`` or an ISO string.
    """
    if _is_missing(value):
        return NO_DATA
    return long_date(pd.Timestamp(value))


def format_month(value: object) -> str:
    """A month as ``"March 2019"`` (monthly series and chart axes)."""
    if _is_missing(value):
        return NO_DATA
    return pd.Timestamp(value).strftime("%B %Y")


def format_value(value: object, unit: str) -> str:
    """An indicator value in its unit: ``58.3%``, ``1,234``, ``38.5 days``, ``£1,234``.

    Args:
        value: The value (percentages on the 0-100 scale), or a missing value.
        unit: An indicator unit (``percent``, ``count``, ``days``, ``per_10000``,
            ``gbp``, ``ratio``); anything else formats as a plain number.

    Returns:
        The value as a reader sees it; ``"no data"`` when missing.
    """
    if _is_missing(value):
        return NO_DATA
    number = float(value)
    if unit == "percent":
        return format_percent(number)
    if unit == "days":
        whole = _half_up(number, 1) % 1 == 0
        return f"{format_count(number) if whole else format_number(number, 1)} days"
    if unit == "per_10000":
        return f"{format_number(number, 1)} per 10,000"
    if unit == "gbp":
        return f"£{format_count(number)}"
    if unit == "ratio":  # an over-dispersion phi: 1.0 is the reference, so always a decimal
        return format_number(number, 1)
    return format_count(number) if _half_up(number, 1) % 1 == 0 else format_number(number, 1)


def unit_label(unit: str) -> str:
    """Words for an axis label or table heading, e.g. ``"%"`` for ``percent``."""
    return {
        "percent": "%",
        "count": "number",
        "days": "days",
        "per_10000": "per 10,000",
        "gbp": "£",
    }.get(unit, unit)


__all__ = [
    "NO_DATA",
    "format_count",
    "format_date",
    "format_month",
    "format_number",
    "format_percent",
    "format_value",
    "unit_label",
]
