"""A page of a view: what the grid, the CLI table and the JSON API show."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from logsheet.compiler import OutputColumn
from logsheet.export.render import json_value

MAX_PAGE = 10_000  # rows in one page


@dataclass
class Page:
    """A page of a view: its columns, rows, the exact total and where the page starts."""

    columns: list[OutputColumn]
    rows: list[tuple[Any, ...]]
    total: int
    offset: int
    limit: int
    rowids: list[int]
    elapsed: float

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": [{"name": c.name, "type": c.type} for c in self.columns],
            "rows": [[json_value(v) for v in row] for row in self.rows],
            "rowids": self.rowids,
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "elapsed_ms": round(self.elapsed * 1000, 1),
        }


def empty_page(columns: list[OutputColumn], offset: int, limit: int, started: float) -> Page:
    return Page(columns, [], 0, offset, limit, [], time.monotonic() - started)


__all__ = ["MAX_PAGE", "Page", "empty_page"]
