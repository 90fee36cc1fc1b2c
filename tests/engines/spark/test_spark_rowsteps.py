"""Pivot tables and explode's element fields on DuckDB and on Spark: the same table (columns, cells, totals) from
both engines, on the shared suite's sheet (tests/ops_rows.py). The row steps themselves are cases of the shared
suite (test_spark_shared.py, ROW_STEP_CASES)."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.core.pivot_table import PivotTable
from logsheet.query.filterlang import parse_filter
from logsheet.workspace import Workspace
from ops_rows import ROWS

SHEET = "events"
EXPLODED = ir.Query(steps=(ir.Explode("items", fields=("x",)),), where=parse_filter("n >= 1"))


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("spark-rowsteps")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_ndjson(folder / "events.ndjson", ROWS)], sheet=SHEET)
    workspace.use_spark(engine=spark_engine)
    return workspace


@pytest.mark.parametrize(
    ("view", "spec"),
    [
        (None, PivotTable(("user",), "action")),
        (None, PivotTable(("action",), "user", top=1)),
        (None, PivotTable(("action", "ok"), "name", ir.Agg("count_distinct", "ip"), top=3)),
        (None, PivotTable(("action",), "user", ir.Agg("sum", "bytes"))),
        (None, PivotTable(("user",), "action", ir.Agg("max", "f"), other=False)),
        (None, PivotTable(("user",), "action", ir.Agg("first"))),
        (None, PivotTable(("user",), "action", ir.Agg("last", "ts"))),
        (EXPLODED, PivotTable(("user",), "items.x")),
    ],
    ids=[
        "count",
        "top 1 and other",
        "two row keys, count distinct",
        "sum",
        "max, no other",
        "first seen",
        "last seen",
        "explode",
    ],
)
def test_the_same_pivot_table_on_duckdb_and_spark(ws: Workspace, view: ir.Query | None, spec: PivotTable) -> None:
    duck = ws.pivot_table(SHEET, view, spec, engine="duckdb").to_json()
    spark = ws.pivot_table(SHEET, view, spec, engine="spark").to_json()
    assert spark == duck
    assert duck["table"]  # never two empty answers


def test_element_fields_on_spark(ws: Workspace) -> None:
    assert ws.element_fields(SHEET, "items") == ["x"]  # the workspace's views run on Spark here


def test_explode_of_a_column_of_only_blanks(ws: Workspace, tmp_path: Any) -> None:
    ws.import_paths([write_ndjson(tmp_path / "blank.ndjson", [{"k": "x", "arr": None}, {"k": "y", "arr": None}])], sheet="blank")
    view = ir.Query(steps=(ir.Explode("arr", fields=("v",), keep_empty=True),), columns=("k", "arr.v"))
    for engine in ("duckdb", "spark"):
        page = ws.query("blank", view, engine=engine)
        assert page.rows == [("x", None), ("y", None)], engine
