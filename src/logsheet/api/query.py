"""Reading a view: pages, the time histogram, column profiles, step previews; the filter language both ways;
cancelling a running request; the formats an upload may name.

Each endpoint parses the body, builds the IR and calls the workspace inside ``ws.request(request_id)``, so
that ``POST /api/queries/{request_id}/cancel`` can stop it (the stopped request answers 499 "cancelled").
The endpoints are plain functions: FastAPI runs them in its thread pool, one thread per request.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from logsheet.api.common import OptionalPredicateJson, QueryRequest, Settings, StepJson, ViewBody
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.ingest import formats
from logsheet.query.filterlang import format_filter, parse_filter
from logsheet.workspace import Workspace


class HistogramRequest(ViewBody):
    buckets: int = Field(default=60, description="About how many buckets (1..1000); the width is a nice interval.")
    start: str | None = Field(default=None, description="ISO 8601; only rows at or after it.")
    end: str | None = Field(default=None, description="ISO 8601; only rows at or before it.")
    column: str | None = Field(default=None, description="A timestamp column (default: the sheet's time column).")


class ProfileRequest(ViewBody):
    column: str
    top: int = 20


class PreviewRequest(ViewBody):
    step: StepJson = Field(description="A step as IR JSON, e.g. {'kind': 'split', 'column': ..., ...}.")
    limit: int = 20


class ParseRequest(BaseModel):
    text: str = Field(max_length=100_000)
    sheet: str | None = Field(default=None, description="When given, the filter is also checked against its columns.")


class FormatRequest(BaseModel):
    where: OptionalPredicateJson = Field(description="A predicate as IR JSON, or null.")


def router(ws: Workspace, settings: Settings) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["query"])
    budget = settings.query_timeout

    @api.post("/sheets/{name:path}/query")
    def query(name: str, body: QueryRequest) -> dict[str, Any]:
        """A page of rows (or of groups, when the view has ``group``) and the exact total."""
        with ws.request(body.request_id):
            return ws.query(name, body.view_on(ws, name), body.limit, body.offset, budget).to_json()

    @api.post("/sheets/{name:path}/histogram")
    def histogram(name: str, body: HistogramRequest) -> dict[str, Any]:
        with ws.request(body.request_id):
            result = ws.histogram(name, body.view_on(ws, name), body.buckets, body.start, body.end, body.column, budget)
        return result.to_json()  # type: ignore[no-any-return]

    @api.post("/sheets/{name:path}/profile")
    def profile(name: str, body: ProfileRequest) -> dict[str, Any]:
        with ws.request(body.request_id):
            result = ws.profile(name, body.column, body.view_on(ws, name), body.top, budget)
        return result.to_json()  # type: ignore[no-any-return]

    @api.post("/sheets/{name:path}/preview")
    def preview(name: str, body: PreviewRequest) -> dict[str, Any]:
        """The view's first rows with one more step applied, and the columns that step adds or changes."""
        if not 0 <= body.limit <= 1000:
            raise InvalidQuery(f"a preview shows 0 to 1000 rows, not {body.limit}")
        step = ir.step_from_json(body.step)
        with ws.request(body.request_id):
            result = ws.preview(name, step, body.view_on(ws, name), body.limit, budget)
        return result.to_json()  # type: ignore[no-any-return]

    @api.post("/queries/{request_id}/cancel")
    async def cancel(request_id: str) -> dict[str, bool]:
        return {"cancelled": ws.cancel(request_id)}

    @api.post("/filter/parse")
    def parse(body: ParseRequest) -> dict[str, Any]:
        """Filter text to a predicate (``null`` for blank text); a syntax error is a 400 with its ``position``."""
        if not body.text.strip():
            return {"where": None}
        predicate = parse_filter(body.text)
        if body.sheet is not None:
            ws.plan(body.sheet, ir.Query(where=predicate))
        return {"where": ir.node_to_json(predicate)}

    @api.post("/filter/format")
    def format_(body: FormatRequest) -> dict[str, str]:
        if body.where is None:
            return {"text": ""}
        try:
            return {"text": format_filter(ir.predicate_from_json(body.where))}
        except ValueError as exc:
            raise InvalidQuery(f"this filter cannot be written as text: {exc}") from None

    @api.get("/formats", tags=["uploads"])
    def list_formats() -> list[dict[str, str]]:
        """The formats an upload may name (detection picks one when none is named)."""
        return [{"name": name, "description": module.description} for name, module in formats.FORMATS.items()]

    return api
