"""The profile of a column in a view (see :mod:`logsheet.analysis`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from logsheet.compiler import ViewPlan
from logsheet.compiler.predicates import PredicateCompiler
from logsheet.compiler.resolve import resolve
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.sqlnames import ident, lit
from logsheet.engines.duckdb import DEFAULT_TIMEOUT
from logsheet.export.render import json_value

if TYPE_CHECKING:
    pass

from logsheet.analysis.common import Engine, over

MAX_TOP = 1000
EXACT_DISTINCT_ROWS = 5_000_000  # above this many rows in a sheet, profiles count distinct values approximately


@dataclass
class Profile:
    column: str
    type: str
    rows: int
    blanks: int
    distinct: int
    approximate: bool
    min: Any
    max: Any
    top: list[tuple[Any, int]]

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "type": self.type,
            "rows": self.rows,
            "blanks": self.blanks,
            "distinct": self.distinct,
            "approximate": self.approximate,
            "min": json_value(self.min),
            "max": json_value(self.max),
            "top": [{"value": json_value(v), "count": n} for v, n in self.top],
        }


def profile(
    plan: ViewPlan,
    engine: Engine,
    column: str,
    top: int = 20,
    exact: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Profile:
    if not 0 <= top <= MAX_TOP:
        raise InvalidQuery(f"a profile lists 0 to {MAX_TOP} top values, not {top}")
    target = resolve(column, plan.schema)
    value = target.expression
    blank = PredicateCompiler(plan.schema, plan.dialect).compile(ir.Blank(column))
    distinct = exp.Count(this=exp.Distinct(expressions=[value])) if exact else exp.ApproxDistinct(this=value)
    ordered = target.type != "json"  # min/max of JSON text mean nothing
    stats: list[exp.Expr] = [exp.Count(this=exp.Star()), exp.CountIf(this=blank), distinct]
    if ordered:
        stats += [exp.Min(this=value), exp.Max(this=value)]
    found = engine.fetch(over(plan.filtered).select(*stats, append=False), timeout).rows[0]
    values: list[tuple[Any, int]] = []
    if top:
        grouped = (
            over(plan.filtered)
            .select(exp.Alias(this=value, alias=ident("value")), exp.Count(this=exp.Star()), append=False)
            .where(exp.Not(this=exp.Is(this=value, expression=exp.Null())))
            .group_by(value)
            .order_by(exp.Ordered(this=exp.Count(this=exp.Star()), desc=True), exp.Ordered(this=value))
            .limit(lit(top))
        )
        values = [(v, int(n)) for v, n in engine.fetch(grouped, timeout).rows]
    return Profile(
        column,
        target.type,
        int(found[0]),
        int(found[1] or 0),
        int(found[2] or 0),
        not exact,
        found[3] if ordered else None,
        found[4] if ordered else None,
        values,
    )
