"""``--formula "NAME = EXPR"`` on ``logsheet query`` and ``logsheet export``, through the CLI's entry point: the
new column in --where, --columns, --group-by and --sort, in exports, and its errors as one clear line."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from fixtures import write_ndjson
from logsheet.cli import main

ROWS: list[dict[str, Any]] = [
    {"id": 1, "user": "root", "ip": "10.0.0.7", "bytes": 1500, "ua": "aws-cli/2.4", "err": "AccessDenied"},
    {"id": 2, "user": "bob", "ip": "44.202.228.109", "bytes": 20, "ua": "console", "err": None},
    {"id": 3, "user": "root", "ip": "44.202.228.110", "bytes": 3000, "ua": "aws-cli/2.4", "err": ""},
    {"id": 4, "user": "eve", "ip": "192.168.1.9", "bytes": None, "ua": "aws-cli/1.0", "err": "Throttling"},
]
FLAG = "flag = err is not blank and ua contains 'aws-cli'"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def fails(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def sheet(inputs: Path) -> str:
    ok("import", str(write_ndjson(inputs / "calls.ndjson", ROWS)), "--sheet", "calls", "--quiet")
    return "calls"


def rows(*args: str) -> list[dict[str, Any]]:
    return json.loads(ok("query", *args, "--format", "json"))  # type: ignore[no-any-return]


def test_formula_column_in_where_columns_and_sort(sheet: str) -> None:
    got = rows(sheet, "--formula", FLAG, "--where", "flag = true", "--columns", "id,flag", "--sort", "-id")
    assert got == [{"id": 4, "flag": True}, {"id": 1, "flag": True}]


def test_formula_columns_build_on_each_other_and_group(sheet: str) -> None:
    got = rows(
        sheet,
        "--formula", "net = ip_network(ip, 16)",
        "--formula", "kind = if(is_private(ip), 'inside', 'outside ' & net)",
        "--group-by", "kind", "--agg", "count", "--agg", "sum:bytes", "--sort", "kind",
    )  # fmt: skip
    assert got == [
        {"kind": "inside", "count": 2, "sum_bytes": 1500},
        {"kind": "outside 44.202.0.0/16", "count": 2, "sum_bytes": 3020},
    ]


def test_formula_in_export(sheet: str, tmp_path: Path) -> None:
    out = tmp_path / "calls.csv"
    ok(
        "export",
        sheet,
        "--formula",
        "kb = bytes / 1000",
        "--formula",
        "who = upper(user)",
        "--columns",
        "id,who,kb",
        "-o",
        str(out),
    )
    with out.open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["id", "who", "kb"],
            ["1", "ROOT", "1.5"],
            ["2", "BOB", "0.02"],
            ["3", "ROOT", "3.0"],
            ["4", "EVE", ""],
        ]


def test_formula_in_show_sql_is_sql_of_literals(sheet: str) -> None:
    sql = ok("query", sheet, "--formula", "x = ua contains 'it''s'", "--show-sql")
    assert "'it''s'" in sql and "STRPOS" in sql


def test_formula_errors_are_one_line_with_the_place(sheet: str) -> None:
    assert fails("query", sheet, "--formula", "x = lower(usr)") == (
        "error: unknown column 'usr'; did you mean 'user'? at position 7: lower(⟦here⟧usr)"
    )
    line = fails("query", sheet, "--formula", "x = bytes + ")
    assert "at position 8" in line and "ends too early" in line
    assert "must be a number" in fails("query", sheet, "--formula", "x = user * 2")
    assert "NAME = EXPRESSION" in fails("query", sheet, "--formula", "just text")
    assert "already exists" in fails("query", sheet, "--formula", "USER = 1")
    assert "--query-json is the whole view" in fails("query", sheet, "--query-json", "{}", "--formula", "x = 1")


def test_demo_flags_failed_cli_calls(demo_home: Path) -> None:
    """The issue's example on the demo CloudTrail sheet: the formula column agrees with the same condition
    written as a filter, and flags the attacker's failed aws-cli calls."""
    home = ["--home", str(demo_home)]
    flag = "flag = errorCode is not blank and userAgent contains 'aws-cli'"
    by_filter = int(
        ok(*home, "query", "cloudtrail", "--where", "errorCode is not blank and userAgent contains 'aws-cli'", "--count")
    )
    by_formula = int(ok(*home, "query", "cloudtrail", "--formula", flag, "--where", "flag = true", "--count"))
    assert by_formula == by_filter > 0
    groups = json.loads(ok(*home, "query", "cloudtrail", "--formula", flag, "--group-by", "flag", "--format", "json"))
    counts = {g["flag"]: g["count"] for g in groups}
    assert counts[True] == by_filter
    assert sum(counts.values()) == int(ok(*home, "query", "cloudtrail", "--count"))
    runs = json.loads(
        ok(*home, "query", "cloudtrail", "--formula", flag, "--where", "flag = true and eventName = 'RunInstances'",
           "--columns", "sourceIPAddress", "--format", "json")
    )  # fmt: skip
    assert runs and {r["sourceIPAddress"] for r in runs} == {"44.202.228.109"}
