"""``logsheet timeline``: a case's sheets merged in time (``Workspace.timeline``), printed, counted or written out;
its view saved under a name (``--save``) or opened by name (``--view``), its rows annotated in their own sheets
(``--star``, ``--tag``, ``--comment``; ``Workspace.annotate_timeline``). ``logsheet timeline-views`` lists,
shows and deletes the saved views (:mod:`logsheet.cli.timeline_views`)."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.options import Seconds, _build, _choose_engine, engine_options
from logsheet.cli.output import QUERY_FORMATS, _emit
from logsheet.export.render import terminal_safe


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
@click.option("--save", "save_as", metavar="NAME", help="Save this view of the timeline under NAME in the case (replaces one).")
@click.option(
    "--view", "saved", metavar="NAME", help="Open the case's saved timeline view NAME (`logsheet timeline-views list`)."
)
@click.option("--star", is_flag=True, help="Star every row of the view, each in its own sheet, instead of printing.")
@click.option("--unstar", is_flag=True, help="Remove the stars of every row of the view, in their sheets.")
@click.option("--tag", help="Tag every row of the view in its own sheet (a tag holds no comma).")
@click.option("--untag", help="Remove this tag from every row of the view, in their sheets.")
@click.option("--comment", help="Comment every row of the view in its own sheet.")
@click.option("--author", help="Who annotates (default: the OS user's name).")
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
    save_as: str | None,
    saved: str | None,
    star: bool,
    unstar: bool,
    tag: str | None,
    untag: str | None,
    comment: str | None,
    author: str | None,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
) -> None:
    """A case's timeline: every sheet of the case with a time column, merged oldest first, with the columns
    time, sheet, summary (one line per row), the entity columns (ip, user, access_key, account, instance,
    host) and source_sheet / source_rowid (the row in its own sheet, `logsheet context SHEET ROWID`).
    Filter, search, sort and group it like a sheet. Sheets without a time column are left out, with a note.

    --save NAME keeps the view in the case and --view NAME opens it again (`logsheet timeline-views` lists
    them). --star, --tag T or --comment X annotate every row of the view in its own sheet (by its
    source_sheet and source_rowid) and print the rows annotated per sheet; `logsheet query SHEET --where
    starred` finds them there."""
    ws = _workspace(ctx)
    if saved is not None:
        given = [f for f, v in (("--where", where), ("--search", search), ("--columns", columns), ("--sort", sort)) if v]
        given += [f for f, v in (("--group-by", group_by), ("--agg", agg), ("--query-json", query_json)) if v]
        if given:
            raise click.UsageError(f"--view opens a whole saved view: give {' or '.join(given)} without it")
        view = ws.saved_timeline_view(case, saved)
    else:
        view = _build(where, search, columns, sort, group_by, agg, query_json)
    _choose_engine(ws, engine, spark_master, spark_remote)
    line = ws.timeline_view(case, view)
    for note in line.notes():
        click.echo(f"note: {note}", err=True)
    if save_as is not None:
        kept = ws.save_timeline_view(line.case, save_as, view)
        click.echo(f"saved the timeline view {terminal_safe(str(kept['name']))!r} of case {terminal_safe(line.case)!r}", err=True)
    actions = {"--star": star, "--unstar": unstar, "--tag": tag, "--untag": untag, "--comment": comment}
    chosen = [flag for flag, value in actions.items() if value]
    if len(chosen) > 1:
        raise click.UsageError("give one of --star, --unstar, --tag, --untag or --comment")
    if chosen:
        if count or output is not None:
            raise click.UsageError(f"{chosen[0]} annotates the view's rows: not with --count or --output")
        remove = bool(unstar or untag)
        counts = ws.annotate_timeline(
            line.case, view, star=star or unstar, tag=tag or untag, comment=comment, author=author, remove=remove
        )
        click.echo(_annotated(chosen[0], counts, tag or untag))
        return
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


def _annotated(flag: str, counts: dict[str, int], tag: str | None) -> str:
    """``starred 3 rows (secure 2, vpcflow 1)``: the rows annotated, and per sheet."""
    n = sum(counts.values())
    verb = {"--star": "starred", "--unstar": "unstarred", "--tag": "tagged", "--untag": "untagged"}.get(flag, "commented")
    shown = f" {terminal_safe(tag)!r}" if tag else ""
    per_sheet = ", ".join(f"{terminal_safe(sheet)} {rows:,}" for sheet, rows in counts.items())
    return f"{verb} {n:,} row{'' if n == 1 else 's'}{shown}" + (f" ({per_sheet})" if per_sheet else "")
