"""``Workspace.context`` on Spark: the same rows around a row, in the same order, as on DuckDB — on a sheet whose
times tie and are sometimes blank (the scalar subquery and the null ordering go through Spark's dialect)."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures import write_ndjson
from logsheet.workspace import Workspace

ROWS = [{"n": i, "time": None if i % 7 == 3 else f"2024-05-01T10:0{(i * 5) % 4}:00Z"} for i in range(24)]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("context")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_ndjson(folder / "events.ndjson", ROWS)], sheet="events")
    workspace.import_paths([write_ndjson(folder / "plain.ndjson", [{"n": i} for i in range(9)])], sheet="plain")
    workspace.use_spark(engine=spark_engine)
    return workspace


@pytest.mark.parametrize("sheet", ["events", "plain"])
def test_spark_answers_the_context_duckdb_does(ws: Workspace, sheet: str) -> None:
    ids = ws.query(sheet, None, limit=100, engine="duckdb").rowids
    for rowid in (ids[0], ids[3], ids[len(ids) // 2], ids[-1]):
        duck = ws.context(sheet, rowid, 4, 4, engine="duckdb")
        spark = ws.context(sheet, rowid, 4, 4, engine="spark")
        assert (spark.rowids, spark.index, spark.order_by) == (duck.rowids, duck.index, duck.order_by)
        assert spark.to_json()["rows"] == duck.to_json()["rows"]
