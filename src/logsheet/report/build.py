"""Gathering a case report's contents through the :class:`~logsheet.workspace.Workspace` facade.

:func:`gather` reads everything a report shows into a :class:`Report` of plain values (text, numbers, times):
the summary (the case's sheets with their formats, rows and time span; the accounts, regions, hosts, instances
and interfaces the sheets' entity columns hold), the findings of the case (``ws.findings(case=...)``, IOC
findings ``ioc:LIST`` included), the starred rows of its timeline in time order with their tags and comments,
the saved views chosen (their first :data:`VIEW_ROWS` rows), the charts (:mod:`logsheet.report.charts`) and
the evidence appendix (every source file with its SHA-256, size, import time and accounting). The renderers
(:mod:`logsheet.report.markdown`, :mod:`logsheet.report.html`) only lay it out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from logsheet.core import ir
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.query.spellings import build_query
from logsheet.report import charts

#: The workspace (:class:`logsheet.workspace.Workspace`): the report sits below the workspace's layer (the facade's
#: ``report`` calls it) and reads everything through the facade's public methods.
Workspace = Any

VIEW_ROWS = 200  # the rows of a saved view a report shows (it says so when the view has more)
STARRED_ROWS = 1000  # the starred events a report lists (it says so when there are more)
TOP_VALUES = 50  # the values of each summary kind listed, the most frequent first

#: Summary kinds besides the entity kinds, per format: the columns holding them.
CONTEXT_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "region": {"cloudtrail": ("awsRegion",), "vpcflow": ("region",)},
    "interface": {"vpcflow": ("interface-id",)},
}
#: The summary's kinds, in the order shown: entity kinds (the formats' entity columns) and context kinds.
SUMMARY_KINDS: tuple[tuple[str, str], ...] = (
    ("account", "Accounts"),
    ("region", "Regions"),
    ("host", "Hosts"),
    ("instance", "Instances"),
    ("interface", "Network interfaces"),
)


@dataclass(frozen=True)
class SheetLine:
    name: str
    format: str
    rows: int
    rejected: int
    duplicates: int
    sources: int
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True)
class Counted:
    """A value of a summary kind: how many rows hold it, in which sheets."""

    value: str
    rows: int
    sheets: tuple[str, ...]


@dataclass(frozen=True)
class FindingLine:
    rule: str
    level: str
    title: str
    sheet: str
    rows: int
    first_seen: datetime | None
    last_seen: datetime | None
    entities: dict[str, list[str]]
    group: dict[str, Any] = field(default_factory=dict)  # a correlation window's group-by field -> value


@dataclass(frozen=True)
class Comment:
    text: str
    author: str
    created_at: str


@dataclass(frozen=True)
class StarredEvent:
    time: datetime | None
    sheet: str
    rowid: int
    summary: str
    tags: tuple[str, ...]
    comments: tuple[Comment, ...]


@dataclass(frozen=True)
class ViewTable:
    sheet: str
    name: str
    filter: str  # the view's IR as JSON text, for the record
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    total: int


@dataclass(frozen=True)
class Evidence:
    sheet: str
    path: str
    size: int
    sha256: str
    format: str
    imported_at: str
    read: int
    kept: int
    rejected: int
    duplicates: int
    container: str | None
    container_sha256: str | None


@dataclass(frozen=True)
class Report:
    case: str
    title: str
    author: str
    generated_at: datetime
    version: str
    sheets: tuple[SheetLine, ...]
    left_out: tuple[tuple[str, str], ...]  # sheets not on the timeline, and why
    summary: dict[str, tuple[Counted, ...]]
    findings: tuple[FindingLine, ...]
    starred: tuple[StarredEvent, ...]
    starred_total: int
    views: tuple[ViewTable, ...]
    charts: tuple[charts.Chart, ...]
    evidence: tuple[Evidence, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def first(self) -> datetime | None:
        times = [s.first for s in self.sheets if s.first is not None]
        return min(times) if times else None

    @property
    def last(self) -> datetime | None:
        times = [s.last for s in self.sheets if s.last is not None]
        return max(times) if times else None


def parse_view(text: str) -> tuple[str, str]:
    """``SHEET:VIEW`` (the last ``:`` splits: sheet names may hold one) as (sheet, view)."""
    sheet, sep, view = text.rpartition(":")
    if not sep or not sheet or not view:
        raise LogsheetError(f"a view is SHEET:VIEW (a sheet's saved view), not {text!r}")
    return sheet, view


def gather(
    ws: Workspace,
    case: str | None = None,
    views: Sequence[tuple[str, str]] = (),
    title: str | None = None,
    author: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Everything a report of ``case`` (default: the default case) shows, read through the facade."""
    found = ws.case(case)
    tables = tuple(_view_table(ws, found.sheets, sheet, name) for sheet, name in views)  # bad views fail first
    notes: list[str] = []
    try:
        timeline = ws.timeline_view(found.name)
        on_timeline, left_out = bool(timeline.sheets), tuple(timeline.left_out)
    except LogsheetError as exc:  # no sheet of the case has times: no timeline, no time span, no chart
        on_timeline, left_out = False, ()
        if found.sheets:
            notes.append(str(exc))
    spans = _spans(ws, found.name) if on_timeline else {}
    sheets = []
    for name in found.sheets:
        s = ws.summary(name)
        first, last = spans.get(name, (None, None))
        sheets.append(SheetLine(name, s.format, s.rows, s.rejected, s.duplicates_removed, len(s.sources), first, last))
    findings = tuple(
        FindingLine(f.rule, f.level, f.title, f.sheet, f.rows, f.first_seen, f.last_seen, dict(f.entities), dict(f.group))
        for f in ws.findings(case=found.name)
    )
    starred, starred_total = _starred(ws, found.name) if on_timeline else ((), 0)
    drawn = charts.case_charts(_histogram(ws, found.name) if on_timeline else None, findings)
    return Report(
        case=found.name,
        title=title or f"Case report: {found.name}",
        author=author or "",
        generated_at=now or datetime.now(UTC).replace(microsecond=0),
        version=_version(),
        sheets=tuple(sheets),
        left_out=left_out,
        summary=_summary(ws, found.name, found.sheets, on_timeline),
        findings=findings,
        starred=starred,
        starred_total=starred_total,
        views=tables,
        charts=drawn,
        evidence=_evidence(ws, found.sheets),
        notes=tuple(notes),
    )


def _version() -> str:
    """logsheet's version, as installed (``logsheet.__version__`` would import the package, and the workspace)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("logsheet")
    except PackageNotFoundError:
        return "unknown"


def _histogram(ws: Workspace, case: str) -> charts.Stacked:
    stacked = ws.timeline_histogram(case, buckets=60)
    h = stacked.histogram
    return charts.Stacked(tuple((a, b) for a, b, _ in h.buckets), dict(stacked.by_sheet), h.interval_seconds, h.total)


def _spans(ws: Workspace, case: str) -> dict[str, tuple[datetime | None, datetime | None]]:
    page = ws.timeline(case, build_query(group_by=["sheet"], aggs=["min:time", "max:time"]), limit=10_000)
    return {str(r[0]): (r[1], r[2]) for r in page.rows}


def _summary(ws: Workspace, case: str, sheets: Sequence[str], on_timeline: bool) -> dict[str, tuple[Counted, ...]]:
    """Per summary kind, the values the case's sheets hold, the most frequent first: entity kinds as the case's
    timeline has them (per row, the first non-blank of the format's columns of that kind), context kinds
    (:data:`CONTEXT_COLUMNS`) from each sheet's own column."""
    counts: dict[str, dict[str, tuple[int, set[str]]]] = {kind: {} for kind, _ in SUMMARY_KINDS}

    def add(kind: str, sheet: str, value: Any, rows: Any) -> None:
        seen_rows, seen_sheets = counts[kind].get(str(value), (0, set()))
        counts[kind][str(value)] = (seen_rows + int(rows), seen_sheets | {sheet})

    for kind in counts:
        if kind in CONTEXT_COLUMNS or not on_timeline:
            continue
        query = _top(kind, ("sheet",))
        for value, sheet, rows in ws.timeline(case, query, limit=TOP_VALUES * max(len(sheets), 1)).rows:
            add(kind, str(sheet), value, rows)
    for name in sheets:
        record = ws.sheet(name)
        present = {c.name for c in record.schema.columns}
        for kind, by_format in CONTEXT_COLUMNS.items():
            for column in (c for c in by_format.get(record.format, ()) if c in present):
                for value, rows in ws.query(name, _top(column), limit=TOP_VALUES).rows:
                    add(kind, name, value, rows)
    return {
        kind: tuple(
            Counted(v, n, tuple(sorted(s))) for v, (n, s) in sorted(values.items(), key=lambda i: (-i[1][0], i[0]))[:TOP_VALUES]
        )
        for kind, values in counts.items()
    }


def _top(column: str, more: tuple[str, ...] = ()) -> ir.Query:
    """The values of ``column`` (not blank) with their rows, the most frequent first."""
    return ir.Query(
        where=ir.Blank(column, negate=True),
        group=ir.GroupBy((column, *more), (ir.Agg("count"),)),
        sort=(ir.SortKey("count", True),),
    )


def _starred(ws: Workspace, case: str) -> tuple[tuple[StarredEvent, ...], int]:
    """The starred rows of the case's timeline, oldest first, with their tags and comments (author, time)."""
    notes = ws.annotations(case=case)
    if not any(note.kind == "star" for note in notes):
        return (), 0  # (and a timeline of sheets without annotations has no `tags` column to read)
    comments: dict[tuple[str, int], list[Comment]] = {}
    for note in notes:
        if note.kind == "comment":
            comments.setdefault((note.sheet, note.rowid), []).append(Comment(note.value, note.author, note.created_at))
    query = build_query(
        where="starred", columns=["time", "sheet", "summary", "source_sheet", "source_rowid", "tags"], sort=["time"]
    )
    page = ws.timeline(case, query, limit=STARRED_ROWS)
    events = []
    for time, sheet, summary, source_sheet, rowid, tags in page.rows:
        tag_list = tuple(t.strip() for t in str(tags).split(",") if t.strip()) if tags else ()
        key = (str(source_sheet), int(rowid))
        events.append(StarredEvent(time, str(sheet), int(rowid), str(summary or ""), tag_list, tuple(comments.get(key, ()))))
    return tuple(events), page.total


def _view_table(ws: Workspace, case_sheets: Sequence[str], sheet: str, name: str) -> ViewTable:
    if sheet not in case_sheets:
        raise NotFound(f"sheet {sheet!r} is not in the case (its sheets: {', '.join(case_sheets) or 'none'})")
    saved = {str(v["name"]): v for v in ws.views(sheet)}
    if name not in saved:
        known = ", ".join(repr(n) for n in saved) or "none"
        raise NotFound(f"sheet {sheet!r} has no saved view named {name!r} (its views: {known})")
    if saved[name].get("query") is None:
        raise LogsheetError(f"the saved view {sheet}:{name} cannot be read: {saved[name].get('error')}")
    query = ir.query_from_json(saved[name]["query"])
    page = ws.query(sheet, query, limit=VIEW_ROWS)
    return ViewTable(
        sheet,
        name,
        json.dumps(saved[name]["query"], sort_keys=True),
        tuple(c.name for c in page.columns),
        tuple(page.rows),
        page.total,
    )


def _evidence(ws: Workspace, sheets: Sequence[str]) -> tuple[Evidence, ...]:
    out = []
    for name in sheets:
        record = ws.sheet(name)
        imported = {i["id"]: str(i["finished_at"] or i["started_at"]) for i in ws.catalog.imports(record.id)}
        import_of = ws.catalog.source_imports(record.id)
        for s in ws.catalog.sources(record.id):
            out.append(
                Evidence(
                    name, s.path, s.size, s.sha256, s.format, imported.get(import_of.get(s.id, -1), ""),
                    s.records_read, s.rows_kept, s.rejected, s.duplicates, s.container, s.container_sha256,
                )
            )  # fmt: skip
    return tuple(out)
