"""``logsheet views``: a sheet's saved views (saved from the web UI or the API): list, show, delete."""

from __future__ import annotations

import json

import click

from logsheet.cli.group import _fail, _workspace, main


@main.group()
def views() -> None:
    """A sheet's saved views: list them, show one as IR JSON (for --query-json), delete one."""


@views.command("list")
@click.argument("sheet")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def list_(ctx: click.Context, sheet: str, as_json: bool) -> None:
    """List the saved views of a sheet."""
    from logsheet.export.render import terminal_safe

    saved = _workspace(ctx).views(sheet)
    if as_json:
        click.echo(json.dumps(saved, indent=2))
        return
    if not saved:
        click.echo(f"sheet {sheet!r} has no saved views")
        return
    for v in saved:
        click.echo(f"{terminal_safe(str(v['name']))}  (saved {v['created_at']})")


@views.command()
@click.argument("sheet")
@click.argument("name")
@click.pass_context
def show(ctx: click.Context, sheet: str, name: str) -> None:
    """Print a saved view as IR JSON (give it to `logsheet query --query-json`)."""
    for v in _workspace(ctx).views(sheet):
        if v["name"] == name:
            click.echo(json.dumps(v["query"]))
            return
    _fail(f"sheet {sheet!r} has no saved view named {name!r}")


@views.command()
@click.argument("sheet")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete(ctx: click.Context, sheet: str, name: str, yes: bool) -> None:
    """Delete a saved view of a sheet (the sheet and its rows are untouched)."""
    ws = _workspace(ctx)
    if not any(v["name"] == name for v in ws.views(sheet)):
        _fail(f"sheet {sheet!r} has no saved view named {name!r}")
    if not yes and not click.confirm(f"remove the saved view {name!r} of sheet {sheet!r}?", err=True):
        _fail("not deleted")
    ws.delete_view(sheet, name)
    click.echo(f"removed the saved view {name!r} of sheet {sheet!r}")
