"""The ``logsheet`` group: the global options, workspace access, and how errors end a command.

Each command parses its arguments, calls the Python API and renders the result. Domain errors become one
line on stderr and exit status 1; usage errors (a bad option value, a missing argument) one line too, with
exit status 2 as click's; never a traceback.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from logsheet.core.errors import LogsheetError


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
        except click.UsageError as exc:  # a bad option value or a missing argument: one line, exit status 2
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            click.echo(f"error: {exc.format_message()} (see `{where} --help`)", err=True)
            sys.exit(exc.exit_code)
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
