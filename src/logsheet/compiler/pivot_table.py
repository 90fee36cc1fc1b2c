"""The statements of a pivot table (:class:`~logsheet.core.PivotTable`) over a view, compiled from the IR.

A pivot table is conditional aggregation, in three statements over the view's rows (after its steps, filter
and search; :mod:`logsheet.workspace.pivot_table` runs them):

1. :meth:`PivotTablePlan.columns_sql`: the values of the column key as text with their row counts, the most
   rows first (ties by value), the ``top`` of them (and one more, when there are more): the table's columns.
2. :meth:`PivotTablePlan.table_sql`: one row per value of the row keys, the largest total first; per chosen
   column value the aggregate over the rows holding it (``agg(CASE WHEN key = 'v' THEN x END)``), then the
   aggregate over every other value (``other``), then over the whole row (the row total).
3. :meth:`PivotTablePlan.totals_sql`: the same aggregates without the row keys (the column totals and the grand
   total); :meth:`PivotTablePlan.rows_count_sql` the number of distinct row-key values.

Column values are compared as text (a sqlglot literal each, never SQL text): a blank value is a column of its
own. ``first`` and ``last`` are first and last seen: the earliest and latest value of a time column (by
default the sheet's time column). ``count`` counts rows, ``count_distinct`` distinct non-blank values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from logsheet.compiler import ViewPlan, _page, _wrap
from logsheet.compiler.resolve import resolve
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.pivot_table import PivotTable
from logsheet.core.sqlnames import col, ident, lit, to_text

MAX_TOP = 200
MAX_ROWS = 100_000
MAX_ROW_KEYS = 8
_KEY = "k"
_ROWS = "n"
_TOTAL = "__total"


@dataclass(frozen=True)
class PivotTablePlan:
    plan: ViewPlan
    spec: PivotTable

    def __post_init__(self) -> None:
        spec = self.spec
        if not spec.rows:
            raise InvalidQuery("a pivot table needs at least one row column")
        if len(spec.rows) > MAX_ROW_KEYS:
            raise InvalidQuery(f"a pivot table has at most {MAX_ROW_KEYS} row columns")
        if not spec.columns:
            raise InvalidQuery("a pivot table needs a column to spread into columns")
        if spec.columns in spec.rows:
            raise InvalidQuery(f"{spec.columns!r} cannot be both a row and the column of a pivot table")
        if not 1 <= spec.top <= MAX_TOP:
            raise InvalidQuery(f"a pivot table shows 1 to {MAX_TOP} columns (--top), not {spec.top}")
        if not 1 <= spec.limit <= MAX_ROWS:
            raise InvalidQuery(f"a pivot table shows 1 to {MAX_ROWS:,} rows, not {spec.limit}")
        if self.plan.query.group is not None:
            raise InvalidQuery("a pivot table is made from rows, not from a grouped view")
        for name in (*spec.rows, spec.columns):
            resolve(name, self.plan.schema)  # an unknown column is refused before anything runs
        self.value()

    # ------------------------------------------------------------------------------------------- statements
    def columns_sql(self) -> exp.Select:
        """``(value as text, rows)``: the ``top`` values of the column key, the most rows first, and one more when
        there are more (the rest is then folded into ``other``)."""
        key = exp.Alias(this=self._column_key(), alias=ident(_KEY))
        select = _wrap(self.plan.filtered).select(
            key, exp.Alias(this=exp.Count(this=exp.Star()), alias=ident(_ROWS)), append=False
        )
        select = select.group_by(self._column_key())
        order = [
            exp.Ordered(this=col(_ROWS), desc=True, nulls_first=False),
            exp.Ordered(this=col(_KEY), desc=False, nulls_first=False),
        ]
        return _page(select.order_by(*order), self.spec.top + 1, 0)

    def table_sql(self, values: Sequence[str | None], other: bool) -> exp.Select:
        """The row keys, one aggregate per value in ``values``, the ``other`` aggregate (when ``other``), the
        row's total; the largest total first, ties by the keys; at most ``limit`` rows."""
        keys = [resolve(name, self.plan.schema).expression for name in self.spec.rows]
        projections: list[exp.Expr] = [exp.Alias(this=k, alias=ident(f"r{i}")) for i, k in enumerate(keys)]
        projections += self._cells(values, other)
        select = _wrap(self.plan.filtered).select(*projections, append=False).group_by(*[k.copy() for k in keys])
        order = [exp.Ordered(this=col(_TOTAL), desc=True, nulls_first=False)]
        order += [exp.Ordered(this=col(f"r{i}"), desc=False, nulls_first=False) for i in range(len(keys))]
        return _page(select.order_by(*order), self.spec.limit, 0)

    def totals_sql(self, values: Sequence[str | None], other: bool) -> exp.Select:
        """One row: the column totals (as ``table_sql``'s cells) and the grand total."""
        return _wrap(self.plan.filtered).select(*self._cells(values, other), append=False)

    def rows_count_sql(self) -> exp.Select:
        """How many rows the whole table has (distinct combinations of the row keys, blanks included)."""
        keys = [resolve(name, self.plan.schema).expression for name in self.spec.rows]
        groups = _wrap(self.plan.filtered).select(
            *[exp.Alias(this=k, alias=ident(f"r{i}")) for i, k in enumerate(keys)], append=False
        )
        groups = groups.group_by(*[k.copy() for k in keys])
        return _wrap(groups).select(exp.Count(this=exp.Star()), append=False)

    # ------------------------------------------------------------------------------------------- internals
    def value(self) -> exp.Expr | None:
        """What the aggregate reads (None for a row count)."""
        agg = self.spec.agg
        if agg.fn not in ir.AGG_FNS:
            raise InvalidQuery(f"unknown aggregate {agg.fn!r}; known: {', '.join(ir.AGG_FNS)}")
        if agg.fn == "count" and not agg.column:
            return None
        if agg.fn in ("first", "last"):
            name = agg.column or self.plan.time_column or ""
            if not name:
                raise InvalidQuery(f"{agg.fn} seen needs a time column: give one, as in {agg.fn}:eventTime")
            if resolve(name, self.plan.schema).type not in ("timestamp", "date"):
                raise InvalidQuery(f"{agg.fn} seen is of a time column; {name!r} is not one (parse or cast it first)")
            return resolve(name, self.plan.schema).expression
        if not agg.column:
            raise InvalidQuery(f"{agg.fn} needs a column, as in {agg.fn}:COLUMN")
        target = resolve(agg.column, self.plan.schema)
        if agg.fn in ("sum", "avg") and target.type not in ("integer", "float"):
            raise InvalidQuery(f"{agg.fn} needs a numeric column; {agg.column!r} is not (cast it first)")
        return target.expression

    def value_type(self) -> str:
        agg = self.spec.agg
        if agg.fn in ("count", "count_distinct"):
            return "integer"
        if agg.fn == "avg":
            return "float"
        value = self.value()
        name = agg.column or self.plan.time_column or ""
        return resolve(name, self.plan.schema).type if value is not None else "integer"

    def _column_key(self) -> exp.Expr:
        target = resolve(self.spec.columns, self.plan.schema)
        return target.expression if target.type in ("text", "json") else to_text(target.expression)

    def _cells(self, values: Sequence[str | None], other: bool) -> list[exp.Expr]:
        tests = [self._is(v) for v in values]
        cells: list[exp.Expr] = [exp.Alias(this=self._aggregate(t), alias=ident(f"c{i}")) for i, t in enumerate(tests)]
        if other:
            rest = exp.Not(this=exp.Paren(this=exp.or_(*[t.copy() for t in tests]))) if tests else exp.true()
            cells.append(exp.Alias(this=self._aggregate(rest), alias=ident("__other")))
        cells.append(exp.Alias(this=self._aggregate(None), alias=ident(_TOTAL)))
        return cells

    def _is(self, value: str | None) -> exp.Expr:
        key = self._column_key()
        if value is None:
            return exp.Is(this=key, expression=exp.Null())
        return exp.Coalesce(this=exp.EQ(this=key, expression=lit(value)), expressions=[exp.false()])

    def _aggregate(self, condition: exp.Expr | None) -> exp.Expr:
        """The aggregate over the rows where ``condition`` holds (every row when None)."""
        fn = self.spec.agg.fn
        value = self.value()
        if value is None:  # a row count
            if condition is None:
                return exp.Count(this=exp.Star())
            return exp.Count(this=exp.Case(ifs=[exp.If(this=condition, true=lit(1))]))
        if condition is not None:
            value = exp.Case(ifs=[exp.If(this=condition, true=value)])
        if fn == "count":
            return exp.Count(this=value)
        if fn == "count_distinct":
            return exp.Count(this=exp.Distinct(expressions=[value]))
        if fn == "sum":
            return exp.Sum(this=value)
        if fn == "avg":
            return exp.Avg(this=value)
        if fn in ("min", "first"):
            return exp.Min(this=value)
        return exp.Max(this=value)


__all__ = ["MAX_ROWS", "MAX_TOP", "PivotTablePlan"]
