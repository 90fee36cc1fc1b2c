"""``logsheet serve`` and ``logsheet demo``: the web UI and JSON API over the workspace."""

from __future__ import annotations

import functools
import shlex
import sys
from typing import Any

import click
from click.core import ParameterSource

from logsheet.cli.group import _fail, _workspace, main
from logsheet.cli.options import _choose_engine, engine_options


@main.command()
@click.option("--no-serve", is_flag=True, help="Build the demo sheets and exit.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--yes", is_flag=True, help="Delete the demo sheets' saved views without asking when rebuilding.")
@click.pass_context
def demo(ctx: click.Context, no_serve: bool, host: str, port: int, yes: bool) -> None:
    """Build the demo incident (sheets cloudtrail, secure, vpcflow) and serve it.

    The demo has a workspace of its own, `logsheet-demo` beside the default workspace (~/.local/share/logsheet-demo
    on Linux), never the one your evidence goes to; --home / LOGSHEET_HOME choose another. Rerunning it rebuilds
    the three sheets: it asks before deleting their saved views (--yes to skip; without a terminal it refuses),
    and it never replaces a sheet of those names that is not the demo's.
    """
    from logsheet.demo.build import build_demo, default_demo_home, describe_views, saved_views_at_stake

    own = ctx.obj.get("home") is None
    if own:
        ctx.obj["home"] = str(default_demo_home())
    ws = _workspace(ctx)
    where = "the demo's own; --home or LOGSHEET_HOME choose another" if own else "chosen by --home / LOGSHEET_HOME"
    click.echo(f"demo workspace: {ws.root} ({where})")
    at_stake = saved_views_at_stake(ws)
    if at_stake and not yes:
        lost = describe_views(at_stake)
        if not sys.stdin.isatty():
            _fail(f"rebuilding the demo would delete {lost}: rerun with --yes to delete them, or choose another --home")
        if not click.confirm(f"rebuilding the demo deletes {lost}. Delete them?", err=True):
            _fail("nothing changed")
    for line in build_demo(ws, replace_views=True):
        click.echo(line)
    source = ctx.parent.get_parameter_source("home") if ctx.parent else None
    home = "" if source is ParameterSource.ENVIRONMENT else f"--home {shlex.quote(str(ws.root))} "
    click.echo(f"try: logsheet {home}query cloudtrail --where \"eventName = 'RunInstances'\" --count")
    if not no_serve:
        _serve(ws, host, port, None)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (others need a token).")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--token",
    envvar="LOGSHEET_TOKEN",
    callback=lambda ctx, param, value: _check_token(value),  # type: ignore[misc]
    help="Access token required by every request (at least 16 characters).",
)
@click.option(
    "--max-upload-bytes",
    type=click.IntRange(min=1),
    envvar="LOGSHEET_MAX_UPLOAD_BYTES",
    help="Largest accepted upload, in bytes (default 20 GiB).",
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


def _check_token(token: str | None) -> str | None:
    from logsheet.api.security import token_problem

    problem = token_problem(token)
    if problem is not None:
        raise click.BadParameter(problem, param_hint="'--token' / LOGSHEET_TOKEN")
    return token


def _serve(ws: Any, host: str, port: int, token: str | None, max_upload_bytes: int | None = None) -> None:
    from logsheet.api import run

    run(ws, host, port, token, max_upload_bytes=max_upload_bytes)
