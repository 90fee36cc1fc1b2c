"""What the API's modules share: the settings of one app, and reading a view from a request body."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import BaseModel, Field, WithJsonSchema

from logsheet.core import ir, ir_schema
from logsheet.core.errors import LogsheetError
from logsheet.engines.duckdb import DEFAULT_TIMEOUT
from logsheet.query.spellings import build_query
from logsheet.workspace import Workspace

DEFAULT_MAX_UPLOAD = 20 << 30  # 20 GiB
STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"


def max_upload_from_env() -> int:
    """LOGSHEET_MAX_UPLOAD_BYTES (default 20 GiB); anything but a positive whole number of bytes is refused."""
    text = os.environ.get("LOGSHEET_MAX_UPLOAD_BYTES", "").strip()
    if not text:
        return DEFAULT_MAX_UPLOAD
    if not (text.isascii() and text.isdigit() and int(text) > 0):
        raise LogsheetError(f"LOGSHEET_MAX_UPLOAD_BYTES={text!r} is not a size: give a positive number of bytes")
    return int(text)


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    query_timeout: float | None = DEFAULT_TIMEOUT
    static_dir: Path = STATIC_DIR


IR_REF = "#/components/schemas/"


def ir_json_schema(name: str, nullable: bool = False) -> WithJsonSchema:
    """The OpenAPI schema of a body field that holds IR JSON: a reference to the IR's own schema (a definition
    of :func:`logsheet.core.ir_schema.definitions`, put among the components by :func:`install_ir_schemas`)."""
    ref = {"$ref": f"{IR_REF}{name}"}
    # allOf around a lone $ref: pydantic looks a bare $ref up among its own definitions, and these are not there
    return WithJsonSchema({"anyOf": [ref, {"type": "null"}]} if nullable else {"allOf": [ref]})


QueryJson = Annotated[dict[str, Any], ir_json_schema("Query")]
OptionalQueryJson = Annotated[dict[str, Any] | None, ir_json_schema("Query", nullable=True)]
StepJson = Annotated[dict[str, Any], ir_json_schema("Step")]
OptionalPredicateJson = Annotated[dict[str, Any] | None, ir_json_schema("Predicate", nullable=True)]


def install_ir_schemas(app: FastAPI) -> None:
    """Put the IR's JSON Schema definitions (Query, Predicate, Step and their nodes) among the app's OpenAPI
    components, where the body fields above refer to them."""
    make = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = make()
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in ir_schema.definitions(IR_REF).items():
                if name in schemas:
                    raise RuntimeError(f"the IR's schema {name!r} clashes with a request/response model's")
                schemas[name] = schema
        return app.openapi_schema or make()

    app.openapi = openapi  # type: ignore[method-assign]


VIEW_HELP = "A view: the IR JSON of logsheet.core.ir.Query (ir.query_to_json); null or absent for the whole sheet."
REQUEST_ID_HELP = "Any id chosen by the page; POST /api/queries/{request_id}/cancel stops this request."


class ViewBody(BaseModel):
    query: OptionalQueryJson = Field(default=None, description=VIEW_HELP)
    request_id: str | None = Field(default=None, max_length=200, description=REQUEST_ID_HELP)
    finding: str | None = Field(
        default=None, max_length=64, description="Only the rows of this finding of the sheet (GET /api/findings lists them)."
    )

    def view(self) -> ir.Query:
        return ir.query_from_json(self.query) if self.query else ir.Query()

    def view_on(self, ws: Workspace, sheet: str) -> ir.Query:
        """The view, narrowed to the finding's rows when the body names one."""
        view = self.view()
        return ws.finding_query(sheet, self.finding, view) if self.finding else view


class QueryRequest(ViewBody):
    """A page of a view. ``query`` is the view; the other fields are the CLI's spellings of one (used when
    ``query`` is absent): ``where`` in the filter language, ``sort`` as ``-column``, ``aggs`` as ``fn:column``."""

    where: str | None = None
    search: str | None = None
    columns: list[str] | None = None
    sort: list[str] | None = None
    group_by: list[str] | None = None
    aggs: list[str] | None = None
    limit: int = 100
    offset: int = 0

    def view(self) -> ir.Query:
        if self.query:
            return ir.query_from_json(self.query)
        return build_query(self.where, self.search, self.columns, self.sort, self.group_by, self.aggs)
