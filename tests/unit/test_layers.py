"""The layering of the package, stated once and enforced.

Each stage package may import only itself and the stages listed before it in ``LAYERS``
(the order data flows: ingest -> indicators -> evidence -> reports -> publish), and no two
modules may import each other, directly or round a longer loop. Every import counts,
including those inside functions (the suite imports heavy modules lazily, and a lazy
upward import is still an upward dependency).

The rules, from the package's own docstring (``sendready/__init__.py``):

* ``stats`` imports nothing of the suite;
* ``ingest`` never imports indicators, evidence, reports or publish;
* ``indicators`` and ``evidence`` never import reports, publish or sample;
* ``reports`` never imports ingest or sample;
* ``cli`` and ``notebook`` are entry points and may import anything; ``dev`` likewise.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sendready

PACKAGE = Path(sendready.__file__).resolve().parent

# Lowest first. A stage may import the stages in its own row and any row above it, except
# where FORBIDDEN says otherwise.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"core", "stats"}),
    frozenset({"metadata"}),
    frozenset({"ingest", "comparators"}),
    frozenset({"indicators", "sample"}),
    frozenset({"evidence"}),
    frozenset({"privacy"}),
    frozenset({"reports", "lists"}),
    frozenset({"publish"}),
    frozenset({"cli", "notebook", "dev", "__main__"}),
)
# Narrower rules within the order above: (importer stage, imported stage).
FORBIDDEN: frozenset[tuple[str, str]] = frozenset(
    {
        *(("stats", other) for row in LAYERS for other in row if other != "stats"),
        ("ingest", "comparators"),
        ("reports", "ingest"),
        ("indicators", "sample"),
        ("sample", "indicators"),
    }
)
# The package's own ``__init__`` (the version) is below everything.
ROOT_MODULE = "sendready"


def _layer(stage: str) -> int:
    for number, row in enumerate(LAYERS):
        if stage in row:
            return number
    raise AssertionError(
        f"the module or package 'sendready.{stage}' is in no layer: add it to LAYERS in "
        "tests/unit/test_layers.py and to the table in sendready/__init__.py"
    )


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str) -> set[str]:
    """Every ``sendready`` module ``path`` imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == ROOT_MODULE)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module.split(".")[0] != ROOT_MODULE:
                continue
            # `from sendready.x import y` names a submodule y, or a name defined in x.
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                found.add(candidate if _exists(candidate) else module)
    return found


def _exists(module: str, package: Path = PACKAGE) -> bool:
    rel = Path(*module.split(".")[1:])
    base = package / rel
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    graph = {}
    for path in sorted(package.rglob("*.py")):
        name = module_name(path, package)
        graph[name] = {m for m in imports_of(path, name) if m != name}
    return graph


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, targets in sorted(graph.items()):
        here = stage_of(module)
        if here is None:
            continue
        for target in sorted(targets):
            there = stage_of(target)
            if there is None or there == here:
                continue
            if _layer(there) > _layer(here) or (here, there) in FORBIDDEN:
                problems.append(f"{module} imports {target} ({here} may not use {there})")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_stage_is_in_a_layer():
    for module in import_graph():
        if stage_of(module) is not None:
            _layer(stage_of(module))


def test_no_module_imports_a_later_stage():
    problems = upward_imports(import_graph())
    assert not problems, "upward imports:\n" + "\n".join(problems)


def test_no_import_cycles():
    loops = cycles(import_graph())
    assert not loops, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in loops)


def _copy_package(tmp_path: Path) -> Path:
    target = tmp_path / "sendready"
    for path in PACKAGE.rglob("*.py"):
        copy = target / path.relative_to(PACKAGE)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("ingest/validate.py", "from sendready.indicators import REGISTRY"),
        ("stats/spc.py", "from sendready.core.errors import SendreadyError"),
        ("reports/common.py", "from sendready.ingest.plan import IngestResult"),
        ("evidence/verdicts.py", "from sendready.reports import panels"),
    ],
)
def test_a_planted_upward_import_is_caught(tmp_path, module, planted):
    copy = _copy_package(tmp_path)
    path = copy / module
    # Inside a function, as the suite's lazy imports are: it must still count.
    path.write_text(
        path.read_text(encoding="utf-8") + f"\n\ndef _planted():\n    {planted}\n", encoding="utf-8"
    )
    problems = upward_imports(import_graph(copy))
    assert problems, f"{planted} in {module} went unnoticed"
    assert all(p.startswith(module_name(path, copy) + " imports") for p in problems), problems


def test_a_planted_cycle_is_caught(tmp_path):
    copy = _copy_package(tmp_path)
    dates = copy / "core" / "dates.py"
    dates.write_text(
        dates.read_text(encoding="utf-8") + "\n\nfrom sendready.core import formatting  # noqa\n",
        encoding="utf-8",
    )
    assert ["sendready.core.dates", "sendready.core.formatting"] in cycles(import_graph(copy))
