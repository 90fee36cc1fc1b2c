"""A case's timeline (``Workspace.timeline`` and friends): ``POST /api/cases/{name}/timeline/query``,
``/histogram`` (stacked by sheet) and ``/export``, with the bodies of the sheet endpoints. Every answer names the
sheets in the timeline and those left out (``left_out``: ``{sheet, reason}``). ``.../timeline/views`` keeps the
case's saved timeline views (GET lists, POST saves, DELETE ``.../views/{view}`` forgets) and POST
``.../timeline/annotations`` stars, tags or comments timeline rows in their own sheets."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from logsheet.api.annotate import AnnotateRequest
from logsheet.api.common import QueryRequest, Settings, ViewBody
from logsheet.api.query import HistogramRequest
from logsheet.api.sheets import EXPORTS, ExportRequest, SaveViewRequest, _remove, attachment
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.workspace import Workspace
from logsheet.workspace.timeline import Timeline


def _view(body: ViewBody) -> ir.Query:
    if body.finding:
        raise InvalidQuery("a timeline view takes no finding: filter the timeline, or open the finding in its sheet")
    return body.view()


def _about(line: Timeline) -> dict[str, Any]:
    return {
        "case": line.case,
        "sheets": list(line.sheets),
        "left_out": [{"sheet": sheet, "reason": reason} for sheet, reason in line.left_out],
    }


def router(ws: Workspace, settings: Settings) -> APIRouter:
    api = APIRouter(prefix="/api/cases", tags=["timeline"])
    budget = settings.query_timeout

    @api.post("/{name:path}/timeline/query")
    def timeline_query(name: str, body: QueryRequest) -> dict[str, Any]:
        """A page of the case's timeline (oldest first unless the view sorts it), its exact total, and the sheets
        it merges. Columns: time, sheet, summary, the entity columns, source_sheet, source_rowid."""
        view = _view(body)
        with ws.request(body.request_id):
            line = ws.timeline_view(name, view)
            page = ws.timeline(name, view, body.limit, body.offset, budget)
        return {**page.to_json(), **_about(line)}

    @api.post("/{name:path}/timeline/histogram")
    def timeline_histogram(name: str, body: HistogramRequest) -> dict[str, Any]:
        """The timeline's row counts over time, and ``sheets``: each sheet's count in every bucket."""
        if body.column not in (None, "time"):
            raise InvalidQuery("a timeline's histogram is over its time column")
        view = _view(body)
        with ws.request(body.request_id):
            result = ws.timeline_histogram(name, view, body.buckets, body.start, body.end, budget)
        return result.to_json()

    @api.post("/{name:path}/timeline/export")
    def timeline_export(name: str, body: ExportRequest) -> FileResponse:
        """The whole timeline view as a file download (CSV formulas neutralised)."""
        if body.format not in EXPORTS:
            raise InvalidQuery(f"cannot export as {body.format!r}; use one of {', '.join(EXPORTS)}")
        suffix, media_type = EXPORTS[body.format]
        view = _view(body)
        ws.timeline_view(name, view).plan.columns()  # a bad view is a 400 before any file is written
        target = ws.root / "tmp" / f"timeline-{uuid.uuid4().hex}.{suffix}"
        try:
            ws.export_timeline(name, view, target)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return FileResponse(
            target,
            media_type=media_type,
            headers={"content-disposition": attachment(f"{name}-timeline.{suffix}")},
            background=BackgroundTask(_remove, target),
        )

    @api.get("/{name:path}/timeline/views")
    def timeline_views(name: str) -> list[dict[str, Any]]:
        """The case's saved timeline views, by name: ``[{name, query (IR JSON), created_at}]``."""
        return ws.timeline_views(name)

    @api.post("/{name:path}/timeline/views")
    def save_timeline_view(name: str, body: SaveViewRequest) -> list[dict[str, Any]]:
        """Save (or replace) a named timeline view of the case (checked against its timeline); answers its views."""
        ws.save_timeline_view(name, body.name, ir.query_from_json(body.query))
        return ws.timeline_views(name)

    @api.delete("/{name:path}/timeline/views/{view:path}")
    def delete_timeline_view(name: str, view: str) -> dict[str, str]:
        """Forget a saved timeline view (404 when the case has none of that name)."""
        ws.delete_timeline_view(name, view)
        return {"deleted": view}

    @api.post("/{name:path}/timeline/annotations")
    def annotate_timeline(name: str, body: AnnotateRequest) -> dict[str, Any]:
        """Star, unstar, tag, untag or comment the rows of a timeline view (``query``) and/or timeline rows by id
        (``rowids``: a timeline page's), each in its own sheet: ``{action, rows, sheets: {sheet: rows}}``."""
        if body.action == "uncomment":
            raise InvalidQuery("remove a comment by its id: DELETE /api/annotations/{id}")
        needs_value = body.action in ("tag", "untag", "comment")
        if needs_value != (body.value is not None):
            raise InvalidQuery(f"{body.action} {'needs' if needs_value else 'takes no'} value")
        query = _view(body) if body.query or body.rowids is None else None
        star = body.action in ("star", "unstar")
        tag = body.value if body.action in ("tag", "untag") else None
        comment = body.value if body.action == "comment" else None
        with ws.request(body.request_id):
            counts = ws.annotate_timeline(
                name, query, body.rowids, star=star, tag=tag, comment=comment, remove=body.action in ("unstar", "untag")
            )
        return {"action": body.action, "rows": sum(counts.values()), "sheets": counts}

    return api


__all__ = ["router"]
