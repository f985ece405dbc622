"""Apply a source contract to a frame of text: parse, check, and split valid from quarantined.

Everything here is driven by :mod:`sendready.metadata.contracts`; there is no code for any one
source. Validation runs in three passes so that each fault is reported once, under the
rule that explains it:

1. **Parse** each column by its kind (dates, numbers, yes/no), vectorised over the
   distinct values. A value that does not parse is recorded (``bad_date`` ...) and
   becomes missing in the parsed frame; so does a real date outside the years the suite
   accepts (``date_out_of_range``) and a cell too long for any spreadsheet
   (``value_too_long``).
2. **Column checks**, each a mask over a whole column (so every failure is collected):
   blanks where a value is needed, codes, identifier formats, ranges, dates after the
   extract date.
3. **Cross-field rules**, judged only where every column a rule relates passed its own
   checks: a rule comparing a decision date with a received date says nothing useful
   when the decision date is not a date.

Then, among rows that passed everything, a repeated key is quarantined (the first row
with the key is kept). A row with any failure is quarantined whole, with one line per
failure; the rest are returned with the staged dtypes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sendready.metadata import identifiers
from sendready.metadata.contracts import (
    PLACEHOLDERS,
    Column,
    Contract,
    DateOrder,
    NotGreater,
    OnlyWhen,
    RequiredWhen,
    Rule,
)
from sendready.metadata.identifiers import (
    FORMAT_CHECKS,
    IDENTIFIER_PROBLEMS,
    SEPARATORS,
    UPN_CHECK_LETTERS,
)

# Rule names shared with the sample generator's planted_faults.csv and listed for users
# in data/README.md ("What happens to rows that fail a check").
MISSING_VALUE = "missing_value"
BAD_DATE = "bad_date"
BAD_NUMBER = "bad_number"
BAD_BOOL = "bad_bool"
UNKNOWN_CODE = "unknown_code"
BAD_FORMAT = "bad_format"
OUT_OF_RANGE = "out_of_range"
DATE_AFTER_EXTRACT = "date_after_extract"
DUPLICATE_KEY = "duplicate_key"
# Added beside the agreed names: a real calendar date in an implausible year, and a cell
# longer than a spreadsheet can hold. Neither can come from a sound extract.
DATE_OUT_OF_RANGE = "date_out_of_range"
VALUE_TOO_LONG = "value_too_long"

STAGED_DTYPES = {
    "id": "string",
    "text": "string",
    "code": "string",
    "date": "datetime64[ms]",
    "int": "Int64",
    "number": "Float64",
    "bool": "boolean",
}
FAILURE_COLUMNS = ["row_number", "column", "rule", "value", "reason"]

# Dates outside these years are typing errors (0219 for 2019, 2919 for 2019) or
# placeholders (1066-01-01, 2999-12-31), not service events; every column the suite reads
# (dates of birth of children and young people included) falls well inside them.
EARLIEST_DATE = pd.Timestamp("1900-01-01")
LATEST_DATE = pd.Timestamp("2099-12-31")
# Excel holds at most 32,767 characters in one cell (Microsoft, "Excel specifications and
# limits"). No field of any contract comes near it; a longer value is a broken export
# (a stray quote mark that swallowed the rows after it) or pasted content, and staging it
# would carry megabytes of text towards the reports.
MAX_CELL_CHARACTERS = 32_767
# Excel counts days from 30 December 1899 (for serials after February 1900). Only serials
# for 1950-2099 are read as dates: a smaller five-digit number in a date column is more
# likely a mistyped value than a date.
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
SERIAL_RANGE = (18264, 73050)

_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
# An optional time after the date is accepted and dropped: exports of date-time fields
# (and Excel cells holding a time) write one, and the contract needs only the day.
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = rf"(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){_TIME}"
_UK_DATE = rf"(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/(?P<y>\d{{4}}){_TIME}"
_US_DATE = rf"(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<y>\d{{4}}){_TIME}"
_SLASH_DATE = rf"^(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/\d{{4}}{_TIME}$"
_SERIAL = r"\d{5}(?:\.\d+)?"
_WHOLE = r"[+-]?\d{1,15}(?:\.0*)?"
_THOUSANDS = r"(?<=\d),(?=\d{3}(?:\D|$))"
_NOT_ALNUM = r"[^0-9A-Za-z]"

FORMAT_LABELS = {
    "upn": "UPN (13 characters with a correct check letter)",
    "nhs_number": "NHS number (10 digits with a correct check digit)",
    "postcode": "UK postcode",
    "urn": "school URN (6 digits)",
    "person_id": "person id (P and 7 digits)",
    "weakness_id": "weakness id (a letter and a number, e.g. W1)",
}


@dataclass(frozen=True)
class Validation:
    """The outcome of applying a contract.

    Attributes:
        valid: Rows that passed every check, typed (see ``STAGED_DTYPES``), with the
            original row number as ``source_row``.
        failures: One line per (row, failure): ``row_number, column, rule, value,
            reason``, ordered by row.
        rows_read: Rows given to the validator.
        placeholders: Cells blanked per column because they held a placeholder word
            (``contracts.PLACEHOLDERS``) in an optional date or code column.
        key_conflicts: Later rows that repeat a kept row's key, and how many of them
            disagree with it (per column): see :func:`_duplicate_keys`.
        identifier_conflicts: Per UPN or NHS number column, values that the staged rows
            give to more than one person id: see :func:`shared_identifiers`.
    """

    valid: pd.DataFrame
    failures: pd.DataFrame
    rows_read: int
    placeholders: dict[str, int] = field(default_factory=dict)
    key_conflicts: dict = field(default_factory=dict)
    identifier_conflicts: dict = field(default_factory=dict)

    @property
    def rows_quarantined(self) -> int:
        return int(self.failures["row_number"].nunique())

    @property
    def reasons(self) -> dict[str, int]:
        """Rows quarantined per rule, most frequent first (a row may count under several)."""
        counts = self.failures.drop_duplicates(["row_number", "rule"])["rule"].value_counts()
        return {str(k): int(v) for k, v in counts.items()}


@dataclass(frozen=True)
class DateOrderEvidence:
    """Slash dates that can be read only one way: ``13/04/2019`` only day first,
    ``04/13/2019`` only month first. Examples are (row number, column, value) in file
    order; counts are of cells."""

    day_first: list[tuple[int, str, str]] = field(default_factory=list)
    month_first: list[tuple[int, str, str]] = field(default_factory=list)
    day_first_count: int = 0
    month_first_count: int = 0


def date_order_evidence(
    frame: pd.DataFrame, contract: Contract, examples: int = 3
) -> DateOrderEvidence:
    """What a file's own dates show about the order it writes day and month in.

    A value whose first part is 13 to 31 (and second part 1 to 12) proves day first; the
    other way round proves month first. Values such as 05/04/2019 prove nothing, and ISO
    dates and Excel dates carry no such doubt. Each column's distinct values are examined
    once.
    """
    found: dict[str, list] = {"day": [], "month": []}
    counts = {"day": 0, "month": 0}
    for col in contract.columns:
        if col.kind != "date" or col.name not in frame:
            continue
        codes, uniques = pd.factorize(frame[col.name])
        distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
        parts = distinct.str.extract(_SLASH_DATE)
        a = pd.to_numeric(parts["a"], errors="coerce")
        b = pd.to_numeric(parts["b"], errors="coerce")
        proofs = {
            "day": (a.between(13, 31) & b.between(1, 12)).to_numpy(),
            "month": (b.between(13, 31) & a.between(1, 12)).to_numpy(),
        }
        for order, proof in proofs.items():
            rows = np.flatnonzero(proof[codes]) if proof.any() else np.empty(0, dtype=int)
            counts[order] += len(rows)
            found[order] += [
                (int(frame.index[i]), col.name, str(frame[col.name].iloc[i]))
                for i in rows[:examples]
            ]
    # By row, and within a row in the order of the contract's columns (sorted is stable).
    day, month = (sorted(found[o], key=lambda e: e[0])[:examples] for o in ("day", "month"))
    return DateOrderEvidence(day, month, counts["day"], counts["month"])


def validate(
    frame: pd.DataFrame,
    contract: Contract,
    extract_date: dt.date,
    absent: Collection[str] = (),
    day_first: bool = True,
) -> Validation:
    """Apply ``contract`` to a frame of text.

    Args:
        frame: One text column per contract column (blank = ``""``), indexed by original
            row number.
        contract: The source contract.
        extract_date: Dates after it are faults, except in ``future_allowed`` columns.
        absent: Optional columns the file did not have (all blank in ``frame``): they are
            not checked for blanks, and rules that involve them are skipped because the
            area cannot be held to a relationship it does not record.
        day_first: Read ``dd/mm/yyyy`` (the default) or, if ``False``, ``mm/dd/yyyy``;
            see :func:`date_order_evidence` for how the order is decided.
    """
    frame = frame[contract.column_names]
    absent = set(absent)
    # The quarantine file shows cells as the file held them, placeholder words included.
    blanked, placeholders = blank_placeholders(frame, contract)
    parsed, parse_failures = _parse(blanked, contract, day_first)
    column_failures = _column_checks(parsed, contract, extract_date, absent)
    failures = _combine(parse_failures, column_failures)
    bad_cells = _bad_cells(failures, parsed)
    rule_failures = _rule_checks(parsed, contract, bad_cells, absent)
    failures = pd.concat([failures, rule_failures], ignore_index=True)
    failed_rows = pd.Index(failures["row_number"].unique())
    duplicates, repeats, key_conflicts = _duplicate_keys(parsed, contract, failed_rows)
    failures = pd.concat([failures, duplicates], ignore_index=True)
    failures = _describe(failures, frame, contract, extract_date, day_first, repeats)
    valid = parsed.loc[~parsed.index.isin(failures["row_number"])]
    identifier_conflicts = shared_identifiers(valid, contract)
    valid = valid.assign(source_row=pd.array(valid.index, dtype="Int64")).reset_index(drop=True)
    return Validation(
        valid=valid,
        failures=failures,
        rows_read=len(frame),
        placeholders=placeholders,
        key_conflicts=key_conflicts,
        identifier_conflicts=identifier_conflicts,
    )


# --- pass 1: parsing ---------------------------------------------------------------------


def blank_placeholders(frame: pd.DataFrame, contract: Contract) -> tuple[pd.DataFrame, dict]:
    """Read 'N/A', 'TBC', 'unknown' and the like as blank in optional date and code columns.

    Such a word in a field that may be blank says the value is not known, which is what a
    blank says; quarantining the row for it would drop everything else the row records.
    Each blanked cell is counted per column, for the data-quality report. A column that
    must be filled in is left alone, so the word is still reported there as a fault.

    Returns:
        The frame with those cells blank (the quarantine file still shows the word), and
        the cells blanked per column (only columns with any).
    """
    counts: dict[str, int] = {}
    changed = {}
    for col in contract.columns:
        if col.kind not in ("date", "code") or not col.nullable or col.name not in frame:
            continue
        text = frame[col.name]
        mask = distinct_mask(text, lambda v, col=col: _placeholder(v, col.codes))
        if mask.any():
            counts[col.name] = int(mask.sum())
            changed[col.name] = text.where(~mask, "")
    if not changed:
        return frame, counts
    return frame.assign(**changed), counts


def _placeholder(values: pd.Series, codes: tuple[str, ...]) -> pd.Series:
    trimmed = values.str.strip()
    return trimmed.str.casefold().isin(PLACEHOLDERS) & ~trimmed.isin(codes)


def distinct_mask(values: pd.Series, test: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """``test`` applied to each distinct value once and spread back over the rows.

    A column of a million rows holds a few thousand distinct dates or codes, and string
    functions that pyarrow lacks (``casefold``) run in Python one value at a time. A
    missing value is never selected.
    """
    codes, uniques = pd.factorize(values)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    hits = np.asarray(test(distinct), dtype=bool)
    # Code -1 (a missing value) picks the appended False.
    return np.append(hits, False)[codes]


def _parse(
    frame: pd.DataFrame, contract: Contract, day_first: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    parsed = {}
    failures = []

    def record(mask: np.ndarray, column: str, rule: str) -> None:
        if mask.any():
            failures.append(
                pd.DataFrame({"row_number": frame.index[mask], "column": column, "rule": rule})
            )

    for col in contract.columns:
        text = frame[col.name]
        # A too-long cell is judged as blank from here on, so it is reported once, under
        # its own rule (a blank in a required column is shadowed by it in _combine).
        too_long = (text.str.len() > MAX_CELL_CHARACTERS).to_numpy(dtype=bool)
        record(too_long, col.name, VALUE_TOO_LONG)
        if too_long.any():
            text = text.where(~too_long, "")
        if col.format in identifiers.NORMALISED_FORMATS:
            text = _normalise_identifiers(text, col.format)
        parser = _PARSERS.get(col.kind)
        if col.kind == "date":
            parser = functools.partial(_parse_dates, day_first=day_first)
        if parser is None:  # id, text, code: the trimmed text is the value
            parsed[col.name] = text.where(text != "").astype("string")
            continue
        values, bad = _by_distinct(text, parser)
        record(bad, col.name, {"date": BAD_DATE, "bool": BAD_BOOL}.get(col.kind, BAD_NUMBER))
        if col.kind == "date":
            implausible = (values.notna() & ~values.between(EARLIEST_DATE, LATEST_DATE)).to_numpy(
                dtype=bool
            )
            record(implausible, col.name, DATE_OUT_OF_RANGE)
            values = values.where(~implausible)
        parsed[col.name] = values
    return pd.DataFrame(parsed, index=frame.index), _failure_frame(failures)


def _normalise_identifiers(text: pd.Series, fmt: str) -> pd.Series:
    """``identifiers.normalise_identifier`` for a whole column: no spaces or hyphens, and
    UPNs in capitals, so "943 476 5919" is checked, staged and linked as 9434765919."""
    # Python's re does the replacing (pyarrow's \s is narrower), one value at a time; so
    # only values with something other than ASCII letters and digits are given to it.
    spaced = text.str.contains(_NOT_ALNUM, regex=True, na=False).to_numpy(dtype=bool)
    if spaced.any():
        fixed = text[spaced].str.replace(SEPARATORS, "", regex=True)
        text = text.mask(spaced, fixed)
    return text.str.upper() if fmt == "upn" else text


def _by_distinct(
    text: pd.Series, parser: Callable[[pd.Series], pd.Series]
) -> tuple[pd.Series, np.ndarray]:
    """Parse each distinct value once: a column of a million dates has a few thousand."""
    codes, uniques = pd.factorize(text)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    values = parser(distinct)
    bad_distinct = (values.isna() & (distinct != "")).to_numpy()
    out = values.take(codes)
    out.index = text.index
    return out, bad_distinct[codes]


def _parse_dates(text: pd.Series, day_first: bool = True) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ms]")
    for pattern in (_ISO_DATE, _UK_DATE if day_first else _US_DATE):
        parts = text.str.extract(f"^{pattern}$").dropna()
        if len(parts):
            days = pd.to_datetime(
                {
                    "year": parts["y"].astype(int),
                    "month": parts["m"].astype(int),
                    "day": parts["d"].astype(int),
                },
                errors="coerce",
            )
            out.loc[parts.index] = days.astype("datetime64[ms]")
    serial = text[text.str.fullmatch(_SERIAL)]
    if len(serial):
        days = serial.astype(float).astype(int)
        days = days[days.between(*SERIAL_RANGE)]
        out.loc[days.index] = (EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).astype(
            "datetime64[ms]"
        )
    return out


def _parse_int(text: pd.Series) -> pd.Series:
    clean = text.str.replace(_THOUSANDS, "", regex=True)
    whole = clean.where(clean.str.fullmatch(_WHOLE))
    return pd.to_numeric(whole, errors="coerce").round().astype("Int64")


def _parse_number(text: pd.Series) -> pd.Series:
    # A currency column exported from a finance system may carry "£" and thousands commas.
    clean = text.str.replace(_THOUSANDS, "", regex=True).str.replace(
        r"^([+-]?)£", r"\1", regex=True
    )
    values = pd.to_numeric(clean.where(clean != ""), errors="coerce").astype("Float64")
    return values.where(np.isfinite(values.to_numpy(dtype=float, na_value=np.nan)))


def _parse_bool(text: pd.Series) -> pd.Series:
    lower = text.str.lower()
    out = pd.Series(pd.NA, index=text.index, dtype="boolean")
    out[lower.isin(_TRUE)] = True
    out[lower.isin(_FALSE)] = False
    return out


_PARSERS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "date": _parse_dates,
    "int": _parse_int,
    "number": _parse_number,
    "bool": _parse_bool,
}


# --- pass 2: column checks ---------------------------------------------------------------


def _column_checks(
    parsed: pd.DataFrame, contract: Contract, extract_date: dt.date, absent: set[str]
) -> pd.DataFrame:
    """One (row_number, column, rule) line per failed column check.

    A blank is a fault only in a column that must be filled in (and that the file has);
    every other check judges only the values that are there, so a blank is reported once,
    as missing, and never as an unknown code or a bad format too. Each check is a mask
    over a whole column (a million rows in a fraction of a second).
    """
    parts = []
    for col in contract.columns:
        values = parsed[col.name]
        if values.dtype != pd.api.types.pandas_dtype(STAGED_DTYPES[col.kind]):
            # The parsing step produced the wrong frame: a bug in the suite, not a fault
            # in the data.
            raise RuntimeError(
                f"Internal error validating {contract.name}: {col.name} is {values.dtype}, "
                f"not {STAGED_DTYPES[col.kind]}"
            )
        missing = values.isna().to_numpy(dtype=bool)
        if not (col.nullable or col.name in absent):
            parts.append(_lines(parsed.index[missing], col.name, MISSING_VALUE))
        present = values[~missing] if missing.any() else values
        for rule, passes in _checks_for(col, extract_date):
            failed = ~np.asarray(passes(present), dtype=bool)
            parts.append(_lines(present.index[failed], col.name, rule))
    return _failure_frame([part for part in parts if len(part)])


def _lines(rows: pd.Index, column: str, rule: str) -> pd.DataFrame:
    """Failure lines for ``rows`` under one column and rule."""
    return pd.DataFrame(
        {"row_number": np.asarray(rows, dtype="int64"), "column": column, "rule": rule}
    )


def _checks_for(
    col: Column, extract_date: dt.date
) -> list[tuple[str, Callable[[pd.Series], np.ndarray | pd.Series]]]:
    """The column's checks, each a rule name and a test that passes the good values."""
    checks: list[tuple[str, Callable[[pd.Series], np.ndarray | pd.Series]]] = []
    if col.kind == "code":
        checks.append((UNKNOWN_CODE, lambda s: s.isin(col.codes)))
    if col.format:
        checks.append((BAD_FORMAT, _format_check(col.format)))
    if col.minimum is not None:
        checks.append((OUT_OF_RANGE, lambda s: s >= col.minimum))
    if col.maximum is not None:
        checks.append((OUT_OF_RANGE, lambda s: s <= col.maximum))
    if col.kind == "date" and not col.future_allowed:
        latest = pd.Timestamp(extract_date)
        checks.append((DATE_AFTER_EXTRACT, lambda s: s <= latest))
    return checks


def _format_check(fmt: str) -> Callable[[pd.Series], pd.Series]:
    """A vectorised check for one identifier format from ``identifiers.FORMAT_CHECKS``.

    The formats the suite knows are checked a whole column at a time (UPN and NHS check
    characters in numpy; the others by the same regular expressions ``identifiers``
    uses), a million rows in well under a second. A format added to ``FORMAT_CHECKS``
    later still works, checked once per distinct value. Tests hold the fast paths to the
    same answers as ``FORMAT_CHECKS``.
    """
    if fmt not in FORMAT_CHECKS:
        raise KeyError(f"No identifier check for format {fmt!r}")
    fast = _FAST_FORMAT_CHECKS.get(fmt)
    if fast is not None:
        return lambda s: pd.Series(fast(s), index=s.index)
    check = FORMAT_CHECKS[fmt]

    def by_distinct(s: pd.Series) -> pd.Series:
        codes, uniques = pd.factorize(s)
        distinct = np.asarray(uniques, dtype=object)
        ok = np.fromiter((check(u) for u in distinct), dtype=bool, count=len(distinct))
        return pd.Series(ok[codes], index=s.index)

    return by_distinct


def _matches(
    pattern: re.Pattern[str], normalise: bool = False
) -> Callable[[pd.Series], np.ndarray]:
    def check(values: pd.Series) -> np.ndarray:
        if normalise:  # as identifiers.is_valid_postcode: upper case, outer spaces ignored
            values = values.str.upper().str.strip()
        return values.str.fullmatch(pattern.pattern).fillna(False).to_numpy(dtype=bool)

    return check


# int16 is ample (a weighted sum is at most 22 x 90) and keeps a million-row matrix small.
_DIGIT_VALUE = np.full(256, -1, dtype=np.int16)
_DIGIT_VALUE[ord("0") : ord("9") + 1] = np.arange(10)
_UPN_VALUE = _DIGIT_VALUE.copy()
for _i, _letter in enumerate(UPN_CHECK_LETTERS):
    _UPN_VALUE[ord(_letter)] = _i
_UPN_LETTER = "[" + UPN_CHECK_LETTERS + "]"


def _ascii_matrix(values: pd.Series, width: int) -> np.ndarray:
    """One row of byte values per value; every value must be ``width`` ASCII characters."""
    joined = "".join(values.tolist()).encode("ascii")
    return np.frombuffer(joined, dtype=np.uint8).reshape(-1, width)


def upn_valid(values: pd.Series) -> np.ndarray:
    """``identifiers.is_valid_upn`` for a whole column at once."""
    shape_ok = values.str.fullmatch(f"{_UPN_LETTER}[0-9]{{11}}[0-9{UPN_CHECK_LETTERS}]")
    ok = np.array(shape_ok.fillna(False), dtype=bool)
    if ok.any():
        chars = _UPN_VALUE[_ascii_matrix(values[ok], 13)]
        total = chars[:, 1:] @ np.arange(2, 14, dtype=np.int16)
        ok[ok] = total % 23 == chars[:, 0]
    return ok


def nhs_number_valid(values: pd.Series) -> np.ndarray:
    """``identifiers.is_valid_nhs_number`` (modulus 11) for a whole column at once."""
    digits = values.str.replace(" ", "", regex=False)
    ok = np.array(digits.str.fullmatch(r"[0-9]{10}").fillna(False), dtype=bool)
    if ok.any():
        d = _DIGIT_VALUE[_ascii_matrix(digits[ok], 10)]
        check = 11 - (d[:, :9] @ np.arange(10, 1, -1, dtype=np.int16)) % 11
        check[check == 11] = 0
        ok[ok] = (check != 10) & (check == d[:, 9])
    return ok


_FAST_FORMAT_CHECKS: dict[str, Callable[[pd.Series], np.ndarray]] = {
    "upn": upn_valid,
    "nhs_number": nhs_number_valid,
    "postcode": _matches(identifiers._POSTCODE, normalise=True),
    "urn": _matches(identifiers._URN),
    "person_id": _matches(identifiers._PERSON_ID),
    "weakness_id": _matches(identifiers._WEAKNESS_ID),
}


# --- pass 3: cross-field rules -----------------------------------------------------------


def _rule_checks(
    parsed: pd.DataFrame, contract: Contract, bad_cells: pd.DataFrame, absent: set[str]
) -> pd.DataFrame:
    """Each broken rule is reported once per row, under the rule's dependent column, as
    data/README.md lists it. A rule is judged only where both its columns passed their
    own checks, and skipped if the file lacks either column."""
    parts = []
    for rule in contract.rules:
        involved = _involved(rule)
        if absent & set(involved):
            continue
        judged = ~bad_cells[list(involved)].any(axis=1).to_numpy(dtype=bool)
        broken = _broken(rule, parsed) & judged
        parts.append(_lines(parsed.index[broken], involved[0], rule.name))
    return _failure_frame([part for part in parts if len(part)])


def _involved(rule: Rule) -> tuple[str, str]:
    """The rule's dependent column first, then the column it depends on."""
    if isinstance(rule, DateOrder):
        return rule.later, rule.earlier
    if isinstance(rule, NotGreater):
        return rule.smaller, rule.larger
    if isinstance(rule, OnlyWhen | RequiredWhen):
        return rule.column, rule.when
    raise TypeError(f"Unknown rule type {type(rule).__name__}")


def _broken(rule: Rule, parsed: pd.DataFrame) -> np.ndarray:
    """Rows that break a rule (a comparison with a blank breaks nothing, except a blank
    where :class:`RequiredWhen` needs a value)."""
    if isinstance(rule, DateOrder):
        broken = parsed[rule.later] < parsed[rule.earlier]
    elif isinstance(rule, NotGreater):
        broken = parsed[rule.smaller] > parsed[rule.larger]
    else:
        when = parsed[rule.when]
        condition = when.isin(rule.when_values) if rule.when_values else when.notna()
        column = parsed[rule.column]
        if isinstance(rule, OnlyWhen):
            holds = column.isin(rule.values) if rule.values else column.notna()
            broken = holds & ~condition
        else:
            broken = condition & column.isna()
    return broken.fillna(False).to_numpy(dtype=bool)


# --- duplicate keys ----------------------------------------------------------------------


def _duplicate_keys(
    parsed: pd.DataFrame, contract: Contract, failed_rows: pd.Index
) -> tuple[pd.DataFrame, pd.Series, dict]:
    """Rows that repeat the key of an earlier row that passed every check.

    The rule: the first such row in file order is kept and every later one is quarantined
    (``duplicate_key``), whether or not its other values agree. The file's order is the
    only order the suite can trust (no column says which record is newer), and an
    extract lists a record once. A later row that disagrees with the kept one (the same
    child with another date of birth) is a conflict in the area's system, counted per
    column so that it is reported rather than settled silently.

    Returns:
        The failure lines; for each repeating row (by row number) the words that end its
        reason (the kept row and the columns that differ); and the counts for
        ``data_quality.json``: ``{"repeated_rows", "conflicting_rows", "columns"}`` (empty
        when no key repeats).
    """
    key = list(contract.key)
    # Positions in ``parsed`` of the rows that passed, and for each, where the first
    # passed row with its key is.
    passed = np.flatnonzero(~parsed.index.isin(failed_rows))
    first = passed[first_of_key(parsed[key].iloc[passed])]
    later_at = np.flatnonzero(first != passed)
    if not len(later_at):
        return _failure_frame([]), pd.Series(dtype="str"), {}
    later = parsed.iloc[passed[later_at]].reset_index(drop=True)
    kept = parsed.iloc[first[later_at]].reset_index(drop=True)
    others = [c for c in contract.column_names if c not in key]
    differs = np.zeros((len(later_at), len(others)), dtype=bool)
    for j, column in enumerate(others):
        a, b = later[column], kept[column]
        same = (a == b).fillna(False).to_numpy(dtype=bool) | (a.isna() & b.isna()).to_numpy()
        differs[:, j] = ~same
    # Describe each distinct pattern of differing columns once.
    patterns, which = np.unique(differs, axis=0, return_inverse=True)
    words = np.array(
        [
            "; it differs from that row in " + ", ".join(np.array(others)[p])
            if p.any()
            else ", and agrees with it in every column"
            for p in patterns
        ],
        dtype=object,
    )
    kept_rows = parsed.index[first[later_at]].astype(str)
    later_rows = parsed.index[passed[later_at]]
    endings = pd.Series(
        " (row " + np.asarray(kept_rows, dtype=object) + "), which was kept" + words[which.ravel()],
        index=later_rows,
        dtype="str",
    )
    conflicting = differs.any(axis=1)
    counts = {
        "repeated_rows": int(len(later_at)),
        "conflicting_rows": int(conflicting.sum()),
        "columns": {c: int(n) for c, n in zip(others, differs.sum(axis=0), strict=True) if n},
    }
    failures = pd.DataFrame(
        {"row_number": later_rows, "column": "+".join(key), "rule": DUPLICATE_KEY}
    )
    return failures, endings, counts


def first_of_key(keys: pd.DataFrame) -> np.ndarray:
    """For each row, the position of the first row with the same values in every column
    (a blank equals a blank, as in ``DataFrame.duplicated``).

    Each column is turned into integer codes once and the codes are combined column by
    column, which is many times faster than grouping by several string columns.
    """
    if not len(keys):
        return np.empty(0, dtype=np.intp)
    group = np.zeros(len(keys), dtype=np.int64)
    for column in keys.columns:
        codes, uniques = pd.factorize(keys[column], use_na_sentinel=False)
        group, _ = pd.factorize(group * (len(uniques) + 1) + codes)
    # factorize numbers groups in order of first appearance, so a row opens its group
    # exactly when its code exceeds every code before it.
    opens = group > np.maximum.accumulate(np.concatenate(([-1], group[:-1])))
    return np.flatnonzero(opens)[group]


def shared_identifiers(valid: pd.DataFrame, contract: Contract) -> dict:
    """UPNs and NHS numbers that staged rows give to more than one person id.

    One child recorded twice under two person ids (a duplicate record in the area's
    system) makes every count by child too high and splits the child's history. Both
    rows are kept, since nothing says which id is right, and the identifier values and
    person ids involved are counted per column.
    """
    if "person_id" not in valid:
        return {}
    found = {}
    for col in contract.columns:
        if col.format not in identifiers.NORMALISED_FORMATS or col.name not in valid:
            continue
        per_value = ids_per_value(valid[col.name], valid["person_id"])
        shared = per_value[per_value > 1]
        if len(shared):
            found[col.name] = {"values": int(len(shared)), "person_ids": int(shared.sum())}
    return found


def ids_per_value(values: pd.Series, ids: pd.Series) -> np.ndarray:
    """How many distinct ``ids`` each distinct value is paired with (rows where either is
    missing left out), in no particular order. Worked on integer codes, not strings."""
    both = (values.notna() & ids.notna()).to_numpy(dtype=bool)
    value_codes, _ = pd.factorize(values[both])
    id_codes, id_uniques = pd.factorize(ids[both])
    # pd.unique hashes; np.unique sorts, several times slower on millions of pairs.
    pairs = pd.unique(value_codes.astype(np.int64) * max(len(id_uniques), 1) + id_codes)
    counts = np.bincount(pairs // max(len(id_uniques), 1))
    return counts[counts > 0]


# --- assembling failures -----------------------------------------------------------------


def _failure_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(
            {
                "row_number": pd.Series(dtype="int64"),
                "column": pd.Series(dtype=str),
                "rule": pd.Series(dtype=str),
            }
        )
    return pd.concat(parts, ignore_index=True)


def _combine(parse_failures: pd.DataFrame, column_failures: pd.DataFrame) -> pd.DataFrame:
    """Parse failures win over "missing": an unparseable value is bad, not blank."""
    if len(parse_failures) and len(column_failures):
        cell = pd.MultiIndex.from_frame(column_failures[["row_number", "column"]])
        parsed_bad = pd.MultiIndex.from_frame(parse_failures[["row_number", "column"]])
        shadowed = cell.isin(parsed_bad) & (column_failures["rule"] == MISSING_VALUE).to_numpy()
        column_failures = column_failures.loc[~shadowed]
    return pd.concat([parse_failures, column_failures], ignore_index=True)


def _bad_cells(failures: pd.DataFrame, parsed: pd.DataFrame) -> pd.DataFrame:
    bad = pd.DataFrame(False, index=parsed.index, columns=parsed.columns)
    for column, rows in failures.groupby("column")["row_number"]:
        bad.loc[rows.unique(), column] = True
    return bad


def _describe(
    failures: pd.DataFrame,
    frame: pd.DataFrame,
    contract: Contract,
    extract_date: dt.date,
    day_first: bool = True,
    repeats: pd.Series | None = None,
) -> pd.DataFrame:
    """Add the value as the file held it and a reason a data officer can act on.

    Built with vectorised string operations, one (column, rule) group at a time, so that a
    file where every row fails (one wrong date format throughout) is still described in
    seconds rather than minutes.
    """
    if failures.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c == "row_number" else "str") for c in FAILURE_COLUMNS}
        )
    column_order = {c: i for i, c in enumerate(contract.column_names)}
    failures = failures.assign(
        _order=failures["column"].map(column_order).fillna(len(column_order))
    )
    failures = failures.sort_values(["row_number", "_order", "rule"], kind="stable")
    failures = failures.reset_index(drop=True)
    positions = frame.index.get_indexer(failures["row_number"])

    def cells(column: str, where: np.ndarray) -> pd.Series:
        return pd.Series(frame[column].array.take(positions[where]), index=where)

    values, reasons = [], []
    rules = {r.name: r for r in contract.rules}
    for (column, rule), group in failures.groupby(["column", "rule"], sort=False):
        where = group.index.to_numpy()
        if rule == DUPLICATE_KEY:
            first, *rest = [cells(k, where) for k in contract.key]
            vals = first.str.cat(rest, sep=" | ") if rest else first
            why = pd.Series(
                f"repeats the key ({', '.join(contract.key)}) of an earlier row",
                index=where,
                dtype="str",
            )
            if repeats is not None and len(repeats):
                rows = failures.loc[where, "row_number"].to_numpy()
                why = why + pd.Series(repeats.reindex(rows).fillna("").to_numpy(), index=where)
        elif rule == VALUE_TOO_LONG:
            full = cells(column, where)
            # The whole value is in the row's own columns; here a glimpse is enough.
            vals = full.str.slice(0, 40) + "..."
            why = (
                f"{column} holds "
                + full.str.len().map("{:,}".format)
                + f" characters, more than a spreadsheet cell can hold "
                f"({MAX_CELL_CHARACTERS:,})"
            )
        elif rule == BAD_FORMAT and contract.column(column).format in IDENTIFIER_PROBLEMS:
            fmt = contract.column(column).format
            vals = cells(column, where)
            normal = _normalise_identifiers(vals, fmt)
            problems = {v: IDENTIFIER_PROBLEMS[fmt](v) or "fails its check" for v in set(normal)}
            why = (
                "'"
                + vals
                + f"' is not a valid {'UPN' if fmt == 'upn' else 'NHS number'}: it "
                + normal.map(problems)
            )
        elif rule in rules:
            r = rules[rule]
            a, b = _involved(r)
            vals = cells(a, where)
            why = f"{r.describe()} ({a} = '" + vals + f"', {b} = '" + cells(b, where) + "')"
        elif rule == UNKNOWN_CODE:
            vals = cells(column, where)
            why = _unknown_code_reason(vals, contract.name, contract.column(column))
        else:
            vals = cells(column, where)
            before, after = _reason(rule, contract.column(column), extract_date, day_first)
            why = before + vals + after
        values.append(vals)
        reasons.append(why)
    return pd.DataFrame(
        {
            "row_number": failures["row_number"].to_numpy(dtype="int64"),
            "column": failures["column"].astype("str"),
            "rule": failures["rule"].astype("str"),
            "value": pd.concat(values).sort_index().astype("str"),
            "reason": pd.concat(reasons).sort_index().astype("str"),
        }
    )


def _reason(
    rule: str, col: Column, extract_date: dt.date, day_first: bool = True
) -> tuple[str, str]:
    """The words before and after the value in the reason for a one-column failure."""
    if rule == MISSING_VALUE:
        return f"{col.name} is blank but must be filled in", ""
    if rule == BAD_DATE:
        slashed = "dd/mm/yyyy" if day_first else "mm/dd/yyyy, as the profile declares"
        return "'", f"' is not a date: use yyyy-mm-dd or {slashed} (or an Excel date)"
    if rule == DATE_OUT_OF_RANGE:
        return "'", (
            f"' is outside the years {EARLIEST_DATE.year} to {LATEST_DATE.year}, so "
            "it is taken for a typing error or a placeholder date"
        )
    if rule == BAD_NUMBER:
        return "'", f"' is not a {'whole number' if col.kind == 'int' else 'number'}"
    if rule == BAD_BOOL:
        return "'", "' is not yes or no (use true/false, yes/no, y/n or 1/0)"
    if rule == UNKNOWN_CODE:
        shown = ", ".join(col.codes[:12]) + (" ..." if len(col.codes) > 12 else "")
        return "'", f"' is not one of the codes for {col.name} ({shown}); case matters"
    if rule == BAD_FORMAT:
        return "'", f"' is not a valid {FORMAT_LABELS.get(col.format or '', col.format)}"
    if rule == OUT_OF_RANGE:
        # Named first: a reason opening with the value would open with "-" for a negative
        # number, and be neutralised in the quarantine file as if it were a formula.
        return f"{col.name} of ", (
            f" is outside the allowed range ({_fmt(col.minimum)} to {_fmt(col.maximum)})"
        )
    if rule == DATE_AFTER_EXTRACT:
        return "", f" is after the extract date, {extract_date.day} {extract_date:%B %Y}"
    return f"{rule}: ", ""


def _unknown_code_reason(values: pd.Series, source: str, col: Column) -> pd.Series:
    """Which value is not a code, the codes allowed, and how to map an area's own word."""
    shown = ", ".join(col.codes[:12]) + (" ..." if len(col.codes) > 12 else "")
    return (
        "'"
        + values
        + f"' is not one of the codes for {col.name} ({shown}); case matters. If it is your "
        f"system's word for one of them, map it in the profile under "
        f"sources.{source}.code_map.{col.name}, e.g. '"
        + values
        + f"': {col.codes[0] if col.codes else 'code'}"
    )


def _fmt(bound: float | None) -> str:
    if bound is None:
        return "no limit"
    return str(int(bound)) if float(bound).is_integer() else str(bound)
