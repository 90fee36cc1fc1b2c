"""The ``logsheet`` command: a thin shell over :class:`logsheet.Workspace`.

Each command parses its arguments, calls the Python API and renders the result. Domain errors become one
line on stderr and exit status 1 (2 for usage errors, as click does); never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from logsheet.core.errors import LogsheetError

F = TypeVar("F", bound=Callable[..., Any])
QUERY_FORMATS = ("table", "csv", "json", "ndjson")


def _workspace(ctx: click.Context) -> Any:
    from logsheet.workspace import Workspace

    return Workspace.open(ctx.obj.get("home"))


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


class Group(click.Group):
    """Maps domain errors (and Ctrl-C) to one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # usage errors, --help, declined prompts: click's own exit codes
        except LogsheetError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _interrupted()
        except OSError as exc:
            _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback only on request
            if _is_interrupt(exc):
                _interrupted()
            if os.environ.get("LOGSHEET_DEBUG"):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            _fail(f"internal error ({type(exc).__name__}): {first} - please report it; set LOGSHEET_DEBUG=1 for the traceback")


def _is_interrupt(exc: BaseException) -> bool:
    """DuckDB turns Ctrl-C during a statement into its own interrupt error."""
    import duckdb

    return isinstance(exc, duckdb.InterruptException) or (isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower())


def _interrupted() -> None:
    click.echo("interrupted", err=True)
    sys.exit(130)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    envvar="LOGSHEET_HOME",
    help="Workspace folder (default: $LOGSHEET_HOME, else the per-user data directory).",
)
@click.version_option(package_name="logsheet")
@click.pass_context
def main(ctx: click.Context, home: str | None) -> None:
    """logsheet: a big-data spreadsheet for incident-response logs.

    Import CloudTrail, JSON, CSV, Parquet or text logs into sheets, then filter, search, group and export
    them. Run `logsheet demo` to explore a built-in incident.
    """
    ctx.obj = {"home": home}


# ------------------------------------------------------------------------------------------------- import
@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--sheet", "-s", help="Sheet name (default: from the first path).")
@click.option(
    "--format",
    "-f",
    "fmt",
    help="Force a format instead of detecting it: cloudtrail, vpcflow, syslog, json, csv, parquet, text.",
)
@click.option("--append", is_flag=True, help="Add the files to an existing sheet.")
@click.option(
    "--keep-duplicates",
    is_flag=True,
    help="Keep records delivered twice (CloudTrail: same eventID); by default they are removed and counted.",
)
@click.option(
    "--year",
    type=int,
    help="Year of the last line of a syslog file whose timestamps have none; earlier lines roll back over year "
    "boundaries (default: inferred from the file's modification time).",
)
@click.option("--timezone", "tz", help="Time zone of timestamps without one, e.g. Europe/Paris (default: UTC).")
@click.option("--fields", help="VPC flow log field names, space or comma separated, for files without a header.")
@click.option("--json", "as_json", is_flag=True, help="Print the import summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_context
def import_(
    ctx: click.Context,
    paths: tuple[Path, ...],
    sheet: str | None,
    fmt: str | None,
    append: bool,
    keep_duplicates: bool,
    year: int | None,
    tz: str | None,
    fields: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Import files, folders (recursively), .gz, .zip and .tar archives into a sheet.

    Malformed records never abort the import: they are set aside with their position and reason (see
    `logsheet rejects`), the summary counts them, and the exit status stays 0.
    """
    from logsheet.cli.progress import ProgressBar

    ws = _workspace(ctx)
    with ProgressBar(enabled=not quiet and not as_json and sys.stderr.isatty()) as bar:
        options = import_options(keep_duplicates, year, tz, fields)
        summary = ws.import_paths(list(paths), sheet=sheet, format=fmt, append=append, options=options, progress=bar.update)
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    else:
        verb = "appended to" if summary.appended else "imported into"
        click.echo(
            f"{summary.rows:,} rows {verb} sheet {summary.sheet!r} ({summary.format}, "
            f"{len(summary.columns)} columns, {len(summary.sources)} source file(s), "
            f"{summary.elapsed:.1f} s)"
        )
        click.echo(
            f"rejected: {summary.rejected:,}   duplicates removed: {summary.duplicates:,}   "
            f"time column: {summary.time_column or '-'}"
        )
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)


def import_options(keep_duplicates: bool, year: int | None, tz: str | None, fields: str | None) -> dict[str, Any]:
    """The format options of an import, as the Python API takes them (``options=``)."""
    options: dict[str, Any] = {}
    if keep_duplicates:
        options["keep_duplicates"] = True
    if year is not None:
        options["year"] = year
    if tz:
        options["timezone"] = tz
    if fields:
        options["fields"] = [f for f in fields.replace(",", " ").split() if f]
    return options


# ------------------------------------------------------------------------------------------------- sheets
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


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def detect(paths: tuple[Path, ...], as_json: bool) -> None:
    """Show the format logsheet detects for each file, how sure it is, and why."""
    from logsheet.ingest import formats
    from logsheet.ingest.discover import _is_gzip, _walk

    results = []
    for given in paths:
        for path in _walk(given) if given.is_dir() else [given]:
            found = formats.detect(formats.sample(path, _is_gzip(path)))
            results.append(
                {"path": str(path), "format": found.format, "confidence": round(found.confidence, 2), "reason": found.reason}
            )
    if as_json:
        click.echo(json.dumps(results, indent=2))
        return
    for r in results:
        click.echo(f"{r['path']}: {r['format']} ({r['confidence']:.0%}) - {r['reason']}")


# -------------------------------------------------------------------------------------------------- query
def query_options(func: F) -> F:
    options = [
        click.option("--where", "-w", help="Filter expression, e.g. \"eventName = 'RunInstances'\"."),
        click.option("--search", help="Case-insensitive text searched in every column."),
        click.option("--columns", "-c", help="Comma-separated columns to show."),
        click.option("--sort", multiple=True, help="Sort column; -COL for descending. Repeatable."),
        click.option("--group-by", "-g", help="Comma-separated columns to group by."),
        click.option(
            "--agg",
            multiple=True,
            help="Aggregate with --group-by: count, count_distinct:COL, "
            "min:COL, max:COL, sum:COL, avg:COL, first:COL, last:COL. Repeatable.",
        ),
        click.option("--query-json", help="A whole view as IR JSON (from the web UI or a saved view)."),
        click.option("--timeout", type=float, default=60.0, show_default=True, help="Query time budget, seconds."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


SPARK_MASTER_HELP = "Spark master for --engine spark: local[*] (default), spark://HOST:7077, yarn..."
SPARK_REMOTE_HELP = "A Spark Connect server for --engine spark, as sc://HOST:PORT."


def engine_options(func: F, dataset: bool = True) -> F:
    """--engine and where Spark runs (logsheet.engines.spark); --spark-master or --spark-remote imply --engine spark.
    Without them the workspace's setting (`logsheet config`) decides."""
    options = [
        click.option(
            "--engine",
            type=click.Choice(("duckdb", "spark")),
            help="Run views on DuckDB, in process, or on Apache Spark (default: the workspace's setting, "
            "see `logsheet config`; DuckDB unless set).",
        ),
        click.option("--spark-master", help=SPARK_MASTER_HELP),
        click.option("--spark-remote", help=SPARK_REMOTE_HELP),
    ]
    if dataset:
        options.append(
            click.option(
                "--dataset",
                help="With --engine spark: read the rows from this Parquet dataset (a folder, s3a:// or hdfs:// URL, "
                "e.g. written by `export --to-dataset`) with the sheet's schema, instead of the workspace's copy.",
            )
        )
    for option in reversed(options):
        func = option(func)
    return func


CHOICE_ERRORS = {  # logsheet.workspace.engines.requested's rules, in the options' spelling
    "both": "give --spark-master or --spark-remote, not both",
    "needs_spark": "--spark-master and --spark-remote need --engine spark",
}


def _choose_engine(ws: Any, engine: str | None, spark_master: str | None, spark_remote: str | None) -> str:
    """Apply --engine / --spark-* to this run (the stored setting is unchanged); the engine views run on."""
    from logsheet.workspace.engines import EngineChoiceError

    try:
        ws.use_engine(engine, spark_master, spark_remote)
    except EngineChoiceError as exc:
        raise click.UsageError(CHOICE_ERRORS[exc.reason]) from None
    return str(ws.serving().engine)


def _build(
    where: str | None,
    search: str | None,
    columns: str | None,
    sort: tuple[str, ...],
    group_by: str | None,
    agg: tuple[str, ...],
    query_json: str | None,
) -> Any:
    from logsheet.core import ir
    from logsheet.query.spellings import build_query

    if query_json:
        return ir.query_from_json(query_json)
    split = lambda text: [c.strip() for c in text.split(",") if c.strip()] if text else None  # noqa: E731
    return build_query(where, search, split(columns), list(sort), split(group_by), list(agg))


@main.command()
@click.argument("sheet")
@query_options
@click.option("--limit", "-n", default=100, show_default=True, help="Rows (or groups) to print.")
@click.option("--offset", default=0, help="Rows to skip.")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True)
@click.option("--count", is_flag=True, help="Print only the number of matching rows (groups with --group-by).")
@click.option("--show-sql", is_flag=True, help="Print the SQL the view compiles to instead of running it.")
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
    timeout: float,
    limit: int,
    offset: int,
    fmt: str,
    count: bool,
    show_sql: bool,
    dialect: str | None,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
    dataset: str | None,
) -> None:
    """Filter, search, sort and group a sheet, on DuckDB or on Spark (--engine spark)."""
    ws = _workspace(ctx)
    view = _build(where, search, columns, sort, group_by, agg, query_json)
    chosen = _choose_engine(ws, engine, spark_master, spark_remote)
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
    timeout: float,
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
    view = _build(where, search, columns, sort, group_by, agg, query_json)
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


# ------------------------------------------------------------------------------------------------- config
@main.command()
@click.argument("key", required=False, type=click.Choice(("engine",)))
@click.argument("value", required=False, type=click.Choice(("duckdb", "spark")))
@click.option("--spark-master", help="With `engine spark`: " + SPARK_MASTER_HELP)
@click.option("--spark-remote", help="With `engine spark`: " + SPARK_REMOTE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the setting as JSON.")
@click.pass_context
def config(
    ctx: click.Context, key: str | None, value: str | None, spark_master: str | None, spark_remote: str | None, as_json: bool
) -> None:
    """Show or set the workspace's settings: the engine its views run on.

    `logsheet config` shows them; `logsheet config engine spark --spark-master local[4]` (or
    --spark-remote sc://HOST:15002) makes `serve`, `query` and `export` run views on Spark, and
    `logsheet config engine duckdb` goes back to the embedded default. Stored in the workspace, so a server
    started later (or already running, once restarted) and the command line agree; --engine on a command
    overrides it for that run. Imports always run on DuckDB.
    """
    ws = _workspace(ctx)
    if value is None and (spark_master or spark_remote):
        raise click.UsageError("--spark-master and --spark-remote go with `logsheet config engine spark`")
    if value is not None:
        if value == "duckdb" and (spark_master or spark_remote):
            raise click.UsageError("--spark-master and --spark-remote go with `engine spark`")
        if spark_master and spark_remote:
            raise click.UsageError("give --spark-master or --spark-remote, not both")
        ws.set_engine(value, spark_master, spark_remote)
    setting = ws.engine_setting()
    shown = setting.to_json()
    if as_json:
        click.echo(json.dumps(shown, indent=2))
    elif key is not None and value is None:
        click.echo(setting.engine)
    else:
        if value is not None:
            click.echo(f"views of {ws.root} now run on {setting.describe()}")
        for name, text in (
            ("engine", shown["engine"]),
            ("spark.master", shown["spark_master"]),
            ("spark.remote", shown["spark_remote"]),
        ):
            click.echo(f"{name:<13} {text or '-'}")


# ------------------------------------------------------------------------------------------ demo and serve
@main.command()
@click.option("--no-serve", is_flag=True, help="Build the demo sheets and exit.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True)
@click.option("--force", is_flag=True, help="Replace sheets named cloudtrail/secure/vpcflow that are not the demo's.")
@click.pass_context
def demo(ctx: click.Context, no_serve: bool, host: str, port: int, force: bool) -> None:
    """Build the demo incident (sheets cloudtrail, secure, vpcflow) and serve it."""
    from logsheet.demo.build import build_demo

    ws = _workspace(ctx)
    for line in build_demo(ws, force=force):
        click.echo(line)
    if not no_serve:
        _serve(ws, host, port, None)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (others need a token).")
@click.option("--port", default=8765, show_default=True)
@click.option("--token", envvar="LOGSHEET_TOKEN", help="Access token required by every request.")
@click.option(
    "--max-upload-bytes", type=int, envvar="LOGSHEET_MAX_UPLOAD_BYTES", help="Largest accepted upload, in bytes (default 20 GiB)."
)
@functools.partial(engine_options, dataset=False)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    token: str | None,
    max_upload_bytes: int | None,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
) -> None:
    """Serve the web UI and the JSON API of the workspace.

    Views (pages, counts, group-by, histograms, profiles, exports) run on the workspace's engine setting
    (`logsheet config engine spark ...`), or on --engine for this run; imports always run on DuckDB.
    """
    ws = _workspace(ctx)
    _choose_engine(ws, engine, spark_master, spark_remote)
    _serve(ws, host, port, token, max_upload_bytes)


def _serve(ws: Any, host: str, port: int, token: str | None, max_upload_bytes: int | None = None) -> None:
    from logsheet.api import run

    run(ws, host, port, token, max_upload_bytes=max_upload_bytes)


# ----------------------------------------------------------------------------------------------- helpers
def _width() -> int:
    return shutil.get_terminal_size((120, 24)).columns


def _emit(columns: list[Any], rows: list[tuple[Any, ...]], fmt: str) -> None:
    from logsheet.export.render import csv_rows, json_value, table

    names = [c.name for c in columns]
    if fmt == "table":
        click.echo(table(names, rows, _width()))
    elif fmt == "csv":
        numeric = [c.type in ("integer", "float") for c in columns]
        for line in csv_rows(names, rows, numeric):
            click.echo(line, nl=False)
    elif fmt == "json":
        click.echo(json.dumps([dict(zip(names, map(json_value, r))) for r in rows], ensure_ascii=False, indent=2))
    else:
        for r in rows:
            click.echo(json.dumps(dict(zip(names, map(json_value, r))), ensure_ascii=False))


if __name__ == "__main__":
    main()
