"""The statements that run detection rules on a sheet. Pure: nothing here runs.

Rules are evaluated together, in one pass over the sheet (:meth:`RuleScan.counts_sql`): for every rule, the
number of rows its predicate flags and the first and last time among them, as filtered aggregates::

    SELECT COUNT(*) FILTER (WHERE p0) AS n0, MIN(t) FILTER (WHERE p0) AS first0, MAX(t) FILTER (WHERE p0) AS last0,
           COUNT(*) FILTER (WHERE p1) AS n1, ...
    FROM (sheet) AS t WHERE p0 OR p1 OR ...

The ``WHERE`` lets the engine drop every row no rule flags before it aggregates (most rows, on real logs).
Only the rules that flagged rows are read again, for their entities (:meth:`RuleScan.entities_sql`): the most
frequent values of each entity column among a rule's rows, in one grouped pass per rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from logsheet.compiler import ViewPlan, _wrap
from logsheet.compiler.predicates import PredicateCompiler
from logsheet.compiler.resolve import resolve
from logsheet.core import ir
from logsheet.core.sqlnames import cast, col, ident, lit

_GROUPED = "g"


@dataclass(frozen=True)
class RuleScan:
    """Rules (``predicates``, in order) over ``plan``, a sheet's unfiltered view."""

    plan: ViewPlan
    predicates: tuple[ir.Predicate, ...]

    def counts_sql(self) -> exp.Select:
        """One row: per rule ``i``, ``n{i}`` (rows flagged), ``first{i}`` and ``last{i}`` (their earliest and
        latest time; NULL without a time column or when no flagged row has a time)."""
        compiler = PredicateCompiler(self.plan.schema, self.plan.dialect)
        conditions = [compiler.compile(p) for p in self.predicates]
        time = col(self.plan.time_column) if self.plan.time_column else None
        projections: list[exp.Expr] = []
        for i, condition in enumerate(conditions):
            projections.append(_filtered(exp.Count(this=exp.Star()), condition).as_(f"n{i}"))
            for name, fn in (("first", exp.Min), ("last", exp.Max)):
                value: exp.Expr = _filtered(fn(this=time.copy()), condition) if time is not None else exp.Null()
                projections.append(exp.Alias(this=value, alias=ident(f"{name}{i}")))
        anywhere = exp.or_(*[exp.Paren(this=c.copy()) for c in conditions]) if conditions else exp.false()
        return _wrap(self.plan.filtered).where(anywhere).select(*projections, append=False)

    def entities_sql(self, predicate: ir.Predicate, columns: Sequence[str], top: int) -> exp.Select:
        """The ``top`` most frequent non-blank values of each of ``columns`` among the rows ``predicate``
        flags: rows ``(column index, value as text, rows)``, most rows first within a column."""
        compiler = PredicateCompiler(self.plan.schema, self.plan.dialect)
        values = [cast(resolve(c, self.plan.schema).expression, "VARCHAR") for c in columns]
        names = [f"v{i}" for i in range(len(columns))]
        flags = [f"g{i}" for i in range(len(columns))]
        inner = _wrap(self.plan.filtered).where(compiler.compile(predicate))
        inner = inner.select(*[exp.Alias(this=v, alias=ident(n)) for v, n in zip(values, names)], append=False)
        grouped = (
            exp.select(
                *[col(n) for n in names],
                *[
                    exp.Alias(this=exp.Anonymous(this="GROUPING", expressions=[col(n)]), alias=ident(f))
                    for n, f in zip(names, flags)
                ],
                exp.Alias(this=exp.Count(this=exp.Star()), alias=ident("n")),
            )
            .from_(exp.Subquery(this=inner, alias=exp.TableAlias(this=ident("e"))))
            .group_by(exp.GroupingSets(expressions=[exp.Paren(this=col(n)) for n in names]))
        )
        # which column a grouped row is about: the one whose GROUPING() flag is 0
        which = exp.Case(ifs=[exp.If(this=exp.EQ(this=col(f), expression=lit(0)), true=lit(i)) for i, f in enumerate(flags)])
        value = exp.Coalesce(this=col(names[0]), expressions=[col(n) for n in names[1:]]) if len(names) > 1 else col(names[0])
        # blank values (NULLs, empty strings) are no entity: dropped before ranking, so they take no place
        present = exp.and_(
            exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null())),
            exp.NEQ(this=exp.Trim(this=value.copy()), expression=lit("")),
        )
        order = exp.Order(expressions=[exp.Ordered(this=col("n"), desc=True), exp.Ordered(this=value.copy())])
        rank = exp.Window(this=exp.RowNumber(), partition_by=[which.copy()], order=order)
        ranked = (
            exp.select(
                exp.Alias(this=which, alias=ident("c")),
                exp.Alias(this=value, alias=ident("v")),
                col("n"),
                exp.Alias(this=rank, alias=ident("r")),
            )
            .from_(exp.Subquery(this=grouped, alias=exp.TableAlias(this=ident(_GROUPED))))
            .where(present)
        )
        return (
            exp.select(col("c"), col("v"), col("n"))
            .from_(exp.Subquery(this=ranked, alias=exp.TableAlias(this=ident("ranked"))))
            .where(exp.LTE(this=col("r"), expression=lit(int(top))))
            .order_by(col("c"), exp.Ordered(this=col("n"), desc=True), col("v"))
        )


def _grouping(name: str, alias: str) -> exp.Expr:
    return exp.Alias(this=exp.Anonymous(this="GROUPING", expressions=[col(name)]), alias=ident(alias))


def _filtered(aggregate: exp.Expr, condition: exp.Expr) -> exp.Expr:
    return exp.Filter(this=aggregate, expression=exp.Where(this=condition.copy()))
