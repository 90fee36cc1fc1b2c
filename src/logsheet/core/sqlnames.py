"""The one place where names and values become SQL.

Every identifier that reaches SQL — a column name from a log file, a derived-column name typed by a user —
goes through :func:`ident`, which always quotes (sqlglot escapes embedded quotes per dialect). Every value
goes through :func:`lit`, which emits a typed sqlglot literal. Nothing in logsheet formats SQL text from
strings; a test enforces that no module outside the compiler builds SQL by hand.
"""

from __future__ import annotations

import math

from sqlglot import exp


def ident(name: str) -> exp.Identifier:
    """A quoted identifier, whatever characters the name holds."""
    return exp.Identifier(this=name, quoted=True)


def col(name: str) -> exp.Column:
    return exp.Column(this=ident(name))


def lit(value: object) -> exp.Expr:
    """A SQL literal for a Python scalar (str, int, float, bool or None)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("non-finite numbers cannot be used as values")
        return exp.Literal.number(repr(value))
    if isinstance(value, str):
        return exp.Literal.string(value)
    raise TypeError(f"unsupported literal type {type(value).__name__}")


def func(name: str, *args: exp.Expr) -> exp.Expr:
    """A call to an engine function by name (for functions sqlglot has no typed node for)."""
    return exp.Anonymous(this=name, expressions=list(args))


def cast(expression: exp.Expr, to: str, *, safe: bool = False) -> exp.Expr:
    kind = exp.TryCast if safe else exp.Cast
    return kind(this=expression, to=exp.DataType.build(to))


def to_text(expression: exp.Expr) -> exp.Expr:
    return cast(expression, "VARCHAR")


def render(expression: exp.Expr, dialect: str = "duckdb", *, pretty: bool = False) -> str:
    """The SQL text of a statement built from sqlglot nodes, in one engine's dialect: the one place SQL becomes text."""
    return expression.sql(dialect=dialect, pretty=pretty)
