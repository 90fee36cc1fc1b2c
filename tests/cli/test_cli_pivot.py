"""``logsheet pivot`` through the CLI's entry point: the JSON contract (value, sheets with ISO-8601 UTC first
and last seen, related per kind), the table, --case, --anywhere, --top and the refusals."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from detect_fixtures import BRUTE_FAILURES, BRUTE_IP, CLEAN_IP, write_secure
from fixtures import write_ndjson
from logsheet.cli import main


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def setup(inputs: Path) -> None:
    ok("import", str(write_secure(inputs)), "--sheet", "secure", "--case", "intrusion", "--year", "2024")
    rows = [
        {"t": f"2024-05-01T10:0{i}:00Z", "peer": ip, "note": f"from {BRUTE_IP}"}
        for i, ip in enumerate([BRUTE_IP, CLEAN_IP, BRUTE_IP])
    ]
    ok("import", str(write_ndjson(inputs / "fw.ndjson", rows)), "--sheet", "fw")


def test_pivot_json_contract(inputs: Path) -> None:
    setup(inputs)
    result = json.loads(ok("pivot", BRUTE_IP, "--format", "json"))
    assert {"value", "sheets", "related"} <= set(result) and result["value"] == BRUTE_IP
    sheets = {s["sheet"]: s for s in result["sheets"]}
    assert set(sheets) == {"secure", "fw"}
    assert all(set(s) == {"sheet", "rows", "first_seen", "last_seen"} for s in result["sheets"])
    assert sheets["secure"] == {
        "sheet": "secure",
        "rows": BRUTE_FAILURES + 1,
        "first_seen": "2024-05-01T10:00:00Z",
        "last_seen": "2024-05-01T10:06:00Z",
    }
    assert sheets["fw"] == {"sheet": "fw", "rows": 2, "first_seen": "2024-05-01T10:00:00Z", "last_seen": "2024-05-01T10:02:00Z"}
    assert result["related"]["user"] == [{"value": "root", "rows": BRUTE_FAILURES + 1}]
    assert result["related"]["host"] == [{"value": "web-1", "rows": BRUTE_FAILURES + 1}]
    # --case: only that case's sheets; --anywhere: the note column too
    only = json.loads(ok("pivot", BRUTE_IP, "--case", "intrusion", "--format", "json"))
    assert [s["sheet"] for s in only["sheets"]] == ["secure"]
    anywhere = json.loads(ok("pivot", BRUTE_IP, "--anywhere", "--format", "json"))
    assert {s["sheet"]: s["rows"] for s in anywhere["sheets"]} == {"secure": BRUTE_FAILURES + 1, "fw": 3}


def test_pivot_table_and_refusals(inputs: Path) -> None:
    setup(inputs)
    out = ok("pivot", "ROOT", "--top", "1")
    lines = out.splitlines()
    assert lines[0] == "ROOT (user): 31 row(s) in the entity columns of case 'default'"
    assert [c.strip() for c in lines[3].split("|")][:2] == ["secure", "31"]
    related = [[c.strip() for c in line.split("|")] for line in lines[7:]]
    assert related[0] == ["ip", BRUTE_IP, "31"] and len([r for r in related if r[0] == "ip"]) == 1
    assert ok("pivot", "nobody-at-all").strip() == "nobody-at-all: 0 row(s) in the entity columns of case 'default'"
    for args, words in (
        (["pivot", BRUTE_IP, "--case", "nope"], "no case named 'nope'"),
        (["pivot", " "], "name a value"),
        (["pivot", "x", "--top", "0"], "--top is 1 to"),
    ):
        result = run(*args)
        assert result.exit_code == 1 and words in result.stderr, result.output
