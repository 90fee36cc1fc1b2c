"""``logsheet config``: the workspace's settings (the engine its views run on)."""

from __future__ import annotations

import json

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.options import SPARK_MASTER_HELP, SPARK_REMOTE_HELP

CONFIG_CHOICE_ERRORS = {  # logsheet.workspace.engines.requested's rules, in this command's spelling
    "both": "give --spark-master or --spark-remote, not both",
    "needs_spark": "--spark-master and --spark-remote go with `engine spark`",
}


@main.command()
@click.argument("key", required=False, type=click.Choice(("engine",)))
@click.argument("value", required=False, type=click.Choice(("duckdb", "spark")))
@click.option("--spark-master", help="With `engine spark`: " + SPARK_MASTER_HELP)
@click.option("--spark-remote", help="With `engine spark`: " + SPARK_REMOTE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the setting as JSON.")
@click.pass_context
def config(
    ctx: click.Context, key: str | None, value: str | None, spark_master: str | None, spark_remote: str | None, as_json: bool
) -> None:
    """Show or set the workspace's settings: the engine its views run on.

    `logsheet config` shows them; `logsheet config engine spark --spark-master local[4]` (or
    --spark-remote sc://HOST:15002) makes `serve`, `query` and `export` run views on Spark, and
    `logsheet config engine duckdb` goes back to the embedded default. Stored in the workspace, so a server
    started later (or already running, once restarted) and the command line agree; --engine on a command
    overrides it for that run. Imports always run on DuckDB.
    """
    ws = _workspace(ctx)
    if value is None and (spark_master or spark_remote):
        raise click.UsageError("--spark-master and --spark-remote go with `logsheet config engine spark`")
    if value is not None:
        from logsheet.workspace.engines import EngineChoiceError, requested

        try:
            requested(value, spark_master, spark_remote)  # the one rule, as for --engine on a command
        except EngineChoiceError as exc:
            raise click.UsageError(CONFIG_CHOICE_ERRORS[exc.reason]) from None
        ws.set_engine(value, spark_master, spark_remote)
    setting = ws.engine_setting()
    shown = setting.to_json()
    if as_json:
        click.echo(json.dumps(shown, indent=2))
    elif key is not None and value is None:
        click.echo(setting.engine)
    else:
        if value is not None:
            click.echo(f"views of {ws.root} now run on {setting.describe()}")
        for name, text in (
            ("engine", shown["engine"]),
            ("spark.master", shown["spark_master"]),
            ("spark.remote", shown["spark_remote"]),
        ):
            click.echo(f"{name:<13} {text or '-'}")
