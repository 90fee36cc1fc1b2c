"""The HTML report: one self-contained file (inline CSS and inline SVG only, no script, no outside request,
a Content-Security-Policy that forbids any), every value written with :func:`html.escape` (attribute values
quoted), so that markup in the logs is shown as text."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from logsheet.report.build import SUMMARY_KINDS, VIEW_ROWS, Report
from logsheet.report.text import cell, entities, group, number, when

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;
color:#1d2330}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d5dd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:12.5px}
th,td{border:1px solid #d0d5dd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f2f4f7}td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#667085}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.level-critical,.level-high{color:#b42318;font-weight:600}.level-medium{color:#b54708}.chart{margin:1rem 0}
.comment{margin:.15rem 0}.tag{display:inline-block;background:#eef4ff;border-radius:3px;padding:0 4px;margin-right:3px}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}}
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = (), test_id: str = "") -> str:
    """A table of text cells (each escaped here); ``numeric``: the columns aligned right."""
    attr = f' data-testid="{esc(test_id)}"' if test_id else ""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{esc(v)}</td>' if i in numeric else f"<td>{esc(v)}</td>" for i, v in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(report: Report) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(report.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{esc(report.title)}</h1>",
        f'<p class="muted" data-testid="report-meta">Case {esc(report.case)} · generated {esc(when(report.generated_at))}'
        + (f" by {esc(report.author)}" if report.author else "")
        + f" · logsheet {esc(report.version)}</p>",
        _summary(report),
        _charts(report),
        _findings(report),
        _starred(report),
        _views(report),
        _evidence(report),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _summary(report: Report) -> str:
    span = f"{when(report.first)} to {when(report.last)}" if report.first else "no rows with a time"
    out = ['<section id="summary"><h2>Summary</h2>']
    out.append(
        f"<p>{number(len(report.sheets))} sheet(s), {number(sum(s.rows for s in report.sheets))} rows, "
        f"{number(len(report.evidence))} source file(s); time span {esc(span)}; "
        f"{number(len(report.findings))} finding(s); {number(report.starred_total)} starred event(s).</p>"
    )
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
    out.append(
        _table(
            ("sheet", "format", "rows", "rejected", "duplicates removed", "sources", "first", "last"),
            rows,
            (2, 3, 4, 5),
            "report-sheets",
        )
    )
    for sheet, why in report.left_out:
        out.append(f'<p class="muted">{esc(sheet)} is not on the timeline: {esc(why)}.</p>')
    out += [f'<p class="muted">{esc(note)}</p>' for note in report.notes]
    for kind, heading in SUMMARY_KINDS:
        values = report.summary.get(kind, ())
        if not values:
            continue
        out.append(f"<h3>{esc(heading)}</h3>")
        out.append(
            _table(("value", "rows", "sheets"), [(cell(v.value), number(v.rows), ", ".join(v.sheets)) for v in values], (1,))
        )
    out.append("</section>")
    return "\n".join(out)


def _charts(report: Report) -> str:
    if not report.charts:
        return ""
    out = ['<section id="charts"><h2>Charts</h2>']
    for chart in report.charts:
        # the SVG is vl-convert's, checked by charts.checked_svg (every data value in it is escaped SVG text)
        out.append(
            f'<figure class="chart" role="img" aria-label="{esc(chart.description)}">'
            f"<figcaption>{esc(chart.title)}</figcaption>{chart.svg}</figure>"
        )
    out.append("</section>")
    return "\n".join(out)


def _findings(report: Report) -> str:
    out = ['<section id="findings"><h2>Findings</h2>']
    if not report.findings:
        out.append('<p class="muted">No findings: no rule or IOC list matched the case\'s sheets.</p>')
    else:
        head = "".join(
            f"<th>{h}</th>" for h in ("level", "title", "group", "rule", "sheet", "rows", "first seen", "last seen", "entities")
        )
        rows = []
        for f in report.findings:
            rows.append(
                f'<tr><td class="level-{esc(f.level)}">{esc(f.level)}</td><td>{esc(f.title)}</td><td>{esc(group(f.group))}</td>'
                f'<td class="mono">{esc(f.rule)}</td>'
                f'<td>{esc(f.sheet)}</td><td class="num">{number(f.rows)}</td><td>{esc(when(f.first_seen))}</td>'
                f"<td>{esc(when(f.last_seen))}</td><td>{esc(entities(f.entities))}</td></tr>"
            )
        out.append(f'<table data-testid="report-findings"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    out.append("</section>")
    return "\n".join(out)


def _starred(report: Report) -> str:
    out = ['<section id="starred"><h2>Starred events</h2>']
    if not report.starred:
        out.append('<p class="muted">No starred events in the case.</p>')
    else:
        if report.starred_total > len(report.starred):
            out.append(
                f'<p class="muted">The first {number(len(report.starred))} of {number(report.starred_total)} starred events.</p>'
            )
        rows = []
        for e in report.starred:
            tags = "".join(f'<span class="tag">{esc(t)}</span>' for t in e.tags)
            comments = "".join(
                f'<div class="comment">{esc(c.text)} <span class="muted">— {esc(c.author)}, {esc(c.created_at)}</span></div>'
                for c in e.comments
            )
            rows.append(
                f'<tr><td>{esc(when(e.time))}</td><td>{esc(e.sheet)}</td><td class="mono">{esc(e.rowid)}</td>'
                f"<td>{esc(cell(e.summary))}</td><td>{tags}</td><td>{comments}</td></tr>"
            )
        head = "".join(f"<th>{h}</th>" for h in ("time", "sheet", "row", "event", "tags", "comments"))
        out.append(f'<table data-testid="report-starred"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    out.append("</section>")
    return "\n".join(out)


def _views(report: Report) -> str:
    if not report.views:
        return ""
    out = ['<section id="views"><h2>Saved views</h2>']
    for v in report.views:
        out.append(f"<h3>{esc(v.sheet)}: {esc(v.name)}</h3>")
        out.append(f'<p class="muted">The view: <code>{esc(v.filter)}</code></p>')
        shown = len(v.rows)
        if v.total > shown:
            out.append(
                f'<p class="muted">The first {number(shown)} of {number(v.total)} rows '
                f"(a report shows at most {number(VIEW_ROWS)}).</p>"
            )
        else:
            out.append(f'<p class="muted">{number(v.total)} row(s).</p>')
        out.append(_table(v.columns, [[cell(x) for x in row] for row in v.rows], (), "report-view"))
    out.append("</section>")
    return "\n".join(out)


def _evidence(report: Report) -> str:
    out = ['<section id="evidence"><h2>Evidence appendix</h2>']
    out.append(
        "<p>Every source file of every sheet, with its SHA-256 as logsheet read it at import (check a file with "
        "<code>sha256sum FILE</code>), its size in bytes, when it was imported and its accounting: "
        "records read = rows kept + rejected + duplicates removed.</p>"
    )
    rows = []
    for e in report.evidence:
        inside = f' <span class="muted">(in {esc(e.container)}, SHA-256 {esc(e.container_sha256)})</span>' if e.container else ""
        rows.append(
            f'<tr><td>{esc(e.sheet)}</td><td class="mono"><span data-role="path">{esc(e.path)}</span>{inside}</td>'
            f'<td class="mono" data-role="sha256">{esc(e.sha256)}</td><td class="num">{number(e.size)}</td>'
            f"<td>{esc(e.format)}</td>"
            f'<td>{esc(e.imported_at)}</td><td class="num">{number(e.read)}</td><td class="num">{number(e.kept)}</td>'
            f'<td class="num">{number(e.rejected)}</td><td class="num">{number(e.duplicates)}</td></tr>'
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("sheet", "file", "SHA-256", "bytes", "format", "imported", "read", "kept", "rejected", "duplicates")
    )
    out.append(f'<table data-testid="report-evidence"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    out.append("</section>")
    return "\n".join(out)
