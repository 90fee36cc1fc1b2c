"""A case's timeline: every sheet of the case with a time column, merged in time (the workspace's side of
``logsheet timeline`` and ``/api/cases/{name}/timeline``).

The timeline is compiled like a sheet's view (:mod:`logsheet.compiler.timeline`: a union of one projection per
sheet, on which :class:`~logsheet.compiler.ViewPlan` runs the filter language, search, sort, groups and
counts); a view without a sort is oldest first. On Spark a page sorted by time is read as a top-N per sheet,
merged (:func:`logsheet.compiler.timeline.top_rowids_sql`), then its rows by id; DuckDB's top-N over the union
is faster there (:func:`top_n_per_sheet`). Sheets without a time column are
left out, and :attr:`Timeline.left_out` says so. The histogram is stacked by sheet: one count per sheet in
every bucket of the whole timeline's histogram.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from logsheet import analysis
from logsheet.compiler import OutputColumn, ViewPlan, paging
from logsheet.compiler import timeline as compiled
from logsheet.compiler.relation import Relation
from logsheet.core import ir
from logsheet.core.errors import LogsheetError
from logsheet.engines.base import DEFAULT_TIMEOUT, Engine
from logsheet.export.files import export_format, write_view
from logsheet.export.page import MAX_PAGE, Page, empty_page
from logsheet.export.render import json_value
from logsheet.ingest import formats
from logsheet.store.totals import sheet_key

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace

OLDEST_FIRST = (ir.SortKey(compiled.TIME),)


@dataclass(frozen=True)
class Timeline:
    """A compiled timeline view: the case, its sheets in the timeline, those left out (and why), the plan over
    the union, one plan per sheet (the same view over that sheet's branch) and the engine that runs them."""

    case: str
    sheets: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...]
    plan: ViewPlan
    branches: tuple[ViewPlan, ...]
    runner: Engine
    key: tuple[Any, ...]  # the version of every sheet (what a remembered total depends on)

    def notes(self) -> list[str]:
        return [f"sheet {name!r} is not in the timeline: {why}" for name, why in self.left_out]


@dataclass
class StackedHistogram:
    """The timeline's histogram and, per sheet, its count in each of the same buckets."""

    histogram: analysis.Histogram
    by_sheet: dict[str, list[int]]

    def to_json(self) -> dict[str, Any]:
        return {**self.histogram.to_json(), "sheets": [{"sheet": s, "counts": c} for s, c in self.by_sheet.items()]}


def oldest_first(query: ir.Query | None) -> ir.Query:
    """The view, sorted by time (oldest first) when it has neither a sort nor groups."""
    query = query or ir.Query()
    if query.sort or query.group is not None:
        return query
    return query.with_(sort=OLDEST_FIRST)


def compile_timeline(ws: Workspace, case: str | None, query: ir.Query | None, engine: str | None = None) -> Timeline:
    """The timeline of ``case`` (default: the default case) compiled for the engine views run on."""
    found = ws.case(case)
    runner = ws.engines.engine_for(engine, None)
    sheets, left_out, key = [], [], []
    dialect = None
    for name in found.sheets:
        record = ws.sheet(name)
        paths = [str(ws.root / p) for p in record.data_paths()]
        if not record.time_column or record.schema.get(record.time_column) is None:
            left_out.append((name, "it has no time column"))
            continue
        if record.schema.get(record.time_column).type != "timestamp":  # type: ignore[union-attr]
            left_out.append((name, f"its time column {record.time_column!r} holds no timestamps"))
            continue
        if not paths:
            left_out.append((name, "it has no rows"))
            continue
        notes = ws.annotations_file(record)
        sheet_dialect = runner.source(paths, record.schema, notes)
        dialect = dialect or sheet_dialect
        entities = formats.entity_columns(record.format, record.schema.names())
        source = sheet_dialect.source(paths)
        marks = sheet_dialect.annotations_source(notes) if notes else None
        sheets.append(compiled.TimelineSheet(name, record.format, record.schema, record.time_column, entities, source, marks))
        key.append(sheet_key(record, notes))
    if not sheets or dialect is None:
        why = "; ".join(f"{n}: {w}" for n, w in left_out) or "it holds no sheets"
        raise LogsheetError(f"case {found.name!r} has no sheet with a time column to make a timeline of ({why})")
    view = oldest_first(query)
    relation = compiled.timeline_relation(sheets)
    notes_on, schema = compiled.annotated(sheets), relation.schema
    plan = ViewPlan(view, schema, [], dialect, compiled.TIME, relation=relation, annotated=notes_on)
    branches = tuple(
        ViewPlan(
            view, schema, [], dialect, compiled.TIME, relation=Relation(compiled.branch(s, notes_on), schema), annotated=notes_on
        )
        for s in sheets
    )
    names = tuple(s.name for s in sheets)
    return Timeline(found.name, names, tuple(left_out), plan, branches, runner, (found.name, *key))


def page(
    ws: Workspace,
    case: str | None,
    query: ir.Query | None,
    limit: int,
    offset: int,
    timeout: float | None = DEFAULT_TIMEOUT,
    with_total: bool = True,
    engine: str | None = None,
) -> tuple[Page, Timeline]:
    """A page of the timeline (rows, or groups) with its exact total (remembered per version of its sheets)."""
    if not 0 <= limit <= MAX_PAGE:
        raise LogsheetError(f"a page holds 0 to {MAX_PAGE} rows, not {limit}")
    started = time.monotonic()
    line = compile_timeline(ws, case, query, engine)
    plan, runner = line.plan, line.runner
    columns = plan.columns()
    if limit == 0 and not with_total:
        return empty_page(columns, offset, limit, started), line
    reader = paging.PagePlan(plan, limit, offset)
    if reader.by_id:
        if top_n_per_sheet(runner) and compiled.time_sorted(plan) and offset + limit <= paging.PROBE_MAX_ROWS:
            statement = compiled.top_rowids_sql(line.branches, limit, offset)
        else:
            statement = reader.rowids_sql()
        ids = [int(r[0]) for r in runner.fetch(statement, timeout).rows]
        result = runner.fetch(reader.rows_for_ids_sql(ids), timeout) if ids else None
        found = result.rows if result is not None else []
    else:
        found = runner.fetch(reader.rows_sql(), timeout).rows
    grouped = plan.query.group is not None
    rows = [tuple(r) if grouped else tuple(r[1:]) for r in found]
    rowids = [] if grouped else [int(r[0]) for r in found]
    total = count_of(ws, line, timeout) if with_total else len(rows)
    return Page(columns, rows, total, offset, limit, rowids, time.monotonic() - started), line


def top_n_per_sheet(runner: Engine) -> bool:
    """Whether a time-sorted first page is read as a top-N per sheet, merged: on Spark. DuckDB's own top-N over
    the union reads the same two columns and measured faster (bench/README.md, "Timeline"), so it sorts the union."""
    return runner.name != "duckdb"


def count_of(ws: Workspace, line: Timeline, timeout: float | None = DEFAULT_TIMEOUT) -> int:
    """The timeline view's row (or group) count, remembered per version of its sheets and view."""
    view = line.plan.query.with_(columns=(), sort=())
    key = ("timeline", *line.key, line.runner.name, json.dumps(ir.query_to_json(view), sort_keys=True))
    return ws._totals.remember(key, lambda: int(line.runner.scalar(line.plan.count_sql(), timeout) or 0))


def histogram(
    ws: Workspace,
    case: str | None,
    query: ir.Query | None,
    buckets: int = 60,
    start: str | None = None,
    end: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    engine: str | None = None,
) -> StackedHistogram:
    """Row counts of the timeline over time, and each sheet's share of every bucket."""
    line = compile_timeline(ws, case, query, engine)
    whole = analysis.histogram(line.plan, line.runner, buckets, start, end, None, timeout)
    by_sheet: dict[str, list[int]] = {}
    if not whole.buckets:
        return StackedHistogram(whole, {name: [] for name in line.sheets})
    low, high = json_value(whole.start), json_value(whole.end)
    for name, branch in zip(line.sheets, line.branches, strict=True):
        part = analysis.histogram(branch, line.runner, buckets, str(low), str(high), None, timeout)
        counts = {b[0]: b[2] for b in part.buckets}
        by_sheet[name] = [counts.get(b[0], 0) for b in whole.buckets]
    return StackedHistogram(whole, by_sheet)


def stream(
    ws: Workspace, case: str | None, query: ir.Query | None, limit: int | None = None, engine: str | None = None
) -> tuple[list[OutputColumn], Iterator[pa.RecordBatch]]:
    """Every row of the timeline view as Arrow batches (exports), in its order."""
    line = compile_timeline(ws, case, query, engine)
    return line.plan.columns(), line.runner.batches(line.plan.rows_sql(limit, 0, with_rowid=False))


def export(
    ws: Workspace, case: str | None, query: ir.Query | None, output: Path, limit: int | None = None, engine: str | None = None
) -> int:
    """Write the timeline view to ``output`` (.csv, .json, .ndjson/.jsonl or .parquet); the rows written."""
    fmt = export_format(output)
    columns, batches = stream(ws, case, query, limit, engine)
    return write_view(columns, batches, output, fmt)


__all__ = [
    "OLDEST_FIRST",
    "StackedHistogram",
    "Timeline",
    "compile_timeline",
    "count_of",
    "export",
    "histogram",
    "oldest_first",
    "page",
    "stream",
]
