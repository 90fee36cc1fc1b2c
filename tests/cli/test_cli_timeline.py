"""``logsheet timeline`` through the CLI's entry point: every --format, --count, -n/--limit, --where, --search,
--case and the default case, the note for a sheet left out, groups, and --output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from logsheet.cli import main
from logsheet.workspace import Workspace
from timeline_fixtures import build_case

TOTAL = 30 + 10  # the CloudTrail records and the notes; the sshd lines are counted from the sheet


@pytest.fixture
def home(logsheet_home: Path, inputs: Path) -> Path:
    ws = Workspace.open(logsheet_home)
    build_case(ws, inputs)
    return logsheet_home


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["timeline", *args])


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def secure_rows(home: Path) -> int:
    return Workspace.open(home).sheet("secure").row_count


def test_json_is_oldest_first_with_time_sheet_and_summary(home: Path) -> None:
    result = ok("--case", "ir", "--format", "json", "-n", "1000")
    rows = json.loads(result.stdout)
    assert len(rows) == TOTAL + secure_rows(home)
    assert list(rows[0])[:3] == ["time", "sheet", "summary"] and "source_rowid" in rows[0]
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)
    assert "note: sheet 'plain' is not in the timeline: it has no time column" in result.stderr


def test_ndjson_csv_and_table(home: Path) -> None:
    lines = ok("--case", "ir", "--format", "ndjson", "--limit", "5").stdout.splitlines()
    assert len(lines) == 5 and all(json.loads(line)["sheet"] for line in lines)
    table = list(csv.reader(io.StringIO(ok("--case", "ir", "--format", "csv", "-n", "3", "-c", "sheet,summary").stdout)))
    assert table[0] == ["sheet", "summary"] and len(table) == 4
    shown = ok("--case", "ir", "-n", "2", "--where", "sheet = 'notes'", "-c", "sheet,summary")
    assert shown.stdout.splitlines()[2].split("|")[1].strip() == "note 0 · ana"
    assert "(rows 1-2 of 10 in case 'ir'," in shown.stderr


def test_count_where_search_and_the_default_case(home: Path) -> None:
    assert ok("--case", "ir", "--count").stdout.strip() == str(TOTAL + secure_rows(home))
    assert ok("--case", "ir", "--count", "--where", "sheet = 'notes'").stdout.strip() == "10"
    assert ok("--case", "ir", "--count", "--search", "NOTE 7").stdout.strip() == "1"
    assert ok("--count").stdout.strip() == str(TOTAL + secure_rows(home))  # every sheet is in the default case
    groups = json.loads(ok("--case", "ir", "-g", "sheet", "--format", "json").stdout)
    assert {g["sheet"]: g["count"] for g in groups}["notes"] == 10


def test_output_writes_the_view(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "line.csv"
    assert ok("--case", "ir", "--where", "sheet = 'notes'", "-o", str(out)).stdout.strip() == f"10 rows written to {out}"
    assert out.read_text().splitlines()[0].startswith("time,sheet,summary,")


def test_refusals_are_one_line(home: Path) -> None:
    unknown = run("--case", "nope")
    assert unknown.exit_code == 1 and "no case named 'nope'" in unknown.stderr
    column = run("--case", "ir", "--where", "eventName = 'x'")
    assert column.exit_code == 1 and "unknown column 'eventName'" in column.stderr
