"""The Spark and Trino dialects as SQL (no engine needed): what each construct compiles to, the RE2-to-Java
regex and strptime-to-Java pattern translations, and that DuckDB's SQL is what it was."""

from __future__ import annotations

import pytest

from fixtures import write_ndjson
from logsheet.compiler import ViewPlan
from logsheet.compiler.dialects import DUCKDB, SparkDialect, TrinoDialect, dialect_for, java_datetime_pattern, java_regex
from logsheet.core import ir
from logsheet.core.schema import Column, Schema
from logsheet.workspace import Workspace, build_query

SCHEMA = Schema(
    [Column("msg", "text"), Column("ip", "text"), Column("n", "integer"), Column("f", "float"), Column("ts", "timestamp")]
    + [Column("items", "json"), Column("when", "text")]
)


def sql(dialect: str, query: ir.Query) -> str:
    target = dialect_for(dialect, "events")
    return target.render(ViewPlan(query, SCHEMA, ["/data/part-1.parquet"], target, "ts").rows_sql(10))


@pytest.mark.parametrize(
    ("pattern", "java"),
    [
        (r"password for \w+", r"(?d)password for \w+"),
        ("(?i)^failed", "(?d)(?iu)^failed"),  # Unicode case folding, as RE2
        (r"(?P<src_ip>\d+) port", r"(?d)(\d+) port"),  # groups are extracted by number
        ("(?<user>[a-z]+)", "(?d)([a-z]+)"),
        ("[[:alpha:]][^[:digit:]]", r"(?d)[\p{Alpha}][^\p{Digit}]"),
        ("[[:^space:]]", r"(?d)[\P{Space}]"),
        ("ssh2$", r"(?d)ssh2\z"),  # RE2's '$' is the end of the text
        ("(?m)^a$", "(?d)(?m)^a$"),  # multi-line: a line end, as in Java
        (r"cost \$5", r"(?d)cost \$5"),
        (r"\Q$(?P<x>\E$", r"(?d)\Q$(?P<x>\E\z"),  # quoted text is left alone
        ("[]a]", r"(?d)[\]a]"),
        ("(?<=a)b", "(?d)(?<=a)b"),
    ],
)
def test_java_regex(pattern: str, java: str) -> None:
    assert java_regex(pattern) == java
    assert java_regex(java) == java  # translating twice changes nothing


@pytest.mark.parametrize(
    ("fmt", "java"),
    [
        ("%d/%m/%Y %H:%M:%S", "d/M/yyyy H:m:s"),  # one letter: reads '9' and '09', as DuckDB does
        ("%Y%m%d%H%M%S", "yyyyMMddHHmms"),  # adjacent numbers need fixed widths
        ("%Y-%m-%dT%H:%M:%S.%f%z", "yyyy-M-d'T'H:m:s.SSSSSSZ"),
        ("%b %e %T", "MMM d H:m:s"),
        ("%d o'clock %%", "d' o''clock %'"),
    ],
)
def test_java_datetime_pattern(fmt: str, java: str) -> None:
    assert java_datetime_pattern(fmt) == java


def test_spark_sql_asks_for_null_instead_of_ansi_errors() -> None:
    query = ir.Query(
        steps=(ir.Split("msg", ".", 3, keep_rest=True), ir.Cast("when", "integer"), ir.ParseTimestamp("msg", "%d/%m/%Y", "t")),
        where=ir.Compare("items[0].x", ">", 2),
    )
    text = sql("spark", query)
    assert "TRY_ELEMENT_AT(SPLIT(`msg`, '\\\\.', -1), 1)" in text
    assert "SLICE(SPLIT(`msg`, '\\\\.', -1), 3, GREATEST(SIZE(" in text
    assert "TRY_CAST(ROUND(TRY_CAST(TRIM(`when`) AS DECIMAL(38, 10))) AS BIGINT)" in text
    assert "TRY_TO_TIMESTAMP(TRIM(CAST(`msg` AS STRING)), 'd/M/yyyy')" in text
    assert "TRY_CAST(GET_JSON_OBJECT(`items`, '$[0].x') AS DOUBLE) > 2.0" in text
    assert " CAST(" not in text.replace("TRY_CAST(", "") .replace("(CAST(`msg` AS STRING)", "")  # fmt: skip
    assert "FROM `events`" in text


def test_spark_first_and_last_skip_blank_values() -> None:
    text = sql("spark", build_query(group_by=["msg"], aggs=["first:ip", "last:ip", "first:ts"]))
    assert "MIN_BY(`ip`, IF(`ip` IS NULL, NULL, `ts`))" in text and "MAX_BY(`ip`, IF(`ip` IS NULL, NULL, `ts`))" in text
    assert "MIN(`ts`)" in text


def test_spark_ipv6_network_is_pure_sql() -> None:
    text = sql("spark", build_query(where="ip in cidr '2001:db8::/32' or ip in cidr '10.0.0.0/8'"))
    assert "BETWEEN '20010db8000000000000000000000000' AND '20010db8ffffffffffffffffffffffff'" in text
    assert "logsheet_ipv6" not in text.lower()  # no UDF to register on a cluster
    assert "BETWEEN 167772160 AND 184549375" in text


def test_trino_sql() -> None:
    text = sql("trino", build_query(where="ip in cidr '10.0.0.0/8' and msg matches '^failed' nocase and items[1].x is blank"))
    assert 'FROM "events"' in text
    assert "CONTAINS('10.0.0.0/8', TRY_CAST(TRIM(\"ip\") AS IPADDRESS))" in text and "NOT STRPOS(\"ip\", ':') > 0" in text
    assert "REGEXP_LIKE(\"msg\", '(?d)(?iu)^failed')" in text
    assert "JSON_EXTRACT_SCALAR(\"items\", '$[1].x')" in text
    steps = sql("trino", ir.Query(steps=(ir.Split("msg", " ", 2, keep_rest=True), ir.ParseTimestamp("when", "%d/%m/%Y", "t"))))
    assert "ELEMENT_AT(SPLIT(\"msg\", ' '), 1)" in steps and "SLICE(SPLIT(\"msg\", ' '), 2, CARDINALITY(" in steps
    assert "TRY(PARSE_DATETIME(TRIM(CAST(\"when\" AS VARCHAR)), 'd/M/yyyy'))" in steps


def test_duckdb_sql_is_unchanged_by_the_other_dialects(tmp_path: object) -> None:
    query = build_query(where="ip in cidr '2001:db8::/32' and msg matches '^a$'", sort=["-ts"])
    duck = DUCKDB.render(ViewPlan(query, SCHEMA, ["/data/part-1.parquet"]).rows_sql(10))
    assert "LOGSHEET_IPV6_IN_NETWORK(\"ip\", '2001:db8::/32')" in duck
    assert "REGEXP_MATCHES(\"msg\", '^a$')" in duck and "READ_PARQUET(['/data/part-1.parquet']" in duck
    assert SparkDialect("x").name == "spark" and TrinoDialect("x").name == "trino"
    with pytest.raises(ValueError, match="unknown SQL dialect"):
        dialect_for("oracle")


def test_workspace_sql_by_dialect(tmp_path: pytest.TempPathFactory, logsheet_home: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    ws = Workspace.open(folder / "home")
    ws.import_paths([write_ndjson(folder / "e.ndjson", [{"a": "x", "t": "2022-03-22T15:00:00Z"}])], sheet="my sheet")
    view = build_query(where="a = 'x'")
    assert "READ_PARQUET" in ws.sql("my sheet", view) == ws.sql("my sheet", view, dialect="duckdb")
    assert "FROM `my sheet`" in ws.sql("my sheet", view, dialect="spark") == ws.sql("my sheet", view, engine="spark")
    assert 'FROM "my sheet"' in ws.sql("my sheet", view, dialect="trino")
