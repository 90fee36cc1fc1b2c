"""The case report (``logsheet report``, ``GET /api/cases/{name}/report``, the case page's buttons): what a
case found, from which evidence. :mod:`~logsheet.report.build` gathers it through the workspace facade,
:mod:`~logsheet.report.charts` draws its charts offline to SVG, :mod:`~logsheet.report.html` and
:mod:`~logsheet.report.markdown` lay it out (every value escaped). ``Workspace.report`` is the one entry."""

from __future__ import annotations

from logsheet.core.errors import LogsheetError
from logsheet.report.build import Report, gather, parse_view

FORMATS = ("html", "md")
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8"}


def render(report: Report, fmt: str) -> str:
    """The report as ``html`` (one self-contained file) or ``md`` (Markdown)."""
    if fmt == "html":
        from logsheet.report import html

        return html.render(report)
    if fmt == "md":
        from logsheet.report import markdown

        return markdown.render(report)
    raise LogsheetError(f"unknown report format {fmt!r}; formats: {', '.join(FORMATS)}")


__all__ = ["FORMATS", "MEDIA_TYPES", "Report", "gather", "parse_view", "render"]
