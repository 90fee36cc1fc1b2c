"""Column-to-column comparisons (``ir.CompareColumns``, ``a = column(b)``) run on DuckDB: equal values, values
that differ only by case, one side blank, both blank, numbers, text against numbers, JSON paths."""

from __future__ import annotations

import pytest

from compare_columns_cases import CASES, ROWS
from fixtures import write_ndjson
from logsheet.compiler import ViewPlan, to_sql
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Column, Schema
from logsheet.query.filterlang import format_filter, parse_filter
from logsheet.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("columns")
    data = write_ndjson(folder / "pairs.ndjson", ROWS)
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([data], sheet="pairs", format="json")
    return workspace


def test_the_sheet_has_the_types_the_cases_need(ws: Workspace) -> None:
    types = {c.name: c.type for c in ws.plan("pairs").schema}
    expected = {"a": "text", "b": "text", "n": "integer", "m": "integer", "f": "float", "j": "json"}
    assert {k: types[k] for k in expected} == expected


@pytest.mark.parametrize(("pred", "expected"), CASES, ids=[format_filter(p) for p, _ in CASES])
def test_compare_columns_on_duckdb(ws: Workspace, pred: ir.Predicate, expected: set[int]) -> None:
    query = ir.Query(where=pred, columns=("i",), sort=(ir.SortKey("i"),))
    found = {r[0] for r in ws.query("pairs", query, limit=100, with_total=False).rows}
    assert found == expected
    assert ws.count("pairs", ir.Query(where=pred)) == len(expected)
    # the filter text means the same
    assert ws.count("pairs", ir.Query(where=parse_filter(format_filter(pred)))) == len(expected)


SCHEMA = Schema([Column("a", "text"), Column("b", "text"), Column("n", "integer"), Column("t", "timestamp")])


def where_sql(pred: ir.Predicate) -> str:
    return to_sql(ViewPlan(ir.Query(where=pred), SCHEMA, ["/p.parquet"]).filtered.args["where"].this)


def test_sql() -> None:
    assert where_sql(ir.CompareColumns("a", "=", "b")) == '(COALESCE("a" = "b", FALSE))'
    assert where_sql(ir.CompareColumns("a", "!=", "b", False)) == '(NOT COALESCE(LOWER("a") = LOWER("b"), FALSE))'
    assert where_sql(ir.CompareColumns("n", "=", "t")) == '(COALESCE(CAST("n" AS TEXT) = CAST("t" AS TEXT), FALSE))'
    assert where_sql(ir.CompareColumns("a", "starts_with", "n")) == '(COALESCE(STARTS_WITH("a", CAST("n" AS TEXT)), FALSE))'


def test_unknown_columns_are_refused_by_name() -> None:
    with pytest.raises(InvalidQuery, match="unknown column 'c'"):
        where_sql(ir.CompareColumns("a", "=", "c"))
    with pytest.raises(InvalidQuery, match="unknown column 'z'"):
        where_sql(ir.CompareColumns("z", "=", "a"))


def test_the_column_names_are_names_not_sql() -> None:
    evil = 'b" OR 1=1 --'
    with pytest.raises(InvalidQuery, match="unknown column"):
        where_sql(ir.CompareColumns("a", "=", evil))


def test_json_round_trip_and_refusals() -> None:
    pred = ir.CompareColumns("a", "starts_with", "b.c", case_sensitive=False)
    data = ir.node_to_json(pred)
    assert data == {"kind": "columns", "column": "a", "op": "starts_with", "other": "b.c", "case_sensitive": False}
    assert ir.predicate_from_json(data) == pred
    assert ir.query_from_json(ir.query_to_json(ir.Query(where=ir.Not(pred)))).where == ir.Not(pred)
    with pytest.raises(InvalidQuery, match=r"where\.op: '<' is not one of"):
        ir.predicate_from_json({"kind": "columns", "column": "a", "op": "<", "other": "b"})
    with pytest.raises(InvalidQuery, match=r"where\.other: missing"):
        ir.predicate_from_json({"kind": "columns", "column": "a", "op": "="})
    with pytest.raises(InvalidQuery, match="CompareColumns.other"):
        ir.CompareColumns("a", "=", 3)  # type: ignore[arg-type]


def test_json_schema_has_the_node() -> None:
    from logsheet.core.ir_schema import definitions

    defs = definitions()
    node = defs["CompareColumns"]
    assert node["properties"]["kind"] == {"const": "columns"}
    assert node["properties"]["op"]["enum"] == list(ir.COLUMNS_OPS)
    assert node["required"] == ["kind", "column", "op", "other"] and node["additionalProperties"] is False
    assert {"$ref": "#/$defs/CompareColumns"} in defs["Predicate"]["anyOf"]
