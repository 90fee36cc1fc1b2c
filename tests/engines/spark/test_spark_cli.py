"""``logsheet query SHEET --engine spark …`` prints exactly what the DuckDB engine prints: filters on JSON paths,
regexes and negations, full-text search and multi-level group-by, on real CloudTrail (the public samples in
../shared/data, copied first) — or, where those are absent, on the demo incident's CloudTrail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from logsheet.cli import main
from logsheet.demo.generate import generate
from logsheet.workspace import Workspace
from repo_paths import SHARED_DATA

REAL = ["grycap-cloudtrail-sample", "stratus-red-team-detonation-logs"]

REAL_QUERIES: list[list[str]] = [
    # JSON paths
    ["-w", "requestParameters.roleArn is not blank", "-c", "eventTime,eventName,requestParameters.roleArn,userIdentity.arn",
     "--sort", "eventTime", "--sort", "eventID"],
    ["-w", "resources[0].ARN starts with 'arn:aws:' or requestParameters.instancesSet.items[0].instanceId is not blank",
     "-c", "eventID,resources[0].ARN,requestParameters.instancesSet.items[0].instanceId", "--sort", "eventID"],
    ["-w", "requestParameters.maxResults > 5", "-c", "eventID,requestParameters.maxResults", "--sort", "eventID"],
    # regexes and negation
    ["-w", "userAgent matches '^stratus-red-team_[0-9a-f]{8}-' and not eventSource in ('ec2.amazonaws.com', 'ssm.amazonaws.com')",
     "-c", "eventID,eventSource,eventName", "--sort", "eventID"],
    ["-w", "eventName matches '^(get|list|describe)' nocase and readOnly != true", "-c", "eventID,eventName,readOnly",
     "--sort", "eventID"],
    ["-w", "not (errorCode is blank) and not (sourceIPAddress in cidr '10.0.0.0/8')", "-c", "eventID,errorCode,sourceIPAddress",
     "--sort", "-eventTime", "--sort", "eventID"],
    ["-w", "userIdentity.arn not contains 'stratus' nocase", "--count"],
    # search
    ["--search", "AccessDenied", "-c", "eventID,errorCode,eventName", "--sort", "eventID"],
    ["--search", "us-east-1", "--count"],
    # multi-level group-by
    ["-g", "eventSource,eventName,userIdentity.type", "--agg", "count", "--agg", "count_distinct:sourceIPAddress",
     "--agg", "first:eventTime", "--agg", "last:eventTime", "-n", "1000"],
    ["-g", "requestParameters.roleArn,errorCode", "--agg", "count", "--agg", "max:eventTime", "-n", "1000"],
    ["-w", "eventSource = 'sts.amazonaws.com'", "-g", "eventName,awsRegion", "--sort", "eventName", "--sort", "-count"],
    # formula columns (docs/formulas.md)
    ["--formula", "hr = hour(eventTime)", "--formula", "kind = if(errorCode is blank, 'ok', lower(errorCode))",
     "-g", "hr,kind", "--sort", "hr", "--sort", "kind", "-n", "1000"],
    ["--formula", "net = coalesce(ip_network(sourceIPAddress, 16), url_domain(sourceIPAddress), 'other')",
     "--formula", "day = weekday(eventTime) & '/' & date(eventTime)", "-g", "net,day", "-n", "1000"],
]  # fmt: skip
DEMO_QUERIES: list[list[str]] = [
    ["-w", "eventName = 'RunInstances'", "-c", "eventTime,sourceIPAddress,errorCode,requestParameters.instanceType",
     "--sort", "eventTime"],
    ["-w", "eventName = 'RunInstances' and errorMessage is not blank and not (userAgent matches '^aws-internal')", "--count"],
    ["-w", "sourceIPAddress = '44.202.228.109'", "-g", "eventName", "--agg", "count", "--agg", "first:eventTime"],
    ["-w", r"userAgent matches 'aws-cli/\d' and requestParameters.instanceType is not blank", "-c",
     "eventID,requestParameters.instanceType", "--sort", "eventID"],
    ["--search", "44.202.228.109", "--count"],
    ["-g", "eventSource,userIdentity.type,errorCode", "--agg", "count", "--agg", "count_distinct:sourceIPAddress", "-n", "1000"],
    ["--formula", "flag = errorCode is not blank and userAgent contains 'aws-cli'", "-w", "flag = true",
     "-c", "eventID,eventName,sourceIPAddress,flag", "--sort", "eventID"],
]  # fmt: skip


def run(home: Path, sheet: str, args: list[str], engine: str) -> Any:
    extra = ["--engine", "spark"] if engine == "spark" else []
    result = CliRunner().invoke(main, ["--home", str(home), "query", sheet, *args, *extra, "--format", "json", "-n", "1000"])
    assert result.exit_code == 0, (engine, args, result.output)
    return json.loads(result.stdout)


def same_on_both(home: Path, sheet: str, queries: list[list[str]]) -> None:
    nonempty = 0
    for args in queries:
        duck = run(home, sheet, args, "duckdb")
        assert run(home, sheet, args, "spark") == duck, args
        nonempty += bool(duck)
    assert nonempty == len(queries)  # every query finds something: the comparison is not vacuous


@pytest.mark.shared_data
def test_real_cloudtrail_same_answers(spark_session: Any, tmp_path: Path, shared_copy: Any) -> None:
    folders = [shared_copy(name) for name in REAL]
    ws = Workspace.open(tmp_path / "home")
    summary = ws.import_paths(folders, sheet="cloudtrail")
    assert summary.format == "cloudtrail" and summary.rows > 400
    same_on_both(ws.root, "cloudtrail", REAL_QUERIES)


def test_demo_cloudtrail_same_answers(spark_session: Any, tmp_path: Path) -> None:
    if all((SHARED_DATA / name).exists() for name in REAL):
        pytest.skip("the real CloudTrail samples are present: test_real_cloudtrail_same_answers covers this")
    files = generate(tmp_path / "demo")
    ws = Workspace.open(tmp_path / "home")
    ws.import_paths([files.cloudtrail_dir], sheet="cloudtrail")
    same_on_both(ws.root, "cloudtrail", DEMO_QUERIES)
