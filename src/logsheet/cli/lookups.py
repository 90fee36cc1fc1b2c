"""The lookup and enrich options of ``query`` and ``export``: steps added after the view's own (``--enrich``
first, then ``--lookup``), spelt::

    --enrich COLUMN                      (repeatable, or comma-separated)
    --lookup SHEET:KEY[=RIGHTKEY][,KEY[=RIGHTKEY]...]
        [--lookup-columns a,b] [--lookup-cidr] [--lookup-ignore-case] [--lookup-prefix P]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from logsheet.core.ir import Query
    from logsheet.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


def lookup_options(func: F) -> F:
    options = [
        click.option(
            "--enrich",
            multiple=True,
            metavar="COLUMN",
            help="Add COLUMN.class, COLUMN.aws_service, COLUMN.aws_region and, with a GeoIP file, COLUMN.country, "
            "COLUMN.city, COLUMN.asn and COLUMN.org for the IP addresses of COLUMN (offline: `logsheet config "
            "ip-ranges` / `geoip`). Repeatable; usable in --where, --group-by and --columns.",
        ),
        click.option(
            "--lookup",
            metavar="SHEET:KEY[=RIGHTKEY][,...]",
            help="Add columns of another sheet where KEY equals its RIGHTKEY (default: a column of the same name); "
            "rows without a match are kept, and the row count never changes. Adds SHEET.COLUMN... and SHEET.matched.",
        ),
        click.option(
            "--lookup-columns", metavar="A,B", help="With --lookup: the other sheet's columns to add (default: all but its keys)."
        ),
        click.option(
            "--lookup-cidr", is_flag=True, help="With --lookup: KEY is an IP address, RIGHTKEY a column of networks (CIDRs)."
        ),
        click.option("--lookup-ignore-case", is_flag=True, help="With --lookup: text keys match ignoring case."),
        click.option("--lookup-prefix", metavar="P", help="With --lookup: name the new columns P<column> (default: SHEET.)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def parse_lookup(text: str, columns: str | None, cidr: bool, ignore_case: bool, prefix: str | None) -> Any:
    from logsheet.core import ir

    sheet, colon, keys = text.partition(":")
    if not colon or not sheet.strip() or not keys.strip():
        raise click.UsageError("--lookup is SHEET:KEY[=RIGHTKEY][,...], e.g. --lookup users:userName=name")
    left, right = [], []
    for pair in keys.split(","):
        key, _, other = pair.partition("=")
        if not key.strip():
            raise click.UsageError(f"--lookup: an empty key in {text!r}")
        left.append(key.strip())
        right.append(other.strip() or key.strip())
    names = tuple(c.strip() for c in (columns or "").split(",") if c.strip())
    mode: ir.LookupMode = "cidr" if cidr else "exact"
    return ir.Lookup(sheet.strip(), tuple(left), tuple(right), names, mode, not ignore_case, prefix or "")


def add_steps(
    view: Query,
    enrich: tuple[str, ...],
    lookup: str | None,
    lookup_columns: str | None,
    lookup_cidr: bool,
    lookup_ignore_case: bool,
    lookup_prefix: str | None,
) -> Query:
    """The view with the options' steps after its own."""
    from logsheet.core import ir

    if not lookup and (lookup_columns or lookup_cidr or lookup_ignore_case or lookup_prefix):
        raise click.UsageError("--lookup-columns, --lookup-cidr, --lookup-ignore-case and --lookup-prefix go with --lookup")
    steps: list[ir.Step] = [ir.Enrich(c.strip()) for text in enrich for c in text.split(",") if c.strip()]
    if lookup:
        steps.append(parse_lookup(lookup, lookup_columns, lookup_cidr, lookup_ignore_case, lookup_prefix))
    return view.with_(steps=(*view.steps, *steps)) if steps else view


def report_lookups(ws: Workspace, sheet: str, view: Query, timeout: float) -> None:
    """One line per lookup step on stderr: how many rows found a match."""
    for found in ws.lookup_counts(sheet, view, timeout=timeout):
        click.echo(f"(lookup in {found['sheet']}: {found['matched']:,} of {found['rows']:,} rows matched)", err=True)


__all__ = ["add_steps", "lookup_options", "report_lookups"]
