"""The Python API: the typed façade that the CLI and the web server are thin shells over."""

from __future__ import annotations

from logsheet.export.page import Page
from logsheet.query.spellings import build_query, parse_agg
from logsheet.workspace.facade import Workspace, default_home
from logsheet.workspace.summaries import SheetSummary

__all__ = ["Page", "SheetSummary", "Workspace", "build_query", "default_home", "parse_agg"]
