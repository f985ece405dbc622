"""The catalogue's id list agrees with the indicator registry and the generated catalogue."""

from __future__ import annotations

import re

from helpers import REPO_ROOT
from sendready.indicators import REGISTRY
from sendready.indicators.catalogue_doc import OUTSIDE_REGISTRY
from sendready.metadata.catalogue import INDICATOR_IDS

CATALOGUE_MD = REPO_ROOT / "docs" / "indicators.md"


def test_registry_defines_only_catalogue_ids():
    assert set(REGISTRY) <= set(INDICATOR_IDS), set(REGISTRY) - set(INDICATOR_IDS)


def test_every_catalogue_id_is_registered_or_computed_elsewhere():
    # LEAD04 is computed by the evidence stage from the other indicators.
    assert set(INDICATOR_IDS) == set(REGISTRY) | set(OUTSIDE_REGISTRY)
    assert not set(OUTSIDE_REGISTRY) & set(REGISTRY)


def test_every_catalogue_id_appears_in_docs_indicators_md():
    text = CATALOGUE_MD.read_text(encoding="utf-8")
    headings = re.findall(r"^### ([A-Z]+[0-9]{2})\b", text, flags=re.M)
    assert len(headings) == len(set(headings)), "an id has two sections"
    assert set(headings) == set(INDICATOR_IDS)


def test_indicator_ids_are_unique_and_well_formed():
    assert len(set(INDICATOR_IDS)) == len(INDICATOR_IDS)
    assert all(re.fullmatch(r"[A-Z]{2,4}[0-9]{2}", i) for i in INDICATOR_IDS)
