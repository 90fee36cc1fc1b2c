"""Reading a sheet's rejects back: every record an import set aside, with source, position and reason."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlglot import exp

from logsheet.compiler import OutputColumn
from logsheet.core.sqlnames import col
from logsheet.export.page import Page
from logsheet.ingest.formats.stage import parquet_table
from logsheet.store.catalog import SheetRecord

if TYPE_CHECKING:
    from logsheet.engines.duckdb import DuckEngine

COLUMNS = [
    OutputColumn("source", "text"),
    OutputColumn("position", "integer"),
    OutputColumn("reason", "text"),
    OutputColumn("raw", "text"),
]


def rejects_page(root: Path, engine: DuckEngine, record: SheetRecord, limit: int, offset: int) -> Page:
    started = time.monotonic()
    paths = [root / p for p in record.reject_paths()]
    if not paths:
        return Page(COLUMNS, [], 0, offset, limit, [], 0.0)
    table = parquet_table(paths)
    select = exp.select(*[col(c.name) for c in COLUMNS]).from_(table)
    select = select.order_by(col("source_id"), col("position")).limit(limit).offset(offset)
    rows = engine.fetch(select).rows
    total = engine.scalar(exp.select(exp.Count(this=exp.Star())).from_(table))
    return Page(COLUMNS, [tuple(r) for r in rows], int(total or 0), offset, limit, [], time.monotonic() - started)
