"""Identifiers that pass the real checks, made in bulk.

The privacy tests need something to find, so the sample carries UPNs with their DfE
check letter, NHS numbers with a valid modulus 11 check digit and Bury-like postcodes.
The check calculations are those of :mod:`sendready.metadata.identifiers`, vectorised so that a
county-sized sample (hundreds of thousands of children) is made in a fraction of a second.
"""

from __future__ import annotations

import numpy as np

from sendready.metadata.identifiers import UPN_CHECK_LETTERS
from sendready.sample.names import POSTCODE_SECTORS, POSTCODE_UNIT_LETTERS


def person_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct pseudonymous ids ``P`` + 7 digits, in random order."""
    numbers = rng.choice(9_000_000, size=n, replace=False) + 1_000_000
    return np.char.add("P", numbers.astype("U7")).astype(object)


def nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct valid NHS numbers (10 digits, modulus 11), in the 4xx range England uses."""
    found: np.ndarray = np.empty(0, dtype=np.int64)
    while found.size < n:
        first_nine = rng.integers(400_000_000, 500_000_000, size=int(n * 1.3) + 16)
        digits = (first_nine[:, None] // 10 ** np.arange(8, -1, -1)) % 10
        total = digits @ np.arange(10, 1, -1)
        check = 11 - total % 11
        check[check == 11] = 0
        ok = check != 10  # no valid number starts with these nine digits
        candidates = first_nine[ok] * 10 + check[ok]
        found = np.concatenate([found, candidates])
        _, first = np.unique(found, return_index=True)
        found = found[np.sort(first)]
    return found[:n].astype("U10").astype(object)


def upns(la_codes: np.ndarray, estabs: np.ndarray, years: np.ndarray) -> np.ndarray:
    """UPNs for children first registered at a school: check letter, LA, estab, year, serial.

    The serial counts children registered at the same school in the same year, so every
    UPN is distinct.
    """
    la_codes = np.asarray(la_codes, dtype=np.int64)
    estabs = np.asarray(estabs, dtype=np.int64)
    years = np.asarray(years, dtype=np.int64) % 100
    group = (la_codes * 10_000 + estabs) * 100 + years
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_group)) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, sorted_group.size]))
    serial = np.empty_like(group)
    serial[order] = np.arange(sorted_group.size) - run_start + 1
    if serial.size and serial.max() > 999:
        raise ValueError("more than 999 children registered at one school in one year")
    body = group * 1000 + serial  # 12 digits: LA codes are 3-digit numbers from 201
    digits = (body[:, None] // 10 ** np.arange(11, -1, -1)) % 10
    checks = (digits @ np.arange(2, 14)) % 23
    letters = np.array(list(UPN_CHECK_LETTERS))[checks]
    return np.char.add(letters, body.astype("U12")).astype(object)


def postcodes(rng: np.random.Generator, n: int, households: int) -> np.ndarray:
    """Postcodes drawn from a pool of ``households`` units, so neighbours share them."""
    sectors = np.array(POSTCODE_SECTORS)
    letters = np.array(list(POSTCODE_UNIT_LETTERS))
    pool = np.char.add(
        np.char.add(
            sectors[rng.integers(0, sectors.size, households)],
            letters[rng.integers(0, letters.size, households)],
        ),
        letters[rng.integers(0, letters.size, households)],
    )
    pool = np.unique(pool)
    return pool[rng.integers(0, pool.size, n)].astype(object)
