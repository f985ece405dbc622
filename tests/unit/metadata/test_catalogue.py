"""The catalogue's id list must be exactly the ids INDICATORS.md defines, in its order."""

from __future__ import annotations

import re

import pytest

from helpers.shared_paths import SHARED_ROOT
from sendready.metadata.catalogue import INDICATOR_IDS

INDICATORS_MD = SHARED_ROOT / "INDICATORS.md"


def test_indicator_ids_are_the_catalogue_tables():
    if not INDICATORS_MD.is_file():
        pytest.skip(f"{INDICATORS_MD} is absent: the shared project documents are not here")
    text = INDICATORS_MD.read_text(encoding="utf-8")
    parsed = re.findall(r"^\| ([A-Z]+[0-9]{2}) \|", text, flags=re.M)
    assert len(parsed) == 49
    assert INDICATOR_IDS == tuple(parsed)


def test_indicator_ids_are_unique_and_well_formed():
    assert len(set(INDICATOR_IDS)) == len(INDICATOR_IDS)
    assert all(re.fullmatch(r"[A-Z]{2,4}[0-9]{2}", i) for i in INDICATOR_IDS)
