"""What the analyses share: the engine surface they run on and the relation they read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sqlglot import exp

from logsheet.core.sqlnames import ident

if TYPE_CHECKING:
    from logsheet.engines.duckdb import Result


class Engine(Protocol):
    """What runs the statements: logsheet.engines.duckdb.DuckEngine or logsheet.engines.spark.engine.SparkEngine."""

    def fetch(self, statement: exp.Expr, timeout: float | None = ...) -> Result: ...


def over(relation: exp.Expr) -> exp.Select:
    """``SELECT * FROM (relation) AS t``."""
    return exp.select(exp.Star()).from_(exp.Subquery(this=relation, alias=exp.TableAlias(this=ident("t"))))
