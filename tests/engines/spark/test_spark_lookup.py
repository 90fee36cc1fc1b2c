"""The lookup and enrich steps on Spark give DuckDB's answers (pinned in tests/engines/test_engine_lookup.py):
the other sheet and the workspace's IP range tables are registered as temporary views, the IPv6 hex form is
pure Spark SQL, and the row count never changes."""

from __future__ import annotations

from typing import Any

import pytest

from enrich_fixtures import write_ip_ranges, write_mmdb
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.workspace import Workspace
from lookup_rows import CIDR, ENRICH, EVENTS, EXACT, NOCASE, TWO_KEYS, build, view


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("spark-lookup")
    workspace = build(folder)
    workspace.set_ip_ranges(write_ip_ranges(folder / "ip-ranges.json"))
    workspace.set_geoip(write_mmdb(folder / "geo.mmdb"))
    workspace.use_spark(engine=spark_engine)
    return workspace


ENRICHED = ("ip", "ip.class", "ip.aws_service", "ip.aws_region", "ip.country", "ip.city", "ip.asn", "ip.org")
CASES = {
    "exact": view(EXACT, columns=("users.team", "users.matched")),
    "nocase": view(NOCASE, columns=("users.team", "users.matched")),
    "two-keys": view(TWO_KEYS, columns=("u_team", "u_matched")),
    "cidr": view(CIDR, columns=("nets.label", "nets.matched")),
    "enrich": view(ENRICH, columns=ENRICHED),
    "enrich-then-lookup": view(ENRICH, CIDR, columns=("ip.class", "nets.label")),
    "group-on-enriched": ir.Query(
        steps=(ENRICH,), group=ir.GroupBy(("ip.class", "ip.aws_service")), sort=(ir.SortKey("ip.class"),)
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_answer_on_duckdb_and_spark(ws: Workspace, name: str) -> None:
    query = CASES[name]
    duck = ws.query("events", query, engine="duckdb")
    spark = ws.query("events", query, engine="spark")
    assert [(c.name, c.type) for c in spark.columns] == [(c.name, c.type) for c in duck.columns]
    assert sorted(spark.rows, key=repr) == sorted(duck.rows, key=repr)
    assert spark.total == duck.total
    if query.group is None:
        assert spark.total == len(EVENTS)


def test_matched_counts_on_spark(ws: Workspace) -> None:
    assert ws.lookup_counts("events", view(CIDR), engine="spark") == ws.lookup_counts("events", view(CIDR), engine="duckdb")


def test_errors_are_the_same_on_spark(ws: Workspace) -> None:
    for engine in ("duckdb", "spark"):
        with pytest.raises(InvalidQuery, match="unknown column 'nope'"):
            ws.query("events", view(ir.Lookup("users", ("nope",), ("name",))), engine=engine)
