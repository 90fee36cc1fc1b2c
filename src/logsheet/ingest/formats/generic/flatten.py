"""Turning whatever DuckDB's readers inferred into sheet columns.

Nested objects become dotted columns (``user.name``), arrays and maps become JSON text, UUIDs and other
exotic types become text, naive timestamps are taken as UTC. Used by the generic JSON and Parquet formats.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.schema import logical_type
from logsheet.core.sqlnames import cast, col, func, ident, render

_TEXT_IDS = {"uuid", "blob", "bit", "interval", "time", "time with time zone", "enum", "varint", "bignum"}
SYSTEM = (SOURCE, POS)


def describe(con: duckdb.DuckDBPyConnection, select: exp.Expr) -> list[tuple[str, Any]]:
    """(name, DuckDBPyType) of a relation's columns, without running it."""
    relation = con.sql(render(select))
    return list(zip(relation.columns, relation.types))


def flatten(
    columns: list[tuple[str, Any]], fits_bigint: Callable[[exp.Expr], bool] | None = None
) -> tuple[list[tuple[str, exp.Expr]], dict[str, str]]:
    """Projections (dotted name, expression) and logical types for a relation's data columns."""
    out: list[tuple[str, exp.Expr]] = []
    types: dict[str, str] = {}
    taken: set[str] = set()
    for name, type_ in columns:
        if name in SYSTEM:
            continue
        _walk(name, col(name), type_, out, types, taken, fits_bigint)
    return out, types


def _walk(
    name: str,
    expression: exp.Expr,
    type_: Any,
    out: list[tuple[str, exp.Expr]],
    types: dict[str, str],
    taken: set[str],
    fits_bigint: Callable[[exp.Expr], bool] | None = None,
) -> None:
    kind = str(type_.id).lower()
    if kind == "struct" and type_.children:
        for child_name, child_type in type_.children:
            child = exp.Dot(this=expression, expression=ident(child_name))
            _walk(f"{name}.{child_name}", child, child_type, out, types, taken, fits_bigint)
        return
    unique = _unique(name, taken)
    if kind in ("list", "array", "map", "union", "struct"):
        out.append((unique, cast(func("to_json", expression), "VARCHAR")))
        types[unique] = "json"
    elif kind == "json" or str(type_).upper() == "JSON":
        out.append((unique, cast(expression, "VARCHAR")))
        types[unique] = "json"
    elif kind in _TEXT_IDS:
        out.append((unique, cast(expression, "VARCHAR")))
        types[unique] = "text"
    elif kind.startswith("timestamp"):
        out.append((unique, cast(expression, "TIMESTAMPTZ")))
        types[unique] = "timestamp"
    else:
        logical = logical_type(str(type_))
        if logical == "integer" and kind in ("hugeint", "ubigint", "uhugeint"):
            # DuckDB widens some JSON integer columns (e.g. mixed signs) to HUGEINT: keep them integers when
            # every value fits 64 bits, else text (never a silently truncated number).
            if fits_bigint is not None and fits_bigint(expression):
                out.append((unique, cast(expression, "BIGINT")))
            else:
                out.append((unique, cast(expression, "VARCHAR")))
                logical = "text"
        elif logical == "float" and kind.startswith("decimal"):
            out.append((unique, cast(expression, "DOUBLE")))
        else:
            out.append((unique, expression))
        types[unique] = logical


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate


def bigint_check(con: duckdb.DuckDBPyConnection, relation: exp.Expr) -> Callable[[exp.Expr], bool]:
    """A test, run on the data, that every value of an expression over ``relation`` fits a BIGINT."""

    def fits(expression: exp.Expr) -> bool:
        overflow = exp.and_(
            exp.Not(this=exp.Is(this=expression, expression=exp.Null())),
            exp.Is(this=exp.TryCast(this=expression, to=exp.DataType.build("BIGINT")), expression=exp.Null()),
        )
        query = (
            exp.select(exp.Count(this=exp.Star()))
            .from_(exp.Subquery(this=relation, alias=exp.TableAlias(this=exp.to_identifier("u"))))
            .where(overflow)
        )
        row = con.execute(render(query)).fetchone()
        return row is not None and row[0] == 0

    return fits


TIME_NAMES = (
    "eventtime",
    "@timestamp",
    "timestamp",
    "time",
    "datetime",
    "date",
    "ts",
    "event_time",
    "eventdate",
    "start",
    "created_at",
    "creationdate",
)


def guess_time_column(types: dict[str, str]) -> str | None:
    """The column that best looks like the event time: a timestamp column, preferring familiar names."""
    stamps = [n for n, t in types.items() if t == "timestamp"]
    if not stamps:
        return None
    for preferred in TIME_NAMES:
        for n in stamps:
            if n.lower() == preferred or n.lower().endswith("." + preferred):
                return n
    return stamps[0]
