"""``logsheet query`` and ``logsheet export``: a view of a sheet, printed or written out."""

from __future__ import annotations

from pathlib import Path

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.options import _build, _choose_engine, engine_options, formula_options, query_options, with_marks
from logsheet.cli.output import QUERY_FORMATS, _emit
from logsheet.cli.rowsteps import row_step_options, with_row_steps


@main.command()
@click.argument("sheet")
@query_options
@formula_options
@row_step_options
@click.option("--limit", "-n", default=100, show_default=True, help="Rows (or groups) to print.")
@click.option("--offset", default=0, help="Rows to skip.")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True)
@click.option("--count", is_flag=True, help="Print only the number of matching rows (groups with --group-by).")
@click.option("--show-sql", is_flag=True, help="Print the SQL the view compiles to instead of running it.")
@click.option("--save-as", "save_as", metavar="NAME", help="Also save this view of the sheet under NAME (replaces one).")
@click.option(
    "--dialect",
    type=click.Choice(("duckdb", "spark", "trino")),
    help="SQL dialect for --show-sql (default: the engine's). spark and trino read the sheet from a table named "
    "after it (Trino's is what Athena runs over an --to-dataset export).",
)
@engine_options
@click.pass_context
def query(
    ctx: click.Context,
    sheet: str,
    where: str | None,
    search: str | None,
    columns: str | None,
    sort: tuple[str, ...],
    group_by: str | None,
    agg: tuple[str, ...],
    query_json: str | None,
    finding: str | None,
    mark_iocs: bool,
    timeout: float,
    formulas: tuple[str, ...],
    limit: int,
    offset: int,
    fmt: str,
    count: bool,
    show_sql: bool,
    save_as: str | None,
    dialect: str | None,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
    dataset: str | None,
) -> None:
    """Filter, search, sort and group a sheet, on DuckDB or on Spark (--engine spark)."""
    ws = _workspace(ctx)
    view = with_marks(_build(where, search, columns, sort, group_by, agg, query_json, formulas), mark_iocs)
    view = with_row_steps(ctx, ws, sheet, view)
    if finding:
        view = ws.finding_query(sheet, finding, view)
    chosen = _choose_engine(ws, engine, spark_master, spark_remote)
    if save_as:
        ws.save_view(sheet, save_as, view)
        click.echo(f"saved view {save_as!r} of sheet {sheet!r}", err=True)
    if show_sql:
        click.echo(ws.sql(sheet, view, dialect=dialect or chosen, limit=limit))
        return
    if count:
        click.echo(ws.count(sheet, view, timeout=timeout, dataset=dataset))
        return
    page = ws.query(sheet, view, limit=limit, offset=offset, timeout=timeout, dataset=dataset)
    _emit(page.columns, page.rows, fmt)
    if fmt == "table":
        shown = f"rows {offset + 1:,}-{offset + len(page.rows):,} of" if page.rows else "0 of"
        click.echo(f"({shown} {page.total:,}{' groups' if view.group else ''}, {page.elapsed * 1000:.0f} ms)", err=True)


@main.command()
@click.argument("sheet")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file: .csv, .json, .ndjson/.jsonl or .parquet.",
)
@click.option(
    "--to-dataset",
    "to_dataset",
    metavar="DIR",
    help="Instead of a file, write a Hive-partitioned Parquet dataset (DIR/date=YYYY-MM-DD/part-0.parquet) that "
    "Spark, Athena and Trino read. With --engine spark, DIR may be an s3a:// or hdfs:// URL.",
)
@click.option(
    "--partition-by",
    default="date",
    show_default=True,
    help="With --to-dataset: 'date' (the UTC day of the sheet's time column) or a column name.",
)
@query_options
@formula_options
@row_step_options
@click.option("--limit", "-n", type=int, default=None, help="At most this many rows.")
@engine_options
@click.pass_context
def export(
    ctx: click.Context,
    sheet: str,
    output: Path | None,
    to_dataset: str | None,
    partition_by: str,
    where: str | None,
    search: str | None,
    columns: str | None,
    sort: tuple[str, ...],
    group_by: str | None,
    agg: tuple[str, ...],
    query_json: str | None,
    finding: str | None,
    mark_iocs: bool,
    timeout: float,
    formulas: tuple[str, ...],
    limit: int | None,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
    dataset: str | None,
) -> None:
    """Export a view of a sheet to CSV (formulas neutralised), JSON, NDJSON or Parquet, or as a partitioned
    Parquet dataset for a data lake (--to-dataset)."""
    if (output is None) == (to_dataset is None):
        raise click.UsageError("give either --output FILE or --to-dataset DIR")
    ws = _workspace(ctx)
    view = with_marks(_build(where, search, columns, sort, group_by, agg, query_json, formulas), mark_iocs)
    view = with_row_steps(ctx, ws, sheet, view)
    if finding:
        view = ws.finding_query(sheet, finding, view)
    _choose_engine(ws, engine, spark_master, spark_remote)
    if to_dataset is not None:
        summary = ws.export_dataset(sheet, view, to_dataset, partition_by, limit, dataset=dataset)
        click.echo(f"{summary.rows:,} rows written to {summary.directory} ({summary.partitions:,} partitions by {partition_by})")
        return
    assert output is not None
    if dataset:
        raise click.UsageError("--dataset applies to --to-dataset exports and to query")
    written = ws.export(sheet, view, output, limit)
    click.echo(f"{written:,} rows written to {output}")
