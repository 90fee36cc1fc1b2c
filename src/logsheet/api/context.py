"""One event in its context: ``GET /api/sheets/{name}/rows/{rowid}/context?before=N&after=N``.

The row and the rows just before and after it in the sheet's time order (``Workspace.context``). Included
before the sheets router, whose ``/api/sheets/{name}`` takes any path (sheet names may hold ``/``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from logsheet.api.common import Settings
from logsheet.workspace import Workspace


def router(ws: Workspace, settings: Settings) -> APIRouter:
    api = APIRouter(prefix="/api/sheets", tags=["query"])

    @api.get("/{name:path}/rows/{rowid}/context")
    def context(
        name: str,
        rowid: int,
        before: int = Query(default=10, description="Rows before it (0 to 1000)."),
        after: int = Query(default=10, description="Rows after it (0 to 1000)."),
        request_id: str | None = Query(default=None, description="Lets POST /api/queries/{id}/cancel stop it."),
    ) -> dict[str, Any]:
        """The row ``rowid`` and the ``before`` / ``after`` rows around it: the sheet's time column ascending
        (blank times last), ties by ``__rowid``; without a time column by ``__rowid`` (``order_by`` says which).
        ``rows[index]`` is the row itself. 404 for a row id the sheet does not hold."""
        with ws.request(request_id):
            return ws.context(name, rowid, before, after, settings.query_timeout).to_json()

    return api


__all__ = ["router"]
