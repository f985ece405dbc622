"""Indicators defined in YAML, computed like every other indicator.

A :class:`~sendready.metadata.indicator_spec.DeclaredIndicator` (from the suite's own
``indicators/definitions/*.yaml`` or an area's profile) becomes an ordinary
:class:`~sendready.indicators.registry.IndicatorDefinition` here: its compute function
filters the source's rows, places each in a period by its date (or takes the stock open on
each period's last day) and counts the rows meeting the numerator's and denominator's
conditions, through the same period helpers as the Python families. So a declared
indicator is in the indicator table, gets SPC, targets, verdicts, suppression and a place
in the catalogue exactly as a built-in one does.

An area's profile may also name Python modules of its own (``indicator_modules``) for what
the vocabulary cannot say; they call :func:`~sendready.indicators.registry.register` as
the built-in families do, and :func:`register_profile_indicators` imports them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import operator
import sys
from functools import partial
from importlib.resources import files
from pathlib import Path

import pandas as pd
import yaml

from sendready.core.errors import ProfileError
from sendready.indicators.common import with_breakdown
from sendready.indicators.periods import days_between, flow_proportion, stock_count
from sendready.indicators.registry import (
    REGISTRY,
    BreakdownFunnel,
    IndicatorDefinition,
    SchoolFunnel,
    StagedData,
    register,
)
from sendready.metadata import indicator_spec as spec
from sendready.metadata.contracts import CONTRACTS
from sendready.metadata.indicator_spec import DeclaredIndicator, ParsedIndicator

_OPERATORS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

# --- evaluation -------------------------------------------------------------------------------


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column's values; one the file did not have (an optional column) is all blank."""
    if name in frame:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


def _date(frame: pd.DataFrame, node: spec.DateExpression) -> pd.Series:
    if isinstance(node, spec.Shifted):
        return pd.to_datetime(_column(frame, node.column)) + pd.Timedelta(days=node.days)
    return pd.to_datetime(_column(frame, node.name))


def _value(frame: pd.DataFrame, node: spec.Value) -> pd.Series | object:
    if isinstance(node, spec.Const):
        return node.value
    if isinstance(node, spec.Shifted):
        return _date(frame, node)
    if isinstance(node, spec.DaysBetween):
        return days_between(_date(frame, node.end), _date(frame, node.start))
    return _column(frame, node.name)


def _plain(values: pd.Series | bool, index: pd.Index) -> pd.Series:
    """Plain booleans where a blank (NA) is false: a blank never meets a condition."""
    if not isinstance(values, pd.Series):
        return pd.Series(bool(values), index=index)
    return values.fillna(False).astype(bool)


def evaluate(frame: pd.DataFrame, node: spec.Condition) -> pd.Series:
    """Plain booleans, one per row: the condition holds (a blank never satisfies one)."""
    index = frame.index
    if isinstance(node, spec.AllOf | spec.AnyOf):
        combine = operator.and_ if isinstance(node, spec.AllOf) else operator.or_
        out = evaluate(frame, node.items[0])
        for item in node.items[1:]:
            out = combine(out, evaluate(frame, item))
        return out
    if isinstance(node, spec.Negation):
        return ~evaluate(frame, node.item)
    if isinstance(node, spec.Blank):
        blank = _column(frame, node.column).isna().to_numpy()
        return pd.Series(~blank if node.negate else blank, index=index)
    if isinstance(node, spec.Flag):
        return _plain(_column(frame, node.column), index)
    if isinstance(node, spec.Member):
        column = _column(frame, node.column)
        inside = _plain(column.isin(list(node.values)), index) & column.notna()
        return (~inside & column.notna()) if node.negate else inside
    left, right = _value(frame, node.left), _value(frame, node.right)
    return _plain(_OPERATORS[node.op](left, right), index)


# --- compute -----------------------------------------------------------------------------------


def _rows(data: StagedData, declared: DeclaredIndicator, parsed: ParsedIndicator) -> pd.DataFrame:
    frame = data.require(declared.source)
    keep = pd.Series(True, index=frame.index)
    for condition in parsed.where:
        keep &= evaluate(frame, condition)
    if parsed.denominator is not None:
        keep &= evaluate(frame, parsed.denominator)
    return frame[keep]


def _numerator(rows: pd.DataFrame, parsed: ParsedIndicator) -> pd.Series:
    if parsed.numerator is None:
        return pd.Series(True, index=rows.index)
    return evaluate(rows, parsed.numerator)


def _flow(rows: pd.DataFrame, parsed: ParsedIndicator, periods: pd.DataFrame) -> pd.DataFrame:
    events = rows.assign(_placed=_date(rows, parsed.date))
    return flow_proportion(events, "_placed", _numerator(rows, parsed), periods)


def _stock(rows: pd.DataFrame, parsed: ParsedIndicator, periods: pd.DataFrame) -> pd.DataFrame:
    opened, until = parsed.stock
    start = _date(rows, opened)
    end = (
        _date(rows, until)
        if until is not None
        else pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    )
    hit = _numerator(rows, parsed).to_numpy()
    out = periods.copy()
    out["numerator"] = stock_count(periods, start[hit], end[hit])
    out["denominator"] = stock_count(periods, start, end)
    return out


def compute_declared(
    declared: DeclaredIndicator, data: StagedData, periods: pd.DataFrame
) -> pd.DataFrame:
    """Numerator and denominator by period (for a count, the numerator alone)."""
    parsed = declared.parsed()
    rows = _rows(data, declared, parsed)
    count = _stock if parsed.stock is not None else _flow
    if declared.breakdown is not None:
        out = with_breakdown(rows, declared.breakdown, lambda part: count(part, parsed, periods))
    else:
        out = count(rows, parsed, periods)
    if declared.statistic == "count":
        out["denominator"] = pd.NA
    return out


def to_definition(declared: DeclaredIndicator) -> IndicatorDefinition:
    """The registry's definition of a declared indicator."""
    return IndicatorDefinition(
        id=declared.id,
        title=declared.title,
        sources=(declared.source,),
        unit=declared.value_unit,
        direction=declared.direction,
        statistic=declared.statistic,
        numerator=declared.numerator.words,
        denominator=declared.denominator.words if declared.denominator else None,
        weaknesses=tuple(declared.weaknesses),
        compute=partial(compute_declared, declared),
        grain=declared.grain,
        benchmark_key=declared.benchmark_key,
        notes=declared.notes,
        about_people=declared.about_people,
        chart=declared.chart,
        funnel=_funnel(declared),
        columns={declared.source: tuple(_columns_read(declared))},
        declared=declared,
    )


def _funnel(declared: DeclaredIndicator) -> SchoolFunnel | BreakdownFunnel | None:
    """The funnel the panel draws: schools at the census, or the indicator's own
    breakdown (its units named in the YAML, else schools for a URN, else the column)."""
    funnel = declared.funnel
    if funnel is None:
        return None
    if funnel.from_ == "census":
        return SchoolFunnel(funnel.provision, funnel.words)
    column = declared.breakdown
    school_urns = _is_school_urn(declared.source, column)
    units = funnel.units or ("schools" if school_urns else f"{column.replace('_', ' ')}s")
    return BreakdownFunnel(column, funnel.words, units, school_urns=school_urns)


def _is_school_urn(source: str, column: str) -> bool:
    """The column holds school URNs (the contract's ``urn`` format)."""
    found = next((c for c in CONTRACTS[source].columns if c.name == column), None)
    return found is not None and found.format == "urn"


def _columns_read(declared: DeclaredIndicator) -> list[str]:
    columns = declared.parsed().columns()
    if declared.breakdown is not None and declared.breakdown not in columns:
        columns.append(declared.breakdown)
    return columns


# --- the suite's own definitions ---------------------------------------------------------------


def load_definitions(text: str, where: str) -> list[DeclaredIndicator]:
    """Declared indicators from a YAML document holding a list of them."""
    from pydantic import ValidationError

    raw = yaml.safe_load(text) or []
    out = []
    for position, item in enumerate(raw):
        try:
            out.append(DeclaredIndicator.model_validate(item))
        except ValidationError as exc:
            ident = item.get("id", f"number {position + 1}") if isinstance(item, dict) else ""
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'definition'}: "
                f"{e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors()
            )
            raise ValueError(f"{where}, indicator {ident}: {problems}") from None
    return out


def register_builtin_definitions() -> None:
    """Register the YAML definitions shipped in ``indicators/definitions``."""
    folder = files("sendready.indicators") / "definitions"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            for declared in load_definitions(item.read_text(encoding="utf-8"), item.name):
                register(to_definition(declared))


# --- an area's own ---------------------------------------------------------------------------

# Definitions registered from profiles, by id: the declared definition or the module file.
_FROM_PROFILES: dict[str, object] = {}
# What each area module (by its content's hash) registered when it was imported.
_MODULE_DEFINITIONS: dict[str, list[IndicatorDefinition]] = {}


def _register_own(definition: IndicatorDefinition, origin: object, profile_id: str) -> None:
    """Register a profile's indicator; the same one again is a no-op, another replaces it.

    Two profiles in one process (tests, a batch of areas) may define the same id
    differently; the one registered last is the one computed, and each profile registers
    its own before its evidence is built.
    """
    current = REGISTRY.get(definition.id)
    if current is not None and definition.id not in _FROM_PROFILES:
        raise ProfileError(
            f"Profile {profile_id!r} defines indicator {definition.id}, which is a built-in "
            "indicator of the catalogue.",
            hint="Give the area's own indicator an id of its own (e.g. with the area's "
            "initials: XA01).",
        )
    REGISTRY[definition.id] = definition
    _FROM_PROFILES[definition.id] = origin


def _import_module(path: Path, profile_id: str) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    name = f"sendready_area_indicators_{digest}"
    if name in _MODULE_DEFINITIONS:
        # Imported once per process: registering again is putting back what it defined.
        for definition in _MODULE_DEFINITIONS[name]:
            _register_own(definition, path, profile_id)
        return
    before = set(REGISTRY)
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise ProfileError(f"Profile {profile_id!r}: cannot import indicator module {path}.")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except (ValueError, ImportError, SyntaxError, NameError, TypeError) as exc:
        # register() refuses an id defined twice (ValueError); the rest are the module's
        # own mistakes, reported with the file rather than as a traceback.
        del sys.modules[name]
        raise ProfileError(
            f"Profile {profile_id!r}: indicator module {path} could not be loaded: "
            f"{type(exc).__name__}: {exc}",
            hint="Fix the module (each of its indicators needs an id no other indicator "
            "uses) and run again.",
        ) from None
    added = sorted(set(REGISTRY) - before)
    _MODULE_DEFINITIONS[name] = [REGISTRY[i] for i in added]
    for new in added:
        _FROM_PROFILES[new] = path


def forget_profile_indicators() -> None:
    """Remove every indicator a profile registered (tests, and a process moving on to
    another area), leaving the catalogue's own."""
    for indicator_id in list(_FROM_PROFILES):
        REGISTRY.pop(indicator_id, None)
    _FROM_PROFILES.clear()


def register_profile_indicators(profile: object) -> list[str]:
    """Register the profile's own indicators (YAML and Python modules); their ids.

    Called before the profile's evidence is built and before its reports read the
    registry. Then every id a weakness lists must be registered.

    Raises:
        ProfileError: an id clashes with a built-in one, or a weakness lists an id that
            neither the catalogue nor the profile defines.
    """
    profile_id = getattr(profile, "id", "?")
    ids = []
    for declared in getattr(profile, "indicators", ()) or ():
        _register_own(to_definition(declared), declared, profile_id)
        ids.append(declared.id)
    for module in getattr(profile, "indicator_modules", ()) or ():
        before = set(REGISTRY)
        _import_module(Path(module), profile_id)
        ids += sorted(set(REGISTRY) - before)
    for weakness in getattr(profile, "weaknesses", ()):
        unknown = [i for i in weakness.indicators if i not in REGISTRY]
        if unknown:
            raise ProfileError(
                f"Profile {profile_id!r}: weakness {weakness.id} lists indicator "
                f"{unknown[0]}, which neither the catalogue, the profile's indicators nor "
                "its indicator_modules define.",
                hint="Check the id, or the module that should register it.",
            )
    return ids
