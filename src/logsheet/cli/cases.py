"""``logsheet case``: named sets of sheets (list, show, create, add, remove, rename, delete)."""

from __future__ import annotations

import json

import click

from logsheet.cli.group import _fail, _workspace, main
from logsheet.cli.output import _width

FORMAT = click.Choice(("table", "json"))


@main.group()
def case() -> None:
    """Cases: named sets of sheets. Every workspace has the case `default`, which every imported sheet joins;
    a sheet can be in several cases (`logsheet import --case NAME` puts a new sheet in one)."""


@case.command("list")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@click.pass_context
def list_(ctx: click.Context, fmt: str) -> None:
    """List the cases and their sheets."""
    from logsheet.export.render import table

    found = _workspace(ctx).cases()
    if fmt == "json":
        click.echo(json.dumps([c.to_json() for c in found], indent=2))
        return
    rows = [(c.name, len(c.sheets), ", ".join(c.sheets) or "-", c.created_at) for c in found]
    click.echo(table(("case", "sheets", "holds", "created"), rows, _width()))


@case.command()
@click.argument("name")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@click.pass_context
def show(ctx: click.Context, name: str, fmt: str) -> None:
    """Show a case: its sheets, with their formats and rows."""
    from logsheet.export.render import table

    ws = _workspace(ctx)
    found = ws.case(name)
    if fmt == "json":
        click.echo(json.dumps(found.to_json(), indent=2))
        return
    click.echo(f"case {found.name!r}{' (the default case)' if found.default else ''}: {len(found.sheets)} sheet(s)")
    if found.sheets:
        summaries = [ws.summary(s) for s in found.sheets]
        click.echo(table(("sheet", "format", "rows"), [(s.name, s.format, f"{s.rows:,}") for s in summaries], _width()))


@case.command()
@click.argument("name")
@click.argument("sheets", nargs=-1)
@click.pass_context
def create(ctx: click.Context, name: str, sheets: tuple[str, ...]) -> None:
    """Create a case, holding the sheets named (none: an empty case)."""
    made = _workspace(ctx).create_case(name, list(sheets))
    click.echo(f"created case {made.name!r} with {_sheets(made.sheets)}")


@case.command()
@click.argument("name")
@click.argument("sheets", nargs=-1, required=True)
@click.pass_context
def add(ctx: click.Context, name: str, sheets: tuple[str, ...]) -> None:
    """Add sheets to a case."""
    changed = _workspace(ctx).add_to_case(name, list(sheets))
    click.echo(f"case {changed.name!r} holds {_sheets(changed.sheets)}")


@case.command()
@click.argument("name")
@click.argument("sheets", nargs=-1, required=True)
@click.pass_context
def remove(ctx: click.Context, name: str, sheets: tuple[str, ...]) -> None:
    """Take sheets out of a case (the sheets stay in the workspace)."""
    changed = _workspace(ctx).remove_from_case(name, list(sheets))
    click.echo(f"case {changed.name!r} holds {_sheets(changed.sheets)}")


@case.command()
@click.argument("old")
@click.argument("new")
@click.pass_context
def rename(ctx: click.Context, old: str, new: str) -> None:
    """Rename a case (its sheets stay in it; the default case keeps its name)."""
    _workspace(ctx).rename_case(old, new)
    click.echo(f"renamed case {old!r} to {new!r}")


@case.command()
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete(ctx: click.Context, name: str, yes: bool) -> None:
    """Delete a case; its sheets stay in the workspace. The default case cannot be deleted."""
    ws = _workspace(ctx)
    found = ws.case(name)
    if not found.default and not yes and not click.confirm(f"delete case {name!r} (its sheets stay)?", err=True):
        _fail("not deleted")
    ws.delete_case(name)
    click.echo(f"deleted case {name!r}; its sheets stay in the workspace")


def _sheets(names: tuple[str, ...]) -> str:
    from logsheet.export.render import terminal_safe

    if not names:
        return "no sheets"
    return f"{len(names)} sheet{'' if len(names) == 1 else 's'}: " + ", ".join(terminal_safe(n) for n in names)
