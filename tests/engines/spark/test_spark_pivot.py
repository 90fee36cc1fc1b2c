"""The pivot on Spark: its grouped count pass and the related entities' statement (a CTE, a union of the
entity columns, distinct per row) give what DuckDB gives, on a syslog, a CloudTrail and a generic sheet."""

from __future__ import annotations

from typing import Any

import pytest

from detect_fixtures import BRUTE_IP, write_secure
from fixtures import ct_record, write_json, write_ndjson
from logsheet.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("pivot")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_secure(folder)], sheet="secure", options={"year": 2024})
    workspace.import_paths([write_json(folder / "ct.json", {"Records": [ct_record(i) for i in range(40)]})], sheet="ct")
    rows = [{"src": BRUTE_IP, "nat": BRUTE_IP if i % 2 else "10.9.9.9", "dst": f"10.0.0.{i % 3}"} for i in range(9)]
    workspace.import_paths([write_ndjson(folder / "flows.ndjson", rows)], sheet="flows")
    workspace.use_spark(engine=spark_engine)
    return workspace


@pytest.mark.parametrize("value", [BRUTE_IP, "10.0.1.1", "user1", "ROOT"])
def test_spark_pivots_as_duckdb_does(ws: Workspace, value: str) -> None:
    duck = ws.pivot(value, engine="duckdb").to_json()
    spark = ws.pivot(value, engine="spark").to_json()
    assert spark == duck and duck["sheets"]
