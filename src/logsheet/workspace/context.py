"""One event in its context: the rows just before and after a row in its sheet's time order.

:func:`row_context` runs the statements :class:`logsheet.compiler.context.ContextPlan` builds on the engine
views run on. The order is the sheet's time column ascending (blank times last), ties broken by ``__rowid``;
a sheet without a time column is ordered by ``__rowid`` alone (file order), and the answer says which.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from logsheet.compiler import OutputColumn, ViewPlan
from logsheet.compiler.context import ContextPlan
from logsheet.compiler.resolve import column_named
from logsheet.core import ir
from logsheet.core.columns import ROWID
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.core.schema import Schema
from logsheet.engines.base import DEFAULT_TIMEOUT, Engine
from logsheet.export.render import json_value

MAX_CONTEXT = 1000  # rows on each side of the row


@dataclass
class Context:
    """A row and its neighbours: ``rows[index]`` is the row itself, the ``before`` rows precede it."""

    sheet: str
    rowid: int
    order_by: str  # the time column, or "__rowid" when the sheet has none
    columns: list[OutputColumn]
    rows: list[tuple[Any, ...]]
    rowids: list[int]
    index: int
    elapsed: float

    @property
    def before(self) -> int:
        return self.index

    @property
    def after(self) -> int:
        return len(self.rows) - self.index - 1

    @property
    def row(self) -> tuple[Any, ...]:
        return self.rows[self.index]

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "rowid": self.rowid,
            "order_by": self.order_by,
            "columns": [{"name": c.name, "type": c.type} for c in self.columns],
            "rows": [[json_value(v) for v in row] for row in self.rows],
            "rowids": self.rowids,
            "index": self.index,
            "before": self.before,
            "after": self.after,
            "elapsed_ms": round(self.elapsed * 1000, 1),
        }


def check_counts(before: int, after: int) -> None:
    for name, value in (("before", before), ("after", after)):
        if not 0 <= value <= MAX_CONTEXT:
            raise LogsheetError(f"{name} is 0 to {MAX_CONTEXT:,} rows, not {value:,}")


def context_query(time_column: str | None, schema: Schema) -> ir.Query:
    """The view the context is read in: the sheet sorted by its time column when it has one."""
    column = column_named(time_column, schema) if time_column else None
    return ir.Query() if column is None else ir.Query(sort=(ir.SortKey(column.name),))


def row_context(
    sheet: str,
    plan: ViewPlan,
    runner: Engine,
    rowid: int,
    before: int,
    after: int,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Context:
    """``rowid`` and the ``before`` rows before it and ``after`` rows after it in ``plan`` (sorted by its time
    column, or not sorted); NotFound when the sheet has no row with that id."""
    check_counts(before, after)
    started = time.monotonic()
    time_column = plan.query.sort[0].column if plan.query.sort else None
    context = ContextPlan(plan, rowid, time_column)
    in_range = -(2**63) <= rowid < 2**63  # row ids are 64-bit integers: no engine need be asked of another
    found = runner.fetch(context.anchor_sql(), timeout).rows if in_range else []
    if not found:
        raise NotFound(f"sheet {sheet!r} has no row {rowid}")
    blank = bool(found[0][1])
    earlier = [int(r[0]) for r in runner.fetch(context.before_sql(before, blank), timeout).rows] if before else []
    later = [int(r[0]) for r in runner.fetch(context.after_sql(after, blank), timeout).rows] if after else []
    result = runner.fetch(context.rows_sql([*earlier, rowid, *later]), timeout).rows
    rowids = [int(r[0]) for r in result]
    return Context(
        sheet,
        rowid,
        time_column or ROWID,
        plan.columns(),
        [tuple(r[1:]) for r in result],
        rowids,
        rowids.index(rowid),
        time.monotonic() - started,
    )


__all__ = ["MAX_CONTEXT", "Context", "check_counts", "context_query", "row_context"]
