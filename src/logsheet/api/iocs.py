"""IOC lists (``Workspace.import_iocs`` and friends): ``POST /api/iocs`` (the file's bytes as the body),
``GET /api/iocs``, ``GET /api/iocs/{name}`` (its indicators), ``DELETE /api/iocs/{name}``, and the match of the
lists against a case's sheets, ``POST /api/iocs/match`` (``logsheet ioc match --format json``'s answer, each
sheet with ``where``: the filter, IR JSON, showing its rows that hold an indicator of the lists).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from logsheet.api.common import Settings
from logsheet.core import ir
from logsheet.core.errors import LogsheetError
from logsheet.detect.iocs import KINDS, MAX_BYTES
from logsheet.workspace import Workspace
from logsheet.workspace.iocs import LEVELS

MAX_LISTS = 100  # named in one match


class TooLarge(LogsheetError):
    """An IOC file past :data:`~logsheet.detect.iocs.MAX_BYTES`."""


class MatchRequest(BaseModel):
    case: str | None = Field(default=None, description="The case whose sheets to match (default: the default case).")
    lists: list[str] = Field(default_factory=list, max_length=MAX_LISTS, description="The lists to match (none: every list).")
    record_findings: bool = Field(default=True, description="Keep each list's rows on each sheet as a finding (rule ioc:LIST).")


_BODY = {
    "required": True,
    "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        "text/plain": {"schema": {"type": "string"}},
    },
}


def router(ws: Workspace, settings: Settings) -> APIRouter:
    api = APIRouter(prefix="/api/iocs", tags=["iocs"])

    @api.get("")
    def list_lists() -> list[dict[str, Any]]:
        """The IOC lists: name, source file and its SHA-256, indicators per kind, what was set aside."""
        return ws.ioc_lists()

    @api.post("", openapi_extra={"requestBody": _BODY})
    async def import_list(
        request: Request,
        filename: str = Query(min_length=1, max_length=255, description="The file's name (its extension tells CSV)."),
        name: str | None = Query(default=None, max_length=200, description="The list's name (default: the file's)."),
        kind: str | None = Query(default=None, description=f"Every value is of this kind: {', '.join(KINDS)}."),
        level: str = Query(default="high", description=f"The level of its findings: {', '.join(LEVELS)}."),
        replace: bool = Query(default=False, description="Replace a list of that name (else 409)."),
    ) -> dict[str, Any]:
        """Import an IOC file (plain text, CSV or a STIX 2.1 bundle) sent as the request body."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BYTES:
            raise TooLarge(f"an IOC file is at most {MAX_BYTES // (1024 * 1024)} MiB")
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > MAX_BYTES:
                raise TooLarge(f"an IOC file is at most {MAX_BYTES // (1024 * 1024)} MiB")
        if kind is not None and kind not in KINDS:
            raise LogsheetError(f"unknown indicator kind {kind!r}; kinds: {', '.join(KINDS)}")
        return ws.import_iocs(filename.replace("\\", "/").rsplit("/", 1)[-1] or "iocs", name, kind, level, replace, bytes(data))

    @api.post("/match")
    def match(body: MatchRequest) -> list[dict[str, Any]]:
        """Every sheet of the case holding an indicator of the lists: rows, indicators found, rows per list."""
        found = ws.match_iocs(body.case, body.lists, timeout=settings.query_timeout, record_findings=body.record_findings)
        out = []
        for m in found:
            entry = m.to_json()
            entry["where"] = ir.node_to_json(ir.IocMatch(tuple(body.lists)))
            out.append(entry)
        return out

    @api.get("/{name:path}")
    def indicators(name: str) -> dict[str, Any]:
        """A list and its indicators (kind, normalised value, the value as written when it differs, note, line)."""
        listed = next((x for x in ws.ioc_lists() if x["name"] == name), None)
        items = ws.ioc_indicators(name)
        return {**(listed or {}), "items": items}

    @api.delete("/{name:path}")
    def delete(name: str) -> dict[str, str]:
        """Forget a list (its findings stay until the lists are matched again)."""
        ws.delete_ioc_list(name)
        return {"deleted": name}

    return api
