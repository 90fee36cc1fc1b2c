"""The sheets of a workspace: ``sheets``, ``info``, ``rejects``, ``rename``, ``delete``."""

from __future__ import annotations

import json

import click

from logsheet.cli.group import _fail, _workspace, main
from logsheet.cli.output import QUERY_FORMATS, _emit, _width


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def sheets(ctx: click.Context, as_json: bool) -> None:
    """List the sheets of the workspace."""
    from logsheet.export.render import table

    summaries = _workspace(ctx).sheets()
    if as_json:
        click.echo(json.dumps([s.to_brief_json() for s in summaries], indent=2))
        return
    if not summaries:
        click.echo("no sheets yet: try `logsheet import PATH` or `logsheet demo`")
        return
    rows = [(s.name, s.format, f"{s.rows:,}", len(s.columns), s.rejected, s.updated_at) for s in summaries]
    click.echo(table(["sheet", "format", "rows", "columns", "rejected", "updated"], rows, _width()))


@main.command()
@click.argument("sheet")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def info(ctx: click.Context, sheet: str, as_json: bool) -> None:
    """Show a sheet: format, time column, columns and types, sources with SHA-256, rejects."""
    from logsheet.export.render import table, terminal_safe

    summary = _workspace(ctx).summary(sheet)
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
        return
    click.echo(
        f"sheet {summary.name!r}: {summary.rows:,} rows, format {summary.format}, time column {summary.time_column or '-'}"
    )
    click.echo(
        f"rejected: {summary.rejected:,}   duplicates removed: {summary.duplicates_removed:,}   size: {summary.bytes:,} bytes"
    )
    click.echo("\ncolumns:")
    click.echo(table(["column", "type"], [(c.name, c.type) for c in summary.columns], _width()))
    click.echo(f"\nsources ({len(summary.sources)}; records read = kept + rejected + duplicates removed):")
    for s in summary.sources:
        # Never cut: the SHA-256 is the evidence's fingerprint and the path is where it came from.
        click.echo(f"  {terminal_safe(s.path)}")
        click.echo(f"    sha256 {s.sha256}  {s.size:,} bytes")
        click.echo(
            f"    read {s.records_read:,} = kept {s.rows_kept:,} + rejected {s.rejected:,} "
            f"+ duplicates {s.duplicates:,}" + (f"  ({terminal_safe(s.note)})" if s.note else "")
        )


@main.command()
@click.argument("sheet")
@click.option("--limit", default=1000, show_default=True, help="Rejects to show.")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True)
@click.pass_context
def rejects(ctx: click.Context, sheet: str, limit: int, fmt: str) -> None:
    """List the records a sheet's imports set aside: file, position, reason and raw text."""
    page = _workspace(ctx).rejects(sheet, limit=limit)
    if page.total == 0 and fmt == "table":
        click.echo(f"sheet {sheet!r} has no rejects")
        return
    _emit(page.columns, page.rows, fmt)
    if fmt == "table" and page.total > len(page.rows):
        click.echo(f"({len(page.rows)} of {page.total:,} rejects shown; raise --limit for more)", err=True)


@main.command()
@click.argument("old")
@click.argument("new")
@click.pass_context
def rename(ctx: click.Context, old: str, new: str) -> None:
    """Rename a sheet."""
    _workspace(ctx).rename_sheet(old, new)
    click.echo(f"renamed {old!r} to {new!r}")


@main.command()
@click.argument("sheet")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete(ctx: click.Context, sheet: str, yes: bool) -> None:
    """Delete a sheet and its data (the original files are never touched)."""
    ws = _workspace(ctx)
    ws.sheet(sheet)
    if not yes and not click.confirm(f"delete sheet {sheet!r}?", err=True):
        _fail("not deleted")
    ws.delete_sheet(sheet)
    click.echo(f"deleted {sheet!r}")
