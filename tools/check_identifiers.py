"""Refuse committed files that carry what looks like a real NHS number or UPN.

Both identifiers have check characters, so a match here is rarely chance: a ten-digit NHS
number whose Modulus 11 digit checks out, or a thirteen-character UPN whose check letter
does. NHS numbers starting 999 (the range set aside for testing) are allowed. Secrets
(keys, tokens, passwords) are detect-secrets' job; this covers people. The pre-commit hook
runs it on data files (CSV, JSON, YAML, text, notebooks); code and tests may quote the NHS
Data Dictionary's example number. Usage: ``check_identifiers.py FILE...``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# The project's own checks, from this work tree rather than whatever is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from sendready.metadata.identifiers import is_valid_nhs_number, is_valid_upn  # noqa: E402

_NHS = re.compile(r"(?<![0-9])[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}(?![0-9])")
_UPN = re.compile(r"(?<![0-9A-Za-z])[A-Z][0-9]{11}[0-9A-Z](?![0-9A-Za-z])")
_TEST_RANGE = "999"


def findings(text: str) -> list[tuple[int, str, str]]:
    """(line number, kind, value) for each plausible NHS number or UPN in ``text``."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _NHS.finditer(line):
            digits = re.sub(r"[ -]", "", match.group())
            if not digits.startswith(_TEST_RANGE) and is_valid_nhs_number(digits):
                found.append((number, "NHS number", match.group()))
        found += [
            (number, "UPN", m.group()) for m in _UPN.finditer(line) if is_valid_upn(m.group())
        ]
    return found


def main(argv: list[str] | None = None) -> int:
    failed = False
    for path in sys.argv[1:] if argv is None else argv:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # deleted or binary: nothing to read as text
        for number, kind, value in findings(text):
            print(f"{path}:{number}: looks like a real {kind}: {value}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
