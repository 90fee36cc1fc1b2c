"""Checking a formula for the web UI's "Add formula column" dialog: ``POST /api/formula/check``.

The formula is parsed and, when a sheet is named, type-checked against the columns of the view it is added to;
an error is a 400 with the ``position`` (0-based, in the formula's text) of the character it is about, as for
the filter language. A formula column itself travels in a view's JSON as the step ``{"kind": "formula", "name":
..., "expression": ...}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from logsheet.api.common import OptionalQueryJson
from logsheet.core import ir
from logsheet.workspace import Workspace


class FormulaCheck(BaseModel):
    text: str = Field(
        max_length=20_000, description="The formula, e.g. \"errorCode is not blank and userAgent contains 'aws-cli'\"."
    )
    sheet: str | None = Field(default=None, description="When given, the formula is also checked against its columns.")
    query: OptionalQueryJson = Field(default=None, description="The view the column is added to (its steps define columns).")


def router(ws: Workspace) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["query"])

    @api.post("/formula/check")
    def check(body: FormulaCheck) -> dict[str, Any]:
        """The formula's canonical text, its tree (IR JSON) and, with ``sheet``, the type of the column it makes."""
        view = ir.query_from_json(body.query) if body.query else ir.Query()
        return ws.check_formula(body.text, body.sheet, view)

    return api
