"""The IR node of a pivot table (:class:`PivotTable`): what a pivot table of a view shows. It is not part of a
:class:`~logsheet.core.ir.Query` (a pivot table is made from a view's rows, as a group-by is, but it is its own
result); it has the same checks and JSON codec as the query's nodes. :mod:`logsheet.compiler.pivot_table`
compiles it; :mod:`logsheet.workspace.pivot_table` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logsheet.core.ir import Agg, Node
from logsheet.core.ir_check import decode


@dataclass(frozen=True)
class PivotTable(Node):
    """A pivot table of a view: one row per value of ``rows`` (one or more columns), one column per value of
    ``columns`` (the ``top`` largest by row count; the rest folded into one ``other`` column when ``other``),
    each cell ``agg`` over the view's rows with that row and column value; with row and column totals."""

    rows: tuple[str, ...]
    columns: str
    agg: Agg = Agg("count")
    top: int = 10
    other: bool = True
    limit: int = 1000  # the most rows of the table (the largest by their total first)


def pivot_table_from_json(data: Any, path: str = "pivot") -> PivotTable:
    """A pivot table spec from its JSON (:func:`logsheet.core.ir.node_to_json`'s); a malformed one is refused naming
    the JSON path below ``path``."""
    return decode(PivotTable, data, path)  # type: ignore[no-any-return]


__all__ = ["PivotTable", "pivot_table_from_json"]
