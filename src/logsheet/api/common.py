"""What the API's modules share: the settings of one app, and reading a view from a request body."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from logsheet.core import ir
from logsheet.engines.duckdb import DEFAULT_TIMEOUT
from logsheet.query.spellings import build_query

DEFAULT_MAX_UPLOAD = 20 << 30  # 20 GiB
STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"


def max_upload_from_env() -> int:
    text = os.environ.get("LOGSHEET_MAX_UPLOAD_BYTES", "").strip()
    return int(text) if text.isdigit() else DEFAULT_MAX_UPLOAD


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    query_timeout: float | None = DEFAULT_TIMEOUT
    static_dir: Path = STATIC_DIR


VIEW_HELP = "A view: the IR JSON of logsheet.core.ir.Query (ir.query_to_json); null or absent for the whole sheet."
REQUEST_ID_HELP = "Any id chosen by the page; POST /api/queries/{request_id}/cancel stops this request."


class ViewBody(BaseModel):
    query: dict[str, Any] | None = Field(default=None, description=VIEW_HELP)
    request_id: str | None = Field(default=None, max_length=200, description=REQUEST_ID_HELP)

    def view(self) -> ir.Query:
        return ir.query_from_json(self.query) if self.query else ir.Query()


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
