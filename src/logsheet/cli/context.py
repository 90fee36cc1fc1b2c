"""``logsheet context``: one row and the rows just before and after it in the sheet's time order."""

from __future__ import annotations

import functools
import json
from typing import Any

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.options import Seconds, _choose_engine, engine_options
from logsheet.cli.output import QUERY_FORMATS, _emit
from logsheet.core.columns import ROWID


@main.command()
@click.argument("sheet")
@click.argument("rowid", type=int, required=False)
@click.option("--where", "-w", help="Instead of ROWID: the first row, in time order, that this filter matches.")
@click.option("-n", "count", type=click.IntRange(0, 1000), default=10, show_default=True, help="Rows before and after.")
@click.option("--before", type=click.IntRange(0, 1000), help="Rows before it (default: -n).")
@click.option("--after", type=click.IntRange(0, 1000), help="Rows after it (default: -n).")
@click.option("--columns", "-c", help="Comma-separated columns to show (default: all).")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True)
@click.option("--timeout", type=Seconds(), default=60.0, show_default=True, help="Query time budget, seconds.")
@functools.partial(engine_options, dataset=False)
@click.pass_context
def context(
    ctx: click.Context,
    sheet: str,
    rowid: int | None,
    where: str | None,
    count: int,
    before: int | None,
    after: int | None,
    columns: str | None,
    fmt: str,
    timeout: float,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
) -> None:
    """Show a row and the N rows before and after it in time (ties by row id; by row id alone on a sheet
    without a time column). Name the row by its ROWID (the `__rowid` column printed here, or the web UI's
    document view) or with --where. The `at` column is each row's place around it: -1 just before, 0 the
    row itself, +1 just after. --format json prints the whole answer of the API's context endpoint."""
    ws = _workspace(ctx)
    _choose_engine(ws, engine, spark_master, spark_remote)
    if (rowid is None) == (where is None):
        raise click.UsageError("name the row: give ROWID or --where, one of them")
    if rowid is None:
        rowid = _first_match(ws, sheet, str(where), timeout)
    found = ws.context(sheet, rowid, count if before is None else before, count if after is None else after, timeout)
    if fmt == "json":
        click.echo(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
        return
    names = [c.name for c in found.columns]
    chosen = [c.strip() for c in columns.split(",") if c.strip()] if columns else names
    unknown = [c for c in chosen if c not in names]
    if unknown:
        raise click.UsageError(f"unknown column {unknown[0]!r}; the sheet has {', '.join(names)}")
    keep = [names.index(c) for c in chosen]
    shown: list[Any] = [_Column("at", "text"), _Column(ROWID, "integer")] + [found.columns[i] for i in keep]
    rows = [
        (f"{i - found.index:+d}" if i != found.index else "0", rowid_, *(row[k] for k in keep))
        for i, (rowid_, row) in enumerate(zip(found.rowids, found.rows, strict=True))
    ]
    _emit(shown, rows, fmt)
    if fmt == "table":
        order = "time" if found.order_by != ROWID else "row id (the sheet has no time column)"
        click.echo(f"(row {rowid}: {found.before} before, {found.after} after, by {order})", err=True)


class _Column:
    def __init__(self, name: str, type_: str) -> None:
        self.name = name
        self.type = type_


def _first_match(ws: Any, sheet: str, where: str, timeout: float) -> int:
    from logsheet.core import ir
    from logsheet.core.errors import NotFound
    from logsheet.query.filterlang import parse_filter

    time_column = ws.sheet(sheet).time_column
    sort = (ir.SortKey(time_column),) if time_column else ()
    page = ws.query(sheet, ir.Query(where=parse_filter(where), sort=sort), limit=1, timeout=timeout, with_total=False)
    if not page.rowids:
        raise NotFound(f"no row of {sheet!r} matches {where!r}")
    return int(page.rowids[0])
