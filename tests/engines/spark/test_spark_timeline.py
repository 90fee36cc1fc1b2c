"""A case's timeline on Spark: the union of per-sheet projections (each sheet read through its own Spark view)
answers the pages, the top-N-per-sheet first page, the totals, a search, groups and the stacked histogram
that DuckDB answers."""

from __future__ import annotations

from typing import Any

import pytest

from logsheet.export.render import json_value
from logsheet.workspace import Workspace, build_query
from timeline_fixtures import build_case


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("timeline")
    inputs = folder / "inputs"
    inputs.mkdir()
    workspace = Workspace.open(folder / "home")
    build_case(workspace, inputs)
    workspace.use_spark(engine=spark_engine)
    return workspace


def rows(page: Any) -> list[list[Any]]:
    return [[json_value(v) for v in row] for row in page.rows]


@pytest.mark.parametrize(
    ("where", "search", "sort"),
    [
        (None, None, []),
        ("sheet != 'notes'", None, []),
        (None, "root", ["-time"]),
        ("summary contains 'note'", None, ["sheet", "-time"]),
    ],
)
def test_spark_answers_the_timeline_duckdb_does(ws: Workspace, where: str | None, search: str | None, sort: list[str]) -> None:
    view = build_query(where=where, search=search, sort=sort)
    for offset, limit in ((0, 8), (6, 5), (0, 1000)):
        duck = ws.timeline("ir", view, limit=limit, offset=offset, engine="duckdb")
        spark = ws.timeline("ir", view, limit=limit, offset=offset, engine="spark")
        assert (spark.rowids, spark.total) == (duck.rowids, duck.total)
        assert rows(spark) == rows(duck)


def test_spark_groups_and_counts_the_timeline(ws: Workspace) -> None:
    view = build_query(group_by=["sheet"], aggs=["count", "count_distinct:ip"])
    assert rows(ws.timeline("ir", view, engine="spark")) == rows(ws.timeline("ir", view, engine="duckdb"))
    assert ws.timeline_count("ir", build_query(search="ana"), engine="spark") == 10
    stacked = ws.timeline_histogram("ir", buckets=12)  # the workspace runs views on Spark
    assert sum(stacked.by_sheet["notes"]) == 10
    assert [sum(c) for c in zip(*stacked.by_sheet.values(), strict=True)] == [b[2] for b in stacked.histogram.buckets]


def test_spark_filters_the_timeline_on_its_rows_annotations(ws: Workspace) -> None:
    # the last test of the module: it annotates (each sheet's annotations joined in its own branch)
    ws.annotate("secure", build_query(where="event = 'failed_password'"), star=True)
    first_note = ws.timeline("ir", build_query(where="sheet = 'notes'"), limit=1, engine="duckdb").rowids
    ws.annotate("notes", rowids=first_note, tag="seen")
    for where in ("starred", "tag = 'seen'", "starred or tag = 'seen'", "not starred and sheet = 'secure'"):
        view = build_query(where=where)
        duck = ws.timeline("ir", view, limit=1000, engine="duckdb")
        spark = ws.timeline("ir", view, limit=1000, engine="spark")
        assert duck.total and (spark.rowids, spark.total) == (duck.rowids, duck.total), where
        assert rows(spark) == rows(duck), where
