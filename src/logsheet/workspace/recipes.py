"""Recipes: the steps of a view (filters, derived columns, lookups, groups: its IR) saved to a file and applied
to another sheet or to new evidence.

A recipe file is JSON: ``{"logsheet_recipe": 1, "name", "from": {"sheet", "format", "time_column", "columns"},
"query": <IR>,
"sql": {"duckdb", "spark", "trino"}, "created_at"}``. ``columns`` are the sheet columns the view reads (what a
sheet it is applied to must have, or be mapped to); ``sql`` is the view as SQL for DuckDB, Spark and
Trino/Athena (the Spark and Trino forms read the sheet from a table named after it). Applying checks the view
against the target sheet — a column it does not have is named, with the ``--map OLD=NEW`` that would use
another — and renames columns by the mapping first. The recipe's time column is read as the target's time
column (``eventTime`` as ``timestamp``) unless mapped otherwise; on a target without one, sorts on it go.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logsheet.core import ir
from logsheet.core.errors import InvalidQuery, LogsheetError
from logsheet.store.catalog import now

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace

VERSION = 1
DIALECTS = ("duckdb", "spark", "trino")
MAX_BYTES = 8 * 1024 * 1024
NAME_FIELDS = ("column", "other")  # a field naming one column
NAMES_FIELDS = ("columns", "keys")  # a field naming several
MADE_FIELDS = ("name", "names")  # a step's new columns


def referenced(query: ir.Query) -> list[str]:
    """The columns a view reads from its sheet, in order of first use (JSON paths by their column; columns its
    own steps make left out)."""
    made: set[str] = set()
    out: list[str] = []

    def use(name: str) -> None:
        root = name.split(".", 1)[0].split("[", 1)[0] if name not in made else name
        if name not in made and root not in made and name not in out:
            out.append(name)

    def walk(node: Any, in_step: bool) -> None:
        if isinstance(node, (list, tuple)):
            for item in node:
                walk(item, in_step)
            return
        if not dataclasses.is_dataclass(node):
            return
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name in NAME_FIELDS and isinstance(value, str) and value:
                use(value)
            elif f.name in NAMES_FIELDS and isinstance(value, tuple):
                for item in value:
                    if isinstance(item, str):
                        use(item)
            elif f.name == "path" and isinstance(value, str) and isinstance(node, ir.ExtractJson):
                use(value)
            else:
                walk(value, in_step)
        if in_step:
            for name in MADE_FIELDS:
                value = getattr(node, name, None)
                if isinstance(value, str) and value:
                    made.add(value)
                elif isinstance(value, tuple):
                    made.update(v for v in value if isinstance(v, str))

    for step in query.steps:
        walk(step, True)
        if isinstance(step, ir.Rename):
            made.add(step.name)
    walk(query.where, False)
    walk(query.sort, False)
    walk(query.group, False)
    for name in query.columns:
        use(name)
    return out


def renamed(query: ir.Query, mapping: Mapping[str, str]) -> ir.Query:
    """``query`` with every column named in ``mapping`` renamed (a JSON path by its column: ``a.b`` → ``x.b``)."""
    if not mapping:
        return query

    def rename(name: str) -> str:
        if name in mapping:
            return mapping[name]
        root, dot, rest = name.partition(".")
        return mapping[root] + dot + rest if dot and root in mapping else name

    def walk(node: Any) -> Any:
        if isinstance(node, tuple):
            return tuple(walk(item) for item in node)
        if not dataclasses.is_dataclass(node) or isinstance(node, type):
            return node
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name in NAME_FIELDS and isinstance(value, str):
                changes[f.name] = rename(value)
            elif f.name in NAMES_FIELDS and isinstance(value, tuple):
                changes[f.name] = tuple(rename(v) if isinstance(v, str) else walk(v) for v in value)
            elif f.name == "path" and isinstance(node, ir.ExtractJson):
                changes[f.name] = rename(value)
            elif dataclasses.is_dataclass(value) or isinstance(value, tuple):
                changes[f.name] = walk(value)
        return dataclasses.replace(node, **changes) if changes else node

    result = walk(query)
    assert isinstance(result, ir.Query)
    return result


def export_recipe(ws: Workspace, sheet: str, view: str) -> dict[str, Any]:
    """The recipe of a saved view of a sheet."""
    query = saved_view(ws, sheet, view)
    return recipe_of(ws, sheet, query, view)


def recipe_of(ws: Workspace, sheet: str, query: ir.Query, name: str = "") -> dict[str, Any]:
    record = ws.sheet(sheet)
    ws.plan(sheet, query).columns()  # the view holds on its own sheet
    return {
        "logsheet_recipe": VERSION,
        "name": name,
        "from": {"sheet": sheet, "format": record.format, "time_column": record.time_column, "columns": referenced(query)},
        "query": ir.query_to_json(query),
        "sql": {d: ws.sql(sheet, query, dialect=d) for d in DIALECTS},
        "created_at": now(),
    }


def saved_view(ws: Workspace, sheet: str, view: str) -> ir.Query:
    for saved in ws.views(sheet):
        if saved["name"] == view:
            if saved["query"] is None:
                raise LogsheetError(f"the saved view {view!r} cannot be read by this logsheet: {saved.get('error')}")
            return ir.query_from_json(saved["query"])
    names = ", ".join(repr(v["name"]) for v in ws.views(sheet)) or "none"
    from logsheet.core.errors import NotFound

    raise NotFound(f"sheet {sheet!r} has no saved view named {view!r} (views: {names})")


def read_recipe(data: bytes | str | Mapping[str, Any], source: str = "the recipe") -> tuple[ir.Query, dict[str, Any]]:
    """The view of a recipe (its file's bytes, its text or its JSON) and the recipe itself."""
    if isinstance(data, (bytes, str)):
        if len(data) > MAX_BYTES:
            raise LogsheetError(f"{source} is larger than {MAX_BYTES // (1024 * 1024)} MiB: not a recipe")
        try:
            parsed = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise LogsheetError(f"{source} is not JSON: {exc}") from None
    else:
        parsed = dict(data)
    if not isinstance(parsed, dict) or parsed.get("logsheet_recipe") != VERSION or "query" not in parsed:
        raise LogsheetError(f"{source} is not a logsheet recipe (version {VERSION}: logsheet recipe export writes one)")
    return ir.query_from_json(parsed["query"]), parsed


def apply_recipe(
    ws: Workspace,
    data: bytes | str | Mapping[str, Any],
    sheet: str,
    mapping: Mapping[str, str] | None = None,
    save_as: str | None = None,
    source: str = "the recipe",
) -> dict[str, Any]:
    """Check a recipe's view against ``sheet`` (columns renamed by ``mapping`` first) and, with ``save_as``,
    save it there; answers ``{sheet, query, columns, rows}`` (``rows``: the view's rows, or groups)."""
    query, recipe = read_recipe(data, source)
    record = ws.sheet(sheet)
    query = renamed(query, {**_time_mapping(recipe, record.time_column, record.schema.names()), **(mapping or {})})
    query = _without_sorts_on(query, _unmatched_time(recipe, record.time_column, record.schema.names(), mapping or {}))
    missing = _missing(record.schema.names(), query)
    try:
        columns = ws.plan(sheet, query).columns()
    except InvalidQuery as exc:
        if missing:
            maps = " ".join(f"--map {m}=COLUMN" for m in missing)
            raise InvalidQuery(
                f"the recipe reads column(s) {', '.join(repr(m) for m in missing)}, which sheet {sheet!r} does not have; "
                f"map each to a column of the sheet ({maps}). ({exc})"
            ) from None
        raise
    if save_as:
        ws.save_view(sheet, save_as, query)
    rows = ws.count(sheet, query)
    ws.record("apply recipe", [sheet], name=recipe.get("name", ""), source=source, map=dict(mapping or {}), saved_as=save_as)
    return {
        "sheet": sheet,
        "query": ir.query_to_json(query),
        "columns": [c.name for c in columns],
        "rows": rows,
        "saved_as": save_as,
    }


def _source_time(recipe: Mapping[str, Any]) -> str | None:
    origin = recipe.get("from")
    found = origin.get("time_column") if isinstance(origin, dict) else None
    return found if isinstance(found, str) and found else None


def _time_mapping(recipe: Mapping[str, Any], target_time: str | None, names: list[str]) -> dict[str, str]:
    """The recipe's time column read as the target sheet's (``eventTime`` → ``timestamp``), unless the target
    has a column of that name."""
    source = _source_time(recipe)
    if source and target_time and source != target_time and source not in names:
        return {source: target_time}
    return {}


def _unmatched_time(
    recipe: Mapping[str, Any], target_time: str | None, names: list[str], mapping: Mapping[str, str]
) -> str | None:
    """The recipe's time column when the target sheet has no time column nor a column of that name (its sorts
    on time then go: the rows keep their order)."""
    source = _source_time(recipe)
    return source if source and not target_time and source not in names and source not in mapping else None


def _without_sorts_on(query: ir.Query, column: str | None) -> ir.Query:
    if column is None:
        return query
    return query.with_(sort=tuple(k for k in query.sort if k.column != column))


def _missing(names: list[str], query: ir.Query) -> list[str]:
    present = set(names)
    out = []
    for name in referenced(query):
        root = name.split(".", 1)[0].split("[", 1)[0]
        if name in present or root in present:
            continue
        if any(name.startswith(p + ".") for p in present):
            continue
        out.append(name)
    return out


def write(recipe: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(recipe, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
