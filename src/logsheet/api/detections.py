"""Detections: the rules, running them on a sheet, and the findings they keep.

A finding's rows are a view: ``finding`` in the body of ``/query``, ``/histogram``, ``/profile``, ``/preview``
and ``/export`` narrows the view to them (see :class:`logsheet.api.common.ViewBody`). The server runs the
built-in pack and the workspace's own rule paths (``logsheet rules on-import --sigma``), never a path a
request names.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from logsheet.api.common import Settings
from logsheet.workspace import Workspace


def router(ws: Workspace, settings: Settings) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["detections"])
    budget = settings.query_timeout

    @api.get("/rules")
    def rules() -> dict[str, Any]:
        """The rules a run uses: the built-in pack and the workspace's own, and whether they run on import."""
        return {"rules": [r.to_json() for r in ws.rules()], "settings": ws.rules_settings()}

    @api.post("/sheets/{name:path}/rules/run")
    def run(name: str) -> dict[str, Any]:
        """Run the rules on a sheet; its findings replace what the same rules found before."""
        result = ws.run_rules(name, timeout=budget)
        return {"run": result.to_json(), "findings": [f.to_json() for f in result.findings]}

    @api.get("/sheets/{name:path}/findings")
    def sheet_findings(name: str) -> dict[str, Any]:
        """A sheet's findings, the most severe first, and what the last run did (``last_run``, null before any)."""
        return {"findings": [f.to_json() for f in ws.findings(name)], "last_run": ws.last_rule_run(name)}

    @api.get("/findings")
    def findings(
        sheet: str | None = Query(default=None, description="Only this sheet's findings."),
        case: str | None = Query(default=None, description="Only the findings of this case's sheets."),
    ) -> dict[str, Any]:
        """The stored findings of every sheet (or one, or a case's sheets), the most severe first."""
        return {"findings": [f.to_json() for f in ws.findings(sheet, case=case)]}

    @api.get("/findings/{finding}")
    def finding(finding: str) -> dict[str, Any]:
        return ws.finding(finding).to_json()

    return api
