"""Lookups and IP enrichment over HTTP.

- ``POST /api/sheets/{name}/lookups``: for each lookup step of a view, how many of its rows found a match.
- ``GET /api/settings/enrichment``: the workspace's ip-ranges and GeoIP files (``null`` when not set).
- ``PUT /api/settings/enrichment/ip-ranges`` and ``PUT /api/settings/enrichment/geoip``: the file itself as the
  request body (``ip-ranges.json``, a ``.mmdb`` file), streamed to the workspace, read and checked once
  (a bad file is a 400 and changes nothing); ``DELETE`` on the same paths forgets it.
- ``GET /api/enrich/ip/{address}``: what the enrich step says of one address (the entity page).

The steps themselves travel in the view's IR JSON like any step (``{"kind": "lookup", ...}``,
``{"kind": "enrich", "column": ...}``).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from logsheet.api.common import Settings, ViewBody
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.workspace import Workspace

MAX_FILE_BYTES = 1 << 30  # a GeoIP City file is about 70 MB; ip-ranges.json under 2 MB
KINDS = ("ip-ranges", "geoip")


def router(ws: Workspace, settings: Settings) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["enrichment"])
    budget = settings.query_timeout

    @api.post("/sheets/{name:path}/lookups")
    def lookups(name: str, body: ViewBody) -> dict[str, Any]:
        """``{"lookups": [{step, sheet, column, matched, rows}]}``: per lookup step of the view, the rows that
        found a match in the other sheet (``matched``) of the view's rows (``rows``)."""
        with ws.request(body.request_id):
            return {"lookups": ws.lookup_counts(name, body.view_on(ws, name), timeout=budget)}

    @api.get("/settings/enrichment")
    def status() -> dict[str, Any]:
        return ws.enrichment()

    @api.put("/settings/enrichment/{kind}")
    async def upload(kind: str, request: Request) -> dict[str, Any]:
        """Store the request body as the workspace's ip-ranges.json (``ip-ranges``) or GeoIP file (``geoip``)."""
        _check_kind(kind)
        path = ws.root / "tmp" / f"enrichment-{uuid.uuid4().hex}"
        try:
            await _receive(request, path)
            setter = ws.set_ip_ranges if kind == "ip-ranges" else ws.set_geoip
            await run_in_threadpool(setter, path)
        finally:
            path.unlink(missing_ok=True)
        return ws.enrichment()

    @api.delete("/settings/enrichment/{kind}")
    def forget(kind: str) -> dict[str, Any]:
        _check_kind(kind)
        ws.clear_enrichment(kind)
        return ws.enrichment()

    @api.get("/enrich/ip/{address:path}")
    def describe(address: str) -> dict[str, Any]:
        """``{address, class, aws_service?, aws_region?, geoip?, configured}``; ``class`` is null for text that
        is no IP address."""
        return ws.describe_ip(address)

    return api


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise NotFound(f"no enrichment setting {kind!r}; settings: {', '.join(KINDS)}")


async def _receive(request: Request, path: Path) -> None:
    size = 0
    try:
        with path.open("wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_FILE_BYTES:
                    raise LogsheetError(f"an enrichment file is at most {MAX_FILE_BYTES >> 20} MiB")
                out.write(chunk)
    except ClientDisconnect:
        raise LogsheetError("the upload was interrupted") from None
    if size == 0:
        raise LogsheetError("send the file as the request body")


__all__ = ["router"]
