"""Planted data-quality faults: the ground truth for testing validation and quarantine.

Between 1% and 2% of the rows of every sizeable source get exactly one fault each, chosen from
every kind its contract can detect: blanks in required fields, codes not in the list,
dates that are not dates or fall after the extract, numbers out of range, malformed
identifiers, cross-field rules broken (a decision before the request), and keys repeated
by a later copy of an earlier row. Each candidate fault is checked against the contract
before it is kept, so a faulty row breaks exactly the one rule recorded for it and every
other row stays clean; anything else would make the ground truth ambiguous.

Rule names are those quarantine uses (data/README.md, "What happens to rows that fail a
check"): ``missing_value``,
``bad_date``, ``bad_number``, ``bad_bool``, ``unknown_code``, ``bad_format``,
``out_of_range``, ``date_after_extract``, ``duplicate_key``, or a cross-field rule's
``.name``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

from sendready.metadata.contracts import (
    PLACEHOLDERS,
    Column,
    Contract,
    DateOrder,
    NotGreater,
    RequiredWhen,
    Rule,
)
from sendready.metadata.identifiers import FORMAT_CHECKS, UPN_CHECK_LETTERS

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DMY = re.compile(r"^\d{2}/\d{2}/\d{4}$")
_INT = re.compile(r"^-?\d+$")
_BOOLS = {"true", "false", "yes", "no", "y", "n", "1", "0"}
_BAD = object()  # a value present but not valid for its column


@dataclass(frozen=True)
class FaultType:
    """One kind of fault this source can carry: a cell rule on a column, or a cross-field
    rule (``rule`` set), or a repeated key."""

    kind: str
    column: str = ""
    rule: Rule | None = None

    @property
    def expected(self) -> tuple[str, str]:
        """(column, rule) that quarantine should report for this fault."""
        if self.rule is not None:
            return _dependent(self.rule), self.rule.name
        return self.column, self.kind


def _dependent(rule: Rule) -> str:
    if isinstance(rule, DateOrder):
        return rule.later
    if isinstance(rule, NotGreater):
        return rule.smaller
    return rule.column


def _parse(col: Column, raw: str) -> object:
    """Parsed value, ``None`` for a blank, ``_BAD`` for a value that is not valid."""
    text = raw.strip()
    if not text:
        return None
    if col.kind == "date":
        try:
            if _ISO.match(text):
                return dt.date.fromisoformat(text)
            if _DMY.match(text):
                return dt.datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            return _BAD
        return _BAD
    if col.kind == "int":
        return int(text) if _INT.match(text) else _BAD
    if col.kind == "number":
        try:
            value = float(text)
        except ValueError:
            return _BAD
        return value if np.isfinite(value) else _BAD
    if col.kind == "bool":
        return text.lower() if text.lower() in _BOOLS else _BAD
    return text


def cell_failure(col: Column, raw: str, extract: dt.date) -> str | None:
    """The quarantine rule a single cell breaks, or ``None``."""
    text = raw.strip()
    if not text:
        return None if col.nullable else "missing_value"
    value = _parse(col, raw)
    if value is _BAD:
        return {
            "date": "bad_date",
            "int": "bad_number",
            "number": "bad_number",
            "bool": "bad_bool",
        }[col.kind]
    if col.kind == "code" and text not in col.codes:
        return "unknown_code"
    if col.kind == "id" and col.format and not FORMAT_CHECKS[col.format](text):
        return "bad_format"
    if col.kind in ("int", "number"):
        if (col.minimum is not None and value < col.minimum) or (
            col.maximum is not None and value > col.maximum
        ):
            return "out_of_range"
    if col.kind == "date" and not col.future_allowed and value > extract:
        return "date_after_extract"
    return None


def rule_fails(contract: Contract, rule: Rule, row: dict[str, str]) -> bool:
    """Whether a cross-field rule is broken by a row of text values."""

    def value(name: str) -> object:
        parsed = _parse(contract.column(name), row[name])
        return None if parsed is _BAD else parsed

    def filled(name: str) -> bool:
        return bool(row[name].strip())

    if isinstance(rule, DateOrder):
        early, late = value(rule.earlier), value(rule.later)
        return early is not None and late is not None and late < early
    if isinstance(rule, NotGreater):
        small, large = value(rule.smaller), value(rule.larger)
        return small is not None and large is not None and small > large
    condition = filled(rule.when) and (
        not rule.when_values or row[rule.when].strip() in rule.when_values
    )
    if isinstance(rule, RequiredWhen):
        return condition and not filled(rule.column)
    holds = filled(rule.column) and (not rule.values or row[rule.column].strip() in rule.values)
    return holds and not condition


def row_failures(
    contract: Contract, row: dict[str, str], changed: set[str], extract: dt.date
) -> set[tuple[str, str]]:
    """Failures a clean row picks up once the ``changed`` cells are edited.

    Cross-field rules are judged twice, once reading an invalid cell as its text and
    once as a blank, so a fault is kept only if it breaks its one rule whichever way a
    validator treats the invalid cell.
    """
    failures = set()
    invalid = set()
    for name in changed:
        rule = cell_failure(contract.column(name), row[name], extract)
        if rule:
            failures.add((name, rule))
            invalid.add(name)
    blanked = {**row, **{name: "" for name in invalid}}
    for rule in contract.rules:
        names = {
            getattr(rule, a)
            for a in ("earlier", "later", "smaller", "larger", "column", "when")
            if hasattr(rule, a)
        }
        if not names & changed:
            continue
        if rule_fails(contract, rule, row) or rule_fails(contract, rule, blanked):
            failures.add((_dependent(rule), rule.name))
    return failures


def fault_menu(contract: Contract, protected: tuple[str, ...] = ()) -> list[FaultType]:
    """Every fault the contract can detect, for columns not ``protected``."""
    menu = []
    for col in contract.columns:
        if col.name in protected:
            continue
        if not col.nullable and col.name not in contract.key:
            menu.append(FaultType("missing_value", col.name))
        kinds = {
            "code": ["unknown_code"],
            "date": ["bad_date"],
            "int": ["bad_number"],
            "number": ["bad_number"],
            "bool": ["bad_bool"],
        }.get(col.kind, [])
        if col.kind == "date" and not col.future_allowed:
            kinds.append("date_after_extract")
        if col.kind in ("int", "number") and (col.minimum is not None or col.maximum is not None):
            kinds.append("out_of_range")
        if col.kind == "id" and col.format:
            kinds.append("bad_format")
        menu.extend(FaultType(kind, col.name) for kind in kinds)
    for rule in contract.rules:
        if not {_dependent(rule)} & set(protected):
            menu.append(FaultType(type(rule).__name__, rule=rule))
    return menu


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _bad_format(fmt: str, value: str, rng: np.random.Generator) -> str:
    """A plausible keying error for an identifier."""
    if fmt == "upn":
        others = [c for c in UPN_CHECK_LETTERS if c != value[0]]
        return others[int(rng.integers(0, len(others)))] + value[1:]
    if fmt == "nhs_number":
        return value[:-1] + str((int(value[-1]) + int(rng.integers(1, 10))) % 10)
    if fmt == "postcode":
        return value.split(" ")[0] if rng.random() < 0.5 else value[:-1]
    if fmt == "urn":
        return value[1:]
    if fmt == "person_id":
        return value.lower() if rng.random() < 0.5 else value[:-1]
    if fmt == "weakness_id":
        return value[0] + " " + value[1:]
    return value + "?"


def _not_blanked(options: list[str], col: Column) -> list[str]:
    """Leave out placeholder words where ingest reads them as blank (an optional date or
    code column), so that every planted fault is one ingest must quarantine."""
    if col.kind in ("date", "code") and col.nullable:
        return [o for o in options if o.strip().casefold() not in PLACEHOLDERS]
    return options


def _mutations(
    fault: FaultType,
    contract: Contract,
    row: dict[str, str],
    rng: np.random.Generator,
    extract: dt.date,
) -> list[dict[str, str]]:
    """Candidate edits that would plant ``fault`` in ``row`` (none if it cannot apply)."""
    if fault.rule is not None:
        return _rule_mutations(fault.rule, contract, row, rng)
    name = fault.column
    col = contract.column(name)
    raw = row[name]
    if not raw.strip():
        return []
    kind = fault.kind
    if kind == "missing_value":
        return [{name: ""}]
    if kind == "unknown_code":
        options = [raw.lower(), raw.upper(), raw.title(), raw + "?", "unknown"]
        if name == "sen_provision":
            options.insert(0, "S")  # statements: an obsolete code (docs/domain.md)
        options = [o for o in options if o != raw and o.strip() not in col.codes]
        options = _not_blanked(options, col)
        return [{name: options[int(rng.integers(0, len(options)))]}] if options else []
    if kind == "bad_date":
        year = raw[:4] if _ISO.match(raw) else "2018"
        options = [f"31/02/{year}", f"{year}-13-{raw[-2:]}", "TBC", "unknown", "not known"]
        options = _not_blanked(options, col)
        return [{name: options[int(rng.integers(0, len(options)))]}]
    if kind == "date_after_extract":
        return [{name: _iso(extract + dt.timedelta(days=int(rng.integers(3, 500))))}]
    if kind == "bad_number":
        options = ["n/a", "?", "unknown"] + ([f"{raw}.5"] if col.kind == "int" else [])
        if col.nullable:  # a spreadsheet reader takes "n/a" in an optional number as blank
            options = [o for o in options if o.casefold() not in PLACEHOLDERS] or ["#VALUE!"]
        return [{name: options[int(rng.integers(0, len(options)))]}]
    if kind == "out_of_range":
        if col.minimum is not None and (col.maximum is None or rng.random() < 0.5):
            low = col.minimum - int(rng.integers(1, 5))
            if col.kind == "number":
                return [
                    {
                        name: f"-{raw}"
                        if not raw.startswith("-") and float(raw) > 0
                        else f"{low:.2f}"
                    }
                ]
            return [{name: str(int(low))}]
        return [{name: str(int(col.maximum) + int(rng.integers(1, 4)))}]
    if kind == "bad_bool":
        options = ["maybe", "unknown", "2", "tbc"]
        return [{name: options[int(rng.integers(0, len(options)))]}]
    if kind == "bad_format":
        return [{name: _bad_format(col.format or "", raw.strip(), rng)}]
    return []


def _a_date_near(contract: Contract, row: dict[str, str], rng: np.random.Generator) -> str | None:
    """A plausible date for a cell that should be blank: another date of the row, later."""
    for col in contract.columns:
        if col.kind == "date":
            parsed = _parse(col, row[col.name])
            if isinstance(parsed, dt.date):
                return _iso(parsed + dt.timedelta(days=int(rng.integers(1, 30))))
    return None


def _rule_mutations(
    rule: Rule, contract: Contract, row: dict[str, str], rng: np.random.Generator
) -> list[dict[str, str]]:
    days = dt.timedelta(days=int(rng.integers(1, 60)))
    if isinstance(rule, DateOrder):
        early = _parse(contract.column(rule.earlier), row[rule.earlier])
        late = _parse(contract.column(rule.later), row[rule.later])
        if not isinstance(early, dt.date) or not isinstance(late, dt.date):
            return []
        return [{rule.later: _iso(early - days)}, {rule.earlier: _iso(late + days)}]
    if isinstance(rule, NotGreater):
        large = _parse(contract.column(rule.larger), row[rule.larger])
        if not isinstance(large, int | float) or isinstance(large, bool):
            return []
        return [{rule.smaller: str(int(large) + int(rng.integers(1, 10)))}]
    if isinstance(rule, RequiredWhen):
        return [{rule.column: ""}] if row[rule.column].strip() else []
    # OnlyWhen: give the column a value its condition does not allow.
    col = contract.column(rule.column)
    when = contract.column(rule.when)
    options = []
    if rule.values and row[rule.column].strip() not in rule.values:
        options.append({rule.column: rule.values[0]})
    if not row[rule.column].strip():
        if rule.values:
            options.append({rule.column: rule.values[0]})
        elif col.kind == "date":
            near = _a_date_near(contract, row, rng)
            if near:
                options.append({rule.column: near})
        elif col.kind == "code":
            options.append({rule.column: col.codes[int(rng.integers(0, len(col.codes)))]})
    elif rule.when_values and when.kind == "code":
        others = [c for c in when.codes if c not in rule.when_values]
        if others:
            options.append({rule.when: others[int(rng.integers(0, len(others)))]})
    elif not rule.when_values:
        options.append({rule.when: ""})
    return options


def plant_faults(
    contract: Contract,
    table: dict[str, np.ndarray],
    rng: np.random.Generator,
    rate: float,
    extract: dt.date,
    protected: tuple[str, ...] = (),
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Plant faults in a source held as text columns.

    Args:
        contract: The source's contract.
        table: Column name -> object array of text (blank = ""), contract columns only.
        rng: Random stream for this source.
        rate: Share of rows to make faulty (duplicates included).
        extract: The extract date.
        protected: Columns never touched (``persons.person_id``: every other source
            links to it).

    Returns:
        The table with duplicate rows inserted, and per row the faulty column and the
        rule ("" for clean rows).
    """
    names = contract.column_names
    n = len(table[names[0]])
    target = int(round(n * rate)) if n >= 150 else int(n >= 40 and rate > 0)
    fault_col = np.full(n, "", dtype=object)
    fault_rule = np.full(n, "", dtype=object)
    if target == 0:
        return table, fault_col, fault_rule
    menu = fault_menu(contract, protected)
    share = 1 / (len(menu) + 1)  # a repeated key is one kind of fault among the rest
    n_dup = int(round(target * share)) if target * share >= 1 else int(rng.random() < 0.25)
    n_edit = target - n_dup
    keys: set[tuple[str, ...]] | None = None

    def key_of(row: dict[str, str]) -> tuple[str, ...]:
        return tuple(row[k].strip() for k in contract.key)

    placed = 0
    for i in rng.permutation(n):
        if placed >= n_edit:
            break
        row = {c: table[c][i] for c in names}
        for choice in rng.permutation(len(menu))[:6]:
            fault = menu[int(choice)]
            done = False
            for edit in _mutations(fault, contract, row, rng, extract):
                new_row = {**row, **edit}
                if row_failures(contract, new_row, set(edit), extract) != {fault.expected}:
                    continue
                if set(edit) & set(contract.key):
                    if keys is None:
                        keys = set(
                            zip(
                                *(np.char.strip(table[k].astype(str)) for k in contract.key),
                                strict=True,
                            )
                        )
                    if key_of(new_row) in keys:
                        continue
                    keys.add(key_of(new_row))
                for c, v in edit.items():
                    table[c][i] = v
                fault_col[i], fault_rule[i] = fault.expected
                placed += 1
                done = True
                break
            if done:
                break

    clean = np.flatnonzero(fault_rule == "")
    originals = np.sort(rng.choice(clean, size=min(n_dup, clean.size), replace=False))
    positions = np.array([int(rng.integers(o + 1, n + 1)) for o in originals], dtype=np.int64)
    out = {c: np.insert(table[c], positions, table[c][originals]) for c in names}
    key_label = "+".join(contract.key)
    fault_col = np.insert(fault_col, positions, np.full(originals.size, key_label, dtype=object))
    fault_rule = np.insert(
        fault_rule, positions, np.full(originals.size, "duplicate_key", dtype=object)
    )
    return out, fault_col, fault_rule
