"""``POST /api/imports/s3``: an import straight from S3 (:mod:`logsheet.ingest.s3`) as a background job.

The request is checked here (the URL, the selection, the sheet name, the format, the import options: a bad one
is a 400 with one sentence, a taken sheet a 409) and then run by the same import jobs as uploads
(:mod:`logsheet.api.jobs`, in a child process): ``GET /api/jobs/{id}`` follows it, its summary counts the objects
listed, imported and already there. The server's AWS credentials are used (the standard chain, or
``profile``); the request never carries keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from logsheet.api.jobs import Jobs
from logsheet.core.errors import Conflict
from logsheet.core.sheetnames import default_sheet_name, validate_case_name, validate_sheet_name
from logsheet.ingest import formats
from logsheet.ingest.options import ImportOptions
from logsheet.ingest.s3.importer import resumable
from logsheet.ingest.s3.request import S3Request
from logsheet.workspace import Workspace


class S3ImportRequest(BaseModel):
    url: str = Field(description="s3://BUCKET/PREFIX")
    sheet: str | None = Field(None, description="The sheet to create (default: from the bucket's name).")
    format: str | None = Field(None, description="A format from GET /api/formats (default: detected).")
    append: bool = Field(False, description="Add the objects to an existing sheet.")
    case: str | None = Field(None, description="Also put the sheet in this case (made if missing).")
    endpoint_url: str | None = Field(None, description="An S3-compatible endpoint instead of AWS's.")
    profile: str | None = Field(None, description="A named AWS profile of the server's (default: its credential chain).")
    accounts: list[str] = Field(default_factory=list, description="Only these 12-digit accounts' deliveries.")
    regions: list[str] = Field(default_factory=list, description="Only these regions' deliveries.")
    since: str | None = Field(None, description="Only deliveries from this UTC day on (YYYY-MM-DD).")
    until: str | None = Field(None, description="Only deliveries up to this UTC day, included (YYYY-MM-DD).")
    s3_region: str | None = Field(None, description="The bucket's region.")
    requester_pays: bool = Field(False, description="The bucket is requester-pays.")
    options: dict[str, Any] = Field(default_factory=dict, description="Import options: keep_duplicates, year, timezone ...")


def check(ws: Workspace, body: S3ImportRequest) -> tuple[S3Request, str, ImportOptions]:
    """The request as the importer takes it; refuses what the import would refuse late."""
    request = S3Request.build(
        body.url,
        endpoint_url=body.endpoint_url,
        profile=body.profile,
        s3_region=body.s3_region,
        requester_pays=body.requester_pays,
        accounts=body.accounts,
        regions=body.regions,
        since=body.since,
        until=body.until,
    )
    if body.format:
        formats.get(body.format)
    sheet = body.sheet or default_sheet_name(Path(request.url.bucket))
    validate_sheet_name(sheet)
    if body.case is not None:
        validate_case_name(body.case)
    options = ImportOptions.from_mapping(body.options)
    existing = ws.catalog.get_sheet(sheet)
    if existing is not None and not body.append and not resumable(ws, existing.id, request.url.bucket):
        raise Conflict(f"a sheet named {sheet!r} already exists; import with append to add these objects to it")
    return request, sheet, options


def router(ws: Workspace, jobs: Jobs) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["uploads"])

    @api.post("/imports/s3")
    async def import_s3(body: S3ImportRequest) -> dict[str, str]:
        """Start an import of ``s3://BUCKET/PREFIX``; answers ``{"job": id}`` (``GET /api/jobs/{id}``)."""
        request, sheet, options = await run_in_threadpool(check, ws, body)
        job = await run_in_threadpool(jobs.new)
        with job.lock:
            job.sheet, job.format, job.append, job.case, job.options = sheet, body.format or None, body.append, body.case, options
            job.s3 = request.to_json()
        jobs.submit(job)
        return {"job": job.id}

    return api
