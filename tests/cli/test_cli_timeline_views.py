"""Saved timeline views and annotations from the timeline, through the CLI's entry point: ``logsheet timeline
--save/--view``, ``logsheet timeline-views list|show|delete``, and ``logsheet timeline --star/--tag/--comment``
annotating the rows in their own sheets (found again by ``logsheet query SHEET --where starred``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from logsheet.cli import main
from logsheet.workspace import Workspace
from timeline_fixtures import build_case


@pytest.fixture
def home(logsheet_home: Path, inputs: Path) -> Path:
    ws = Workspace.open(logsheet_home)
    build_case(ws, inputs)
    return logsheet_home


def ok(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def failed(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code != 0, result.output
    return result


def test_a_saved_view_is_listed_and_opens_again(home: Path) -> None:
    saved = ok("timeline", "--case", "ir", "--where", "sheet = 'notes'", "--sort", "-time", "--save", "late notes", "-n", "2")
    assert "saved the timeline view 'late notes' of case 'ir'" in saved.stderr
    listed = ok("timeline-views", "list", "--case", "ir")
    assert listed.stdout.startswith("late notes  (saved ")
    as_json = json.loads(ok("timeline-views", "list", "--case", "ir", "--json").stdout)
    assert [v["name"] for v in as_json] == ["late notes"] and as_json[0]["query"]["sort"]
    opened = json.loads(ok("timeline", "--case", "ir", "--view", "late notes", "--format", "json", "-n", "3").stdout)
    assert [r["summary"] for r in opened] == ["note 9 · ana", "note 8 · ana", "note 7 · ana"]
    assert ok("timeline", "--case", "ir", "--view", "late notes", "--count").stdout.strip() == "10"
    shown = json.loads(ok("timeline-views", "show", "late notes", "--case", "ir").stdout)
    again = ok("timeline", "--case", "ir", "--query-json", json.dumps(shown), "--format", "json", "-n", "1")
    assert json.loads(again.stdout)[0]["summary"] == "note 9 · ana"
    assert "has no saved timeline views" in ok("timeline-views", "list").stdout  # the default case has none


def test_views_are_per_case_and_go_with_their_case(home: Path) -> None:
    ok("case", "create", "other", "notes")
    ok("timeline", "--case", "other", "--where", "summary contains 'note 3'", "--save", "three", "--count")
    ok("timeline", "--case", "ir", "--save", "three", "--count")  # same name, another case
    assert ok("timeline", "--case", "other", "--view", "three", "--count").stdout.strip() == "1"
    assert "no saved timeline view named 'three'" in failed("timeline", "--view", "three").output
    ok("case", "rename", "other", "renamed")  # the views follow the case
    assert ok("timeline", "--case", "renamed", "--view", "three", "--count").stdout.strip() == "1"
    ok("case", "rename", "renamed", "other")
    ok("case", "delete", "other", "--yes")
    ok("case", "create", "other", "notes")
    assert "has no saved timeline views" in ok("timeline-views", "list", "--case", "other").stdout
    assert [v["name"] for v in json.loads(ok("timeline-views", "list", "--case", "ir", "--json").stdout)] == ["three"]


def test_delete_a_view_and_the_refusals(home: Path) -> None:
    ok("timeline", "--case", "ir", "--save", "all", "--count")
    assert (
        "--view opens a whole saved view: give --where"
        in failed("timeline", "--case", "ir", "--view", "all", "-w", "x = 1").output
    )
    assert "unknown column" in failed("timeline", "--case", "ir", "--where", "nope = 1", "--save", "bad").output.lower()
    assert "has no saved timeline views" not in ok("timeline-views", "list", "--case", "ir").stdout
    assert (
        "removed the saved timeline view 'all' of case 'ir'"
        in ok("timeline-views", "delete", "all", "--case", "ir", "--yes").stdout
    )
    assert "no saved timeline view named 'all'" in failed("timeline-views", "delete", "all", "--case", "ir", "--yes").output
    assert "no saved timeline view named 'bad'" in failed("timeline-views", "show", "bad", "--case", "ir").output


def test_starring_a_timeline_row_stars_exactly_that_row_in_its_sheet(home: Path) -> None:
    rows = json.loads(ok("timeline", "--case", "ir", "--where", "sheet = 'notes'", "--format", "json", "-n", "3").stdout)
    target = rows[2]
    where = f"source_rowid = {target['source_rowid']}"
    assert ok("timeline", "--case", "ir", "--where", where, "--star").stdout.strip() == "starred 1 row (notes 1)"
    starred = json.loads(ok("query", "notes", "--where", "starred", "--format", "json").stdout)
    assert [r["msg"] for r in starred] == ["note 2"]
    assert json.loads(ok("query", "secure", "--where", "starred", "--format", "json").stdout) == []
    assert ok("timeline", "--case", "ir", "--where", where, "--star").stdout.strip() == "starred 0 rows (notes 0)"


def test_tag_and_comment_a_whole_timeline_view_across_sheets(home: Path) -> None:
    ws = Workspace.open(home)
    secure, notes = ws.sheet("secure").row_count, 10
    tagged = ok("timeline", "--case", "ir", "--where", "sheet in ('notes', 'secure')", "--tag", "seen")
    assert tagged.stdout.strip() == f"tagged {secure + notes:,} rows 'seen' (notes {notes}, secure {secure:,})"
    assert ok("query", "secure", "--where", "tag = 'seen'", "--count").stdout.strip() == str(secure)
    assert ok("query", "trail", "--where", "tag = 'seen'", "--count").stdout.strip() == "0"
    ok("timeline", "--case", "ir", "--search", "note 7", "--comment", "looked at it", "--author", "ana")
    commented = json.loads(ok("query", "notes", "--where", "comment contains 'looked'", "--format", "json").stdout)
    assert [r["msg"] for r in commented] == ["note 7"]
    untagged = ok("timeline", "--case", "ir", "--where", "sheet = 'notes'", "--untag", "seen")
    assert untagged.stdout.strip() == "untagged 10 rows 'seen' (notes 10)"
    assert ok("query", "notes", "--where", "tag = 'seen'", "--count").stdout.strip() == "0"
    assert "give one of --star" in failed("timeline", "--case", "ir", "--star", "--tag", "x").output
    assert "not with --count" in failed("timeline", "--case", "ir", "--star", "--count").output
    assert "a tag cannot hold a comma" in failed("timeline", "--case", "ir", "--tag", "a,b").output
