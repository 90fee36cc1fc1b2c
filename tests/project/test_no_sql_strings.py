"""A lint, as a test: no SQL is built from strings in logsheet.

SQL is a sqlglot AST everywhere (``logsheet.core.sqlnames`` quotes identifiers and makes literals). Scanning
``src/logsheet/**/*.py`` with ``ast``, this fails when

1. a string that looks like SQL (a literal, an f-string, a concatenation, a ``%``/``.format`` template, or a
   module constant holding one) is passed to ``.execute(`` / ``.executemany(`` / ``.executescript(`` /
   ``.sql(`` / ``.query(`` — except in the modules that own SQL: ``store/catalog.py`` (SQLite, plain literals with
   ``?`` parameters, never f-strings) and the constant ``SET name = ?`` session settings in ``engines/duckdb.py``;
2. any f-string (anywhere in src) contains SQL keywords;
3. an f-string or a concatenation is handed to a sqlglot entry point that parses text as SQL
   (``parse_one``, ``exp.condition``, ``maybe_parse``, or a builder method such as ``.where(``);
4. a sqlglot expression is rendered with its own ``.sql(...)`` anywhere but ``core/sqlnames.py``: SQL becomes
   text only through ``logsheet.core.sqlnames.render`` (or a dialect's ``render``, which calls it).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlglot.dialects import Dialects

from repo_paths import SRC

_STATEMENT = r"(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY|ATTACH|DETACH|WITH)"
_CLAUSE = r"(FROM|INTO|TABLE|VIEW|INDEX|SET|WHERE|DATABASE|VALUES|AS)"
# SQL text: a statement keyword followed by a clause keyword, either in capitals anywhere (SQL style), or in any
# case at the start of the text; or a session/transaction command. English messages ("cannot select a column
# from the list", "import it into its own sheet") do not match.
SQL = re.compile(
    rf"\b{_STATEMENT}\b[\s\S]*?\b{_CLAUSE}\b"
    rf"|(?i:^\s*{_STATEMENT}\b[\s\S]*?\b{_CLAUSE}\b)"
    r"|(?i:^\s*(SET|PRAGMA|INSTALL|LOAD|CALL|BEGIN|COMMIT|ROLLBACK|VACUUM|CHECKPOINT)\s)"
)
EXECUTORS = {"execute", "executemany", "executescript", "sql", "query"}
SQLGLOT_PARSERS = {
    "parse_one",
    "parse",
    "condition",
    "maybe_parse",
    "where",
    "having",
    "qualify",
    "select",
    "from_",
    "join",
    "order_by",
    "group_by",
    "and_",
    "or_",
}
# Modules that own SQL text, and what they may do with it.
SQLITE_MODULES = {"store/catalog.py"}
SETTING = re.compile(r"SET\s+[A-Za-z_][A-Za-z0-9_]*\s*=\s*(\?|'[^']*'|[A-Za-z0-9_]+)")
SETTINGS_MODULES = {"engines/duckdb.py"}


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"src/logsheet/{self.module}:{self.line}: {self.what}"


def modules() -> list[str]:
    return sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py"))


def _template_text(node: ast.AST, constants: dict[str, str]) -> str | None:
    """The static text of a string expression (literal parts of f-strings, concatenations, templates)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else " ? " for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        left = _template_text(node.left, constants)
        right = _template_text(node.right, constants)
        if left is None and right is None:
            return None
        return (left or " ? ") + " " + (right or " ? ")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return _template_text(node.func.value, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    return None


def _is_dynamic(node: ast.AST) -> bool:
    """A string built at run time: an f-string with values, a concatenation, or a template fill."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _template_text(node, {}) is not None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _template_text(node.func.value, {}) is not None
    return False


def scan(module: str, root: Path = SRC) -> list[Violation]:
    tree = ast.parse((root / module).read_text(encoding="utf-8"), filename=module)
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    found: list[Violation] = []
    for node in ast.walk(tree):
        # rule 2: f-strings that read like SQL, anywhere
        if isinstance(node, ast.JoinedStr):
            text = _template_text(node, constants) or ""
            if SQL.search(text):
                found.append(Violation(module, node.lineno, f"f-string with SQL keywords: {text[:80]!r}"))
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or not node.args:
            continue
        first = node.args[0]
        method = node.func.attr
        # rule 1: SQL text handed to an executor
        if method in EXECUTORS:
            sql_text = _template_text(first, constants)
            if sql_text is None or not SQL.search(sql_text):
                continue
            text = sql_text
            if _is_dynamic(first):
                found.append(Violation(module, node.lineno, f".{method}() of SQL built from strings: {text[:80]!r}"))
            elif module in SQLITE_MODULES and root == SRC:
                continue  # the catalog's own SQLite statements, literal text with ? parameters
            elif module in SETTINGS_MODULES and root == SRC and SETTING.fullmatch(text.strip()):
                continue  # constant session settings
            else:
                found.append(Violation(module, node.lineno, f".{method}() of a SQL string literal: {text[:80]!r}"))
        # rule 3: text parsed as SQL by sqlglot
        elif method in SQLGLOT_PARSERS and any(_is_dynamic(a) for a in node.args):
            found.append(Violation(module, node.lineno, f"sqlglot .{method}() parses a string built at run time"))
    return sorted(set(found), key=lambda v: v.line)


# rule 4: where sqlglot's .sql() may be called: only in core/sqlnames.render.
RENDER_MODULES = {"core/sqlnames.py"}
DIALECT_NAMES = {d.value for d in Dialects if d.value}
SQL_OPTIONS = {"dialect", "pretty", "identify", "normalize", "pad", "indent", "comments", "unsupported_level"}


def _renders(node: ast.Call) -> bool:
    """Whether a call reads as sqlglot's ``Expression.sql(dialect=None, **options)``: ``.sql()``, ``.sql("duckdb")``
    or ``.sql(dialect=..., pretty=...)`` — not a connection's ``.sql(text)`` nor ``Workspace.sql(sheet, view)``."""
    if not isinstance(node.func, ast.Attribute) or node.func.attr != "sql" or len(node.args) > 1:
        return False
    if node.args:
        first = node.args[0]
        return isinstance(first, ast.Constant) and first.value in DIALECT_NAMES
    return all(k.arg in SQL_OPTIONS for k in node.keywords)


def renderings(module: str, root: Path = SRC) -> list[Violation]:
    """Rule 4: sqlglot expressions turned into text by their own ``.sql()`` outside ``core/sqlnames.py``."""
    if root == SRC and module in RENDER_MODULES:
        return []
    tree = ast.parse((root / module).read_text(encoding="utf-8"), filename=module)
    return [
        Violation(module, node.lineno, "sqlglot .sql() outside core/sqlnames.py: use logsheet.core.sqlnames.render")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _renders(node)
    ]


KNOWN: dict[str, pytest.MarkDecorator] = {}


@pytest.mark.parametrize(
    "module", [pytest.param(m, marks=KNOWN[m]) if m in KNOWN else m for m in modules()], ids=lambda m: str(m)
)
def test_no_sql_built_from_strings(module: str) -> None:
    violations = scan(module)
    assert not violations, "\n".join(str(v) for v in violations)


@pytest.mark.parametrize("module", modules(), ids=lambda m: str(m))
def test_sql_becomes_text_only_through_render(module: str) -> None:
    violations = renderings(module)
    assert not violations, "\n".join(str(v) for v in violations)


def test_the_render_check_sees_the_calls() -> None:
    """render() itself calls .sql(): scanned as any other module, it is flagged (a check that matched nothing
    would pass anything); only the allowance makes it pass."""
    assert renderings("logsheet/core/sqlnames.py", SRC.parent)
    assert not renderings("core/sqlnames.py")


def test_the_scan_sees_the_modules() -> None:
    names = modules()
    assert "compiler/__init__.py" in names and "store/catalog.py" in names and "engines/duckdb.py" in names
    assert len(names) >= 20


def test_catalog_uses_no_fstrings_for_sql() -> None:
    tree = ast.parse((SRC / "store" / "catalog.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EXECUTORS and node.args:
            assert not _is_dynamic(node.args[0]), f"store/catalog.py:{node.lineno} builds SQL at run time"


def test_engine_settings_are_parameters() -> None:
    tree = ast.parse((SRC / "engines" / "duckdb.py").read_text(encoding="utf-8"))
    literals = [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "execute"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]
    assert literals, "expected engine.configure() to set session options"
    assert all(SETTING.fullmatch(text) for text in literals), literals


# ---------------------------------------------------------------------------------- the lint catches things
BAD_EXAMPLES = [
    'con.execute(f"SELECT * FROM {table}")',
    'con.execute("SELECT * FROM t WHERE a = " + value)',
    'con.execute("DELETE FROM t WHERE a = %s" % value)',
    'con.sql("SELECT {} FROM t".format(column))',
    'con.execute("DROP TABLE victim")',
    'message = f"INSERT INTO t VALUES ({value})"',
    'select.where(f"{column} = 1")',
    'con.execute(f"select * from {table}")',
    'con.execute("pragma table_info(t)")',
    'QUERY = "SELECT * FROM t"\ncon.execute(QUERY)',
]
GOOD_EXAMPLES = [
    'con.execute(statement.sql("duckdb"))',
    'raise ValueError(f"cannot select {name!r}; pick a column from the list")',
    'con.execute(copy.sql(dialect="duckdb"), [value])',
    'click.echo(f"deleted {sheet!r}")',
    'raise ValueError(f"the {name} parser is not available yet; import as text and split the lines")',
    'raise ValueError(f"detected as {a}, but this sheet is {b}: import it into its own sheet")',
]


@pytest.mark.parametrize("source", BAD_EXAMPLES)
def test_lint_flags_bad_code(tmp_path: Path, source: str) -> None:
    (tmp_path / "bad.py").write_text(source + "\n")
    assert scan("bad.py", tmp_path)


@pytest.mark.parametrize("source", GOOD_EXAMPLES)
def test_lint_passes_good_code(tmp_path: Path, source: str) -> None:
    (tmp_path / "good.py").write_text(source + "\n")
    assert not scan("good.py", tmp_path)


RENDER_BAD = [
    'con.execute(statement.sql("duckdb"))',
    'text = select.sql(dialect="spark", pretty=True)',
    "text = node.sql()",
    "return ident(name).sql(dialect=self.dialect)",
    'x = exp.DataType.build("BIGINT").sql("trino")',
]
RENDER_GOOD = [
    "con.execute(render(statement))",
    "relation = con.sql(render(select))",  # a DuckDB connection running text
    'click.echo(ws.sql(sheet, view, dialect="spark", limit=10))',  # Workspace.sql(sheet, view)
    "return self.session.sql(self.sql(statement))",
    'con.sql("my_table")',  # text that is no dialect name
]


@pytest.mark.parametrize("source", RENDER_BAD)
def test_render_check_flags_sql_calls(tmp_path: Path, source: str) -> None:
    (tmp_path / "bad.py").write_text(source + "\n")
    assert renderings("bad.py", tmp_path)


@pytest.mark.parametrize("source", RENDER_GOOD)
def test_render_check_passes_other_sql_methods(tmp_path: Path, source: str) -> None:
    (tmp_path / "good.py").write_text(source + "\n")
    assert not renderings("good.py", tmp_path)
