"""IOC lists on Spark: the match (counts, values found) and the `ioc` filter and `ioc_lists` column give what
DuckDB gives, on a syslog, a CloudTrail and a generic sheet, with addresses, networks, domains and hashes."""

from __future__ import annotations

from typing import Any

import pytest

from detect_fixtures import BRUTE_IP, write_secure
from fixtures import ct_record, write_json, write_ndjson
from logsheet.core import ir
from logsheet.query.filterlang import parse_filter
from logsheet.workspace import Workspace

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("iocs")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_secure(folder)], sheet="secure", options={"year": 2024})
    workspace.import_paths([write_json(folder / "ct.json", {"Records": [ct_record(i) for i in range(40)]})], sheet="ct")
    rows = [{"src": BRUTE_IP if i % 2 else "2001:DB8::7", "site": f"h{i}.evil.example", "sha": SHA.upper()} for i in range(9)]
    workspace.import_paths([write_ndjson(folder / "flows.ndjson", rows)], sheet="flows")
    (folder / "intel.txt").write_text(f"{BRUTE_IP}\n10.0.1.0/24\nevil.example\n{SHA}\n2001:db8::7\n", encoding="utf-8")
    workspace.import_iocs(folder / "intel.txt")
    workspace.use_spark(engine=spark_engine)
    return workspace


def test_spark_matches_as_duckdb_does(ws: Workspace) -> None:
    duck = [m.to_json() for m in ws.match_iocs(engine="duckdb", record_findings=False)]
    spark = [m.to_json() for m in ws.match_iocs(engine="spark", record_findings=False)]
    assert spark == duck and {m["sheet"] for m in duck} == {"secure", "ct", "flows"}


@pytest.mark.parametrize("sheet", ["secure", "ct", "flows"])
def test_the_ioc_filter_and_column_on_spark(ws: Workspace, sheet: str) -> None:
    view = ir.Query(steps=(ir.MarkIoc(),), where=parse_filter("ioc"))
    duck = ws.query(sheet, view, limit=100, engine="duckdb")
    spark = ws.query(sheet, view, limit=100, engine="spark")
    assert spark.rows == duck.rows and spark.total == duck.total > 0
    assert {r[-1] for r in duck.rows} == {"intel"}
