"""The relations a view's lookup and enrich steps join, built for the engine that runs the view.

:func:`externals` hands :class:`~logsheet.compiler.ViewPlan` each other sheet a lookup step names (its
Parquet parts read with its schema) and, for an enrich step, the workspace's stored IP range tables
(:mod:`logsheet.workspace.enrichment`). ``source`` is how the engine reads Parquet (``Engine.source``: DuckDB's
``read_parquet``, a temporary view on Spark), so the step compiles to the same plan on both.
:func:`versions` is what remembered totals of such a view also depend on, and :func:`lookup_counts` the
matched rows of each lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from logsheet.compiler.dialects import Dialect
from logsheet.compiler.lookup import Externals, lookup_sheets, matched_column, sheet_external
from logsheet.compiler.relation import Relation, sheet_relation
from logsheet.core import ir
from logsheet.core.errors import LogsheetError
from logsheet.core.schema import Schema
from logsheet.workspace import enrichment

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace

#: How an engine reads Parquet paths holding a schema, for a relation named after a sheet or table.
Source = Callable[[list[str], Schema, str], Dialect]


def externals(ws: Workspace, query: ir.Query | None, source: Source) -> Externals:
    if query is None or not query.steps:
        return {}
    out: dict[str, Relation] = {}
    for name in lookup_sheets(query):
        record = ws.sheet(name)
        paths = [str(ws.root / p) for p in record.data_paths()]
        if not paths:
            raise LogsheetError(f"sheet {name!r} has no rows to look up")
        out[sheet_external(name)] = sheet_relation(record.schema, paths, source(paths, record.schema, name))
    if any(isinstance(s, ir.Enrich) for s in query.steps):
        for key, (path, schema) in enrichment.tables(ws).items():
            paths = [str(path)]
            table = "logsheet_" + key.replace(":", "_")
            out[key] = sheet_relation(schema, paths, source(paths, schema, table))
    return out


def versions(ws: Workspace, query: ir.Query) -> tuple[Any, ...]:
    """The versions of what the view's steps join: other sheets, the enrichment files."""
    out: list[Any] = []
    for name in lookup_sheets(query):
        record = ws.sheet(name)
        out.append((record.id, record.row_count, record.updated_at))
    if any(isinstance(s, ir.Enrich) for s in query.steps):
        out.append(enrichment.version(ws))
    return tuple(out)


def lookup_counts(
    ws: Workspace, sheet: str, query: ir.Query, engine: str | None = None, timeout: float | None = None
) -> list[dict[str, Any]]:
    """For each lookup step of the view: the other sheet, its matched column and how many of the view's rows
    found a match (``matched``) of how many (``rows``)."""
    out = []
    for index, step in enumerate(query.steps):
        if not isinstance(step, ir.Lookup):
            continue
        matched = ir.Compare(matched_column(step), "=", True)
        where = matched if query.where is None else ir.And((query.where, matched))
        base = query.with_(group=None, columns=(), sort=())
        rows = ws.count(sheet, base, timeout, engine)
        hits = ws.count(sheet, base.with_(where=where), timeout, engine)
        out.append({"step": index, "sheet": step.sheet, "column": matched_column(step), "matched": hits, "rows": rows})
    return out


__all__ = ["Source", "externals", "lookup_counts", "versions"]
