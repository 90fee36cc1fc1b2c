"""``logsheet recipe``: a saved view's steps written to a file (``recipe export``) and applied to another sheet or
to new evidence (``recipe apply``)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from logsheet.cli.group import _workspace, main
from logsheet.workspace.recipes import DIALECTS, MAX_BYTES, write


@main.group()
def recipe() -> None:
    """Recipes: the steps of a view (filters, derived columns, lookups, groups) as a file, applied to another
    sheet or to new evidence, and as SQL for DuckDB, Spark and Trino/Athena."""


@recipe.command("export")
@click.argument("sheet")
@click.argument("view")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The recipe file.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("json", "sql")),
    default="json",
    show_default=True,
    help="json: the recipe (IR and SQL); sql: only the SQL, in --dialect.",
)
@click.option("--dialect", type=click.Choice(DIALECTS), default="duckdb", show_default=True, help="With --format sql.")
@click.pass_context
def export_(ctx: click.Context, sheet: str, view: str, output: Path, fmt: str, dialect: str) -> None:
    """Write the recipe of SHEET's saved view VIEW to a file: its IR (what `recipe apply` reads), the sheet
    columns it reads, and its SQL for DuckDB, Spark and Trino/Athena (those read the sheet from a table named
    after it)."""
    made = _workspace(ctx).recipe(sheet, view)
    if fmt == "sql":
        output.write_text(made["sql"][dialect] + "\n", encoding="utf-8")
        click.echo(f"the SQL of view {view!r} ({dialect}) written to {output}")
        return
    write(made, output)
    click.echo(f"recipe of view {view!r} written to {output} (reads {', '.join(made['from']['columns']) or 'no column'})")


@recipe.command("apply")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("sheet")
@click.option("--save-as", "save_as", default=None, help="Save the view on SHEET under this name.")
@click.option("--map", "maps", multiple=True, metavar="OLD=NEW", help="Use column NEW where the recipe reads OLD (repeatable).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.pass_context
def apply(ctx: click.Context, file: Path, sheet: str, save_as: str | None, maps: tuple[str, ...], fmt: str) -> None:
    """Apply a recipe FILE to SHEET: its view is checked there (a column the sheet does not have is named, with
    the --map that would use another) and, with --save-as, saved; prints the view's rows (or groups)."""
    mapping = {}
    for item in maps:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.UsageError(f"--map takes OLD=NEW, not {item!r}")
        mapping[old.strip()] = new.strip()
    if file.stat().st_size > MAX_BYTES:
        raise click.UsageError(f"{file} is larger than {MAX_BYTES // (1024 * 1024)} MiB: not a recipe")
    done = _workspace(ctx).apply_recipe(file.read_bytes(), sheet, mapping, save_as, source=file.name)
    if fmt == "json":
        click.echo(json.dumps(done, indent=2, ensure_ascii=False))
        return
    grouped = done["query"].get("group") is not None
    saved = f"; saved as view {save_as!r}" if save_as else ""
    click.echo(f"recipe {file.name} on sheet {sheet!r}: {done['rows']:,} {'groups' if grouped else 'rows'}{saved}")
