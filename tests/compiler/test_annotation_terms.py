"""The annotation terms of the filter language (starred, tag, comment) on DuckDB: the rows each holds, the join
made only when a view uses the annotations, and a sheet without annotations (no row starred, no join)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotation_cases import ACTIONS, CASES, ROWS
from fixtures import write_ndjson
from logsheet.compiler import to_sql
from logsheet.core import ir
from logsheet.query.filterlang import parse_filter
from logsheet.query.spellings import build_query
from logsheet.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("notes")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_ndjson(folder / "rows.ndjson", ROWS)], sheet="rows", format="json")
    workspace.import_paths([write_ndjson(folder / "plain.ndjson", ROWS)], sheet="plain", format="json")
    for where, action in ACTIONS:
        assert workspace.annotate("rows", build_query(where), author="tester", **action) >= 1
    return workspace


def held(ws: Workspace, sheet: str, text: str) -> set[int]:
    query = ir.Query(where=parse_filter(text), columns=("i",))
    return {r[0] for r in ws.query(sheet, query, limit=100, with_total=False).rows}


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[t for t, _ in CASES])
def test_each_term_holds_its_rows(ws: Workspace, text: str, expected: set[int]) -> None:
    assert held(ws, "rows", text) == expected
    assert ws.count("rows", ir.Query(where=parse_filter(text))) == len(expected)


def test_a_sheet_without_annotations_has_no_starred_row_and_no_join(ws: Workspace) -> None:
    assert held(ws, "plain", "starred") == set()
    assert held(ws, "plain", "not starred") == set(range(6))
    assert held(ws, "plain", "tag != 'x'") == set(range(6))
    sql = to_sql(ws.plan("plain", ir.Query(where=parse_filter("starred"))).rows_sql(10))
    assert "JOIN" not in sql and "annotations" not in sql
    assert [c.name for c in ws.query("plain").columns] == ["i", "user", "msg"]


def test_the_join_is_made_only_when_the_view_uses_the_annotations(ws: Workspace) -> None:
    def joined(query: ir.Query) -> bool:
        return "JOIN" in to_sql(ws.plan("rows", query).rows_sql(10))

    assert joined(ir.Query())  # every column shown: the annotation columns too
    assert joined(ir.Query(where=parse_filter("starred"), columns=("i",)))
    assert joined(ir.Query(columns=("i", "tags")))
    assert joined(ir.Query(sort=(ir.SortKey("starred", descending=True),), columns=("i",)))
    assert not joined(ir.Query(where=parse_filter("i > 2"), columns=("i", "msg")))
    assert not joined(ir.Query(group=ir.GroupBy(("user",))))


def test_the_grid_columns_show_the_annotations_as_text(ws: Workspace) -> None:
    page = ws.query("rows", ir.Query(sort=(ir.SortKey("i"),)))
    names = [c.name for c in page.columns]
    assert names[-3:] == ["starred", "tags", "comment"]
    assert [c.type for c in page.columns][-3:] == ["boolean", "text", "text"]
    by_i = {r[0]: r[-3:] for r in page.rows}
    assert by_i[0] == (True, "ssh-bruteforce", None)
    assert by_i[2] == (True, None, "Root login from 10.0.0.7 | checked")
    assert by_i[1] == (False, None, None)
    grouped = ws.query("rows", ir.Query(group=ir.GroupBy(("starred",))))
    assert sorted(grouped.rows) == [(False, 4), (True, 2)]


def test_a_sheet_column_named_like_an_annotation_keeps_its_name(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "home")
    rows = [{"comment": "the sheet's own", "n": 1}, {"comment": "x", "n": 2}]
    ws.import_paths([write_ndjson(tmp_path / "c.ndjson", rows)], sheet="c", format="json")
    ws.annotate("c", build_query("n = 1"), comment="an analyst's")
    page = ws.query("c", ir.Query(sort=(ir.SortKey("n"),)))
    assert [c.name for c in page.columns] == ["comment", "n", "starred", "tags"]
    assert held_text(ws, "\"comment\" = 'x'") == [2] and held_text(ws, "comment contains 'analyst'") == [1]


def held_text(ws: Workspace, text: str) -> list[int]:
    return [r[0] for r in ws.query("c", ir.Query(where=parse_filter(text), columns=("n",))).rows]


def test_search_reads_the_sheets_columns_only_whatever_the_columns_shown(ws: Workspace) -> None:
    for columns in ((), ("i",), ("i", "comment")):
        query = ir.Query(search="checked", columns=columns)
        assert ws.query("rows", query).total == 0  # "checked" is only in a comment: use comment contains
        assert ws.query("rows", query.with_(search="m2")).rows[0][0] == 2


def test_a_filter_naming_an_annotation_column_joins_them(ws: Workspace) -> None:
    query = ir.Query(where=parse_filter("tags contains 'ssh'"), columns=("i",))
    assert {r[0] for r in ws.query("rows", query).rows} == {0, 3}
    assert ws.count("rows", ir.Query(where=parse_filter('"starred" = true'), columns=("i",))) == 2


def test_show_sql_for_a_cluster_names_the_annotations_table(ws: Workspace) -> None:
    text = ws.sql("rows", ir.Query(where=parse_filter("tag = 'x'"), columns=("i",)), dialect="spark")
    assert "LEFT JOIN `rows__annotations` AS `a`" in text and "LOCATE(',x,', `__tagset`)" in text
    assert "JOIN" not in ws.sql("rows", ir.Query(columns=("i",)), dialect="spark")
