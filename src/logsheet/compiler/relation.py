"""What a view is over: a :class:`Relation` is a sqlglot ``SELECT`` whose columns are the hidden columns
(``__rowid``, ``__source``) followed by a schema's columns. A sheet's relation reads its Parquet parts
(:func:`sheet_relation`); a case's timeline is the union of one projection per sheet
(:mod:`logsheet.compiler.timeline`). :class:`~logsheet.compiler.ViewPlan` runs the same steps, filter,
search, sort and groups on either."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from logsheet.compiler.dialects import Dialect
from logsheet.core.columns import SYSTEM_COLUMNS
from logsheet.core.schema import Schema
from logsheet.core.sqlnames import col, ident


@dataclass(frozen=True)
class Relation:
    """A relation a view runs on: its statement (hidden columns first, then ``schema``'s) and its schema."""

    expression: exp.Expr
    schema: Schema


def sheet_relation(schema: Schema, paths: list[str], dialect: Dialect) -> Relation:
    """A sheet's rows: its Parquet parts read as ``schema`` (``SELECT __rowid, __source, ... FROM parts``)."""
    select = exp.select(*[aliased(c, col(c)) for c in (*SYSTEM_COLUMNS, *schema.names())])
    return Relation(select.from_(dialect.source(paths)), schema)


def aliased(name: str, expression: exp.Expr) -> exp.Expr:
    """``expression AS name`` (the bare column when it already has that name)."""
    if isinstance(expression, exp.Column) and expression.name == name:
        return expression
    return exp.Alias(this=expression, alias=ident(name))


__all__ = ["Relation", "aliased", "sheet_relation"]
