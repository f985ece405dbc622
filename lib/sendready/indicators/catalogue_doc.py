"""The indicator catalogue as Markdown, written from the registry itself.

``docs/indicators.md`` is what :func:`render_catalogue` returns for every registered
indicator, and ``sendready catalogue --out docs/indicators.md`` writes it. Because it is
generated from :data:`sendready.indicators.REGISTRY`, the document cannot describe one
definition while the code computes another; a unit test fails when the committed copy is
stale.

The renderer reads only the fields of :class:`~sendready.indicators.registry.IndicatorDefinition`
it knows, each with ``getattr`` and a default, so a field added to the definition later
does not break it (it simply is not shown until someone adds it here).

"Columns read" is found by reading the compute function's source: the string constants in
it, in the module-level helpers and constants it names, and in the arguments bound by
``functools.partial``, that are columns of the indicator's source contracts. Columns used
only inside the shared period helpers (``indicators.periods``) are not listed; where the
source cannot be read the entry says so rather than guess.
"""

from __future__ import annotations

import ast
import csv
import functools
import inspect
import sys
import textwrap
from collections.abc import Callable, Iterable
from importlib.resources import files

from sendready.indicators.registry import REGISTRY
from sendready.metadata.catalogue import INDICATOR_IDS
from sendready.metadata.contracts import CONTRACTS

COMMAND = "sendready catalogue --out docs/indicators.md"

# Headings for each family of ids, in catalogue order (the weakness numbers are Bury's 2017
# written statement of action, which the catalogue was first built around).
FAMILIES: dict[str, str] = {
    "EHC": "Statutory EHC process (cross-cutting)",
    "LEAD": "Strategic leadership and vision (W1)",
    "COP": "Co-production (W2)",
    "JOIN": "Joined-up working (W3)",
    "HINF": "Sharing of health information (W4)",
    "LO": "The local offer (W5)",
    "ID": "Identification of SEND at school level (W6)",
    "HAW": "Health practitioners' awareness of EHC plans (W7)",
    "JC": "Joint commissioning (W8)",
    # Beyond Bury's findings: what inspections across England commonly need.
    "PLC": "Placement in special schools",
    "TRN": "SEND training of mainstream school staff",
    "ND": "Support while waiting for a neurodevelopmental assessment",
    "EXC": "Suspensions and exclusions",
    "ATT": "Attendance",
    "PFA": "Preparation for adulthood",
    "TRB": "Appeals to the SEND Tribunal",
}
OTHER_FAMILY = "Other indicators"

UNIT_WORDS = {
    "percent": "percentage",
    "count": "count",
    "days": "days",
    "per_10000": "rate per 10,000",
    "gbp": "pounds (GBP)",
    "ratio": "ratio (1 = chance variation only)",
}
DIRECTION_WORDS = {
    "up": "higher is better",
    "down": "lower is better",
    "neutral": "neither (a context measure: no better direction)",
}
GRAIN_WORDS = {
    "month": "monthly series; the reporting quarter is computed the same way",
    "event": (
        "at each census or survey wave only; the quarter shows the latest one on or before "
        "the period end"
    ),
}
_BY_SPC = "judged on a control chart when it has 12 or more monthly points"
STATISTIC_WORDS = {
    "proportion": (
        "proportion, with a Wilson interval; judged on a p-chart when it has 12 or more "
        "monthly points, otherwise against the pooled baseline"
    ),
    "count": f"count; {_BY_SPC} (XmR)",
    "median": f"median; {_BY_SPC} (XmR)",
    "sum": f"total; {_BY_SPC} (XmR)",
    "rate": f"rate; {_BY_SPC} (XmR)",
}


# --- what the compute function reads --------------------------------------------------------


def _strings_in(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


@functools.cache
def _module_parts(module_name: str) -> tuple[dict[str, ast.AST], dict[str, ast.AST]] | None:
    """Top-level functions and assigned constants of a module, by name (None if unreadable)."""
    module = sys.modules.get(module_name)
    try:
        tree = ast.parse(inspect.getsource(module))
    except (TypeError, OSError, SyntaxError):
        return None
    functions: dict[str, ast.AST] = {}
    constants: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.value is not None:
                constants[node.target.id] = node.value
    return functions, constants


# Indicator modules whose helpers take column names as arguments rather than naming them.
_NOT_FOLLOWED = ("sendready.indicators.periods", "sendready.indicators.registry")


def _unwrap_partial(func: Callable) -> tuple[Callable, set[str]]:
    """The function under any ``functools.partial`` layers, and the strings they bind."""
    bound: set[str] = set()
    while isinstance(func, functools.partial):
        for value in [*func.args, *func.keywords.values()]:
            bound |= _strings_of_value(value)
        func = func.func
    return func, bound


def _followed_names(
    module_name: str, node: ast.AST, parts: tuple[dict, dict]
) -> list[tuple[str, str]]:
    """(module, name) of the helpers and constants ``node`` uses that are worth following."""
    functions, constants = parts
    namespace = vars(sys.modules[module_name])
    followed = []
    for used in _names_in(node):
        if used in functions or used in constants:
            followed.append((module_name, used))
            continue
        target = namespace.get(used)
        home = getattr(target, "__module__", None)
        if (
            callable(target)
            and isinstance(home, str)
            and home.startswith("sendready.indicators.")
            and home not in _NOT_FOLLOWED
        ):
            followed.append((home, getattr(target, "__name__", used)))
    return followed


def _strings_reachable(func: Callable) -> set[str] | None:
    """String constants in ``func`` and in the indicator helpers and constants it uses.

    Names are followed within the function's own module and into other modules of
    ``sendready.indicators`` (a shared helper such as the waits calculation), except the
    generic period helpers.
    """
    func, bound = _unwrap_partial(func)
    start = (getattr(func, "__module__", ""), getattr(func, "__name__", None))
    parts = _module_parts(start[0])
    if parts is None or start[1] not in parts[0]:
        return None
    found: set[str] = set(bound)
    seen: set[tuple[str, str]] = set()
    todo = [start]
    while todo:
        module_name, name = todo.pop()
        if (module_name, name) in seen:
            continue
        seen.add((module_name, name))
        parts = _module_parts(module_name)
        if parts is None:
            continue
        functions, constants = parts
        node = functions.get(name, constants.get(name))
        if node is None:
            continue
        found |= _strings_in(node)
        todo += _followed_names(module_name, node, parts)
    return found


def _strings_of_value(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings_of_value(v) for v in [*value, *value.values()]), set())
    if isinstance(value, list | tuple | set | frozenset):
        return set().union(*(_strings_of_value(v) for v in value), set())
    return set()


def columns_read(definition: object) -> dict[str, list[str]] | None:
    """Columns of each source the indicator's code names, in contract order, or None."""
    sources = tuple(getattr(definition, "sources", ()) or ())
    declared_columns = getattr(definition, "columns", None)
    if declared_columns is not None:  # a declared indicator says exactly what it reads
        return {
            source: [c for c in CONTRACTS[source].column_names if c in declared_columns[source]]
            for source in sources
            if source in CONTRACTS and source in declared_columns
        }
    compute = getattr(definition, "compute", None)
    strings = _strings_reachable(compute) if compute is not None else None
    if strings is None:
        return None
    out: dict[str, list[str]] = {}
    for source in sources:
        contract = CONTRACTS.get(source)
        if contract is not None:
            out[source] = [c for c in contract.column_names if c in strings]
    return out


# --- published benchmarks -------------------------------------------------------------------


@functools.cache
def _published() -> dict[str, dict[str, list[str]]]:
    """Geographies and periods of the shipped benchmark table, by indicator id."""
    path = files("sendready.comparators") / "data" / "published_benchmarks.csv"
    table: dict[str, dict[str, list[str]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            places = table.setdefault(row["indicator_id"], {})
            periods = places.setdefault(row["geography"], [])
            if row["period"] not in periods:
                periods.append(row["period"])
    return table


def _periods_words(periods: list[str]) -> str:
    ordered = sorted(periods)
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]} to {ordered[-1]}"


def benchmark_words(definition: object) -> str:
    key = getattr(definition, "benchmark_key", None)
    if not key:
        return "none published"
    places = _published().get(key)
    if not places:
        return f"key `{key}` (no figures shipped with the suite; an area may supply them)"
    shown = "; ".join(f"{place} ({_periods_words(p)})" for place, p in places.items())
    return f"key `{key}` in the shipped published figures: {shown}"


# --- rendering ------------------------------------------------------------------------------


def _family(indicator_id: str) -> str:
    prefix = indicator_id.rstrip("0123456789")
    return FAMILIES.get(prefix, OTHER_FAMILY)


def ordered_ids(ids: Iterable[str] | None = None) -> list[str]:
    """Registry ids in catalogue order (``INDICATOR_IDS``), then any others by id."""
    chosen = list(REGISTRY) if ids is None else list(ids)
    position = {i: n for n, i in enumerate(INDICATOR_IDS)}
    return sorted(chosen, key=lambda i: (position.get(i, len(position)), i))


def select(source: str | None = None, search: str | None = None) -> list[str]:
    """Ids of the registered indicators that read ``source`` and mention ``search``."""
    chosen = []
    for indicator_id in ordered_ids():
        definition = REGISTRY[indicator_id]
        if source and source not in (getattr(definition, "sources", ()) or ()):
            continue
        if search:
            haystack = " ".join(
                str(getattr(definition, name, "") or "")
                for name in ("id", "title", "numerator", "denominator", "notes")
            ).lower()
            if search.lower() not in haystack:
                continue
        chosen.append(indicator_id)
    return chosen


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _code_list(values: Iterable[str]) -> str:
    values = list(values)
    return ", ".join(f"`{v}`" for v in values) if values else "none"


def render_indicator(indicator_id: str) -> str:
    """One indicator's section: heading and a list of its facts."""
    d = REGISTRY[indicator_id]
    get = functools.partial(getattr, d)
    lines = [f"### {indicator_id}: {_cell(get('title', ''))}", ""]
    numerator = _cell(get("numerator", "") or "")
    denominator = get("denominator", None)
    lines.append(f"- **Numerator**: {numerator}")
    lines.append(f"- **Denominator**: {_cell(denominator) if denominator else 'none'}")
    sources = tuple(get("sources", ()) or ())
    if get("derived", False):
        # Derived indicators read the other indicators' results, not a staged table.
        lines.append("- **Sources**: the profile's other indicators and their targets")
    else:
        lines.append(f"- **Sources**: {_code_list(sources)}")
    columns = {} if get("derived", False) else columns_read(d)
    if columns is None:
        lines.append("- **Columns read**: not determined from the code")
    else:
        for source in sources:
            lines.append(f"  - `{source}` columns read: {_code_list(columns.get(source, []))}")
    grain = get("grain", "month")
    lines.append(f"- **Grain**: `{grain}`, {GRAIN_WORDS.get(grain, grain)}")
    unit = get("unit", "")
    lines.append(f"- **Unit**: `{unit}`, {UNIT_WORDS.get(unit, unit)}")
    statistic = get("statistic", "")
    lines.append(f"- **Statistic**: {STATISTIC_WORDS.get(statistic, statistic)}")
    direction = get("direction", "neutral")
    lines.append(f"- **Direction**: `{direction}`, {DIRECTION_WORDS.get(direction, direction)}")
    weaknesses = tuple(get("weaknesses", ()) or ())
    lines.append(
        "- **Usually evidences**: "
        + (
            ", ".join(weaknesses) + " (Bury 2017 numbering; profiles choose their own)"
            if weaknesses
            else "cross-cutting (no weakness of its own; profiles choose)"
        )
    )
    lines.append(f"- **Benchmark**: {benchmark_words(d)}")
    lines += _conditions(get("declared", None))
    notes = get("notes", "") or ""
    if notes:
        lines.append(f"- **Notes**: {_cell(notes)}")
    trend_caveat = get("trend_caveat", "") or ""
    if trend_caveat:
        # Shown beside every verdict it feeds, and keeps it from a strong verdict alone.
        lines.append(
            f"- **Trend caveat** (stated beside the verdicts it feeds): {_cell(trend_caveat)}"
        )
    return "\n".join(lines) + "\n"


def _conditions(declared: object) -> list[str]:
    """A declared indicator's definition as written in its YAML (rows, date, conditions)."""
    if declared is None:
        return []
    parts = [f"where `{_cell(w)}`" for w in declared.where]
    if declared.stock is not None:
        until = f" until `{declared.stock.open_until}`" if declared.stock.open_until else ""
        parts.append(f"open on the period's last day, from `{declared.stock.open_from}`{until}")
    else:
        parts.append(f"placed in a period by `{declared.date}`")
    if declared.denominator is not None and declared.denominator.when:
        parts.append(f"denominator when `{_cell(declared.denominator.when)}`")
    if declared.numerator.when:
        parts.append(f"numerator when `{_cell(declared.numerator.when)}`")
    if declared.breakdown:
        parts.append(f"also split by `{declared.breakdown}`")
    funnel = declared.funnel
    if funnel is not None and funnel.from_ == "breakdown":
        parts.append(f"a funnel of its quarter's figures by `{declared.breakdown}`")
    elif funnel is not None:
        parts.append(f"a funnel of schools' `sen_provision` {funnel.provision} at the census")
    return [f"- **Declared in YAML**: {'; '.join(parts)}"]


def _summary_table(ids: list[str]) -> str:
    rows = [
        "| id | title | sources | grain | direction | usually evidences |",
        "|---|---|---|---|---|---|",
    ]
    for indicator_id in ids:
        d = REGISTRY[indicator_id]
        rows.append(
            "| "
            + " | ".join(
                [
                    f"[{indicator_id}](#{_anchor(indicator_id, getattr(d, 'title', ''))})",
                    _cell(getattr(d, "title", "")),
                    ", ".join(getattr(d, "sources", ()) or ()),
                    str(getattr(d, "grain", "month")),
                    str(getattr(d, "direction", "neutral")),
                    ", ".join(getattr(d, "weaknesses", ()) or ()) or "cross-cutting",
                ]
            )
            + " |"
        )
    return "\n".join(rows) + "\n"


def _anchor(indicator_id: str, title: str) -> str:
    """The anchor GitHub gives the heading ``### <id>: <title>``."""
    text = f"{indicator_id}: {title}".lower()
    kept = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


INTRO = textwrap.dedent(
    """\
    # Indicator catalogue

    Generated from the indicator registry (`sendready.indicators.REGISTRY`); do not edit by
    hand. To regenerate it, run `{command}`. A unit test fails when this file no longer
    matches the registry. How the figures are judged is in [method.md](method.md); the assumptions
    behind the definitions are collected in
    [assumptions-and-caveats.md](assumptions-and-caveats.md).

    Ids are stable: area profiles name them. Every id a profile may use is listed in
    `sendready.metadata.catalogue.INDICATOR_IDS`. Each entry gives the definition in words
    (numerator and denominator), the staged sources and the columns its code names (found
    by reading the code: a column named by a helper it shares with other indicators may be
    listed, and one used only by the generic period helpers may be left out),
    the grain, unit, statistic and improvement direction, the weaknesses it usually
    evidences, the published benchmark shipped with the suite, and the definition's notes
    (which also appear under "Data quality and caveats" in every weakness report that uses
    it).
    """
)


def render_catalogue(ids: Iterable[str] | None = None) -> str:
    """The catalogue as Markdown: every registered indicator, or only ``ids``.

    The whole document (``ids`` of None) also lists catalogue ids that are computed outside
    the registry.
    """
    whole = ids is None
    chosen = ordered_ids(ids)
    parts = [INTRO.format(command=COMMAND)]
    if whole:
        parts.append(f"The registry defines {len(chosen)} indicators.\n")
    parts.append("## Summary\n")
    parts.append(_summary_table(chosen))
    family = None
    for indicator_id in chosen:
        if _family(indicator_id) != family:
            family = _family(indicator_id)
            parts.append(f"## {family}\n")
        parts.append(render_indicator(indicator_id))
    return "\n".join(parts)
