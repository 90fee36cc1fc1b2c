"""``logsheet import`` and ``logsheet detect``: files into sheets, and what format a file looks like."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.s3options import s3_options, s3_request


@main.command("import")
@click.argument("paths", nargs=-1, required=True, metavar="PATHS... | s3://BUCKET/PREFIX")
@click.option("--sheet", "-s", help="Sheet name (default: from the first path).")
@click.option(
    "--format",
    "-f",
    "fmt",
    help="Force a format instead of detecting it: cloudtrail, vpcflow, syslog, json, csv, parquet, text.",
)
@click.option("--append", is_flag=True, help="Add the files to an existing sheet.")
@click.option("--case", help="Also put the sheet in this case (made if missing); every sheet joins the case `default`.")
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
@click.option(
    "--follow-links",
    is_flag=True,
    help="Read links that lead outside the folder given (by default they are skipped with a note).",
)
@click.option(
    "--encoding",
    help="Text encoding of CSV and text files, a Python codec name such as cp1252 or utf-16 (default: per "
    "file, a BOM, else UTF-8, else Windows-1252 for a file that is not UTF-8 anywhere).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the import summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@s3_options
@click.pass_context
def import_(
    ctx: click.Context,
    paths: tuple[str, ...],
    sheet: str | None,
    fmt: str | None,
    append: bool,
    case: str | None,
    keep_duplicates: bool,
    year: int | None,
    tz: str | None,
    fields: str | None,
    follow_links: bool,
    encoding: str | None,
    as_json: bool,
    quiet: bool,
    **s3: Any,
) -> None:
    """Import files, folders (recursively), .gz, .zip and .tar archives into a sheet; or the objects of an S3
    bucket, `s3://BUCKET/PREFIX` (CloudTrail and VPC flow deliveries selected by account, region and day).

    Malformed records never abort the import: they are set aside with their position and reason (see
    `logsheet rejects`), the summary counts them, and the exit status stays 0. An S3 import run again (or with
    --append) reads only the objects not yet imported.
    """
    from logsheet.cli.progress import ProgressBar
    from logsheet.ingest.options import ImportOptions

    ws = _workspace(ctx)
    with ProgressBar(enabled=not quiet and not as_json and sys.stderr.isatty()) as bar:
        given = {
            "keep_duplicates": keep_duplicates,
            "year": year,
            "timezone": tz,
            "fields": fields,
            "follow_links": follow_links,
            "encoding": encoding,
        }
        options = ImportOptions.from_mapping(given)
        request = s3_request(paths, s3)
        if request is not None:
            summary = ws.import_s3(
                paths[0],
                sheet=sheet,
                format=fmt,
                append=append,
                options=options,
                progress=None,
                case=case,
                s3=request,
                transfer=bar.transfer,
            )
        else:
            summary = ws.import_paths(
                [Path(p) for p in paths],
                sheet=sheet,
                format=fmt,
                append=append,
                options=options,
                progress=bar.update,
                case=case,
            )
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    else:
        verb = "appended to" if summary.appended else "imported into"
        origin = f"{len(summary.sources)} S3 object(s)" if summary.s3 is not None else f"{len(summary.sources)} source file(s)"
        click.echo(
            f"{summary.rows:,} {'row' if summary.rows == 1 else 'rows'} {verb} sheet {summary.sheet!r} ({summary.format}, "
            f"{len(summary.columns)} columns, {origin}, "
            f"{summary.elapsed:.1f} s)"
        )
        click.echo(
            f"rejected: {summary.rejected:,}   duplicates removed: {summary.duplicates:,}   "
            f"time column: {summary.time_column or '-'}"
        )
        if case is not None:
            click.echo(f"in case {case!r}")
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def detect(paths: tuple[Path, ...], as_json: bool) -> None:
    """Show the format logsheet detects for each file, how sure it is, and why."""
    from logsheet.ingest import formats
    from logsheet.ingest.discover import is_gzip, walk_files

    results = []
    for given in paths:
        for path in walk_files(given) if given.is_dir() else [given]:
            found = formats.detect(formats.sample(path, is_gzip(path)))
            results.append(
                {"path": str(path), "format": found.format, "confidence": round(found.confidence, 2), "reason": found.reason}
            )
    if as_json:
        click.echo(json.dumps(results, indent=2))
        return
    for r in results:
        click.echo(f"{r['path']}: {r['format']} ({r['confidence']:.0%}) - {r['reason']}")
