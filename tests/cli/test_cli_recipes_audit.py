"""Recipes and the audit trail through the CLI's entry point (issue 15): a view recorded on the demo's
CloudTrail sheet (`query --save-as`), written with `recipe export`, applied with `recipe apply` to another
CloudTrail sheet gives the counts the same options give there by hand; a sheet without the recipe's columns is
told which, and `--map` uses others; `--format sql` writes the SQL; `logsheet audit` lists what was done and
`audit verify` fails at an edited entry."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fixtures import write_csv, write_ct_tree
from logsheet.cli import main
from repo_paths import SHARED_DATA

HUNT = ["--where", "errorCode is not blank or eventName = 'RunInstances'", "--group-by", "eventName,userIdentity.type"]
OTRF = SHARED_DATA / "otrf-aws-ec2-proxy-s3-exfil" / "ec2_proxy_s3_exfiltration_2020-09-14011940.json"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def demo(demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "demo"
    shutil.copytree(demo_home, home)
    monkeypatch.setenv("LOGSHEET_HOME", str(home))
    return home


def hand_counts(sheet: str) -> tuple[int, list[dict[str, object]]]:
    groups = json.loads(ok("query", sheet, *HUNT, "--format", "json", "--limit", "10000"))
    return int(ok("query", sheet, *HUNT, "--count").strip()), groups


def test_a_recipe_from_the_demo_gives_the_same_counts_as_by_hand_on_another_cloudtrail_sheet(demo: Path, inputs: Path) -> None:
    ok("query", "cloudtrail", *HUNT, "--save-as", "hunt", "--count")
    recipe = inputs / "hunt.json"
    assert "reads errorCode, eventName, userIdentity.type" in ok("recipe", "export", "cloudtrail", "hunt", "-o", str(recipe))
    written = json.loads(recipe.read_text(encoding="utf-8"))
    assert written["from"] == {
        "sheet": "cloudtrail",
        "format": "cloudtrail",
        "time_column": "eventTime",
        "columns": ["errorCode", "eventName", "userIdentity.type"],
    }
    assert set(written["sql"]) == {"duckdb", "spark", "trino"} and "GROUP BY" in written["sql"]["trino"]
    write_ct_tree(inputs / "ct", files=3, per_file=40)
    ok("import", str(inputs / "ct"), "--sheet", "other")
    count, groups = hand_counts("other")
    assert count > 0
    out = ok("recipe", "apply", str(recipe), "other", "--save-as", "hunt")
    assert out.strip() == f"recipe hunt.json on sheet 'other': {count:,} groups; saved as view 'hunt'"
    assert "errorCode" in ok("views", "show", "other", "hunt")
    applied = json.loads(ok("recipe", "apply", str(recipe), "other", "--format", "json"))
    view = json.dumps(applied["query"])
    assert json.loads(ok("query", "other", "--query-json", view, "--format", "json", "--limit", "10000")) == groups
    assert int(ok("query", "cloudtrail", "--query-json", view, "--count")) == hand_counts("cloudtrail")[0]


@pytest.mark.shared_data
@pytest.mark.skipif(not OTRF.exists(), reason="../shared/data (the OTRF EC2 proxy CloudTrail sample) is absent")
def test_the_recipe_on_real_cloudtrail_gives_the_hand_counts(demo: Path, inputs: Path) -> None:
    ok("query", "cloudtrail", *HUNT, "--save-as", "hunt", "--count")
    recipe = inputs / "hunt.json"
    ok("recipe", "export", "cloudtrail", "hunt", "-o", str(recipe))
    copy = inputs / OTRF.name
    shutil.copy(OTRF, copy)
    ok("import", str(copy), "--sheet", "otrf")
    count, groups = hand_counts("otrf")
    applied = json.loads(ok("recipe", "apply", str(recipe), "otrf", "--format", "json"))
    assert applied["rows"] == count
    assert (
        json.loads(ok("query", "otrf", "--query-json", json.dumps(applied["query"]), "--format", "json", "--limit", "10000"))
        == groups
    )


def test_missing_columns_are_named_and_mapped(inputs: Path) -> None:
    write_ct_tree(inputs / "ct", files=1, per_file=20)
    ok("import", str(inputs / "ct"), "--sheet", "trail")
    ok("query", "trail", *HUNT, "--save-as", "hunt", "--count")
    recipe = inputs / "hunt.json"
    ok("recipe", "export", "trail", "hunt", "-o", str(recipe))
    rows = [["RunInstances", "", "IAMUser"], ["X", "AccessDenied", "Root"], ["Y", "", "Root"]]
    ok("import", str(write_csv(inputs / "ev.csv", ["event", "err", "utype"], rows)), "--sheet", "ev")
    refused = run("recipe", "apply", str(recipe), "ev")
    assert refused.exit_code != 0
    assert "reads column(s) 'errorCode', 'eventName', 'userIdentity.type', which sheet 'ev' does not have" in refused.output
    assert "--map errorCode=COLUMN" in refused.output
    maps = ["--map", "eventName=event", "--map", "errorCode=err", "--map", "userIdentity.type=utype"]
    assert "2 groups" in ok("recipe", "apply", str(recipe), "ev", *maps)
    sql = inputs / "hunt.sql"
    ok("recipe", "export", "trail", "hunt", "-o", str(sql), "--format", "sql", "--dialect", "spark")
    assert sql.read_text(encoding="utf-8").lstrip().upper().startswith("SELECT")
    assert "hunt.sql is not JSON" in run("recipe", "apply", str(sql), "ev").output
    (inputs / "other.json").write_text('{"a": 1}', encoding="utf-8")
    assert "not a logsheet recipe" in run("recipe", "apply", str(inputs / "other.json"), "ev").output
    assert "no saved view named 'nope'" in run("recipe", "export", "trail", "nope", "-o", str(sql)).output
    bad = run("recipe", "apply", str(recipe), "ev", "--map", "eventName")
    assert bad.exit_code == 2 and "OLD=NEW" in bad.output


def test_the_audit_lists_and_verify_fails_at_an_edited_entry(inputs: Path, logsheet_home: Path) -> None:
    write_ct_tree(inputs / "ct", files=1, per_file=20)
    ok("import", str(inputs / "ct"), "--sheet", "trail", "--case", "ir")
    ok("annotate", "trail", "--where", "eventName = 'RunInstances'", "--tag", "launch")
    ok("query", "trail", "--where", "eventName = 'RunInstances'", "--save-as", "launches", "--count")
    entries = json.loads(ok("audit", "--case", "ir", "--format", "json"))
    assert [e["action"] for e in entries] == ["import", "tag", "save view"]
    assert all(set(e) == {"seq", "at", "user", "action", "sheets", "cases", "detail", "prev", "hash"} for e in entries)
    assert "tag" in ok("audit") and "the audit trail is intact: 3 entries" in ok("audit", "verify")
    path = logsheet_home / "audit.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[1])
    edited["detail"]["value"] = "benign"
    lines[1] = json.dumps(edited)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    broken = run("audit", "verify")
    assert broken.exit_code == 1
    assert "the audit trail is broken at line 2 (entry 2): entry 2 was edited" in broken.output
    verdict = run("audit", "verify", "--format", "json")
    assert verdict.exit_code == 1 and json.loads(verdict.stdout)["line"] == 2
