"""The shared suite for formula columns, find/replace and URL parts: every case of tests/formula_cases.py
runs on DuckDB and on Spark, and both must show the same column type and values (DuckDB's are pinned in
tests/engines/test_formula_ops.py); the errors are the same errors at the same character."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

import pytest

from fixtures import write_ndjson
from formula_cases import ERRORS, FIND_REPLACE, FORMULAS, URL_PARTS, URLS
from logsheet.core import ir
from logsheet.core.errors import FilterSyntaxError
from logsheet.workspace import Workspace, build_query
from ops_rows import ROWS

SHEET, URL_SHEET = "events", "urls"
ENGINES = ("duckdb", "spark")


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("spark-formulas")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_ndjson(folder / "data" / "events.ndjson", ROWS)], sheet=SHEET)
    urls = [{"rid": i, "url": u} for i, u in enumerate(URLS, start=1)]
    workspace.import_paths([write_ndjson(folder / "data" / "urls.ndjson", urls)], sheet=URL_SHEET)
    workspace.use_spark(engine=spark_engine)
    return workspace


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.12g}")
    return value


def answer(ws: Workspace, step: ir.Step, name: str, engine: str, sheet: str = SHEET) -> tuple[str, list[Any]]:
    query = ir.Query(steps=(step,), columns=("rid", name), sort=(ir.SortKey("rid"),))
    page = ws.query(sheet, query, limit=100, engine=engine)
    return page.columns[1].type, [plain(r[1]) for r in page.rows]


@pytest.mark.parametrize(("formula", "type_", "expected"), FORMULAS, ids=[f[0] for f in FORMULAS])
def test_formula_same_on_both_engines(ws: Workspace, formula: str, type_: str, expected: list[Any]) -> None:
    step = ir.Formula("out", formula)
    duck = answer(ws, step, "out", "duckdb")
    assert duck == (type_, [plain(v) for v in expected])
    assert answer(ws, step, "out", "spark") == duck


@pytest.mark.parametrize(("formula", "position", "words"), ERRORS, ids=[e[0] for e in ERRORS])
def test_formula_errors_same_on_both_engines(ws: Workspace, formula: str, position: int, words: str) -> None:
    for engine in ENGINES:
        with pytest.raises(FilterSyntaxError) as caught:
            ws.query(SHEET, ir.Query(steps=(ir.Formula("out", formula),)), limit=1, engine=engine)
        assert (caught.value.position, words in caught.value.detail) == (position, True), engine


@pytest.mark.parametrize(("step", "expected"), FIND_REPLACE, ids=[f"{s.column}:{s.find}" for s, _ in FIND_REPLACE])
def test_find_replace_same_on_both_engines(ws: Workspace, step: ir.FindReplace, expected: list[Any]) -> None:
    for engine in ENGINES:
        assert answer(ws, step, step.name or step.column, engine) == ("text", expected), engine


def test_url_parts_same_on_both_engines(ws: Workspace) -> None:
    step = ir.UrlParts("url")
    for engine in ENGINES:
        page = ws.query(URL_SHEET, ir.Query(steps=(step,), sort=(ir.SortKey("rid"),)), limit=100, engine=engine)
        names = [c.name for c in page.columns]
        for part, expected in URL_PARTS.items():
            index = names.index(f"url.{part}")
            assert [r[index] for r in page.rows] == expected, (engine, part)


def test_formula_in_filter_and_group_on_both_engines(ws: Workspace) -> None:
    steps = (ir.Formula("net", "ip_network(ip, 8)"), ir.Formula("private", "is_private(ip)"))
    query = build_query(where="private = true", group_by=["net"], sort=["net"], steps=steps)
    answers = [[tuple(r) for r in ws.query(SHEET, query, limit=100, engine=e).rows] for e in ENGINES]
    assert answers[0] == answers[1] == [("10.0.0.0/8", 3), ("192.0.0.0/8", 1), (None, 1)]
