"""``logsheet rules`` (list, run, on-import) and ``logsheet findings``: detection rules and what they found."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.options import Seconds

SIGMA_HELP = "A Sigma rule file or a folder of them (.yml/.yaml), besides the built-in pack. Repeatable."
MAPPING_HELP = "A log-source mapping file (YAML, see docs/detections.md) for rules of other products. Repeatable."
FORMAT = click.Choice(("table", "json"))


@main.group()
def rules() -> None:
    """Detection rules (Sigma): the built-in pack and your own, run on a sheet; the findings are kept."""


def _mappings(paths: tuple[Path, ...]) -> list[Any]:
    from logsheet.detect.sigma import load_mapping

    return [m for p in paths for m in load_mapping(p)]


@rules.command("list")
@click.option("--sigma", "sigma", multiple=True, type=click.Path(exists=True, path_type=Path), help=SIGMA_HELP)
@click.option("--no-builtin", is_flag=True, help="Leave out the built-in pack.")
@click.option("--mapping", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help=MAPPING_HELP)
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@click.pass_context
def list_(ctx: click.Context, sigma: tuple[Path, ...], no_builtin: bool, mapping: tuple[Path, ...], fmt: str) -> None:
    """List the rules a run would use: the built-in pack, the workspace's rule paths (`rules on-import
    --sigma`) and any given with --sigma."""
    from logsheet.export.render import table

    found = _workspace(ctx).rules(list(sigma), builtin=not no_builtin, mappings=_mappings(mapping))
    if fmt == "json":
        click.echo(json.dumps([r.to_json() for r in found], indent=2))
        return
    rows = [(r.level, r.title, r.kind, ", ".join(r.formats) or "-", "built-in" if r.builtin else r.origin, r.id) for r in found]
    click.echo(table(("level", "title", "kind", "sheets", "from", "id"), rows, _width()))
    click.echo(f"({_count(len(found), 'rule')})", err=True)


@rules.command()
@click.argument("sheet")
@click.option("--sigma", "sigma", multiple=True, type=click.Path(exists=True, path_type=Path), help=SIGMA_HELP)
@click.option("--no-builtin", is_flag=True, help="Run only the rules given with --sigma (and the workspace's).")
@click.option("--mapping", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help=MAPPING_HELP)
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@click.option("--timeout", type=Seconds(), default=600.0, show_default=True, help="Time budget of each query, seconds.")
@click.pass_context
def run(
    ctx: click.Context,
    sheet: str,
    sigma: tuple[Path, ...],
    no_builtin: bool,
    mapping: tuple[Path, ...],
    fmt: str,
    timeout: float,
) -> None:
    """Run the rules on a sheet, keep its findings (replacing what the same rules found before) and print
    them. A rule that cannot run on the sheet is named on stderr with the reason; the others run."""
    from logsheet.export.render import terminal_safe

    result = _workspace(ctx).run_rules(sheet, list(sigma), builtin=not no_builtin, mappings=_mappings(mapping), timeout=timeout)
    for refused in result.refused:
        click.echo(f"rule not run: {terminal_safe(refused.title or refused.id)} ({refused.origin}): {refused.reason}", err=True)
    _print_findings([f.to_json() for f in result.findings], fmt)
    click.echo(
        f"({_count(result.rules, 'rule')} ran on {sheet!r} in {_count(result.scans, 'pass', 'passes')}, "
        f"{result.seconds:.2f} s: {_count(len(result.findings), 'finding')}; {len(result.refused)} could not run, "
        f"{result.other_formats} are for other logs)",
        err=True,
    )


@rules.command("on-import")
@click.argument("state", required=False, type=click.Choice(("on", "off")))
@click.option(
    "--sigma",
    "sigma",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="The workspace's own rule files or folders, run with the built-in pack (replaces the list). Repeatable.",
)
@click.option("--no-sigma", is_flag=True, help="Forget the workspace's own rule paths.")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@click.pass_context
def on_import(ctx: click.Context, state: str | None, sigma: tuple[Path, ...], no_sigma: bool, as_json: bool) -> None:
    """Show or set whether the rules run after every import into this workspace (`on` or `off`; off by
    default), and the workspace's own rule paths that every run uses."""
    if sigma and no_sigma:
        raise click.UsageError("give --sigma or --no-sigma, not both")
    paths = [str(p) for p in sigma] if sigma else ([] if no_sigma else None)
    settings = _workspace(ctx).set_rules_settings(None if state is None else state == "on", paths)
    if as_json:
        click.echo(json.dumps(settings, indent=2))
        return
    click.echo(f"rules run after every import: {'on' if settings['on_import'] else 'off'}")
    for p in settings["sigma"]:
        click.echo(f"workspace rules: {p}")


@main.command()
@click.argument("sheet", required=False)
@click.option("--case", help="Only the findings of this case's sheets.")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@click.pass_context
def findings(ctx: click.Context, sheet: str | None, case: str | None, fmt: str) -> None:
    """The findings kept from the last rule runs, of one sheet, of a case's sheets or of every sheet, the most
    severe first. `logsheet query SHEET --finding ID` shows a finding's rows."""
    found = _workspace(ctx).findings(sheet, case=case)
    _print_findings([f.to_json() for f in found], fmt)
    if fmt == "table":
        click.echo(f"({_count(len(found), 'finding')})", err=True)


def _print_findings(found: list[dict[str, Any]], fmt: str) -> None:
    from logsheet.export.render import table

    if fmt == "json":
        click.echo(json.dumps(found, indent=2))
        return
    rows = []
    for f in found:
        about = ", ".join(f"{k}={v}" for k, v in f["group"].items()) or _entities_line(f["entities"])
        rows.append((f["level"], f["title"], f["sheet"], f["rows"], f["first_seen"] or "", f["last_seen"] or "", about, f["id"]))
    header = ("level", "title", "sheet", "rows", "first seen", "last seen", "about", "id")
    click.echo(table(header, rows, _width()))


def _entities_line(entities: dict[str, list[str]]) -> str:
    parts = []
    for kind, values in entities.items():
        shown = ", ".join(values[:3]) + (f" +{len(values) - 3}" if len(values) > 3 else "")
        parts.append(f"{kind}: {shown}")
    return "; ".join(parts)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _width() -> int:
    return max(80, shutil.get_terminal_size((160, 24)).columns)
