"""``logsheet context SHEET ROWID``: a row and the rows around it in time, through the CLI's entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fixtures import write_ndjson
from logsheet.cli import main


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def sheet(inputs: Path, logsheet_home: Path) -> str:
    # file order is the reverse of time order: the context must follow the times
    rows = [{"n": i, "time": f"2024-05-01T10:00:{59 - i:02d}Z", "who": f"user{i}"} for i in range(20)]
    assert run("import", str(write_ndjson(inputs / "rows.ndjson", rows)), "--sheet", "rows", "--quiet").exit_code == 0
    return "rows"


def test_context_by_where_then_by_rowid(sheet: str) -> None:
    found = run("context", sheet, "-w", "who = 'user10'", "-n", "2", "--format", "json")
    assert found.exit_code == 0, found.output
    body = json.loads(found.stdout)
    n_at = [c["name"] for c in body["columns"]].index("n")
    assert [r[n_at] for r in body["rows"]] == [12, 11, 10, 9, 8] and body["index"] == 2
    again = run("context", sheet, str(body["rowids"][0]), "--before", "0", "--after", "1", "-c", "n,who")
    assert again.exit_code == 0, again.output
    lines = again.stdout.splitlines()
    assert "at" in lines[0] and "__rowid" in lines[0] and "who" in lines[0] and "time" not in lines[0]
    assert "user12" in again.stdout and "user11" in again.stdout and "user10" not in again.stdout
    assert "0 before, 1 after, by time" in again.stderr


def test_ndjson_marks_the_row_with_at_zero(sheet: str) -> None:
    out = run("context", sheet, "-w", "n = 0", "-n", "3", "--format", "ndjson")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["at"], r["n"]) for r in rows] == [("-3", 3), ("-2", 2), ("-1", 1), ("0", 0)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["123456789"], "has no row 123456789"),
        (["-w", "who = 'nobody'"], "no row of 'rows' matches"),
        ([], "give ROWID or --where"),
        (["-w", "n = 1", "-c", "nope"], "unknown column 'nope'"),
    ],
)
def test_refusals_are_one_line(sheet: str, args: list[str], message: str) -> None:
    result = run("context", sheet, *args)
    assert result.exit_code != 0 and message in result.output + result.stderr
    assert "Traceback" not in result.output
