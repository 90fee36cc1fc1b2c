"""``logsheet pivot``: one value followed across every sheet of a case (:meth:`Workspace.pivot`)."""

from __future__ import annotations

import json

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.output import _width
from logsheet.workspace.pivot import DEFAULT_TOP


@main.command()
@click.argument("value")
@click.option("--case", "case", default=None, help="The case whose sheets to look in (default: the default case).")
@click.option("--anywhere", is_flag=True, help="Rows holding the value in any column (a search), not only in entity columns.")
@click.option("--top", type=int, default=DEFAULT_TOP, show_default=True, help="Related entities listed per kind.")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@click.pass_context
def pivot(ctx: click.Context, value: str, case: str | None, anywhere: bool, top: int, fmt: str) -> None:
    """Follow VALUE (an IP address, a user or ARN, an access key, an instance, an account, a host) across
    every sheet of a case: the rows holding it in an entity column, per sheet with first and last seen, and
    the other entities of those rows (the users and keys an IP used, the IPs a key came from)."""
    from logsheet.export.render import table

    found = _workspace(ctx).pivot(value, case=case, anywhere=anywhere, top=top)
    if fmt == "json":
        click.echo(json.dumps(found.to_json(), indent=2))
        return
    data = found.to_json()
    where = "anywhere in" if anywhere else "in the entity columns of"
    kind = f" ({found.kind})" if found.kind else ""
    click.echo(f"{found.value}{kind}: {found.rows:,} row(s) {where} case {found.case!r}")
    if not found.sheets:
        return
    rows = [(s["sheet"], f"{s['rows']:,}", s["first_seen"] or "-", s["last_seen"] or "-") for s in data["sheets"]]
    click.echo(table(("sheet", "rows", "first seen", "last seen"), rows, _width()))
    if data["related"]:
        click.echo("")
        related = [(k, r["value"], f"{r['rows']:,}") for k, items in data["related"].items() for r in items]
        click.echo(table(("related", "value", "rows"), related, _width()))
