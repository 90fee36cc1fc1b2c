"""The statements of a pivot (:mod:`logsheet.workspace.pivot`) on one sheet, compiled from the IR.

A pivot's rows are a predicate (the value in an entity column, or anywhere in the row). Their count and first
and last time are :meth:`logsheet.compiler.detection.RuleScan.counts_sql`'s single grouped pass; the related
entities are :func:`related_sql`: per entity kind, the values its columns hold in those rows with the number of
rows holding each (a row holding a value in two columns of one kind, like a VPC flow's ``srcaddr`` and
``pkt-srcaddr``, counts once), the most rows first.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from logsheet.compiler import ViewPlan, _wrap
from logsheet.compiler.predicates import PredicateCompiler
from logsheet.compiler.resolve import resolve
from logsheet.core import ir
from logsheet.core.columns import ROWID
from logsheet.core.sqlnames import cast, col, ident, lit

_MATCHED = "m"


def related_sql(plan: ViewPlan, predicate: ir.Predicate, kinds: Sequence[Sequence[str]], top: int) -> exp.Select:
    """Rows ``(kind index, value as text, rows)``: for each kind (a list of columns) its ``top`` values among
    the rows ``predicate`` keeps, blanks left out, the most rows first (ties by value)."""
    compiler = PredicateCompiler(plan.schema, plan.dialect)
    columns = [c for names in kinds for c in names]
    values = [cast(resolve(c, plan.schema).expression, "VARCHAR") for c in columns]
    matched = _wrap(plan.filtered).where(compiler.compile(predicate))
    matched = matched.select(col(ROWID), *[exp.Alias(this=v, alias=ident(f"v{i}")) for i, v in enumerate(values)], append=False)
    parts: list[exp.Select] = []
    index = 0
    for k, names in enumerate(kinds):
        for _ in names:
            parts.append(
                exp.select(
                    exp.Alias(this=col(ROWID), alias=ident("rid")),
                    exp.Alias(this=lit(k), alias=ident("k")),
                    exp.Alias(this=col(f"v{index}"), alias=ident("v")),
                ).from_(_MATCHED)
            )
            index += 1
    union: exp.Query = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False)
    present = exp.and_(
        exp.Not(this=exp.Is(this=col("v"), expression=exp.Null())),
        exp.NEQ(this=exp.Trim(this=col("v")), expression=lit("")),
    )
    once = (
        exp.select(col("rid"), col("k"), col("v"))
        .distinct()
        .from_(exp.Subquery(this=union, alias=exp.TableAlias(this=ident("u"))))
        .where(present)
    )
    grouped = (
        exp.select(col("k"), col("v"), exp.Alias(this=exp.Count(this=exp.Star()), alias=ident("n")))
        .from_(exp.Subquery(this=once, alias=exp.TableAlias(this=ident("o"))))
        .group_by(col("k"), col("v"))
    )
    order = exp.Order(expressions=[exp.Ordered(this=col("n"), desc=True), exp.Ordered(this=col("v"))])
    rank = exp.Window(this=exp.RowNumber(), partition_by=[col("k")], order=order)
    ranked = exp.select(col("k"), col("v"), col("n"), exp.Alias(this=rank, alias=ident("r"))).from_(
        exp.Subquery(this=grouped, alias=exp.TableAlias(this=ident("g")))
    )
    return (
        exp.select(col("k"), col("v"), col("n"))
        .from_(exp.Subquery(this=ranked, alias=exp.TableAlias(this=ident("ranked"))))
        .where(exp.LTE(this=col("r"), expression=lit(int(top))))
        .order_by(col("k"), exp.Ordered(this=col("n"), desc=True), col("v"))
        .with_(_MATCHED, as_=matched)
    )
