"""The context of one row: the rows just before and after it in its sheet's time order. Pure: nothing here runs.

A sheet's rows are ordered by ``(time, __rowid)``: its time column ascending with blank times last, ties
broken by the row id (the order the grid opens in). The rows *before* a row are those that precede it in
that order, the nearest first; the rows *after* it, those that follow it. The row's own time is read inside
the statements (a scalar subquery), never copied into a literal, so no engine rounds or re-zones it. A sheet
without a time column is ordered by row id alone (file order).

The caller (:meth:`logsheet.workspace.Workspace.context`) runs::

    found = run(plan.anchor_sql())                  # [] -> no such row; else [(rowid, time is blank)]
    before = run(plan.before_sql(n, blank)); after = run(plan.after_sql(n, blank))
    rows = run(plan.rows_sql([*before, rowid, *after]))   # the rows, in (time, __rowid) order
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from logsheet.compiler import ViewPlan, _page, _wrap
from logsheet.compiler.paging import PagePlan
from logsheet.core.columns import ROWID
from logsheet.core.sqlnames import col, lit


@dataclass(frozen=True)
class ContextPlan:
    """The statements that find ``rowid``'s neighbours in ``plan`` (a sheet's view sorted by ``time_column``,
    or unsorted when ``time_column`` is None)."""

    plan: ViewPlan
    rowid: int
    time_column: str | None

    def anchor_sql(self) -> exp.Select:
        """The row's id and whether its time is blank (no row: the row id is not in the sheet)."""
        blank: exp.Expr = exp.Is(this=col(self.time_column), expression=exp.Null()) if self.time_column else lit(False)
        return _wrap(self.plan.filtered).where(self._is_row()).select(col(ROWID), blank, append=False)

    def before_sql(self, limit: int, blank_time: bool) -> exp.Select:
        """The ids of the ``limit`` rows just before the row, the nearest first."""
        rowid_before = exp.LT(this=col(ROWID), expression=lit(self.rowid))
        if self.time_column is None:
            return self._ids(rowid_before, limit, descending=True)
        time = col(self.time_column)
        if blank_time:  # blank times sort last: every dated row precedes it, and blank ones with a smaller id
            condition: exp.Expr = exp.or_(exp.Not(this=exp.Is(this=time, expression=exp.Null())), rowid_before)
        else:
            anchor = self._anchor_time()
            tie = exp.and_(exp.EQ(this=time.copy(), expression=anchor.copy()), rowid_before)
            condition = exp.or_(exp.LT(this=time.copy(), expression=anchor), tie)
        return self._ids(condition, limit, descending=True)

    def after_sql(self, limit: int, blank_time: bool) -> exp.Select:
        """The ids of the ``limit`` rows just after the row, the nearest first."""
        rowid_after = exp.GT(this=col(ROWID), expression=lit(self.rowid))
        if self.time_column is None:
            return self._ids(rowid_after, limit, descending=False)
        time = col(self.time_column)
        if blank_time:
            condition: exp.Expr = exp.and_(exp.Is(this=time, expression=exp.Null()), rowid_after)
        else:
            anchor = self._anchor_time()
            tie = exp.and_(exp.EQ(this=time.copy(), expression=anchor.copy()), rowid_after)
            later = exp.GT(this=time.copy(), expression=anchor)
            condition = exp.or_(later, tie, exp.Is(this=time.copy(), expression=exp.Null()))
        return self._ids(condition, limit, descending=False)

    def rows_sql(self, rowids: list[int]) -> exp.Select:
        """Every column of the rows with these ids, in ``(time, __rowid)`` order (the row id first)."""
        return PagePlan(self.plan, len(rowids), 0).rows_for_ids_sql(rowids)

    # ------------------------------------------------------------------------------------------ internals
    def _is_row(self) -> exp.Expr:
        return exp.EQ(this=col(ROWID), expression=lit(self.rowid))

    def _anchor_time(self) -> exp.Expr:
        assert self.time_column is not None
        select = _wrap(self.plan.filtered).where(self._is_row()).select(col(self.time_column), append=False)
        return exp.Subquery(this=select)

    def _ids(self, condition: exp.Expr, limit: int, *, descending: bool) -> exp.Select:
        order = []
        if self.time_column is not None:  # ascending: blanks last; descending (its mirror): blanks first
            order.append(exp.Ordered(this=col(self.time_column), desc=descending, nulls_first=descending))
        order.append(exp.Ordered(this=col(ROWID), desc=descending, nulls_first=False))
        select = _wrap(self.plan.filtered).where(condition).select(col(ROWID), append=False).order_by(*order)
        return _page(select, limit, 0)


__all__ = ["ContextPlan"]
