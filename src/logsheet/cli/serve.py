"""``logsheet serve`` and ``logsheet demo``: the web UI and JSON API over the workspace."""

from __future__ import annotations

import functools
from typing import Any

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.options import _choose_engine, engine_options


@main.command()
@click.option("--no-serve", is_flag=True, help="Build the demo sheets and exit.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
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
