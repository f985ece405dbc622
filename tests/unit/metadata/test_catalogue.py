"""The catalogue's id list agrees with the indicator registry and the generated catalogue."""

from __future__ import annotations

import re

from helpers import REPO_ROOT
from sendready.indicators import REGISTRY
from sendready.metadata.catalogue import INDICATOR_IDS

CATALOGUE_MD = REPO_ROOT / "docs" / "indicators.md"


def test_registry_defines_only_catalogue_ids():
    assert set(REGISTRY) <= set(INDICATOR_IDS), set(REGISTRY) - set(INDICATOR_IDS)


def test_every_catalogue_id_is_registered():
    # LEAD04 too: it is derived from the other indicators, but registered like them.
    assert set(INDICATOR_IDS) == set(REGISTRY)


def test_every_catalogue_id_appears_in_docs_indicators_md():
    text = CATALOGUE_MD.read_text(encoding="utf-8")
    headings = re.findall(r"^### ([A-Z]+[0-9]{2})\b", text, flags=re.M)
    assert len(headings) == len(set(headings)), "an id has two sections"
    assert set(headings) == set(INDICATOR_IDS)


def test_indicator_ids_are_unique_and_well_formed():
    assert len(set(INDICATOR_IDS)) == len(INDICATOR_IDS)
    assert all(re.fullmatch(r"[A-Z]{2,4}[0-9]{2}", i) for i in INDICATOR_IDS)
