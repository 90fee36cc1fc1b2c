"""The ``logsheet`` command, through its entry point (click's CliRunner on ``logsheet.cli.main``) and as a
real subprocess of the installed console script."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from fixtures import START, ct_record, ct_s3_key, write_csv, write_gz_json, write_ndjson
from logsheet.cli import main
from repo_paths import REPO

LOGSHEET = str(Path(sys.executable).parent / "logsheet")

# Text cells that a spreadsheet would run as formulas, and numbers that start with '-'.
ROWS: list[dict[str, Any]] = [
    {"id": 1, "name": "=cmd|' /C calc'!A0", "n": -5, "f": 1.5, "note": "-x", "when": "2022-03-22T15:00:00Z"},
    {"id": 2, "name": "+1", "n": -3, "f": -2.5, "note": "@SUM(A1)", "when": "2022-03-22T16:00:00Z"},
    {"id": 3, "name": "\ttab", "n": None, "f": None, "note": "\rcr", "when": None},
    {"id": 4, "name": 'a,b "q"', "n": -7, "f": 0.0, "note": "line1\nline2", "when": "2022-03-22T17:00:00Z"},
    {"id": 5, "name": "plain", "n": -5, "f": -0.25, "note": "ok", "when": "2022-03-22T18:00:00Z"},
]


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def ok(*args: str, input: str | None = None) -> Result:
    result = run(*args, input=input)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def fails(*args: str) -> str:
    """Run a command that must fail like a tool does: non-zero exit, one line on stderr, no traceback."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr and "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def sheet(inputs: Path) -> str:
    path = write_ndjson(inputs / "cells.ndjson", ROWS)
    ok("import", str(path), "--sheet", "cells", "--quiet")
    return "cells"


@pytest.fixture
def ct(inputs: Path) -> str:
    records = [ct_record(i) for i in range(20)]
    write_gz_json(ct_s3_key(inputs / "ct", START, 1), {"Records": records[:10]})
    write_gz_json(ct_s3_key(inputs / "ct", START, 2), {"Records": records[10:] + records[:2]})
    ok("import", str(inputs / "ct"), "--sheet", "ct")
    return "ct"


# -------------------------------------------------------------------------------------------------- import
def test_import_summary(inputs: Path) -> None:
    path = write_ndjson(inputs / "cells.ndjson", ROWS)
    result = ok("import", str(path), "--sheet", "cells")
    assert result.stdout.splitlines() == [
        result.stdout.splitlines()[0],
        "rejected: 0   duplicates removed: 0   time column: when",
    ]
    assert re.fullmatch(
        r"5 rows imported into sheet 'cells' \(json, 6 columns, 1 source file\(s\), \d+\.\d s\)", result.stdout.splitlines()[0]
    )


def test_import_json_summary_and_warning(inputs: Path) -> None:
    path = inputs / "bad.ndjson"
    path.write_text('{"a": 1}\n{"a": 2}\nnope\n{"a": 4}\n')
    result = ok("import", str(path), "--json")
    summary = json.loads(result.stdout)
    assert summary["sheet"] == "bad"  # named after the file
    assert summary["rows"] == 3 and summary["rejected"] == 1 and summary["format"] == "json"
    assert summary["sources"][0]["records_read"] == 4
    assert result.stderr.strip() == "warning: 1 record(s) could not be read and were set aside; see: logsheet rejects bad"


def test_cloudtrail_import_counts_duplicates(ct: str) -> None:
    result = json.loads(ok("info", ct, "--json").stdout)
    assert result["rows"] == 20 and result["duplicates_removed"] == 2 and result["format"] == "cloudtrail"


# ---------------------------------------------------------------------------------------------- sheets/info
def test_sheets_and_info(sheet: str, ct: str) -> None:
    listed = json.loads(ok("sheets", "--json").stdout)
    assert [(s["name"], s["format"], s["rows"]) for s in listed] == [("cells", "json", 5), ("ct", "cloudtrail", 20)]
    table = ok("sheets").stdout
    assert [c.strip() for c in table.splitlines()[0].split("|")][:3] == ["sheet", "format", "rows"]
    info = json.loads(ok("info", sheet, "--json").stdout)
    assert info["name"] == "cells" and info["rows"] == 5 and info["time_column"] == "when"
    assert [c["name"] for c in info["columns"]] == ["id", "name", "n", "f", "note", "when"]
    assert len(info["sources"][0]["sha256"]) == 64
    text = ok("info", sheet).stdout
    assert text.startswith("sheet 'cells': 5 rows, format json, time column when")


def test_info_prints_whole_sha256(sheet: str) -> None:
    info = json.loads(ok("info", sheet, "--json").stdout)
    assert info["sources"][0]["sha256"] in ok("info", sheet).stdout


def test_empty_workspace_says_so() -> None:
    assert "no sheets yet" in ok("sheets").stdout
    assert json.loads(ok("sheets", "--json").stdout) == []


def test_rejects(inputs: Path) -> None:
    path = inputs / "bad.ndjson"
    path.write_text('{"a": 1}\nnope\n{"a": 3}\n{"a": 4,}\n')
    ok("import", str(path), "--sheet", "bad")
    rows = json.loads(ok("rejects", "bad", "--format", "json").stdout)
    assert [(r["source"], r["position"], r["raw"]) for r in rows] == [(str(path), 2, "nope"), (str(path), 4, '{"a": 4,}')]
    assert all(r["reason"].startswith(f"line {r['position']} ") for r in rows)
    limited = run("rejects", "bad", "--limit", "1")
    assert "(1 of 2 rejects shown" in limited.stderr
    write_ndjson(inputs / "good.ndjson", [{"a": 1}])
    ok("import", str(inputs / "good.ndjson"), "--sheet", "good")
    assert ok("rejects", "good").stdout.strip() == "sheet 'good' has no rejects"


# --------------------------------------------------------------------------------------------------- query
def test_query_table(sheet: str) -> None:
    result = ok("query", sheet, "--columns", "id,name,n", "--sort", "-id", "--limit", "2")
    lines = result.stdout.splitlines()
    assert [c.strip() for c in lines[0].split("|")] == ["id", "name", "n"]
    assert set(lines[1]) <= {"-", " ", "|"}
    assert [c.strip() for c in lines[2].split("|")] == ["5", "plain", "-5"]
    assert [c.strip() for c in lines[3].split("|")][:2] == ["4", 'a,b "q"']
    assert len(lines) == 4
    assert re.fullmatch(r"\(rows 1-2 of 5, \d+ ms\)", result.stderr.strip())


def test_query_table_escapes_control_characters(sheet: str) -> None:
    output = ok("query", sheet, "-w", "id in (3, 4)", "-c", "name,note").stdout
    assert "\\ttab" in output and "\\rcr" in output and "line1\\nline2" in output
    assert "\r" not in output and "\t" not in output


def test_query_json_and_ndjson(sheet: str) -> None:
    rows = json.loads(ok("query", sheet, "--format", "json", "-w", "n < -4", "-c", "id,n,when").stdout)
    assert rows == [
        {"id": 1, "n": -5, "when": "2022-03-22T15:00:00Z"},
        {"id": 4, "n": -7, "when": "2022-03-22T17:00:00Z"},
        {"id": 5, "n": -5, "when": "2022-03-22T18:00:00Z"},
    ]
    lines = ok("query", sheet, "--format", "ndjson", "--search", "TAB", "-c", "id,name").stdout.splitlines()
    assert [json.loads(line) for line in lines] == [{"id": 3, "name": "\ttab"}]


def test_query_csv_output(sheet: str) -> None:
    output = ok("query", sheet, "--format", "csv", "-c", "id,n,f,name", "--sort", "id").stdout
    rows = list(csv.reader(io.StringIO(output, newline="")))
    assert rows == [
        ["id", "n", "f", "name"],
        ["1", "-5", "1.5", "'=cmd|' /C calc'!A0"],
        ["2", "-3", "-2.5", "'+1"],
        ["3", "", "", "'\ttab"],
        ["4", "-7", "0.0", 'a,b "q"'],
        ["5", "-5", "-0.25", "plain"],
    ]


def test_query_count_and_group_by(sheet: str, ct: str) -> None:
    assert ok("query", sheet, "--count").stdout.strip() == "5"
    assert ok("query", sheet, "--count", "-w", "n = -5").stdout.strip() == "2"
    assert ok("query", ct, "--count", "-g", "eventName").stdout.strip() == "5"
    groups = json.loads(ok("query", sheet, "-g", "n", "--agg", "count", "--agg", "max:id", "--format", "json").stdout)
    assert groups == [
        {"n": -5, "count": 2, "max_id": 5},  # count desc, then keys ascending, blanks last
        {"n": -7, "count": 1, "max_id": 4},
        {"n": -3, "count": 1, "max_id": 2},
        {"n": None, "count": 1, "max_id": 3},
    ]
    by_user = ok(
        "query", ct, "-g", "userIdentity.userName,eventName", "--agg", "count_distinct:sourceIPAddress", "--format", "csv"
    )
    lines = by_user.stdout.splitlines()
    assert lines[0] == "userIdentity.userName,eventName,count_distinct_sourceIPAddress"
    assert len(lines) == 11
    table = run("query", ct, "-g", "eventName")
    assert "of 5 groups" in table.stderr


def test_query_sort_and_columns(sheet: str) -> None:
    rows = json.loads(ok("query", sheet, "--format", "json", "-c", "id", "--sort", "n", "--sort", "-id").stdout)
    assert [r["id"] for r in rows] == [4, 5, 1, 2, 3]
    rows = json.loads(ok("query", sheet, "--format", "json", "-c", "id", "--offset", "3").stdout)
    assert [r["id"] for r in rows] == [4, 5]


def test_query_show_sql(sheet: str) -> None:
    sql = ok("query", sheet, "-w", "name = 'x''; DROP TABLE t; --'", "--show-sql").stdout
    assert "'x''; DROP TABLE t; --'" in sql
    assert sql.lstrip().startswith("SELECT")


def test_query_json_ir(sheet: str) -> None:
    view = {"version": 1, "where": {"kind": "compare", "column": "id", "op": ">", "value": 3}, "columns": ["id"]}
    rows = json.loads(ok("query", sheet, "--query-json", json.dumps(view), "--format", "json").stdout)
    assert rows == [{"id": 4}, {"id": 5}]


# -------------------------------------------------------------------------------------------------- export
def test_export_csv_neutralises_formulas_but_not_numbers(sheet: str, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = ok("export", sheet, "-o", str(out), "--sort", "id")
    assert result.stdout.strip() == f"5 rows written to {out}"
    raw = out.read_bytes()
    assert raw.count(b"\r\n") == 6  # RFC 4180 line ends (the embedded newline stays a bare \n inside quotes)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[0] == ["id", "name", "n", "f", "note", "when"]
    assert rows[1] == ["1", "'=cmd|' /C calc'!A0", "-5", "1.5", "'-x", "2022-03-22T15:00:00Z"]
    assert rows[2] == ["2", "'+1", "-3", "-2.5", "'@SUM(A1)", "2022-03-22T16:00:00Z"]
    assert rows[3] == ["3", "'\ttab", "", "", "'\rcr", ""]
    assert rows[4] == ["4", 'a,b "q"', "-7", "0.0", "line1\nline2", "2022-03-22T17:00:00Z"]
    assert b'"a,b ""q"""' in raw  # quotes doubled, field quoted
    assert b'"line1\nline2"' in raw


def test_export_csv_neutralises_header_cells(inputs: Path, tmp_path: Path) -> None:
    path = write_csv(inputs / "h.csv", ["=HYPERLINK()", "@x", "ok"], [["1", "2", "=1+1"], ["3", "4", "b"]])
    ok("import", str(path), "--sheet", "h")
    out = tmp_path / "h.csv"
    ok("export", "h", "-o", str(out))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert rows == [["'=HYPERLINK()", "'@x", "ok"], ["1", "2", "'=1+1"], ["3", "4", "b"]]


def test_export_json_ndjson_parquet(sheet: str, tmp_path: Path) -> None:
    ok("export", sheet, "-o", str(tmp_path / "out.json"), "-w", "id <= 2", "-c", "id,name,when")
    assert json.loads((tmp_path / "out.json").read_text()) == [
        {"id": 1, "name": "=cmd|' /C calc'!A0", "when": "2022-03-22T15:00:00Z"},
        {"id": 2, "name": "+1", "when": "2022-03-22T16:00:00Z"},
    ]
    ok("export", sheet, "-o", str(tmp_path / "out.ndjson"), "-g", "n")
    lines = (tmp_path / "out.ndjson").read_text().splitlines()
    assert json.loads(lines[0]) == {"n": -5, "count": 2} and len(lines) == 4
    out = tmp_path / "out.parquet"
    ok("export", sheet, "-o", str(out))
    table = pq.read_table(out)
    assert table.column_names == ["id", "name", "n", "f", "note", "when"]
    assert table.column("name").to_pylist() == [r["name"] for r in ROWS]  # no neutralisation in Parquet
    assert table.column("n").to_pylist() == [r["n"] for r in ROWS]
    # round trip: the exported Parquet imports back to the same rows
    ok("import", str(out), "--sheet", "again")
    original = json.loads(ok("query", sheet, "--format", "json").stdout)
    assert json.loads(ok("query", "again", "--format", "json").stdout) == original
    assert not list(tmp_path.glob(".*.partial"))


def test_export_empty_view_and_limit(sheet: str, tmp_path: Path) -> None:
    ok("export", sheet, "-o", str(tmp_path / "none.csv"), "-w", "id > 100")
    assert (tmp_path / "none.csv").read_bytes() == b"id,name,n,f,note,when\r\n"
    ok("export", sheet, "-o", str(tmp_path / "two.ndjson"), "--limit", "2")
    assert len((tmp_path / "two.ndjson").read_text().splitlines()) == 2


# ------------------------------------------------------------------------------------------- rename/delete
def test_rename_and_delete(sheet: str) -> None:
    assert ok("rename", sheet, "renamed").stdout.strip() == "renamed 'cells' to 'renamed'"
    assert [s["name"] for s in json.loads(ok("sheets", "--json").stdout)] == ["renamed"]
    refused = run("delete", "renamed", input="n\n")
    assert refused.exit_code == 1 and "error: not deleted" in refused.stderr
    assert ok("delete", "renamed", input="y\n").stdout.strip().endswith("deleted 'renamed'")
    assert json.loads(ok("sheets", "--json").stdout) == []
    ok("import", str(Path(os.environ["LOGSHEET_HOME"]).parent / "inputs" / "cells.ndjson"), "--sheet", "x", "-q")
    assert ok("delete", "x", "--yes").stdout.strip() == "deleted 'x'"


def test_detect(inputs: Path) -> None:
    write_gz_json(inputs / "a.json.gz", {"Records": [ct_record(1), ct_record(2)]})
    write_csv(inputs / "b.csv", ["x", "y"], [[1, 2], [3, 4]])
    found = json.loads(ok("detect", str(inputs), "--json").stdout)
    assert [(Path(f["path"]).name, f["format"]) for f in found] == [("a.json.gz", "cloudtrail"), ("b.csv", "csv")]


def test_home_option_overrides_environment(tmp_path: Path, inputs: Path) -> None:
    other = tmp_path / "other-home"
    path = write_ndjson(inputs / "a.ndjson", [{"a": 1}])
    ok("--home", str(other), "import", str(path), "-q")
    assert json.loads(ok("--home", str(other), "sheets", "--json").stdout)[0]["name"] == "a"
    assert json.loads(ok("sheets", "--json").stdout) == []


# ---------------------------------------------------------------------------------------------- user errors
def test_error_missing_file(tmp_path: Path) -> None:
    assert fails("import", str(tmp_path / "nope.json")) == f"error: no such file or folder: {tmp_path / 'nope.json'}"


def test_error_unknown_sheet(sheet: str) -> None:
    assert fails("query", "nope") == "error: no sheet named 'nope'; sheets: cells"
    assert fails("info", "nope").startswith("error: no sheet named 'nope'")
    assert fails("rename", "nope", "x").startswith("error: no sheet named 'nope'")
    assert fails("delete", "nope", "--yes").startswith("error: no sheet named 'nope'")
    assert fails("rejects", "nope").startswith("error: no sheet named 'nope'")
    assert fails("export", "nope", "-o", "x.csv").startswith("error: no sheet named 'nope'")


def test_error_unknown_column(sheet: str) -> None:
    assert fails("query", sheet, "-w", "nmae = 'x'") == "error: unknown column 'nmae'; did you mean 'name'?"
    assert fails("query", sheet, "-c", "id,bogus").startswith("error: unknown column 'bogus'")
    assert fails("query", sheet, "--sort", "bogus").startswith("error: unknown column 'bogus'")
    assert fails("query", sheet, "-g", "bogus").startswith("error: unknown column 'bogus'")


def test_error_bad_aggregate(sheet: str) -> None:
    assert fails("query", sheet, "-g", "n", "--agg", "median:n").startswith("error: unknown aggregate 'median'")
    assert fails("query", sheet, "-g", "n", "--agg", "max") == "error: aggregate 'max' needs a column: max:COLUMN"
    assert fails("query", sheet, "--agg", "count") == "error: aggregates (--agg) need --group-by"
    assert fails("query", sheet, "-g", "n", "--agg", "sum:name").startswith("error: sum needs a numeric column")


def test_error_other_user_mistakes(sheet: str, tmp_path: Path) -> None:
    assert fails("query", sheet, "-w", "name matches '('").startswith("error: ")
    assert fails("query", sheet, "-w", "n = 'five'").startswith("error: ")
    assert fails("query", sheet, "--query-json", "{not json").startswith("error: query JSON does not parse")
    clash = fails("query", sheet, "--query-json", '{"where": null}', "-w", "n = 5", "--sort", "n")
    assert clash.startswith("error: --query-json is the whole view: give --where or --sort inside it, not beside it")
    assert fails("query", sheet, "--limit", "20000").startswith("error: a page holds")
    assert fails("export", sheet, "-o", str(tmp_path / "x.xlsx")).startswith("error: cannot tell the export format")
    assert fails("import", str(tmp_path), "--format", "nope").startswith("error: unknown format 'nope'")
    assert fails("rename", sheet, "") == "error: a sheet needs a name"
    path = write_ndjson(tmp_path / "again.ndjson", [{"a": 1}])
    ok("import", str(path), "--sheet", "dup", "-q")
    assert fails("import", str(path), "--sheet", "dup", "-q").startswith("error: sheet 'dup' already exists")


def test_error_bad_expression_is_one_line(sheet: str) -> None:
    assert fails("query", sheet, "-w", "name = ").startswith("error: expected a value")


def test_error_bad_expression_no_traceback(sheet: str) -> None:
    result = CliRunner().invoke(main, ["query", sheet, "-w", "name = "])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: expected a value after '=' but found end of input at position 8")


# -------------------------------------------------------------------------------------------- subprocesses
def test_real_subprocess_of_the_console_script(inputs: Path, logsheet_home: Path) -> None:
    path = write_ndjson(inputs / "cells.ndjson", ROWS)
    env = {**os.environ, "LOGSHEET_HOME": str(logsheet_home)}

    def sh(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([LOGSHEET, *args], env=env, capture_output=True, text=True, timeout=60)

    imported = sh("import", str(path), "--sheet", "cells", "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["rows"] == 5
    queried = sh("query", "cells", "-w", "n = -5", "-c", "id", "--format", "json")
    assert queried.returncode == 0 and json.loads(queried.stdout) == [{"id": 1}, {"id": 5}]
    missing = sh("info", "nope")
    assert missing.returncode == 1
    assert missing.stderr == "error: no sheet named 'nope'; sheets: cells\n" and missing.stdout == ""
    version = sh("--version")
    assert version.returncode == 0 and "0.1.0" in version.stdout
    assert (logsheet_home / "catalog.sqlite").exists()


# ---------------------------------------------------------------------------------------------------- docs
def _commands() -> list[str]:
    help_text = ok("--help").stdout
    section = help_text.split("Commands:", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ") and line.strip()]


def test_every_command_is_documented_in_docs_cli_md() -> None:
    commands = _commands()
    assert {"import", "sheets", "info", "rejects", "query", "export", "rename", "delete"} <= set(commands)
    doc = REPO / "docs" / "cli.md"
    assert doc.exists(), "docs/cli.md is missing"
    text = doc.read_text(encoding="utf-8")
    missing = [c for c in commands if f"## logsheet {c}" not in text]
    assert not missing, f"commands missing from docs/cli.md: {', '.join(missing)}"


def test_every_command_has_help() -> None:
    for command in _commands():
        result = ok(command, "--help")
        assert result.stdout.startswith((f"Usage: main {command}", f"Usage: logsheet {command}"))
        assert result.stderr == ""


def test_usage_errors_are_clicks(sheet: str) -> None:
    missing = CliRunner().invoke(main, ["query"])
    assert missing.exit_code == 2
    assert "Missing argument 'SHEET'" in missing.stderr and "internal error" not in missing.stderr
    bad_choice = CliRunner().invoke(main, ["query", sheet, "--format", "bogus"])
    assert bad_choice.exit_code == 2 and "internal error" not in bad_choice.stderr
    unknown = CliRunner().invoke(main, ["frobnicate"])
    assert unknown.exit_code == 2 and "No such command 'frobnicate'" in unknown.stderr
