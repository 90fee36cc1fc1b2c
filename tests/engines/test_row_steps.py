"""The row steps (dedupe, split to rows, explode a JSON array) and pivot tables through the Python API, on the small
sheet with known rows (tests/ops_rows.py): the exact rows a user sees, how row ids behave after them (paging is
stable and complete, every part keeps its row's id, annotations and a row's context still work), and the
refusals. The same views run on Spark in tests/engines/spark/test_spark_shared.py and test_spark_rowsteps.py."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures import write_ndjson
from logsheet.compiler import paging
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.pivot_table import PivotTable, pivot_table_from_json
from logsheet.query.filterlang import parse_filter
from logsheet.workspace import Workspace
from ops_rows import ROWS

SHEET = "events"


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("rowsteps")
    data = write_ndjson(folder / "data" / "events.ndjson", ROWS)
    ws = Workspace.open(folder / "home")
    assert ws.import_paths([data], sheet=SHEET).rows == len(ROWS)
    return ws


def rows(ws: Workspace, *steps: ir.Step, columns: tuple[str, ...], where: str | None = None, **kw: Any) -> list[tuple[Any, ...]]:
    query = ir.Query(steps=steps, where=parse_filter(where) if where else None, columns=columns, **kw)
    page = ws.query(SHEET, query, limit=500)
    assert page.total == len(page.rows) == ws.count(SHEET, query)
    return page.rows


# ------------------------------------------------------------------------------------------------ dedupe
def test_dedupe_keeps_the_first_row_by_time_with_the_count(sheet: Workspace) -> None:
    got = rows(sheet, ir.Dedupe(("user",)), columns=("user", "rid", "duplicates"), sort=(ir.SortKey("rid"),))
    # root: rids 1 (15:00), 5 (14:00), 7 (15:45), 8 (18:00) -> 5; bob: 2 (16:00), 4 (17:00), 6 (15:30) -> 6
    assert got == [(None, 3, 1), ("root", 5, 4), ("bob", 6, 3)]


def test_dedupe_keeps_the_last_row_by_a_column_on_a_compound_key(sheet: Workspace) -> None:
    step = ir.Dedupe(("user", "action"), keep="last", by="bytes", count="copies")
    got = rows(sheet, step, columns=("rid", "user", "action", "copies"), sort=(ir.SortKey("rid"),))
    # root/deny: 1 (100 bytes), 5 (50), 8 (5) -> 1; bob/allow: 2 (200), 4 (300) -> 4
    assert got == [
        (1, "root", "deny", 3),
        (3, None, "deny", 1),
        (4, "bob", "allow", 2),
        (6, "bob", "deny", 1),
        (7, "root", "allow", 1),
    ]


def test_dedupe_on_a_json_path_then_filter_and_group(sheet: Workspace) -> None:
    step = ir.Dedupe(("req.a.b",), keep="last")
    # 'x': rids 1 (15:00), 4 (17:00), 7 (15:45) -> 4; blank: 3 (no time: last of all), 6 (15:30) -> 6
    assert rows(sheet, step, columns=("rid", "duplicates"), where="duplicates > 1", sort=(ir.SortKey("rid"),)) == [(4, 3), (6, 2)]
    query = ir.Query(steps=(step,), group=ir.GroupBy(("duplicates",)))
    assert sorted(sheet.query(SHEET, query).rows) == [(1, 3), (2, 1), (3, 1)]


def test_dedupe_finds_duplicates_among_the_rows_the_filter_keeps(sheet: Workspace) -> None:
    step = ir.Dedupe(("user",))
    # deny rows: 1 root (15:00), 3 blank, 5 root (14:00), 6 bob (15:30), 8 root (18:00)
    got = rows(sheet, step, columns=("rid", "duplicates"), where="action = 'deny'", sort=(ir.SortKey("rid"),))
    assert got == [(3, 1), (5, 3), (6, 1)]
    # a term on the dedupe's own column applies after it; the others still before
    assert rows(sheet, step, columns=("rid", "duplicates"), where="action = 'deny' and duplicates > 1") == [(5, 3)]
    # without the filter's terms: every row of the sheet (bob's first row is 6, among 2, 4, 6)
    assert rows(sheet, step, columns=("rid", "duplicates"), where="duplicates = 3") == [(6, 3)]
    # a term on a column a later step changes is judged after every step
    later = (step, ir.ChangeCase("name", "upper"))
    assert rows(sheet, *later, columns=("rid",), where="name = 'ALICE'") == []  # rid 1 and 4 were not kept


def test_dedupe_keeps_the_kept_rows_id(sheet: Workspace) -> None:
    plain = sheet.query(SHEET, ir.Query(columns=("rid",)), limit=100)
    ids = dict(zip((r[0] for r in plain.rows), plain.rowids))
    page = sheet.query(SHEET, ir.Query(steps=(ir.Dedupe(("user",)),), columns=("rid",)), limit=100)
    assert page.rowids == [ids[r[0]] for r in page.rows]
    assert paging.reads_by_id(sheet.plan(SHEET, ir.Query(steps=(ir.Dedupe(("user",)),), sort=(ir.SortKey("rid"),))))


# ------------------------------------------------------------------------------------------ split to rows
def test_split_to_rows_replaces_the_column_with_each_part(sheet: Workspace) -> None:
    got = rows(sheet, ir.SplitRows("ip", "."), columns=("rid", "ip"), where="rid in (1, 3, 7)", sort=(ir.SortKey("rid"),))
    assert got == [(1, "10"), (1, "0"), (1, "0"), (1, "1"), (3, "2001:db8::1"), (7, "not-an-ip")]


def test_split_to_rows_keeps_blank_values_and_parts_as_one_blank_row(sheet: Workspace) -> None:
    got = rows(sheet, ir.SplitRows("code", "e", name="piece"), columns=("rid", "code", "piece"), where="rid in (3, 5, 7)")
    assert got == [(3, " 7 ", " 7 "), (5, "", None), (7, "1e3", "1"), (7, "1e3", "3")]
    assert rows(sheet, ir.SplitRows("name", ","), columns=("rid", "name"), where="rid = 3") == [(3, None)]


# ---------------------------------------------------------------------------------------------- explode
def test_explode_gives_one_row_per_element_with_its_fields(sheet: Workspace) -> None:
    got = rows(sheet, ir.Explode("items", fields=("x",)), columns=("rid", "items.x"), sort=(ir.SortKey("rid"),))
    # rid 3 has [], rid 6 null: no rows; rid 4 two elements, in array order
    assert got == [(1, "1"), (2, "2"), (4, "3"), (4, "4"), (5, "10"), (7, "7"), (8, "1")]


def test_explode_keep_empty_and_the_element_as_json(sheet: Workspace) -> None:
    step = ir.Explode("items", name="item", keep_empty=True)
    got = rows(sheet, step, columns=("rid", "item", "item.x"), where="rid in (3, 4, 6)")
    assert got == [(3, None, None), (4, '{"x":3}', "3"), (4, '{"x":4}', "4"), (6, None, None)]
    assert rows(sheet, step, columns=("rid",), where="item.x = '4'") == [(4,)]


def test_explode_then_group_and_dedupe(sheet: Workspace) -> None:
    steps = (ir.Explode("items", fields=("x",)), ir.Dedupe(("items.x",)))
    got = rows(sheet, *steps, columns=("items.x", "rid", "duplicates"), sort=(ir.SortKey("items.x"),))
    assert got == [("1", 1, 2), ("10", 5, 1), ("2", 2, 1), ("3", 4, 1), ("4", 4, 1), ("7", 7, 1)]


def test_exploded_rows_keep_their_rows_id_and_pages_are_stable(sheet: Workspace) -> None:
    plain = sheet.query(SHEET, ir.Query(columns=("rid",)), limit=100)
    ids = dict(zip((r[0] for r in plain.rows), plain.rowids))
    query = ir.Query(steps=(ir.SplitRows("msg", " "),), columns=("rid", "msg"), sort=(ir.SortKey("rid", True),))
    whole = sheet.query(SHEET, query, limit=500)
    assert whole.rowids == [ids[r[0]] for r in whole.rows]  # every part carries its row's id
    assert not paging.reads_by_id(sheet.plan(SHEET, query))  # a row id names several rows: one pass
    pages: list[tuple[Any, ...]] = []
    for offset in range(0, whole.total, 7):
        page = sheet.query(SHEET, query, limit=7, offset=offset)
        assert page.total == whole.total
        pages += page.rows
    assert pages == whole.rows  # the pages put together are the view, none repeated or lost
    assert [r[0] for r in whole.rows] == sorted((r[0] for r in whole.rows), reverse=True)


def test_annotations_and_context_follow_the_parent_row(sheet: Workspace) -> None:
    step = ir.Explode("items", fields=("x",))
    four = sheet.query(SHEET, ir.Query(steps=(step,), where=parse_filter("rid = 4"), columns=("rid",)))
    assert len(four.rowids) == 2 and len(set(four.rowids)) == 1
    sheet.annotate(SHEET, rowids=[four.rowids[0]], star=True)
    try:
        starred = rows(sheet, step, columns=("rid", "items.x", "starred"), where="starred")
        assert starred == [(4, "3", True), (4, "4", True)]
        context = sheet.context(SHEET, four.rowids[0], 1, 1)
        assert context.rowid == four.rowids[0]
    finally:
        sheet.remove_annotations(SHEET, rowids=[four.rowids[0]], star=True)


def test_row_steps_round_trip_as_json_and_in_saved_views(sheet: Workspace) -> None:
    steps = (
        ir.SplitRows("ip", ":"),
        ir.Explode("items", fields=("x",), keep_empty=True),
        ir.Dedupe(("ip",), keep="last", by="ts"),
    )
    query = ir.Query(steps=steps)
    assert ir.query_from_json(ir.query_to_json(query)) == query
    sheet.save_view(SHEET, "rowsteps", query)
    saved = next(v for v in sheet.views(SHEET) if v["name"] == "rowsteps")
    assert ir.query_from_json(saved["query"]) == query


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (ir.Dedupe(()), "at least one key"),
        (ir.Dedupe(("nope",)), "unknown column 'nope'"),
        (ir.Dedupe(("user",), count="name"), "already exists"),
        (ir.Dedupe(("user",), by="nope"), "unknown column 'nope'"),
        (ir.SplitRows("msg", ""), "needs a delimiter"),
        (ir.SplitRows("msg", " ", name="user"), "already exists"),
        (ir.SplitRows("req.a.b.c", " "), "unknown column"),
        (ir.Explode("nope"), "unknown column 'nope'"),
        (ir.Explode("n"), "holds integer values"),
        (ir.Explode("items", name="rid"), "already exists"),
        (ir.Explode("items", fields=(" ",)), "needs a name"),
    ],
)
def test_row_steps_refuse_bad_input_clearly(sheet: Workspace, step: ir.Step, message: str) -> None:
    with pytest.raises(InvalidQuery, match=message):
        sheet.query(SHEET, ir.Query(steps=(step,)))


def test_a_row_step_field_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(InvalidQuery, match="keep"):
        ir.step_from_json({"kind": "dedupe", "keys": ["a"], "keep": "middle"})


# ------------------------------------------------------------------------------------------- pivot tables
def test_pivot_table_counts_with_totals(sheet: Workspace) -> None:
    result = sheet.pivot_table(SHEET, None, PivotTable(("user",), "action"))
    body = result.to_json()
    assert body["columns"] == ["deny", "allow"] and body["other"] is False
    assert [(r["keys"], r["cells"], r["total"]) for r in body["table"]] == [
        (["root"], [3, 1], 4),
        (["bob"], [1, 2], 3),
        ([None], [1, 0], 1),
    ]
    assert body["column_totals"] == [5, 3] and body["total"] == 8 and body["rows_total"] == 3


def test_pivot_table_top_columns_fold_the_rest_into_other(sheet: Workspace) -> None:
    result = sheet.pivot_table(SHEET, None, PivotTable(("action",), "user", top=1))
    body = result.to_json()
    assert body["columns"] == ["root"] and body["other"] is True
    assert {tuple(r["keys"]): r["cells"] + [r["total"]] for r in body["table"]} == {("deny",): [3, 2, 5], ("allow",): [1, 2, 3]}
    assert body["column_totals"] == [4, 4]
    no_other = sheet.pivot_table(SHEET, None, PivotTable(("action",), "user", top=1, other=False)).to_json()
    assert no_other["other"] is False and no_other["column_totals"] == [4] and no_other["total"] == 8


@pytest.mark.parametrize(
    ("agg", "deny_root", "total"),
    [
        (ir.Agg("sum", "bytes"), 155, 2055),
        (ir.Agg("max", "bytes"), 100, 1000),
        (ir.Agg("min", "n"), 5, 0),
        (ir.Agg("count_distinct", "name"), 3, 7),  # distinct names: the empty one counts, NULL does not
        (ir.Agg("count", "n"), 3, 7),
    ],
)
def test_pivot_table_aggregates(sheet: Workspace, agg: ir.Agg, deny_root: Any, total: Any) -> None:
    body = sheet.pivot_table(SHEET, None, PivotTable(("action",), "user", agg)).to_json()
    deny = next(r for r in body["table"] if r["keys"] == ["deny"])
    assert deny["cells"][body["columns"].index("root")] == deny_root
    assert body["total"] == total


def test_pivot_table_first_and_last_seen(sheet: Workspace) -> None:
    body = sheet.pivot_table(SHEET, None, PivotTable(("user",), "action", ir.Agg("first"))).to_json()
    root = next(r for r in body["table"] if r["keys"] == ["root"])
    assert body["value"] == "first seen of ts" and body["value_type"] == "timestamp"
    assert root["cells"][body["columns"].index("deny")] == "2022-03-22T14:00:00Z" and root["total"] == "2022-03-22T14:00:00Z"
    last = sheet.pivot_table(SHEET, None, PivotTable(("user",), "action", ir.Agg("last", "ts"))).to_json()
    assert last["total"] == "2022-03-22T18:00:00Z"


def test_pivot_table_of_a_view_with_steps_and_two_row_keys(sheet: Workspace) -> None:
    view = ir.Query(steps=(ir.Explode("items", fields=("x",)),), where=parse_filter("user = 'bob'"))
    body = sheet.pivot_table(SHEET, view, PivotTable(("user", "action"), "items.x")).to_json()
    assert body["columns"] == ["2", "3", "4"]
    assert [(r["keys"], r["cells"]) for r in body["table"]] == [(["bob", "allow"], [1, 1, 1])]


def test_pivot_table_csv_neutralises_formulas(sheet: Workspace, tmp_path: Any) -> None:
    data = write_ndjson(tmp_path / "f.ndjson", [{"k": "=cmd()", "c": "+x"}, {"k": "=cmd()", "c": "y"}])
    sheet.import_paths([data], sheet="formulas")
    result = sheet.pivot_table("formulas", None, PivotTable(("k",), "c"))
    assert "".join(result.csv()) == "k,'+x,y,total\r\n'=cmd(),1,1,2\r\ntotal,1,1,2\r\n"


def test_pivot_table_spec_json_round_trip_and_refusals(sheet: Workspace) -> None:
    spec = PivotTable(("user",), "action", ir.Agg("max", "bytes"), top=3, other=False, limit=5)
    assert pivot_table_from_json(ir.node_to_json(spec)) == spec
    with pytest.raises(InvalidQuery, match="pivot.top"):
        pivot_table_from_json({"rows": ["a"], "columns": "b", "top": "3"})
    for bad, message in [
        (PivotTable((), "action"), "at least one row"),
        (PivotTable(("user",), "user"), "both a row and the column"),
        (PivotTable(("user",), "action", top=0), "1 to 200 columns"),
        (PivotTable(("user",), "nope"), "unknown column 'nope'"),
        (PivotTable(("user",), "action", ir.Agg("sum", "name")), "numeric column"),
        (PivotTable(("user",), "action", ir.Agg("first", "name")), "not one"),
    ]:
        with pytest.raises(InvalidQuery, match=message):
            sheet.pivot_table(SHEET, None, bad)


def test_element_fields_are_found_in_the_data(sheet: Workspace, tmp_path: Any) -> None:
    assert sheet.element_fields(SHEET, "items") == ["x"]
    data = write_ndjson(tmp_path / "r.ndjson", [{"r": [{"ARN": "a", "type": "t"}, {"ARN": "b"}, "text", 3]}, {"r": None}])
    sheet.import_paths([data], sheet="resources")
    assert sheet.element_fields("resources", "r") == ["ARN", "type"]
    view = ir.Query(steps=(ir.Explode("r", fields=("ARN", "type")),), columns=("r", "r.ARN"))
    got = sheet.query("resources", view)
    assert got.rows == [('{"ARN":"a","type":"t"}', "a"), ('{"ARN":"b"}', "b"), ("text", None), ("3", None)]
