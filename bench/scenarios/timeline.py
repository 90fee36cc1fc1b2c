"""A case's timeline (``Workspace.timeline``) at 1M, 10M and 100M rows per sheet, several sheets merged.

The case holds the query workspace's CloudTrail sheets of that size (``ct``/``real1m``, ``ct10m``/``real10m``,
or ``ct100m`` with ``real10m``: the generated set and the real-shaped one) and a 1M-line ``secure`` sheet.
Timed, each against the one-sheet baseline it should match (its biggest sheet's first page, oldest and newest
first): the first page oldest first and newest first (a top-N per sheet, merged), the same
page read by sorting the whole union (what the top-N replaces), a filtered first page, a filtered count and the
histogram stacked by sheet. Every page is checked equal to the whole-union sort before anything is timed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import harness
from bench.gen import sheets, syslog
from bench.scenarios.queries import workspace
from logsheet.compiler import paging
from logsheet.compiler import timeline as compiled
from logsheet.workspace import Workspace, build_query

CASES = {"1M": ("ct", "real1m"), "10M": ("ct10m", "real10m"), "100M": ("ct100m", "real10m")}
PAGE = 100


def _case(ws: Workspace, data: Path, size: str) -> str:
    if ws.catalog.get_sheet("secure1m") is None:
        ws.import_paths([syslog.generate(data / "secure-1m", 1_000_000)], sheet="secure1m")
    if size in ("10M", "100M") and ws.catalog.get_sheet(CASES[size][0]) is None:
        sheets.build(ws, "ct", CASES[size][0], 10_000_000 if size == "10M" else 100_000_000)
    present = [s for s in CASES[size] if ws.catalog.get_sheet(s) is not None]
    name = f"timeline-{size.lower()}"
    if ws.catalog.case_id(name) is None:
        ws.create_case(name, [*present, "secure1m"])
    return name


def _whole_union(ws: Workspace, case: str, sort: list[str], where: str | None = None) -> list[int]:
    """The first page's row ids by sorting the whole union (no top-N per sheet)."""
    line = ws.timeline_view(case, build_query(where=where, sort=sort))
    return [r[0] for r in line.runner.fetch(paging.PagePlan(line.plan, PAGE, 0).rowids_sql()).rows]


def _top_n(ws: Workspace, case: str, sort: list[str], where: str | None = None) -> list[int]:
    line = ws.timeline_view(case, build_query(where=where, sort=sort))
    return [r[0] for r in line.runner.fetch(compiled.top_rowids_sql(line.branches, PAGE, 0)).rows]


def _timings(ws: Workspace, case: str, big: str, where: str) -> dict[str, Any]:
    """name -> what to time."""
    return {
        "first page, oldest first": lambda: ws.timeline(case, None, PAGE, with_total=False),
        "first page, newest first": lambda: ws.timeline(case, build_query(sort=["-time"]), PAGE, with_total=False),
        "page's row ids, oldest first: top-N per sheet": lambda: _top_n(ws, case, ["time"]),
        "page's row ids, oldest first: whole-union sort": lambda: _whole_union(ws, case, ["time"]),
        "page's row ids, newest first: top-N per sheet": lambda: _top_n(ws, case, ["-time"]),
        "page's row ids, newest first: whole-union sort": lambda: _whole_union(ws, case, ["-time"]),
        f"one sheet ({big}): first page by time": lambda: ws.query(big, build_query(sort=["eventTime"]), PAGE, with_total=False),
        f"one sheet ({big}): first page, newest first": lambda: ws.query(
            big, build_query(sort=["-eventTime"]), PAGE, with_total=False
        ),
        "filtered first page (ip or summary)": lambda: ws.timeline(case, build_query(where=where), PAGE, with_total=False),
        "filtered count": lambda: ws.timeline_count(case, build_query(where=where)),
        "histogram stacked by sheet (60 buckets)": lambda: ws.timeline_histogram(case),
    }


def _fresh(ws: Workspace, fn: Any) -> Any:
    """``fn()`` with no total or histogram remembered: each repetition counts afresh (a sheet's time range,
    computed once per sheet version, stays remembered, as in use)."""
    ws._totals = type(ws._totals)()
    ws._histograms = type(ws._histograms)()
    return fn()


def run(data: Path, reps: int, sizes: tuple[str, ...] = ("1M", "10M")) -> None:
    ws = workspace(data)
    text, raw = "", {}
    for size in sizes:
        case = _case(ws, data, size)
        members = ws.case(case).sheets
        rows = sum(ws.sheet(s).row_count for s in members)
        big = CASES[size][0]
        where = "ip = '10.0.0.1' or summary starts with 'failed_password'"
        for sort in (["time"], ["-time"]):
            assert _top_n(ws, case, sort) == _whole_union(ws, case, sort), f"{size} {sort}: top-N != whole sort"
        assert _top_n(ws, case, ["time"], where) == _whole_union(ws, case, ["time"], where)
        timings = _timings(ws, case, big, where)
        lines = [
            f"### Timeline of {len(members)} sheets ({', '.join(members)}): {rows:,} rows",
            "",
            "| measurement | median |",
            "|---|---:|",
        ]
        for name, fn in timings.items():
            figures = harness.alternate({name: lambda fn=fn: harness.timed(lambda: _fresh(ws, fn))}, reps)
            lines.append(f"| {name} | {figures[name].wall * 1000:,.0f} ms |")
            raw[f"{size} {name}"] = figures
        text += "\n".join(lines) + "\n\n"
    harness.record(data, "timeline", text, raw)
