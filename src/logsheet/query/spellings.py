"""The CLI/REST spellings of a view: ``--where``, ``--sort -eventTime``, ``--agg count_distinct:userName``."""

from __future__ import annotations

import json

from logsheet.core import ir
from logsheet.core.errors import LogsheetError
from logsheet.query.filterlang import parse_filter


def build_query(
    where: str | None = None,
    search: str | None = None,
    columns: list[str] | None = None,
    sort: list[str] | None = None,
    group_by: list[str] | None = None,
    aggs: list[str] | None = None,
    steps: tuple[ir.Step, ...] = (),
) -> ir.Query:
    """A Query from the CLI/REST spellings: ``--sort -eventTime``, ``--agg count_distinct:userName``."""
    group = None
    if group_by:
        group = ir.GroupBy(tuple(group_by), tuple(parse_agg(a) for a in (aggs or ["count"])))
    elif aggs:
        raise LogsheetError("aggregates (--agg) need --group-by")
    return ir.Query(
        steps=steps,
        where=parse_filter(where) if where and where.strip() else None,
        search=search or "",
        columns=tuple(columns or ()),
        sort=tuple(ir.SortKey(s[1:], True) if s.startswith("-") else ir.SortKey(s.lstrip("+")) for s in sort or ()),
        group=group,
    )


def parse_agg(text: str) -> ir.Agg:
    fn, _, column = text.partition(":")
    fn = fn.strip().lower()
    if fn not in ir.AGG_FNS:
        raise LogsheetError(f"unknown aggregate {fn!r}; use one of {', '.join(ir.AGG_FNS)} (as fn:COLUMN)")
    if fn != "count" and not column:
        raise LogsheetError(f"aggregate {fn!r} needs a column: {fn}:COLUMN")
    return ir.Agg(fn, column.strip())  # type: ignore[arg-type]


def ir_json(query: ir.Query) -> str:
    """The query's IR JSON as canonical text (sorted keys): what the catalog stores for a saved view."""
    return json.dumps(ir.query_to_json(query), sort_keys=True)


__all__ = ["build_query", "ir_json", "parse_agg"]
