"""Checks for the identifier formats real extracts carry.

Used by validation (to quarantine malformed identifiers) and by the sample generator (to
make identifiers that look real, so privacy tests have something to find).
"""

from __future__ import annotations

import re

# DfE UPN specification: the check letter is chosen from these 23 letters (no I, O, S).
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_BODY = re.compile(r"^[0-9]{11}[0-9A-Z]$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
_URN = re.compile(r"^[0-9]{6}$")
_PERSON_ID = re.compile(r"^P[0-9]{7}$")
_WEAKNESS_ID = re.compile(r"^[A-Z][0-9]{1,2}$")
# Spaces (of any kind) and hyphens or dashes that people and systems put inside UPNs and
# NHS numbers to make them readable ("943 476 5919", "A351-0000-0000-1"): not part of the
# identifier, so removed before it is checked, staged and linked.
SEPARATORS = r"[\s\-\u2010-\u2015]"
NORMALISED_FORMATS = ("upn", "nhs_number")


def normalise_identifier(fmt: str | None, value: str) -> str:
    """An identifier as it is checked and staged: for UPNs and NHS numbers, without
    spaces or hyphens, and a UPN in capitals; any other identifier as given."""
    if fmt not in NORMALISED_FORMATS:
        return value
    value = re.sub(SEPARATORS, "", value)
    return value.upper() if fmt == "upn" else value


def upn_check_letter(body: str) -> str:
    """Check letter for the 12 characters after it (LA code, school, year, serial).

    Each character is weighted by its position (2 to 13); the sum modulo 23 picks the
    letter. A letter in the last position (a temporary UPN) counts by its place in the
    check-letter alphabet.
    """
    total = 0
    for weight, ch in enumerate(body, start=2):
        value = int(ch) if ch.isdigit() else UPN_CHECK_LETTERS.index(ch)
        total += weight * value
    return UPN_CHECK_LETTERS[total % 23]


def is_valid_upn(upn: str) -> bool:
    if len(upn) != 13 or upn[0] not in UPN_CHECK_LETTERS or not _UPN_BODY.match(upn[1:]):
        return False
    if upn[-1].isalpha() and upn[-1] not in UPN_CHECK_LETTERS:
        return False
    return upn_check_letter(upn[1:]) == upn[0]


def upn_problem(upn: str) -> str | None:
    """Which check a (normalised) UPN fails, in words; ``None`` if it is valid."""
    if len(upn) != 13:
        return f"has {len(upn)} characters, not the 13 of a UPN"
    if upn[0] not in UPN_CHECK_LETTERS:
        return (
            f"starts with {upn[0]!r}, which is not a check letter (one of "
            f"{UPN_CHECK_LETTERS}: no I, O or S)"
        )
    if not upn[1:12].isdigit():
        return "has something other than digits in characters 2 to 12"
    if not (upn[12].isdigit() or upn[12] in UPN_CHECK_LETTERS):
        return "ends in a character that is neither a digit nor a temporary-UPN letter"
    expected = upn_check_letter(upn[1:])
    if expected != upn[0]:
        return (
            f"fails the check letter: the first character is {upn[0]}, but the other 12 "
            f"give {expected} (a mistyped or transposed character)"
        )
    return None


def nhs_number_problem(value: str) -> str | None:
    """Which check a (normalised) NHS number fails, in words; ``None`` if it is valid."""
    if not value.isdigit():
        return "holds characters other than digits"
    if len(value) != 10:
        return f"has {len(value)} digits, not the 10 of an NHS number"
    check = nhs_check_digit(value[:9])
    if check is None:
        return (
            "fails the Modulus 11 check: no valid NHS number starts with these nine digits "
            "(a mistyped digit)"
        )
    if check != int(value[9]):
        return (
            f"fails the Modulus 11 check digit: the last digit is {value[9]}, but the first "
            f"nine digits give {check} (a mistyped or transposed digit)"
        )
    return None


IDENTIFIER_PROBLEMS = {"upn": upn_problem, "nhs_number": nhs_number_problem}


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus 11 check digit for the first nine digits; ``None`` where none is possible."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None  # no valid NHS number starts with these nine digits
    return check


def is_valid_nhs_number(value: str) -> bool:
    digits = value.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


def is_valid_postcode(value: str) -> bool:
    return bool(_POSTCODE.match(value.upper().strip()))


def is_valid_urn(value: str) -> bool:
    return bool(_URN.match(value))


def is_valid_person_id(value: str) -> bool:
    return bool(_PERSON_ID.match(value))


def is_valid_weakness_id(value: str) -> bool:
    return bool(_WEAKNESS_ID.match(value))


FORMAT_CHECKS = {
    "upn": is_valid_upn,
    "nhs_number": is_valid_nhs_number,
    "postcode": is_valid_postcode,
    "urn": is_valid_urn,
    "person_id": is_valid_person_id,
    "weakness_id": is_valid_weakness_id,
}
