"""The package's tree is its pipeline: every module lives in a layer's subpackage, no import runs back up a
layer (nor sideways between two packages of one layer), and no modules import each other in a circle.

Lazy imports inside functions count too; only ``if TYPE_CHECKING:`` blocks (annotations) are left out of the
circle check, never out of the layer check.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from repo_paths import SRC

# lowest first: a layer imports only from layers below it, or from itself
LAYERS = {
    "core": 0,  # IR, schema, errors, SQL names, sheet names
    "query": 1,  # the filter language and the CLI/REST spellings of a view
    "compiler": 2,  # IR -> sqlglot AST, per dialect
    "engines": 3,  # DuckDB and Spark: where compiled views run
    "export": 3,  # values leaving logsheet: JSON, CSV, pages, files
    "detect": 3,  # detections: Sigma rules compiled to the IR
    "enrich": 3,  # offline IP enrichment data: ip-ranges.json and .mmdb files as range tables
    "store": 4,  # the catalog, settings, remembered results
    "ingest": 5,  # discovery, formats, the import pipeline
    "analysis": 5,  # histogram, profile, preview beside the grid
    "report": 5,  # the case report (gathered through the workspace's facade, which calls it)
    "workspace": 6,  # the typed Python API
    "demo": 7,  # the demo incident (generates evidence, imports it through the API)
    "api": 8,  # the web server
    "cli": 9,  # the command line (serves the API)
    "web": 9,  # the built front end's package (no code)
}
TOP_LEVEL_ALLOWED = {"__init__.py", "__main__.py"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: Path) -> list[tuple[str, bool, int]]:
    """(imported logsheet module, only for type checking, line) for every import in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.body:
                    visit_one(sub, True)
                for sub in child.orelse:
                    visit_one(sub, typing_only)
                continue
            visit_one(child, typing_only)

    def visit_one(child: ast.AST, typing_only: bool) -> None:
        if isinstance(child, ast.Import):
            found.extend((a.name, typing_only, child.lineno) for a in child.names if a.name.startswith("logsheet"))
        elif isinstance(child, ast.ImportFrom):
            base = child.module or ""
            if child.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1] + ([base] if base else []))
            if base.startswith("logsheet"):
                for alias in child.names:
                    target = f"{base}.{alias.name}"
                    found.append((target if target in MODULES else base, typing_only, child.lineno))
        visit(child, typing_only)

    visit(tree, False)
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_lives_in_a_layer() -> None:
    stray = sorted(p.name for p in SRC.glob("*.py") if p.name not in TOP_LEVEL_ALLOWED)
    assert not stray, f"modules outside the layer subpackages: {stray}"
    packages = sorted(p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert set(packages) == set(LAYERS), f"subpackages without a layer (or layers without a package): {packages}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m)))  # __init__/__main__ may import any layer
def test_no_import_runs_back_up_a_layer(module: str) -> None:
    layer = _layer(module)
    assert layer is not None
    wrong = []
    for target, _typing, line in _imports(module, MODULES[module]):
        other = _layer(target)
        if other is None:
            if target != "logsheet":
                wrong.append(f"line {line}: {target}")
            continue
        if other != layer and LAYERS[other] >= LAYERS[layer]:
            wrong.append(f"line {line}: {target} ({other} is not below {layer})")
    assert not wrong, f"{module} imports up or across: {wrong}"


def test_no_import_circle() -> None:
    graph = {m: {t for t, typing_only, _ in _imports(m, p) if not typing_only and t in MODULES} for m, p in MODULES.items()}
    # Tarjan's strongly connected components
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    assert not circles, f"modules that import each other in a circle: {circles}"


def test_the_checks_see_the_tree() -> None:
    """The scan reads real imports (a check that parses nothing would pass anything)."""
    imports = {t for t, _, _ in _imports("logsheet.workspace.facade", MODULES["logsheet.workspace.facade"])}
    assert "logsheet.store.catalog" in imports and "logsheet.compiler" in imports
    assert len(MODULES) > 80
