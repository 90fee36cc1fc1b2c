"""The row steps on ``logsheet query`` and ``logsheet export`` (``--split-rows``, ``--explode``, ``--dedupe``),
and ``logsheet pivot-table`` (a pivot table of a view: :meth:`Workspace.pivot_table`; not ``logsheet pivot``,
which follows one value across a case).

The row-step options are added after the view's own steps, in this order whatever the command line's: every
``--split-rows``, every ``--explode`` (its element fields found in the data unless ``--explode-fields`` names
them), then ``--dedupe``. ``--where``, ``--search``, ``--sort`` and ``--group-by`` then apply to the rows they
give.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.options import Seconds, _choose_engine, engine_options

if TYPE_CHECKING:
    from logsheet.core.ir import Query
    from logsheet.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])
_META = "logsheet.rowsteps"


def _keep(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    ctx.meta.setdefault(_META, {})[param.name] = value


def row_step_options(func: F) -> F:
    """The row-step options; their values go to ``ctx.meta`` (the commands read them with :func:`with_row_steps`)."""
    options = [
        click.option(
            "--split-rows",
            "split_rows",
            multiple=True,
            metavar="COL:DELIM",
            callback=_keep,
            expose_value=False,
            help="Split COL on DELIM (everything after the first ':') into one row per part. Repeatable.",
        ),
        click.option(
            "--explode",
            multiple=True,
            metavar="PATH",
            callback=_keep,
            expose_value=False,
            help="One row per element of the JSON array at PATH: a JSON column (the element replaces it) or a path in "
            "one, e.g. responseElements.instancesSet.items (the element goes to a column named after the last key, "
            "items); the elements' fields become columns items.FIELD. Each row keeps its row id. Repeatable.",
        ),
        click.option(
            "--explode-fields",
            metavar="F1,F2",
            callback=_keep,
            expose_value=False,
            help="With --explode: the element fields to add as columns (default: those found in the first elements).",
        ),
        click.option(
            "--explode-keep-empty",
            is_flag=True,
            callback=_keep,
            expose_value=False,
            help="With --explode: keep rows without elements, once, with blank element columns.",
        ),
        click.option(
            "--dedupe",
            metavar="KEY[,KEY]",
            callback=_keep,
            expose_value=False,
            help="Keep one row per distinct key (columns or JSON paths), with a 'duplicates' column: how many rows share it.",
        ),
        click.option(
            "--keep",
            type=click.Choice(("first", "last")),
            default="first",
            show_default=True,
            callback=_keep,
            expose_value=False,
            help="With --dedupe: keep the first or the last row of each key.",
        ),
        click.option(
            "--dedupe-by",
            metavar="COL",
            callback=_keep,
            expose_value=False,
            help="With --dedupe: first/last by this column (default: the sheet's time column, else row order).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def with_row_steps(ctx: click.Context, ws: Workspace, sheet: str, view: Query) -> Query:
    """``view`` with the row steps the command line asks for appended to its steps."""
    from logsheet.core import ir

    given = ctx.meta.get(_META, {})
    steps: list[ir.Step] = []
    for spec in given.get("split_rows") or ():
        column, colon, delimiter = spec.partition(":")
        if not colon or not column or not delimiter:
            raise click.UsageError(f"--split-rows {spec!r}: write COL:DELIM, e.g. --split-rows 'tags:,'")
        steps.append(ir.SplitRows(column, delimiter))
    fields = _names(given.get("explode_fields"))
    if fields and not given.get("explode"):
        raise click.UsageError("--explode-fields needs --explode")
    for path in given.get("explode") or ():
        so_far = view.with_(steps=(*view.steps, *steps), group=None, columns=(), sort=())
        chosen = tuple(fields) if fields else tuple(ws.element_fields(sheet, path, so_far))
        steps.append(ir.Explode(path, fields=chosen, keep_empty=bool(given.get("explode_keep_empty"))))
    keys = _names(given.get("dedupe"))
    if keys:
        steps.append(ir.Dedupe(tuple(keys), keep=given.get("keep") or "first", by=given.get("dedupe_by") or ""))
    elif given.get("dedupe_by"):
        raise click.UsageError("--dedupe-by needs --dedupe")
    return view.with_(steps=(*view.steps, *steps)) if steps else view


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()] if text else []


# ----------------------------------------------------------------------------------------------- pivot-table
@main.command("pivot-table")
@click.argument("sheet")
@click.option("--rows", "-r", "rows", required=True, metavar="COL[,COL]", help="The column(s) whose values are the rows.")
@click.option("--columns", "-c", "columns", required=True, metavar="COL", help="The column whose values are the columns.")
@click.option(
    "--agg",
    default="count",
    show_default=True,
    help="Each cell: count, count_distinct:COL, sum:COL, min:COL, max:COL, avg:COL, first (first seen: the "
    "earliest time, of the sheet's time column or first:COL) or last (last seen).",
)
@click.option("--top", type=int, default=10, show_default=True, help="Columns shown: the values with the most rows.")
@click.option("--no-other", is_flag=True, help="Leave out the other values instead of folding them into an 'other' column.")
@click.option("--limit", "-n", type=int, default=1000, show_default=True, help="Rows shown: the largest totals first.")
@click.option("--where", "-w", help="Filter expression, e.g. \"sourceIPAddress = '44.202.228.109'\".")
@click.option("--search", help="Case-insensitive text searched in every column.")
@click.option("--query-json", help="The view as IR JSON (its steps, filter and search apply; not with -w or --search).")
@row_step_options
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "json")), default="table", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the table to this file (as --format)."
)
@click.option("--timeout", type=Seconds(), default=60.0, show_default=True, help="Query time budget, seconds.")
@engine_options
@click.pass_context
def pivot_table(
    ctx: click.Context,
    sheet: str,
    rows: str,
    columns: str,
    agg: str,
    top: int,
    no_other: bool,
    limit: int,
    where: str | None,
    search: str | None,
    query_json: str | None,
    fmt: str,
    output: Path | None,
    timeout: float,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
    dataset: str | None,
) -> None:
    """A pivot table of a sheet's view: one row per value of --rows, one column per value of --columns (the --top
    with the most rows; the rest folded into 'other'), each cell the aggregate of its rows, with row and column
    totals. --format csv (or -o FILE.csv) exports it, formulas neutralised."""
    from logsheet.core import ir
    from logsheet.core.pivot_table import PivotTable
    from logsheet.export.render import table
    from logsheet.query.spellings import build_query, parse_agg

    if dataset:
        raise click.UsageError("--dataset is not supported by pivot-table")
    if query_json and (where or search):
        raise click.UsageError("--query-json is the whole view: give --where or --search inside it, not beside it")
    ws = _workspace(ctx)
    view = ir.query_from_json(query_json) if query_json else build_query(where, search)
    view = with_row_steps(ctx, ws, sheet, view)
    _choose_engine(ws, engine, spark_master, spark_remote)
    seen = agg.strip().lower() in ("first", "last")  # first / last seen: of the sheet's time column
    chosen = ir.Agg(agg.strip().lower()) if seen else parse_agg(agg)  # type: ignore[arg-type]
    spec = PivotTable(tuple(_names(rows)), columns.strip(), chosen, top, not no_other, limit)
    result = ws.pivot_table(sheet, view, spec, timeout=timeout)
    if fmt == "json":
        text = json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        text = "".join(result.csv())
    else:
        from logsheet.cli.output import _width
        from logsheet.export.render import text_value

        text = table(result.headers(), [[text_value(v) for v in line] for line in result.lines()], _width()) + "\n"
    if output is not None:
        output.write_text(text, encoding="utf-8", newline="")
        shape = f"{len(result.rows):,} row(s) × {len(result.columns) + result.other:,} column(s)"
        click.echo(f"pivot table of {shape} written to {output}")
    else:
        click.echo(text, nl=False)
    if fmt == "table" and output is None:
        shown = f"{len(result.rows):,} of {result.rows_total:,} rows"
        click.echo(f"({result.value}; {shown}; {len(result.columns)} columns{' + other' if result.other else ''})", err=True)
