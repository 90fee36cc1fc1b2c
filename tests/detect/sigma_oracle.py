"""The differential oracle's machinery: a sheet's events as a SQLite table (the columns the rules use, taken
from what logsheet imported), the SQL pySigma's SQLite backend writes for a rule, and the rows each side flags."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sigma.backends.sqlite import sqliteBackend
from sigma.collection import SigmaCollection

from logsheet.compiler.resolve import resolve
from logsheet.core import ir
from logsheet.detect import CompiledRule
from logsheet.workspace import Workspace

PAGE = 10_000


def columns_of(pred: ir.Predicate) -> set[str]:
    if isinstance(pred, (ir.And, ir.Or)):
        return set().union(*(columns_of(p) for p in pred.items))
    if isinstance(pred, ir.Not):
        return columns_of(pred.item)
    if isinstance(pred, ir.CompareColumns):
        return {pred.column, pred.other}
    column = getattr(pred, "column", None)
    return {column} if isinstance(column, str) else set()


def matched_rowids(ws: Workspace, sheet: str, pred: ir.Predicate) -> set[int]:
    out: set[int] = set()
    offset = 0
    first = ws.sheet(sheet).schema.names()[0]
    while True:
        page = ws.query(sheet, ir.Query(where=pred, columns=(first,)), limit=PAGE, offset=offset, with_total=False)
        out.update(page.rowids)
        if len(page.rowids) < PAGE:
            return out
        offset += PAGE


def _regexp(pattern: str, value: Any) -> bool:
    if value is None:
        return False
    return re.search(pattern, str(value)) is not None


def sqlite_table(ws: Workspace, sheet: str, fields: Iterable[str]) -> sqlite3.Connection:
    """The sheet's rows as table ``logs``: ``__rowid`` and one column per Sigma field, holding what logsheet
    stored (a JSON path's value as logsheet extracts it)."""
    schema = ws.sheet(sheet).schema
    fields = sorted(fields)
    steps: list[ir.Step] = []
    selected: list[str] = []
    for i, name in enumerate(fields):
        target = resolve(name, schema)
        if target.json_path:
            steps.append(ir.ExtractJson(name, f"sigma_field_{i}"))
            selected.append(f"sigma_field_{i}")
        else:
            selected.append(name)
    db = sqlite3.connect(":memory:")
    db.create_function("regexp", 2, _regexp, deterministic=True)
    quoted = ", ".join('"' + f.replace('"', '""') + '"' for f in fields)
    db.execute(f"CREATE TABLE logs (__rowid INTEGER PRIMARY KEY, {quoted})")
    marks = ", ".join("?" for _ in range(len(fields) + 1))
    offset = 0
    while True:
        page = ws.query(sheet, ir.Query(steps=tuple(steps), columns=tuple(selected)), limit=PAGE, offset=offset)
        rows = [(rid, *(_sqlite_value(v) for v in row)) for rid, row in zip(page.rowids, page.rows)]
        db.executemany(f"INSERT INTO logs VALUES ({marks})", rows)
        if len(page.rows) < PAGE:
            return db
        offset += PAGE


def _sqlite_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float)):
        return value
    return str(value)


@dataclass
class Conversion:
    sql: list[str]
    error: str = ""


def backend_sql(text: str, keyword_column: str | None) -> Conversion:
    options: dict[str, Any] = {"collate_nocase": True}
    if keyword_column:
        options["fulltext_field"] = keyword_column
    backend = sqliteBackend(**options)
    try:
        return Conversion(list(backend.convert(SigmaCollection.from_yaml(text))))
    except Exception as exc:  # noqa: BLE001 - any refusal of the backend is a rule it does not convert
        return Conversion([], f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")


def sqlite_rowids(db: sqlite3.Connection, sql: list[str]) -> set[int]:
    out: set[int] = set()
    for statement in sql:
        cursor = db.execute(statement)
        index = [c[0] for c in cursor.description].index("__rowid")
        out.update(int(r[index]) for r in cursor.fetchall())
    return out


@dataclass
class Outcome:
    rule: CompiledRule
    sheet: str
    ours: set[int]
    theirs: set[int]

    @property
    def agrees(self) -> bool:
        return self.ours == self.theirs
