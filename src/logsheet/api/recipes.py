"""Recipes and the audit trail: ``POST /api/sheets/{name}/recipe`` (the recipe of the view in the body, or of a
saved view named by ``saved``), ``POST /api/sheets/{name}/recipe/apply`` (a recipe's view checked on the sheet,
columns renamed by ``map``, saved as ``save_as``), ``GET /api/audit`` (entries, of a case) and
``GET /api/audit/verify`` (the hash chain checked). Included before the sheets' router, whose
``/api/sheets/{name:path}`` takes any path."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from logsheet.api.common import ViewBody
from logsheet.workspace import Workspace

MAX_MAP = 1000
MAX_ENTRIES = 100_000


class RecipeRequest(ViewBody):
    """The view whose recipe to write: ``saved`` (a saved view's name) or the body's ``query``."""

    saved: str | None = Field(default=None, max_length=200, description="A saved view of the sheet, by name.")


class ApplyRecipeRequest(BaseModel):
    recipe: dict[str, Any] = Field(description="A recipe, as `logsheet recipe export` writes it.")
    map: dict[str, str] = Field(
        default_factory=dict, max_length=MAX_MAP, description="Column the recipe reads → column of this sheet."
    )
    save_as: str | None = Field(default=None, max_length=200, description="Save the view on the sheet under this name.")


def router(ws: Workspace) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["recipes"])

    @api.post("/sheets/{name:path}/recipe/apply")
    def apply(name: str, body: ApplyRecipeRequest) -> dict[str, Any]:
        """``{sheet, query, columns, rows, saved_as}``: the recipe's view on this sheet (load ``query`` to show it);
        400 naming a column the sheet does not have, with the mapping that would use another."""
        return ws.apply_recipe(body.recipe, name, body.map, body.save_as, source="the uploaded recipe")

    @api.post("/sheets/{name:path}/recipe")
    def recipe(name: str, body: RecipeRequest) -> dict[str, Any]:
        """The recipe: ``{logsheet_recipe, name, from: {sheet, format, columns}, query, sql: {duckdb, spark, trino},
        created_at}``."""
        if body.saved:
            return ws.recipe(name, body.saved)
        return ws.recipe(name, query=body.view_on(ws, name))

    @api.get("/audit")
    def audit(
        case: str | None = Query(default=None, description="Only the entries touching this case."),
        limit: int | None = Query(default=None, ge=1, le=MAX_ENTRIES, description="Only the newest N entries."),
    ) -> dict[str, Any]:
        """``{entries: [{seq, at, user, action, sheets, cases, detail, prev, hash}]}``, oldest first."""
        return {"entries": ws.audit(case, limit)}

    @api.get("/audit/verify")
    def verify() -> dict[str, Any]:
        """``{ok, entries, head}``, or where the chain breaks: ``{ok: false, line, seq, reason, ...}``."""
        return ws.verify_audit()

    return api
