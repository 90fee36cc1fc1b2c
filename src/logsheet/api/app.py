"""``create_app``: the ASGI app over one workspace — the JSON API under ``/api/``, OpenAPI at ``/openapi.json``,
the front end at ``/`` — behind the security middleware; and ``run``, what ``logsheet serve`` calls.

Every error is ``{"error": "one sentence"}``: a domain error's status comes from its class (``STATUS``: 400,
404, 408, 409 for a name taken, 413, 499 for a cancelled request, 503), a body that does not match the schema
is 422, an unknown path 404; a bug is a 500 in the same shape (never a plain-text page). The endpoint modules
(``info``, ``sheets``, ``cases``, ``query``, ``uploads``, ``jobs``, ``static``) each build one router over the workspace.
Views run on the workspace's engine (its setting, :mod:`logsheet.store.settings`: DuckDB or Spark).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from logsheet import __version__
from logsheet.api import (
    annotate,
    cases,
    context,
    detections,
    enrichment,
    formula,
    info,
    iocs,
    jobs,
    pivot,
    pivot_table,
    query,
    recipes,
    report,
    s3imports,
    security,
    sheets,
    static,
    timeline,
    uploads,
)
from logsheet.api.common import STATIC_DIR, Settings, install_ir_schemas, max_upload_from_env
from logsheet.core.errors import Conflict, FilterSyntaxError, LogsheetError, NotFound, OutOfMemory, QueryTimeout
from logsheet.engines.duckdb import DEFAULT_TIMEOUT, QueryCancelled
from logsheet.workspace import Workspace


def create_app(
    ws: Workspace,
    token: str | None = None,
    *,
    max_upload_bytes: int | None = None,
    query_timeout: float | None = DEFAULT_TIMEOUT,
    static_dir: Path | None = None,
    allowed_hosts: Collection[str] | None = None,
) -> FastAPI:
    """The app. ``max_upload_bytes`` defaults to ``LOGSHEET_MAX_UPLOAD_BYTES`` (20 GiB); ``allowed_hosts``, when
    given, refuses requests addressed to another Host name (``run`` sets it on loopback without a token)."""
    settings = Settings(
        token=token or None,
        max_upload_bytes=max_upload_from_env() if max_upload_bytes is None else max_upload_bytes,
        query_timeout=query_timeout,
        static_dir=static_dir or STATIC_DIR,
    )
    # No Swagger/ReDoc pages: they load scripts from a CDN, and logsheet makes no outside request.
    app = FastAPI(
        title="logsheet",
        version=__version__,
        description="A big-data spreadsheet for incident-response logs. The contract: docs/api.md.",
        docs_url=None,
        redoc_url=None,
    )
    ws.engine  # noqa: B018 - made now, once: request threads would race to create it lazily (and split cancels)
    import_jobs = jobs.Jobs(ws)
    app.state.ws, app.state.settings, app.state.jobs = ws, settings, import_jobs
    app.include_router(info.router(ws))
    app.include_router(detections.router(ws, settings))  # before context and sheets: their routes take any path
    app.include_router(context.router(ws, settings))  # before sheets: its /api/sheets/{name} takes any path
    app.include_router(annotate.router(ws))  # before sheets too
    app.include_router(recipes.router(ws))  # before sheets too
    app.include_router(pivot_table.router(ws, settings))  # before sheets: its /api/sheets/{name} takes any path
    app.include_router(enrichment.router(ws, settings))  # before sheets too
    app.include_router(sheets.router(ws))
    app.include_router(timeline.router(ws, settings))  # before cases: its /api/cases/{name} takes any path
    app.include_router(pivot.router(ws, settings))  # before cases: its /api/cases/{name} takes any path
    app.include_router(iocs.router(ws, settings))
    app.include_router(report.router(ws))  # before cases: its /api/cases/{name} takes any path
    app.include_router(cases.router(ws))
    app.include_router(query.router(ws, settings))
    app.include_router(formula.router(ws))
    app.include_router(uploads.router(ws, settings, import_jobs))
    app.include_router(s3imports.router(ws, import_jobs))
    app.include_router(jobs.router(import_jobs))
    app.include_router(static.router(settings.static_dir))  # last: its catch-all serves the build's files
    _install_error_handlers(app)
    install_ir_schemas(app)
    app.add_middleware(security.SecurityMiddleware, token=settings.token, allowed_hosts=allowed_hosts)
    return app


# The one place domain errors meet HTTP: each class's status (a subclass takes its nearest listed base's).
STATUS: dict[type[LogsheetError], int] = {
    LogsheetError: 400,
    NotFound: 404,
    QueryTimeout: 408,
    Conflict: 409,
    uploads.UploadTooLarge: 413,
    iocs.TooLarge: 413,
    QueryCancelled: 499,  # "client closed request": the person cancelled it
    OutOfMemory: 503,
}


def status_of(exc: LogsheetError) -> int:
    return next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LogsheetError)
    async def domain_error(request: Request, exc: LogsheetError) -> JSONResponse:
        if isinstance(exc, FilterSyntaxError):
            message = f"{exc.detail} at position {exc.position + 1}"
            return JSONResponse({"error": message, "position": exc.position}, status_code=status_of(exc))
        return JSONResponse({"error": str(exc)}, status_code=status_of(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_message(exc.errors())}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        """A bug: still the error shape (never a plain-text page), one line; the server logs the traceback."""
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        message = f"internal error ({type(exc).__name__}): {first} - please report it"
        return JSONResponse({"error": message}, status_code=500)


def _validation_message(errors: Any) -> str:
    """The first schema error as one sentence: ``body.limit: Input should be a valid integer``."""
    for error in errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "the request body"
        return f"{where}: {error.get('msg', 'invalid')}"
    return "the request does not match its schema"


def run(ws: Workspace, host: str, port: int, token: str | None, *, max_upload_bytes: int | None = None) -> None:
    """Serve until Ctrl-C. Refuses a non-loopback address without a token; on loopback without a token, answers
    only requests addressed to a loopback name. ``max_upload_bytes`` defaults to LOGSHEET_MAX_UPLOAD_BYTES."""
    import click
    import uvicorn

    security.check_bind(host, token)
    hosts = None if token else security.loopback_hosts(host)
    serving = ws.serving()
    if serving.engine == "spark":
        click.echo(f"starting {serving.describe()}: views run there; imports stay on DuckDB")
        ws.spark  # noqa: B018 - started now: no Java or an unreachable server is said here, not on the first page
    click.echo(f"logsheet is serving {ws.root} at http://{_url_host(host)}:{port}/  (Ctrl-C to stop)")
    if token:
        click.echo("open it once as http://.../?token=<your token>; the page keeps it for the session")
    app = create_app(ws, token, allowed_hosts=hosts, max_upload_bytes=max_upload_bytes)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
