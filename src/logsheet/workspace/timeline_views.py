"""A case's saved timeline views: a timeline view (filter, search, sort, columns, groups) kept under a name per
case (the workspace's side of ``logsheet timeline --save/--view``, ``logsheet timeline-views`` and
``/api/cases/{name}/timeline/views``).

The catalog keeps them in ``timeline_views`` by case id: renaming the case keeps them, deleting the case
deletes them. A view is checked against the case's timeline before it is saved; a stored view this logsheet
cannot read is listed with ``query: null`` and its ``error`` (as a sheet's saved views are).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from logsheet.core import ir
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.query.spellings import ir_json
from logsheet.workspace import timeline as timelines
from logsheet.workspace.summaries import JSONObject

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace

MAX_NAME = 200  # characters in a view's name


def _case_id(ws: Workspace, case: str | None) -> tuple[str, int]:
    found = ws.case(case)
    case_id = ws.catalog.case_id(found.name)
    if case_id is None:  # deleted in between
        raise NotFound(f"no case named {found.name!r}")
    return found.name, case_id


def check_name(name: str) -> str:
    text = name.strip()
    if not text or len(text) > MAX_NAME or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise LogsheetError(f"a view's name is 1 to {MAX_NAME} printable characters")
    return text


def _saved(name: str, text: str, created_at: str) -> JSONObject:
    try:
        query = ir.query_from_json(text)
    except LogsheetError as exc:
        return {"name": name, "query": None, "created_at": created_at, "error": str(exc)}
    return {"name": name, "query": ir.query_to_json(query), "created_at": created_at}


def save_timeline_view(ws: Workspace, case: str | None, name: str, query: ir.Query) -> JSONObject:
    """Save (or replace) ``query`` as the timeline view ``name`` of the case (default: the default case),
    checked against the case's timeline first; returns the saved view."""
    label = check_name(name)
    case_name, case_id = _case_id(ws, case)
    timelines.compile_timeline(ws, case_name, query).plan.columns()  # a bad view is refused, never stored
    ws.catalog.save_timeline_view(case_id, label, ir_json(query))
    return timeline_view(ws, case_name, label)


def timeline_views(ws: Workspace, case: str | None) -> list[JSONObject]:
    """The case's saved timeline views, by name: ``{name, query (IR JSON), created_at}``."""
    _, case_id = _case_id(ws, case)
    return [_saved(n, q, c) for n, q, c in ws.catalog.timeline_views(case_id)]


def timeline_view(ws: Workspace, case: str | None, name: str) -> JSONObject:
    """One saved timeline view; NotFound when the case has none of that name."""
    for saved in timeline_views(ws, case):
        if saved["name"] == name:
            return saved
    raise NotFound(f"case {ws.case(case).name!r} has no saved timeline view named {name!r}")


def saved_query(ws: Workspace, case: str | None, name: str) -> ir.Query:
    """The IR of a saved timeline view (to run it); a view that cannot be read is an error saying why."""
    saved = timeline_view(ws, case, name)
    if saved["query"] is None:
        raise LogsheetError(f"the saved timeline view {name!r} cannot be read: {saved.get('error')}")
    return ir.query_from_json(saved["query"])


def delete_timeline_view(ws: Workspace, case: str | None, name: str) -> None:
    """Forget a saved timeline view (the case and its sheets are untouched)."""
    case_name, case_id = _case_id(ws, case)
    if not ws.catalog.delete_timeline_view(case_id, name):
        raise NotFound(f"case {case_name!r} has no saved timeline view named {name!r}")


__all__ = ["check_name", "delete_timeline_view", "save_timeline_view", "saved_query", "timeline_view", "timeline_views"]
