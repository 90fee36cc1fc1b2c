"""``logsheet timeline``: a case's sheets merged in time (``Workspace.timeline``), printed, counted or written out."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.options import Seconds, _build, _choose_engine, engine_options
from logsheet.cli.output import QUERY_FORMATS, _emit


@main.command()
@click.option("--case", metavar="NAME", help="The case whose sheets to merge (default: the default case).")
@click.option("--where", "-w", help="Filter expression on the timeline's columns, e.g. \"sheet = 'secure' and ip = '10.0.0.5'\".")
@click.option("--search", help="Case-insensitive text searched in every column.")
@click.option("--columns", "-c", help="Comma-separated columns to show.")
@click.option("--sort", multiple=True, help="Sort column (default: time, oldest first); -COL for descending. Repeatable.")
@click.option("--group-by", "-g", help="Comma-separated columns to group by (e.g. sheet, ip).")
@click.option("--agg", multiple=True, help="Aggregate with --group-by: count, count_distinct:COL, min:COL, max:COL, ...")
@click.option("--query-json", help="A whole timeline view as IR JSON; not with -w, --search, -c, --sort, -g or --agg.")
@click.option("--limit", "-n", default=100, show_default=True, help="Rows (or groups) to print.")
@click.option("--offset", default=0, help="Rows to skip.")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True)
@click.option("--count", is_flag=True, help="Print only the number of matching rows (groups with --group-by).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the whole view (up to --limit rows when given) to a .csv, .json, .ndjson/.jsonl or .parquet file instead.",
)
@click.option("--timeout", type=Seconds(), default=60.0, show_default=True, help="Query time budget, seconds.")
@functools.partial(engine_options, dataset=False)
@click.pass_context
def timeline(
    ctx: click.Context,
    case: str | None,
    where: str | None,
    search: str | None,
    columns: str | None,
    sort: tuple[str, ...],
    group_by: str | None,
    agg: tuple[str, ...],
    query_json: str | None,
    limit: int,
    offset: int,
    fmt: str,
    count: bool,
    output: Path | None,
    timeout: float,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
) -> None:
    """A case's timeline: every sheet of the case with a time column, merged oldest first, with the columns
    time, sheet, summary (one line per row), the entity columns (ip, user, access_key, account, instance,
    host) and source_sheet / source_rowid (the row in its own sheet, `logsheet context SHEET ROWID`).
    Filter, search, sort and group it like a sheet. Sheets without a time column are left out, with a note."""
    ws = _workspace(ctx)
    view = _build(where, search, columns, sort, group_by, agg, query_json)
    _choose_engine(ws, engine, spark_master, spark_remote)
    line = ws.timeline_view(case, view)
    for note in line.notes():
        click.echo(f"note: {note}", err=True)
    if count:
        click.echo(ws.timeline_count(case, view, timeout=timeout))
        return
    if output is not None:
        limited = limit if ctx.get_parameter_source("limit") is click.core.ParameterSource.COMMANDLINE else None
        written = ws.export_timeline(case, view, output, limited)
        click.echo(f"{written:,} rows written to {output}")
        return
    page = ws.timeline(case, view, limit=limit, offset=offset, timeout=timeout)
    _emit(page.columns, page.rows, fmt)
    if fmt == "table":
        shown = f"rows {offset + 1:,}-{offset + len(page.rows):,} of" if page.rows else "0 of"
        click.echo(
            f"({shown} {page.total:,}{' groups' if view.group else ''} in case {line.case!r}, {page.elapsed * 1000:.0f} ms)",
            err=True,
        )
