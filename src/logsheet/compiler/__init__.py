"""IR -> sqlglot AST. One compiler for every engine; engines differ only in their :class:`Dialect`.

:class:`ViewPlan` is built once per query and hands out the statements an engine runs: a page of rows, the
exact count, a page of groups, the group count. Plans are separate from execution (``plan.rows_sql()``
returns the AST; :func:`to_sql` renders it for a dialect), so tests snapshot the SQL and ``--show-sql``
prints it. How a page is read (by row id, probing near one end of a sorted column) is :mod:`.paging`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from logsheet.compiler import annotation as notes
from logsheet.compiler import rowsteps
from logsheet.compiler.dialects import DUCKDB, Dialect
from logsheet.compiler.predicates import PredicateCompiler
from logsheet.compiler.relation import Relation, aliased, sheet_relation
from logsheet.compiler.resolve import resolve
from logsheet.compiler.steps import Projection, apply_step, identity, projected_schema
from logsheet.core import ir
from logsheet.core.columns import ROWID, SOURCE, SYSTEM_COLUMNS
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Column, Schema
from logsheet.core.sqlnames import col, ident, lit, render

_SUBQUERY = "t"


@dataclass(frozen=True)
class OutputColumn:
    name: str
    type: str


class ViewPlan:
    """A compiled view of a sheet (its Parquet ``paths`` read as ``schema``), or of any other
    :class:`~logsheet.compiler.relation.Relation` given as ``relation`` (a case's timeline): the relation
    after steps, filter and search."""

    def __init__(
        self,
        query: ir.Query,
        schema: Schema,
        paths: list[str],
        dialect: Dialect = DUCKDB,
        time_column: str | None = None,
        annotations: str | None = None,
        *,
        relation: Relation | None = None,
        annotated: bool = False,
    ) -> None:
        """``annotations``: the Parquet file of the sheet's annotations (:mod:`.annotation`), None when it has none;
        ``annotated``: ``relation`` already carries each row's annotations (a timeline's sheets joined theirs)."""
        self.query = query
        self.dialect = dialect
        self.time_column = time_column
        base = relation or sheet_relation(schema, paths, dialect)
        relation_: exp.Expr = base.expression
        current = base.schema
        self.parts: tuple[str, ...] = ()  # the hidden part positions of row steps (logsheet.compiler.rowsteps)
        for index, step in enumerate(query.steps):
            if rowsteps.is_row_step(step):
                among = rowsteps.filter_before(query, index, current, dialect)
                done = rowsteps.apply_row_step(step, relation_, current, self.parts, dialect, time_column, among)
                relation_, current, self.parts = done.relation, done.schema, done.parts
                continue
            projection = apply_step(step, current, dialect)
            relation_ = _project(relation_, projection, self.parts)
            current = projected_schema(projection)
        shown = [name for _, name, _ in notes.shown_columns(current)]
        self.annotated = annotated or (annotations is not None and notes.uses_annotations(query, shown))
        self._searched = current  # full-text search reads the sheet's columns, never the annotations
        if self.annotated and not annotated:
            assert annotations is not None
            relation_, current = notes.join(relation_, dialect.annotations_source(annotations), current)
        self.schema = current
        condition = self._condition(query)
        self._relation = relation_
        self.filtered = relation_ if condition is None else _wrap(relation_).where(condition)

    def over(self, query: ir.Query) -> ViewPlan:
        """``query`` over the rows this view reads (a view with no steps, filter or search of its own)."""
        assert not self.query.steps and self.filtered is self._relation and not self.annotated, "a plain view"
        return ViewPlan(query, self.schema, [], self.dialect, self.time_column, relation=Relation(self._relation, self.schema))

    # --------------------------------------------------------------------------------------------- rows
    def columns(self) -> list[OutputColumn]:
        if self.query.group is not None:
            return self._group_columns()
        names = list(self.query.columns) or self.schema.names()
        out = []
        for name in names:
            target = resolve(name, self.schema)
            out.append(OutputColumn(name, target.type))
        return out

    def rows_sql(self, limit: int | None, offset: int = 0, *, with_rowid: bool = True) -> exp.Select:
        if self.query.group is not None:
            return self.groups_sql(limit, offset)
        select = _wrap(self.filtered).select(*self.row_projections(with_rowid), append=False)
        return _page(select.order_by(*self.row_order()), limit, offset)

    def row_projections(self, with_rowid: bool) -> list[exp.Expr]:
        names = list(self.query.columns) or self.schema.names()
        projections = [_aliased(name, resolve(name, self.schema).expression) for name in names]
        return [_aliased(ROWID, col(ROWID)), *projections] if with_rowid else projections

    def row_order(self) -> list[exp.Ordered]:
        order = [self._order(key) for key in self.query.sort]
        return order + rowsteps.row_order(self.parts)

    @property
    def is_filtered(self) -> bool:
        """Whether the view has a filter or a search (the rows after its steps are not all its rows)."""
        return self.filtered is not self._relation

    def count_sql(self) -> exp.Select:
        if self.query.group is not None:
            inner = self._group_select()
            return exp.select(exp.Count(this=exp.Star()).as_("n")).from_(inner.subquery(_SUBQUERY))
        return _wrap(self.filtered).select(exp.Count(this=exp.Star()).as_("n"), append=False)

    # ------------------------------------------------------------------------------------------- groups
    def groups_sql(self, limit: int | None, offset: int = 0) -> exp.Select:
        group = self._group()
        select = self._group_select()
        order: list[exp.Expr] = []
        if self.query.sort:
            order = [self._order_output(key) for key in self.query.sort]
        else:
            count_names = [a.output_name() for a in group.aggs if a.fn == "count"]
            if count_names:
                order.append(exp.Ordered(this=col(count_names[0]), desc=True, nulls_first=False))
        order += [exp.Ordered(this=col(k), desc=False, nulls_first=False) for k in group.keys]
        return _page(select.order_by(*order), limit, offset)

    def _group(self) -> ir.GroupBy:
        group = self.query.group
        assert group is not None
        if not group.keys:
            raise InvalidQuery("group by needs at least one column")
        if not group.aggs:
            raise InvalidQuery("group by needs at least one aggregate")
        names = list(group.keys) + [a.output_name() for a in group.aggs]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise InvalidQuery(f"duplicate output column names: {', '.join(duplicates)}")
        return group

    def _group_select(self) -> exp.Select:
        group = self._group()
        keys = [(k, resolve(k, self.schema).expression) for k in group.keys]
        projections = [_aliased(name, expression) for name, expression in keys]
        projections += [_aliased(a.output_name(), self._aggregate(a)) for a in group.aggs]
        select = _wrap(self.filtered).select(*projections, append=False)
        return select.group_by(*[expression for _, expression in keys])

    def _group_columns(self) -> list[OutputColumn]:
        group = self._group()
        out = [OutputColumn(k, resolve(k, self.schema).type) for k in group.keys]
        for agg in group.aggs:
            out.append(OutputColumn(agg.output_name(), self._aggregate_type(agg)))
        return out

    def _aggregate(self, agg: ir.Agg) -> exp.Expr:
        if agg.fn not in ir.AGG_FNS:
            raise InvalidQuery(f"unknown aggregate {agg.fn!r}; known: {', '.join(ir.AGG_FNS)}")
        if agg.fn == "count":
            return exp.Count(this=exp.Star()) if not agg.column else exp.Count(this=self._value(agg))
        value = self._value(agg)
        if agg.fn == "count_distinct":
            return exp.Count(this=exp.Distinct(expressions=[value]))
        if agg.fn in ("sum", "avg"):
            if resolve(agg.column, self.schema).type not in ("integer", "float"):
                raise InvalidQuery(f"{agg.fn} needs a numeric column; {agg.column!r} is not (cast it first)")
            return exp.Sum(this=value) if agg.fn == "sum" else exp.Avg(this=value)
        if agg.fn in ("min", "max"):
            return exp.Min(this=value) if agg.fn == "min" else exp.Max(this=value)
        return self._first_last(agg, value)

    def _first_last(self, agg: ir.Agg, value: exp.Expr) -> exp.Expr:
        """first / last: on a timestamp column the earliest / latest time (first seen, last seen); on any
        other column, its value on the earliest / latest row by the sheet's time column."""
        if resolve(agg.column, self.schema).type in ("timestamp", "date"):
            return exp.Min(this=value) if agg.fn == "first" else exp.Max(this=value)
        if not self.time_column or self.time_column not in self.schema:
            raise InvalidQuery(f"{agg.fn} of {agg.column!r} needs the sheet to have a time column")
        order = col(self.time_column)
        return exp.ArgMin(this=value, expression=order) if agg.fn == "first" else exp.ArgMax(this=value, expression=order)

    def _aggregate_type(self, agg: ir.Agg) -> str:
        if agg.fn in ("count", "count_distinct"):
            return "integer"
        if agg.fn == "avg":
            return "float"
        return resolve(agg.column, self.schema).type

    def _value(self, agg: ir.Agg) -> exp.Expr:
        if not agg.column:
            raise InvalidQuery(f"{agg.fn} needs a column, as in {agg.fn}:COLUMN")
        return resolve(agg.column, self.schema).expression

    # -------------------------------------------------------------------------------------------- helpers
    def _condition(self, query: ir.Query) -> exp.Expr | None:
        predicates = PredicateCompiler(self.schema, self.dialect, self.annotated, self._searched)
        parts = []
        if query.where is not None:
            parts.append(predicates.compile(query.where))
        if query.search:
            parts.append(predicates.search(query.search))
        if not parts:
            return None
        return exp.and_(*[exp.Paren(this=p) for p in parts])

    def _order(self, key: ir.SortKey) -> exp.Ordered:
        expression = resolve(key.column, self.schema).expression
        return exp.Ordered(this=expression, desc=key.descending, nulls_first=False)

    def _order_output(self, key: ir.SortKey) -> exp.Ordered:
        names = [c.name for c in self._group_columns()]
        if key.column not in names:
            raise InvalidQuery(f"cannot sort groups by {key.column!r}; sort by one of {', '.join(names)}")
        return exp.Ordered(this=col(key.column), desc=key.descending, nulls_first=False)


def to_sql(expression: exp.Expr, dialect: str = "duckdb", pretty: bool = False) -> str:
    return render(expression, dialect, pretty=pretty)


_aliased = aliased


def _wrap(relation: exp.Expr) -> exp.Select:
    """``SELECT * FROM (relation) AS t`` — a new layer to add a WHERE, GROUP BY or ORDER BY to."""
    return exp.select(exp.Star()).from_(exp.Subquery(this=relation, alias=exp.TableAlias(this=ident(_SUBQUERY))))


def _project(relation: exp.Expr, projection: Projection, parts: tuple[str, ...] = ()) -> exp.Select:
    system = [col(name) for name in (*SYSTEM_COLUMNS, *parts)]
    columns = [_aliased(name, expression) for name, expression, _ in projection]
    return _wrap(relation).select(*system, *columns, append=False)


def _page(select: exp.Select, limit: int | None, offset: int) -> exp.Select:
    if limit is not None:
        select = select.limit(lit(int(limit)))
    if offset:
        select = select.offset(lit(int(offset)))
    return select


__all__ = ["ROWID", "SOURCE", "SYSTEM_COLUMNS", "Column", "OutputColumn", "ViewPlan", "identity", "to_sql"]
