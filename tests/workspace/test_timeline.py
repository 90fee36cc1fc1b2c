"""A case's timeline through the Python API: its columns and summaries per format, oldest first, the sheets left
out, the filter language and search on it, the top-N-per-sheet first page equal to a full sort, the histogram
stacked by sheet, exports, and on the demo the story in order: brute force, root login, RunInstances."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logsheet.compiler import paging
from logsheet.compiler import timeline as compiled
from logsheet.core.errors import InvalidQuery, LogsheetError, NotFound
from logsheet.ingest import formats
from logsheet.workspace import Workspace, build_query
from timeline_fixtures import build_case


@pytest.fixture
def ws(logsheet_home: Path, inputs: Path) -> Workspace:
    workspace = Workspace.open(logsheet_home)
    build_case(workspace, inputs)
    return workspace


def test_the_timeline_merges_every_timed_sheet_oldest_first(ws: Workspace) -> None:
    page = ws.timeline("ir", limit=1000)
    names = [c.name for c in page.columns]
    assert names[:3] == ["time", "sheet", "summary"] and names[-2:] == ["source_sheet", "source_rowid"]
    assert set(formats.ENTITY_KINDS) <= set(names) and compiled.ENTITY_KINDS == formats.ENTITY_KINDS
    sizes = {s: ws.sheet(s).row_count for s in ("trail", "secure", "notes")}
    assert page.total == sum(sizes.values()) == len(page.rows)
    times = [r[0] for r in page.rows]
    assert times == sorted(times)
    assert {r[1] for r in page.rows} == {"trail", "secure", "notes"}
    line = ws.timeline_view("ir")
    assert line.left_out == (("plain", "it has no time column"),)
    assert line.notes() == ["sheet 'plain' is not in the timeline: it has no time column"]
    assert len(page.rowids) == len(set(page.rowids))  # row ids are unique across sheets
    assert all(r[-1] == rid for r, rid in zip(page.rows, page.rowids, strict=True))


def test_each_format_has_its_one_line_summary_and_entities(ws: Workspace) -> None:
    page = ws.timeline("ir", limit=1000)
    col = {c.name: i for i, c in enumerate(page.columns)}
    by_sheet: dict[str, list[tuple[object, ...]]] = {}
    for row in page.rows:
        by_sheet.setdefault(str(row[1]), []).append(row)
    trail = by_sheet["trail"][0]
    plan, runner = ws.view("trail")
    record = runner.fetch(paging.PagePlan(plan, 1, 0).rows_for_ids_sql([int(trail[col["source_rowid"]])])).rows
    values = dict(zip([c.name for c in plan.columns()], record[0][1:], strict=True))
    assert trail[col["summary"]].startswith(f"{values['eventName']} by {values['userIdentity.arn']} from ")
    assert trail[col["ip"]] == values["sourceIPAddress"] and trail[col["account"]] == values["recipientAccountId"]
    assert trail[col["host"]] is None and trail[col["instance"]] is None
    failed = [r for r in by_sheet["secure"] if str(r[col["summary"]]).startswith("failed_password")]
    assert failed and " user " in failed[0][col["summary"]] and f" from {failed[0][col['ip']]}" in failed[0][col["summary"]]
    note = by_sheet["notes"][0]
    assert note[col["summary"]] == "note 0 · ana" and note[col["ip"]] is None


def test_filters_search_sort_and_groups_run_on_the_timeline(ws: Workspace) -> None:
    secure = ws.sheet("secure").row_count
    assert ws.timeline_count("ir", build_query(where="sheet = 'secure'")) == secure
    assert ws.timeline("ir", build_query(where="sheet = 'secure'"), limit=5).total == secure
    found = ws.timeline("ir", build_query(search="note 3"), limit=10)
    assert [r[2] for r in found.rows] == ["note 3 · ana"]
    newest = ws.timeline("ir", build_query(sort=["-time"]), limit=3)
    everything = ws.timeline("ir", limit=1000)
    assert [r[0] for r in newest.rows] == sorted((r[0] for r in everything.rows), reverse=True)[:3]
    groups = ws.timeline("ir", build_query(group_by=["sheet"]), limit=10)
    assert dict((r[0], r[1]) for r in groups.rows) == {s: ws.sheet(s).row_count for s in ("trail", "secure", "notes")}
    with pytest.raises(InvalidQuery, match="unknown column 'eventName'"):
        ws.timeline("ir", build_query(where="eventName = 'x'"))
    with pytest.raises(NotFound, match="no case named 'nope'"):
        ws.timeline("nope")


@pytest.mark.parametrize("where", [None, "sheet != 'notes'", "summary contains 'root'"])
def test_a_page_read_as_a_top_n_per_sheet_is_the_full_sort_s_page(ws: Workspace, where: str | None) -> None:
    full = [r[-1] for r in ws.timeline("ir", build_query(where=where), limit=1000).rows]
    for offset, limit in ((0, 7), (5, 9), (20, 4)):
        line = ws.timeline_view("ir", build_query(where=where))
        assert compiled.time_sorted(line.plan) and offset + limit <= paging.PROBE_MAX_ROWS
        ids = [r[0] for r in line.runner.fetch(compiled.top_rowids_sql(line.branches, limit, offset)).rows]
        assert ids == full[offset : offset + limit]
        assert [r[-1] for r in ws.timeline("ir", build_query(where=where), limit=limit, offset=offset).rows] == ids


def test_the_histogram_is_stacked_by_sheet(ws: Workspace) -> None:
    stacked = ws.timeline_histogram("ir", buckets=20)
    whole = [b[2] for b in stacked.histogram.buckets]
    assert set(stacked.by_sheet) == {"trail", "secure", "notes"}
    assert [sum(c) for c in zip(*stacked.by_sheet.values(), strict=True)] == whole
    assert sum(stacked.by_sheet["notes"]) == 10 and stacked.histogram.total == sum(whole)
    body = stacked.to_json()
    assert [s["sheet"] for s in body["sheets"]] == ["notes", "secure", "trail"] and len(body["sheets"][0]["counts"]) == len(
        body["buckets"]
    )
    only = ws.timeline_histogram("ir", build_query(where="sheet = 'notes'"), buckets=20)
    assert sum(only.by_sheet["notes"]) == 10 and sum(only.by_sheet["trail"]) == 0


def test_the_timeline_exports_in_its_order(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "line.ndjson"
    written = ws.export_timeline("ir", build_query(where="sheet = 'notes'"), out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert written == 10 and [r["summary"] for r in rows] == [f"note {i} · ana" for i in range(10)]
    assert rows[0]["sheet"] == "notes" and rows[0]["time"].startswith("2024-05-01")


def test_a_case_without_a_timed_sheet_says_so(ws: Workspace) -> None:
    ws.create_case("flat", ["plain"])
    with pytest.raises(LogsheetError, match="case 'flat' has no sheet with a time column .*plain: it has no time column"):
        ws.timeline("flat")


def test_the_demo_timeline_shows_brute_force_then_root_login_then_run_instances(demo_home: Path) -> None:
    ws = Workspace.open(demo_home)
    attacker, instance = "123.214.118.119", "44.202.228.109"  # the brute force's source; the stolen role's host
    where = f"ip = '{attacker}' and sheet = 'secure' or ip = '{instance}' and summary starts with 'RunInstances'"
    rows = ws.timeline("demo", build_query(where=where), limit=10_000).rows
    summaries = [str(r[2]) for r in rows]
    failed = [i for i, s in enumerate(summaries) if s.startswith("failed_password")]
    root = [i for i, s in enumerate(summaries) if s.startswith("accepted_") and " user root " in s]
    runs = [i for i, s in enumerate(summaries) if s.startswith("RunInstances")]
    assert len(failed) > 100 and len(root) == 1 and len(runs) == 5
    assert max(failed) < root[0] < min(runs)


def test_the_timeline_shows_and_filters_the_rows_annotations_from_their_sheets(ws: Workspace) -> None:
    assert "starred" not in [c.name for c in ws.timeline("ir", limit=1).columns]  # no annotations yet: no columns
    failed = build_query(where="event = 'failed_password'")
    starred = ws.annotate("secure", failed, star=True)
    notes = ws.timeline("ir", build_query(where="sheet = 'notes'"), limit=2)
    ws.annotate("notes", rowids=[notes.rowids[0]], tag="seen")
    ws.annotate("notes", rowids=[notes.rowids[0]], comment="<b>checked</b>")
    assert starred > 0
    page = ws.timeline("ir", limit=1000)
    col = {c.name: i for i, c in enumerate(page.columns)}
    assert {"starred", "tags", "comment"} <= set(col)
    stars = [r for r in page.rows if r[col["starred"]]]
    assert len(stars) == starred and {r[1] for r in stars} == {"secure"}
    assert all(str(r[col["summary"]]).startswith("failed_password") for r in stars)
    assert all(r[col["starred"]] is False for r in page.rows if r[1] == "trail")  # a sheet with none: not starred
    assert ws.timeline_count("ir", build_query(where="starred")) == starred
    tagged = ws.timeline("ir", build_query(where="tag = 'seen'"), limit=10)
    assert tagged.rowids == [notes.rowids[0]] and tagged.rows[0][col["comment"]] == "<b>checked</b>"
    assert ws.timeline_count("ir", build_query(where="comment contains 'checked' or starred")) == starred + 1
    # the remembered total follows the annotations: one more star, one more row
    ws.annotate("notes", rowids=[notes.rowids[1]], star=True)
    assert ws.timeline_count("ir", build_query(where="starred")) == starred + 1
