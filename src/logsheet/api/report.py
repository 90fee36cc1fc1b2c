"""``GET /api/cases/{name}/report``: a case's report as a file download (``Workspace.report``; docs/report.md).

It is answered as an attachment (``Content-Disposition``): the browser saves it rather than showing it; the
HTML file carries its own Content-Security-Policy (a meta tag) for when it is opened."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from logsheet import report as reports
from logsheet.api.sheets import attachment
from logsheet.workspace import Workspace

MAX_VIEWS = 50  # saved views in one report


def router(ws: Workspace) -> APIRouter:
    api = APIRouter(prefix="/api/cases", tags=["cases"])

    @api.get("/{name:path}/report")
    def case_report(
        name: str,
        format: str = Query("html", pattern="^(html|md)$", description="html: one self-contained file; md: Markdown."),
        view: list[str] = Query(
            default_factory=list, max_length=MAX_VIEWS, description="A saved view SHEET:VIEW to include as a table; repeatable."
        ),
        title: str | None = Query(None, max_length=500, description="The report's title (default: `Case report: NAME`)."),
        author: str | None = Query(None, max_length=200, description="The author named in the report's header."),
    ) -> Response:
        """The case's report as a download: summary, findings, starred events, saved views, charts (inline SVG)
        and the evidence appendix; 404 for an unknown case, sheet or view."""
        text = ws.report(name, format, [reports.parse_view(v) for v in view], title, author)
        suffix = "html" if format == "html" else "md"
        headers = {"content-disposition": attachment(f"report-{name}.{suffix}")}
        return Response(text.encode("utf-8"), media_type=reports.MEDIA_TYPES[format], headers=headers)

    return api
