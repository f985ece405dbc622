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
