"""The architecture holds: no import cycle, imports run one way between layers, no file too long.

The import graph is read with the standard library's ``ast`` (nothing is imported): an edge for
every ``import``/``from ... import`` that runs (at module level or in a function); those under
``if TYPE_CHECKING:`` are for annotations only and may point anywhere but never form a cycle at
run time. docs/architecture.md describes the layers.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("components", "stacks")
MAX_LINES = 450

# Lowest first: a module may import its own layer and the layers before it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "components._moved",
            "components.validation",
            "components.naming",
            "components.run_state",
            "components.aws_context",
            "components.policies",
            "components.dynamic",
        ),
    ),
    ("identity", ("components.identity",)),
    ("network", ("components.network",)),
    ("cluster", ("components.cluster",)),
    ("addons", ("components.addons",)),
    ("stacks", ("stacks",)),
)
SYNTH = "components.synth"
SYNTH_MAY_IMPORT = ("components.validation", "components.identity.cluster_ref")
"""The synth renders any program: it needs nothing of the components but these."""


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: Path) -> tuple[set[str], set[str]]:
    """The modules of this project ``module`` imports: (at run time, for type checking only)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    runtime: set[str] = set()
    typing_only: set[str] = set()

    def targets(node: ast.Import | ast.ImportFrom) -> set[str]:
        if isinstance(node, ast.Import):
            return {a.name for a in node.names if a.name in MODULES}
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, *([node.module] if node.module else [])])
        found = {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES}
        if base in MODULES and len(found) < len(node.names):
            found.add(base)
        return found

    def visit(node: ast.AST, under_type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for stmt in child.body:
                    visit_stmt(stmt, True)
                for stmt in child.orelse:
                    visit_stmt(stmt, under_type_checking)
            else:
                visit_stmt(child, under_type_checking)

    def visit_stmt(node: ast.AST, under_type_checking: bool) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            (typing_only if under_type_checking else runtime).update(targets(node))
        else:
            visit(node, under_type_checking)

    visit(ast.parse(path.read_text()), False)
    runtime.discard(module)
    return runtime, typing_only - runtime


@functools.cache
def graph() -> dict[str, tuple[set[str], set[str]]]:
    """Each module's imports of this project (:func:`_imports`), parsed once per process when a
    test first asks (not while pytest collects)."""
    return {m: _imports(m, p) for m, p in MODULES.items()}


def _layer(module: str) -> int | None:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def _cycles() -> list[list[str]]:
    """Every strongly connected group of more than one module in the run-time graph (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph()[v][0]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph()):
        if v not in index:
            strong(v)
    return groups


def test_the_graph_is_read() -> None:
    assert len(MODULES) > 40
    assert "components.identity.oidc" in graph()["components.identity.irsa"][0]
    assert "components.cluster" in graph()["components"][1]  # the lazy public API, for types


def test_no_import_cycle() -> None:
    assert _cycles() == []


def test_the_cycle_finder_finds_one() -> None:
    graph()["components.naming"][0].add("components.identity.iam")
    try:
        assert ["components.identity.iam", "components.naming"] in _cycles()
    finally:
        graph()["components.naming"][0].discard("components.identity.iam")


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "components"))
def test_imports_run_one_way(module: str) -> None:
    runtime, _ = graph()[module]
    if module.startswith(SYNTH):
        outside = {
            m
            for m in runtime
            if not m.startswith(SYNTH) and not m.startswith(SYNTH_MAY_IMPORT) and m != "components"
        }
        assert not outside, f"the synth imports {sorted(outside)}"
        return
    rank = _layer(module)
    assert rank is not None, f"{module} is in no layer (add it to LAYERS and docs/architecture.md)"
    upward = sorted(m for m in runtime if (_layer(m) or 0) > rank)
    assert not upward, f"{module} ({LAYERS[rank][0]}) imports upward: {upward}"


def test_network_and_cluster_do_not_import_each_other() -> None:
    for module, (runtime, _) in graph().items():
        if module.startswith("components.network"):
            assert not any(m.startswith("components.cluster") for m in runtime), module


@pytest.mark.parametrize("path", sorted(MODULES.values()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_file_is_too_long(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)}: {lines} lines (at most {MAX_LINES})"
