"""A pivot table of a sheet's view (``logsheet pivot-table``, ``POST /api/sheets/{name}/pivot-table``, the sheet's
Pivot table panel): rows × columns × an aggregate, with totals, the top columns and the rest folded into
``other`` (:mod:`logsheet.compiler.pivot_table` compiles it; this module runs its statements and shapes the
result). Not the entity pivot (:mod:`logsheet.workspace.pivot`), which follows one value across a case.

Also here: the fields of a JSON array's elements, for the explode step (:func:`element_fields`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from logsheet.compiler.pivot_table import PivotTablePlan
from logsheet.core import ir
from logsheet.core.pivot_table import PivotTable
from logsheet.engines.base import DEFAULT_TIMEOUT
from logsheet.export.render import csv_rows, json_value

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace

OTHER = "other"  # the heading of the folded column
TOTAL = "total"  # the heading of the row totals and the label of the totals row
FIELD_SAMPLE = 1000  # elements read to find an array's fields


@dataclass(frozen=True)
class PivotTableRow:
    keys: tuple[Any, ...]
    cells: tuple[Any, ...]  # one per column value, then ``other`` when the table has it
    total: Any


@dataclass(frozen=True)
class PivotTableResult:
    spec: PivotTable
    value: str  # what the cells hold: "count", "max of bytes", "first seen of eventTime"
    value_type: str  # the cells' logical type
    columns: tuple[str | None, ...]  # the column values (as text; None: blank), the most rows first
    other: bool  # whether the other values are folded into an "other" column
    rows: tuple[PivotTableRow, ...]
    column_totals: tuple[Any, ...]  # as a row's cells
    total: Any  # the grand total
    rows_total: int  # the table's rows before ``spec.limit``

    def headers(self) -> list[str]:
        labels = ["(blank)" if c is None else "(empty)" if c == "" else c for c in self.columns]
        return [*self.spec.rows, *labels, *([OTHER] if self.other else []), TOTAL]

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": list(self.spec.rows),
            "column": self.spec.columns,
            "agg": ir.node_to_json(self.spec.agg),
            "value": self.value,
            "value_type": self.value_type,
            "columns": list(self.columns),
            "other": self.other,
            "table": [
                {"keys": [json_value(k) for k in r.keys], "cells": [json_value(c) for c in r.cells], "total": json_value(r.total)}
                for r in self.rows
            ],
            "column_totals": [json_value(c) for c in self.column_totals],
            "total": json_value(self.total),
            "rows_total": self.rows_total,
            "truncated": self.rows_total > len(self.rows),
        }

    def lines(self) -> list[list[Any]]:
        """The table as rows of values under :meth:`headers`, the totals row last."""
        body = [[*r.keys, *r.cells, r.total] for r in self.rows]
        totals = [TOTAL, *[""] * (len(self.spec.rows) - 1), *self.column_totals, self.total]
        return [*body, totals]

    def csv(self) -> Iterator[str]:
        """The table as CSV lines (formulas neutralised: a key or heading is log data)."""
        keys = len(self.spec.rows)
        numeric = [False] * keys + [self.value_type in ("integer", "float")] * (len(self.headers()) - keys)
        return iter(csv_rows(self.headers(), self.lines(), numeric))


def pivot_table(
    ws: Workspace,
    sheet: str,
    query: ir.Query | None,
    spec: PivotTable,
    engine: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> PivotTableResult:
    plan, runner = ws.view(sheet, query or ir.Query(), engine)
    table = PivotTablePlan(plan, spec)
    found = runner.fetch(table.columns_sql(), timeout).rows
    values = tuple(None if v is None else str(v) for v, _ in found[: spec.top])
    other = spec.other and len(found) > spec.top
    keys = len(spec.rows)
    rows = tuple(
        PivotTableRow(tuple(r[:keys]), tuple(r[keys:-1]), r[-1])
        for r in runner.fetch(table.table_sql(values, other), timeout).rows
    )
    totals = runner.fetch(table.totals_sql(values, other), timeout).rows[0]
    rows_total = int(runner.scalar(table.rows_count_sql(), timeout) or 0)
    return PivotTableResult(
        spec,
        _label(spec.agg, plan.time_column),
        table.value_type(),
        values,
        other,
        rows,
        tuple(totals[:-1]),
        totals[-1],
        rows_total,
    )


def _label(agg: ir.Agg, time_column: str | None) -> str:
    if agg.fn == "count":
        return "count" if not agg.column else f"count of {agg.column}"
    if agg.fn in ("first", "last"):
        return f"{agg.fn} seen of {agg.column or time_column}"
    return f"{agg.fn.replace('_', ' ')} of {agg.column}"


# ------------------------------------------------------------------------------------------- explode fields
def element_fields(
    ws: Workspace, sheet: str, query: ir.Query | None, path: str, timeout: float | None = DEFAULT_TIMEOUT
) -> list[str]:
    """The keys the elements of the JSON array at ``path`` hold (the first :data:`FIELD_SAMPLE` elements of the
    view's rows), the most frequent first: what an explode step adds as columns when the user chooses none."""
    base = query or ir.Query()
    name = "__element"
    view = ir.Query(steps=(*base.steps, ir.Explode(path, name=name)), where=base.where, search=base.search, columns=(name,))
    page = ws.query(sheet, view, limit=FIELD_SAMPLE, timeout=timeout, with_total=False)
    return [key for key, _ in _keys(r[0] for r in page.rows).most_common()]


def _keys(elements: Iterable[Any]) -> Counter[str]:
    found: Counter[str] = Counter()
    for text in elements:
        try:
            value = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            continue
        if isinstance(value, dict):
            found.update(k for k in value if isinstance(k, str) and k.strip() and "." not in k)
    return found


__all__ = ["PivotTableResult", "element_fields", "pivot_table"]
