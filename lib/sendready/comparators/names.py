"""Matching local authority names that different publications spell differently.

The statistical neighbour file says "Durham", "Bedford Borough" and "Kingston Upon Hull,
City of"; DfE's explore-education-statistics files say "County Durham", "Bedford" and
"Kingston upon Hull, City of". Comparing names exactly would silently drop those areas
from a neighbour average, so names are compared through a forgiving key instead.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_SUFFIXES = (", city of", ", county of")


def geography_key(name: str) -> str:
    """A comparison key for a place name: case, punctuation and styling removed.

    Drops the ", City of" / ", County of" suffixes, a leading "County " and a trailing
    " Borough", because publications add or omit them for the same authority. "City of
    London" keeps its words: only the comma-suffix form is styling.
    """
    key = name.strip().lower().replace("&", " and ")
    for suffix in _SUFFIXES:
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    key = re.sub(r"[^a-z0-9]+", " ", key).strip()
    key = re.sub(r"^county ", "", key)
    key = re.sub(r" borough$", "", key)
    return key


def match_name(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate that is ``name`` (exactly, else by :func:`geography_key`), or None.

    An ambiguous key (two candidates reducing to the same key) matches nothing, so a
    caller never picks one of two areas at random.
    """
    candidates = list(dict.fromkeys(candidates))
    if name in candidates:
        return name
    key = geography_key(name)
    hits = [c for c in candidates if geography_key(c) == key]
    return hits[0] if len(hits) == 1 else None


def close_names(name: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """Up to ``n`` candidates that look like ``name``, for "did you mean" hints."""
    candidates = list(dict.fromkeys(candidates))
    key = geography_key(name)
    # A partial name ("Kingston") is more often the start of the right one than a
    # near-spelling of another, so containment comes before similarity.
    found = [c for c in candidates if key and key in geography_key(c)]
    by_key = {geography_key(c): c for c in candidates}
    for close in difflib.get_close_matches(key, list(by_key), n=n, cutoff=0.6):
        if by_key[close] not in found:
            found.append(by_key[close])
    return found[:n]


def did_you_mean(names: list[str]) -> str:
    """A hint listing names, separated so that "Bristol, City of" stays one name."""
    return f"Did you mean {'; '.join(names)}?" if names else ""
