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
from logsheet.core.sqlnames import cast, col, ident, lit

_MATCHED = "m"


def related_sql(plan: ViewPlan, predicate: ir.Predicate, kinds: Sequence[Sequence[str]], top: int) -> exp.Select:
    """Rows ``(kind index, value as text, rows)``: for each kind (a list of columns) its ``top`` values among
    the rows ``predicate`` keeps, blanks left out, the most rows first (ties by value)."""
    compiler = PredicateCompiler(plan.schema, plan.dialect)
    columns = [c for names in kinds for c in names]
    values = [cast(resolve(c, plan.schema).expression, "VARCHAR") for c in columns]
    names = [f"v{i}" for i in range(len(values))]
    # the matched rows grouped on their entity values first (log rows repeat the same few principals, keys and
    # addresses: a pivot on a key of 24M rows is a few thousand groups, where one row per row, kind and value
    # ran out of memory), each group weighted by its rows
    matched = _wrap(plan.filtered).where(compiler.compile(predicate))
    matched = matched.select(*[exp.Alias(this=v, alias=ident(n)) for v, n in zip(values, names)], append=False)
    grouped = (
        exp.select(*[col(n) for n in names], exp.Alias(this=exp.Count(this=exp.Star()), alias=ident("w")))
        .from_(exp.Subquery(this=matched, alias=exp.TableAlias(this=ident("matched"))))
        .group_by(*[col(n) for n in names])
    )
    parts: list[exp.Select] = []
    index = 0
    for k, kind_columns in enumerate(kinds):
        for _ in kind_columns:
            parts.append(
                exp.select(
                    *[col(n) for n in names],
                    col("w"),
                    exp.Alias(this=lit(k), alias=ident("k")),
                    exp.Alias(this=col(names[index]), alias=ident("v")),
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
    once = (  # a value in two columns of one kind counts once for the row (the group: its entity values)
        exp.select(*[col(n) for n in names], col("w"), col("k"), col("v"))
        .distinct()
        .from_(exp.Subquery(this=union, alias=exp.TableAlias(this=ident("u"))))
        .where(present)
    )
    counted = (
        exp.select(col("k"), col("v"), exp.Alias(this=exp.Sum(this=col("w")), alias=ident("n")))
        .from_(exp.Subquery(this=once, alias=exp.TableAlias(this=ident("o"))))
        .group_by(col("k"), col("v"))
    )
    order = exp.Order(expressions=[exp.Ordered(this=col("n"), desc=True), exp.Ordered(this=col("v"))])
    rank = exp.Window(this=exp.RowNumber(), partition_by=[col("k")], order=order)
    ranked = exp.select(col("k"), col("v"), col("n"), exp.Alias(this=rank, alias=ident("r"))).from_(
        exp.Subquery(this=counted, alias=exp.TableAlias(this=ident("g")))
    )
    return (
        exp.select(col("k"), col("v"), col("n"))
        .from_(exp.Subquery(this=ranked, alias=exp.TableAlias(this=ident("ranked"))))
        .where(exp.LTE(this=col("r"), expression=lit(int(top))))
        .order_by(col("k"), exp.Ordered(this=col("n"), desc=True), col("v"))
        .with_(_MATCHED, as_=grouped)
    )
