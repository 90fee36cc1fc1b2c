"""Cases: named sets of sheets (``Workspace.cases`` and friends). A case is ``{name, sheets, created_at, default}``.

Case names, like sheet names, may hold ``/``: the routes take the name as a path, the more specific ones
(``.../sheets``) declared before the bare ``/api/cases/{name}``. The findings of a case are ``GET
/api/findings?case=NAME`` (``api/detections.py``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from logsheet.workspace import Workspace

MAX_SHEETS = 10_000  # in one request


class CreateCaseRequest(BaseModel):
    name: str = Field(description="The case's name (as a sheet's: not blank, at most 200 characters, no control characters).")
    sheets: list[str] = Field(default_factory=list, max_length=MAX_SHEETS, description="The sheets it holds, by name.")


class RenameCaseRequest(BaseModel):
    name: str = Field(description="The new name.")


class CaseSheetsRequest(BaseModel):
    sheets: list[str] = Field(min_length=1, max_length=MAX_SHEETS, description="Sheets to add, by name.")


def router(ws: Workspace) -> APIRouter:
    api = APIRouter(prefix="/api/cases", tags=["cases"])

    @api.get("")
    def list_cases() -> list[dict[str, Any]]:
        """Every case, by name; the default case (``default``) is always there."""
        return [c.to_json() for c in ws.cases()]

    @api.post("")
    def create_case(body: CreateCaseRequest) -> dict[str, Any]:
        """A new case holding ``sheets`` (404 for an unknown sheet, 409 when the name is taken)."""
        return ws.create_case(body.name, body.sheets).to_json()

    @api.post("/{name:path}/sheets")
    def add_sheets(name: str, body: CaseSheetsRequest) -> dict[str, Any]:
        """Add sheets to the case (one already in it stays once); answers the case."""
        return ws.add_to_case(name, body.sheets).to_json()

    @api.delete("/{name:path}/sheets/{sheet:path}")
    def remove_sheet(name: str, sheet: str) -> dict[str, Any]:
        """Take a sheet out of the case (the sheet stays in the workspace); 404 when the case does not hold it."""
        return ws.remove_from_case(name, [sheet]).to_json()

    @api.get("/{name:path}")
    def get_case(name: str) -> dict[str, Any]:
        return ws.case(name).to_json()

    @api.patch("/{name:path}")
    def rename_case(name: str, body: RenameCaseRequest) -> dict[str, Any]:
        """Rename a case (409 when the name is taken; the default case keeps its name: 400)."""
        return ws.rename_case(name, body.name).to_json()

    @api.delete("/{name:path}")
    def delete_case(name: str) -> dict[str, str]:
        """Forget a case; its sheets stay. The default case cannot be deleted (400)."""
        ws.delete_case(name)
        return {"deleted": name}

    return api


__all__ = ["router"]
