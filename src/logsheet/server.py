"""The JSON API over a workspace (an ASGI app), and ``logsheet serve``.

Endpoints stay small: parse the request, build IR, call the workspace, render JSON. The server binds to
127.0.0.1 by default; bound to any other address it refuses to start without an access token, and then
answers 401 to any request without it. State-changing requests must come from the same origin.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from logsheet import ir
from logsheet.errors import LogsheetError
from logsheet.workspace import Workspace, build_query


class QueryRequest(BaseModel):
    where: str | None = None
    search: str | None = None
    columns: list[str] | None = None
    sort: list[str] | None = None
    group_by: list[str] | None = None
    aggs: list[str] | None = None
    query: dict[str, Any] | None = Field(default=None, description="A whole view as IR JSON (overrides the rest).")
    limit: int = 100
    offset: int = 0


def create_app(ws: Workspace, token: str | None = None) -> FastAPI:
    # No Swagger/ReDoc pages: they load scripts from a CDN, and logsheet makes no outside request.
    app = FastAPI(
        title="logsheet",
        version="0.1.0",
        description="A big-data spreadsheet for incident-response logs.",
        docs_url=None,
        redoc_url=None,
    )

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Any:
        if token and not _authorised(request, token):
            return JSONResponse({"error": "an access token is required"}, status_code=401)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            return JSONResponse({"error": "cross-site request refused"}, status_code=403)
        return await call_next(request)

    @app.exception_handler(LogsheetError)
    async def domain_error(request: Request, exc: LogsheetError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=exc.http_status)

    @app.get("/")
    async def index() -> dict[str, Any]:
        return {"logsheet": "0.1.0", "workspace": str(ws.root), "sheets": "/api/sheets", "openapi": "/openapi.json"}

    @app.get("/api/sheets")
    async def list_sheets() -> list[dict[str, Any]]:
        records = await run_in_threadpool(ws.sheets)
        return [
            {
                "name": r.name,
                "format": r.format,
                "rows": r.row_count,
                "columns": r.schema.to_json(),
                "rejected": r.reject_count,
                "bytes": r.bytes,
                "time_column": r.time_column,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            }
            for r in records
        ]

    @app.get("/api/sheets/{name}")
    async def sheet_info(name: str) -> dict[str, Any]:
        return await run_in_threadpool(ws.info, name)

    @app.post("/api/sheets/{name}/query")
    async def query(name: str, body: QueryRequest) -> dict[str, Any]:
        view = (
            ir.query_from_json(body.query)
            if body.query
            else build_query(body.where, body.search, body.columns, body.sort, body.group_by, body.aggs)
        )
        page = await run_in_threadpool(ws.query, name, view, body.limit, body.offset)
        return page.to_json()

    @app.get("/api/sheets/{name}/rejects")
    async def sheet_rejects(name: str, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        page = await run_in_threadpool(ws.rejects, name, limit, offset)
        return page.to_json()

    return app


def _authorised(request: Request, token: str) -> bool:
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    given = given or request.headers.get("x-logsheet-token", "") or request.query_params.get("token", "")
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(ws: Workspace, host: str, port: int, token: str | None) -> None:
    import click
    import uvicorn

    if not is_loopback(host) and not token:
        raise LogsheetError(
            f"refusing to serve on {host} without an access token: pass --token or set "
            "LOGSHEET_TOKEN (only 127.0.0.1 is served without one)"
        )
    click.echo(f"logsheet is serving {ws.root} at http://{host}:{port}/  (Ctrl-C to stop)")
    uvicorn.run(create_app(ws, token), host=host, port=port, log_level="warning")
