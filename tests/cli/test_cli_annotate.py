"""``logsheet annotate`` and ``logsheet annotations`` through the CLI's entry point: star, tag and comment a
view's rows, find them again with ``query --where``, list, export and remove them."""

from __future__ import annotations

import csv
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
    rows = [{"n": i, "user": "root" if i % 4 == 0 else f"u{i}", "msg": "Failed password" if i % 2 else "ok"} for i in range(40)]
    assert run("import", str(write_ndjson(inputs / "auth.ndjson", rows)), "--sheet", "auth", "--quiet").exit_code == 0
    return "auth"


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def total(sheet: str, where: str) -> int:
    return int(ok("query", sheet, "--where", where, "--count").stdout)


def rowid(sheet: str, where: str) -> str:
    return str(json.loads(ok("context", sheet, "-w", where, "-n", "0", "--format", "json").stdout)["rowid"])


def test_star_tag_comment_and_filter_on_them(sheet: str) -> None:
    assert ok("annotate", sheet, "--where", "msg = 'Failed password'", "--star").stdout == "starred 20 rows\n"
    assert ok("annotate", sheet, "--where", "msg = 'Failed password'", "--star").stdout == "starred 0 rows\n"
    assert ok("annotate", sheet, "--where", "user = 'root'", "--tag", "ssh-bruteforce").stdout == (
        "tagged 10 rows 'ssh-bruteforce'\n"
    )
    assert ok("annotate", sheet, "--search", "u13", "--comment", "root shell after this").stdout == "commented 1 row\n"
    assert total(sheet, "starred") == 20
    assert total(sheet, "tag = 'ssh-bruteforce'") == 10
    assert total(sheet, "starred and tag = 'ssh-bruteforce'") == 0
    assert total(sheet, "comment contains 'root'") == 1
    shown = ok("query", sheet, "--where", "comment contains 'root'", "--columns", "n,starred,tags,comment")
    assert "13" in shown.stdout and "true" in shown.stdout and "root shell after this" in shown.stdout


def test_rows_by_id_remove_and_list(sheet: str) -> None:
    first, second = rowid(sheet, "n = 1"), rowid(sheet, "n = 2")
    assert ok("annotate", sheet, "--row", first, "--row", second, "--tag", "t1110", "--author", "ana").stdout == (
        "tagged 2 rows 't1110'\n"
    )
    assert ok("annotate", sheet, "--row", first, "--comment", "first").stdout == "commented 1 row\n"
    listed = json.loads(ok("annotations", sheet, "--format", "json").stdout)
    assert [(a["kind"], a["value"], str(a["rowid"])) for a in listed] == [
        ("tag", "t1110", first),
        ("tag", "t1110", second),
        ("comment", "first", first),
    ]
    assert listed[0]["author"] == "ana" and listed[0]["sheet"] == sheet
    table = ok("annotations")
    assert "t1110" in table.stdout and "(3 annotations)" in table.stderr
    assert ok("annotate", sheet, "--untag", "t1110", "--where", "n = 1").stdout == "untagged 1 row 't1110'\n"
    assert ok("annotations", "--delete", str(listed[2]["id"])).stdout.startswith("removed the comment")
    assert ok("annotate", sheet, "--uncomment").stdout == "removed 0 comments\n"
    assert total(sheet, "tag = 't1110'") == 1 and total(sheet, "comment contains 'first'") == 0


def test_exports_keep_the_annotations_neutralised(sheet: str, tmp_path: Path) -> None:
    ok("annotate", sheet, "--where", "n = 3", "--comment", '=HYPERLINK("http://x")')
    out = tmp_path / "starred.csv"
    ok("export", sheet, "--where", "comment contains 'HYPERLINK'", "-o", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 1 and rows[0]["comment"] == '\'=HYPERLINK("http://x")' and rows[0]["starred"] == "false"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--star", "--tag", "x"), "give one of --star"),
        ((), "give one of --star"),
        (("--tag", "a,b"), "comma"),
        (("--row", "999", "--star"), "no row with id 999"),
    ],
)
def test_refusals(sheet: str, args: tuple[str, ...], message: str) -> None:
    result = run("annotate", sheet, *args)
    assert result.exit_code != 0 and message in result.output


def test_unknown_sheet_and_annotation(logsheet_home: Path) -> None:
    assert "no sheet named 'nope'" in run("annotate", "nope", "--star").output
    assert "no annotation with id 7" in run("annotations", "--delete", "7").output
