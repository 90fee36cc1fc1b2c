"""How commands print rows: a table for a terminal, CSV, JSON or NDJSON."""

from __future__ import annotations

import json
import shutil
from typing import Any

import click

QUERY_FORMATS = ("table", "csv", "json", "ndjson")


def _width() -> int:
    return shutil.get_terminal_size((120, 24)).columns


def _emit(columns: list[Any], rows: list[tuple[Any, ...]], fmt: str) -> None:
    from logsheet.export.render import csv_rows, json_value, table

    names = [c.name for c in columns]
    if fmt == "table":
        click.echo(table(names, rows, _width()))
    elif fmt == "csv":
        numeric = [c.type in ("integer", "float") for c in columns]
        for line in csv_rows(names, rows, numeric):
            click.echo(line, nl=False)
    elif fmt == "json":
        click.echo(json.dumps([dict(zip(names, map(json_value, r))) for r in rows], ensure_ascii=False, indent=2))
    else:
        for r in rows:
            click.echo(json.dumps(dict(zip(names, map(json_value, r))), ensure_ascii=False))
