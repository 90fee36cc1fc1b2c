"""The hidden columns (row id, source id, position) are defined once, in ``logsheet.core.columns``.

A lint, as a test: no module of ``src/logsheet`` but ``core/columns.py`` spells ``__rowid``, ``__source`` or
``__pos`` in a string (docstrings and comments may name them), nor gives those names a second name of its
own (``SOURCE_COL = SOURCE``); and the row id the import writes is the number the docs promise."""

from __future__ import annotations

import ast
import re

import duckdb
import pytest
from sqlglot import exp

from logsheet.core.columns import POS, POSITION_BITS, ROWID, SOURCE, SYSTEM_COLUMNS, row_id
from logsheet.core.sqlnames import lit, render
from repo_paths import SRC

HOME = "core/columns.py"
HIDDEN = re.compile(r"(?<![A-Za-z0-9_])__(rowid|source|pos)(?![A-Za-z0-9_])")
NAMES = {"ROWID", "SOURCE", "POS"}
KNOWN_ALIASES: set[tuple[str, str]] = set()


def modules() -> list[str]:
    return sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py"))


def _documentation(tree: ast.AST) -> set[int]:
    """The ids of string statements: docstrings, and the strings that document an attribute after it."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def spelled(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string in the code (not documentation) that names a hidden column."""
    tree = ast.parse(source)
    docs = _documentation(tree)
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs and HIDDEN.search(node.value)
    )


def aliases(source: str) -> list[tuple[int, str]]:
    """(line, name) of module-level names bound to ROWID, SOURCE or POS (``SOURCE_COL = SOURCE``)."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        value = node.value
        named = (isinstance(value, ast.Name) and value.id in NAMES) or (isinstance(value, ast.Attribute) and value.attr in NAMES)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if named:
            found += [(node.lineno, t.id) for t in targets if isinstance(t, ast.Name)]
    return found


@pytest.mark.parametrize("module", [m for m in modules() if m != HOME])
def test_hidden_columns_are_named_only_in_core_columns(module: str) -> None:
    source = (SRC / module).read_text(encoding="utf-8")
    found = [f"line {line}: {text!r}" for line, text in spelled(source)]
    found += [f"line {line}: {name} is a second name" for line, name in aliases(source) if (module, name) not in KNOWN_ALIASES]
    assert not found, f"src/logsheet/{module} spells a hidden column; use logsheet.core.columns: {found}"


def test_core_columns_is_where_they_are_spelled() -> None:
    """The lint reads strings: the module that defines the names is what it would flag."""
    assert [text for _, text in spelled((SRC / HOME).read_text(encoding="utf-8"))] == ["__rowid", "__source", "__pos"]
    assert len(modules()) > 80


@pytest.mark.parametrize(
    "source",
    [
        'x = col("__rowid")',
        "x = exp.column('__source', 't')",
        'x = f"{name}.__pos"',
        'SYSTEM = ("__rowid", "__source")',
        "SOURCE_COL = SOURCE",
        "POS_COL: str = columns.POS",
    ],
)
def test_the_lint_flags_spellings(source: str) -> None:
    assert spelled(source) or aliases(source)


@pytest.mark.parametrize(
    "source",
    [
        '"""Every row has ``__rowid`` and ``__source``."""',
        'def f():\n    """Reads ``__pos``."""\n    return col(POS)  # __pos',
        'x = "__rowids"',
        'x = col("__position")',
        "from logsheet.core.columns import SOURCE",
        "def f(column: str = SOURCE) -> None: ...",
    ],
)
def test_the_lint_passes_documentation_and_other_names(source: str) -> None:
    assert not spelled(source) and not aliases(source)


def test_the_names() -> None:
    assert (ROWID, SOURCE, POS) == ("__rowid", "__source", "__pos")
    assert SYSTEM_COLUMNS == (ROWID, SOURCE)


def test_row_id_is_source_times_two_to_the_forty_plus_position() -> None:
    con = duckdb.connect()
    for source, position in ((3, 17), (1, 1), (2**20, 2**40 - 1)):
        row = con.execute(render(exp.select(row_id(lit(source), lit(position))))).fetchone()
        assert row == (source * 2**40 + position,)
    assert POSITION_BITS == 40
    assert '"__source"' in render(row_id()) and '"__pos"' in render(row_id())
