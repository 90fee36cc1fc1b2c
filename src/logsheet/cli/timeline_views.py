"""``logsheet timeline-views``: a case's saved timeline views (saved by ``logsheet timeline --save``, the API or
the timeline page): list, show, delete. ``logsheet timeline --view NAME`` opens one."""

from __future__ import annotations

import json

import click

from logsheet.cli.group import _fail, _workspace, main

_CASE = click.option("--case", metavar="NAME", help="The case (default: the default case).")


@main.group("timeline-views")
def timeline_views() -> None:
    """A case's saved timeline views: list them, show one as IR JSON, delete one."""


@timeline_views.command("list")
@_CASE
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def list_(ctx: click.Context, case: str | None, as_json: bool) -> None:
    """List the saved timeline views of a case."""
    from logsheet.export.render import terminal_safe

    ws = _workspace(ctx)
    saved = ws.timeline_views(case)
    if as_json:
        click.echo(json.dumps(saved, indent=2))
        return
    name = ws.case(case).name
    if not saved:
        click.echo(f"case {terminal_safe(name)!r} has no saved timeline views")
        return
    for v in saved:
        note = f"  (cannot be read: {terminal_safe(str(v['error']))})" if v["query"] is None else ""
        click.echo(f"{terminal_safe(str(v['name']))}  (saved {v['created_at']}){note}")


@timeline_views.command()
@click.argument("name")
@_CASE
@click.pass_context
def show(ctx: click.Context, name: str, case: str | None) -> None:
    """Print a saved timeline view as IR JSON (give it to `logsheet timeline --query-json`)."""
    for v in _workspace(ctx).timeline_views(case):
        if v["name"] == name:
            click.echo(json.dumps(v["query"]))
            return
    _fail(f"the case has no saved timeline view named {name!r}")


@timeline_views.command()
@click.argument("name")
@_CASE
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete(ctx: click.Context, name: str, case: str | None, yes: bool) -> None:
    """Delete a saved timeline view (the case and its sheets are untouched)."""
    ws = _workspace(ctx)
    label = ws.case(case).name
    if not any(v["name"] == name for v in ws.timeline_views(case)):
        _fail(f"case {label!r} has no saved timeline view named {name!r}")
    if not yes and not click.confirm(f"remove the saved timeline view {name!r} of case {label!r}?", err=True):
        _fail("not deleted")
    ws.delete_timeline_view(case, name)
    click.echo(f"removed the saved timeline view {name!r} of case {label!r}")
