"""Annotations of rows: ``POST /api/sheets/{name}/annotations`` (star, unstar, tag, untag, comment, uncomment the
rows of a view and/or rows by id), ``GET /api/sheets/{name}/annotations``, ``GET /api/annotations`` (every sheet's,
or ``sheet=`` repeated), ``GET /api/cases/{name}/annotations`` (every sheet of a case's; included before the cases'
router, whose ``/api/cases/{name:path}`` takes any path) and ``DELETE /api/annotations/{id}``: thin over
:mod:`logsheet.workspace.annotations`. The author is the server's user (the OS user's name for now)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import Field

from logsheet.api.common import ViewBody
from logsheet.core.errors import InvalidQuery
from logsheet.workspace import Workspace
from logsheet.workspace.annotations import MAX_COMMENT, MAX_ROWIDS

Action = Literal["star", "unstar", "tag", "untag", "comment", "uncomment"]
MAX_LIST = 10_000  # annotations in one answer
MAX_ID = 2**63 - 1  # row ids and annotation ids are 64-bit integers
RowId = Annotated[int, Field(ge=0, le=MAX_ID)]


class AnnotateRequest(ViewBody):
    """Which rows: ``query`` (the view: every row its filter and search hold; absent with ``rowids`` alone) and/or
    ``rowids`` (values of a page's ``rowids``). What: ``action``, with ``value`` the tag (tag, untag) or the
    comment's text (comment)."""

    action: Action
    value: str | None = Field(default=None, max_length=MAX_COMMENT)
    rowids: list[RowId] | None = Field(default=None, max_length=MAX_ROWIDS)


def router(ws: Workspace) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["annotations"])

    @api.post("/sheets/{name:path}/annotations")
    def annotate(name: str, body: AnnotateRequest) -> dict[str, Any]:
        """``{action, rows}``: how many rows gained (or lost) the annotation; ``uncomment``: how many comments went."""
        needs_value = body.action in ("tag", "untag", "comment")
        if needs_value != (body.value is not None):
            raise InvalidQuery(f"{body.action} {'needs' if needs_value else 'takes no'} value")
        query = body.view_on(ws, name) if body.query or body.finding or body.rowids is None else None
        with ws.request(body.request_id):
            if body.action in ("star", "tag", "comment"):
                tag, comment = (body.value, None) if body.action == "tag" else (None, body.value)
                n = ws.annotate(name, query, body.rowids, star=body.action == "star", tag=tag, comment=comment)
            else:
                tag = body.value if body.action == "untag" else None
                n = ws.remove_annotations(
                    name, query, body.rowids, star=body.action == "unstar", tag=tag, comments=body.action == "uncomment"
                )
        return {"action": body.action, "rows": n}

    @api.get("/sheets/{name:path}/annotations")
    def sheet_annotations(
        name: str, limit: int = Query(default=1000, ge=0, le=MAX_LIST), offset: int = Query(default=0, ge=0, le=2**62)
    ) -> dict[str, Any]:
        """``{annotations: [{id, sheet, rowid, kind, value, author, created_at}]}``, oldest first."""
        return {"annotations": [a.to_json() for a in ws.annotations(name, limit=limit, offset=offset)]}

    @api.get("/annotations")
    def all_annotations(
        sheet: list[str] | None = Query(default=None, description="Only these sheets' (repeat it: a case's sheets)."),
        limit: int = Query(default=1000, ge=0, le=MAX_LIST),
        offset: int = Query(default=0, ge=0, le=2**62),
    ) -> dict[str, Any]:
        """The annotations of every sheet (or of the ``sheet`` ones), oldest first."""
        found = ws.annotations(sheets=sheet, limit=limit, offset=offset)
        return {"annotations": [a.to_json() for a in found]}

    @api.get("/cases/{name:path}/annotations")
    def case_annotations(
        name: str,
        limit: int = Query(default=1000, ge=0, le=MAX_LIST),
        offset: int = Query(default=0, ge=0, le=2**62),
        order: Literal["oldest", "newest"] = Query(default="oldest", description="Oldest first, or the newest first."),
    ) -> dict[str, Any]:
        """``{case, annotations}``: the annotations of every sheet of the case, oldest first (``order=newest``: the
        newest first); 404 for an unknown case."""
        found = ws.annotations(case=name, limit=limit, offset=offset, newest_first=order == "newest")
        return {"case": name, "annotations": [a.to_json() for a in found]}

    @api.delete("/annotations/{annotation_id}")
    def delete(annotation_id: int = Path(ge=1, le=MAX_ID)) -> dict[str, Any]:
        """Remove one annotation (a comment, say): the one removed; 404 for an unknown id."""
        return ws.delete_annotation(annotation_id).to_json()

    return api


__all__ = ["router"]
