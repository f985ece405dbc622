"""Evidence building: the registry, quarter ends and indicator definitions.

The backtest on the whole sample area (verdicts against the 2019 re-visit) is in
``tests/integration/test_backtest_2019.py``.
"""

from __future__ import annotations

import re

import pytest

from sendready.core.dates import latest_quarter_end
from sendready.indicators import REGISTRY


def test_registry_covers_the_catalogue():
    from sendready.metadata.catalogue import INDICATOR_IDS

    # LEAD04 too: it measures the suite itself, and is registered as a derived indicator
    # computed from the other indicators' results.
    assert set(INDICATOR_IDS) == set(REGISTRY)
    assert REGISTRY["LEAD04"].derived


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2019-04-05", "2019-03-31"),
        ("2019-03-31", "2019-03-31"),
        ("2019-03-30", "2018-12-31"),
        ("2024-01-01", "2023-12-31"),
    ],
)
def test_latest_quarter_end(day, expected):
    import datetime as dt

    assert latest_quarter_end(dt.date.fromisoformat(day)).isoformat() == expected


def test_every_indicator_is_defined_in_words_a_reader_can_follow():
    # Definitions reach analysts' tables and the data dictionary: no column names
    # (snake_case) or placeholder notation such as "need=<code>".
    code_like = re.compile(r"[<>=]|\b[a-z0-9]+_[a-z0-9_]+\b")
    for definition in REGISTRY.values():
        for field in ("title", "numerator", "denominator", "notes"):
            text = getattr(definition, field) or ""
            assert not code_like.findall(text), (definition.id, field, text)
