"""Annotations through the typed Python API (Workspace.annotate, remove_annotations, delete_annotation,
annotations): who and when, rows by view or by id, the evidence untouched, remembered totals and saved views
following the changes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.query.filterlang import parse_filter
from logsheet.query.spellings import build_query
from logsheet.workspace import Workspace
from logsheet.workspace.annotations import default_author

ROWS = [{"n": i, "user": ("root" if i % 3 == 0 else f"u{i}"), "msg": f"line {i}"} for i in range(30)]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.open(tmp_path / "home")
    workspace.import_paths([write_ndjson(tmp_path / "rows.ndjson", ROWS)], sheet="rows", format="json")
    return workspace


def where(text: str) -> ir.Query:
    return build_query(text)


def count(ws: Workspace, text: str, sheet: str = "rows") -> int:
    return ws.query(sheet, ir.Query(where=parse_filter(text))).total


def test_star_a_whole_view_counts_rows_once_and_records_who_and_when(ws: Workspace) -> None:
    assert ws.annotate("rows", where("user = 'root'"), star=True, author="ana") == 10
    assert ws.annotate("rows", where("n < 6"), star=True) == 4  # 0 and 3 were starred already
    assert count(ws, "starred") == 14
    stars = ws.annotations("rows")
    assert len(stars) == 14 and {a.kind for a in stars} == {"star"}
    assert {a.author for a in stars} == {"ana", default_author()}
    assert all(a.created_at.endswith("Z") and a.sheet == "rows" for a in stars)


def test_rows_by_id_and_unknown_ids(ws: Workspace) -> None:
    page = ws.query("rows", where("n in (4, 5)"))
    assert ws.annotate("rows", rowids=page.rowids, tag="t1110") == 2
    assert count(ws, "tag = 't1110'") == 2
    with pytest.raises(NotFound, match="no row with id 12345"):
        ws.annotate("rows", rowids=[page.rowids[0], 12345], tag="x")
    # a view and ids: only the ids inside the view
    assert ws.annotate("rows", where("n = 4"), rowids=page.rowids, comment="seen") == 1


def test_remove_and_delete(ws: Workspace) -> None:
    ws.annotate("rows", where("n < 10"), star=True)
    ws.annotate("rows", where("n < 10"), tag="a")
    ws.annotate("rows", where("n < 10"), tag="b")
    ws.annotate("rows", where("n = 1"), comment="first")
    ws.annotate("rows", where("n = 1"), comment="second")
    assert ws.remove_annotations("rows", where("n < 5"), star=True) == 5
    assert ws.remove_annotations("rows", where("n < 10"), tag="a") == 10
    assert count(ws, "starred") == 5 and count(ws, "tag = 'a'") == 0 and count(ws, "tag = 'b'") == 10
    first = next(a for a in ws.annotations("rows") if a.value == "first")
    assert ws.delete_annotation(first.id).value == "first"
    assert ws.query("rows", ir.Query(where=parse_filter("n = 1"), columns=("comment",))).rows == [("second",)]
    with pytest.raises(NotFound):
        ws.delete_annotation(first.id)
    assert ws.remove_annotations("rows", where("n = 1"), comments=True) == 1
    ws.remove_annotations("rows", where("n < 10"), star=True)
    ws.remove_annotations("rows", where("n < 10"), tag="b")
    assert ws.annotations("rows") == [] and ws.sheet("rows").annotations is None
    assert [c.name for c in ws.query("rows").columns] == ["n", "user", "msg"]  # no annotations: no columns


def test_the_evidence_is_never_touched(ws: Workspace) -> None:
    record = ws.sheet("rows")
    parts = [ws.root / p for p in record.data_paths()]
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in parts]
    ws.annotate("rows", where("n < 20"), star=True)
    ws.annotate("rows", where("n = 2"), comment="root shell")
    after = ws.sheet("rows")
    assert after.data_paths() == record.data_paths() and after.updated_at == record.updated_at
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in parts] == before
    assert after.annotations is not None and after.annotations.startswith(record.directory + "/annotations-")


def test_remembered_totals_and_saved_views_follow_the_annotations(ws: Workspace) -> None:
    starred = ir.Query(where=parse_filter("starred"))
    ws.save_view("rows", "stars", starred)
    assert ws.query("rows", starred).total == 0
    ws.annotate("rows", where("n < 3"), star=True)
    assert ws.query("rows", starred).total == 3
    ws.annotate("rows", where("n >= 27"), star=True)
    saved = ir.query_from_json(next(v for v in ws.views("rows") if v["name"] == "stars")["query"])
    assert ws.query("rows", saved).total == 6


def test_cases_pass_their_sheets(ws: Workspace, tmp_path: Path) -> None:
    ws.import_paths([write_ndjson(tmp_path / "more.ndjson", ROWS[:3])], sheet="more", format="json")
    ws.import_paths([write_ndjson(tmp_path / "other.ndjson", ROWS[:3])], sheet="other", format="json")
    ws.annotate("rows", where("n = 0"), star=True)
    ws.annotate("more", where("n = 1"), tag="x")
    ws.annotate("other", where("n = 2"), comment="c")
    assert [a.sheet for a in ws.annotations()] == ["rows", "more", "other"]
    assert [a.sheet for a in ws.annotations(sheets=["rows", "other"])] == ["rows", "other"]
    assert ws.annotations(sheets=[]) == []
    assert len(ws.annotations(limit=2)) == 2
    ws.delete_sheet("more")
    assert [a.sheet for a in ws.annotations()] == ["rows", "other"]


def test_the_sweep_keeps_the_current_annotations_file(ws: Workspace) -> None:
    ws.annotate("rows", where("n = 0"), star=True)
    ws.sweep()
    assert (ws.root / str(ws.sheet("rows").annotations)).exists()
    assert count(ws, "starred") == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"star": True, "tag": "x"}, "choose one annotation"),
        ({}, "choose one annotation"),
        ({"tag": "a,b"}, "comma"),
        ({"tag": "  "}, "empty"),
        ({"tag": "x" * 65}, "at most 64"),
        ({"comment": ""}, "empty"),
        ({"comment": "bell\x07"}, "control"),
        ({"star": True, "author": ""}, "author"),
    ],
)
def test_refusals(ws: Workspace, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(LogsheetError, match=message):
        ws.annotate("rows", where("n = 0"), **kwargs)  # type: ignore[arg-type]


def test_a_grouped_view_is_refused(ws: Workspace) -> None:
    with pytest.raises(LogsheetError, match="without a group-by"):
        ws.annotate("rows", ir.Query(group=ir.GroupBy(("user",))), star=True)
