"""``logsheet ioc``: IOC lists (import, list, show, delete) and their match against a case's sheets."""

from __future__ import annotations

import json

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.output import _width
from logsheet.detect.iocs import KINDS
from logsheet.workspace.iocs import LEVELS

FORMAT = click.Choice(("table", "json"))


@main.group()
def ioc() -> None:
    """IOC lists: indicators of compromise (IP addresses, networks, domains, URLs, hashes, access key ids, user
    names, instance and account ids) imported from a file and matched against every sheet of a case. In a
    view, the filter `ioc` (or `ioc = 'LIST'`) keeps the rows holding one, and `--mark-iocs` adds the column
    `ioc_lists` naming the lists they are of."""


@ioc.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--name", "name", default=None, help="The list's name (default: the file's name without its extension).")
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Every value is of this kind (a list of user names).")
@click.option("--level", type=click.Choice(LEVELS), default="high", show_default=True, help="The level of its findings.")
@click.option("--replace", is_flag=True, help="Replace the list of that name if there is one.")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@click.pass_context
def import_(ctx: click.Context, file: str, name: str | None, kind: str | None, level: str, replace: bool, fmt: str) -> None:
    """Import an IOC list from FILE: plain text (one indicator per line, `#` comments; defanged values such as
    `1.2.3[.]4` and `hxxps://` are read as what they stand for), CSV (a `value`/`indicator` column, optionally
    `type` and `comment`; MISP's CSV export as is) or a STIX 2.1 bundle (its indicators' patterns). Lines that
    hold no indicator are set aside and listed with the reason."""
    made = _workspace(ctx).import_iocs(file, name, kind, level, replace)
    if fmt == "json":
        click.echo(json.dumps(made, indent=2))
        return
    kinds = ", ".join(f"{n:,} {k}" for k, n in made["by_kind"].items())
    click.echo(f"IOC list {made['name']!r}: {made['indicators']:,} indicators ({kinds}) from {made['source']} ({made['format']})")
    if made["duplicates"]:
        click.echo(f"{made['duplicates']:,} repeated an earlier indicator")
    for note in made["notes"]:
        click.echo(f"note: {note}")
    if made["rejected"]:
        click.echo(f"{made['rejected']:,} line(s) set aside:")
        for r in made["rejects"][:20]:
            click.echo(f"  line {r['line']}: {r['reason']}: {r['text']}")
        if made["rejected"] > 20:
            click.echo(f"  ... (--format json lists the first {len(made['rejects']):,})")


@ioc.command("list")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@click.pass_context
def list_(ctx: click.Context, fmt: str) -> None:
    """List the workspace's IOC lists."""
    from logsheet.export.render import table

    found = _workspace(ctx).ioc_lists()
    if fmt == "json":
        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo("no IOC lists (logsheet ioc import FILE)")
        return
    rows = [
        (
            x["name"],
            f"{x['indicators']:,}",
            ", ".join(f"{n} {k}" for k, n in x["by_kind"].items()),
            x["level"],
            x["source"],
            x["imported_at"],
        )
        for x in found
    ]
    click.echo(table(("list", "indicators", "kinds", "level", "source", "imported"), rows, _width()))


@ioc.command()
@click.argument("name")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@click.pass_context
def show(ctx: click.Context, name: str, fmt: str) -> None:
    """Show a list's indicators (normalised, with the value as written when it differs)."""
    from logsheet.export.render import table

    found = _workspace(ctx).ioc_indicators(name)
    if fmt == "json":
        click.echo(json.dumps(found, indent=2))
        return
    rows = [(i["kind"], i["value"], i.get("original", ""), i.get("note", ""), i.get("line", "")) for i in found]
    click.echo(table(("kind", "value", "as written", "note", "line"), rows, _width()))


@ioc.command()
@click.argument("name")
@click.pass_context
def delete(ctx: click.Context, name: str) -> None:
    """Delete an IOC list (its findings stay until the next `logsheet ioc match`)."""
    _workspace(ctx).delete_ioc_list(name)
    click.echo(f"deleted IOC list {name!r}")


@ioc.command()
@click.option("--case", "case", default=None, help="The case whose sheets to match (default: the default case).")
@click.option("--list", "lists", multiple=True, help="Match only this list (repeatable; default: every list).")
@click.option("--no-findings", is_flag=True, help="Do not record the matches as findings.")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@click.pass_context
def match(ctx: click.Context, case: str | None, lists: tuple[str, ...], no_findings: bool, fmt: str) -> None:
    """Match the IOC lists against every sheet of a case: per sheet, the rows holding an indicator and the
    indicators found (JSON: a list of {"sheet", "rows", "values", ...}). Each list's rows on each sheet are
    recorded as a finding (rule `ioc:LIST`), beside the detections' findings."""
    from logsheet.export.render import table

    found = _workspace(ctx).match_iocs(case, lists, record_findings=not no_findings)
    if fmt == "json":
        click.echo(json.dumps([m.to_json() for m in found], indent=2))
        return
    if not found:
        click.echo("no sheet of the case holds an indicator of the lists")
        return
    rows = [(m.sheet, f"{m.rows:,}", ", ".join(m.values[:5]) + (" ..." if len(m.values) > 5 else "")) for m in found]
    click.echo(table(("sheet", "rows", "indicators found"), rows, _width()))
    hits = [(h[0], h[1], h[2], f"{h[3]:,}") for m in found for h in m.hits]
    click.echo("")
    click.echo(table(("list", "kind", "indicator", "rows"), hits, _width()))
