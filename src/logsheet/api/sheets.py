"""Sheets: list, describe, rename, delete; their saved views, rejects and exports.

Sheet names may hold any character but control characters, ``/`` included, so the routes take the name as a
path; the more specific routes (``.../views``) are declared before the bare ``/api/sheets/{name}``.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from logsheet.api.common import QueryJson, ViewBody
from logsheet.core.errors import Conflict, InvalidQuery
from logsheet.export.page import MAX_PAGE
from logsheet.workspace import Workspace

EXPORTS = {
    "csv": ("csv", "text/csv; charset=utf-8"),
    "json": ("json", "application/json"),
    "ndjson": ("ndjson", "application/x-ndjson"),
    "parquet": ("parquet", "application/vnd.apache.parquet"),
}


class RenameRequest(BaseModel):
    name: str = Field(description="The new name.")


class SaveViewRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    query: QueryJson = Field(description="The view (IR JSON).")


class ExportRequest(ViewBody):
    format: str = Field(default="csv", description="csv, json, ndjson or parquet")


def router(ws: Workspace) -> APIRouter:
    api = APIRouter(prefix="/api/sheets", tags=["sheets"])

    @api.get("")
    def list_sheets() -> list[dict[str, Any]]:
        """Every sheet, for the files page (``sources`` is the number of source files)."""
        return [summary.to_listing_json() for summary in ws.sheets()]

    @api.get("/{name:path}/views")
    def list_views(name: str) -> list[dict[str, Any]]:
        return ws.views(name)

    @api.post("/{name:path}/views")
    def save_view(name: str, body: SaveViewRequest) -> list[dict[str, Any]]:
        """Save (or replace) a named view; answers the sheet's views."""
        from logsheet.core import ir

        if not body.name.strip():
            raise InvalidQuery("a view needs a name")
        ws.save_view(name, body.name, ir.query_from_json(body.query))
        return ws.views(name)

    @api.delete("/{name:path}/views/{view:path}")
    def delete_view(name: str, view: str) -> dict[str, str]:
        """Forget a saved view (404 when the sheet has none of that name); the sheet is untouched."""
        ws.delete_view(name, view)
        return {"deleted": view}

    @api.get("/{name:path}/rejects")
    def rejects(name: str, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        if not 0 <= limit <= MAX_PAGE:
            raise InvalidQuery(f"a page holds 0 to {MAX_PAGE} rows, not {limit}")
        return ws.rejects(name, limit, offset).to_json()

    @api.post("/{name:path}/export")
    def export(name: str, body: ExportRequest) -> FileResponse:
        """The whole view as a file download; CSV cells that a spreadsheet would run as formulas are neutralised."""
        if body.format not in EXPORTS:
            raise InvalidQuery(f"cannot export as {body.format!r}; use one of {', '.join(EXPORTS)}")
        suffix, media_type = EXPORTS[body.format]
        ws.plan(name, body.view_on(ws, name)).columns()  # a bad view is a 400 before any file is written
        target = ws.root / "tmp" / f"export-{uuid.uuid4().hex}.{suffix}"
        try:
            ws.export(name, body.view_on(ws, name), target)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return FileResponse(
            target,
            media_type=media_type,
            headers={"content-disposition": attachment(f"{name}.{suffix}")},
            background=BackgroundTask(_remove, target),
        )

    @api.get("/{name:path}")
    def sheet_info(name: str) -> dict[str, Any]:
        """``Workspace.info``: columns, sources with SHA-256 and accounting, imports."""
        return ws.info(name)

    @api.patch("/{name:path}")
    def rename(name: str, body: RenameRequest) -> dict[str, Any]:
        if body.name != name and ws.catalog.get_sheet(body.name) is not None:
            raise Conflict(f"a sheet named {body.name!r} already exists")
        if body.name != name:
            ws.rename_sheet(name, body.name)
        return ws.info(body.name)

    @api.delete("/{name:path}")
    def delete(name: str) -> dict[str, str]:
        ws.delete_sheet(name)
        return {"deleted": name}

    return api


def attachment(filename: str) -> str:
    """A Content-Disposition for a download: an ASCII fallback name and the exact name (RFC 6266 / 5987)."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in filename) or "export"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


__all__ = ["attachment", "router"]
