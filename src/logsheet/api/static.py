"""The front end: the built Vite assets in ``logsheet/web/static`` (built by the setup step, not in git).

``/`` is the files page, ``/sheets/{name}`` a sheet and ``/cases/{name}`` a case: all answer ``index.html``
and the page routes itself. Any other path is a file of the build (``/assets/index-3f2a.js``), looked up only
inside the build folder, or a JSON 404. Without a build, ``/`` answers a short page that says how to build one.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>logsheet</title></head>
<body style="font-family: sans-serif; max-width: 42rem; margin: 3rem auto; line-height: 1.5">
<h1>logsheet</h1>
<p>The web interface is not built in this installation. Build it with <code>bash scripts/setup.sh</code>
(from a source checkout; it needs Node.js), then reload this page.</p>
<p>The JSON API works without it: <a href="/api/sheets">/api/sheets</a>, described at
<a href="/openapi.json">/openapi.json</a>.</p>
</body></html>
"""
IMMUTABLE = "public, max-age=31536000, immutable"


def router(static_dir: Path) -> APIRouter:
    api = APIRouter(include_in_schema=False)
    root = static_dir.resolve()

    def index() -> Response:
        page = root / "index.html"
        if not page.is_file():
            return HTMLResponse(NOT_BUILT, headers={"cache-control": "no-cache"})
        return FileResponse(page, media_type="text/html; charset=utf-8", headers={"cache-control": "no-cache"})

    @api.get("/")
    def files_page() -> Response:
        return index()

    @api.get("/sheets/{name:path}")
    def sheet_page(name: str) -> Response:
        return index()

    @api.get("/cases/{name:path}")
    def case_page(name: str) -> Response:
        return index()

    @api.get("/{path:path}")
    def asset(path: str) -> Response:
        if not path.startswith("api/"):
            candidate = (root / path).resolve()
            if root in candidate.parents and candidate.is_file():
                cache = IMMUTABLE if candidate.parent.name == "assets" else "no-cache"
                return FileResponse(candidate, headers={"cache-control": cache})
        return JSONResponse({"error": "nothing at this address"}, status_code=404)

    return api
