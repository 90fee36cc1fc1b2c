"""Column-to-column comparisons (``ir.CompareColumns``) give the same rows on Spark as on DuckDB, on the sheet and
answers of tests/compare_columns_cases.py (equal, differing by case, one side blank, both blank, numbers, text
against numbers, JSON paths)."""

from __future__ import annotations

from typing import Any

import pytest

from compare_columns_cases import CASES, ROWS
from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.query.filterlang import format_filter
from logsheet.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("columns")
    data = write_ndjson(folder / "pairs.ndjson", ROWS)
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([data], sheet="pairs", format="json")
    workspace.use_spark(engine=spark_engine)
    return workspace


@pytest.mark.parametrize(("pred", "expected"), CASES, ids=[format_filter(p) for p, _ in CASES])
def test_compare_columns_on_spark(ws: Workspace, pred: ir.Predicate, expected: set[int]) -> None:
    query = ir.Query(where=pred, columns=("i",), sort=(ir.SortKey("i"),))
    for engine in ("duckdb", "spark"):
        found = {r[0] for r in ws.query("pairs", query, limit=100, engine=engine, with_total=False).rows}
        assert found == expected, engine
