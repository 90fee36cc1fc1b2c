"""The Markdown report (CommonMark with GitHub's tables). Every value goes through :func:`md`: Markdown's own
punctuation is backslash-escaped (so that ``](javascript:...)``, emphasis, code spans and a pipe that would
end a table cell stay text) and ``<``, ``>`` and ``&`` become entities, since Markdown renderers pass HTML
through. Charts are inline SVG images (``data:`` URIs), so the file needs nothing from outside either."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence

from logsheet.report.build import SUMMARY_KINDS, VIEW_ROWS, Report
from logsheet.report.text import cell, entities, group, number, when

_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()|~])")
_LEADING = re.compile(r"^(\d*)((?<=\d)[.)]|(?<!\d)[#+\-=])")  # what would make a line a heading, a list item or a setext rule


def md(value: object) -> str:
    """A value as inline Markdown text: one line, HTML as entities, Markdown punctuation escaped."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _LEADING.sub(r"\1\\\2", _PUNCTUATION.sub(r"\\\1", text))


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> list[str]:
    align = ["---:" if i in numeric else "---" for i in range(len(headers))]
    out = ["| " + " | ".join(md(h) for h in headers) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(md(v) for v in row) + " |" for row in rows]
    return [*out, ""]


def render(report: Report) -> str:
    out = [f"# {md(report.title)}", ""]
    meta = f"Case {md(report.case)} · generated {md(when(report.generated_at))}"
    meta += f" by {md(report.author)}" if report.author else ""
    out += [f"{meta} · logsheet {report.version}", ""]  # the version is ours, not the logs'
    out += _summary(report) + _charts(report) + _findings(report) + _starred(report) + _views(report) + _evidence(report)
    return "\n".join(out).rstrip() + "\n"


def _summary(report: Report) -> list[str]:
    span = f"{when(report.first)} to {when(report.last)}" if report.first else "no rows with a time"
    out = ["## Summary", ""]
    out += [
        f"{number(len(report.sheets))} sheet(s), {number(sum(s.rows for s in report.sheets))} rows, "
        f"{number(len(report.evidence))} source file(s); time span {md(span)}; {number(len(report.findings))} finding(s); "
        f"{number(report.starred_total)} starred event(s).",
        "",
    ]
    rows = [
        (
            s.name,
            s.format,
            number(s.rows),
            number(s.rejected),
            number(s.duplicates),
            number(s.sources),
            when(s.first),
            when(s.last),
        )
        for s in report.sheets
    ]
    out += _table(("sheet", "format", "rows", "rejected", "duplicates removed", "sources", "first", "last"), rows, (2, 3, 4, 5))
    for sheet, why in report.left_out:
        out += [f"{md(sheet)} is not on the timeline: {md(why)}.", ""]
    for note in report.notes:
        out += [md(note), ""]
    for kind, heading in SUMMARY_KINDS:
        values = report.summary.get(kind, ())
        if values:
            out += [f"### {md(heading)}", ""]
            out += _table(
                ("value", "rows", "sheets"), [(cell(v.value), number(v.rows), ", ".join(v.sheets)) for v in values], (1,)
            )
    return out


def _charts(report: Report) -> list[str]:
    if not report.charts:
        return []
    out = ["## Charts", ""]
    for chart in report.charts:
        data = base64.b64encode(chart.svg.encode()).decode("ascii")
        out += [f"### {md(chart.title)}", "", f"![{md(chart.description)}](data:image/svg+xml;base64,{data})", ""]
    return out


def _findings(report: Report) -> list[str]:
    out = ["## Findings", ""]
    if not report.findings:
        return [*out, "No findings: no rule or IOC list matched the case's sheets.", ""]
    rows = [
        (
            f.level,
            f.title,
            group(f.group),
            f.rule,
            f.sheet,
            number(f.rows),
            when(f.first_seen),
            when(f.last_seen),
            entities(f.entities),
        )
        for f in report.findings
    ]
    return out + _table(("level", "title", "group", "rule", "sheet", "rows", "first seen", "last seen", "entities"), rows, (5,))


def _starred(report: Report) -> list[str]:
    out = ["## Starred events", ""]
    if not report.starred:
        return [*out, "No starred events in the case.", ""]
    if report.starred_total > len(report.starred):
        out += [f"The first {number(len(report.starred))} of {number(report.starred_total)} starred events.", ""]
    rows = []
    for e in report.starred:
        comments = "; ".join(f"{c.text} — {c.author}, {c.created_at}" for c in e.comments)
        rows.append((when(e.time), e.sheet, str(e.rowid), cell(e.summary), ", ".join(e.tags), comments))
    return out + _table(("time", "sheet", "row", "event", "tags", "comments"), rows)


def _views(report: Report) -> list[str]:
    if not report.views:
        return []
    out = ["## Saved views", ""]
    for v in report.views:
        out += [f"### {md(v.sheet)}: {md(v.name)}", "", f"The view: {md(v.filter)}", ""]
        if v.total > len(v.rows):
            out += [
                f"The first {number(len(v.rows))} of {number(v.total)} rows (a report shows at most {number(VIEW_ROWS)}).",
                "",
            ]
        else:
            out += [f"{number(v.total)} row(s).", ""]
        out += _table(v.columns, [[cell(x) for x in row] for row in v.rows])
    return out


def _evidence(report: Report) -> list[str]:
    out = [
        "## Evidence appendix",
        "",
        "Every source file of every sheet, with its SHA-256 as logsheet read it at import (check a file with "
        "`sha256sum FILE`), its size in bytes, when it was imported and its accounting: records read = rows kept + "
        "rejected + duplicates removed.",
        "",
    ]
    rows = []
    for e in report.evidence:
        path = f"{e.path} (in {e.container}, SHA-256 {e.container_sha256})" if e.container else e.path
        rows.append(
            (
                e.sheet,
                path,
                e.sha256,
                number(e.size),
                e.format,
                e.imported_at,
                number(e.read),
                number(e.kept),
                number(e.rejected),
                number(e.duplicates),
            )
        )
    return out + _table(
        ("sheet", "file", "SHA-256", "bytes", "format", "imported", "read", "kept", "rejected", "duplicates"),
        rows,
        (3, 6, 7, 8, 9),
    )
