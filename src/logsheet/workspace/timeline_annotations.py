"""Annotations from a case's timeline: star, tag or comment the rows of a timeline view (or chosen timeline
rows), each in its own sheet (the workspace's side of ``logsheet timeline --star/--tag/--comment`` and
``POST /api/cases/{name}/timeline/annotations``).

A timeline row carries its source sheet and row id (:mod:`logsheet.compiler.timeline`); the view's rows are
read as those pairs (:func:`~logsheet.compiler.timeline.sources_sql`), grouped by sheet, and annotated there
(:func:`logsheet.workspace.annotations.change_known_rows`): the sheet's grid, filter (``starred``, ``tag =
'x'``) and exports then show them. The answer counts the rows annotated per sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from logsheet.compiler import timeline as compiled
from logsheet.core import ir
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.engines.base import DEFAULT_TIMEOUT
from logsheet.workspace import timeline as timelines
from logsheet.workspace.annotations import MAX_ROWIDS, change_known_rows, check_comment, check_tag

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace


def source_rows(
    ws: Workspace,
    case: str | None,
    query: ir.Query | None,
    rowids: Sequence[int] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> dict[str, list[int]]:
    """The rows of a timeline view (only the timeline rows ``rowids`` among them when given), as row ids per
    source sheet; row ids the view does not hold are refused (NotFound) when no filter chooses them."""
    if query is None and rowids is None:
        raise LogsheetError("choose the rows: a timeline view (a filter or a search) or timeline row ids")
    if rowids is not None and len(rowids) > MAX_ROWIDS:
        raise LogsheetError(f"at most {MAX_ROWIDS:,} row ids at once; choose more rows by a filter")
    base = query or ir.Query()
    if base.group is not None:
        raise LogsheetError("annotations are on rows: choose a timeline view without a group-by")
    line = timelines.compile_timeline(ws, case, base.with_(columns=(), sort=()))
    wanted = None if rowids is None else sorted({int(r) for r in rowids})
    table = line.runner.arrow(compiled.sources_sql(line.plan, wanted), timeout)
    by_sheet: dict[str, list[int]] = {}
    for sheet, rowid in zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True):
        by_sheet.setdefault(str(sheet), []).append(int(rowid))
    if wanted is not None and query is None:
        missing = sorted(set(wanted) - {r for rows in by_sheet.values() for r in rows})
        if missing:
            shown = ", ".join(str(m) for m in missing[:5])
            raise NotFound(f"the timeline of case {line.case!r} has no row with id {shown}")
    return by_sheet


def annotate_timeline(
    ws: Workspace,
    case: str | None,
    query: ir.Query | None = None,
    rowids: Sequence[int] | None = None,
    *,
    star: bool = False,
    tag: str | None = None,
    comment: str | None = None,
    author: str | None = None,
    remove: bool = False,
) -> dict[str, int]:
    """Star, tag or comment (``remove``: unstar or untag) every row of the timeline view and/or the timeline rows
    ``rowids``, each in its own sheet; per sheet, how many rows gained (or lost) it (every sheet the view's rows
    come from, 0 for those already annotated)."""
    if [star, tag is not None, comment is not None].count(True) != 1:
        raise LogsheetError("choose one annotation: a star, a tag or a comment")
    if remove and comment is not None:
        raise LogsheetError("remove a comment by its id (`logsheet annotations --delete ID`)")
    if tag is not None:
        tag = check_tag(tag)
    if comment is not None:
        comment = check_comment(comment)
    by_sheet = source_rows(ws, case, query, rowids)
    return {
        sheet: change_known_rows(ws, sheet, rows, star=star, tag=tag, comment=comment, author=author, remove=remove)
        for sheet, rows in sorted(by_sheet.items())
    }


__all__ = ["annotate_timeline", "source_rows"]
