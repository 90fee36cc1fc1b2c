"""``logsheet config``: the workspace's settings (the engine its views run on)."""

from __future__ import annotations

import json
from typing import Any

import click

from logsheet.cli.group import _workspace, main
from logsheet.cli.options import SPARK_MASTER_HELP, SPARK_REMOTE_HELP

CONFIG_CHOICE_ERRORS = {  # logsheet.workspace.engines.requested's rules, in this command's spelling
    "both": "give --spark-master or --spark-remote, not both",
    "needs_spark": "--spark-master and --spark-remote go with `engine spark`",
}


ENGINE_VALUES = ("duckdb", "spark")


@main.command()
@click.argument("key", required=False, type=click.Choice(("engine", "ip-ranges", "geoip")))
@click.argument("value", required=False)
@click.option("--spark-master", help="With `engine spark`: " + SPARK_MASTER_HELP)
@click.option("--spark-remote", help="With `engine spark`: " + SPARK_REMOTE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the setting as JSON.")
@click.pass_context
def config(
    ctx: click.Context, key: str | None, value: str | None, spark_master: str | None, spark_remote: str | None, as_json: bool
) -> None:
    """Show or set the workspace's settings: the engine its views run on, and the IP enrichment files.

    `logsheet config` shows them; `logsheet config engine spark --spark-master local[4]` (or
    --spark-remote sc://HOST:15002) makes `serve`, `query` and `export` run views on Spark, and
    `logsheet config engine duckdb` goes back to the embedded default. Stored in the workspace, so a server
    started later (or already running, once restarted) and the command line agree; --engine on a command
    overrides it for that run. Imports always run on DuckDB.

    `logsheet config ip-ranges FILE` reads an AWS ip-ranges.json and `logsheet config geoip FILE.mmdb` a local
    MaxMind or DB-IP database, once, into the workspace: `query --enrich COLUMN` then adds the AWS service and
    region, country, city and ASN of the addresses (offline, never a network request). `none` as FILE
    forgets the file.
    """
    ws = _workspace(ctx)
    if key in ("ip-ranges", "geoip"):
        if spark_master or spark_remote:
            raise click.UsageError("--spark-master and --spark-remote go with `logsheet config engine spark`")
        _enrichment(ws, key, value, as_json)
        return
    if value is not None and value not in ENGINE_VALUES:
        raise click.UsageError(f"Invalid value for '[VALUE]': {value!r} is not one of 'duckdb', 'spark'.")
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
    if key is None and not as_json:
        enrichment = ws.enrichment()
        for name, shown_key in (("ip_ranges", "ip-ranges"), ("geoip", "geoip")):
            info = enrichment[name]
            click.echo(f"{shown_key:<13} {_describe(name, info) if info else '-'}")


def _describe(name: str, info: Any) -> str:
    count = f"{info['prefixes']:,} prefixes" if name == "ip_ranges" else f"{info['networks']:,} networks"
    return f"{info['file']} ({count}, sha256 {str(info['sha256'])[:12]})"


def _enrichment(ws: Any, key: str, value: str | None, as_json: bool) -> None:
    """``config ip-ranges [FILE|none]`` / ``config geoip [FILE.mmdb|none]``."""
    name = "ip_ranges" if key == "ip-ranges" else "geoip"
    if value is not None and value.lower() == "none":
        ws.clear_enrichment(key)
        click.echo(f"{key} forgotten")
        return
    info: Any
    if value is not None:
        info = ws.set_ip_ranges(value) if key == "ip-ranges" else ws.set_geoip(value)
    else:
        info = ws.enrichment()[name]
    if as_json:
        click.echo(json.dumps(info, indent=2))
    elif info is None:
        click.echo(f"{key} -  (set it with `logsheet config {key} FILE`)")
    else:
        click.echo(f"{key:<13} {_describe(name, info)}")
