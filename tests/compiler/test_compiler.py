"""The IR -> SQL compiler: exact DuckDB SQL snapshots, injection safety, and a property test that random filters
compile and run on DuckDB. (The Spark dialect: tests/engines/spark/test_dialect_sql.py and test_spark_compiles.py.)"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logsheet.compiler import ViewPlan, to_sql
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Column, Schema
from logsheet.engines.duckdb import DuckEngine
from logsheet.query.filterlang import parse_filter

SCHEMA = Schema(
    [
        Column("eventName", "text"),
        Column("port", "integer"),
        Column("eventTime", "timestamp"),
        Column("requestParameters", "json"),
        Column("ip", "text"),
    ]
)
PATHS = ["/data/p1.parquet"]
SOURCE = "READ_PARQUET(['/data/p1.parquet'], union_by_name = TRUE)"
BASE = f'SELECT "__rowid", "__source", "eventName", "port", "eventTime", "requestParameters", "ip" FROM {SOURCE}'
OUT = '"__rowid", "eventName", "port", "eventTime", "requestParameters", "ip"'


def plan(**kw: Any) -> ViewPlan:
    return ViewPlan(ir.Query(**kw), SCHEMA, PATHS, time_column="eventTime")


def where_sql(text: str) -> str:
    """The WHERE condition a filter compiles to."""
    return to_sql(plan(where=parse_filter(text)).filtered.args["where"].this)


# ------------------------------------------------------------------------------------------ SQL snapshots
def test_plain_view() -> None:
    assert to_sql(plan().rows_sql(50, 100)) == f'SELECT {OUT} FROM ({BASE}) AS "t" ORDER BY "__rowid" ASC LIMIT 50 OFFSET 100'


def test_filtered_rows_and_count() -> None:
    view = plan(where=parse_filter("eventName = 'RunInstances'"))
    filtered = f'SELECT * FROM ({BASE}) AS "t" WHERE (COALESCE("eventName" = \'RunInstances\', FALSE))'
    assert to_sql(view.rows_sql(100)) == f'SELECT {OUT} FROM ({filtered}) AS "t" ORDER BY "__rowid" ASC LIMIT 100'
    assert to_sql(view.count_sql()) == f'SELECT COUNT(*) AS n FROM ({filtered}) AS "t"'


IPV4 = r"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$"

WHERE_SNAPSHOTS = [
    ("port != 22", '(COALESCE("port" IS DISTINCT FROM 22, FALSE))'),
    ("port = 22", '(COALESCE("port" = 22, FALSE))'),
    ("port >= 1024", '(COALESCE("port" >= 1024, FALSE))'),
    ("port in (22, 3389)", '(COALESCE("port" IN (22, 3389), FALSE))'),
    ("port not in (22, null)", '(NOT COALESCE("port" IN (22) OR "port" IS NULL, FALSE))'),
    ("eventName not in ('a') nocase", "(NOT COALESCE(LOWER(\"eventName\") IN (LOWER('a')), FALSE))"),
    ("port between 1 and 1024", '(COALESCE("port" BETWEEN 1 AND 1024, FALSE))'),
    ("port not between 1 and 1024", '(NOT COALESCE("port" BETWEEN 1 AND 1024, FALSE))'),
    ("eventName contains 'Run' nocase", "(COALESCE(STRPOS(LOWER(\"eventName\"), LOWER('Run')) > 0, FALSE))"),
    ("eventName starts with 'Run'", "(COALESCE(STARTS_WITH(\"eventName\", 'Run'), FALSE))"),
    ("eventName not ends with 'ces'", "(NOT COALESCE(ENDS_WITH(\"eventName\", 'ces'), FALSE))"),
    (r"eventName matches 'Run\w+'", "(COALESCE(REGEXP_MATCHES(\"eventName\", 'Run\\w+'), FALSE))"),
    (r"eventName matches '^run' nocase", "(COALESCE(REGEXP_MATCHES(\"eventName\", '(?i)^run'), FALSE))"),
    ("eventName is blank", '(COALESCE("eventName" IS NULL OR TRIM("eventName") = \'\', FALSE))'),
    ("port is not blank", '(NOT COALESCE("port" IS NULL, FALSE))'),
    (
        "ip in cidr '10.0.0.0/8'",
        f"(COALESCE(REGEXP_MATCHES(\"ip\", '{IPV4}') AND (TRY_CAST(SPLIT_PART(\"ip\", '.', 1) AS BIGINT) * 16777216 + "
        "TRY_CAST(SPLIT_PART(\"ip\", '.', 2) AS BIGINT) * 65536 + TRY_CAST(SPLIT_PART(\"ip\", '.', 3) AS BIGINT) * 256 + "
        "TRY_CAST(SPLIT_PART(\"ip\", '.', 4) AS BIGINT)) BETWEEN 167772160 AND 184549375, FALSE))",
    ),
    (
        "ip in cidr '2001:db8::/32'",
        "(COALESCE(CASE WHEN STRPOS(\"ip\", ':') > 0 "
        "THEN LOGSHEET_IPV6_IN_NETWORK(\"ip\", '2001:db8::/32') ELSE FALSE END, FALSE))",
    ),
    (
        "requestParameters.instancesSet.items[0].imageId = 'ami-1'",
        "(COALESCE((\"requestParameters\" ->> '$.instancesSet.items[0].imageId') = 'ami-1', FALSE))",
    ),
    ("requestParameters.count > 2", "(COALESCE(TRY_CAST(\"requestParameters\" ->> '$.count' AS DOUBLE) > 2.0, FALSE))"),
    (
        "eventTime >= '2022-03-22T15:00:00Z'",
        "(COALESCE(\"eventTime\" >= CAST('2022-03-22 15:00:00+00:00' AS TIMESTAMPTZ), FALSE))",
    ),
    ("eventName = 'x' nocase", "(COALESCE(LOWER(\"eventName\") = LOWER('x'), FALSE))"),
    ("eventName = 'it''s'", "(COALESCE(\"eventName\" = 'it''s', FALSE))"),
    (
        "not (port = 22 or eventName = 'a') and port > 1",
        '((NOT ((COALESCE("port" = 22, FALSE)) OR (COALESCE("eventName" = \'a\', FALSE)))) AND (COALESCE("port" > 1, FALSE)))',
    ),
]


@pytest.mark.parametrize(("text", "expected"), WHERE_SNAPSHOTS, ids=[t for t, _ in WHERE_SNAPSHOTS])
def test_filter_snapshots(text: str, expected: str) -> None:
    assert where_sql(text) == expected


def test_search_snapshot() -> None:
    """Letters: every column that can show them (not the integer port, not the time), lower-cased."""
    columns = ("eventName", "requestParameters", "ip")
    hits = " OR ".join(f"STRPOS(LOWER(CAST(\"{c}\" AS TEXT)), 'failed pw') > 0" for c in columns)
    assert to_sql(plan(search="Failed PW").filtered.args["where"].this) == f"(COALESCE(({hits}), FALSE))"


def test_search_without_letters_skips_lower() -> None:
    """An address has no letters: no LOWER, and the integer port cannot hold a dot."""
    columns = ("eventName", "eventTime", "requestParameters", "ip")
    hits = " OR ".join(f"STRPOS(CAST(\"{c}\" AS TEXT), '10.0.0.1') > 0" for c in columns)
    assert to_sql(plan(search="10.0.0.1").filtered.args["where"].this) == f"(COALESCE(({hits}), FALSE))"
    assert "port" in to_sql(plan(search="8080").filtered.args["where"].this)


def test_split_step_snapshot() -> None:
    view = plan(steps=(ir.Split("eventName", "-", 2),), columns=("eventName_2",))
    inner = (
        'SELECT "__rowid", "__source", "eventName", "port", "eventTime", "requestParameters", "ip", '
        "NULLIF(STR_SPLIT(\"eventName\", '-')[1], '') AS \"eventName_1\", "
        "NULLIF(STR_SPLIT(\"eventName\", '-')[2], '') AS \"eventName_2\" "
        f'FROM ({BASE}) AS "t"'
    )
    assert to_sql(view.rows_sql(10)) == f'SELECT "__rowid", "eventName_2" FROM ({inner}) AS "t" ORDER BY "__rowid" ASC LIMIT 10'


def test_split_collapse_keep_rest_snapshot() -> None:
    view = plan(steps=(ir.Split("eventName", " ", 2, names=("a", "b"), keep_rest=True, collapse=True),), columns=("b",))
    sql = to_sql(view.rows_sql(None))
    assert "NULLIF(STR_SPLIT_REGEX(TRIM(\"eventName\"), ' +')[1], '') AS \"a\"" in sql
    assert "NULLIF(ARRAY_TO_STRING(LIST_SLICE(STR_SPLIT_REGEX(TRIM(\"eventName\"), ' +'), 2, -1), ' '), '') AS \"b\"" in sql
    assert "LIMIT" not in sql


def test_regex_extract_snapshot() -> None:
    view = plan(steps=(ir.RegexExtract("eventName", r"from (?P<src>\S+) port (?P<port_no>\d+)"),), columns=("src",))
    sql = to_sql(view.rows_sql(10))
    assert (
        "NULLIF(REGEXP_EXTRACT(\"eventName\", 'from (?P<src>\\S+) port (?P<port_no>\\d+)', 1), '') AS \"src\", "
        "NULLIF(REGEXP_EXTRACT(\"eventName\", 'from (?P<src>\\S+) port (?P<port_no>\\d+)', 2), '') AS \"port_no\"" in sql
    )


def test_group_snapshot_default_order() -> None:
    view = plan(
        group=ir.GroupBy(
            ("eventName", "port"),
            (ir.Agg("count"), ir.Agg("count_distinct", "ip"), ir.Agg("first", "ip"), ir.Agg("last", "eventTime")),
        )
    )
    assert to_sql(view.groups_sql(10)) == (
        'SELECT "eventName", "port", COUNT(*) AS "count", COUNT(DISTINCT "ip") AS "count_distinct_ip", '
        'ARG_MIN("ip", "eventTime") AS "first_ip", MAX("eventTime") AS "last_eventTime" '
        f'FROM ({BASE}) AS "t" GROUP BY "eventName", "port" '
        'ORDER BY "count" DESC, "eventName" ASC, "port" ASC LIMIT 10'
    )
    assert to_sql(view.rows_sql(10)) == to_sql(view.groups_sql(10))


def test_group_snapshot_sorted_paged_and_counted() -> None:
    view = plan(where=parse_filter("eventName = 'x'"), group=ir.GroupBy(("eventName",)), sort=(ir.SortKey("count", True),))
    filtered = f'SELECT * FROM ({BASE}) AS "t" WHERE (COALESCE("eventName" = \'x\', FALSE))'
    grouped = f'SELECT "eventName", COUNT(*) AS "count" FROM ({filtered}) AS "t" GROUP BY "eventName"'
    assert to_sql(view.groups_sql(20, 40)) == f'{grouped} ORDER BY "count" DESC, "eventName" ASC LIMIT 20 OFFSET 40'
    assert to_sql(view.count_sql()) == f"SELECT COUNT(*) AS n FROM ({grouped}) AS t"


def test_group_with_json_path_step_and_sum() -> None:
    view = plan(
        steps=(ir.ExtractJson("requestParameters.bucketName", "bucket"),),
        group=ir.GroupBy(("bucket",), (ir.Agg("min", "eventTime"), ir.Agg("sum", "port"))),
    )
    assert to_sql(view.groups_sql(None)) == (
        'SELECT "bucket", MIN("eventTime") AS "min_eventTime", SUM("port") AS "sum_port" FROM ('
        'SELECT "__rowid", "__source", "eventName", "port", "eventTime", "requestParameters", "ip", '
        '"requestParameters" ->> \'$.bucketName\' AS "bucket" '
        f'FROM ({BASE}) AS "t") AS "t" GROUP BY "bucket" ORDER BY "bucket" ASC'
    )


def test_sort_and_columns_snapshot() -> None:
    view = plan(sort=(ir.SortKey("port", True), ir.SortKey("eventName")), columns=("eventName", "port"))
    assert to_sql(view.rows_sql(100)) == (
        f'SELECT "__rowid", "eventName", "port" FROM ({BASE}) AS "t" '
        'ORDER BY "port" DESC, "eventName" ASC, "__rowid" ASC LIMIT 100'
    )
    by_path = plan(columns=("requestParameters.bucketName", "port"), sort=(ir.SortKey("requestParameters.bucketName"),))
    assert to_sql(by_path.rows_sql(5, with_rowid=False)) == (
        'SELECT "requestParameters" ->> \'$.bucketName\' AS "requestParameters.bucketName", "port" '
        f'FROM ({BASE}) AS "t" ORDER BY "requestParameters" ->> \'$.bucketName\' ASC, "__rowid" ASC LIMIT 5'
    )


def test_output_columns_and_types() -> None:
    view = plan(
        steps=(ir.Cast("port", "text"),),
        group=ir.GroupBy(("port",), (ir.Agg("count"), ir.Agg("max", "eventTime"))),
    )
    assert [(c.name, c.type) for c in view.columns()] == [("port", "text"), ("count", "integer"), ("max_eventTime", "timestamp")]


# ---------------------------------------------------------------------------------------------- injection
HOSTILE = ['a"b', "it's", "x; DROP TABLE victim; --", "back`tick", "-- comment", "semi;colon", "new\nline", "é ü 中"]
HOSTILE_VALUES = ["x' OR 1=1 --", "'; DROP TABLE victim; --", '"); DROP TABLE victim; --', "plain"]


def test_hostile_names_are_quoted_identifiers() -> None:
    schema = Schema([Column(name, "text") for name in HOSTILE])
    for name in HOSTILE:
        view = ViewPlan(ir.Query(where=ir.Compare(name, "=", "v"), columns=(name,)), schema, PATHS)
        duck = to_sql(view.rows_sql(10))
        assert '"' + name.replace('"', '""') + '"' in duck
        spark = to_sql(view.rows_sql(10), "spark")
        assert "`" + name.replace("`", "``") + "`" in spark


def test_hostile_values_are_literals() -> None:
    for value in HOSTILE_VALUES:
        sql = where_sql(f"eventName = '{value.replace(chr(39), chr(39) * 2)}'")
        assert sql == '(COALESCE("eventName" = \'' + value.replace("'", "''") + "', FALSE))"


@pytest.fixture
def hostile_parquet(tmp_path: Path) -> tuple[Path, Schema]:
    columns: dict[str, list[Any]] = {"__rowid": [1, 2, 3, 4, 5], "__source": [1, 1, 1, 1, 1]}
    for name in HOSTILE:
        columns[name] = [f"{i}:{name}" for i in range(5)]
    columns["it's"] = HOSTILE_VALUES + [None]
    path = tmp_path / "hostile.parquet"
    pq.write_table(pa.table(columns), path)
    return path, Schema([Column(name, "text") for name in HOSTILE])


def test_hostile_names_and_values_run_on_duckdb(tmp_path: Path, hostile_parquet: tuple[Path, Schema]) -> None:
    path, schema = hostile_parquet
    engine = DuckEngine(tmp_path / "spill")
    cursor = engine.cursor()
    cursor.execute("CREATE TABLE victim AS SELECT 42 AS answer")

    def run(query: ir.Query) -> list[tuple[Any, ...]]:
        return engine.fetch(ViewPlan(query, schema, [str(path)]).rows_sql(100)).rows

    # every hostile column can be selected, filtered, sorted and grouped on
    for i, name in enumerate(HOSTILE):
        if name == "it's":
            continue
        rows = run(ir.Query(where=ir.Compare(name, "=", f"3:{name}"), columns=(name,), sort=(ir.SortKey(name, True),)))
        assert rows == [(4, f"3:{name}")], name
        groups = engine.fetch(ViewPlan(ir.Query(group=ir.GroupBy((name,))), schema, [str(path)]).groups_sql(2)).rows
        assert groups == [(f"0:{name}", 1), (f"1:{name}", 1)], i
    # hostile values match only themselves
    for n, value in enumerate(HOSTILE_VALUES, start=1):
        assert run(ir.Query(where=ir.Compare("it's", "=", value), columns=("it's",))) == [(n, value)]
        assert run(ir.Query(where=ir.TextMatch("it's", "contains", value), columns=("it's",))) == [(n, value)]
        assert len(run(ir.Query(where=ir.Compare("it's", "!=", value), columns=("it's",)))) == 4
        assert run(ir.Query(where=ir.InList("it's", (value, "nope")), columns=("it's",))) == [(n, value)]
    assert run(ir.Query(where=ir.Regex("it's", re.escape("x' OR 1=1 --")), columns=("it's",))) == [(1, "x' OR 1=1 --")]
    # search for a hostile string
    assert [r[0] for r in run(ir.Query(search="OR 1=1"))] == [1]
    assert [r[0] for r in run(ir.Query(search="'; drop"))] == [2]
    # derived columns named with hostile names
    rows = run(
        ir.Query(
            steps=(ir.Combine(('a"b', "back`tick"), "'; --", 'x"; DROP TABLE victim; --'),),
            columns=('x"; DROP TABLE victim; --',),
        )
    )
    assert rows[0] == (1, "0:a\"b'; --0:back`tick")
    # the table survived every statement
    assert cursor.execute("SELECT answer FROM victim").fetchall() == [(42,)]


def test_hostile_names_through_the_filter_language(tmp_path: Path, hostile_parquet: tuple[Path, Schema]) -> None:
    from logsheet.query.filterlang import quote_name, quote_string

    path, schema = hostile_parquet
    engine = DuckEngine(tmp_path / "spill")
    for name in HOSTILE:
        if name == "it's":
            value = HOSTILE_VALUES[1]
            expected = [(2, value)]
        else:
            value = f"2:{name}"
            expected = [(3, value)]
        predicate = parse_filter(f"{quote_name(name)} = {quote_string(value)}")
        rows = engine.fetch(ViewPlan(ir.Query(where=predicate, columns=(name,)), schema, [str(path)]).rows_sql(10)).rows
        assert rows == expected, name


def test_json_path_keys_are_literals_not_sql(tmp_path: Path) -> None:
    schema = Schema([Column("doc", "json")])
    key = "it's\"; DROP TABLE victim; --"
    predicate = ir.Compare(f"doc.{key}", "=", "v")
    sql = to_sql(ViewPlan(ir.Query(where=predicate), schema, PATHS).filtered.args["where"].this)
    assert sql == "(COALESCE((\"doc\" ->> '$.\"it''s\\\"; DROP TABLE victim; --\"') = 'v', FALSE))"
    path = tmp_path / "doc.parquet"
    docs = ['{"it\'s\\"; DROP TABLE victim; --": "v"}', '{"it\'s": "v"}', None]
    pq.write_table(pa.table({"__rowid": [1, 2, 3], "__source": [1, 1, 1], "doc": docs}), path)
    engine = DuckEngine(tmp_path / "spill")
    rows = engine.fetch(ViewPlan(ir.Query(where=predicate), schema, [str(path)]).rows_sql(10)).rows
    assert [r[0] for r in rows] == [1]
    plain = ir.Compare("doc.it's", "=", "v")
    assert [r[0] for r in engine.fetch(ViewPlan(ir.Query(where=plain), schema, [str(path)]).rows_sql(10)).rows] == [2]


# ---------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "query",
    [
        ir.Query(where=ir.Compare("nope", "=", 1)),
        ir.Query(where=ir.Compare("port", "=", "abc")),
        ir.Query(where=ir.Compare("port", "<", None)),
        ir.Query(where=ir.InList("port", ())),
        ir.Query(where=ir.And(())),
        ir.Query(where=ir.InCidr("ip", "not-a-network")),
        ir.Query(where=ir.Compare("eventTime", ">", "not a time")),
        ir.Query(steps=(ir.Split("eventName", " ", 300),)),
        ir.Query(steps=(ir.RegexExtract("eventName", "(?P<a>"),)),
        ir.Query(steps=(ir.Split("eventName", " ", 2, names=("port", "x")),)),
        ir.Query(group=ir.GroupBy(())),
        ir.Query(group=ir.GroupBy(("eventName",), ())),
        ir.Query(group=ir.GroupBy(("eventName",), (ir.Agg("avg", "eventName"),))),
    ],
)
def test_invalid_queries_raise_invalid_query(query: ir.Query) -> None:
    with pytest.raises(InvalidQuery):
        view = ViewPlan(query, SCHEMA, PATHS, time_column="eventTime")
        view.columns()
        view.rows_sql(10)
        view.count_sql()


def test_first_without_time_column_is_a_clear_error() -> None:
    view = ViewPlan(ir.Query(group=ir.GroupBy(("eventName",), (ir.Agg("first", "ip"),))), SCHEMA, PATHS, time_column=None)
    with pytest.raises(InvalidQuery, match="time column"):
        view.groups_sql(10)


# ------------------------------------------------------------------------------------------ property test
PROPERTY_SCHEMA = Schema(
    [
        Column("name", "text"),
        Column("n", "integer"),
        Column("f", "float"),
        Column("ts", "timestamp"),
        Column("ok", "boolean"),
        Column("doc", "json"),
        Column("ip", "text"),
    ]
)
PROPERTY_ROWS = {
    "__rowid": [1, 2, 3, 4, 5, 6],
    "__source": [1] * 6,
    "name": ["alice", "Bob", None, "", "  x  ", "it's; -- é"],
    "n": [0, -5, None, 2**62, 7, 42],
    "f": [0.5, -1e300, None, 3.0, float("nan"), 2.5],
    "ts": [datetime(2022, 3, 22, 15, tzinfo=UTC), None, datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC),
           datetime(2022, 3, 22, 15, 0, 1, tzinfo=UTC), datetime(2000, 2, 29, tzinfo=UTC)],
    "ok": [True, False, None, True, False, None],
    "doc": ['{"k": "v", "a": [1, {"b": 2}]}', '{"k": 5}', None, "[]", '{"k": null}', '{"k": "it\'s"}'],
    "ip": ["10.0.0.1", "2001:db8::1", None, "not an ip", "255.255.255.255", "::ffff:10.0.0.1"],
}  # fmt: skip

texts = st.text(max_size=12)
text_columns = st.sampled_from(["name", "ip", "doc.k", "doc.a[1].b", "doc.a[0]"])
scalars_for = {
    "n": st.integers(min_value=-(2**63), max_value=2**63 - 1),
    "f": st.floats(allow_nan=False, allow_infinity=False),
    "ts": st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)).map(
        lambda d: d.isoformat()
    ),
    "ok": st.booleans(),
}


def _leaf() -> st.SearchStrategy[ir.Predicate]:
    typed = st.sampled_from(sorted(scalars_for)).flatmap(
        lambda c: st.one_of(
            st.builds(ir.Compare, st.just(c), st.sampled_from(ir.COMPARE_OPS), scalars_for[c]),
            st.builds(ir.InList, st.just(c), st.lists(scalars_for[c], min_size=1, max_size=3).map(tuple), st.booleans()),
            st.builds(ir.Between, st.just(c), scalars_for[c], scalars_for[c], st.booleans()),
            st.builds(ir.Blank, st.just(c), st.booleans()),
        )
    )
    textual = st.one_of(
        st.builds(ir.Compare, text_columns, st.sampled_from(ir.COMPARE_OPS), texts, case_sensitive=st.booleans()),
        st.builds(ir.Compare, text_columns, st.sampled_from(("<", ">", "=")), st.integers(-1000, 1000)),
        st.builds(ir.InList, text_columns, st.lists(texts, min_size=1, max_size=3).map(tuple), st.booleans(), st.booleans()),
        st.builds(ir.Between, text_columns, texts, texts, st.booleans()),
        st.builds(ir.TextMatch, text_columns, st.sampled_from(ir.TEXT_OPS), texts, st.booleans(), st.booleans()),
        st.builds(ir.Regex, text_columns, texts.map(re.escape), st.booleans(), st.booleans()),
        st.builds(ir.Blank, text_columns, st.booleans()),
        st.builds(
            ir.InCidr,
            st.just("ip"),
            st.one_of(
                st.ip_addresses(v=4).flatmap(
                    lambda a: st.integers(0, 32).map(lambda p: str(ipaddress.ip_network(f"{a}/{p}", strict=False)))
                ),
                st.ip_addresses(v=6).flatmap(
                    lambda a: st.integers(0, 128).map(lambda p: str(ipaddress.ip_network(f"{a}/{p}", strict=False)))
                ),
            ),
            st.booleans(),
        ),
        st.builds(ir.Search, texts),
    )
    all_columns = st.sampled_from(["name", "ip", "doc", "doc.k", "doc.a[0]", "n", "f", "ts", "ok"])
    columns = st.builds(ir.CompareColumns, all_columns, st.sampled_from(ir.COLUMNS_OPS), all_columns, st.booleans())
    return st.one_of(typed, textual, columns)


predicates = st.recursive(
    _leaf(),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda items: ir.And(tuple(items))),
        st.lists(children, min_size=1, max_size=3).map(lambda items: ir.Or(tuple(items))),
        children.map(ir.Not),
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def property_engine(tmp_path_factory: pytest.TempPathFactory) -> tuple[DuckEngine, str]:
    folder = tmp_path_factory.mktemp("property")
    path = folder / "rows.parquet"
    table = pa.table(
        {
            **{k: v for k, v in PROPERTY_ROWS.items() if k not in ("ts",)},
            "ts": pa.array(PROPERTY_ROWS["ts"], pa.timestamp("us", tz="UTC")),
        }
    )
    pq.write_table(table, path)
    return DuckEngine(folder / "spill"), str(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(predicate=predicates)
def test_random_filters_compile_and_run(property_engine: tuple[DuckEngine, str], predicate: ir.Predicate) -> None:
    engine, path = property_engine
    view = ViewPlan(ir.Query(where=predicate, columns=("name",)), PROPERTY_SCHEMA, [path], time_column="ts")
    inverse = ViewPlan(ir.Query(where=ir.Not(predicate), columns=("name",)), PROPERTY_SCHEMA, [path], time_column="ts")
    try:
        rows = {r[0] for r in engine.fetch(view.rows_sql(100)).rows}
        others = {r[0] for r in engine.fetch(inverse.rows_sql(100)).rows}
        count = engine.scalar(view.count_sql())
    except InvalidQuery as exc:  # only for values that cannot be the column's type; never an engine error
        assert "engine refused" not in str(exc), str(exc)
        return
    assert count == len(rows)
    # a filter and its negation split the rows exactly (NULLs never fall through the cracks)
    assert rows.isdisjoint(others) and rows | others == {1, 2, 3, 4, 5, 6}


def test_property_schema_matches_rows() -> None:
    assert set(PROPERTY_SCHEMA.names()) | {"__rowid", "__source"} == set(PROPERTY_ROWS)
