"""Detection rules on Spark: the combined scan (filtered aggregates), the entities' grouping sets and the
correlation reads give the findings DuckDB gives, on the same sheets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from detect_fixtures import write_rules, write_secure
from fixtures import ct_record, write_json
from logsheet.workspace import Workspace

CT_RULES = """
title: denied (spark test)
id: 00000000-0000-4000-8000-0000000000f1
logsource: {product: aws, service: cloudtrail}
detection: {sel: {errorCode: AccessDenied}, condition: sel}
level: medium
---
title: arn path (spark test)
id: 00000000-0000-4000-8000-0000000000f2
logsource: {product: aws, service: cloudtrail}
detection: {sel: {userIdentity.arn|contains: 'user/'}, condition: sel}
level: low
"""


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("rules")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_secure(folder)], sheet="secure")
    records = [ct_record(i, errorCode="AccessDenied" if i % 4 == 0 else None) for i in range(40)]
    workspace.import_paths([write_json(folder / "ct.json", {"Records": records})], sheet="ct")
    (folder / "ct-rules.yml").write_text(CT_RULES, encoding="utf-8")
    workspace.use_spark(engine=spark_engine)
    return workspace


def _shape(findings: list[Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in f.to_json().items() if k != "run_at"} for f in findings]


@pytest.mark.parametrize("sheet", ["secure", "ct"])
def test_spark_finds_what_duckdb_finds(ws: Workspace, sheet: str, tmp_path: Path) -> None:
    rules = [write_rules(tmp_path), ws.root.parent / "ct-rules.yml"]
    duck = ws.run_rules(sheet, rules, builtin=False, engine="duckdb")
    spark = ws.run_rules(sheet, rules, builtin=False, engine="spark")
    assert duck.findings and _shape(spark.findings) == _shape(duck.findings)
    for finding in spark.findings:
        assert ws.count(sheet, ws.finding_query(sheet, finding.id), engine="spark") == finding.rows
