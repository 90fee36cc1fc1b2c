"""``logsheet annotate`` (star, tag or comment rows of a view, or remove them) and ``logsheet annotations`` (list
them, delete one): a thin shell over :mod:`logsheet.workspace.annotations`."""

from __future__ import annotations

import json

import click

from logsheet.cli.group import _fail, _workspace, main

_FORMAT = click.Choice(["table", "json"])


@main.command()
@click.argument("sheet")
@click.option("--where", "-w", help="Only the rows of this filter, e.g. \"msg contains 'Failed password'\".")
@click.option("--search", help="Only the rows holding this text in any column.")
@click.option("--row", "rows", type=int, multiple=True, help="Only the row with this row id. Repeatable.")
@click.option("--star", is_flag=True, help="Star the rows.")
@click.option("--unstar", is_flag=True, help="Remove the rows' stars.")
@click.option("--tag", help="Tag the rows (a tag holds no comma).")
@click.option("--untag", help="Remove this tag from the rows.")
@click.option("--comment", help="Comment the rows.")
@click.option("--uncomment", is_flag=True, help="Remove every comment of the rows.")
@click.option("--author", help="Who annotates (default: the OS user's name).")
@click.pass_context
def annotate(
    ctx: click.Context,
    sheet: str,
    where: str | None,
    search: str | None,
    rows: tuple[int, ...],
    star: bool,
    unstar: bool,
    tag: str | None,
    untag: str | None,
    comment: str | None,
    uncomment: bool,
    author: str | None,
) -> None:
    """Star, tag or comment rows of a sheet: every row of the view --where and --search hold (the whole sheet
    without them), or the --row ids. The sheet's files are never changed; `--where starred`, `--where "tag =
    'x'"` and `--where "comment contains 'x'"` find the rows again."""
    from logsheet.query.spellings import build_query

    actions = {"--star": star, "--unstar": unstar, "--tag": tag, "--untag": untag, "--comment": comment}
    actions["--uncomment"] = uncomment
    chosen = [flag for flag, value in actions.items() if value]
    if len(chosen) != 1:
        raise click.UsageError("give one of --star, --unstar, --tag, --untag, --comment or --uncomment")
    ws = _workspace(ctx)
    query = build_query(where, search) if where or search or not rows else None
    rowids = list(rows) or None
    if star or tag is not None or comment is not None:
        n = ws.annotate(sheet, query, rowids, star=star, tag=tag, comment=comment, author=author)
    else:
        n = ws.remove_annotations(sheet, query, rowids, star=unstar, tag=untag, comments=uncomment)
    click.echo(_done(chosen[0], n, tag or untag))


def _done(flag: str, n: int, tag: str | None) -> str:
    from logsheet.export.render import terminal_safe

    rows = f"{n:,} row{'' if n == 1 else 's'}"
    shown = repr(terminal_safe(tag)) if tag else ""
    return {
        "--star": f"starred {rows}",
        "--unstar": f"unstarred {rows}",
        "--tag": f"tagged {rows} {shown}",
        "--untag": f"untagged {rows} {shown}",
        "--comment": f"commented {rows}",
        "--uncomment": f"removed {n:,} comment{'' if n == 1 else 's'}",
    }[flag]


@main.command("annotations")
@click.argument("sheet", required=False)
@click.option("--case", "case_name", help="The annotations of every sheet of this case (instead of SHEET).")
@click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
@click.option("--limit", type=click.IntRange(min=0), help="At most this many annotations.")
@click.option("--delete", "delete_id", type=int, help="Delete the annotation with this id (a comment, say) instead.")
@click.pass_context
def list_annotations(
    ctx: click.Context, sheet: str | None, case_name: str | None, fmt: str, limit: int | None, delete_id: int | None
) -> None:
    """The annotations (stars, tags, comments) of one sheet, of every sheet of a case (--case NAME) or of every
    sheet, oldest first, with their sheet, row id, author and time; or, with --delete ID, remove one."""
    from logsheet.export.render import table, terminal_safe

    ws = _workspace(ctx)
    if delete_id is not None:
        if sheet is not None or case_name is not None:
            _fail("--delete takes an annotation id only (`logsheet annotations SHEET` lists them)")
        gone = ws.delete_annotation(delete_id)
        click.echo(f"removed the {gone.kind} {delete_id} of row {gone.rowid} of sheet {terminal_safe(gone.sheet)!r}")
        return
    if sheet is not None and case_name is not None:
        raise click.UsageError("give a SHEET or --case NAME, not both")
    found = ws.annotations(sheet, limit=limit, case=case_name)
    if fmt == "json":
        click.echo(json.dumps([a.to_json() for a in found], indent=2))
        return
    header = ("id", "sheet", "row", "kind", "value", "author", "time")
    rows = [(a.id, a.sheet, a.rowid, a.kind, a.value, a.author, a.created_at) for a in found]
    click.echo(table(header, rows, 160))
    click.echo(f"({len(found):,} annotation{'' if len(found) == 1 else 's'})", err=True)
