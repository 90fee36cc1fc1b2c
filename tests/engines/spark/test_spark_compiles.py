"""Every construct of the compiler, rendered in the Spark dialect, is SQL that Spark itself accepts: each
statement is analysed by the session (functions resolved, types checked, no job run) against a view with the
sheet's schema, and the columns Spark says it returns are the ones the plan promises. This replaces checks
that only asserted the Spark text was non-empty; the answers themselves are compared with DuckDB's in
test_spark_shared.py."""

from __future__ import annotations

from typing import Any

import pytest

from logsheet.compiler import ViewPlan
from logsheet.compiler.dialects import SparkDialect
from logsheet.core import ir
from logsheet.core.schema import Column, Schema
from logsheet.engines.spark.engine import spark_schema
from logsheet.query.filterlang import parse_filter

SCHEMA = Schema(
    [
        Column("eventName", "text"),
        Column("port", "integer"),
        Column("eventTime", "timestamp"),
        Column("requestParameters", "json"),
        Column("ip", "text"),
        Column("bytes", "float"),
        Column("ok", "boolean"),
    ]
)
VIEW = "compiled_events"

FILTERS = [
    "port != 22",
    "port in (22, 3389)",
    "port not in (22, null)",
    "eventName not in ('a') nocase",
    "port not between 1 and 1024",
    "eventName contains 'Run' nocase",
    "eventName starts with 'Run'",
    "eventName not ends with 'ces'",
    r"eventName matches 'Run\w+'",
    r"eventName matches '(?P<verb>^run)' nocase",
    "eventName is blank",
    "port is not blank",
    "ip in cidr '10.0.0.0/8'",
    "ip not in cidr '2001:db8::/32'",
    "requestParameters.instancesSet.items[0].imageId = 'ami-1'",
    "requestParameters.count > 2",
    "eventTime >= '2022-03-22T15:00:00Z'",
    "eventTime between '2022-03-22' and '2022-03-23'",
    "bytes < 1.5 and ok = true",
    "not (port = 22 or eventName = 'a') and port > 1",
    "'Failed password'",
]

STEPS: tuple[ir.Step, ...] = (
    ir.Split("eventName", " ", 3, keep_rest=True, collapse=True),
    ir.RegexExtract("eventName", r"(?P<verb>[A-Z][a-z]+)"),
    ir.Combine(("eventName", "ip"), "|", "both"),
    ir.Rename("ip", "address"),
    ir.Cast("port", "text"),
    ir.ChangeCase("eventName", "lower"),
    ir.Trim("address"),
    ir.ParseTimestamp("eventName", "%Y-%m-%d", "parsed"),
    ir.ExtractJson("requestParameters.bucketName", "bucket"),
)


@pytest.fixture(scope="module")
def analyse(spark_session: Any) -> Any:
    """``analyse(statement)``: the column names Spark's analyser gives a compiled statement (nothing runs)."""
    spark_session.createDataFrame([], spark_schema(SCHEMA)).createOrReplaceTempView(VIEW)
    dialect = SparkDialect(VIEW)

    def run(plan_statement: Any) -> list[str]:
        return list(spark_session.sql(dialect.render(plan_statement)).schema.names)

    yield run
    spark_session.catalog.dropTempView(VIEW)


def plan(**fields: Any) -> ViewPlan:
    return ViewPlan(ir.Query(**fields), SCHEMA, ["/unused.parquet"], SparkDialect(VIEW), "eventTime")


@pytest.mark.parametrize("text", FILTERS)
def test_every_filter_is_sql_spark_accepts(analyse: Any, text: str) -> None:
    view = plan(where=parse_filter(text), sort=(ir.SortKey("port", True),), columns=("eventName", "port"))
    assert analyse(view.rows_sql(10)) == ["__rowid", "eventName", "port"]
    assert analyse(view.count_sql()) == ["n"]


def test_every_step_and_a_group_are_sql_spark_accepts(analyse: Any) -> None:
    for count in range(1, len(STEPS) + 1):  # each step on top of the ones before it
        view = plan(steps=STEPS[:count])
        assert analyse(view.rows_sql(10))[1:] == [c.name for c in view.columns()], STEPS[count - 1]
    aggs = tuple(ir.Agg(fn, "" if fn == "count" else "bytes") for fn in ir.AGG_FNS)
    grouped = plan(steps=STEPS, where=parse_filter("verb = 'Run'"), group=ir.GroupBy(("bucket", "verb"), aggs))
    assert analyse(grouped.groups_sql(10)) == [c.name for c in grouped.columns()]
    assert analyse(grouped.count_sql()) == ["n"]


def test_the_analyser_refuses_what_spark_lacks(spark_session: Any, analyse: Any) -> None:
    """The check can fail: DuckDB's own function names are not Spark's."""
    with pytest.raises(Exception, match="(?i)regexp_matches|UNRESOLVED_ROUTINE"):
        spark_session.sql(f"SELECT regexp_matches(eventName, 'a') FROM {VIEW}").schema  # noqa: B018
