"""The paging plan (``compiler/paging.py``): which pages are read by row id, where a sorted page is probed
first, and the statements that do it; then those statements run on DuckDB against the one-pass page."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from logsheet.compiler import ViewPlan, paging
from logsheet.compiler.dialects import DUCKDB
from logsheet.core import ir
from logsheet.core.schema import Column, Schema
from logsheet.core.sqlnames import render
from logsheet.query.spellings import build_query

ROWS = 1000
START = dt.datetime(2022, 3, 22, tzinfo=dt.UTC)
SCHEMA = Schema([Column("ts", "timestamp"), Column("n", "integer"), Column("user", "text"), Column("day", "date")])


@pytest.fixture(scope="module")
def part(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("paging") / "part-0.parquet"
    table = pa.table(
        {
            "__rowid": pa.array(range(ROWS), pa.int64()),
            "__source": pa.array([1] * ROWS, pa.int32()),
            "ts": pa.array([START + dt.timedelta(seconds=i) for i in range(ROWS)], pa.timestamp("us", tz="UTC")),
            "n": pa.array([i % 97 for i in range(ROWS)], pa.int64()),
            "user": pa.array([f"u{i % 7}" for i in range(ROWS)]),
            "day": pa.array([START.date() + dt.timedelta(days=i // 100) for i in range(ROWS)], pa.date32()),
        }
    )
    pq.write_table(table, path, row_group_size=100)
    return str(path)


def plan(part: str, query: ir.Query) -> ViewPlan:
    return ViewPlan(query, SCHEMA, [part], DUCKDB, "ts")


def run(statement: object) -> list[tuple[object, ...]]:
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(render(statement)).fetchall()  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ the strategy
def test_which_pages_are_read_by_row_id(part: str) -> None:
    whole = plan(part, build_query())
    assert not paging.reads_by_id(whole) and not paging.reads_by_id(whole, paging.DEEP_OFFSET)
    assert paging.reads_by_id(whole, paging.DEEP_OFFSET + 1)  # deep into an unsorted view
    assert paging.reads_by_id(plan(part, build_query(where="n > 3")))  # filtered
    assert paging.reads_by_id(plan(part, build_query(search="u3")))  # searched
    assert paging.reads_by_id(plan(part, build_query(sort=["user"])))  # sorted
    grouped = plan(part, build_query(where="n > 3", sort=["user"], group_by=["user"], aggs=["count"]))
    assert not paging.reads_by_id(grouped, paging.DEEP_OFFSET + 1)  # groups: one pass, always


@pytest.mark.parametrize(
    ("query", "column"),
    [
        (build_query(sort=["-ts"]), "ts"),
        (build_query(sort=["n", "user"], where="user = 'u1'"), "n"),
        (build_query(sort=["day"]), "day"),
        (build_query(sort=["user"]), None),  # text: its statistics do not order the rows usefully
        (build_query(), None),
        (build_query(sort=["ts"], steps=(ir.Split("user", "u", 2),)), None),  # steps: derived values, no statistics
        (build_query(sort=["ts"], group_by=["user"], aggs=["count"]), None),
        (build_query(sort=["nope"]), None),
    ],
)
def test_the_probe_column(part: str, query: ir.Query, column: str | None) -> None:
    assert paging.probe_column(plan(part, query)) == column


def test_only_pages_near_the_start_are_probed(part: str) -> None:
    view = plan(part, build_query(sort=["-ts"]))
    assert paging.PagePlan(view, 100, paging.PROBE_MAX_ROWS - 100).probe_column() == "ts"
    assert paging.PagePlan(view, 100, paging.PROBE_MAX_ROWS - 99).probe_column() is None


def test_span_and_bound() -> None:
    assert paging.span(None, 5) is None and paging.span(3, None) is None and paging.span(4, 4) is None
    assert paging.span(1, 65) == (1, 65)
    assert paging.bound((1, 65), descending=True) == 64.0 and paging.bound((1, 65), descending=False) == 2.0
    end = START + dt.timedelta(seconds=6400)
    assert paging.bound((START, end), descending=True) == end - dt.timedelta(seconds=100)
    first, last = dt.date(2022, 1, 1), dt.date(2022, 1, 1) + dt.timedelta(days=128)
    assert paging.bound((first, last), descending=False) == dt.date(2022, 1, 3)
    assert paging.PROBE_FRACTION == 1 / 64


# ------------------------------------------------------------------------------------------ the statements
def test_the_statements(part: str) -> None:
    view = plan(part, build_query(sort=["-ts"], columns=["user"]))
    page = paging.PagePlan(view, 10, 20)
    ids = render(page.rowids_sql())
    assert ids.startswith('SELECT "__rowid" FROM') and ids.endswith('ORDER BY "ts" DESC, "__rowid" ASC LIMIT 10 OFFSET 20')
    probe = render(page.probe_sql((START, START + dt.timedelta(seconds=6400))))
    assert "WHERE \"ts\" >= CAST('2022-03-22T01:45:00+00:00' AS TIMESTAMPTZ)" in probe
    ascending = paging.PagePlan(plan(part, build_query(sort=["n"])), 10, 0)
    assert 'WHERE "n" <= 2.0' in render(ascending.probe_sql((1, 65)))
    rows = render(page.rows_for_ids_sql([5, 3]))
    assert 'WHERE "__rowid" IN (5, 3)' in rows and rows.startswith('SELECT "__rowid", "user" FROM')
    assert 'WHERE "__rowid" IN (NULL)' in render(page.rows_for_ids_sql([]))
    assert render(page.rows_sql()) == render(view.rows_sql(10, 20))
    span = render(paging.range_sql(view, "ts"))
    assert span.startswith('SELECT MIN("ts"), MAX("ts") FROM (SELECT') and span.endswith(") AS t")


@pytest.mark.parametrize(
    "query",
    [
        build_query(sort=["-ts"]),
        build_query(sort=["ts"], columns=["ts", "n"]),
        build_query(sort=["-n", "user"], where="user != 'u2'"),
        build_query(sort=["day"]),
    ],
)
def test_the_plan_reads_the_one_pass_page(part: str, query: ir.Query) -> None:
    """Probed, by id, or in one pass: the same rows in the same order."""
    view = plan(part, query)
    column = paging.probe_column(view)
    assert column is not None
    low, high = run(paging.range_sql(plan(part, build_query()), column))[0]
    found = paging.span(low, high)
    assert found is not None
    for limit, offset in ((10, 0), (3, 5), (200, 0)):
        page = paging.PagePlan(view, limit, offset)
        one_pass = run(page.rows_sql())
        ids = [r[0] for r in run(page.rowids_sql())]
        assert run(page.rows_for_ids_sql(ids)) == one_pass
        probed = [r[0] for r in run(page.probe_sql(found))]
        if len(probed) == limit:  # a full page at the probed end is the page
            assert probed == ids
        else:  # ... otherwise the caller reads the whole view: the probe found a prefix only
            assert probed == ids[: len(probed)]
    # the probed end is small: 1/64 of the range holds 16 of the 1000 rows by time, not a page of 200
    newest = paging.PagePlan(plan(part, build_query(sort=["-ts"])), 200, 0)
    ends = run(paging.range_sql(plan(part, build_query()), "ts"))[0]
    assert len(run(newest.probe_sql((ends[0], ends[1])))) == 16
