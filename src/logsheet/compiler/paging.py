"""How a page of a view is read: the strategy, and the statements it runs. Pure: nothing here runs a query.

Late materialisation: a filtered or sorted page is found first by its row ids (reading only the columns the
filter and the sort need), then its rows are read by id. On wide sheets (CloudTrail: 45 columns, JSON)
reading every column of every row that passes a filter costs ten times more than the page. A page deeper
than :data:`DEEP_OFFSET` into an unsorted view is read by row id too (a top-N of five million wide rows does
not fit in memory; of five million row ids it takes seconds).

Probing: when a view is sorted by a stored time or number column, its first pages are among the rows nearest
the end the sort starts from. A :class:`PagePlan` then first looks only among the rows in the last (or
first) :data:`PROBE_FRACTION` of that column's range (:func:`range_sql`, remembered by the caller), where
the Parquet reader skips every row group whose min/max lie outside; a full page there is the answer,
otherwise the ids are read from the whole view. Derived columns (steps) have no such statistics.

The caller (:meth:`logsheet.workspace.Workspace.query`) runs the statements::

    page = PagePlan(plan, limit, offset)
    if not page.by_id:                      rows = run(page.rows_sql())
    else:
        ids = None
        if page.probe_column() and span:    ids = run(page.probe_sql(span)), kept when len(ids) == limit
        ids = ids or run(page.rowids_sql()); rows = run(page.rows_for_ids_sql(ids))
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Union

from sqlglot import exp

from logsheet.compiler import ViewPlan, _page, _wrap
from logsheet.compiler.resolve import column_named
from logsheet.core.columns import ROWID
from logsheet.core.sqlnames import cast, col, lit

DEEP_OFFSET = 1000  # pages further than this into an unsorted view are read by row id too
PROBE_FRACTION = 1 / 64  # a sorted page is first looked for in this end of its column's range
PROBE_MAX_ROWS = 10_000  # ... when it lies within this many rows of the start
PROBE_TYPES = ("timestamp", "date", "integer", "float")  # stored types whose Parquet statistics order rows

Bound = Union[datetime.datetime, datetime.date, int, float]
Span = tuple[Bound, Bound]  # the smallest and largest value of a column, when they differ


def reads_by_id(plan: ViewPlan, offset: int = 0) -> bool:
    """Whether a page of this view is better read in two passes (its row ids, then its rows by id): when the
    view is filtered or sorted, or the page lies deeper than DEEP_OFFSET. Never for groups, nor for views with
    split-to-rows or explode steps (their rows share their parent's id: logsheet.compiler.rowsteps)."""
    if plan.query.group is not None or plan.parts:  # a row id names several rows after split to rows / explode
        return False
    return bool(plan.query.sort) or plan.is_filtered or offset > DEEP_OFFSET


def probe_column(plan: ViewPlan) -> str | None:
    """The column a sorted page can be looked for near one end of (the newest rows first), or None: the first
    sort key, when it is a stored time or number column and the view has no steps or groups."""
    if plan.query.group is not None or plan.query.steps or not plan.query.sort:
        return None
    name = plan.query.sort[0].column
    column = column_named(name, plan.schema)
    if column is None or column.type not in PROBE_TYPES:
        return None
    return column.name


def range_sql(plan: ViewPlan, column: str) -> exp.Select:
    """The smallest and largest value of ``column`` over ``plan``'s rows (a sheet's whole plan: the range does
    not change with the view, so the caller remembers it per sheet version)."""
    rows = exp.Subquery(this=plan.filtered, alias=exp.TableAlias(this=exp.to_identifier("t")))
    return exp.select(exp.Min(this=col(column)), exp.Max(this=col(column))).from_(rows)


def span(low: Bound | None, high: Bound | None) -> Span | None:
    """The range ``range_sql`` found, or None when the column is blank or holds a single value (no end to probe)."""
    if low is None or high is None or low == high:
        return None
    return (low, high)


def bound(found: Span, descending: bool) -> Bound:
    """Where the probed end of a range stops: PROBE_FRACTION of its width from the end the sort starts at."""
    low: Any = found[0]  # numbers, or dates and times whose differences are timedeltas
    high: Any = found[1]
    width = (high - low) * PROBE_FRACTION
    return high - width if descending else low + width  # type: ignore[no-any-return]


@dataclass(frozen=True)
class PagePlan:
    """The statements that read one page (``limit`` rows from ``offset``) of a compiled view."""

    plan: ViewPlan
    limit: int
    offset: int

    @property
    def by_id(self) -> bool:
        return reads_by_id(self.plan, self.offset)

    def rows_sql(self) -> exp.Select:
        """The page in one pass (unfiltered, unsorted or grouped views): the row id first, then the columns."""
        return self.plan.rows_sql(self.limit, self.offset)

    def probe_column(self) -> str | None:
        """The column whose range to probe first, when the page lies within PROBE_MAX_ROWS of the start."""
        if self.offset + self.limit > PROBE_MAX_ROWS:
            return None
        return probe_column(self.plan)

    def probe_sql(self, found: Span) -> exp.Select:
        """The page's row ids among the rows at the probed end of the first sort key's range ``found``."""
        key = self.plan.query.sort[0]
        return self.rowids_sql(bound(found, key.descending))

    def rowids_sql(self, at_or_beyond: Bound | None = None) -> exp.Select:
        """The page's row ids, in the view's order; with ``at_or_beyond``, only among the rows whose first sort
        key is at or beyond it (``>=`` descending, ``<=`` ascending)."""
        relation = _wrap(self.plan.filtered)
        if at_or_beyond is not None:
            key = self.plan.query.sort[0]
            compare = exp.GTE if key.descending else exp.LTE
            relation = relation.where(compare(this=col(key.column), expression=_typed_literal(at_or_beyond)))
        select = relation.select(col(ROWID), append=False).order_by(*self.plan.row_order())
        return _page(select, self.limit, self.offset)

    def rows_for_ids_sql(self, rowids: list[int]) -> exp.Select:
        """The view's rows with these ids (``rows_sql``'s columns), in the view's order."""
        ids = exp.In(this=col(ROWID), expressions=[lit(int(i)) for i in rowids] or [exp.Null()])
        page = _wrap(self.plan.filtered).where(ids)
        return _wrap(page).select(*self.plan.row_projections(True), append=False).order_by(*self.plan.row_order())


def _typed_literal(value: Bound) -> exp.Expr:
    if isinstance(value, datetime.datetime):
        return cast(lit(value.isoformat()), "TIMESTAMPTZ")
    if isinstance(value, datetime.date):
        return cast(lit(value.isoformat()), "DATE")
    return lit(value)


__all__ = [
    "DEEP_OFFSET",
    "PROBE_FRACTION",
    "PROBE_MAX_ROWS",
    "PagePlan",
    "bound",
    "probe_column",
    "range_sql",
    "reads_by_id",
    "span",
]
