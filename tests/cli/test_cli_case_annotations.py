"""Annotations listed per case and kept with exports and saved views, through the CLI's entry point: ``logsheet
annotations --case NAME`` (table and JSON, --limit; only the case's sheets; an unknown case), ``query --where
starred --format csv`` carrying the annotation columns, and a saved view on a tag re-run after more rows are
tagged (``views show`` → ``query --query-json``). A view shows the annotation columns when it names none (every
column) or names them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fixtures import write_ndjson
from logsheet.cli import main
from logsheet.query.spellings import build_query
from logsheet.workspace import Workspace


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def sheets(inputs: Path, logsheet_home: Path) -> tuple[str, str, str]:
    auth = [{"n": i, "user": "root" if i % 4 == 0 else f"u{i}"} for i in range(12)]
    flows = [{"m": i, "dst": "10.0.0.1" if i % 3 == 0 else "10.0.0.2"} for i in range(9)]
    ok("import", str(write_ndjson(inputs / "auth.ndjson", auth)), "--sheet", "auth", "--quiet")
    ok("import", str(write_ndjson(inputs / "flows.ndjson", flows)), "--sheet", "flows", "--quiet")
    ok("import", str(write_ndjson(inputs / "other.ndjson", [{"k": 1}])), "--sheet", "other", "--quiet")
    ok("case", "create", "intrusion", "auth", "flows")
    return "auth", "flows", "other"


def test_annotations_of_a_case_oldest_first_only_its_sheets(sheets: tuple[str, str, str]) -> None:
    auth, flows, other = sheets
    assert ok("annotate", auth, "--where", "user = 'root'", "--star").stdout == "starred 3 rows\n"
    assert ok("annotate", other, "--star", "--author", "elsewhere").stdout == "starred 1 row\n"
    assert ok("annotate", flows, "--where", "dst = '10.0.0.1'", "--tag", "c2", "--author", "ana").stdout == (
        "tagged 3 rows 'c2'\n"
    )
    assert ok("annotate", auth, "--where", "n = 4", "--comment", "root shell").stdout == "commented 1 row\n"

    listed = json.loads(ok("annotations", "--case", "intrusion", "--format", "json").stdout)
    assert [(a["sheet"], a["kind"], a["value"]) for a in listed] == [
        (auth, "star", ""),
        (auth, "star", ""),
        (auth, "star", ""),
        (flows, "tag", "c2"),
        (flows, "tag", "c2"),
        (flows, "tag", "c2"),
        (auth, "comment", "root shell"),
    ]
    assert [a["id"] for a in listed] == sorted(a["id"] for a in listed)  # oldest first
    assert set(listed[0]) == {"id", "sheet", "rowid", "kind", "value", "author", "created_at"}
    assert {a["author"] for a in listed if a["kind"] == "tag"} == {"ana"}
    assert "elsewhere" not in {a["author"] for a in listed}  # the sheet outside the case

    table = ok("annotations", "--case", "intrusion", "--limit", "4")
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["id", "|", "sheet", "|", "row", "|", "kind", "|", "value", "|", "author", "|", "time"]
    assert len(lines) == 2 + 4 and "c2" in lines[-1] and "(4 annotations)" in table.stderr
    assert str(listed[3]["rowid"]) in lines[-1]
    assert len(json.loads(ok("annotations", "--format", "json").stdout)) == 8  # every sheet's, as before


def test_an_empty_case_an_unknown_case_and_a_sheet_with_a_case(sheets: tuple[str, str, str]) -> None:
    ok("case", "create", "quiet")
    empty = ok("annotations", "--case", "quiet", "--format", "json")
    assert json.loads(empty.stdout) == []
    assert "(0 annotations)" in ok("annotations", "--case", "quiet").stderr
    unknown = run("annotations", "--case", "nope")
    assert unknown.exit_code == 1 and "no case named 'nope'; cases: default, intrusion, quiet" in unknown.output
    both = run("annotations", "auth", "--case", "intrusion")
    assert both.exit_code == 2 and "give a SHEET or --case NAME, not both" in both.output
    assert run("annotations", "--case", "intrusion", "--delete", "1").exit_code != 0


def test_a_query_on_the_annotations_exports_their_columns(sheets: tuple[str, str, str]) -> None:
    auth = sheets[0]
    ok("annotate", auth, "--where", "user = 'root'", "--star")
    ok("annotate", auth, "--where", "n = 8", "--tag", "t1110")
    rows = list(csv.DictReader(io.StringIO(ok("query", auth, "--where", "starred", "--format", "csv").stdout)))
    assert [(r["n"], r["starred"], r["tags"], r["comment"]) for r in rows] == [
        ("0", "true", "", ""),
        ("4", "true", "", ""),
        ("8", "true", "t1110", ""),
    ]
    chosen = ok("query", auth, "--where", "tag = 't1110'", "--columns", "n,tags", "--format", "csv").stdout
    assert chosen.splitlines() == ["n,tags", "8,t1110"]
    plain = ok("query", auth, "--where", "n < 2", "--columns", "n,user", "--format", "csv").stdout
    assert plain.splitlines() == ["n,user", "0,root", "1,u1"]  # a view naming columns without them leaves them out
    every = ok("query", auth, "--where", "n < 2", "--format", "csv").stdout
    assert every.splitlines()[0] == "n,user,starred,tags,comment"  # a view naming none shows every column


def test_a_saved_view_on_a_tag_keeps_following_the_tag(sheets: tuple[str, str, str], logsheet_home: Path) -> None:
    auth = sheets[0]
    Workspace.open(logsheet_home).save_view(auth, "bruteforce", build_query("tag = 'bruteforce'"))
    saved = ok("views", "show", auth, "bruteforce").stdout

    def reopened() -> list[str]:
        out = ok("query", auth, "--query-json", saved, "--format", "csv").stdout
        return [r["n"] for r in csv.DictReader(io.StringIO(out))]

    assert reopened() == []
    ok("annotate", auth, "--where", "user = 'root'", "--tag", "bruteforce")
    assert reopened() == ["0", "4", "8"]
    ok("annotate", auth, "--where", "n = 5", "--tag", "bruteforce")
    assert reopened() == ["0", "4", "5", "8"]
    assert ok("views", "show", auth, "bruteforce").stdout == saved  # the view itself did not change
