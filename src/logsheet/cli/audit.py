"""``logsheet audit``: the workspace's audit trail (what was done, by whom, when), and ``logsheet audit verify``,
which checks its hash chain."""

from __future__ import annotations

import json

import click

from logsheet.cli.group import _fail, _workspace, main
from logsheet.cli.output import _width


@main.group(invoke_without_command=True)
@click.option("--case", "case", default=None, help="Only the entries touching this case (its name or one of its sheets).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the newest N entries.")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@click.pass_context
def audit(ctx: click.Context, case: str | None, limit: int | None, fmt: str) -> None:
    """The audit trail: every import, saved view, annotation, rule run, IOC list and match, export, recipe and
    report, with its time, user and the sheets and cases it touched, oldest first. Each entry carries the hash
    of the one before it; `logsheet audit verify` checks the chain."""
    if ctx.invoked_subcommand is not None:
        return
    from logsheet.export.render import table

    found = _workspace(ctx).audit(case, limit)
    if fmt == "json":
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("the audit trail is empty")
        return
    rows = [
        (e.get("seq"), e.get("at"), e.get("user"), e.get("action"), ", ".join(e.get("sheets", [])), _about(e.get("detail")))
        for e in found
    ]
    click.echo(table(("#", "at", "user", "action", "sheets", "detail"), rows, _width()))


@audit.command()
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.pass_context
def verify(ctx: click.Context, fmt: str) -> None:
    """Check the audit trail's hash chain: every entry follows the one before it, hashes to its hash, and the
    last is the one the workspace recorded. Exits 1 and names the first entry where the chain breaks."""
    verdict = _workspace(ctx).verify_audit()
    if fmt == "json":
        click.echo(json.dumps(verdict, indent=2))
        if not verdict["ok"]:
            ctx.exit(1)
        return
    if verdict["ok"]:
        click.echo(f"the audit trail is intact: {verdict['entries']:,} entries, head {verdict['head']}")
        return
    _fail(f"the audit trail is broken at line {verdict['line']} (entry {verdict['seq']}): {verdict['reason']}")


def _about(detail: object) -> str:
    if not isinstance(detail, dict):
        return ""
    parts = []
    for key in ("name", "value", "rows", "findings", "file", "format"):
        if key in detail and detail[key] not in (None, "", [], {}):
            value = detail[key]
            parts.append(f"{key} {json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value}")
    return "; ".join(parts)[:120]
