"""The pivot (``Workspace.pivot``): ``GET /api/cases/{name}/pivot?value=...`` and ``GET /api/pivot?value=...``
(the default case). The answer is ``logsheet pivot --format json``'s, each sheet with ``where`` beside it: the
filter (IR JSON) that shows that sheet's rows holding the value, for the entity page's links and timeline.

Included before the cases' router: its ``/api/cases/{name:path}`` would take ``.../pivot`` for a case name.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from logsheet.api.common import Settings
from logsheet.core import ir
from logsheet.workspace import Workspace
from logsheet.workspace.pivot import DEFAULT_TOP, MAX_TOP, MAX_VALUE


def router(ws: Workspace, settings: Settings) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["cases"])

    def answer(value: str, case: str | None, anywhere: bool, top: int) -> dict[str, Any]:
        found = ws.pivot(value, case=case, anywhere=anywhere, top=top, timeout=settings.query_timeout)
        body = found.to_json()
        for entry, hits in zip(body["sheets"], found.sheets):
            entry["where"] = ir.node_to_json(hits.where)
        body["anywhere"] = anywhere
        return body

    @api.get("/cases/{name:path}/pivot")
    def case_pivot(
        name: str,
        value: str = Query(max_length=MAX_VALUE, description="The value to follow (an IP, a user or ARN, a key, ...)."),
        anywhere: bool = Query(default=False, description="Rows holding it in any column, not only entity columns."),
        top: int = Query(default=DEFAULT_TOP, ge=1, le=MAX_TOP, description="Related entities per kind."),
    ) -> dict[str, Any]:
        """Every row of the case's sheets holding ``value``: per sheet its rows, first and last seen (and the
        filter showing them), and the related entities per kind, the most rows first."""
        return answer(value, name, anywhere, top)

    @api.get("/pivot")
    def default_pivot(
        value: str = Query(max_length=MAX_VALUE, description="The value to follow."),
        anywhere: bool = Query(default=False, description="Rows holding it in any column."),
        top: int = Query(default=DEFAULT_TOP, ge=1, le=MAX_TOP, description="Related entities per kind."),
    ) -> dict[str, Any]:
        """The pivot on the default case's sheets (as ``/api/cases/default/pivot``)."""
        return answer(value, None, anywhere, top)

    return api
