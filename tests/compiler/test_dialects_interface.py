"""Every dialect answers every question the compiler asks, in SQL its own engine reads; DuckDB's answers run.

(What the Spark and Trino answers look like: tests/engines/spark/test_dialect_sql.py; that Spark's analyser accepts
them: tests/engines/spark/test_spark_compiles.py.)"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Callable

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from logsheet.compiler.dialects import (
    DIALECTS,
    DUCKDB,
    IPV6_UDF,
    Dialect,
    DuckDBDialect,
    SparkDialect,
    TableDialect,
    TrinoDialect,
    dialect_for,
    ipv6_in_network,
)
from logsheet.core.sqlnames import col, lit

VALUE = col("v")
CONSTRUCTS: dict[str, Callable[[Dialect], exp.Expr]] = {
    "split": lambda d: d.split(VALUE, ".", False),
    "split collapsed": lambda d: d.split(VALUE, " ", True),
    "element": lambda d: d.element(d.split(VALUE, ",", False), 2),
    "tail": lambda d: d.tail_join(d.split(VALUE, ",", False), 2, ","),
    "strptime": lambda d: d.strptime(VALUE, "%d/%m/%Y %H:%M"),
    "ipv4": lambda d: d.ip_in_network(VALUE, ipaddress.ip_network("10.0.0.0/8")),
    "ipv6": lambda d: d.ip_in_network(VALUE, ipaddress.ip_network("2001:db8::/32")),
    "regex": lambda d: exp.RegexpLike(this=VALUE, expression=lit(d.regex("(?P<u>[[:alpha:]]+)$"))),
}


def _select(dialect: Dialect, expression: exp.Expr, relation: exp.Expr | None = None) -> exp.Select:
    return exp.select(expression.as_("out")).from_(relation if relation is not None else dialect.source(["/x.parquet"]))


def test_the_base_is_abstract() -> None:
    with pytest.raises(TypeError):
        Dialect()  # type: ignore[abstract]
    with pytest.raises(TypeError):
        TableDialect()  # type: ignore[abstract]


def test_dialect_for_every_name() -> None:
    assert dialect_for("duckdb") is DUCKDB and isinstance(DUCKDB, DuckDBDialect)
    spark, trino = dialect_for("spark", "events"), dialect_for("trino", "events")
    assert isinstance(spark, SparkDialect) and isinstance(trino, TrinoDialect)
    assert [dialect_for(name).name for name in DIALECTS] == list(DIALECTS)
    assert spark.render(exp.select("*").from_(spark.source([]))) == "SELECT * FROM `events`"
    assert trino.render(exp.select("*").from_(trino.source([]))) == 'SELECT * FROM "events"'
    with pytest.raises(ValueError, match="use one of duckdb, spark, trino"):
        dialect_for("mysql")


@pytest.mark.parametrize("name", DIALECTS)
@pytest.mark.parametrize("construct", sorted(CONSTRUCTS))
def test_every_construct_is_sql_of_its_dialect(name: str, construct: str) -> None:
    """Rendered, then read back by sqlglot in the same dialect, the statement renders to the same text."""
    dialect = dialect_for(name, "events")
    text = dialect.render(_select(dialect, CONSTRUCTS[construct](dialect)))
    assert sqlglot.parse_one(text, read=name).sql(dialect=name) == text


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.create_function(IPV6_UDF, ipv6_in_network, ["VARCHAR", "VARCHAR"], "BOOLEAN", null_handling="special")  # type: ignore[call-overload]
    con.execute("SET TimeZone = 'UTC'")
    return con


def _run(con: duckdb.DuckDBPyConnection, construct: str, value: str | None) -> object:
    values = exp.Values(
        expressions=[exp.Tuple(expressions=[lit(value)])],
        alias=exp.TableAlias(this=exp.to_identifier("t"), columns=[exp.to_identifier("v")]),
    )
    row = con.execute(DUCKDB.render(_select(DUCKDB, CONSTRUCTS[construct](DUCKDB), values))).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize(
    ("construct", "value", "expected"),
    [
        ("split", "a.b..c", ["a", "b", "", "c"]),
        ("split collapsed", "  a   b c ", ["a", "b", "c"]),
        ("element", "a,b,c", "b"),
        ("element", "a", None),  # past the end: NULL, not an error
        ("tail", "a,b,c,d", "b,c,d"),
        ("tail", "a", None),
        ("strptime", "9/3/2024 14:05", datetime.datetime(2024, 3, 9, 14, 5, tzinfo=datetime.UTC)),
        ("strptime", "not a time", None),
        ("ipv4", "10.255.0.1", True),
        ("ipv4", "11.0.0.1", False),
        ("ipv4", "10.0.0.256", False),
        ("ipv4", "2001:db8::1", False),
        ("ipv6", "2001:db8::1", True),
        ("ipv6", " 2001:DB8::1%eth0", True),
        ("ipv6", "2001:db9::1", False),
        ("ipv6", "10.0.0.1", False),
        ("regex", "root", True),
        ("regex", "root1", False),
    ],
)
def test_duckdb_constructs_run(con: duckdb.DuckDBPyConnection, construct: str, value: str, expected: object) -> None:
    result = _run(con, construct, value)
    if isinstance(expected, datetime.datetime) and isinstance(result, datetime.datetime):
        result = result.astimezone(datetime.UTC)
    assert result == expected
