"""Formula columns, find/replace and URL parts through the Python API on DuckDB: the values a user sees in
the new column, for the known rows of tests/ops_rows.py (cases in formula_cases.py; the same cases run on
Spark in tests/engines/spark/test_spark_formulas.py)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

import pytest

from fixtures import write_ndjson
from formula_cases import ERRORS, FIND_REPLACE, FORMULAS, URL_PARTS, URLS
from logsheet.core import ir
from logsheet.core.errors import FilterSyntaxError, InvalidQuery
from logsheet.query.formulalang import formula_step
from logsheet.workspace import Workspace, build_query
from ops_rows import ROWS

SHEET, URL_SHEET = "events", "urls"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("formulas")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_ndjson(folder / "data" / "events.ndjson", ROWS)], sheet=SHEET)
    urls = [{"rid": i, "url": u} for i, u in enumerate(URLS, start=1)]
    workspace.import_paths([write_ndjson(folder / "data" / "urls.ndjson", urls)], sheet=URL_SHEET)
    return workspace


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.12g}")
    return value


def new_column(ws: Workspace, step: ir.Step, name: str, sheet: str = SHEET, engine: str | None = None) -> tuple[str, list[Any]]:
    query = ir.Query(steps=(step,), columns=("rid", name), sort=(ir.SortKey("rid"),))
    page = ws.query(sheet, query, limit=100, engine=engine)
    return page.columns[1].type, [plain(r[1]) for r in page.rows]


@pytest.mark.parametrize(("formula", "type_", "expected"), FORMULAS, ids=[f[0] for f in FORMULAS])
def test_formula_values(ws: Workspace, formula: str, type_: str, expected: list[Any]) -> None:
    got_type, values = new_column(ws, ir.Formula("out", formula), "out")
    assert got_type == type_
    assert values == [plain(v) for v in expected]


@pytest.mark.parametrize(("formula", "position", "words"), ERRORS, ids=[e[0] for e in ERRORS])
def test_formula_errors_are_placed_at_the_character(ws: Workspace, formula: str, position: int, words: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        ws.query(SHEET, ir.Query(steps=(ir.Formula("out", formula),)), limit=1)
    assert caught.value.position == position, str(caught.value)
    assert words in caught.value.detail


def test_formula_column_in_where_group_sort_and_columns(ws: Workspace) -> None:
    steps = (formula_step("big = n > 4"), formula_step("label = if(big, 'big:' & user, 'small')"))
    page = ws.query(SHEET, build_query(where="big = true", columns=["rid", "label"], sort=["-rid"], steps=steps), limit=100)
    assert [tuple(r) for r in page.rows] == [(8, "big:root"), (5, "big:root"), (4, "big:bob"), (3, "big:"), (1, "big:root")]
    grouped = ws.query(SHEET, build_query(group_by=["label"], sort=["label"], steps=steps), limit=100)
    assert [tuple(r) for r in grouped.rows] == [("big:", 1), ("big:bob", 1), ("big:root", 3), ("small", 3)]


def test_formula_name_must_be_new(ws: Workspace) -> None:
    with pytest.raises(InvalidQuery, match="already exists"):
        ws.query(SHEET, ir.Query(steps=(ir.Formula("N", "1"),)), limit=1)
    with pytest.raises(InvalidQuery, match="needs a name"):
        ws.query(SHEET, ir.Query(steps=(ir.Formula(" ", "1"),)), limit=1)


def test_formula_survives_a_saved_view(ws: Workspace) -> None:
    view = build_query(where="hot = true", steps=(formula_step("hot = msg contains 'Failed' and user = 'root'"),))
    ws.save_view(SHEET, "hot rows", view)
    saved = next(v for v in ws.views(SHEET) if v["name"] == "hot rows")
    assert ir.query_from_json(saved["query"]) == view
    assert ws.count(SHEET, view) == 3


@pytest.mark.parametrize(("step", "expected"), FIND_REPLACE, ids=[f"{s.column}:{s.find}" for s, _ in FIND_REPLACE])
def test_find_replace(ws: Workspace, step: ir.FindReplace, expected: list[Any]) -> None:
    got_type, values = new_column(ws, step, step.name or step.column)
    assert got_type == "text"
    assert values == expected


def test_find_replace_refuses_bad_input(ws: Workspace) -> None:
    for step, words in [
        (ir.FindReplace("msg", "(", "", regex=True), "invalid regular expression"),
        (ir.FindReplace("msg", "a", "\\x", regex=True), "backslash"),
        (ir.FindReplace("msg", "", "x"), "needs the text"),
        (ir.FindReplace("nope", "a", "b"), "unknown column"),
        (ir.FindReplace("msg", "a", "b", name="user"), "already exists"),
    ]:
        with pytest.raises(InvalidQuery, match=words):
            ws.query(SHEET, ir.Query(steps=(step,)), limit=1)


@pytest.mark.parametrize("part", list(URL_PARTS))
def test_url_parts(ws: Workspace, part: str) -> None:
    got_type, values = new_column(ws, ir.UrlParts("url", (part,)), f"url.{part}", URL_SHEET)
    assert got_type == "text"
    assert values == URL_PARTS[part]


def test_url_parts_all_at_once_and_refusals(ws: Workspace) -> None:
    info = ws.query(URL_SHEET, ir.Query(steps=(ir.UrlParts("url"),)), limit=1)
    assert [c.name for c in info.columns][-5:] == [f"url.{p}" for p in ir.URL_PARTS]
    for parts, words in [((), "no URL part"), (("port",), "not a URL part"), (("host", "host"), "once")]:
        with pytest.raises(InvalidQuery, match=words):
            ws.query(URL_SHEET, ir.Query(steps=(ir.UrlParts("url", parts),)), limit=1)


def test_registered_domain_agrees_with_tldextract(ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The SQL suffix logic against tldextract itself (its bundled snapshot, no network) on tricky hosts."""
    tldextract = pytest.importorskip("tldextract")
    hosts = [
        "www.example.co.uk", "a.b.c.example.com", "example.com", "co.uk", "city.kobe.jp", "www.city.kobe.jp",
        "x.y.kobe.jp", "kobe.jp", "www.ck", "a.www.ck", "b.a.ck", "user.github.io", "s3.amazonaws.com",
        "foo.bar.internal", "localhost", "xn--fiqs8s", "a.b.xn--fiqs8s", "test.gov.uk", "a.sch.uk", "b.a.sch.uk",
        "mail.google.com.au", "203.0.113.9",
    ]  # fmt: skip
    folder = tmp_path_factory.mktemp("hosts")
    ws.import_paths([write_ndjson(folder / "hosts.ndjson", [{"rid": i, "h": h} for i, h in enumerate(hosts)])], sheet="hosts")
    _, values = new_column(ws, ir.UrlParts("h", ("domain",)), "h.domain", "hosts")
    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)
    expected = [extract(h).top_domain_under_public_suffix or None for h in hosts]
    assert values == expected
