"""What the server is: its version and the engine that serves the workspace's views (DuckDB, or Spark and
where it runs), so the page and a script can show where their queries run."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from logsheet import __version__
from logsheet.workspace import Workspace


def router(ws: Workspace) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["info"])

    @api.get("/info")
    def info() -> dict[str, Any]:
        """``{version, engine: {engine, spark_master, spark_remote}}``: the engine that runs pages, counts,
        group-by, histograms, profiles, previews and exports (imports always run on DuckDB)."""
        return {"version": __version__, "engine": ws.serving().to_json()}

    return api


__all__ = ["router"]
