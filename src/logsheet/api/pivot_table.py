"""Pivot tables and the fields of JSON arrays, over a sheet's view: ``POST /api/sheets/{name}/pivot-table``
(``Workspace.pivot_table``; ``"format": "csv"`` answers the table as a CSV file, formulas neutralised) and
``POST /api/sheets/{name}/element-fields`` (``Workspace.element_fields``: what an explode step can add as columns).

Included before the sheets' router: its ``/api/sheets/{name:path}`` would take these paths for a sheet name.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from logsheet.api.common import Settings, ViewBody
from logsheet.core.pivot_table import pivot_table_from_json
from logsheet.workspace import Workspace

PIVOT_HELP = (
    "The pivot table (logsheet.core.pivot_table.PivotTable as JSON): rows (columns), columns (a column), agg "
    '({"fn": "count" | "count_distinct" | "sum" | "min" | "max" | "first" | "last", "column": ...}), top, other, limit.'
)


class PivotTableRequest(ViewBody):
    pivot: dict[str, Any] = Field(description=PIVOT_HELP)
    format: Literal["json", "csv"] = Field(default="json", description="json (the table as JSON) or csv (a file).")


class ElementFieldsRequest(ViewBody):
    path: str = Field(max_length=1000, description="A JSON column or a path in one: responseElements.instancesSet.items.")


def router(ws: Workspace, settings: Settings) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["sheets"])

    @api.post("/sheets/{name:path}/pivot-table", response_model=None)
    def pivot_table(name: str, body: PivotTableRequest) -> dict[str, Any] | Response:
        """Rows × columns × an aggregate over the view's rows: per row-key value, one cell per column value (the
        ``top`` by rows; the rest folded into ``other``), the row total; the column totals and the grand total."""
        spec = pivot_table_from_json(body.pivot)
        view = body.view_on(ws, name)
        with ws.request(body.request_id):
            result = ws.pivot_table(name, view, spec, timeout=settings.query_timeout)
        if body.format == "csv":
            headers = {"Content-Disposition": 'attachment; filename="pivot-table.csv"'}
            return Response("".join(result.csv()), media_type="text/csv; charset=utf-8", headers=headers)
        return result.to_json()

    @api.post("/sheets/{name:path}/element-fields")
    def element_fields(name: str, body: ElementFieldsRequest) -> dict[str, Any]:
        """The fields (keys) the first elements of the JSON array at ``path`` hold, the most frequent first."""
        with ws.request(body.request_id):
            fields = ws.element_fields(name, body.path, body.view_on(ws, name))
        return {"path": body.path, "fields": fields}

    return api
