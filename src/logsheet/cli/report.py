"""``logsheet report``: a case's report as one self-contained HTML file or as Markdown (docs/report.md)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from logsheet.cli.group import _workspace, main

SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


@main.command()
@click.option("--case", "case", default=None, metavar="NAME", help="The case (default: the default case, every sheet).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("md", "html")),
    default=None,
    help="html: one self-contained file (inline CSS and SVG, no outside request); md: Markdown. Default: from FILE's "
    "extension (.md, .markdown: md), else html.",
)
@click.option("-o", "--output", "output", required=True, metavar="FILE", help="Where to write the report (`-`: standard output).")
@click.option(
    "--view",
    "views",
    multiple=True,
    metavar="SHEET:VIEW",
    help="Include a sheet's saved view as a table (its first 200 rows); repeatable.",
)
@click.option("--title", default=None, help="The report's title (default: `Case report: NAME`).")
@click.option("--author", default=None, help="The author named in the report's header.")
@click.pass_context
def report(
    ctx: click.Context,
    case: str | None,
    fmt: str | None,
    output: str,
    views: tuple[str, ...],
    title: str | None,
    author: str | None,
) -> None:
    """Write a case's report: a summary (sheets, sources, time span, accounts, regions, hosts), the findings, the
    starred events in time order with their tags and comments, saved views as tables (--view), charts as inline
    SVG and the evidence appendix (every source file with its SHA-256, size, import time and accounting).
    Every value from the logs is escaped text."""
    from logsheet.report import parse_view

    chosen = fmt or SUFFIXES.get(Path(output).suffix.lower(), "html")
    text = _workspace(ctx).report(case, chosen, [parse_view(v) for v in views], title, author)
    if output == "-":
        click.echo(text, nl=False)
        return
    target = Path(output)
    if target.is_dir():
        raise click.UsageError(f"{output} is a folder: give the report's file name")
    folder = target.parent if str(target.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(prefix=".report-", dir=folder)  # written whole, then moved into place
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file (mkstemp makes it private)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    click.echo(
        f"wrote the {chosen} report of case {_case_name(ctx, case)!r} to {target} ({len(text.encode()):,} bytes)", err=True
    )


def _case_name(ctx: click.Context, case: str | None) -> str:
    return case if case is not None else str(_workspace(ctx).case(None).name)
