"""The row steps on ``logsheet query`` / ``export`` (``--split-rows``, ``--explode``, ``--dedupe``) and ``logsheet
pivot-table``, through the CLI's entry point: on the demo (the attacker's session as a pivot table of eventName ×
sourceIPAddress; the RunInstances events exploded to one row per launched instance, counted against the raw
CloudTrail JSON) and on a small sheet; the refusals."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from fixtures import write_ndjson
from logsheet.cli import main
from logsheet.demo.facts import FACTS

ATTACKER_KEY = "ASIA2CCZ5S8F2DVCF39X"  # the web server role's session the attacker used (userIdentity.accessKeyId)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(*args: str) -> str:
    result = run(*args)
    assert result.exit_code != 0 and result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.output


# ---------------------------------------------------------------------------------------------- the demo
def test_pivot_table_of_the_attackers_session_on_the_demo(demo_home: Path) -> None:
    home = ("--home", str(demo_home))
    where = f"userIdentity.accessKeyId = '{ATTACKER_KEY}'"
    body = json.loads(
        ok(
            *home,
            "pivot-table",
            "cloudtrail",
            "--rows",
            "eventName",
            "--columns",
            "sourceIPAddress",
            "--where",
            where,
            "--format",
            "json",
        )
    )
    assert body["columns"][0] == FACTS.attacker_api_ip
    table = {r["keys"][0]: dict(zip(body["columns"], r["cells"])) | {"total": r["total"]} for r in body["table"]}
    assert table["RunInstances"][FACTS.attacker_api_ip] == FACTS.run_instances_from_attacker_ip
    assert table["ListBuckets"][FACTS.attacker_api_ip] == FACTS.attacker_list_buckets
    assert body["column_totals"][0] == FACTS.attacker_api_requests  # the 12 requests from the web server's own IP
    assert body["total"] == sum(r["total"] for r in body["table"])
    text = ok(*home, "pivot-table", "cloudtrail", "-r", "eventName", "-c", "sourceIPAddress", "-w", where)
    assert "RunInstances" in text and FACTS.attacker_api_ip in text and text.splitlines()[-1].startswith("total")


def test_run_instances_exploded_to_one_row_per_launched_instance(demo_home: Path) -> None:
    home = ("--home", str(demo_home))
    args = ["query", "cloudtrail", "--where", "eventName = 'RunInstances'", "--explode", "responseElements.instancesSet.items"]
    rows = json.loads(
        ok(*home, *args, "--columns", "eventID,sourceIPAddress,items.instanceId,items.instanceType", "--format", "json")
    )
    assert len(rows) == _launched_in_the_raw_json(demo_home / "demo-evidence") == 3
    launched = {r["items.instanceId"]: r for r in rows}
    assert launched[FACTS.launched_instance_id]["items.instanceType"] == FACTS.launched_instance_type
    assert launched[FACTS.launched_instance_id]["sourceIPAddress"] == FACTS.attacker_api_ip
    assert ok(*home, *args, "--count").strip() == "3"
    keep = ok(*home, *args, "--explode-keep-empty", "--count").strip()
    assert keep == str(FACTS.run_instances)  # the 4 refused launches kept once each, with blank elements


def _launched_in_the_raw_json(evidence: Path) -> int:
    """Instances in the RunInstances records of the delivered files, each event once (by eventID)."""
    events: dict[str, Any] = {}
    for path in (evidence / "cloudtrail").rglob("*.json.gz"):
        for record in json.loads(gzip.decompress(path.read_bytes()))["Records"]:
            if record.get("eventName") == "RunInstances":
                events[record["eventID"]] = record
    assert len(events) == FACTS.run_instances
    return sum(len(((e.get("responseElements") or {}).get("instancesSet") or {}).get("items") or []) for e in events.values())


# ----------------------------------------------------------------------------------------- a small sheet
ROWS = [
    {"t": "2024-05-01T10:00:00Z", "user": "alice", "ip": "10.0.0.1", "tags": "a,b",
     "items": [{"id": "x", "n": 1}, {"id": "y", "n": 2}]},
    {"t": "2024-05-01T09:00:00Z", "user": "alice", "ip": "10.0.0.1", "tags": "c", "items": [{"id": "z", "n": 3}]},
    {"t": "2024-05-01T11:00:00Z", "user": "bob", "ip": "10.0.0.2", "tags": "", "items": []},
    {"t": "2024-05-01T12:00:00Z", "user": "alice", "ip": "10.0.0.3", "tags": "=1+1,b", "items": None},
]  # fmt: skip


@pytest.fixture
def small(inputs: Path) -> None:
    ok("import", str(write_ndjson(inputs / "s.ndjson", ROWS)), "--sheet", "s")


def query(*args: str) -> list[dict[str, Any]]:
    return json.loads(ok("query", "s", "--format", "json", "--sort", "t", *args))  # type: ignore[no-any-return]


def test_dedupe_keep_first_last_and_by(small: None) -> None:
    first = query("--dedupe", "user", "--columns", "user,ip,duplicates")
    assert first == [{"user": "alice", "ip": "10.0.0.1", "duplicates": 3}, {"user": "bob", "ip": "10.0.0.2", "duplicates": 1}]
    last = query("--dedupe", "user", "--keep", "last", "--columns", "user,ip")
    assert [r["ip"] for r in last] == ["10.0.0.2", "10.0.0.3"]
    by = query("--dedupe", "user,ip", "--keep", "last", "--dedupe-by", "tags", "--columns", "user,ip,tags,duplicates")
    assert by[0] == {"user": "alice", "ip": "10.0.0.1", "tags": "c", "duplicates": 2}
    assert ok("query", "s", "--dedupe", "user", "--where", "duplicates > 1", "--count").strip() == "1"


def test_split_rows_and_explode_with_chosen_fields(small: None) -> None:
    parts = query("--split-rows", "tags:,", "--columns", "user,tags")
    assert [r["tags"] for r in parts] == ["c", "a", "b", None, "=1+1", "b"]
    grouped = json.loads(ok("query", "s", "--split-rows", "tags:,", "--group-by", "tags", "--format", "json"))
    assert {r["tags"]: r["count"] for r in grouped}["b"] == 2
    items = query("--explode", "items", "--explode-fields", "id", "--columns", "user,items.id")
    assert [r["items.id"] for r in items] == ["z", "x", "y"]
    found = query("--explode", "items", "--columns", "items.id,items.n")
    assert [(r["items.id"], r["items.n"]) for r in found] == [("z", "3"), ("x", "1"), ("y", "2")]


def test_export_with_row_steps_neutralises_formulas(small: None, tmp_path: Path) -> None:
    out = tmp_path / "parts.csv"
    assert "6 rows written" in ok(
        "export", "s", "--split-rows", "tags:,", "--columns", "user,tags", "--sort", "t", "-o", str(out)
    )
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert lines[0] == ["user", "tags"] and ["alice", "'=1+1"] in lines


def test_pivot_table_csv_json_and_output_file(small: None, tmp_path: Path) -> None:
    text = ok("pivot-table", "s", "--rows", "user", "--columns", "ip", "--agg", "count", "--top", "1", "--format", "csv")
    assert text.splitlines() == ["user,10.0.0.1,other,total", "alice,2,1,3", "bob,0,1,1", "total,2,2,4"]
    body = json.loads(
        ok("pivot-table", "s", "-r", "user", "-c", "ip", "--agg", "last", "--no-other", "--top", "1", "--format", "json")
    )
    assert body["other"] is False and body["table"][0]["cells"] == ["2024-05-01T10:00:00Z"] and body["value"] == "last seen of t"
    exploded = json.loads(ok("pivot-table", "s", "-r", "user", "-c", "items.id", "--explode", "items", "--format", "json"))
    assert exploded["columns"] == ["x", "y", "z"] and exploded["total"] == 3
    out = tmp_path / "pivot.csv"
    assert "written to" in ok("pivot-table", "s", "-r", "tags", "-c", "user", "--format", "csv", "-o", str(out))
    assert '"\'=1+1,b",1,0,1' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("query", "s", "--split-rows", "tags"), "write COL:DELIM"),
        (("query", "s", "--explode-fields", "id"), "--explode-fields needs --explode"),
        (("query", "s", "--dedupe-by", "t"), "--dedupe-by needs --dedupe"),
        (("query", "s", "--dedupe", "nope"), "unknown column 'nope'"),
        (("query", "s", "--explode", "t", "--explode-fields", "a"), "holds timestamp values"),
        (("pivot-table", "s", "-r", "user", "-c", "user"), "both a row and the column"),
        (("pivot-table", "s", "-r", "user", "-c", "ip", "--agg", "sum:user"), "numeric column"),
        (("pivot-table", "s", "-r", "user", "-c", "ip", "--top", "0"), "1 to 200 columns"),
        (("pivot-table", "s", "-r", "user", "-c", "ip", "--agg", "median"), "unknown aggregate"),
    ],
)
def test_refusals_are_one_clear_line(small: None, args: tuple[str, ...], message: str) -> None:
    assert message in refused(*args)


def test_the_entity_pivot_is_still_logsheet_pivot(small: None) -> None:
    body = json.loads(ok("pivot", "10.0.0.1", "--format", "json"))
    assert body["value"] == "10.0.0.1"
