"""The annotation terms (starred, tag, comment) give the same rows on Spark as on DuckDB: the sheet's annotations
file is registered as a view beside its parts and joined on __rowid (tests/annotation_cases.py)."""

from __future__ import annotations

from typing import Any

import pytest

from annotation_cases import ACTIONS, CASES, ROWS
from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.query.filterlang import parse_filter
from logsheet.query.spellings import build_query
from logsheet.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("notes")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_ndjson(folder / "rows.ndjson", ROWS)], sheet="rows", format="json")
    for where, action in ACTIONS:
        workspace.annotate("rows", build_query(where), author="tester", **action)
    workspace.use_spark(engine=spark_engine)
    return workspace


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[t for t, _ in CASES])
def test_annotation_terms_on_spark(ws: Workspace, text: str, expected: set[int]) -> None:
    query = ir.Query(where=parse_filter(text), columns=("i",))
    for engine in ("duckdb", "spark"):
        found = {r[0] for r in ws.query("rows", query, limit=100, engine=engine, with_total=False).rows}
        assert found == expected, engine


def test_the_columns_and_a_new_star_on_spark(ws: Workspace) -> None:
    query = ir.Query(sort=(ir.SortKey("i"),))
    page = ws.query("rows", query, engine="spark")
    assert [c.name for c in page.columns][-3:] == ["starred", "tags", "comment"]
    assert page.rows[2][-3:] == (True, None, "Root login from 10.0.0.7 | checked")
    ws.annotate("rows", build_query("i = 5"), star=True)  # a new annotations file: a new view on Spark
    starred = ir.Query(where=parse_filter("starred"), columns=("i",))
    assert {r[0] for r in ws.query("rows", starred, engine="spark").rows} == {0, 2, 5}
    ws.remove_annotations("rows", build_query("i = 5"), star=True)
